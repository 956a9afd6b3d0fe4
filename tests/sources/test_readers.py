"""Readers: encodings, header rows below titles, row numbers as Excel shows them, Excel and Parquet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from conftest import classify, read_raw, rows_by_customer, shared_file, write
from tiercli.errors import InputError
from tiercli.sources.readers import EXTRA, WHITESPACE, detect_delimiter, detect_encoding


def _read(path: Path, **kw: object) -> tuple[list, list[tuple]]:
    con, raw = read_raw(path, **kw)
    return [raw], con.execute(f"SELECT * EXCLUDE ({EXTRA}) FROM {raw.table} ORDER BY __row").fetchall()


def test_gbk_csv_with_title_rows_and_multiline_cells(tmp_path: Path) -> None:
    text = ("店铺订单导出\n\n订单编号,买家会员名,订单付款时间,买家实际支付金额\n"
            '="0012345678901234567",张三,2024-01-01 10:00:00,"1,000.50"\n'
            '2,"李\n四",2024-01-02 10:00:00,5\n'
            "3,王五,2024-01-03 10:00:00,6\n")
    path = write(tmp_path, "orders.csv", text, encoding="gb18030")
    (raw,), rows = _read(path)
    assert raw.encoding == "GB18030"
    assert raw.header_row == 3
    assert raw.headers == ["订单编号", "买家会员名", "订单付款时间", "买家实际支付金额"]
    assert [r[-1] for r in rows] == [4, 5, 6]
    assert rows[0][0] == '="0012345678901234567"'
    assert rows[1][1] == "李\n四"


def test_utf8_bom_semicolons_and_trailing_space_headers(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_bytes("\ufeffcustomer ;order_date;amount\nc1;2024-01-01;5\n".encode())
    (raw,), rows = _read(path)
    assert (raw.encoding, raw.delimiter, raw.headers) == ("UTF-8 with BOM", ";", ["customer", "order_date", "amount"])
    assert rows == [("c1", "2024-01-01", "5", 2)]


def test_encoding_detection() -> None:
    assert detect_encoding("订单".encode("gb18030")) == "gb18030"
    assert detect_encoding("Café crème".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"plain") == "utf-8"
    assert detect_delimiter(["a\tb\tc\n", "1\t2\t3\n"]) == "\t"


def test_xlsx_title_row_blank_rows_and_text_ids(tmp_path: Path) -> None:
    path = tmp_path / "orders.xlsx"
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    ws = wb.add_worksheet("订单")
    ws.write_row(0, 0, ["拼多多订单导出"])
    ws.write_row(1, 0, ["订单编号", "买家会员名", "订单付款时间", "买家实际支付金额"])
    ws.write_row(2, 0, ["000123", "a", "2024-01-01 10:00:00", 12.5])
    ws.write_string(4, 0, "1234567890123456789")
    ws.write_string(4, 1, "b")
    ws.write_datetime(4, 2, dt.datetime(2024, 1, 2, 3, 4, 5), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    ws.write_number(4, 3, 7)
    wb.close()
    (raw,), rows = _read(path)
    assert (raw.header_row, raw.sheet, raw.name) == (2, "订单", "orders.xlsx [订单]")
    assert rows == [("000123", "a", "2024-01-01 10:00:00", "12.5", 3),
                    ("1234567890123456789", "b", "2024-01-02 03:04:05", "7", 5)]


def test_unknown_sheet_names_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Year 2010").write_row(0, 0, ["a"])
    wb.close()
    with pytest.raises(Exception) as info:
        _read(path, sheet="Year 2011")
    assert str(info.value) == (f"{path}: has no sheet 'Year 2011'; choose one of its sheets with --sheet: "
                                "Year 2010")


def test_parquet_keeps_types_and_counts_rows(tmp_path: Path) -> None:
    path = tmp_path / "o.parquet"
    pq.write_table(pa.table({
        "customer_id": ["c1", "c1", "c2"],
        "order_date": pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 2)]),
        "amount": [10.5, 20.0, 3.0],
    }), path)
    customers = rows_by_customer(classify(path))
    assert customers["c1"]["monetary"] == pytest.approx(30.5)
    assert customers["c1"]["last_order"] == dt.datetime(2024, 2, 1)


def test_binary_file_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputError) as info:
        _read(path)
    assert str(info.value) == f"{path}: is not a text file (binary content); export it as CSV or XLSX"


def test_real_taobao_gbk_order_report_matches_its_utf8_copy() -> None:
    gbk = shared_file("exports", "taobao_2017_ExportOrderList_excerpt.gbk.csv")
    utf8 = shared_file("exports", "taobao_2017_ExportOrderList_excerpt.utf8.csv")
    a, b = classify(gbk), classify(utf8)
    assert a.inputs[0].encoding == "GB18030" and a.inputs[0].platform == "tmall-order-report"
    assert a.customers.to_pylist() == b.customers.to_pylist()
    assert a.rows_read == a.rows_used + a.rows_excluded


def test_real_uci_sample_xlsx_reads_every_row() -> None:
    path = shared_file("uci_online_retail", "online_retail_sample40k_moatazsaad.xlsx")
    result = classify(path)
    assert result.inputs[0].platform == "uci-online-retail"
    assert result.rows_read == 40_000
    assert result.rows_used + result.rows_excluded == 40_000
    assert result.excluded_by_reason["missing_customer"] == 10_057


def test_blank_lines_keep_the_row_numbers_a_spreadsheet_shows(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", 'customer,order_date,amount\nc1,2024-01-01,5\n\nc2,2024-01-02,"a\n\nb"\n\n'
                 "c3,2024-01-03,7\n")
    _, rows = _read(path)
    assert [(r[0], r[-1]) for r in rows] == [("c1", 2), ("c2", 4), ("c3", 6)]  # a quoted cell stays one row
    assert rows[1][2] == "a\n\nb"


def test_shift_jis_is_detected_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "amazon.txt"
    path.write_bytes("注文番号\t購入者名\t購入日\t金額\n250-1\tやまだ たろう\t2024-01-02\t1200\n".encode("cp932"))
    (raw,), rows = _read(path)
    assert (raw.encoding, raw.delimiter) == ("Shift_JIS", "\t")
    assert raw.headers == ["注文番号", "購入者名", "購入日", "金額"]
    assert rows == [("250-1", "やまだ たろう", "2024-01-02", "1200", 2)]


def test_whitespace_aligned_text_is_split_into_columns(tmp_path: Path) -> None:
    lines = ["customer    order date           amount", "c1          2024-01-01 10:00     5.00",
             "c22         2024-01-02 11:30    17.50"]
    assert detect_delimiter([line + "\n" for line in lines]) == WHITESPACE
    path = write(tmp_path, "report.txt", "\n".join(lines) + "\n")
    (raw,), rows = _read(path)
    assert (raw.delimiter, raw.headers) == ("whitespace", ["customer", "order date", "amount"])
    assert rows == [("c1", "2024-01-01 10:00", "5.00", 2), ("c22", "2024-01-02 11:30", "17.50", 3)]


def test_cells_beyond_the_header_are_kept_apart(tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", "customer,order_date,amount\nc1,2024-01-01,5,\nc2,2024-01-02,6,oops,more\n")
    con, raw = read_raw(path)
    assert con.execute(f"SELECT c0, {EXTRA}, __row FROM {raw.table} ORDER BY __row").fetchall() == [
        ("c1", None, 2), ("c2", "oops", 3)]


def test_gb18030_text_that_happens_to_be_valid_utf8_is_still_gb18030() -> None:
    """`0.00元` in GB18030 is valid UTF-8 (`0.00Ԫ`); a word with an accent is not taken for Chinese."""
    assert detect_encoding("customer,amount\nc1,0.00元\nc2,5.00元\n".encode("gb18030")) == "gb18030"
    assert detect_encoding("kunde,betrag\nMüller,5\n".encode()) == "utf-8"
    assert detect_encoding("клиент,сумма\nИван,5\n".encode()) == "utf-8"
    assert detect_encoding("customer,amount\nc1,¥5.00\n".encode()) == "utf-8"


def test_row_numbers_follow_the_file_over_many_parallel_blocks(tmp_path: Path) -> None:
    # ~70 MB: DuckDB reads a CSV in blocks of a few tens of MB on each core; every row must keep its place
    lines, width = 1_000_000, 60
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("customer,order_id,note\n")
        out.writelines(f"c{i % 997},{i},{'x' * (width - len(str(i)))}\n" for i in range(lines))
    db, raw = read_raw(path, threads=2)
    wrong = db.execute(f"SELECT count(*), count(*) FILTER (WHERE CAST(c1 AS BIGINT) + 2 <> __row), max(__row) "
                       f"FROM {raw.table}").fetchone()
    assert wrong == (lines, 0, lines + 1)
