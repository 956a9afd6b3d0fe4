"""The Excluded sheet: every row left out, with its file, row, reason and message, then the input's own cells.

The reason is shown as its label in the run's language; with a language other than English the stable code (the
slug a program filters on: `cancelled`, `bad_date`…) follows it in a column of its own (`reason_code`)."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa

from tiercli.outputs.values import plain
from tiercli.outputs.workbook.columns import (
    WIDTH_SAMPLE_ROWS,
    column_specs,
    column_widths,
    sheet_chunks,
    write_table_sheets,
)
from tiercli.outputs.workbook.context import SheetContext
from tiercli.outputs.workbook_text import LABELS
from tiercli.vocabulary.headers import SHEETS, header
from tiercli.vocabulary.labels import label_array

_EXCLUDED_OWN = ("file", "row", "reason", "message")  # the Excluded table's own columns; the input's cells follow
_REASON_AT = _EXCLUDED_OWN.index("reason")
REASON_CODE = "reason_code"


def with_labels(batch: pa.RecordBatch, lang: str) -> pa.RecordBatch:
    """The batch as the sheet shows it: the reason's label, then (but in English, where they are the same) its
    code."""
    if lang == "en" or batch.num_columns <= _REASON_AT:
        return batch
    codes = plain(batch.column(_REASON_AT))
    names, arrays = list(batch.schema.names), list(batch.columns)
    arrays[_REASON_AT] = label_array("reason", codes, lang)
    names.insert(_REASON_AT + 1, REASON_CODE)
    arrays.insert(_REASON_AT + 1, codes)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def write(ctx: SheetContext) -> None:
    excluded, lang = ctx.result.excluded, ctx.lang
    own = excluded.column_names[len(_EXCLUDED_OWN):]
    sample = excluded.sample(WIDTH_SAMPLE_ROWS)
    shown = pa.Table.from_batches([with_labels(b, lang) for b in sample.to_batches()],
                                  with_labels(pa.RecordBatch.from_pylist([], schema=sample.schema), lang).schema)
    added = shown.num_columns > sample.num_columns  # the reason_code column
    specs = [replace(spec, name=LABELS(REASON_CODE, lang) if added and i == _REASON_AT + 1
                     else header(spec.name, lang, own=own))
             for i, spec in enumerate(column_specs(shown, {}))]
    widths = column_widths(shown, specs)
    chunks = sheet_chunks(SHEETS("Excluded", lang), excluded.num_rows)
    write_table_sheets(ctx.workbook, ctx.formats, chunks, excluded, specs, widths, ctx.progress,
                       lambda batch: with_labels(batch, lang))
