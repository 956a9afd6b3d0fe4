"""A seeded generator of hostile and broken inputs for `tiercli classify`.

`case(seed)` always gives the same case for the same seed: one or two input files (bytes) and a rules file, drawn
from these families (see FAMILIES):

- csv: text exports in many encodings (some broken: cut multi-byte characters, invalid bytes, a BOM in the
  middle), delimiters and quoting, ragged and blank rows, title rows, NUL bytes, very long cells and lines,
  hostile headers and cells, and extreme values (dates such as 0001-01-01, 9999-12-31, 10000-01-01, infinity;
  amounts such as 1e308, -0, NaN, 99…9);
- xlsx: real workbooks with odd shapes (far cells, empty sheets, one column) and the same cut short or with bits
  flipped, and small zip bombs;
- parquet: files with odd types (integer or extreme dates, nested lists, binary, decimals, all-null columns,
  hostile column names), truncated or with bits flipped;
- names: a valid export with a rules file whose grading, level and tag names are hostile (quotes, control and
  escape characters, RTL overrides, very long, formula-like, taken column names).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter

FAMILIES = ("csv", "xlsx", "parquet", "names")
RULES = """version: 1
tiers:
  - {name: big, when: "monetary >= 100"}
  - {name: repeat, when: "frequency >= 2"}
  - {name: base}
tags:
  - {name: recent, when: "recency_days <= 30"}
