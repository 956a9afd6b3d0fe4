"""What tiercli says about rules: key → (English, Chinese). Keys are used as "rules.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
