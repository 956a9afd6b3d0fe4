"""Writing a Result: the Excel workbook, CSV (to a file or stdout), Parquet and JSON.

The output kind follows the suffix of `out`; `-` is CSV on stdout. Files are written to a temporary file
beside the target and renamed into place, so a failed run never leaves a partial file or clobbers an older
output.

Text that a spreadsheet could take for a formula never becomes one: the workbook writes text cells as strings
only, and CSV text cells starting with `= + - @`, a tab or a carriage return get a leading `'`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError, FileSizeError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from tiercli.errors import Location, OutputError
from tiercli.messages import in_lang, say
from tiercli.outputs.cells import (
    DATE,
    DATETIME,
    DATETIME_SECONDS,
    INTEGER,
    MAX_COLUMN_WIDTH,
    MIN_COLUMN_WIDTH,
    MONEY,
    ONE_DECIMAL,
    RATIO,
    SPILL,
    TWO_DECIMALS,
    Formats,
    as_text,
    display_width,
    number_text,
    write_grid,
    write_text,
)
from tiercli.outputs.movement_sheet import write_movement
from tiercli.outputs.report_sheets import add_summary_charts, add_tag_chart
from tiercli.outputs.staging import Staging, atomic_path
from tiercli.outputs.workbook_text import LABELS
from tiercli.progress import NO_PROGRESS, Progress
from tiercli.result import SEGMENT_FIELDS, Result, RfGrid, Rows, SegmentFigures
from tiercli.vocabulary.headers import SHEETS, header, translated_names

EXCEL_MAX_ROWS = 1_048_576  # rows in one sheet, header included
EXCEL_MAX_COLS = 16_384

BATCH_ROWS = 8_192
WIDTH_SAMPLE_ROWS = 1_000

SUFFIXES = (".xlsx", ".csv", ".parquet", ".json")

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


_WHOLE_UNITS = frozenset({"count", "days", "quantity"})
_SUMMARY_FORMATS = {
    "customers": INTEGER,
    "share": RATIO,
    "revenue": MONEY,
    "revenue_share": RATIO,
    "aov": MONEY,
    "mean_orders": TWO_DECIMALS,
    "mean_recency_days": ONE_DECIMAL,
}
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

_EXCLUDED_OWN = ("file", "row", "reason", "message")  # the Excluded table's own columns; the input's cells follow
_EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel serial date
_MICROS_PER_DAY = 86_400_000_000.0
_FIRST_EXACT_SERIAL_DAY = datetime(1900, 3, 1)  # Excel's phantom 1900-02-29 shifts earlier serials
_LAST_SERIAL_MICROS = 253_402_300_799_999_999  # 9999-12-31 23:59:59.999999, Excel's last day


def rows_to_write(result: Result, out: str) -> int:
    """The table rows `write_result` writes to `out`: the customers, and for a workbook the excluded rows too."""
    extra = result.excluded.num_rows if Path(out).suffix.lower() == ".xlsx" else 0
    return result.customers.num_rows + extra


def write_result(result: Result, out: str, stdout: BinaryIO | None = None, lang: str = "en",
                 progress: Progress = NO_PROGRESS, staging: Staging | None = None) -> str:
    """Write `result` to `out` and return what was written: "-" or the output path as given.

    `lang` is the language of the sheet names, headers and labels of the workbook and of the CSV headers
    (`zh`: Chinese); Parquet and JSON, read by programs, always keep tiercli's column names. `progress` advances
    by the table rows written, `rows_to_write` in all.

    `-` writes the customers as plain UTF-8 CSV to `stdout` (sys.stdout.buffer by default); `.csv` writes them
    as UTF-8 CSV with a BOM; `.parquet` and `.json` write them as Parquet or a JSON array of objects; `.xlsx`
    writes the whole workbook. A table longer than an Excel sheet continues on more sheets (`Customers (2)`, …),
    and says so in its Summary sheet (`workbook_notes`). Raises OutputError for an unsupported suffix, a missing
    directory, a table too wide for Excel or a write that fails.
    """
    out = os.fspath(out)
    if out == "-":
        _write_csv_stdout(result, lang, stdout, progress)
        return out

    target = Path(out)
    suffix = target.suffix.lower()
    location = Location(file=out)
    if suffix not in SUFFIXES:
        supported = say("outputs.supported_outputs")
        if suffix:
            raise OutputError(say("outputs.unsupported_suffix", suffix=target.suffix, supported=supported), location)
        raise OutputError(say("outputs.no_suffix", supported=supported), location)
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(say("outputs.output_dir_missing", directory=directory), location)
    if target.is_dir():
        raise OutputError(say("outputs.output_is_dir"), location)
    if suffix == ".xlsx":
        _check_fits_excel(result, location)

    writer: Callable[[Result, Path, str, Progress, Path | None], None] = {
        ".xlsx": _write_workbook,
        ".csv": _write_csv_file,
        ".parquet": _write_parquet,
        ".json": _write_json,
    }[suffix]
    try:
        with atomic_path(target, location, staging) as temp:
            writer(result, temp, lang, progress, staging.scratch if staging is not None else None)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.output"), reason=_reason(exc)),
                          location) from exc
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.output"), reason=_reason(cause)),
                          location) from exc
    except FileSizeError as exc:
        raise OutputError(say("outputs.workbook_too_large"), location) from exc
    return out


def _reason(exc: BaseException) -> str:
    """The cause of a failed write, without the temporary file's name."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _check_fits_excel(result: Result, location: Location) -> None:
    for sheet, table in (("Customers", result.customers), ("Excluded", result.excluded)):
        if table.num_columns > EXCEL_MAX_COLS:
            raise OutputError(say("outputs.too_many_columns", sheet=SHEETS.said(sheet), columns=table.num_columns,
                                  limit=EXCEL_MAX_COLS), location)


