"""What every sheet of the workbook is written from (`SheetContext`), and the small tables they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter

from tiercli.outputs.workbook.cells import Formats
from tiercli.progress import Progress
from tiercli.result import Result
from tiercli.vocabulary.headers import header

Grid = list[list[tuple[Any, str | None]]]  # rows of (value, style) cells, as write_grid takes them


@dataclass(frozen=True)
class SheetContext:
    """What each sheet of a workbook is written from: the workbook, its formats, the run's result, the language,
    the progress to advance, the workbook's own notes (on the Summary sheet) and facts (on the Run sheet, after
    the run's: where a cluster run's rows are)."""

    workbook: xlsxwriter.Workbook
    formats: Formats
    result: Result
    lang: str
    progress: Progress
    notes: list[str]
    facts: tuple[tuple[str, str], ...] = ()


def frame_rows(
    frame: pd.DataFrame, column_formats: dict[str, str], lang: str = "en"
) -> Grid:
    """A small pandas frame as grid rows: a header row (in `lang`), then one row per record."""
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    names = [str(name) for name in frame.columns]
    rows: Grid = [[(header(name, lang), "bold") for name in names]]
    number_formats = [column_formats.get(name) for name in names]
    for record in frame.itertuples(index=False, name=None):
        rows.append(list(zip(record, number_formats, strict=True)))
    return rows

