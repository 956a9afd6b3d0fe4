"""What tiercli says about input files (orders, members, previous runs, overrides).

key → (English, Chinese); keys are used as "sources.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
