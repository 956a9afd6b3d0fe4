"""The Thresholds sheet: per R/F/M dimension its metric, method, cut points and the customers per score."""

from __future__ import annotations

from tiercli.outputs.workbook.cells import write_grid
from tiercli.outputs.workbook.context import SheetContext, frame_rows
from tiercli.vocabulary.headers import SHEETS


def write(ctx: SheetContext) -> None:
    thresholds = ctx.workbook.add_worksheet(SHEETS("Thresholds", ctx.lang))
    write_grid(thresholds, ctx.formats, frame_rows(ctx.result.thresholds, {}, ctx.lang))
    thresholds.freeze_panes(1, 0)

