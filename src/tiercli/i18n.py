"""The language users read: `--lang` checked, or the locale's. What is said in it comes from `tiercli.messages`;
rule names, level names and tag names are the user's own and are never translated."""

from __future__ import annotations

import os
from collections.abc import Mapping

from tiercli.errors import UsageError
from tiercli.messages import say

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
        raise UsageError(say("common.bad_lang", lang=lang), slug="bad_lang")
    return chosen
