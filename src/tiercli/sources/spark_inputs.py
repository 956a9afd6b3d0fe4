"""Inputs read by Spark (`classify --engine spark`): each becomes a Spark temp view holding what the local reader's
DuckDB view holds for the same file, so the cleaning runs over it unchanged.

An input is a CSV/TSV/TXT file, a Parquet file or folder, a Delta folder, or a catalog table (`table:db.name`); a
path is local or any URL Spark reads (s3a://, hdfs://, file://). The view has the local view's columns: `c0…cN`
(text for CSV, typed for Parquet, Delta and tables, renamed by position so no header is ever written into SQL),
`c_extra` for CSV (the first cell beyond the header's width, NULL when none) and `__row`, numbered as locally.

- **CSV.** Encoding, delimiter and header row are decided as `readers.open_csv` decides them, on the first
  `SAMPLE_BYTES` bytes: read in Python for a file on this machine, else the first lines through Spark's text
  source (their bytes as they are in the file). Spark's CSV reader reads the cells (all text, `"` as quote and
  escape, multiLine, so a file is one partition read in record order; no row reaches the driver), with the
  first line's line break, so that a quoted cell keeps its own as DuckDB does. Spark 4 takes GB18030,
  Shift_JIS and cp1252 only with `spark.sql.legacy.javaCharsets` on: attaching such a file turns it on.
  `__row` is the record's place in the file counting title rows and blank lines, as a spreadsheet shows it.
  Spark skips blank lines, so one parallel pass over the file's lines (Spark's text source) counts them and
  checks that UTF-8 is valid; when blank lines stand between the rows (not just above the header or at the end),
  each record is matched to its line: a line starts a record when the quotes before it are balanced (as
  `readers._rewrite` tells it). The cells are numbered, spread over the cluster and kept (persisted, computed
  once at attach), as the local reader keeps a CSV's cells in a table. Text aligned in columns with spaces, and
  a UTF-16 file with blank lines between its rows, stop with a message asking for a CSV.
- **Parquet, Delta, tables.** `__row` is 2 + the row's place: Spark's `_metadata.row_index` (the row's place in its
  file) after the rows of the files before it (files in path order), as `file_row_number` + 2 numbers a single
  file locally. A table with no files behind it (a view) is numbered by partition and place in it, and kept.
- **sha256.** A local file's is computed in a thread beside the read (`readers.file_sha256`); a table, a folder or
  a remote file has none here (an empty string): hashing a lake's files would read them all on the driver.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pyarrow as pa
import pyarrow.parquet as pq

from tiercli.database import Database
from tiercli.errors import InputError, Location, first_line
from tiercli.messages import as_is, say
from tiercli.names import readable_name
from tiercli.sources.readers import (
    CSV_SUFFIXES,
    ENCODING_NAMES,
    EXCEL_SUFFIXES,
    EXTRA,
    HEADER_SEARCH_ROWS,
    PARQUET_SUFFIXES,
    SAMPLE_BYTES,
    WHITESPACE,
    HeaderScore,
    Opened,
    RawTable,
    clean_header,
    csv_rows,
    file_kind,
    file_sha256,
    pick_header_row,
    read_sample,
    unique_headers,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType

TABLE_PREFIX = "table:"
SAMPLE_LINES = 200  # lines taken through Spark for a remote file's sample (readers use 200 to find the delimiter)
_JAVA_CHARSETS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030",
                  "shift_jis": "windows-31j", "cp1252": "windows-1252", "latin-1": "ISO-8859-1"}
_SPARK_CHARSETS = {"UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "UTF-32", "US-ASCII", "ISO-8859-1"}
_GLOB = re.compile(r"([\\*?\[\]{}])")
_CONDITION = re.compile(r"\[([A-Z][A-Z0-9_]*)(?:\.[A-Z0-9_]+)?\]")
_BREAKS = re.compile(r"\r\n|\r|\n")
_JAVA_CLASS = re.compile(r"^[:\s]*(?:[\w$]+\.)+[\w$]*(?:Exception|Error):\s*")
_IN_PARTITION = (1 << 33) - 1  # monotonically_increasing_id: partition index << 33 | place in the partition


@runtime_checkable
class SparkHost(Protocol):
    """What attaching needs of the database: its SparkSession (`engine.sparkdb.SparkDatabase` has one)."""

    @property
    def session(self) -> SparkSession: ...


def _session(db: Database | SparkHost) -> SparkSession:
    """The SparkSession of the database an input is attached to: each input here is an `Opened` (its `readable`
    is None: Spark reads the input where it is), attached only to a database that has one."""
    if not isinstance(db, SparkHost):
        raise TypeError("a Spark input is attached to a database with a SparkSession")
    return db.session


class _FileDigest:
    """The sha256 of a file on this machine, computed in a thread while Spark reads the file."""

    def __init__(self, path: Path) -> None:
        self.value = ""
        self.thread = threading.Thread(target=self.run, args=(path,), daemon=True)
        self.thread.start()

    def run(self, path: Path) -> None:
        self.value = file_sha256(path)

    def result(self) -> str:
        self.thread.join()
        return self.value


class _NoDigest:
    """Stands in for the sha256 of what is not one local file (a table, a folder, a remote file): ''."""

    def result(self) -> str:
        return ""


@dataclass(frozen=True)
class _Place:
    spec: str  # as the user typed it
    shown: str
    name: str  # file or table name, as Excluded and Run show it
    spark_path: str  # what Spark is given (a local path absolute, its glob characters escaped)
    local: Path | None  # the path on this machine, when it is one


def open_spark_input(spec: str, session: SparkSession, *, header_score: HeaderScore | None = None,
                     shown: str | None = None) -> Opened:
    """Check and sniff one input for Spark, up to where Spark reads it (`attach`)."""
    shown = shown or readable_name(spec)
    if spec.startswith(TABLE_PREFIX):
        return _open_table(spec[len(TABLE_PREFIX):].strip(), session, shown)
    place = _place(spec, shown)
    kind = _kind(place, session)
    if kind == "csv":
        return _open_csv(place, session, header_score)
    if kind == "delta":
        return _open_delta(place, session)
    if kind == "parquet":
        return _open_parquet(place, session)
    raise InputError(say("sources.spark.workbook"), Location(file=shown), slug="not_a_table")


def _place(spec: str, shown: str) -> _Place:
    parts = urlsplit(spec)
    if len(parts.scheme) <= 1 or parts.scheme == "file":  # a path (or a Windows drive letter), or file://
        local = Path(url2pathname(parts.path)) if parts.scheme == "file" else Path(spec)
        absolute = local.absolute()
        return _Place(spec, shown, readable_name(local.name), _GLOB.sub(r"\\\1", absolute.as_posix()), absolute)
    name = PurePosixPath(parts.path).name or parts.netloc
    return _Place(spec, shown, readable_name(name), spec, None)


def _kind(place: _Place, session: SparkSession) -> str:
    """csv, parquet, delta or a workbook's kind; a local path is checked as `readers` checks one."""
    local = place.local
    if local is not None:
        if not local.exists():
            raise InputError(say("sources.file_not_found", what=say("common.file")), Location(file=place.shown),
                             slug="file_not_found")
        if local.is_dir():
            if (local / "_delta_log").is_dir():
                return "delta"
            if not any(_is_parquet(f) for f in local.rglob("*")):
                raise InputError(say("sources.is_a_folder", what=say("sources.a_file"),
                                     inside=say("sources.order_export")), Location(file=place.shown), slug="not_a_file")
            return "parquet"
        if local.stat().st_size == 0:
            raise InputError(say("sources.empty_file", again=say("sources.export_orders_again")),
                             Location(file=place.shown), slug="empty_file")
        return file_kind(local)
    suffix = PurePosixPath(urlsplit(place.spec).path).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in EXCEL_SUFFIXES:
        return suffix.lstrip(".")
    try:  # a folder: Delta when it has a transaction log (listing it reads nothing)
        session.read.format("text").load(place.spark_path.rstrip("/") + "/_delta_log")
    except Exception as exc:
        if _condition(exc) != "PATH_NOT_FOUND":
            raise _input_error(exc, place, "delta") from exc
        return "parquet"
    return "delta"


