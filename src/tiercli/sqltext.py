"""SQL text tiercli builds itself (never from rule text, which goes through sqlglot): quoting values."""

from __future__ import annotations

from datetime import datetime


def literal(text: str) -> str:
    """`text` as a SQL string literal: 'it''s'."""
    return "'" + text.replace("'", "''") + "'"


def timestamp(value: datetime) -> str:
    """`value` as a DuckDB timestamp literal."""
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
