"""What tiercli says about the machine it runs on (memory, threads, disk).

key → (English, Chinese); keys are used as "database.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
    # database.py
    "memory_examples": ("e.g. 500MB, 4GB or 2GiB", "例如 500MB、4GB 或 2GiB"),
    "bad_memory_limit": ("--memory-limit '{text}' is not a memory size; write a number and a unit, {examples}",
                         "--memory-limit '{text}' 不是内存大小；请写数字加单位，{examples}"),
    "memory_limit_too_small": (
        "--memory-limit '{text}' is too small to run with; give at least 100MB ({examples}); beyond the limit tiercli "
        "spills to disk, so a small limit is slower, never wrong",
        "--memory-limit '{text}' 太小，无法运行；请至少给 100MB（{examples}）；"
        "超出限制的部分会写到磁盘，所以限制小只会更慢，不会出错"),
    "bad_threads": (
        "--threads {threads} is not a number of threads to run with; give 1 to {most} (this machine has {cores} "
        "cores; leave it out to use them all)",
        "--threads {threads} 不是可用的线程数；请给 1 到 {most} 之间的数（这台机器有 {cores} 个核心；不写则全部使用）"),
    "out_of_memory": (
        "the run needs more memory than its limit allows ({reason}); give it more with --memory-limit "
        "(e.g. --memory-limit 4GB), or run on fewer files at once",
        "运行所需的内存超过了限制（{reason}）；请用 --memory-limit 给它更多内存（例如 --memory-limit 4GB），"
        "或一次少读几个文件"),
}
