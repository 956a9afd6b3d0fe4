"""Cells of the workbook's small sheets (Summary, Tags, Segments, Lifecycle, Thresholds, Movement, Run): number
formats (money in the run's currency), how wide a value shows, and a grid of (value, style) written row by row with
its columns fitted to what they hold."""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from tiercli.names import readable_name
from tiercli.outputs.money import excel_format, sign

EXCEL_MAX_STRING = 32_767
EXCEL_MAX_WIDTH = 255  # the widest column Excel allows, in characters
MAX_COLUMN_WIDTH = 60  # the big tables' columns, fitted to a sample of their rows
MIN_COLUMN_WIDTH = 6

MONEY = "money"  # a style, not a format: money in the run's currency (`Formats.number`), "¥"#,##0.00
RATIO = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm"
DATETIME_SECONDS = "yyyy-mm-dd hh:mm:ss"
DATE = "yyyy-mm-dd"
INTEGER = "#,##0"
ONE_DECIMAL = "#,##0.0"
TWO_DECIMALS = "#,##0.00"

# a change from the previous run, signed: +12, -3.5%, +¥1,200.00
CHANGE_OF = {INTEGER: "+#,##0;-#,##0;0", RATIO: "+0.0%;-0.0%;0.0%", MONEY: "+money"}

SPILL = "spill"  # a grid cell style: plain text left out of the column width


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def display_width(text: str) -> int:
    """Columns `text` takes in a spreadsheet: East Asian wide and full-width characters count as two."""
    widest = 0
    for line in text.split("\n"):
        if line.isascii():
            width = len(line)
        else:
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        widest = max(widest, width)
    return widest


def number_text(value: float | Decimal | np.number[Any], number_format: str | None, money_sign: str = "") -> str:
    """Roughly how Excel shows a number in the given format (money after `money_sign`), for column widths."""
    number = float(value)
    if not math.isfinite(number):
        return "#NUM!"
    if number_format in CHANGE_OF.values():
        base = next(k for k, v in CHANGE_OF.items() if v == number_format)
        return ("-" if number < 0 else "+") + number_text(abs(number), base, money_sign)
    if number_format == RATIO:
        return f"{number:.1%}"
    if number_format == MONEY:
        return f"{'-' if number < 0 else ''}{money_sign}{abs(number):,.2f}"
    if number_format == TWO_DECIMALS:
        return f"{number:,.2f}"
    if number_format == ONE_DECIMAL:
        return f"{number:,.1f}"
    if number_format == INTEGER:
        return f"{number:,.0f}"
    if number_format in (DATETIME, DATETIME_SECONDS, DATE):
        return number_format
    if isinstance(value, int):
        return str(value)
    return f"{number:.10g}"


class Formats:
    """The workbook's cell formats, one object per number format; `MONEY` shows the sign of `currency` (an ISO
    code; None: plain numbers)."""

    def __init__(self, workbook: xlsxwriter.Workbook, currency: str | None = None) -> None:
        self._workbook = workbook
        self._numbers: dict[str, Format] = {}
        self.money_sign = sign(currency)
        self.money_format = excel_format(currency)
        self.bold = workbook.add_format({"bold": True})
        self.plain = workbook.add_format()

    def number(self, number_format: str | None) -> Format | None:
        if number_format is None:
            return None
        if number_format == MONEY:
            number_format = self.money_format
        elif number_format == CHANGE_OF[MONEY]:
            number_format = _signed(self.money_format)
        if number_format not in self._numbers:
            self._numbers[number_format] = self._workbook.add_format({"num_format": number_format})
        return self._numbers[number_format]


def _signed(number_format: str) -> str:
    """`number_format` with a plus sign before positive numbers (and a minus before negative ones)."""
    positive, _, negative = number_format.partition(";")
    return f"+{positive};{negative or '-' + positive};{positive}"


def write_text(ws: Worksheet, formats: Formats, row: int, col: int, value: str, fmt: Format | None) -> None:
    """Write `value` as a string cell, exactly as it is (but a file name's undecodable bytes, as U+FFFD)."""
    value = readable_name(value)
    if len(value) > EXCEL_MAX_STRING // 2:
        value = truncate_utf16(value, EXCEL_MAX_STRING)
    if value.startswith("<r>") and value.endswith("</r>"):
        # In constant_memory mode xlsxwriter writes strings shaped like "<r>…</r>" into the sheet XML
        # unescaped, taking them for rich text it built itself; a rich string of two plain runs is escaped.
        if fmt is None:
            ws.write_rich_string(row, col, value[:1], formats.plain, value[1:])
        else:
            ws.write_rich_string(row, col, value[:1], formats.plain, value[1:], fmt)
    else:
        ws.write_string(row, col, value, fmt)


def truncate_utf16(value: str, limit: int) -> str:
    encoded = value.encode("utf-16-le")
    if len(encoded) <= 2 * limit:
        return value
    return encoded[: 2 * limit].decode("utf-16-le", errors="ignore")


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    if isinstance(value, Decimal):
        return value.is_nan()
    return False


def cell_text(value: Any, number_format: str | None, money_sign: str = "") -> str:
    """Roughly how a grid cell shows, for column widths."""
    if is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "FALSE"
    if isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        return number_text(value, number_format, money_sign)
    if isinstance(value, datetime):
        return "2024-01-01 00:00:00"
    if isinstance(value, date):
        return "2024-01-01"
    return as_text(value)


def write_cell(ws: Worksheet, formats: Formats, row: int, col: int, value: Any, style: str | None) -> None:
    """Write one value of a small sheet by its Python type; text always as a string."""
    if is_missing(value):
        return
    fmt = formats.bold if style == "bold" else None if style == SPILL else formats.number(style)
    if isinstance(value, str):
        write_text(ws, formats, row, col, value, fmt)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
        else:
            ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        ws.write_datetime(row, col, value, fmt or formats.number(DATETIME_SECONDS))
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, fmt or formats.number(DATE))
    elif isinstance(value, timedelta):
        write_text(ws, formats, row, col, str(value), fmt)
    else:
        write_text(ws, formats, row, col, as_text(value), fmt)


def grid_widths(rows: Sequence[Sequence[tuple[Any, str | None]]], money_sign: str = "") -> dict[int, int]:
    """Each column's width (in characters, East Asian wide ones counted twice): its widest cell and a margin,
    but for text that may spill into the empty cells to its right (SPILL)."""
    widths: dict[int, int] = {}
    for cells in rows:
        for col, (value, style) in enumerate(cells):
            if style == SPILL:
                continue
            width = display_width(cell_text(value, None if style == "bold" else style, money_sign)) + 2
            widths[col] = min(EXCEL_MAX_WIDTH, max(widths.get(col, MIN_COLUMN_WIDTH), width))
    return widths


def write_grid(ws: Worksheet, formats: Formats, rows: Sequence[Sequence[tuple[Any, str | None]]]) -> None:
    """Write a small sheet row by row, each column as wide as its widest cell (`grid_widths`)."""
    for col, width in grid_widths(rows, formats.money_sign).items():
        ws.set_column(col, col, width)
    for row, cells in enumerate(rows):
        for col, (value, style) in enumerate(cells):
            write_cell(ws, formats, row, col, value, style)