"""
HOSTILE = ["'", '"', "a\"b", "'; DROP TABLE lines; --", "x\"); COPY (SELECT 1) TO 'pwned.txt'; --", "--", ";",
           "c0", "__row", "file_row_number", "\x1b[31m", "\u202e", "=1+1", "@SUM(A1)", "+86 138", "\t", "\r",
           "重要客户", "合计", "Total", "NA", "NULL", "-", "无", "0", "1e308", "", " ", "\u3000", "x" * 300]
DATES = ["2024-01-01", "2024/1/2 10:00", "02/03/2024", "0001-01-01", "1899-12-31", "1900-01-01", "9999-12-31",
         "10000-01-01", "-2024-01-01", "infinity", "-infinity", "2024-13-45", "", "45000", "2024-02-30",
         "2024-01-01T00:00:00+08:00", "1970-01-01 00:00:00.123456"]
AMOUNTS = ["10", "99.99", "-5", "0", "-0", "1e308", "1e-308", "NaN", "inf", "9" * 40, "1,234.50", "1.234,50",
           "¥88", "$12", "(5)", "abc", "", "0x10", "１２３"]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "cp1252", "utf-16", "shift_jis", "latin-1"]


@dataclass(frozen=True)
class Case:
    family: str
    files: dict[str, bytes]  # input file name -> content
    rules: str

    def describe(self) -> str:
        return f"{self.family}: {', '.join(f'{n} ({len(b):,} bytes)' for n, b in self.files.items())}"


def case(seed: int) -> Case:
    rng = random.Random(seed)
    family = FAMILIES[seed % len(FAMILIES)]
    make: Callable[[random.Random], Case] = {"csv": _csv, "xlsx": _xlsx, "parquet": _parquet, "names": _names}[family]
    return make(rng)


def _value(rng: random.Random, pool: list[str]) -> str:
    return rng.choice(pool) if rng.random() < 0.8 else rng.choice(HOSTILE)


def _table(rng: random.Random) -> tuple[list[str], list[list[str]]]:
    headers = ["customer_id", "order_id", "order_date", "amount"]
    if rng.random() < 0.5:
        headers.append(rng.choice(["status", "product", "category", "quantity"]))
    for _ in range(rng.choice([0, 0, 1, 3])):
        headers.insert(rng.randrange(len(headers) + 1), rng.choice(HOSTILE))
    rows = []
    for i in range(rng.choice([0, 1, 2, 5, 30, 200])):
        row = []
        for h in headers:
            if h == "customer_id":
                row.append(f"c{rng.randrange(8)}" if rng.random() < 0.9 else rng.choice(HOSTILE))
            elif h == "order_id":
                row.append(str(i if rng.random() < 0.9 else rng.randrange(5)))
            elif h == "order_date":
                row.append(_value(rng, DATES))
            elif h == "amount":
                row.append(_value(rng, AMOUNTS))
            else:
                row.append(rng.choice([*HOSTILE, "paid", "已付款", "交易成功", "cancelled", "2", "美妆"]))
        if rng.random() < 0.05:
            row = row[: rng.randrange(len(row) + 1)]  # short row
        if rng.random() < 0.05:
            row += ["extra"] * rng.randrange(1, 4)  # ragged row
        rows.append(row)
    return headers, rows


def _csv(rng: random.Random) -> Case:
    headers, rows = _table(rng)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=rng.choice([",", ";", "\t", "|"]),
                        quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    for _ in range(rng.choice([0, 0, 1, 2])):
        writer.writerow([rng.choice(["店铺订单导出", "Report", ""])])
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
        if rng.random() < 0.03:
            buffer.write("\r\n" if rng.random() < 0.5 else "\n")  # a blank line
    text = buffer.getvalue()
    if rng.random() < 0.1:
        text = text.replace("c1", "c" + "1" * rng.choice([1000, 150_000]), 1)  # a very long cell
    encoding = rng.choice(ENCODINGS)
    data = text.encode(encoding, errors="replace")
    roll = rng.random()
    if roll < 0.05:
        data = data.replace(b",", b"\x00", 1)  # a NUL byte
    elif roll < 0.10 and data:
        data = data[: rng.randrange(len(data))]  # cut anywhere, maybe inside a character
    elif roll < 0.15 and data:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.randrange(128, 256)]) + data[at:]  # a byte no encoding expects here
    elif roll < 0.18:
        data = data + "\ufeff".encode() + data  # a BOM in the middle
    return Case("csv", {"orders.csv": data}, RULES)


def _xlsx(rng: random.Random) -> Case:
    buffer = io.BytesIO()
    headers, rows = _table(rng)
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(rng.choice(["orders", "订单", "o'rd\"ers"]))
    shape = rng.random()
    if shape > 0.05:
        for r, values in enumerate([headers, *rows]):
            for c, value in enumerate(values):
                if rng.random() < 0.1 and value.replace(".", "", 1).isdigit():
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, value.replace("\x1b", "").replace("\r", ""))
    if rng.random() < 0.1:
        sheet.write(rng.randrange(1000, 300_000), rng.randrange(10, 200), "far")
    if rng.random() < 0.1:
        book.add_worksheet("empty")
    book.close()
    data = buffer.getvalue()
    roll = rng.random()
    if roll < 0.25:
        data = data[: rng.randrange(len(data))]  # truncated
    elif roll < 0.5:
        broken = bytearray(data)
        for _ in range(rng.choice([1, 8, 64])):
            broken[rng.randrange(len(broken))] ^= 1 << rng.randrange(8)
        data = bytes(broken)
    elif roll < 0.55:
        data = _zip_bomb(rng)
    return Case("xlsx", {"orders.xlsx": data}, RULES)


def _zip_bomb(rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (rng.choice([12, 70]) << 20))
    return buffer.getvalue()


def _parquet(rng: random.Random) -> Case:
    headers, rows = _table(rng)
    n = len(rows)
    columns: dict[str, pa.Array] = {}
    for k, h in enumerate(headers):
        name = h if h not in columns else f"{h}{k}"
        values = [row[k] if k < len(row) else None for row in rows]
        kind = rng.random()
        if h == "order_date" and kind < 0.2:
            columns[name] = pa.array([rng.randrange(-2**31, 2**31) for _ in range(n)], pa.date32())
        elif h == "order_date" and kind < 0.3:
            columns[name] = pa.array([rng.randrange(-2**62, 2**62) for _ in range(n)], pa.timestamp("us"))
        elif h == "order_date" and kind < 0.4:
            columns[name] = pa.array([dt.date(2024, 1, 1 + i % 28) for i in range(n)], pa.date32())
        elif h == "amount" and kind < 0.3:
            columns[name] = pa.array([rng.choice([1.5, -0.0, float("nan"), 1e308, float("inf")]) for _ in range(n)])
        elif h == "amount" and kind < 0.4:
            columns[name] = pa.array([rng.randrange(-10**6, 10**6) for _ in range(n)], pa.decimal128(20, 2))
        elif kind < 0.05:
            columns[name] = pa.array([[v] for v in values], pa.list_(pa.string()))
        elif kind < 0.1:
            columns[name] = pa.array([bytes([rng.randrange(256)]) * 3 for _ in range(n)], pa.binary())
        elif kind < 0.12:
            columns[name] = pa.nulls(n, pa.string())
        else:
            columns[name] = pa.array(values, pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    data = buffer.getvalue()
    roll = rng.random()
    if roll < 0.2:
        data = data[: rng.randrange(len(data))]
    elif roll < 0.4:
        broken = bytearray(data)
        for _ in range(rng.choice([1, 4, 32])):
            broken[rng.randrange(len(broken))] ^= 1 << rng.randrange(8)
        data = bytes(broken)
    return Case("parquet", {"orders.parquet": data}, RULES)


def _names(rng: random.Random) -> Case:
    def name() -> str:
        text = rng.choice([*HOSTILE, "VIP", "重要客户", "tags", "customer_id", "monetary", "tier_why", "total"])
        text = text if text.strip() else "x"
        return text.replace("\\", "\\\\").replace('"', '\\"').replace("\x1b", "\\e").replace("\r", "\\r") \
            .replace("\t", "\\t").replace("\u202e", "\\u202e").replace("\u3000", "\\u3000")

    rules = (f'version: 1\ntiers:\n  - {{name: "{name()}", when: "monetary >= 100"}}\n'
             f'  - {{name: "{name()}"}}\ntags:\n  - {{name: "{name()}", when: "frequency >= 2"}}\n')
    headers, rows = ["customer_id", "order_id", "order_date", "amount"], []
    for i in range(20):
        rows.append([rng.choice([*HOSTILE, "c1", "c2"]) or "c3", str(i), "2024-01-01", str(rng.randrange(300))])
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return Case("names", {"orders.csv": buffer.getvalue().encode("utf-8")}, rules)
