"""English and Chinese for what users read: sheet names, headers, labels and terminal messages.

Each module that shows words keeps its own `Catalogue` beside the code that uses it (key → English, Chinese);
this module holds the language choice and the lookup. Rule names, level names and tag names are the user's own
and are never translated.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping

from tiercli.errors import UsageError

LANGS = ("en", "zh")
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """`zh` when the locale says Chinese (LC_ALL, LC_MESSAGES, LANG, then LANGUAGE, the first one set), else `en`."""
    env = os.environ if environ is None else environ
    for variable in _LOCALE_VARIABLES:
        value = env.get(variable, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def check_lang(lang: str | None) -> str:
    """The language to use: `lang` when given (en or zh), else the locale's."""
    if lang is None:
        return default_lang()
    chosen = lang.strip().lower()
    if chosen not in LANGS:
        raise UsageError(f"--lang '{lang}' is not a language tiercli speaks; use en or zh", slug="bad_lang",
                         zh=f"--lang '{lang}' 不是 tiercli 支持的语言；请用 en 或 zh")
    return chosen


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalogue:
    """Texts of one module: `texts(key, lang, **values)` fills the template of that language."""

    def __init__(self, entries: Mapping[str, tuple[str, str]]) -> None:
        for key, (en, zh) in entries.items():
            if not en or not zh or placeholders(en) != placeholders(zh):
                raise ValueError(f"catalogue entry {key!r}: both languages need a text with the same placeholders")
        self.entries = dict(entries)

    def __call__(self, key: str, lang: str, **values: object) -> str:
        en, zh = self.entries[key]
        return (zh if lang == "zh" else en).format(**values)


class Said(str):
    """A text for the user (a note, a warning, a metric's meaning): the English (the string itself) with its
    Chinese beside it, so the engine can say it once and each output shows it in its language."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        said = super().__new__(cls, en)
        said.zh = zh
        return said

    def __reduce__(self) -> tuple[type[Said], tuple[str, str]]:
        return (Said, (str(self), self.zh))


def in_lang(text: str, lang: str) -> str:
    """`text` in `lang`: a `Said`'s Chinese for zh; any other text as it is."""
    return text.zh if lang == "zh" and isinstance(text, Said) else str(text)
