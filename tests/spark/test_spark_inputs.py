"""Spark reads each input into the view the local reader makes in DuckDB: same headers, header row, encoding,
delimiter and types, and, ordered by `__row`, the same rows (every column, `__row` and `c_extra` included).

Each file is read twice — by `tiercli.sources.readers` (DuckDB) and by `open_spark_input` attached to a stand-in
database holding the session — and the two compared; the hand-written files are also compared with their rows
written out here. Inputs that have no local counterpart (a Parquet folder, a catalog table) are compared with
rows and numbers worked out in the test.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import importlib.util
import itertools
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tiercli.errors import InputError, Location
from tiercli.messages import say
from tiercli.profiles.detect import header_score
from tiercli.sources import spark_inputs
from tiercli.sources.readers import RawTable, open_file, read_files
from tiercli.sources.spark_inputs import open_spark_input

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

REPO = Path(__file__).resolve().parents[2]
PLATFORMS = REPO / "tests" / "fixtures" / "platforms"
TEXT_FILES = sorted([*PLATFORMS.glob("*.csv"), *PLATFORMS.glob("*.txt"), *(REPO / "sample_data").glob("*.csv")])
ALIGNED = PLATFORMS / "uci_online_retail_ii_aligned.txt"  # text aligned with spaces: Spark asks for a CSV
_views = itertools.count()


@dataclasses.dataclass
class Host:
    """The database a Spark input attaches to: all it needs is the session."""

    session: Any


def spark_read(spark: Any, spec: str, **options: Any) -> tuple[RawTable, list[tuple[Any, ...]], list[str]]:
    """The RawTable, the view's rows ordered by __row, and its columns."""
    raw = open_spark_input(spec, spark, header_score=header_score, **options).attach(Host(spark), view := f"si_{next(_views)}")
    frame = spark.table(view).orderBy("__row")
    return raw, [tuple(normal(v) for v in row) for row in frame.collect()], frame.columns


def local_read(path: Path, folder: Path) -> tuple[RawTable, list[tuple[Any, ...]], list[str]]:
    db, [raw] = read_files([str(path)], folder, header_score=header_score)
    cursor = db.execute(f"SELECT * FROM {raw.table} ORDER BY __row")
    return raw, [tuple(normal(v) for v in row) for row in cursor.fetchall()], [d[0] for d in cursor.description]


def normal(value: Any) -> Any:
    """A time as the instant it is (DuckDB gives a TIMESTAMPTZ with its zone, Spark in local time)."""
    return value.timestamp() if isinstance(value, dt.datetime) else value


def fields(raw: RawTable) -> dict[str, Any]:
    return {k: v for k, v in vars(raw).items() if k not in ("hasher", "table", "path")}


def assert_same_as_local(spark: Any, path: Path, folder: Path) -> RawTable:
    local, local_rows, local_columns = local_read(path, folder)
    ours, rows, columns = spark_read(spark, str(path))
    assert fields(ours) == fields(local)
    assert ours.path == str(path)
    assert columns == local_columns
    assert rows == local_rows
    assert ours.sha256 == local.sha256
    return ours


# --- text files --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [p for p in TEXT_FILES if p != ALIGNED], ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_text_fixture_reads_as_locally(spark: Any, path: Path, tmp_path: Path) -> None:
    assert_same_as_local(spark, path, tmp_path)


def test_text_aligned_with_spaces_asks_for_a_csv(spark: Any) -> None:
    with pytest.raises(InputError) as caught:
        open_spark_input(str(ALIGNED), spark)
    assert caught.value.message == say("sources.spark.aligned_text")
    assert caught.value.location == Location(file=str(ALIGNED))


# Title rows, a blank line above the header and between rows, a quoted cell holding a blank line and line breaks,
# a row of spaces, a row of empty cells (dropped), one with an extra cell, doubled quotes, blank lines at the end.
TRICKY = ('Orders report\n\nid,name,amount,city,note\n1,"Ann\n\nSmith",10,X,n\n\n2,Bob,20,Y,n,surprise\n  \n3,,,,\n'
          ',,,,\n"",,,,\n4,"say ""hi""",40,Z,"two\nlines"\n\n\n')
