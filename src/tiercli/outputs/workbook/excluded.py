"""The Excluded sheet: every row left out, with its file, row, reason and message, then the input's own cells."""

from __future__ import annotations

from dataclasses import replace

from tiercli.outputs.workbook.columns import (
    WIDTH_SAMPLE_ROWS,
    column_specs,
    column_widths,
    sheet_chunks,
    write_table_sheets,
)
from tiercli.outputs.workbook.context import SheetContext
from tiercli.vocabulary.headers import SHEETS, header

_EXCLUDED_OWN = ("file", "row", "reason", "message")  # the Excluded table's own columns; the input's cells follow


def write(ctx: SheetContext) -> None:
    excluded, lang = ctx.result.excluded, ctx.lang
    own = excluded.column_names[len(_EXCLUDED_OWN):]
    specs = [replace(spec, name=header(spec.name, lang, own=own)) for spec in column_specs(excluded, {})]
    widths = column_widths(excluded.sample(WIDTH_SAMPLE_ROWS), specs)
    chunks = sheet_chunks(SHEETS("Excluded", lang), excluded.num_rows)
    write_table_sheets(ctx.workbook, ctx.formats, chunks, excluded, specs, widths, ctx.progress)

