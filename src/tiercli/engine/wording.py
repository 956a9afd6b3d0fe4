"""Catalogue entries as the engine writes them into SQL: the words a query puts into the data (why columns,
excluded rows' messages)."""

from __future__ import annotations

import string

from tiercli.messages import CATALOGUE, Said, in_lang
from tiercli.sqltext import literal


def said_sql(key: str, lang: str, **values: str) -> str:
    """The catalogue entry `key` in `lang` as a SQL text expression, its parts joined with ||: each run of its
    words a literal (made by `tiercli.sqltext.literal`), each placeholder the value given for it: a `Said` (words
    known before the query) as a literal in `lang`, any other text as the SQL expression it is. A value whose
    expression is NULL makes the whole text NULL."""
    en, zh = CATALOGUE[key]
    parts = []
    for words, name, spec, conversion in string.Formatter().parse(zh if lang == "zh" else en):
        if words:
            parts.append(literal(words))
        if name is not None:
            if spec or conversion:
                raise ValueError(f"catalogue entry {key!r}: a placeholder filled in SQL takes no format")
            value = values[name]
            parts.append(literal(in_lang(value, lang)) if isinstance(value, Said) else f"({value})")
    return " || ".join(parts) if parts else "''"


