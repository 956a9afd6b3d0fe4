"""The hidden ChartData sheet: the points of the Pareto curve (at most 200 after the origin) that the Summary
sheet's chart draws, kept off the Summary so that its own columns stay short."""

from __future__ import annotations

from tiercli.outputs.workbook.cells import RATIO, write_grid
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.result import Result
from tiercli.vocabulary.headers import SHEETS, header

PARETO_FIRST_ROW = 1  # below the header; share of customers in column A, share of revenue in column B


def pareto_points(result: Result) -> tuple[int, int] | None:
    """(first row, last row) of the Pareto points on the ChartData sheet; None when the run has none."""
    count = len(result.figures.pareto)
    return (PARETO_FIRST_ROW, PARETO_FIRST_ROW + count - 1) if count else None


def write(ctx: SheetContext) -> None:
    pareto = ctx.result.figures.pareto
    if not pareto:
        return
    ws = ctx.workbook.add_worksheet(SHEETS("ChartData", ctx.lang))
    rows: Grid = [[(header("customer share", ctx.lang), "bold"), (header("revenue share", ctx.lang), "bold")]]
    rows.extend([(x, RATIO), (y, RATIO)] for x, y in pareto)
    write_grid(ws, ctx.formats, rows)
    ws.hide()
