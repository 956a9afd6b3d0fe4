"""The Tags sheet: customers, share and revenue per tag (and who set it, when some were set by hand), with a
chart."""

from __future__ import annotations

from tiercli.outputs.workbook.cells import INTEGER, MONEY, RATIO, write_grid
from tiercli.outputs.workbook.charts import add_tag_chart
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.outputs.workbook_text import LABELS
from tiercli.vocabulary.headers import SHEETS, header


def write(ctx: SheetContext) -> None:
    tags, lang = ctx.result.figures.tags, ctx.lang
    if not tags:
        return
    tag_sheet = ctx.workbook.add_worksheet(SHEETS("Tags", lang))
    by_hand = any(t.manual for t in tags)  # then a column says which tags were set by hand (人工标签)
    names = ("tag", "customers", "share", "revenue", *(("set by",) if by_hand else ()))
    tag_rows: Grid = [[(header(name, lang), "bold") for name in names]]
    tag_rows.extend(
        [(t.tag, None), (t.customers, INTEGER), (t.share, RATIO), (t.revenue, MONEY),
         *(((LABELS("manual" if t.manual else "rules", lang), None),) if by_hand else ())] for t in tags
    )
    write_grid(tag_sheet, ctx.formats, tag_rows)
    tag_sheet.freeze_panes(1, 0)
    add_tag_chart(ctx.workbook, tag_sheet, tag_sheet.get_name(), len(tags), lang)