def _is_parquet(path: Path) -> bool:
    """A file Spark reads in a Parquet folder (not hidden, not `_…`) that is Parquet."""
    if not path.is_file() or path.name.startswith((".", "_")):
        return False
    with path.open("rb") as fh:
        return fh.read(4) == b"PAR1"


# --- errors ----------------------------------------------------------------------------------------------------

def _condition(exc: BaseException) -> str:
    """Spark's error condition (`PATH_NOT_FOUND` …), from the exception or its message; '' when it has none."""
    get = getattr(exc, "getCondition", None)
    found = get() if callable(get) else None
    if not found:
        match = _CONDITION.search(str(exc))
        found = match.group(1) if match else ""
    return str(found).split(".")[0]


def _reason(exc: BaseException) -> str:
    """Spark's message in one line, without its condition, SQLSTATE or Java class names."""
    lines = [line for line in str(exc).strip().splitlines() if line.strip() and not line.startswith("\t")]
    text = next((line for line in lines if _CONDITION.search(line)), first_line(exc))
    text = _JAVA_CLASS.sub("", _CONDITION.sub("", text))
    return re.sub(r"\s*SQLSTATE: \S+", "", text).strip()


def _input_error(exc: BaseException, place: _Place, kind: str) -> InputError:
    """A Spark error reading `place` in the user's terms."""
    condition = _condition(exc)
    where = Location(file=place.shown)
    if condition == "PATH_NOT_FOUND":
        return InputError(say("sources.file_not_found", what=say("common.file")), where, slug="file_not_found")
    if condition == "PARQUET_TYPE_ILLEGAL" and "NANOS" in str(exc):
        return InputError(say("sources.spark.nanosecond_timestamps"), where, slug="not_a_table")
    shown_kind = say("sources.parquet_kind") if kind == "parquet" else as_is(kind)
    message = say("sources.cant_be_read_as", kind=shown_kind, reason=_reason(exc)) + say("sources.is_it_complete")
    return InputError(message, where, slug="not_a_table")


