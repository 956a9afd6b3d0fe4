"""Behaviour logs (`--events FILE`): opened with the same readers as orders (CSV in any supported encoding, with
its header found below title rows; XLSX/XLS; Parquet). Mapping and cleaning them is `tiercli.engine.events`; their
layouts are `tiercli.profiles.event_layouts`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tiercli.profiles.event_layouts import LAYOUTS, PROPERTIES_SIGNATURE, header_key
from tiercli.sources.readers import Opened, open_file

_NAMES = {header_key(n) for layout in LAYOUTS for names in layout.columns.values() for n in names} | {
    header_key(n) for n in (*PROPERTIES_SIGNATURE, *(s for layout in LAYOUTS for s in layout.signature))}


def header_score(headers: Sequence[str]) -> float:
    """How many headers look like event columns (for finding the header row below title rows)."""
    return float(sum(1 for h in headers if header_key(h) in _NAMES))


def open_events(path: str, folder: Path, sheet: str | None = None, memory_limit: int | None = None) -> list[Opened]:
    """The events file read as far as Python reads it (see `tiercli.sources.readers.open_file`); a workbook gives
    one per sheet."""
    return open_file(path, folder, sheet=sheet, header_score=header_score, memory_limit=memory_limit)
