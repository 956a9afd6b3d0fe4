"""The Run sheet: what the run was (its facts in the run's language: as_of, rows read, used and excluded…), its
input files with their checksums and what was read from each, the statuses found and the class each was given,
and the column mapping."""

from __future__ import annotations

from collections.abc import Sequence

from tiercli.messages import in_lang, text
from tiercli.outputs.workbook.cells import INTEGER, SPILL, write_grid
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.outputs.workbook_text import LABELS
from tiercli.result import Result
from tiercli.vocabulary.headers import SHEETS
from tiercli.vocabulary.labels import label

_INPUT_COLUMNS = (
    "name",
    "path",
    "sha256",
    "kind",
    "sheet",
    "encoding",
    "delimiter",
    "header_row",
    "platform",
    "rows_read",
    "rows_used",
    "rows_excluded",
)


def _run_rows(result: Result, lang: str, facts: Sequence[tuple[str, str]] = ()) -> Grid:
    rows: Grid = [[(text("outputs.sheet.Run", lang), "bold")]]
    # a fact's value may be long (a path, the lifecycle rules): it spills into the empty cells beside it
    rows.extend([(in_lang(key, lang), None), (in_lang(value, lang), SPILL)] for key, value in [*result.run, *facts])
    rows.append([])
    rows.append([(LABELS("Inputs", lang), "bold")])
    rows.append([(LABELS(name, lang), "bold") for name in _INPUT_COLUMNS])
    for item in result.inputs:
        delimiter = {"\t": "\\t", " ": LABELS("space", lang)}.get(item.delimiter or "", item.delimiter)
        values = {**{name: getattr(item, name) for name in _INPUT_COLUMNS}, "delimiter": delimiter}
        rows.append([(values[name], None) for name in _INPUT_COLUMNS])
    if result.statuses:
        rows += [[], [(LABELS("Statuses", lang), "bold")],
                 [(LABELS(name, lang), "bold") for name in ("file", "status", "status_class", "status rows")]]
        rows.extend([(s.file, None), (s.status, None), (label("status", s.status_class, lang), None),
                     (s.rows, INTEGER)] for s in result.statuses)
    rows.append([])
    rows.append([(LABELS("Mapping", lang), "bold")])
    rows.append([(LABELS("field", lang), "bold"), (LABELS("source header", lang), "bold")])
    rows.extend([(field, None), (header, None)] for field, header in result.mapping.items())
    return rows


def write(ctx: SheetContext) -> None:
    write_grid(ctx.workbook.add_worksheet(SHEETS("Run", ctx.lang)), ctx.formats,
               _run_rows(ctx.result, ctx.lang, ctx.facts))