# --- CSV -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _CsvLayout:
    encoding: str  # Python's name, as detect_encoding gives it
    delimiter: str
    header_index: int  # the header's place among the first rows (blank lines count, as a spreadsheet shows them)
    headers: list[str]
    blank_above: int  # empty lines (which Spark skips) outside quotes, up to the header
    big_endian: bool  # a UTF-16 file's byte order (from its BOM)
    line_break: str  # "\r" for a file whose lines end so (old Macs), else "\n" (with or without "\r" before it)

    def text_break(self, utf16: bool) -> str:
        """The line break as Spark's text source takes it (`lineSep`, written to bytes as UTF-8)."""
        return _utf16_break(self.big_endian, self.line_break) if utf16 else self.line_break


def _local_sample(path: Path) -> tuple[bytes, bool]:
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    return sample, len(sample) < SAMPLE_BYTES


def _remote_sample(place: _Place, session: SparkSession) -> tuple[bytes, bool]:
    """The first lines of a file as Spark reads it, and whether they are the whole file: split at `\\n` (a UTF-16
    file at its own), so that the bytes joined again are the file's (a line longer than SAMPLE_BYTES is cut)."""
    lines, line_break = _first_lines(place, session, "\n"), "\n"
    if lines and lines[0].startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        line_break = _utf16_break(lines[0].startswith(codecs.BOM_UTF16_BE), "\n")
        lines = _first_lines(place, session, line_break)
    sample = b"".join(line + line_break.encode() for line in lines)
    if not sample:
        raise InputError(say("sources.empty_file", again=say("sources.export_orders_again")),
                         Location(file=place.shown), slug="empty_file")
    return sample[:SAMPLE_BYTES], len(lines) < SAMPLE_LINES and len(sample) < SAMPLE_BYTES


def _first_lines(place: _Place, session: SparkSession, line_break: str) -> list[bytes]:
    """The first SAMPLE_LINES lines through Spark's text source, as bytes; `limit` then `collect` reads the first
    partitions only, and keeps their order."""
    from pyspark.sql import functions as F

    try:
        rows = (session.read.option("lineSep", line_break).text(place.spark_path)
                .select(F.substring(F.col("value").cast("binary"), 1, SAMPLE_BYTES).alias("line"))
                .limit(SAMPLE_LINES).collect())
    except Exception as exc:
        raise _input_error(exc, place, "csv") from exc
    return [bytes(r["line"]) for r in rows]