# --- column kinds ----------------------------------------------------------------------------------------


def _kind(data_type: pa.DataType) -> str:
    """How a column is written: text, int, float, decimal, bool, timestamp, date, null or other."""
    if pa.types.is_dictionary(data_type):
        return _kind(data_type.value_type)
    if (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_string_view(data_type)
    ):
        return "text"
    if pa.types.is_boolean(data_type):
        return "bool"
    if pa.types.is_integer(data_type):
        return "int"
    if pa.types.is_floating(data_type):
        return "float"
    if pa.types.is_decimal(data_type):
        return "decimal"
    if pa.types.is_timestamp(data_type):
        return "timestamp"
    if pa.types.is_date(data_type):
        return "date"
    if pa.types.is_null(data_type):
        return "null"
    return "other"


def _plain(array: pa.Array) -> pa.Array:
    """The array with dictionaries decoded and string views as plain strings."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    if pa.types.is_date64(array.type):
        array = array.cast(pa.date32())
    return array


def _without_nan(array: pa.Array) -> pa.Array:
    nan = pc.is_nan(array)
    if pc.any(nan).as_py():
        return pc.if_else(nan, pa.scalar(None, array.type), array)
    return array


def _whole_seconds(array: pa.Array) -> pa.Array | None:
    """The timestamps cast to whole seconds, or None when some carry a fraction of a second."""
    seconds = pc.cast(array, pa.timestamp("s"), safe=False)
    if array.type.unit != "s" and not pc.all(pc.equal(pc.cast(seconds, array.type), array)).as_py():
        return None
    return seconds


def _iso_values(array: pa.Array, sep: str) -> list[str | None]:
    return [None if v is None else v.isoformat(sep=sep) for v in array.to_pylist()]


def formula_guard(value: str) -> str:
    """Text as a spreadsheet shows it literally: a leading `'` when it could be read as a formula."""
    return "'" + value if value[:1] in FORMULA_TRIGGERS else value


# --- CSV ---------------------------------------------------------------------------------------------------


def _csv_values(array: pa.Array, kind: str) -> list[Any]:
    """One column of a batch as csv.writer values (None for NULL)."""
    array = _plain(array)
    if kind == "text":
        values = array.to_pylist()
        if pc.any(pc.match_substring_regex(array, _FORMULA_PATTERN)).as_py():
            return [None if v is None else formula_guard(v) for v in values]
        return values
    if kind in ("int", "bool", "date", "null"):
        return array.to_pylist()
    if kind == "float":
        return _without_nan(array).to_pylist()
    if kind == "decimal":
        text = pc.cast(array, pa.string())
        if pc.any(pc.match_substring(text, "E")).as_py():
            return [None if v is None else format(v, "f") for v in array.to_pylist()]
        return text.to_pylist()
    if kind == "timestamp":
        if array.type.tz is None:
            seconds = _whole_seconds(array)
            if seconds is not None:
                return pc.strftime(seconds, "%Y-%m-%d %H:%M:%S").to_pylist()
        return _iso_values(array, " ")
    return [None if v is None else formula_guard(as_text(v)) for v in array.to_pylist()]


def write_csv_rows(names: Sequence[str], schema: pa.Schema, batches: Iterable[pa.RecordBatch], stream: TextIO,
                   progress: Progress = NO_PROGRESS, header: bool = True) -> None:
    """CSV of `batches` (of `schema`) under the header `names` (written when `header`), a batch at a time, text
    guarded from formulas."""
    writer = csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    if header:
        writer.writerow([formula_guard(name) for name in names])
    kinds = [_kind(field.type) for field in schema]
    for part in _chunks(batches):
        columns = [_csv_values(part.column(i), kind) for i, kind in enumerate(kinds)]
        writer.writerows(zip(*columns, strict=True))
        progress.advance(part.num_rows)


def _chunks(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches cut to at most BATCH_ROWS rows each (what one step of a writer turns into Python values)."""
    for batch in batches:
        for start in range(0, batch.num_rows, BATCH_ROWS):
            yield batch.slice(start, BATCH_ROWS)


