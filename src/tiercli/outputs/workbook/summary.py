"""The Summary sheet: the run's facts and notes, the table per grading and level (customers, share, revenue, AOV,
orders, recency), the Pareto points, and charts of both."""

from __future__ import annotations

from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from tiercli.messages import in_lang, text
from tiercli.outputs.workbook.cells import (
    DATETIME_SECONDS,
    INTEGER,
    MONEY,
    ONE_DECIMAL,
    RATIO,
    SPILL,
    TWO_DECIMALS,
    write_grid,
)
from tiercli.outputs.workbook.charts import add_summary_charts
from tiercli.outputs.workbook.context import Grid, SheetContext, frame_rows
from tiercli.outputs.workbook_text import LABELS
from tiercli.result import Result
from tiercli.vocabulary.headers import SHEETS, header

_SUMMARY_FORMATS = {
    "customers": INTEGER,
    "share": RATIO,
    "revenue": MONEY,
    "revenue_share": RATIO,
    "aov": MONEY,
    "mean_orders": TWO_DECIMALS,
    "mean_recency_days": ONE_DECIMAL,
}


def _summary_rows(
    result: Result, notes: Sequence[str], lang: str
) -> tuple[Grid, int]:
    facts: Grid = [
        [(LABELS("as_of", lang), "bold"), (result.as_of, DATETIME_SECONDS)],
        [(text("common.customers", lang), "bold"), (result.customers.num_rows, INTEGER)],
        [(LABELS("rows read", lang), "bold"), (result.rows_read, INTEGER)],
        [(LABELS("rows used", lang), "bold"), (result.rows_used, INTEGER)],
        [(LABELS("rows excluded", lang), "bold"), (result.rows_excluded, INTEGER)],
    ]
    for reason, count in result.excluded_by_reason.items():
        facts.append([(LABELS("excluded", lang, reason=reason), "bold"), (count, INTEGER)])
    for note in [*result.notes, *notes]:
        facts.append([(LABELS("note", lang), "bold"), (in_lang(note, lang), SPILL)])
    facts.append([])
    header_row = len(facts)
    return facts + frame_rows(result.summary, _SUMMARY_FORMATS, lang), header_row


def _summary_charts(
    workbook: xlsxwriter.Workbook,
    ws: Worksheet,
    result: Result,
    header_row: int,
    pareto_row: int,
    pareto: Sequence[tuple[float, float]],
    lang: str,
) -> None:
    """Charts beside the summary table: per grading its level rows, then the Pareto curve's points."""
    names = [str(name) for name in result.summary.columns]
    if not {"grading", "level", "customers", "revenue"} <= set(names):
        return
    gradings = []
    values = result.summary["grading"].tolist()
    for name in dict.fromkeys(values):
        positions = [i for i, value in enumerate(values) if value == name]
        gradings.append((str(name), header_row + 1 + positions[0], header_row + 1 + positions[-1]))
    points = (pareto_row, pareto_row + len(pareto) - 1) if pareto else None
    add_summary_charts(workbook, ws, ws.get_name(), names, gradings, points, len(names) + 1, lang)


def write(ctx: SheetContext) -> None:
    result, lang = ctx.result, ctx.lang
    summary = ctx.workbook.add_worksheet(SHEETS("Summary", lang))
    rows, header_row = _summary_rows(result, ctx.notes, lang)
    table_end = len(rows)
    pareto = result.figures.pareto
    if pareto:
        rows.append([])
        # column A stays empty so that readers of the level table above (tiercli diff) stop at it
        rows.append([(None, None), (header("customer share", lang), "bold"), (header("revenue share", lang), "bold")])
        rows.extend([(None, None), (x, RATIO), (y, RATIO)] for x, y in pareto)
    write_grid(summary, ctx.formats, rows)
    if len(result.summary.columns):
        summary.autofilter(header_row, 0, table_end - 1, len(rows[header_row]) - 1)
        _summary_charts(ctx.workbook, summary, result, header_row, len(rows) - len(pareto), pareto, lang)

