"""The Movement sheet of the workbook: who moved between the previous run and this one.

Per grading: customers and revenue per movement (new, up, down, same, returned, lapsed), how many an
upgrade-only grading held, and the migration matrices previous level × current level, in customers and in this
run's net spend; then the movers (up, down, returned) and the customers of the previous run who are not in this
data. The Customers sheet has the same per customer in its `previous_<grading>` and movement columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import xlsxwriter

from tiercli.engine.movement import movement_meaning
from tiercli.messages import Catalogue, in_lang, say, text
from tiercli.outputs.staging import Staging
from tiercli.outputs.workbook.cells import INTEGER, MONEY, SPILL, Formats, write_grid
from tiercli.outputs.workbook.context import SheetContext
from tiercli.outputs.workbook.single import write_single_sheet
from tiercli.result import GradingMovement, MovementReport
from tiercli.vocabulary import labels
from tiercli.vocabulary.columns import NEW_ROW, NOT_IN_DATA, TOTAL
from tiercli.vocabulary.headers import SHEETS, header

_Row = list[tuple[Any, str | None]]
_TEXT = Catalogue("outputs.movement", also=("outputs.label",))
_MATRIX_LABELS = {NEW_ROW: "new_row", NOT_IN_DATA: "not_in_data", TOTAL: "total"}  # their keys in _TEXT


def write(ctx: SheetContext) -> None:
    if ctx.result.movement is not None:  # a previous run was given
        write_movement(ctx.workbook, ctx.formats, ctx.result.movement, ctx.lang)


def write_movement(workbook: xlsxwriter.Workbook, formats: Formats, report: MovementReport, lang: str = "en") -> None:
    ws = workbook.add_worksheet(SHEETS("Movement", lang))
    write_grid(ws, formats, movement_rows(report, lang))


def movement_rows(report: MovementReport, lang: str = "en") -> list[_Row]:
    rows: list[_Row] = [[(_TEXT("previous run", lang), "bold"), (report.previous, SPILL)]]
    for note in report.notes:
        rows.append([(text("outputs.label.note", lang), "bold"), (in_lang(note, lang), SPILL)])
    for grading in report.gradings:
        rows += [[], *_grading_rows(grading, lang)]
    rows += [[], [(_TEXT("movers", lang), "bold")], *_table_rows(report.movers, {"monetary": MONEY}, lang)]
    rows += [[], [(_TEXT("lapsed", lang), "bold")], *_table_rows(report.lapsed, {}, lang)]
    return rows


def _grading_rows(grading: GradingMovement, lang: str) -> list[_Row]:
    name = grading.grading
    rows: list[_Row] = [[(_TEXT("movement", lang, grading=name), "bold")],
                        [*((header(h, lang), "bold") for h in ("movement", "customers", "revenue")),
                         (_TEXT("meaning", lang), "bold")]]
    for record in grading.counts.itertuples(index=False):
        rows.append([(labels.label("movement", str(record.movement), lang), None), (record.customers, INTEGER),
                     (record.revenue, MONEY), (movement_meaning(str(record.movement), lang), SPILL)])
    for state, count in grading.held.items():
        rows.append([(_TEXT(f"state.{state}", lang), None), (count, INTEGER), (None, None),
                     (_TEXT(state, lang), SPILL)])
    rows += [[], [(_TEXT("customers matrix", lang, grading=name), "bold")],
             *_matrix_rows(grading.customers, INTEGER, lang)]
    rows += [[], [(_TEXT("revenue matrix", lang, grading=name), "bold")],
             *_matrix_rows(grading.revenue, MONEY, lang)]
    return rows


def _matrix_rows(frame: pd.DataFrame, number_format: str, lang: str) -> list[_Row]:
    """A matrix of levels under its header row; the levels are the user's, the other labels are said in `lang`."""
    corner = frame.index.name
    rows: list[_Row] = [[(in_lang(corner, lang) if isinstance(corner, str) else corner, "bold"),
                         *((_matrix_label(c, lang), "bold") for c in frame.columns)]]
    for label, values in frame.iterrows():
        rows.append([(_matrix_label(label, lang), "bold"), *((v, number_format) for v in values.tolist())])
    return rows


def _matrix_label(label: object, lang: str) -> str:
    name = str(label)
    return _TEXT(_MATRIX_LABELS[name], lang) if name in _MATRIX_LABELS else name


def _table_rows(table: pa.Table, formats: dict[str, str], lang: str) -> list[_Row]:
    rows: list[_Row] = [[(header(name, lang), "bold") for name in table.column_names]]
    styles = [formats.get(name) for name in table.column_names]
    coded = [name == labels.MOVEMENT_PREFIX for name in table.column_names]  # the movers' movement: a label
    for record in table.to_pylist():
        rows.append([(labels.label("movement", value, lang) if is_coded and isinstance(value, str) else value, style)
                     for value, style, is_coded in zip(record.values(), styles, coded, strict=True)])
    return rows


def write_movement_workbook(report: MovementReport, out: str, lang: str = "en", staging: Staging | None = None) -> None:
    """A workbook holding only the Movement sheet (tiercli diff -o)."""
    write_single_sheet(out, say("outputs.movement_not_xlsx"),
                       lambda workbook, formats: write_movement(workbook, formats, report, lang), staging,
                       constant_memory=True)