def _utf16_break(big_endian: bool, line_break: str) -> str:
    """A UTF-16 line break as Spark's text source takes it (`lineSep`, written to bytes as UTF-8)."""
    return "\x00" + line_break if big_endian else line_break + "\x00"


def _csv_layout(sample: bytes, whole: bool, shown: str, header_score: HeaderScore | None) -> _CsvLayout:
    """Encoding, delimiter and header of a file from its first bytes, as `readers.open_csv` finds them."""
    encoding, lines, delimiter = read_sample(sample, whole, shown)
    if delimiter == WHITESPACE:
        raise InputError(say("sources.spark.aligned_text"), Location(file=shown), slug="not_a_table")
    parsed = csv_rows(lines[:HEADER_SEARCH_ROWS], delimiter)
    if not parsed or not any(clean_header(c) for row in parsed for c in row):
        raise InputError(say("sources.no_header"), Location(file=shown), slug="no_header")
    header_index = pick_header_row(parsed, header_score)
    headers = unique_headers([clean_header(c) for c in parsed[header_index]])
    line_break = "\r" if lines and lines[0].endswith("\r") else "\n"
    return _CsvLayout(encoding, delimiter, header_index, headers, _empty_lines(lines, parsed[:header_index + 1]),
                      sample.startswith(codecs.BOM_UTF16_BE), line_break)


