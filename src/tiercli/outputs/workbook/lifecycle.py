"""The Lifecycle sheet: customers, share, revenue and median recency per lifecycle stage (named in the run's
language)."""

from __future__ import annotations

from tiercli.outputs.workbook.cells import INTEGER, MONEY, RATIO, write_grid
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.vocabulary.headers import SHEETS, header
from tiercli.vocabulary.labels import label


def write(ctx: SheetContext) -> None:
    stages, lang = ctx.result.figures.lifecycle, ctx.lang
    if not stages:
        return
    stage_sheet = ctx.workbook.add_worksheet(SHEETS("Lifecycle", lang))
    stage_rows: Grid = [
        [(header(h, lang), "bold") for h in ("stage", "customers", "share", "revenue", "revenue share",
                                              "median recency_days")]]
    stage_rows.extend([(label("lifecycle", f.stage, lang), None), (f.customers, INTEGER), (f.share, RATIO),
                       (f.revenue, MONEY), (f.revenue_share, RATIO), (f.median_recency_days, None)] for f in stages)
    write_grid(stage_sheet, ctx.formats, stage_rows)
    stage_sheet.freeze_panes(1, 0)

