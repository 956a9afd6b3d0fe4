"""File names as text tiercli can show, store and put in a table."""

from __future__ import annotations


def readable_name(text: str) -> str:
    """A file name as text: bytes a name holds that are no UTF-8 (kept by Python as lone surrogates) become
    U+FFFD, so that the name can be shown, stored and put in a table."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
