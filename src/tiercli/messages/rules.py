"""What tiercli says about a rules file.

key → (English, Chinese); keys are used as "rules.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
