"""What tiercli says about engine: key → (English, Chinese). Keys are used as "engine.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
