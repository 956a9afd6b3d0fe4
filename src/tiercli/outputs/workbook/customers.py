"""The Customers sheet: one row per customer, every column typed and formatted, on more sheets past Excel's rows."""

from __future__ import annotations

from dataclasses import replace

from tiercli.outputs.values import labelled
from tiercli.outputs.workbook.columns import (
    WIDTH_SAMPLE_ROWS,
    column_specs,
    column_widths,
    sheet_chunks,
    write_table_sheets,
)
from tiercli.outputs.workbook.context import SheetContext
from tiercli.vocabulary.headers import SHEETS, header


def write(ctx: SheetContext) -> None:
    result, lang = ctx.result, ctx.lang
    customers = result.customers.mapped(lambda batch: labelled(batch, lang))  # segment, lifecycle… as labels
    own = [*result.gradings, *result.tags]
    specs = [replace(spec, name=header(spec.name, lang, result.gradings, own))
             for spec in column_specs(customers, result.column_units)]
    widths = column_widths(customers.sample(WIDTH_SAMPLE_ROWS), specs, money_sign=ctx.formats.money_sign)
    chunks = sheet_chunks(SHEETS("Customers", lang), customers.num_rows)
    write_table_sheets(ctx.workbook, ctx.formats, chunks, customers, specs, widths, ctx.progress)

