"""Benchmark tiercli against the floor: DuckDB alone doing the minimum on the same CSV.

    python bench/run_bench.py --lines 1000000 [--lines 10000000] [--keep] [--regen] [--seed 7]

For each size the input is generated once by gen_orders.py and cached in bench/out/ (git-ignored). Then,
each step in its own subprocess so its peak RSS is its own:

  floor      DuckDB reads the CSV, groups by customer (count, sum(amount), max(order_ts)), writes Parquet
  parquet    python -m tiercli classify FILE -r bench/rules.bench.yaml -o out.parquet
  workbook   python -m tiercli classify FILE -r bench/rules.bench.yaml -o out.xlsx   (≤ 1M lines only)

and prints a Markdown table (seconds, peak RSS, ratio to the floor) with the machine it ran on.
Targets: 10M lines within 1.5× the floor and under 2 GiB peak RSS; 1M lines end to end incl. the workbook
within 15 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RULES = BENCH / "rules.bench.yaml"
GEN = BENCH / "gen_orders.py"
WORKBOOK_MAX_LINES = 1_000_000
TIME_BIN = "/usr/bin/time"
MAXRSS_MARK = "__bench_maxrss_kib__="

FLOOR_CODE = """
import sys, duckdb
src, dst = (p.replace("'", "''") for p in sys.argv[1:3])
con = duckdb.connect()
con.execute(f'''COPY (
    SELECT customer_id, count(*) AS lines, sum(amount) AS amount, max(order_ts) AS last_order
    FROM read_csv('{src}') GROUP BY customer_id
) TO '{dst}' (FORMAT parquet)''')
"""

# Runs one command and reports the peak RSS of its process tree, for systems without GNU time.
RUSAGE_WRAPPER = f"""
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:])
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    kib //= 1024
print("{MAXRSS_MARK}%d" % kib, file=sys.stderr)
sys.exit(rc)
"""

sys.path.insert(0, str(BENCH))
from gen_orders import parse_count  # noqa: E402


@dataclass
class Measure:
    seconds: float
    rss_mib: float | None
    returncode: int
    stderr: str


@dataclass
class Row:
    lines: int
    step: str
    measure: Measure | None
    note: str = ""


def measure(cmd: Sequence[str]) -> Measure:
    """Run cmd once; wall time from here, peak RSS from GNU time or from getrusage in a fresh wrapper."""
    use_time = Path(TIME_BIN).exists()
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = Path(tf.name)
    try:
        full = [TIME_BIN, "-v", "-o", str(time_file), *cmd] if use_time else [sys.executable, "-c",
                                                                             RUSAGE_WRAPPER, *cmd]
        t0 = time.perf_counter()
        proc = subprocess.run(full, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              errors="replace")
        seconds = time.perf_counter() - t0
        report = time_file.read_text(errors="replace") if use_time else proc.stderr
    finally:
        time_file.unlink(missing_ok=True)
    rss_kib = None
    for line in report.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size (kbytes):"):
            rss_kib = int(line.rsplit(":", 1)[1])
        elif line.startswith(MAXRSS_MARK):
            rss_kib = int(line[len(MAXRSS_MARK):])
    stderr = "\n".join(x for x in proc.stderr.splitlines() if not x.startswith(MAXRSS_MARK))
    return Measure(seconds, None if rss_kib is None else rss_kib / 1024, proc.returncode, stderr)


def tiercli_missing() -> str | None:
    """Why `python -m tiercli` can't run here, or None when it can."""
    try:
        if importlib.util.find_spec("tiercli") is None:
            return "package tiercli is not installed"
        if importlib.util.find_spec("tiercli.__main__") is None:
            return "tiercli has no __main__ module yet"
    except Exception as exc:  # an import error inside the package itself
        return f"importing tiercli failed: {type(exc).__name__}: {exc}"
    return None


def ensure_input(lines: int, seed: int, regen: bool) -> tuple[Path, str]:
    path = OUT / f"orders_{lines}_s{seed}.csv"
    if path.exists() and not regen:
        return path, "cached"
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.part")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(GEN), str(lines), str(tmp), "--seed", str(seed)], check=True,
                   stderr=subprocess.DEVNULL)
    tmp.replace(path)
    return path, f"generated in {time.perf_counter() - t0:.1f} s"


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    ram = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        import duckdb
        duckdb_version = duckdb.__version__
    except ImportError:
        duckdb_version = "not installed"
    return [
        f"- CPU: {cpu}, nproc {nproc}",
        f"- RAM: {ram or 'unknown'}",
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, DuckDB {duckdb_version}",
    ]


