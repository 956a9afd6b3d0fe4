from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet as OpenpyxlSheet
from xlsxwriter.worksheet import Worksheet

from conftest import figures_of
from tiercli.errors import OutputError
from tiercli.outputs import values, writers
from tiercli.outputs.workbook import columns
from tiercli.outputs.workbook.book import workbook_notes
from tiercli.outputs.writers import write_result
from tiercli.result import InputFile, Result, Rows

LONG_ID = "1234567890123456789"
FORMULA_NICK = '=HYPERLINK("http://x","y")'
RICH_LIKE = '<r><t>x</t></r></is></c><c r="Z1"><f>1+1</f></c><c><is><r><t>y</t></r>'
SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4
SUPPORTED = ".xlsx, .csv, .parquet, .json, or '-' for CSV on stdout"
HEADER = [
    "customer_id",
    "nickname",
    "tier",
    "monetary",
    "refund_rate",
    "last_order",
    "frequency",
    "高频购买者",
    "价格敏感型",
]


def customers_table() -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array(["000123", LONG_ID, "C3"]),
            "nickname": pa.array([FORMULA_NICK, "小红", RICH_LIKE]),
            "tier": pa.array(["重要客户", "普通客户", None]),
            "monetary": pa.array([Decimal("20000.50"), Decimal("-5.00"), None], pa.decimal128(12, 2)),
            "refund_rate": pa.array([0.125, 0.0, None], pa.float64()),
            "last_order": pa.array(
                [datetime(2024, 6, 30, 21, 15, 5), datetime(2023, 1, 2, 8, 0), None], pa.timestamp("us")
            ),
            "frequency": pa.array([12, 1, 3], pa.int64()),
            "高频购买者": pa.array([1, 0, 0], pa.int8()),
            "价格敏感型": pa.array([0, 1, 0], pa.int8()),
        }
    )


def excluded_table(rows: int = 2) -> pa.Table:
    reasons = ["unpaid", "bad_amount"]
    return pa.table(
        {
            "file": pa.array(["orders.csv"] * rows, pa.string()),
            "row": pa.array(list(range(5, 5 + rows)), pa.int64()),
            "reason": pa.array([reasons[i % 2] for i in range(rows)], pa.string()),
            "message": pa.array([f"message {i}" for i in range(rows)], pa.string()),
            "订单编号": pa.array([f"00{i}" for i in range(rows)], pa.string()),
            "买家会员名": pa.array(["=1+1" if i == 0 else f"买家{i}" for i in range(rows)], pa.string()),
        }
    )


def make_result(customers: pa.Table | None = None, excluded: pa.Table | None = None) -> Result:
    customers = customers_table() if customers is None else customers
    excluded = excluded_table() if excluded is None else excluded
    summary = pd.DataFrame(
        {
            "grading": ["tier", "tier"],
            "level": ["重要客户", "普通客户"],
            "customers": [1, 2],
            "share": [1 / 3, 2 / 3],
            "revenue": [20000.5, -5.0],
            "revenue_share": [1.0, 0.0],
            "aov": [1666.71, -5.0],
            "mean_orders": [12.0, 2.0],
            "mean_recency_days": [0.0, 545.5],
        }
    )
    thresholds = pd.DataFrame({"score": [1, 2, 3], "recency_max": [400, 90, 10], "customers": [1, 1, 1]})
    inputs = [
        InputFile(
            "exports/orders.csv",
            "orders.csv",
            SHA_A,
            "csv",
            10,
            7,
            2,
            encoding="gb18030",
            delimiter=",",
            platform="tmall",
        ),
        InputFile(
            "exports/more.xlsx", "more.xlsx [Sheet1]", SHA_B, "xlsx", 4, 4, 0, sheet="Sheet1", header_row=3
        ),
    ]
    return Result(
        customers=Rows(customers),
        excluded=Rows(excluded),
        summary=summary,
        thresholds=thresholds,
        run=[("as_of", "2024-06-30 21:15:05"), ("rules", "rules.yaml"), ("version", "0.1.0")],
        inputs=inputs,
        mapping={"customer": "买家会员名", "order_id": "订单编号", "amount": "买家实际支付金额"},
        as_of=datetime(2024, 6, 30, 21, 15, 5),
        excluded_by_reason={"unpaid": 1, "bad_amount": 1},
        column_units={
            "monetary": "money",
            "refund_rate": "ratio",
            "last_order": "date",
            "frequency": "count",
        },
        gradings=["tier"],
        tags=["高频购买者", "价格敏感型"],
        notes=["R scores: 2 bins hold more customers than the others because of ties"],
        figures=figures_of(customers, ["高频购买者", "价格敏感型"]),
    )


