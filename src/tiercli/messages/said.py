"""A text for the user in both languages: `Said` is the English (the string itself) with its Chinese beside it."""

from __future__ import annotations

import string


class Said(str):
    """A text for the user (a message, a note, a label, a metric's meaning): the English (the string itself) with
    its Chinese beside it, so the code below the outputs says it once and each output shows it in its language."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        said = super().__new__(cls, en)
        said.zh = zh
        return said

    def __reduce__(self) -> tuple[type[Said], tuple[str, str]]:
        return (Said, (str(self), self.zh))

    def __add__(self, other: str) -> Said:
        return Said(str(self) + str(other), self.zh + in_lang(other, "zh"))

    def __radd__(self, other: str) -> Said:
        return Said(str(other) + str(self), in_lang(other, "zh") + self.zh)


def as_is(text: str) -> Said:
    """Text that is the same in both languages: a user's own name, a file name, a number."""
    return text if isinstance(text, Said) else Said(text, text)


def in_lang(text: str, lang: str) -> str:
    """`text` in `lang`: a `Said`'s Chinese for zh; any other text as it is."""
    return text.zh if lang == "zh" and isinstance(text, Said) else str(text)


def placeholders(template: str) -> set[str]:
    """The names a template fills: {"n", "file"} for "{n} rows of {file}"."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}
