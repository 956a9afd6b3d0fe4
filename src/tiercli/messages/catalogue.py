"""The catalogue: every key tiercli says something by, with its English and Chinese templates.

Entries live in one module per area of the program (`messages/rules.py` for the rules file, `messages/sources.py`
for input files, …), each a dict `ENTRIES` of key → (English, Chinese); here they are merged under the area's name
("rules.unknown_key"), checked (both languages written, the same placeholders in both), and looked up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import ModuleType

from tiercli.messages import cli, common, database, engine, labels, outputs, profiles, rules, sources
from tiercli.messages.said import Said, as_is, placeholders

AREAS: tuple[ModuleType, ...] = (common, database, rules, profiles, sources, engine, outputs, cli, labels)


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
    en, zh = CATALOGUE[key]
    if lang == "zh":
        return zh.format(**{k: _zh(v) for k, v in values.items()})
    return en.format(**{k: _en(v) for k, v in values.items()})


def _en(value: object) -> object:
    return str(value) if isinstance(value, Said) else value


def _zh(value: object) -> object:
    return value.zh if isinstance(value, Said) else value


def listed(items: Iterable[str], separator: str = "common.comma", quoted: bool = False) -> Said:
    """`items` as a list in a sentence, joined by the entry `separator` in each language ("a, b" and "a、b"), each
    between single quotes with `quoted`. An item that is a `Said` is shown in each language."""
    shown = [Said(f"'{item}'", f"'{_zh(item)}'") if quoted else as_is(item) for item in items]
    joint = say(separator)
    return Said(str(joint).join(shown), joint.zh.join(item.zh for item in shown))


class Catalogue(Mapping[str, tuple[str, str]]):
    """The entries under one prefix, called as `area(key, lang, **values)`: a short name for the code that shows
    many words of one kind (`SHEETS("Customers", "zh")`). `also` names prefixes looked in after it, for words a
    kind shares with others (a table header that is a common word)."""

    def __init__(self, prefix: str, also: tuple[str, ...] = ()) -> None:
        self.prefix = prefix
        self.full_keys: dict[str, str] = {}  # key under the prefixes -> key in the catalogue
        for where in reversed((prefix, *also)):
            found = {key.removeprefix(f"{where}."): key for key in CATALOGUE if key.startswith(f"{where}.")}
            if not found:
                raise ValueError(f"the catalogue has no entries under {where!r}")
            self.full_keys.update(found)
        self.entries = {key: CATALOGUE[full] for key, full in self.full_keys.items()}

    def __call__(self, key: str, lang: str, **values: object) -> str:
        return text(self.full_keys[key], lang, **values)

    def said(self, key: str, **values: object) -> Said:
        return say(self.full_keys[key], **values)

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self.entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)