TRICKY_ROWS = [  # c0..c4, c_extra, __row: rows as a spreadsheet numbers them (title 1, blank 2, header 3)
    ("1", "Ann{nl}{nl}Smith", "10", "X", "n", None, 4),
    ("2", "Bob", "20", "Y", "n", "surprise", 6),
    ("  ", None, None, None, None, None, 7),
    ("3", None, None, None, None, None, 8),
    ("4", 'say "hi"', "40", "Z", "two{nl}lines", None, 11),
]


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_blank_lines_quoted_breaks_and_extra_cells(spark: Any, tmp_path: Path, line_break: str) -> None:
    path = tmp_path / "tricky.csv"
    path.write_bytes(TRICKY.replace("\n", line_break).encode())
    if line_break != "\r":  # the local reader looks for blank lines as \\n\\n: in a \\r file it numbers the rows
        assert_same_as_local(spark, path, tmp_path)  # after a blank line one short
    raw, rows, columns = spark_read(spark, str(path))
    assert columns == ["c0", "c1", "c2", "c3", "c4", "c_extra", "__row"]
    assert rows == [tuple(c.format(nl=line_break) if isinstance(c, str) else c for c in r) for r in TRICKY_ROWS]
    assert (raw.headers, raw.header_row, raw.delimiter, raw.extra) == (["id", "name", "amount", "city", "note"], 3,
                                                                       ",", True)


def test_lines_ending_in_both_ways(spark: Any, tmp_path: Path) -> None:
    """Some lines end in \\r\\n, some in \\n (and a cell written in Excel holds a \\n): read as DuckDB reads them."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'id,name,amount\r\n1,"a\nb",10\n2,b,\r\n\r\n3,"c\r\nd",30,\n4,"d"\r\n')
    assert_same_as_local(spark, path, tmp_path)
    _, rows, _ = spark_read(spark, str(path))
    assert rows == [("1", "a\nb", "10", None, 2), ("2", "b", None, None, 3), ("3", "c\r\nd", "30", None, 5),
                    ("4", "d", None, None, 6)]


def test_blank_lines_only_above_the_header_and_at_the_end(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "above.csv"
    path.write_text("Report\n\n\nid;name;amount\n1;a;10\n2;b;20\n\n\n", encoding="utf-8")
    assert_same_as_local(spark, path, tmp_path)
    _, rows, _ = spark_read(spark, str(path))
    assert rows == [("1", "a", "10", None, 5), ("2", "b", "20", None, 6)]


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_text(spark: Any, tmp_path: Path, order: str) -> None:
    bom = codecs.BOM_UTF16_LE if order == "utf-16-le" else codecs.BOM_UTF16_BE
    path = tmp_path / "unicode.txt"
    path.write_bytes(bom + 'id\tname\tamount\r\n1\t"x\r\ny"\t10\r\n2\t张三\t20\r\n'.encode(order))
    raw = assert_same_as_local(spark, path, tmp_path)
    assert raw.encoding == "UTF-16"
    _, rows, _ = spark_read(spark, str(path))
    assert rows == [("1", "x\r\ny", "10", None, 2), ("2", "张三", "20", None, 3)]


def test_utf16_with_blank_lines(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "id\tname\r\n1\ta\r\n\r\n2\tb\r\n".encode("utf-16-le"))
    assert_same_as_local(spark, path, tmp_path)
    assert spark_read(spark, str(path))[1] == [("1", "a", None, 2), ("2", "b", None, 4)]


def test_utf16_with_empty_lines_between_rows_asks_for_utf8(spark: Any, tmp_path: Path) -> None:
    """Lines ending in \\n alone: Spark skips an empty one, and its quotes can't be counted in UTF-16 bytes."""
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "id\tname\n1\ta\n\n2\tb\n".encode("utf-16-le"))
    with pytest.raises(InputError) as caught:
        spark_read(spark, str(path))
    assert caught.value.message == say("sources.spark.utf16_blank_lines")


