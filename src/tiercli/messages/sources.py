"""What tiercli says about sources: key → (English, Chinese). Keys are used as "sources.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
