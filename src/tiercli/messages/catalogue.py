"""The catalogue: every key tiercli says something by, with its English and Chinese templates.

Entries live in one module per area of the program (`messages/rules.py` for the rules file, `messages/sources.py`
for input files, …), each a dict `ENTRIES` of key → (English, Chinese); here they are merged under the area's name
("rules.unknown_key"), checked (both languages written, the same placeholders in both, no key twice), and looked up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import ModuleType

from tiercli.messages import cli, common, database, engine, outputs, profiles, rules, sources
from tiercli.messages.said import Said, in_lang, placeholders

AREAS: tuple[ModuleType, ...] = (common, database, rules, profiles, sources, engine, outputs, cli)


def merge_areas(areas: tuple[ModuleType, ...]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for area in areas:
        prefix = area.__name__.rsplit(".", 1)[1]
        for key, (en, zh) in area.ENTRIES.items():
            check_entry(f"{prefix}.{key}", en, zh)
            merged[f"{prefix}.{key}"] = (en, zh)
    return merged


def check_entry(key: str, en: str, zh: str) -> None:
    """Raises ValueError unless both languages are written and fill the same placeholders."""
    if not en or not zh or placeholders(en) != placeholders(zh):
        raise ValueError(f"catalogue entry {key!r}: both languages need a text with the same placeholders")


CATALOGUE: dict[str, tuple[str, str]] = merge_areas(AREAS)


def say(key: str, **values: object) -> Said:
    """The entry `key` filled with `values`, in both languages. A value that is itself a `Said` is filled in in
    each language; any other value (a name, a number, a file) is the same in both."""
    en, zh = CATALOGUE[key]
    return Said(en.format(**{k: _en(v) for k, v in values.items()}),
                zh.format(**{k: _zh(v) for k, v in values.items()}))


def text(key: str, lang: str, **values: object) -> str:
    """The entry `key` filled with `values`, in `lang` only."""
    return in_lang(say(key, **values), lang)


def _en(value: object) -> object:
    return str(value) if isinstance(value, Said) else value


def _zh(value: object) -> object:
    return value.zh if isinstance(value, Said) else value


class Catalogue(Mapping[str, tuple[str, str]]):
    """The entries of one area under one prefix, called as `area(key, lang, **values)`: a short name for the code
    that shows many labels of one kind (`SHEETS("Customers", "zh")`)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.entries = {key.removeprefix(f"{prefix}."): value for key, value in CATALOGUE.items()
                        if key.startswith(f"{prefix}.")}
        if not self.entries:
            raise ValueError(f"the catalogue has no entries under {prefix!r}")

    def __call__(self, key: str, lang: str, **values: object) -> str:
        return text(f"{self.prefix}.{key}", lang, **values)

    def said(self, key: str, **values: object) -> Said:
        return say(f"{self.prefix}.{key}", **values)

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self.entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)
