"""The big tables of a workbook (Customers, Excluded): columns typed and formatted from their Arrow types and units,
widths from a sample, and the rows streamed a batch at a time onto as many sheets as Excel needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from tiercli.outputs.values import column_kind, plain, slices, without_nan
from tiercli.outputs.workbook.cells import (
    DATE,
    DATETIME,
    INTEGER,
    MAX_COLUMN_WIDTH,
    MIN_COLUMN_WIDTH,
    MONEY,
    ONE_DECIMAL,
    RATIO,
    Formats,
    as_text,
    display_width,
    number_text,
    write_text,
)
from tiercli.progress import Progress
from tiercli.result import Rows

EXCEL_MAX_ROWS = 1_048_576  # rows in one sheet, header included
EXCEL_MAX_COLS = 16_384
WIDTH_SAMPLE_ROWS = 1_000
_WHOLE_UNITS = frozenset({"count", "days", "quantity"})
_EXCEL_EPOCH_DAYS = 25_569  # 1970-01-01 as an Excel serial date
_MICROS_PER_DAY = 86_400_000_000.0
_FIRST_EXACT_SERIAL_DAY = datetime(1900, 3, 1)  # Excel's phantom 1900-02-29 shifts earlier serials
_LAST_SERIAL_MICROS = 253_402_300_799_999_999  # 9999-12-31 23:59:59.999999, Excel's last day


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    number_format: str | None


def column_specs(table: pa.Table | Rows, units: dict[str, str]) -> list[Column]:
    specs = []
    for field in table.schema:
        kind = column_kind(field.type)
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
        specs.append(Column(field.name, kind, number_format))
    return specs


def column_widths(sample: pa.Table, specs: Sequence[Column], cap: int = MAX_COLUMN_WIDTH,
                  money_sign: str = "") -> list[int]:
    """Widths that fit the header and a sample of the rows (money after `money_sign`), East Asian wide characters
    counted twice."""
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
            values = without_nan(plain(sample.column(i).combine_chunks())).to_pylist()
            data = max((display_width(number_text(v, spec.number_format, money_sign)) for v in values
                        if v is not None), default=0)
        elif spec.kind != "null":
            data = max(
                (display_width(as_text(v)) for v in sample.column(i).to_pylist() if v is not None), default=0
            )
        widths.append(min(cap, max(display_width(spec.name) + 3, data + 2, MIN_COLUMN_WIDTH)))
    return widths


_Writer = Callable[[int, int, Any, Format | None], Any]


def excel_values(ws: Worksheet, formats: Formats, array: pa.Array, kind: str) -> tuple[list[Any], _Writer]:
    """One column of a batch as cell values (None for an empty cell) and the call that writes one."""
    array = plain(array)
    if kind == "text":
        values = array.to_pylist()
        rich_like = pc.and_(pc.starts_with(array, "<r>"), pc.ends_with(array, "</r>"))
        if pc.any(rich_like).as_py():
            return values, lambda r, c, v, f: write_text(ws, formats, r, c, v, f)
        return values, ws.write_string
    if kind == "int":
        return array.to_pylist(), ws.write_number
    if kind == "float":
        return without_nan(array).to_pylist(), ws.write_number
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
            return micros.to_pylist(), lambda r, c, v, f: write_early_datetime(ws, r, c, v, f)
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
            return array.to_pylist(), lambda r, c, v, f: write_early_datetime(ws, r, c, v, f)
        return pc.add(pc.cast(pc.cast(array, pa.int32()), pa.int64()), _EXCEL_EPOCH_DAYS).to_pylist(), (
            ws.write_number
        )
    if kind == "null":
        return [None] * len(array), ws.write_blank
    texts = [None if v is None else as_text(v) for v in array.to_pylist()]
    return texts, lambda r, c, v, f: write_text(ws, formats, r, c, v, f)


def write_early_datetime(ws: Worksheet, row: int, col: int, value: date, fmt: Format | None) -> None:
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


def write_table_sheets(
    workbook: xlsxwriter.Workbook,
    formats: Formats,
    chunks: Sequence[tuple[str, int]],
    rows: Rows,
    specs: Sequence[Column],
    widths: Sequence[int],
    progress: Progress,
    change: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None,
) -> None:
    """A table on the sheets of `chunks`, streamed a batch at a time (each read through `change` when given, which
    gives the columns of `specs`): on each sheet a bold frozen header, filters over its whole range, typed and
    formatted cells."""
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
    for whole in slices(rows.batches()):
        if change is not None:
            whole = change(whole)
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
                values, writer = excel_values(ws, formats, batch.column(i), spec.kind)
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


def sheet_chunks(name: str, rows: int) -> list[tuple[str, int]]:
    """(sheet name, rows on it) for a table of `rows` cut into sheets that Excel can hold: `name`, `name (2)`, …
    each below its own header row. An empty table still gets its sheet."""
    per_sheet = EXCEL_MAX_ROWS - 1
    chunks = [(name, min(rows, per_sheet))]
    for start in range(per_sheet, rows, per_sheet):
        chunks.append((f"{name} ({len(chunks) + 1})", min(per_sheet, rows - start)))
    return chunks

