"""The workbook as a whole: its sheets in order (`WORKBOOK_SHEETS`, one module each), the notes it adds to the
run's (a table continued on more sheets), and the check that its tables fit Excel's columns; and the summary
workbook of a run whose rows stayed on a cluster (`write_summary_workbook`: every sheet but those listing rows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import xlsxwriter

from tiercli.errors import Location, OutputError
from tiercli.messages import say
from tiercli.outputs.workbook import (
    behaviour,
    chartdata,
    clv,
    columns,
    customers,
    excluded,
    lifecycle,
    movement,
    run,
    segments,
    summary,
    tags,
    thresholds,
)
from tiercli.outputs.workbook.cells import Formats
from tiercli.outputs.workbook.columns import EXCEL_MAX_COLS, sheet_chunks
from tiercli.outputs.workbook.context import SheetContext
from tiercli.outputs.workbook_text import LABELS
from tiercli.progress import Progress
from tiercli.result import Result
from tiercli.vocabulary.headers import SHEETS


def check_fits_excel(result: Result, location: Location) -> None:
    for sheet, table in (("Customers", result.customers), ("Excluded", result.excluded)):
        if table.num_columns > EXCEL_MAX_COLS:
            raise OutputError(say("outputs.too_many_columns", sheet=SHEETS.said(sheet), columns=table.num_columns,
                                  limit=EXCEL_MAX_COLS), location)


def workbook_notes(result: Result, lang: str = "en") -> list[str]:
    """What a workbook of `result` says beyond the run's notes: that a table continues on more sheets. Shown in
    its Summary sheet, and by whoever reports on the workbook (the HTML report, the terminal)."""
    return (_split_note("customers noun", sheet_chunks(SHEETS("Customers", lang), result.customers.num_rows), lang)
            + _split_note("excluded noun", sheet_chunks(SHEETS("Excluded", lang), result.excluded.num_rows), lang))


def _split_note(what: str, chunks: Sequence[tuple[str, int]], lang: str) -> list[str]:
    """What the run should say when a table did not fit on one sheet."""
    if len(chunks) < 2:
        return []
    rows = sum(count for _, count in chunks)
    return [LABELS("split", lang, rows=f"{rows:,}", what=LABELS(what, lang), limit=f"{columns.EXCEL_MAX_ROWS - 1:,}",
                   sheets=len(chunks), first=chunks[0][0], last=chunks[-1][0])]


# The workbook's sheets in their order: one module a kind of sheet, whose `write` adds its sheet(s) or, when the
# run has nothing for it, none. A new sheet is a module and a line here.
WORKBOOK_SHEETS: tuple[Callable[[SheetContext], None], ...] = (
    customers.write,
    summary.write,
    tags.write,
    segments.write,
    lifecycle.write,
    clv.write,
    behaviour.write,
    thresholds.write,
    movement.write,
    excluded.write,
    run.write,
    chartdata.write,  # hidden: the points the Summary's charts draw
)


# The sheets that list the customers' and the excluded rows one by one: all a workbook reads of those rows.
ROW_SHEETS: tuple[Callable[[SheetContext], None], ...] = (customers.write, excluded.write)
SUMMARY_SHEETS = tuple(sheet for sheet in WORKBOOK_SHEETS if sheet not in ROW_SHEETS)


def write_workbook(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    """The workbook, sheet by sheet (WORKBOOK_SHEETS). When a step fails the workbook is never closed, so nothing
    is written to `path`. The writer's own temporary files go to `scratch` (the run folder) when given."""
    _write(result, path, lang, progress, scratch, WORKBOOK_SHEETS, workbook_notes(result, lang))


def write_summary_workbook(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None,
                           notes: Sequence[str], facts: Sequence[tuple[str, str]]) -> None:
    """The workbook of the figures alone (SUMMARY_SHEETS), for a run whose customers and excluded rows are
    elsewhere (`Result.cluster`): its Summary sheet adds `notes` to the run's, its Run sheet `facts` (where the rows
    are) to the run's."""
    _write(result, path, lang, progress, scratch, SUMMARY_SHEETS, list(notes), tuple(facts))


def _write(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None,
           sheets: Sequence[Callable[[SheetContext], None]], notes: list[str],
           facts: tuple[tuple[str, str], ...] = ()) -> None:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            **({"tmpdir": str(scratch)} if scratch is not None else {}),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": True,
            "remove_timezone": True,
            "nan_inf_to_errors": True,
        },
    )
    context = SheetContext(workbook, Formats(workbook, result.currency), result, lang, progress, notes, facts)
    for write_sheet in sheets:
        write_sheet(context)
    workbook.close()