def test_bytes_that_are_not_utf8_further_down(spark: Any, tmp_path: Path) -> None:
    """Past the sample the encoding was chosen from: the local reader's message, with the same line."""
    path = tmp_path / "orders.csv"
    path.write_bytes(b"id,a,b\n" + (b"x" * 90 + b",1,2\n") * 12_000 + b"\xff\xfe,1,2\ny,3,4\n")
    with pytest.raises(InputError) as local:
        local_read(path, tmp_path)
    with pytest.raises(InputError) as ours:
        spark_read(spark, str(path))
    assert ours.value.message == local.value.message
    assert ours.value.message == say("sources.bad_bytes_further_down", where=say("sources.on_line", line=12_002))
    assert ours.value.slug == "bad_encoding"


def test_bytes_a_legacy_encoding_does_not_define(spark: Any, tmp_path: Path) -> None:
    """cp1252 leaves 0x81 undefined: both readers stop (Spark names the row it is on)."""
    path = tmp_path / "orders.csv"
    path.write_bytes("id,a,b\nété,1,2\n".encode("cp1252") + (b"x" * 90 + b",1,2\n") * 12_000 + b"\x81,1,2\n")
    with pytest.raises(InputError) as local:
        local_read(path, tmp_path)
    with pytest.raises(InputError) as ours:
        spark_read(spark, str(path))
    assert local.value.slug == ours.value.slug == "bad_encoding"
    assert ours.value.message == say("sources.bad_bytes_further_down", where=say("sources.on_line", line=12_003))


@pytest.mark.parametrize("name", ["taobao_orders_gb18030.csv", "amazon_order_report_jp_sjis.txt",
                                  "shopify_orders_export.csv"])
def test_a_remote_file_is_sampled_through_spark(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                name: str) -> None:
    """A file not on this machine: its first lines come through Spark's text source; no sha256 here."""
    path = REPO / "sample_data" / name if name == "shopify_orders_export.csv" else PLATFORMS / name
    assert path.stat().st_size > 1 << 20 or name != "shopify_orders_export.csv"  # longer than the sample
    place = spark_inputs._place
    monkeypatch.setattr(spark_inputs, "_place", lambda spec, shown: dataclasses.replace(place(spec, shown), local=None))
    local, local_rows, _ = local_read(path, tmp_path)
    ours, rows, _ = spark_read(spark, str(path))
    assert fields(ours) == fields(local)
    assert rows == local_rows
    assert ours.sha256 == ""


