"""What tiercli says about platform profiles and column detection.

key → (English, Chinese); keys are used as "profiles.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
}