def sheet_values(ws: OpenpyxlSheet) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    out = tmp_path / "out.xlsx"
    assert write_result(make_result(), str(out)) == str(out)
    return out


@pytest.fixture
def book(workbook_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(workbook_path)


# --- workbook ----------------------------------------------------------------------------------------------


def test_workbook_sheets_in_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["Customers", "Summary", "Tags", "Thresholds", "Excluded", "Run", "ChartData"]


def test_customers_sheet_keeps_values_and_text_exact(book: openpyxl.Workbook) -> None:
    ws = book["Customers"]
    rows = sheet_values(ws)
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["000123", LONG_ID, "C3"]
    assert [ws.cell(row, 1).data_type for row in (2, 3, 4)] == ["s", "s", "s"]
    nick = ws["B2"]
    assert nick.value == FORMULA_NICK
    assert nick.data_type == "s"
    assert ws["B4"].value == RICH_LIKE
    assert ws["B4"].data_type == "s"
    assert ws["Z1"].value is None
    assert [r[2] for r in rows[1:]] == ["重要客户", "普通客户", None]
    assert [r[3] for r in rows[1:]] == [20000.5, -5, None]
    assert rows[1][4:] == [0.125, datetime(2024, 6, 30, 21, 15, 5), 12, 1, 0]
    assert rows[3][4:6] == [None, None]


def test_customers_sheet_number_formats(book: openpyxl.Workbook) -> None:
    ws = book["Customers"]
    assert ws["D2"].number_format == "#,##0.00"
    assert ws["D3"].number_format == "#,##0.00"
    assert ws["E2"].number_format == "0.0%"
    assert ws["F2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["F2"].is_date
    assert ws["G2"].number_format == "#,##0"
    assert ws["H2"].number_format == "General"
    assert ws["A2"].number_format == "General"


def test_customers_header_frozen_filtered_bold(book: openpyxl.Workbook) -> None:
    ws = book["Customers"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I4"
    assert all(cell.font.b for cell in ws[1])


def test_decimals_are_the_nearest_double(tmp_path: Path) -> None:
    amounts = [Decimal("81492.79"), Decimal("123456789.99"), Decimal("-0.07"), Decimal("765572.00")]
    customers = pa.table({"id": pa.array(["1", "2", "3", "4"]), "monetary": pa.array(amounts, pa.decimal128(18, 2))})
    out = tmp_path / "d.xlsx"
    write_result(make_result(customers=customers), str(out))
    ws = openpyxl.load_workbook(out)["Customers"]
    assert [ws.cell(row, 2).value for row in range(2, 6)] == [81492.79, 123456789.99, -0.07, 765572]


def test_column_widths_count_wide_characters_and_are_capped(tmp_path: Path) -> None:
    customers = pa.table(
        {
            "id": pa.array(["1", "2"]),
            "ascii": pa.array(["abcdefghijklmnopqrst", "x"]),
            "cjk": pa.array(["重要客户重要客户重要客户重要客户重要客户", "x"]),
            "long": pa.array(["y" * 500, "x"]),
        }
    )
    out = tmp_path / "w.xlsx"
    write_result(make_result(customers=customers), str(out))
    widths = {k: v.width for k, v in openpyxl.load_workbook(out)["Customers"].column_dimensions.items()}
    assert 20 <= widths["B"] < 30
    assert 40 <= widths["C"] < 50
    assert 58 <= widths["D"] <= 61


def test_summary_sheet_has_headline_figures_then_the_formatted_level_table(book: openpyxl.Workbook) -> None:
    ws = book["Summary"]
    rows = sheet_values(ws)
    assert rows[0][:2] == ["headline figures", "this run"]
    figures = {r[0]: r[1] for r in rows[1:7]}
    assert figures["customers"] == 3  # the run facts (as_of, rows read…) are the Run sheet's
    assert "as_of" not in figures and "rows read" not in {r[0] for r in rows}
    header_at = next(i for i, r in enumerate(rows) if r[0] == "grading")
    assert rows[header_at][:9] == [
        "grading",
        "level",
        "customers",
        "share",
        "revenue",
        "revenue_share",
        "aov",
        "mean_orders",
        "mean_recency_days",
    ]
    assert rows[header_at + 1][:3] == ["tier", "重要客户", 1]
    first = header_at + 2
    assert ws.cell(first, 4).number_format == "0.0%"
    assert ws.cell(first, 5).number_format == "#,##0.00"  # money without a currency: a plain number
    assert ws.cell(first, 6).number_format == "0.0%"
    assert ws.cell(first, 7).number_format == "#,##0.00"
    assert ws.cell(first, 8).number_format == "#,##0.00"
    notes_at = next(i for i, r in enumerate(rows) if r[0] == "notes")
    assert rows[notes_at + 1][0].startswith("R scores: 2 bins")


def test_thresholds_sheet_is_the_frame(book: openpyxl.Workbook) -> None:
    assert sheet_values(book["Thresholds"]) == [
        ["score", "recency_max", "customers"],
        [1, 400, 1],
        [2, 90, 1],
        [3, 10, 1],
    ]


def test_excluded_sheet_has_every_row_as_text(book: openpyxl.Workbook) -> None:
    ws = book["Excluded"]
    assert sheet_values(ws) == [
        ["file", "row", "reason", "message", "订单编号", "买家会员名"],
        ["orders.csv", 5, "unpaid", "message 0", "000", "=1+1"],
        ["orders.csv", 6, "bad_amount", "message 1", "001", "买家1"],
    ]
    assert ws["F2"].data_type == "s"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"


def test_run_sheet_has_facts_inputs_and_mapping(book: openpyxl.Workbook) -> None:
    rows = sheet_values(book["Run"])
    cells = [v for r in rows for v in r if v is not None]
    assert SHA_A in cells
    assert SHA_B in cells
    assert ["as_of", "2024-06-30 21:15:05"] == [v for v in rows[1] if v is not None]
    header_at = rows.index("name path sha256 kind sheet encoding delimiter header_row platform rows_read rows_used "
                           "rows_excluded".split())
    assert rows[header_at + 1] == [
        "orders.csv",
        "exports/orders.csv",
        SHA_A,
        "csv",
        None,
        "gb18030",
        ",",
        1,
        "tmall",
        10,
        7,
        2,
    ]
    assert rows[header_at + 2][:5] == ["more.xlsx [Sheet1]", "exports/more.xlsx", SHA_B, "xlsx", "Sheet1"]
    assert rows[header_at + 2][7] == 3
    pairs = [tuple(r[:2]) for r in rows]
    assert ("field", "source header") in pairs
    assert ("customer", "买家会员名") in pairs
    assert ("amount", "买家实际支付金额") in pairs


def test_excluded_continues_on_more_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns, "EXCEL_MAX_ROWS", 3)
    out = tmp_path / "split.xlsx"
    result = make_result(customers=customers_table().slice(0, 2), excluded=excluded_table(5))
    write_result(result, str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "Customers",
        "Summary",
        "Tags",
        "Thresholds",
        "Excluded",
        "Excluded (2)",
        "Excluded (3)",
        "Run",
        "ChartData",
    ]
    rows: list[list[Any]] = []
    for name in ("Excluded", "Excluded (2)", "Excluded (3)"):
        values = sheet_values(book[name])
        assert values[0][:4] == ["file", "row", "reason", "message"]
        assert book[name].freeze_panes == "A2"
        rows.extend(values[1:])
    assert [r[1] for r in rows] == [5, 6, 7, 8, 9]
    assert [len(sheet_values(book[n])) for n in ("Excluded", "Excluded (2)", "Excluded (3)")] == [3, 3, 2]
    assert [book[n].auto_filter.ref for n in ("Excluded", "Excluded (2)", "Excluded (3)")] == [
        "A1:F3",
        "A1:F3",
        "A1:F2",
    ]
    note = ("5 excluded rows are more than one Excel sheet holds (2 rows below the header), so they are on 3 sheets, "
            "'Excluded' to 'Excluded (3)'; write .csv or .parquet to get them in one table")
    assert workbook_notes(result) == [note]
    assert note in [v for row in sheet_values(book["Summary"]) for v in row]
    assert note not in result.notes  # writing leaves the result as it was


def test_empty_excluded_still_gets_a_sheet(tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    write_result(make_result(excluded=excluded_table(0)), str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Customers", "Summary", "Tags", "Thresholds", "Excluded", "Run", "ChartData"]
    assert sheet_values(book["Excluded"]) == [["file", "row", "reason", "message", "订单编号", "买家会员名"]]


def test_customers_continue_on_more_sheets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columns, "EXCEL_MAX_ROWS", 3)
    rows = 7
    customers = pa.table(
        {
            "customer_id": pa.array([f"{i:06d}" for i in range(rows)]),
            "monetary": pa.array([Decimal(i) + Decimal("0.25") for i in range(rows)], pa.decimal128(12, 2)),
            "last_order": pa.array([datetime(2024, 1, 1 + i, 8) for i in range(rows)], pa.timestamp("us")),
        }
    )
    result = make_result(customers=customers)
    out = tmp_path / "split.xlsx"
    write_result(result, str(out))
    book = openpyxl.load_workbook(out)
    parts = ["Customers", "Customers (2)", "Customers (3)", "Customers (4)"]
    assert book.sheetnames == [*parts, "Summary", "Thresholds", "Excluded", "Run", "ChartData"]
    written: list[list[Any]] = []
    for name, size in zip(parts, [2, 2, 2, 1], strict=True):
        ws = book[name]
        values = sheet_values(ws)
        assert values[0] == ["customer_id", "monetary", "last_order"]
        assert len(values) == size + 1
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:C{size + 1}"
        assert all(cell.font.b for cell in ws[1])
        assert ws["B2"].number_format == "#,##0.00"
        assert ws["A2"].data_type == "s"
        written.extend(values[1:])
    assert written == [[f"{i:06d}", i + 0.25, datetime(2024, 1, 1 + i, 8)] for i in range(rows)]
    note = (
        "7 customers are more than one Excel sheet holds (2 rows below the header), so they are on 4 sheets, "
        "'Customers' to 'Customers (4)'; write .csv or .parquet to get them in one table"
    )
    assert workbook_notes(result) == [note] and note not in result.notes
    assert [note] in [r[:1] for r in sheet_values(book["Summary"])]


def test_timezone_aware_timestamps(tmp_path: Path) -> None:
    stamp = datetime(2024, 6, 30, 13, 0, tzinfo=UTC)
    customers = pa.table({"id": ["1"], "ts": pa.array([stamp], pa.timestamp("us", tz="Asia/Shanghai"))})
    result = make_result(customers=customers)
    write_result(result, str(tmp_path / "tz.xlsx"))
    assert openpyxl.load_workbook(tmp_path / "tz.xlsx")["Customers"]["B2"].value == datetime(2024, 6, 30, 21)
    buffer = io.BytesIO()
    write_result(result, "-", buffer)
    assert buffer.getvalue().decode().split("\r\n")[1] == "1,2024-06-30 21:00:00+08:00"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_round_trips_exactly(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    customers = pa.table({"id": pa.array(texts)})
    folder = tmp_path_factory.mktemp("prop")
    write_result(make_result(customers=customers), str(folder / "t.xlsx"))
    ws = openpyxl.load_workbook(folder / "t.xlsx")["Customers"]
    assert [ws.cell(i + 2, 1).value for i in range(len(texts))] == texts
    assert {ws.cell(i + 2, 1).data_type for i in range(len(texts))} == {"s"}
    buffer = io.BytesIO()
    write_result(make_result(customers=customers), "-", buffer)
    read = [row[0] for row in csv.reader(io.StringIO(buffer.getvalue().decode(), newline=""))][1:]
    unguarded = [
        v[1:] if v[:1] == "'" and t[:1] in "=+-@\t\r" else v for v, t in zip(read, texts, strict=True)
    ]
    assert unguarded == texts


# --- CSV ---------------------------------------------------------------------------------------------------


def test_csv_file_has_bom_and_guards_formulas(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    assert write_result(make_result(), str(out)) == str(out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ",".join(HEADER)
    assert lines[1] == (
        '000123,"\'=HYPERLINK(""http://x"",""y"")",重要客户,20000.50,0.125,2024-06-30 21:15:05,12,1,0'
    )
    assert lines[2] == f"{LONG_ID},小红,普通客户,-5.00,0.0,2023-01-02 08:00:00,1,0,1"
    assert lines[3].endswith(",,,,,3,0,0")
    assert lines[4:] == [""]


def test_csv_round_trips_through_pandas(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    write_result(make_result(), str(out))
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns) == HEADER
    assert list(frame["customer_id"]) == ["000123", LONG_ID, "C3"]
    assert list(frame["nickname"]) == ["'" + FORMULA_NICK, "小红", RICH_LIKE]
    assert list(frame["tier"]) == ["重要客户", "普通客户", ""]
    numbers = pd.read_csv(out, encoding="utf-8-sig")
    assert list(numbers["monetary"].iloc[:2]) == [20000.5, -5.0]


def test_csv_stdout_is_plain_utf8(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    assert write_result(make_result(), "-", buffer) == "-"
    data = buffer.getvalue()
    assert not data.startswith(b"\xef\xbb\xbf")
    file_out = tmp_path / "c.csv"
    write_result(make_result(), str(file_out))
    assert b"\xef\xbb\xbf" + data == file_out.read_bytes()
    assert list(tmp_path.iterdir()) == [file_out]
    assert not buffer.closed


def test_csv_stdout_defaults_to_sys_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_result(make_result(), "-")
    out = capsysbinary.readouterr().out
    assert out.startswith(b"customer_id,nickname,")
    assert "重要客户".encode() in out


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", '"\'\rx"'),
        ("a=b", "a=b"),
        ("a\rb", '"a\rb"'),
        ("a\nb", '"a\nb"'),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_csv_guard_on_text_cells(text: str, written: str) -> None:
    customers = pa.table({"name": pa.array([text]), "n": pa.array([-5.5])})
    buffer = io.BytesIO()
    write_result(make_result(customers=customers), "-", buffer)
    assert buffer.getvalue().decode() == f"name,n\r\n{written},-5.5\r\n"


def test_csv_header_is_guarded_too() -> None:
    customers = pa.table({"=tag": pa.array([1], pa.int8())})
    buffer = io.BytesIO()
    write_result(make_result(customers=customers), "-", buffer)
    assert buffer.getvalue().decode() == "'=tag\r\n1\r\n"


# --- Parquet and JSON --------------------------------------------------------------------------------------


def test_parquet_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "c.parquet"
    table = customers_table()
    assert write_result(make_result(customers=table), str(out)) == str(out)
    read = pq.read_table(out)
    assert read.schema.equals(table.schema)
    assert read.equals(table)


def test_json_array_of_objects(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    write_result(make_result(), str(out))
    text = out.read_text(encoding="utf-8")
    assert "重要客户" in text
    records = json.loads(text, parse_float=Decimal)
    assert [r["customer_id"] for r in records] == ["000123", LONG_ID, "C3"]
    assert records[0] == {
        "customer_id": "000123",
        "nickname": FORMULA_NICK,
        "tier": "重要客户",
        "monetary": Decimal("20000.50"),
        "refund_rate": Decimal("0.125"),
        "last_order": "2024-06-30T21:15:05",
        "frequency": 12,
        "高频购买者": 1,
        "价格敏感型": 0,
    }
    assert records[1]["monetary"] == Decimal("-5.00")
    assert records[2]["tier"] is None
    assert records[2]["last_order"] is None


def test_json_empty_table(tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    write_result(make_result(customers=customers_table().slice(0, 0)), str(out))
    assert json.loads(out.read_text()) == []


# --- errors and atomic writes ------------------------------------------------------------------------------


def test_unknown_suffix_message(tmp_path: Path) -> None:
    out = str(tmp_path / "report.txt")
    with pytest.raises(OutputError) as info:
        write_result(make_result(), out)
    assert str(info.value) == f"{out}: unsupported output suffix '.txt' (supported: {SUPPORTED})"
    assert info.value.slug == "output"
    assert list(tmp_path.iterdir()) == []


def test_no_suffix_message(tmp_path: Path) -> None:
    out = str(tmp_path / "report")
    with pytest.raises(OutputError) as info:
        write_result(make_result(), out)
    assert str(info.value) == f"{out}: the output has no suffix (supported: {SUPPORTED})"


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    out = tmp_path / "UPPER.CSV"
    write_result(make_result(), str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_missing_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    out = str(missing / "out.xlsx")
    with pytest.raises(OutputError) as info:
        write_result(make_result(), out)
    assert str(info.value) == (f"{out}: the output directory '{missing}' does not exist; create it first, "
                                "or write elsewhere")


def test_output_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        write_result(make_result(), str(tmp_path / "d.csv"))


def _fail_after(calls: int, exc: BaseException) -> Any:
    count = {"n": 0}

    def check() -> None:
        count["n"] += 1
        if count["n"] > calls:
            raise exc

    return check


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
@pytest.mark.parametrize("existing", [False, True])
def test_workbook_failure_mid_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, existing: bool
) -> None:
    out = tmp_path / "out.xlsx"
    if existing:
        out.write_bytes(b"previous run")
    check = _fail_after(20, exc)
    original = Worksheet.write_string

    def failing(self: Worksheet, *args: Any, **kwargs: Any) -> Any:
        check()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Worksheet, "write_string", failing)
    with pytest.raises(type(exc)):
        write_result(make_result(excluded=excluded_table(30)), str(out))
    assert list(tmp_path.iterdir()) == ([out] if existing else [])
    if existing:
        assert out.read_bytes() == b"previous run"


@pytest.mark.parametrize("existing", [False, True])
def test_csv_failure_mid_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    out = tmp_path / "out.csv"
    if existing:
        out.write_text("previous run")
    monkeypatch.setattr(values, "BATCH_ROWS", 1)
    check = _fail_after(len(HEADER) * 2, RuntimeError("boom"))
    original = writers._csv_values

    def failing(array: pa.Array, kind: str) -> list[Any]:
        check()
        return original(array, kind)

    monkeypatch.setattr(writers, "_csv_values", failing)
    with pytest.raises(RuntimeError, match="boom"):
        write_result(make_result(), str(out))
    assert list(tmp_path.iterdir()) == ([out] if existing else [])
    if existing:
        assert out.read_text() == "previous run"


@pytest.mark.parametrize(("suffix", "worker"), [(".parquet", "_write_parquet"), (".json", "_write_json")])
def test_partial_file_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, worker: str
) -> None:
    out = tmp_path / f"out{suffix}"
    out.write_text("previous run")

    def partial(result: Result, path: Path, lang: str, progress: object, scratch: object) -> None:
        path.write_text("half")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(writers, worker, partial)
    with pytest.raises(OutputError) as info:
        write_result(make_result(), str(out))
    assert str(info.value) == f"{out}: can't write the output: No space left on device"
    assert list(tmp_path.iterdir()) == [out]
    assert out.read_text() == "previous run"


def test_failed_replace_is_an_output_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "locked.xlsx"

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError) as info:
        write_result(make_result(), str(out))
    assert str(info.value) == (
        f"{out}: can't replace the output: Permission denied; is it open in another program?"
    )
    assert list(tmp_path.iterdir()) == []


class RowCounter:
    """A Progress that adds up the rows it is told of."""

    def __init__(self) -> None:
        self.rows = 0

    def start(self, phase: str, total: int | None = None) -> None:
        raise AssertionError("the writer reports within the caller's phase")

    def advance(self, amount: int = 1) -> None:
        self.rows += amount

    def partial(self, fraction: float) -> None:
        pass

    def end(self) -> None:
        pass


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet", ".json"])
def test_writing_reports_every_row_written(tmp_path: Path, suffix: str) -> None:
    result = make_result()
    counter = RowCounter()
    out = str(tmp_path / f"out{suffix}")
    write_result(result, out, progress=counter)
    expected = result.customers.num_rows + (result.excluded.num_rows if suffix == ".xlsx" else 0)
    assert result.excluded.num_rows > 0
    assert counter.rows == writers.rows_to_write(result, out) == expected
