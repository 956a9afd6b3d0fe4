"""What tiercli says about the machine it runs on (memory, threads, disk).

key → (English, Chinese); keys are used as "database.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