def test_a_remote_utf16_file(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Report\r\nid\tname\r\n1\t张三\r\n2\tb\r\n".encode("utf-16-le"))
    place = spark_inputs._place
    monkeypatch.setattr(spark_inputs, "_place", lambda spec, shown: dataclasses.replace(place(spec, shown), local=None))
    raw, rows, _ = spark_read(spark, str(path))
    assert (raw.headers, raw.header_row, raw.encoding, raw.delimiter) == (["id", "name"], 2, "UTF-16", "\t")
    assert rows == [("1", "张三", None, 3), ("2", "b", None, 4)]


def test_a_remote_folder_of_csv_parts(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Spark writes as `orders.csv`: a folder of parts, each with its header; asked for one file."""
    folder = tmp_path / "orders.csv"
    folder.mkdir()
    for part in ("part-0.csv", "part-1.csv"):
        (folder / part).write_text("id,amount\n1,10\n", encoding="utf-8")
    place = spark_inputs._place
    monkeypatch.setattr(spark_inputs, "_place", lambda spec, shown: dataclasses.replace(place(spec, shown), local=None))
    with pytest.raises(InputError) as caught:
        spark_read(spark, str(folder))
    assert caught.value.message == say("sources.is_a_folder", what=say("sources.a_file"),
                                       inside=say("sources.order_export"))


def test_a_file_url_and_a_name_spark_would_take_for_a_pattern(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders [2024] {a}*.csv"
    path.write_text("id,amount\n1,10\n", encoding="utf-8")
    assert spark_read(spark, str(path))[1] == [("1", "10", None, 2)]
    assert spark_read(spark, path.as_uri())[1] == [("1", "10", None, 2)]


# --- Parquet -----------------------------------------------------------------------------------------------------

TYPED = pa.table({
    " Order ID ": ["a", "b", None],
    "quantity": pa.array([1, 2, None], pa.int64()),
    "price": [1.5, None, 2.25],
    "amount": pa.array([Decimal("1.10"), None, Decimal("3.00")], pa.decimal128(18, 2)),
    "paid": pa.array([dt.datetime(2024, 1, 1, 10), None, dt.datetime(2024, 2, 1)], pa.timestamp("us")),
    "paid_utc": pa.array([dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC), None, None], pa.timestamp("us", tz="UTC")),
    "day": pa.array([dt.date(2024, 1, 1), None, None], pa.date32()),
    "member": [True, None, False],
    "points": pa.array([1, 2, 3], pa.int32()),
    "rate": pa.array([1.5, 2, 3], pa.float32()),
})
TYPED_DUCKDB = {"c1": "BIGINT", "c2": "DOUBLE", "c3": "DECIMAL(18,2)", "c4": "TIMESTAMP",
                "c5": "TIMESTAMP WITH TIME ZONE", "c6": "DATE", "c7": "BOOLEAN", "c8": "INTEGER", "c9": "FLOAT"}


def test_parquet_with_types(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    pq.write_table(TYPED, path, row_group_size=2)
    raw = assert_same_as_local(spark, path, tmp_path)
    assert raw.typed == TYPED_DUCKDB
    assert raw.headers[0] == "Order ID"
    assert raw.rows == 3


@pytest.mark.parametrize("name", ["shopify_orders_export.csv", "uci_online_retail.csv"])
def test_parquet_written_from_a_fixture(spark: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(pacsv.read_csv(PLATFORMS / name), path, coerce_timestamps="us", row_group_size=4)
    assert_same_as_local(spark, path, tmp_path)


def test_a_parquet_folder_numbers_rows_file_after_file(spark: Any, tmp_path: Path) -> None:
    """Files in path order, rows in file order: 2 + the rows of the files before + the row's place in its file."""
    folder = tmp_path / "orders"
    folder.mkdir()
    pq.write_table(TYPED, folder / "part-2.parquet", row_group_size=2)
    pq.write_table(TYPED.slice(0, 2), folder / "part-1.parquet")
    raw, rows, columns = spark_read(spark, str(folder))
    assert (raw.kind, raw.name, raw.rows, raw.header_row, raw.typed, raw.sha256) == ("parquet", "orders", 5, 1,
                                                                                     TYPED_DUCKDB, "")
    assert columns == [f"c{i}" for i in range(10)] + ["__row"]
    assert [(r[0], r[1], r[-1]) for r in rows] == [("a", 1, 2), ("b", 2, 3), ("a", 1, 4), ("b", 2, 5), (None, None, 6)]


def test_nanosecond_times_ask_for_microseconds(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "ns.parquet"
    pq.write_table(pa.table({"t": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("ns"))}), path)
    with pytest.raises(InputError) as caught:
        open_spark_input(str(path), spark)
    assert caught.value.message == say("sources.spark.nanosecond_timestamps")


# --- catalog tables ----------------------------------------------------------------------------------------------

def test_a_table_over_parquet(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    pq.write_table(TYPED, path)
    spark.read.parquet(str(path)).createOrReplaceTempView("spark_inputs_orders")
    raw, rows, _ = spark_read(spark, "table:spark_inputs_orders")
    assert (raw.path, raw.name, raw.kind, raw.rows, raw.header_row, raw.typed, raw.sha256) == (
        "table:spark_inputs_orders", "spark_inputs_orders", "table", 3, 1, TYPED_DUCKDB, "")
    assert raw.headers == ["Order ID", "quantity", "price", "amount", "paid", "paid_utc", "day", "member", "points",
                           "rate"]
    assert [(r[0], r[1], r[-1]) for r in rows] == [("a", 1, 2), ("b", 2, 3), (None, None, 4)]


def test_a_table_without_files_is_numbered_by_partition(spark: Any) -> None:
    frame = spark.createDataFrame([(i, f"c{i}") for i in range(7)], "n long, customer string").repartition(3)
    frame.createOrReplaceTempView("spark_inputs_memory")
    raw, rows, _ = spark_read(spark, "table:spark_inputs_memory")
    assert (raw.headers, raw.rows, raw.typed) == (["n", "customer"], 7, {"c0": "BIGINT"})
    assert sorted(r[0] for r in rows) == list(range(7))
    assert [r[-1] for r in rows] == list(range(2, 9))  # every row a number of its own, from 2
    again = spark.table(f"si_{next(_views) - 1}").orderBy("__row").collect()
    assert [tuple(r) for r in again] == rows  # kept: the same numbers on every read


def test_an_unknown_table(spark: Any) -> None:
    warehouse = Path(urlsplit(spark.conf.get("spark.sql.warehouse.dir")).path)
    existed = warehouse.exists()  # looking a table up in the catalog makes Spark create its default database's folder
    try:
        with pytest.raises(InputError) as caught:
            open_spark_input("table:nowhere.orders", spark)
    finally:
        if not existed:
            shutil.rmtree(warehouse, ignore_errors=True)
    assert caught.value.message == say("sources.spark.no_such_table", name="nowhere.orders")
    assert caught.value.location == Location(file="table:nowhere.orders")


# --- errors ------------------------------------------------------------------------------------------------------

def local_error(path: Path, folder: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        open_file(str(path), folder)
    return caught.value


def spark_error(spark: Any, path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        open_spark_input(str(path), spark)
    return caught.value


def test_a_missing_file_is_named_as_locally(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "no such orders.csv"
    ours, local = spark_error(spark, path), local_error(path, tmp_path)
    assert (ours.message, ours.location, ours.slug) == (local.message, local.location, local.slug)
    assert ours.location == Location(file=str(path)) and ours.slug == "file_not_found"


@pytest.mark.parametrize("content", [b"", b"\n\n\r\n"], ids=["empty", "blank-lines"])
def test_an_empty_file_is_named_as_locally(spark: Any, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    ours, local = spark_error(spark, path), local_error(path, tmp_path)
    assert (ours.message, ours.location, ours.slug) == (local.message, local.location, local.slug)


def test_a_file_without_a_header_is_named_as_locally(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(",,\n,,\n", encoding="utf-8")
    ours, local = spark_error(spark, path), local_error(path, tmp_path)
    assert (ours.message, ours.location, ours.slug) == (local.message, local.location, local.slug)


def test_a_broken_parquet_file(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    path.write_bytes(b"PAR1 not really")
    ours = spark_error(spark, path)
    assert ours.slug == "not_a_table" and ours.location == Location(file=str(path))
    assert str(ours).startswith(f"{path}: can't be read as Parquet: ")


def test_a_workbook_asks_for_a_csv(spark: Any) -> None:
    ours = spark_error(spark, PLATFORMS / "qianniu_orders.xlsx")
    assert ours.message == say("sources.spark.workbook")


def test_a_folder_without_parquet_files(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("id\n1\n", encoding="utf-8")
    assert spark_error(spark, tmp_path).message == say("sources.is_a_folder", what=say("sources.a_file"),
                                                       inside=say("sources.order_export"))


@pytest.mark.skipif(importlib.util.find_spec("delta") is not None, reason="delta-spark is installed")
def test_a_delta_folder_without_delta_support(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "_delta_log").mkdir()
    assert spark_error(spark, tmp_path).message == say("sources.spark.no_delta")


def test_tiercli_imports_without_pyspark() -> None:
    code = "import sys, tiercli.sources.spark_inputs; print('pyspark' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
