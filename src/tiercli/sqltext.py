"""The one place SQL text is made from values: identifiers and literals.

No text from an input file, a rules file or a file name is pasted into SQL any other way. Names of columns, tables,
gradings and tags go through `identifier`; values go through `literal` (or are bound as parameters); the columns
of an input file are never named by their headers at all, only by position (`c0`, `c1`, …). Rule expressions are
parsed and rebuilt by sqlglot (`tiercli.rules.expressions`), whose quoting rules are the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


def identifier(name: str) -> str:
    """`name` as a quoted SQL identifier: "it""s". Any text is allowed, control characters included."""
    _check(name)
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """`text` as a SQL string literal: 'it''s'. Control characters are written as chr(n), so that a NUL, a
    newline or an escape character can't end up raw in the statement."""
    _check(text)
    if not any(ch in _CONTROL for ch in text):
        return "'" + text.replace("'", "''") + "'"
    parts: list[str] = []
    run: list[str] = []
    for ch in text:
        if ch in _CONTROL:
            if run:
                parts.append("'" + "".join(run).replace("'", "''") + "'")
                run = []
            parts.append(f"chr({ord(ch)})")
        else:
            run.append(ch)
    if run:
        parts.append("'" + "".join(run).replace("'", "''") + "'")
    return "(" + " || ".join(parts) + ")"


def literal_list(texts: Iterable[str]) -> str:
    """A SQL list of string literals: ['a', 'b']."""
    return "[" + ", ".join(literal(t) for t in texts) + "]"


def timestamp(value: datetime) -> str:
    """`value` as a DuckDB timestamp literal."""
    return f"TIMESTAMP '{value.replace(tzinfo=None).isoformat(sep=' ')}'"



def _check(text: str) -> None:
    """Text that can't be UTF-8 (a lone surrogate, e.g. from an undecodable file name) never reaches SQL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"text with a character that is not Unicode text (position {error.start})") from None
