"""What tiercli says while it cleans, computes, scores and explains (notes, warnings, why text, errors).

key → (English, Chinese); keys are used as "engine.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