def _empty_lines(lines: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Lines among those holding `rows` that are nothing but a line break outside quotes, which Spark skips
    (a line of just `\\r\\n` read with `\\n` breaks isn't one: Spark gives it as a row of one empty cell)."""
    count = sum(1 + sum(len(_BREAKS.findall(cell)) for cell in row) for row in rows)
    in_quotes, empty = False, 0
    for line in lines[:count]:
        empty += not in_quotes and line in ("\n", "\r")
        in_quotes ^= line.count('"') % 2 == 1
    return empty


def _open_csv(place: _Place, session: SparkSession, header_score: HeaderScore | None) -> Opened:
    if place.local is not None:
        digest: _FileDigest | _NoDigest = _FileDigest(place.local)
        sample, whole = _local_sample(place.local)
    else:
        digest = _NoDigest()
        sample, whole = _remote_sample(place, session)
    return _SparkCsv(place, digest, _csv_layout(sample, whole, place.shown, header_score))


@dataclass(frozen=True)
class _LineFacts:
    blank_inside: int  # blank lines before the last line that is not blank (those at the end don't count)
    bad_line: int | None  # the first line that is not UTF-8 (1-based), in a UTF-8 file


@dataclass
class _SparkCsv:
    place: _Place
    digest: _FileDigest | _NoDigest
    layout: _CsvLayout
    readable: str | None = None

    @property
    def utf16(self) -> bool:
        return self.layout.encoding == "utf-16"

    def attach(self, db: Database | SparkHost, table: str) -> RawTable:
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        session, layout, shown = _session(db), self.layout, self.place.shown
        facts = self._line_facts(session)
        if facts.bad_line is not None:
            raise InputError(say("sources.bad_bytes_further_down", where=say("sources.on_line", line=facts.bad_line)),
                             Location(file=shown), slug="bad_encoding")
        cells = self._cells(session)
        if facts.blank_inside <= layout.blank_above:  # blank lines only above the header or at the end
            numbered = cells.select("*", (F.col("__k") + 1 + layout.blank_above).alias("__row"))
        elif self.utf16:
            raise InputError(say("sources.spark.utf16_blank_lines"), Location(file=shown), slug="not_a_table")
        else:
            numbered = cells.join(self._record_rows(session), "__k")
        columns = [f"c{i}" for i in range(len(layout.headers))]
        not_blank = F.coalesce(*(F.col(c) for c in [*columns, EXTRA])).isNotNull()  # flat: Spark Connect's plans
        # nest no deeper than its protobuf limit (a chain of ORs over 80 columns does)
        data = (numbered.where((F.col("__row") >= layout.header_index + 2) & not_blank)
                .select(*columns, EXTRA, F.col("__row").cast("bigint").alias("__row")))
        # spread over the cluster (a multiLine file is read by one task) and computed once, here
        partitions = int(session.conf.get("spark.sql.shuffle.partitions") or "200")
        data = data.repartition(partitions).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            bad_row = self._undecodable_row(data, [*columns, EXTRA])
        except Exception as exc:
            data.unpersist()
            raise _input_error(exc, self.place, "csv") from exc
        if bad_row is not None:
            data.unpersist()
            raise InputError(say("sources.bad_bytes_further_down", where=say("sources.on_line", line=bad_row)),
                             Location(file=shown), slug="bad_encoding")
        data.createOrReplaceTempView(table)
        return RawTable(shown, self.place.name, "csv", self.digest, table,
                        layout.headers, None, layout.header_index + 1,
                        encoding=ENCODING_NAMES.get(layout.encoding, layout.encoding.upper()),
                        delimiter=layout.delimiter, extra=True)

    def _lines(self, session: SparkSession) -> DataFrame:
        """The file's lines through Spark's text source (bytes as they are; a UTF-16 file split at its own line
        breaks), with their order (`__id`) and whether each is blank."""
        from pyspark.sql import functions as F

        reader = session.read.option("lineSep", self.layout.text_break(self.utf16))
        try:
            text = reader.text(self.place.spark_path)
        except Exception as exc:
            raise _input_error(exc, self.place, "csv") from exc
        blank = (F.col("value") == "").alias("__blank")  # what Spark's CSV reader skips
        return text.select(F.monotonically_increasing_id().alias("__id"), "value", blank)

    def _line_facts(self, session: SparkSession) -> _LineFacts:
        """Blank lines and the first line that is not UTF-8 (in a UTF-8 file): one parallel pass over the file;
        a second counts the blank lines at the end, when there are any."""
        from pyspark.sql import functions as F

        lines = self._lines(session)
        utf8 = self.layout.encoding in ("utf-8", "utf-8-sig")
        invalid = F.min(F.when(~F.is_valid_utf8("value"), F.col("__id"))) if utf8 else F.lit(None)
        try:
            row = lines.agg(F.count(F.when(F.col("__blank"), 1)).alias("blank"),
                            F.max(F.when(~F.col("__blank"), F.col("__id"))).alias("last"),
                            invalid.alias("invalid")).collect()[0]
            inside, bad = 0, None
            if row["blank"]:
                inside = lines.where(F.col("__blank") & (F.col("__id") < F.lit(row["last"]))).count()
            if row["invalid"] is not None:
                bad = lines.where(F.col("__id") < F.lit(row["invalid"])).count() + 1
        except Exception as exc:
            raise _input_error(exc, self.place, "csv") from exc
        return _LineFacts(inside, bad)

    def _cells(self, session: SparkSession) -> DataFrame:
        """Every record's cells, all text, in file order: `__k` is its place among the records (Spark skips empty
        lines). A multiLine file is one partition, so the id Spark gives is the place. Lines are split at `\\n`,
        so that a file whose lines end in `\\r\\n`, or some in `\\n` and some in `\\r\\n`, and a quoted cell's
        line breaks, read as DuckDB reads them: the `\\r` a record's last cell then ends with is taken off."""
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType, StructField, StructType

        width = len(self.layout.headers)
        charset = _JAVA_CHARSETS.get(self.layout.encoding, self.layout.encoding)
        if charset.upper() not in _SPARK_CHARSETS:  # Spark 4 takes Java's other charsets with this flag only
            session.conf.set("spark.sql.legacy.javaCharsets", "true")
        schema = StructType([StructField(f"c{i}", StringType()) for i in range(width)]
                            + [StructField(EXTRA, StringType())])
        try:
            frame = (session.read.schema(schema)
                     .options(header=False, sep=self.layout.delimiter, quote='"', escape='"', multiLine=True,
                              lineSep=self.layout.line_break, encoding=charset,
                              mode="PERMISSIVE")
                     .csv(self.place.spark_path))
            files = frame.inputFiles()
        except Exception as exc:
            raise _input_error(exc, self.place, "csv") from exc
        if len(files) > 1:  # a folder of CSV parts (as Spark writes one): each has its header and numbers
            raise InputError(say("sources.is_a_folder", what=say("sources.a_file"), inside=say("sources.order_export")),
                             Location(file=self.place.shown), slug="not_a_file")
        if self.layout.line_break == "\n":
            names = [*schema.fieldNames()]
            last = F.greatest(*[F.when(F.col(c).isNotNull(), F.lit(i)) for i, c in enumerate(names)])
            frame = frame.select(*[
                F.when((last == i) & F.col(c).endswith("\r"), F.nullif(F.left(c, F.length(c) - 1), F.lit("")))
                .otherwise(F.col(c)).alias(c) for i, c in enumerate(names)])
        return frame.select("*", F.monotonically_increasing_id().alias("__k"))

    def _record_rows(self, session: SparkSession) -> DataFrame:
        """(`__k`, `__row`) of each record when blank lines stand between them: a line starts a record or is a
        blank row when the quotes before it are balanced; rows are numbered over those lines, records over the
        ones that aren't blank."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        order = Window.orderBy("__id")
        lines = self._lines(session).select(
            "__id", "__blank",
            (F.octet_length("value") - F.octet_length(F.replace("value", F.lit('"'), F.lit("")))).alias("quotes"))
        before = F.coalesce(F.sum("quotes").over(order.rowsBetween(Window.unboundedPreceding, -1)), F.lit(0))
        starts = (lines.select("__id", "__blank", (before % 2 == 0).alias("__start")).where("__start")
                  .select("__id", "__blank", F.row_number().over(order).alias("__row")))
        return (starts.where(~F.col("__blank"))
                .select((F.row_number().over(order) - 1).alias("__k"), "__row"))

    def _undecodable_row(self, data: DataFrame, columns: Sequence[str]) -> int | None:
        """Computes the kept cells; for a file not in UTF-8, the first row holding a character its encoding
        doesn't define (Java reads it as U+FFFD, where the local reader stops)."""
        from pyspark.sql import functions as F

        if self.layout.encoding in ("utf-8", "utf-8-sig"):
            data.count()
            return None
        found = data.agg(F.min(F.when(F.concat_ws("", *columns).contains("\ufffd"), F.col("__row")))).collect()[0][0]
        return None if found is None else int(found)


# --- Parquet, Delta, tables ----------------------------------------------------------------------------------------

def _open_parquet(place: _Place, session: SparkSession) -> Opened:
    try:
        frame = session.read.parquet(place.spark_path)
    except Exception as exc:
        raise _input_error(exc, place, "parquet") from exc
    opened = _frame_input(frame, place, "parquet")
    if place.local is not None and place.local.is_file():  # pyarrow's null columns: "NULL" to DuckDB, INTEGER to Spark
        schema = pq.read_schema(place.local)
        opened.typed.update({f"c{i}": '"NULL"' for i, f in enumerate(schema) if pa.types.is_null(f.type)})
    return opened


def _open_delta(place: _Place, session: SparkSession) -> Opened:
    try:
        frame = session.read.format("delta").load(place.spark_path)
    except Exception as exc:
        if _condition(exc) == "DATA_SOURCE_NOT_FOUND":
            raise InputError(say("sources.spark.no_delta"), Location(file=place.shown), slug="not_a_table") from exc
        raise _input_error(exc, place, "delta") from exc
    return _frame_input(frame, place, "delta")


def _open_table(name: str, session: SparkSession, shown: str) -> Opened:
    place = _Place(TABLE_PREFIX + name, shown, readable_name(name), name, None)
    try:
        frame = session.table(name)
    except Exception as exc:
        if _condition(exc) in ("TABLE_OR_VIEW_NOT_FOUND", "PARSE_SYNTAX_ERROR", "INVALID_IDENTIFIER"):
            raise InputError(say("sources.spark.no_such_table", name=name), Location(file=shown),
                             slug="file_not_found") from exc
        raise _input_error(exc, place, "table") from exc
    return _frame_input(frame, place, "table")


def _frame_input(frame: DataFrame, place: _Place, kind: str) -> _SparkFrame:
    fields = frame.schema.fields
    if not fields:
        raise InputError(say("sources.no_columns", again=say("sources.export_orders_again")),
                         Location(file=place.shown), slug="empty_file")
    headers = unique_headers([clean_header(f.name) for f in fields])
    typed = {f"c{i}": t for i, f in enumerate(fields) if (t := duckdb_type_name(f.dataType)) != "VARCHAR"}
    digest = _FileDigest(place.local) if place.local is not None and place.local.is_file() else _NoDigest()
    return _SparkFrame(place, kind, frame, headers, typed, digest)


@dataclass
class _SparkFrame:
    place: _Place
    kind: str
    frame: DataFrame
    headers: list[str]
    typed: dict[str, str]
    digest: _FileDigest | _NoDigest
    readable: str | None = None

    def attach(self, db: Database | SparkHost, table: str) -> RawTable:
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        columns = [f"c{i}" for i in range(len(self.headers))]
        try:
            located = self._located()
        except Exception:  # no files behind it (a view): numbered by partition, and kept so the numbers hold
            place = F.monotonically_increasing_id()
            located = self.frame.select("*", F.shiftright(place, 33).alias("__part"),
                                        place.bitwiseAND(F.lit(_IN_PARTITION)).alias("__index"))
            located = located.persist(StorageLevel.MEMORY_AND_DISK)  # computed by the count below
        located = located.toDF(*columns, "__part", "__index")
        try:
            counts = sorted((r["__part"], int(r["count"])) for r in located.groupBy("__part").count().collect())
        except Exception as exc:
            raise _input_error(exc, self.place, self.kind) from exc
        before = F.col("__index")
        if len(counts) > 1:  # the rows of the files (or partitions) before each one
            offsets, total = [], 0
            for part, rows in counts:
                offsets.append((part, total))
                total += rows
            starts = _session(db).createDataFrame(offsets, ["__part", "__before"])
            located = located.join(F.broadcast(starts), "__part")
            before = F.col("__before") + F.col("__index")
        located.select(*columns, (before + 2).cast("bigint").alias("__row")).createOrReplaceTempView(table)
        return RawTable(self.place.shown, self.place.name, self.kind, self.digest, table,
                        self.headers, sum(rows for _, rows in counts), 1, typed=self.typed)

    def _located(self) -> DataFrame:
        """The frame with each row's file and place in it (Spark's `_metadata`; Parquet and Delta files)."""
        from pyspark.sql import functions as F

        # pyspark logs the error of a column it can't resolve before raising it: silenced, this one is expected
        quiet = [logging.getLogger(name) for name in ("DataFrameQueryContextLogger", "SQLQueryContextLogger")]
        was = [logger.disabled for logger in quiet]
        for logger in quiet:
            logger.disabled = True
        try:
            located = self.frame.select("*", F.col("_metadata.file_path").alias("__part"),
                                        F.col("_metadata.row_index").alias("__index"))
            located.schema  # noqa: B018 -- resolves now: a frame without files has no _metadata
        finally:
            for logger, disabled in zip(quiet, was, strict=True):
                logger.disabled = disabled
        return located


def duckdb_type_name(dtype: DataType) -> str:
    """How DuckDB names the type of a column Spark reads as `dtype` (`BIGINT`, `DECIMAL(18,2)`, `TIMESTAMP` …)."""
    from pyspark.sql import types as T

    simple: Sequence[tuple[type, str]] = (
        (T.StringType, "VARCHAR"), (T.CharType, "VARCHAR"), (T.VarcharType, "VARCHAR"), (T.LongType, "BIGINT"),
        (T.IntegerType, "INTEGER"), (T.ShortType, "SMALLINT"), (T.ByteType, "TINYINT"), (T.DoubleType, "DOUBLE"),
        (T.FloatType, "FLOAT"), (T.BooleanType, "BOOLEAN"), (T.DateType, "DATE"),
        (T.TimestampNTZType, "TIMESTAMP"), (T.TimestampType, "TIMESTAMP WITH TIME ZONE"), (T.BinaryType, "BLOB"),
        (T.NullType, "VARCHAR"), (T.DayTimeIntervalType, "INTERVAL"), (T.YearMonthIntervalType, "INTERVAL"))
    for spark_type, name in simple:
        if isinstance(dtype, spark_type):
            return name
    if isinstance(dtype, T.DecimalType):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if isinstance(dtype, T.ArrayType):
        return f"{duckdb_type_name(dtype.elementType)}[]"
    if isinstance(dtype, T.MapType):
        return f"MAP({duckdb_type_name(dtype.keyType)}, {duckdb_type_name(dtype.valueType)})"
    if isinstance(dtype, T.StructType):
        return "STRUCT(" + ", ".join(f'"{f.name}" {duckdb_type_name(f.dataType)}' for f in dtype.fields) + ")"
    return dtype.simpleString().upper()