def run_size(lines: int, seed: int, keep: bool, regen: bool, missing: str | None) -> list[Row]:
    src, how = ensure_input(lines, seed, regen)
    print(f"{lines:,} lines: {src.relative_to(ROOT)} ({how})", file=sys.stderr, flush=True)
    outputs = {
        "floor (DuckDB)": OUT / f"floor_{lines}.parquet",
        "tiercli → parquet": OUT / f"tiers_{lines}.parquet",
        "tiercli → xlsx": OUT / f"tiers_{lines}.xlsx",
    }
    rows: list[Row] = []
    for step, dst in outputs.items():
        dst.unlink(missing_ok=True)
        if step.startswith("floor"):
            cmd = [sys.executable, "-c", FLOOR_CODE, str(src), str(dst)]
        elif missing:
            rows.append(Row(lines, step, None, f"not run: {missing}"))
            continue
        elif dst.suffix == ".xlsx" and lines > WORKBOOK_MAX_LINES:
            rows.append(Row(lines, step, None, f"skipped: workbook only up to {WORKBOOK_MAX_LINES:,} lines"))
            continue
        else:
            cmd = [sys.executable, "-m", "tiercli", "classify", str(src), "-r", str(RULES), "-o", str(dst)]
        print(f"  {step} …", file=sys.stderr, flush=True)
        m = measure(cmd)
        note = ""
        if m.returncode != 0:
            tail = " | ".join(m.stderr.strip().splitlines()[-3:])
            note = f"failed (exit {m.returncode}): {tail}"
        rows.append(Row(lines, step, m, note))
        if not keep:
            dst.unlink(missing_ok=True)
    return rows


def targets(rows: list[Row]) -> None:
    """Mark the rows the README's targets apply to."""
    floor = {r.lines: r.measure.seconds for r in rows if r.step.startswith("floor") and r.measure}
    for r in rows:
        m = r.measure
        if m is None or m.returncode != 0:
            continue
        if r.step == "tiercli → parquet" and r.lines >= 10_000_000 and r.lines in floor:
            ok = m.seconds <= 1.5 * floor[r.lines] and (m.rss_mib or 0) < 2048
            r.note = "target ≤ 1.5× floor and < 2 GiB: " + ("met" if ok else "MISSED")
        elif r.step == "tiercli → xlsx" and r.lines <= WORKBOOK_MAX_LINES:
            r.note = "target ≤ 15 s: " + ("met" if m.seconds <= 15 else "MISSED")


def table(rows: list[Row]) -> list[str]:
    floor = {r.lines: r.measure.seconds for r in rows if r.step.startswith("floor") and r.measure}
    out = ["| lines | step | seconds | peak RSS MiB | × floor | note |", "|---:|---|---:|---:|---:|---|"]
    for r in rows:
        m = r.measure
        if m is None:
            out.append(f"| {r.lines:,} | {r.step} | – | – | – | {r.note} |")
            continue
        ok = m.returncode == 0
        rss = f"{m.rss_mib:,.0f}" if m.rss_mib is not None else "?"
        ratio = f"{m.seconds / floor[r.lines]:.2f}" if ok and floor.get(r.lines) else "–"
        out.append(f"| {r.lines:,} | {r.step} | {m.seconds:.2f} | {rss} | {ratio} | {r.note} |")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time tiercli against a DuckDB-only floor.")
    parser.add_argument("--lines", type=parse_count, action="append",
                        help="order lines to generate and measure (repeatable; default 1000000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--keep", action="store_true", help="keep the outputs of each step in bench/out/")
    parser.add_argument("--regen", action="store_true", help="regenerate the input even if cached")
    args = parser.parse_args(argv)
    sizes = sorted(set(args.lines or [1_000_000]))
    missing = tiercli_missing()
    if missing:
        print(f"note: tiercli steps will not run ({missing}); measuring the floor only", file=sys.stderr)
    if not Path(TIME_BIN).exists():
        print(f"note: {TIME_BIN} not found; peak RSS from getrusage in a wrapper process", file=sys.stderr)

    rows: list[Row] = []
    for lines in sizes:
        rows.extend(run_size(lines, args.seed, args.keep, args.regen, missing))
    targets(rows)
    print("\n".join(["", *table(rows), "", *machine()]))
    failed = [r for r in rows if r.measure and r.measure.returncode != 0]
    for r in failed:
        tail = "\n".join((r.measure.stderr if r.measure else "").splitlines()[-20:])
        print(f"\n{r.lines:,} lines, {r.step}: end of stderr\n{tail}", file=sys.stderr)
    return 1 if any(r.step.startswith("floor") for r in failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