def _write_csv(table: pa.Table, stream: TextIO, progress: Progress = NO_PROGRESS) -> None:
    write_csv_rows(table.column_names, table.schema, table.to_batches(max_chunksize=BATCH_ROWS), stream, progress)


def _people_names(result: Result, lang: str) -> list[str]:
    """The customers table's headers as people read them in `lang`."""
    return translated_names(result.customers.column_names, lang, result.gradings, result.tags)


def _write_csv_file(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        write_csv_rows(_people_names(result, lang), result.customers.schema, result.customers.batches(), stream,
                       progress)


def _write_csv_stdout(result: Result, lang: str, stdout: BinaryIO | None, progress: Progress) -> None:
    if stdout is None:
        sys.stdout.flush()
        stdout = sys.stdout.buffer
    stream = io.TextIOWrapper(stdout, encoding="utf-8", newline="")
    try:
        write_csv_rows(_people_names(result, lang), result.customers.schema, result.customers.batches(), stream,
                       progress)
        stream.flush()
    finally:
        stream.detach()


# --- Parquet and JSON ---------------------------------------------------------------------------------------


def _write_parquet(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    with pq.ParquetWriter(str(path), result.customers.schema) as writer:
        for batch in result.customers.batches():
            writer.write_batch(batch)
            progress.advance(batch.num_rows)


def _json_values(array: pa.Array, kind: str) -> list[str]:
    """One column of a batch as JSON value texts ("null" for NULL)."""
    array = _plain(array)
    if kind == "text":
        return ["null" if v is None else encode_basestring(v) for v in array.to_pylist()]
    if kind in ("int", "bool", "decimal"):
        return pc.fill_null(pc.cast(array, pa.string()), "null").to_pylist()
    if kind == "float":
        finite = pc.if_else(pc.is_finite(array), array, pa.scalar(None, array.type))
        return ["null" if v is None else repr(v) for v in finite.to_pylist()]
    if kind == "date":
        return ["null" if v is None else f'"{v.isoformat()}"' for v in array.to_pylist()]
    if kind == "timestamp":
        texts: list[str | None]
        seconds = _whole_seconds(array) if array.type.tz is None else None
        if seconds is not None:
            texts = pc.strftime(seconds, "%Y-%m-%dT%H:%M:%S").to_pylist()
        else:
            texts = _iso_values(array, "T")
        return ["null" if v is None else f'"{v}"' for v in texts]
    if kind == "null":
        return ["null"] * len(array)
    return [json.dumps(v, ensure_ascii=False, default=str) for v in array.to_pylist()]


def _write_json(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    table = result.customers
    keys = [encode_basestring(name) + ": " for name in table.column_names]
    kinds = [_kind(field.type) for field in table.schema]
    with open(path, "w", encoding="utf-8", newline="\n") as stream:
        stream.write("[")
        first = True
        for batch in _chunks(table.batches()):
            columns = [_json_values(batch.column(i), kind) for i, kind in enumerate(kinds)]
            lines = []
            for row in zip(*columns, strict=True):
                lines.append("{" + ", ".join(key + value for key, value in zip(keys, row, strict=True)) + "}")
            if lines:
                stream.write(("\n" if first else ",\n") + ",\n".join(lines))
                first = False
            progress.advance(batch.num_rows)
        stream.write("]\n" if first else "\n]\n")


# --- workbook ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str
    number_format: str | None


def _column_specs(table: pa.Table | Rows, units: dict[str, str]) -> list[_Column]:
    specs = []
    for field in table.schema:
        kind = _kind(field.type)
        unit = units.get(field.name)
        number_format: str | None = None
        if kind == "timestamp":
            number_format = DATETIME
        elif kind == "date":
            number_format = DATE
        elif kind in ("int", "float", "decimal"):
            if unit == "money":
                number_format = MONEY
            elif unit == "ratio":
                number_format = RATIO
            elif unit in _WHOLE_UNITS:
                number_format = INTEGER if kind == "int" else ONE_DECIMAL
        specs.append(_Column(field.name, kind, number_format))
    return specs


def _column_widths(sample: pa.Table, specs: Sequence[_Column], cap: int = MAX_COLUMN_WIDTH) -> list[int]:
    """Widths that fit the header and a sample of the rows, East Asian wide characters counted twice."""
    widths = []
    for i, spec in enumerate(specs):
        data = 0
        if spec.kind == "timestamp":
            data = len("2024-01-01 00:00")
        elif spec.kind == "date":
            data = len("2024-01-01")
        elif spec.kind == "bool":
            data = len("FALSE")
        elif spec.kind in ("int", "float", "decimal"):
            values = _without_nan(_plain(sample.column(i).combine_chunks())).to_pylist()
            data = max((len(number_text(v, spec.number_format)) for v in values if v is not None), default=0)
        elif spec.kind != "null":
            data = max(
                (display_width(as_text(v)) for v in sample.column(i).to_pylist() if v is not None), default=0
            )
        widths.append(min(cap, max(display_width(spec.name) + 3, data + 2, MIN_COLUMN_WIDTH)))
    return widths


_Writer = Callable[[int, int, Any, Format | None], Any]


def _excel_values(ws: Worksheet, formats: Formats, array: pa.Array, kind: str) -> tuple[list[Any], _Writer]:
    """One column of a batch as cell values (None for an empty cell) and the call that writes one."""
    array = _plain(array)
    if kind == "text":
        values = array.to_pylist()
        rich_like = pc.and_(pc.starts_with(array, "<r>"), pc.ends_with(array, "</r>"))
        if pc.any(rich_like).as_py():
            return values, lambda r, c, v, f: write_text(ws, formats, r, c, v, f)
        return values, ws.write_string
    if kind == "int":
        return array.to_pylist(), ws.write_number
    if kind == "float":
        return _without_nan(array).to_pylist(), ws.write_number
    if kind == "decimal":
        # through text: Arrow's decimal → float cast is not correctly rounded (81492.79 → 81492.79000000001)
        return pc.cast(pc.cast(array, pa.string()), pa.float64()).to_pylist(), ws.write_number
    if kind == "bool":
        return array.to_pylist(), ws.write_boolean
    if kind == "timestamp":
        if array.type.tz is not None:
            array = pc.local_timestamp(array)
        micros = pc.cast(array, pa.timestamp("us"), safe=False)
        earliest = pc.min(micros).as_py()
        if earliest is not None and earliest < _FIRST_EXACT_SERIAL_DAY:
            return micros.to_pylist(), lambda r, c, v, f: _write_early_datetime(ws, r, c, v, f)
        latest = pc.max(pc.cast(micros, pa.int64())).as_py()
        if latest is not None and latest > _LAST_SERIAL_MICROS:  # after 9999-12-31: no Excel date, written as text
            texts = pc.strftime(micros, "%Y-%m-%d %H:%M:%S").to_pylist()
            return texts, lambda r, c, v, f: write_text(ws, formats, r, c, v, None)
        serial = pc.add(
            pc.divide(pc.cast(pc.cast(micros, pa.int64()), pa.float64(), safe=False), _MICROS_PER_DAY),
            float(_EXCEL_EPOCH_DAYS),
        )
        return serial.to_pylist(), ws.write_number
    if kind == "date":
        earliest = pc.min(array).as_py()
        if earliest is not None and earliest < _FIRST_EXACT_SERIAL_DAY.date():
            return array.to_pylist(), lambda r, c, v, f: _write_early_datetime(ws, r, c, v, f)
        return pc.add(pc.cast(pc.cast(array, pa.int32()), pa.int64()), _EXCEL_EPOCH_DAYS).to_pylist(), (
            ws.write_number
        )
    if kind == "null":
        return [None] * len(array), ws.write_blank
    texts = [None if v is None else as_text(v) for v in array.to_pylist()]
    return texts, lambda r, c, v, f: write_text(ws, formats, r, c, v, f)


def _write_early_datetime(ws: Worksheet, row: int, col: int, value: date, fmt: Format | None) -> None:
    """Dates before 1900-03-01 by Excel's own count (1900-01-01 is 1, and Excel's phantom 1900-02-29 comes
    after 1900-02-28: xlsxwriter writes 1900-01-01 as 0); before 1900 (no Excel date) as text."""
    if value.year >= 1900:
        moment = value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())
        serial = (moment - datetime(1899, 12, 31)) / timedelta(days=1)
        ws.write_number(row, col, serial + (1 if moment >= _FIRST_EXACT_SERIAL_DAY else 0), fmt)
    elif isinstance(value, datetime):
        ws.write_string(row, col, value.isoformat(sep=" "))
    else:
        ws.write_string(row, col, value.isoformat())


def _write_table_sheets(
    workbook: xlsxwriter.Workbook,
    formats: Formats,
    chunks: Sequence[tuple[str, int]],
    rows: Rows,
    specs: Sequence[_Column],
    widths: Sequence[int],
    progress: Progress,
) -> None:
    """A table on the sheets of `chunks`, streamed a batch at a time: on each sheet a bold frozen header, filters
    over its whole range, typed and formatted cells."""
    cell_formats = [formats.number(spec.number_format) for spec in specs]
    sheets = iter(chunks)

    def next_sheet() -> tuple[Worksheet, int]:
        name, count = next(sheets)
        ws = workbook.add_worksheet(name)
        for col, (width, fmt) in enumerate(zip(widths, cell_formats, strict=True)):
            ws.set_column(col, col, width, fmt)
        for col, spec in enumerate(specs):
            write_text(ws, formats, 0, col, spec.name, formats.bold)
        ws.freeze_panes(1, 0)
        if specs:
            ws.autofilter(0, 0, count, len(specs) - 1)
        return ws, count

    ws, room = next_sheet()
    row = 1
    for whole in _chunks(rows.batches()):
        start = 0
        while start < whole.num_rows:
            if row > room:
                ws, room = next_sheet()
                row = 1
            batch = whole.slice(start, room - row + 1)
            start += batch.num_rows
            columns = []
            writers = []
            for i, spec in enumerate(specs):
                values, writer = _excel_values(ws, formats, batch.column(i), spec.kind)
                columns.append(values)
                writers.append(writer)
            plan = list(zip(range(len(specs)), writers, cell_formats, strict=True))
            for values_row in zip(*columns, strict=True):
                for (col, write, fmt), value in zip(plan, values_row, strict=True):
                    if value is not None:
                        write(row, col, value, fmt)
                row += 1
            progress.advance(batch.num_rows)
    for _ in sheets:  # sheets the rows did not reach (none unless the count was off): still written, empty
        next_sheet()


def _frame_rows(
    frame: pd.DataFrame, column_formats: dict[str, str], lang: str = "en"
) -> list[list[tuple[Any, str | None]]]:
    """A small pandas frame as grid rows: a header row (in `lang`), then one row per record."""
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    names = [str(name) for name in frame.columns]
    rows: list[list[tuple[Any, str | None]]] = [[(header(name, lang), "bold") for name in names]]
    number_formats = [column_formats.get(name) for name in names]
    for record in frame.itertuples(index=False, name=None):
        rows.append(list(zip(record, number_formats, strict=True)))
    return rows


def _summary_rows(
    result: Result, notes: Sequence[str], lang: str
) -> tuple[list[list[tuple[Any, str | None]]], int]:
    facts: list[list[tuple[Any, str | None]]] = [
        [(LABELS("as_of", lang), "bold"), (result.as_of, DATETIME_SECONDS)],
        [(LABELS("customers", lang), "bold"), (result.customers.num_rows, INTEGER)],
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
    return facts + _frame_rows(result.summary, _SUMMARY_FORMATS, lang), header_row


def _run_rows(result: Result, lang: str) -> list[list[tuple[Any, str | None]]]:
    rows: list[list[tuple[Any, str | None]]] = [[(LABELS("Run", lang), "bold")]]
    rows.extend([(in_lang(key, lang), None), (in_lang(value, lang), None)] for key, value in result.run)
    rows.append([])
    rows.append([(LABELS("Inputs", lang), "bold")])
    rows.append([(LABELS(name, lang), "bold") for name in _INPUT_COLUMNS])
    for item in result.inputs:
        delimiter = {"\t": "\\t", " ": LABELS("space", lang)}.get(item.delimiter or "", item.delimiter)
        values = {**{name: getattr(item, name) for name in _INPUT_COLUMNS}, "delimiter": delimiter}
        rows.append([(values[name], None) for name in _INPUT_COLUMNS])
    rows.append([])
    rows.append([(LABELS("Mapping", lang), "bold")])
    rows.append([(LABELS("field", lang), "bold"), (LABELS("source header", lang), "bold")])
    rows.extend([(field, None), (header, None)] for field, header in result.mapping.items())
    return rows


def _sheet_chunks(name: str, rows: int) -> list[tuple[str, int]]:
    """(sheet name, rows on it) for a table of `rows` cut into sheets that Excel can hold: `name`, `name (2)`, …
    each below its own header row. An empty table still gets its sheet."""
    per_sheet = EXCEL_MAX_ROWS - 1
    chunks = [(name, min(rows, per_sheet))]
    for start in range(per_sheet, rows, per_sheet):
        chunks.append((f"{name} ({len(chunks) + 1})", min(per_sheet, rows - start)))
    return chunks


def workbook_notes(result: Result, lang: str = "en") -> list[str]:
    """What a workbook of `result` says beyond the run's notes: that a table continues on more sheets. Shown in
    its Summary sheet, and by whoever reports on the workbook (the HTML report, the terminal)."""
    return (_split_note("customers noun", _sheet_chunks(SHEETS("Customers", lang), result.customers.num_rows), lang)
            + _split_note("excluded noun", _sheet_chunks(SHEETS("Excluded", lang), result.excluded.num_rows), lang))


def _split_note(what: str, chunks: Sequence[tuple[str, int]], lang: str) -> list[str]:
    """What the run should say when a table did not fit on one sheet."""
    if len(chunks) < 2:
        return []
    rows = sum(count for _, count in chunks)
    return [LABELS("split", lang, rows=f"{rows:,}", what=LABELS(what, lang), limit=f"{EXCEL_MAX_ROWS - 1:,}",
                   sheets=len(chunks), first=chunks[0][0], last=chunks[-1][0])]


_SEGMENT_HEADER = (
    ("segment", None),
    ("customers", INTEGER),
    ("share", RATIO),
    ("orders", INTEGER),
    ("revenue", MONEY),
    ("aov", MONEY),
    ("median recency_days", ONE_DECIMAL),
    ("median frequency", ONE_DECIMAL),
    ("median monetary", MONEY),
)


def _write_segments(ws: Worksheet, formats: Formats, segments: Sequence[SegmentFigures], grid: RfGrid,
                    lang: str) -> None:
    """Per segment figures, then the R×F grids of customers and mean monetary, each under a colour scale."""
    rows: list[list[tuple[Any, str | None]]] = [[(header(name, lang), "bold") for name, _ in _SEGMENT_HEADER]]
    for figures in segments:
        values = [getattr(figures, field) for field in SEGMENT_FIELDS]
        rows.append([(value, style) for value, (_, style) in zip(values, _SEGMENT_HEADER, strict=True)])
    scales = []
    grids: list[tuple[str, Sequence[Sequence[float | None]], str]] = [
        (LABELS("rf customers", lang), grid.customers, INTEGER),
        (LABELS("rf spend", lang), grid.mean_spend, MONEY),
    ]
    for title, cells, style in grids:
        rows.append([])
        rows.append([(title, SPILL)])
        rows.append([(LABELS("rf_corner", lang), "bold"), *((f, "bold") for f in grid.f_scores)])
        first = len(rows)
        for r, line in zip(grid.r_scores, cells, strict=True):
            rows.append([(r, "bold"), *((value, style) for value in line)])
        scales.append((first, len(rows) - 1))
    write_grid(ws, formats, rows)
    ws.freeze_panes(1, 0)
    if grid.f_scores and grid.r_scores:
        for first, last in scales:
            ws.conditional_format(
                first,
                1,
                last,
                len(grid.f_scores),
                {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"},
            )


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


@dataclass(frozen=True)
class SheetContext:
    """What each sheet of a workbook is written from: the workbook, its formats, the run's result, the language,
    the progress to advance and the workbook's own notes."""

    workbook: xlsxwriter.Workbook
    formats: Formats
    result: Result
    lang: str
    progress: Progress
    notes: list[str]


def _customers_sheet(ctx: SheetContext) -> None:
    result, lang = ctx.result, ctx.lang
    customers = result.customers
    own = [*result.gradings, *result.tags]
    specs = [replace(spec, name=header(spec.name, lang, result.gradings, own))
             for spec in _column_specs(customers, result.column_units)]
    widths = _column_widths(customers.sample(WIDTH_SAMPLE_ROWS), specs)
    chunks = _sheet_chunks(SHEETS("Customers", lang), customers.num_rows)
    _write_table_sheets(ctx.workbook, ctx.formats, chunks, customers, specs, widths, ctx.progress)


def _summary_sheet(ctx: SheetContext) -> None:
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


def _tags_sheet(ctx: SheetContext) -> None:
    tags, lang = ctx.result.figures.tags, ctx.lang
    if not tags:
        return
    tag_sheet = ctx.workbook.add_worksheet(SHEETS("Tags", lang))
    by_hand = any(t.manual for t in tags)  # then a column says which tags were set by hand (人工标签)
    names = ("tag", "customers", "share", "revenue", *(("set by",) if by_hand else ()))
    tag_rows: list[list[tuple[Any, str | None]]] = [[(header(name, lang), "bold") for name in names]]
    tag_rows.extend(
        [(t.tag, None), (t.customers, INTEGER), (t.share, RATIO), (t.revenue, MONEY),
         *(((LABELS("manual" if t.manual else "rules", lang), None),) if by_hand else ())] for t in tags
    )
    write_grid(tag_sheet, ctx.formats, tag_rows)
    tag_sheet.freeze_panes(1, 0)
    add_tag_chart(ctx.workbook, tag_sheet, tag_sheet.get_name(), len(tags), lang)


def _segments_sheet(ctx: SheetContext) -> None:
    figures = ctx.result.figures
    if figures.grid is not None:
        _write_segments(ctx.workbook.add_worksheet(SHEETS("Segments", ctx.lang)), ctx.formats, figures.segments,
                        figures.grid, ctx.lang)


def _lifecycle_sheet(ctx: SheetContext) -> None:
    stages, lang = ctx.result.figures.lifecycle, ctx.lang
    if not stages:
        return
    stage_sheet = ctx.workbook.add_worksheet(SHEETS("Lifecycle", lang))
    stage_rows: list[list[tuple[Any, str | None]]] = [
        [(header(h, lang), "bold") for h in ("stage", "customers", "share", "revenue", "revenue share",
                                              "median recency_days")]]
    stage_rows.extend([(f.stage, None), (f.customers, INTEGER), (f.share, RATIO), (f.revenue, MONEY),
                       (f.revenue_share, RATIO), (f.median_recency_days, None)] for f in stages)
    write_grid(stage_sheet, ctx.formats, stage_rows)
    stage_sheet.freeze_panes(1, 0)


def _thresholds_sheet(ctx: SheetContext) -> None:
    thresholds = ctx.workbook.add_worksheet(SHEETS("Thresholds", ctx.lang))
    write_grid(thresholds, ctx.formats, _frame_rows(ctx.result.thresholds, {}, ctx.lang))
    thresholds.freeze_panes(1, 0)


def _movement_sheet(ctx: SheetContext) -> None:
    if ctx.result.movement is not None:  # a previous run was given
        write_movement(ctx.workbook, ctx.formats, ctx.result.movement, ctx.lang)


def _excluded_sheet(ctx: SheetContext) -> None:
    excluded, lang = ctx.result.excluded, ctx.lang
    own = excluded.column_names[len(_EXCLUDED_OWN):]
    specs = [replace(spec, name=header(spec.name, lang, own=own)) for spec in _column_specs(excluded, {})]
    widths = _column_widths(excluded.sample(WIDTH_SAMPLE_ROWS), specs)
    chunks = _sheet_chunks(SHEETS("Excluded", lang), excluded.num_rows)
    _write_table_sheets(ctx.workbook, ctx.formats, chunks, excluded, specs, widths, ctx.progress)


def _run_sheet(ctx: SheetContext) -> None:
    write_grid(ctx.workbook.add_worksheet(SHEETS("Run", ctx.lang)), ctx.formats, _run_rows(ctx.result, ctx.lang),
               cap=70)


# The workbook's sheets in their order: one writer a kind of sheet, which adds its sheet(s) or, when the run has
# nothing for it, none. A new sheet is a writer and a line here.
WORKBOOK_SHEETS: tuple[Callable[[SheetContext], None], ...] = (
    _customers_sheet,
    _summary_sheet,
    _tags_sheet,
    _segments_sheet,
    _lifecycle_sheet,
    _thresholds_sheet,
    _movement_sheet,
    _excluded_sheet,
    _run_sheet,
)


def _write_workbook(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    """The workbook, sheet by sheet (WORKBOOK_SHEETS). When a step fails the workbook is never closed, so nothing
    is written to `path`. The writer's own temporary files go to `scratch` (the run folder) when given."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            **({"tmpdir": str(scratch)} if scratch is not None else {}),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "constant_memory": True,
            "remove_timezone": True,
            "nan_inf_to_errors": True,
        },
    )
    context = SheetContext(workbook, Formats(workbook), result, lang, progress, workbook_notes(result, lang))
    for write_sheet in WORKBOOK_SHEETS:
        write_sheet(context)
    workbook.close()
