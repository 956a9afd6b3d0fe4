"""Readers: a file on disk becomes a DuckDB view of raw text cells with row numbers as a spreadsheet shows them.

Each reader produces a `RawTable`: a view with columns `c0…cN` (text, or typed for Parquet), plus `__row`, the row
number a user sees when opening the file in Excel (header row + data offset). CSV and Parquet views read the file
when scanned, so the cleaning pass streams through it once instead of copying it into memory first; a workbook's
sheet is held as the Arrow table the Rust reader returned. Nothing here knows about platforms or
canonical columns; the header row is chosen with a scoring function handed in by the caller.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from tiercli.errors import InputError, Location, UsageError

HeaderScore = Callable[[Sequence[str]], float]

HEADER_SEARCH_ROWS = 30
SAMPLE_BYTES = 1 << 20
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DELIMITERS = (",", ";", "\t", "|")
_CJK_MIN, _CJK_MAX = 0x4E00, 0x9FFF


@dataclass
class RawTable:
    path: str  # as the user gave it
    name: str  # file name (plus "[sheet]" for workbooks): what Excluded and Run show
    kind: str
    sha256: str
    table: str  # DuckDB view of c0…cN and __row, read from the file each time it is scanned
    headers: list[str]  # cleaned header labels, one per column
    rows: int | None  # None for CSV until the one full pass counts them
    header_row: int  # spreadsheet row number of the header
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    typed: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type when not text (Parquet)
    single_thread_sql: str | None = None  # re-creates the view for DuckDB's single-threaded CSV scanner

    @property
    def columns(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.headers))]


def clean_header(label: object) -> str:
    """Header label as people read it: no BOM, outer whitespace (incl. U+3000), `="…"` wrapper or quotes."""
    text = "" if label is None else str(label)
    text = text.replace("\ufeff", "").strip().strip("\u3000").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.strip('"').strip("'").strip()
    return unicodedata.normalize("NFKC", text) if any(ord(ch) >= 0xFF01 for ch in text) else text


def unique_headers(labels: Sequence[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for i, label in enumerate(labels):
        name = label or f"column {i + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def pick_header_row(rows: Sequence[Sequence[str]], score: HeaderScore | None) -> int:
    """Index of the header among the first rows: the best-scoring row, else the first full-width row."""
    rows = list(rows)[:HEADER_SEARCH_ROWS]
    if not rows:
        return 0
    if score is not None:
        scores = [score([clean_header(c) for c in r]) for r in rows]
        best = max(scores)
        if best > 0:
            return scores.index(best)
    widths = [sum(1 for c in r if clean_header(c)) for r in rows]
    widest = max(widths)
    return next(i for i, w in enumerate(widths) if w >= max(1, widest * 0.8))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


class _Hasher(threading.Thread):
    """sha256 of a file computed beside the read (hashlib releases the GIL on large blocks)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.value = ""

    def run(self) -> None:
        self.value = file_sha256(self.path)

    def result(self) -> str:
        self.join()
        return self.value


def _check_file(path: Path, shown: str) -> None:
    if not path.exists():
        raise InputError("file not found; check the path", Location(file=shown), slug="file_not_found")
    if path.is_dir():
        raise InputError("is a folder, not a file", Location(file=shown), slug="not_a_file")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", Location(file=shown), slug="empty_file")


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in EXCEL_SUFFIXES:
        return suffix.lstrip(".")
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    return "csv"


def read_file(
    con: duckdb.DuckDBPyConnection,
    path_text: str,
    table: str,
    *,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    temp_dir: Path | None = None,
) -> list[RawTable]:
    """Read one file into DuckDB. Workbooks give one RawTable per sheet read."""
    path = Path(path_text)
    _check_file(path, path_text)
    kind = file_kind(path)
    if kind == "csv":
        return [read_csv(con, path, path_text, table, header_score, temp_dir)]
    if kind == "parquet":
        return [read_parquet(con, path, path_text, table)]
    return read_excel(con, path, path_text, table, kind, sheet, header_score)


# --- CSV -------------------------------------------------------------------------------------------------------

def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 when the text reads as Chinese, else cp1252/latin-1."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        wide = [ch for ch in text if ord(ch) > 127]
        cjk = sum(1 for ch in wide if _CJK_MIN <= ord(ch) <= _CJK_MAX or 0x3000 <= ord(ch) <= 0x303F
                  or 0xFF00 <= ord(ch) <= 0xFFEF)
        if wide and cjk / len(wide) >= 0.5:
            return "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the sample into the most consistent number (> 1) of fields."""
    best, best_key = ",", (0.0, 0)
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim) if any(c.strip() for c in r)]
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        key = (hits / len(counts), width)
        if key > best_key:
            best, best_key = delim, key
    return best


def _transcode(path: Path, encoding: str, temp_dir: Path | None) -> Path:
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="tiercli-", dir=temp_dir)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            for block in iter(lambda: src.read(1 << 22), b""):
                dst.write(decoder.decode(block).encode("utf-8"))
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        os.unlink(name)
        raise InputError(
            f"can't be read as {encoding} (byte {exc.start} is not valid); save it as UTF-8 and try again",
            Location(file=str(path)), slug="bad_encoding") from exc
    return Path(name)


def read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    shown: str,
    table: str,
    header_score: HeaderScore | None,
    temp_dir: Path | None,
) -> RawTable:
    hasher = _Hasher(path)
    hasher.start()
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if len(sample) == SAMPLE_BYTES and lines:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    if not any(line.strip() for line in lines):
        raise InputError("has no rows (only blank lines)", Location(file=shown), slug="empty_file")
    if "\x00" in text[:4096] and encoding != "utf-16":
        raise InputError("is not a text file (binary content); export it as CSV or XLSX",
                         Location(file=shown), slug="not_a_table")
    delimiter = detect_delimiter(lines[:200])
    parsed = list(csv.reader(lines[:HEADER_SEARCH_ROWS], delimiter=delimiter))
    header_index = pick_header_row(parsed, header_score)
    headers = unique_headers([clean_header(c) for c in parsed[header_index]])
    lines_before = sum(1 + _embedded_newlines(r) for r in parsed[: header_index + 1])

    source = path
    if encoding not in ("utf-8", "utf-8-sig"):
        source = _transcode(path, encoding, temp_dir)  # lives in the run's temp folder until the run ends
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers)))

    def view_sql(parallel: bool) -> str:
        return f"""CREATE OR REPLACE VIEW {table} AS
            SELECT * EXCLUDE (ordinality), CAST(ordinality AS BIGINT) + {header_index + 1} AS __row
            FROM read_csv({_lit(str(source))}, header = false, skip = {lines_before}, delim = {_lit(delimiter)},
                          quote = '"', escape = '"', columns = {{{columns}}}, null_padding = true,
                          strict_mode = false, all_varchar = true, auto_detect = false,
                          parallel = {str(parallel).lower()}) WITH ORDINALITY"""

    con.execute(view_sql(True))
    try:  # a first look at the top rows, so a file DuckDB can't parse fails here, with its name
        con.execute(f"SELECT * FROM {table} LIMIT 1000").fetchall()
    except duckdb.Error as exc:
        if "parallel" not in str(exc):
            raise InputError(f"can't be read as a table: {_first_line(exc)}", Location(file=shown),
                             slug="bad_csv") from exc
        con.execute(view_sql(False))
    return RawTable(shown, path.name, "csv", hasher.result(), table, headers, None, header_index + 1,
                    encoding=encoding.replace("-sig", " (BOM)").upper().replace("UTF-8 (BOM)", "UTF-8 with BOM"),
                    delimiter=delimiter, single_thread_sql=view_sql(False))


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _embedded_newlines(row: Sequence[str]) -> int:
    return sum(cell.count("\n") for cell in row)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


# --- Excel -----------------------------------------------------------------------------------------------------

def read_excel(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    shown: str,
    table: str,
    kind: str,
    sheet: str | None,
    header_score: HeaderScore | None,
) -> list[RawTable]:
    import fastexcel

    hasher = _Hasher(path)
    hasher.start()
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own tree; any failure here means "not a workbook"
        raise InputError(f"can't be opened as a spreadsheet ({_first_line(exc)}); is it really a .{kind} file?",
                         Location(file=shown), slug="not_a_table") from exc
    names = list(reader.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise UsageError(f"has no sheet '{sheet}'; its sheets are: {', '.join(names)}",
                             Location(file=shown), slug="unknown_sheet")
        chosen = [sheet]
    else:
        chosen = names[:1]
    out = []
    for index, name in enumerate(chosen):
        try:
            batch = reader.load_sheet(name, header_row=None, dtypes="string").to_arrow()
        except Exception as exc:
            raise InputError(f"sheet '{name}' can't be read ({_first_line(exc)})", Location(file=shown),
                             slug="not_a_table") from exc
        out.append(_excel_sheet(con, path, shown, f"{table}_{index}" if index else table, kind, name, batch,
                                header_score, hasher))
    return out


def _excel_sheet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    shown: str,
    table: str,
    kind: str,
    sheet: str,
    batch: pa.RecordBatch,
    header_score: HeaderScore | None,
    hasher: _Hasher,
) -> RawTable:
    if batch.num_rows == 0 or batch.num_columns == 0:
        raise InputError(f"sheet '{sheet}' is empty", Location(file=shown), slug="empty_file")
    top = batch.slice(0, HEADER_SEARCH_ROWS).to_pylist()
    grid = [["" if v is None else str(v) for v in row.values()] for row in top]
    header_index = pick_header_row(grid, header_score)
    headers = unique_headers([clean_header(c) for c in grid[header_index]])
    data = batch.slice(header_index + 1)
    arrays = [data.column(i) for i in range(len(headers))]
    arrays.append(pa.array(range(header_index + 2, header_index + 2 + data.num_rows), pa.int64()))
    arrow = pa.table(arrays, names=[*(f"c{i}" for i in range(len(headers))), "__row"])
    con.register(f"{table}__arrow", arrow)
    blank = " AND ".join(f"(c{i} IS NULL OR trim(c{i}) = '')" for i in range(len(headers)))
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM {table}__arrow WHERE NOT ({blank})")
    rows = _count(con, table)
    return RawTable(shown, f"{path.name} [{sheet}]", kind, hasher.result(), table, headers, rows,
                    header_index + 1, sheet=sheet)


# --- Parquet ---------------------------------------------------------------------------------------------------

def read_parquet(con: duckdb.DuckDBPyConnection, path: Path, shown: str, table: str) -> RawTable:
    hasher = _Hasher(path)
    hasher.start()
    try:
        schema = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"can't be read as Parquet: {_first_line(exc)}", Location(file=shown),
                         slug="not_a_table") from exc
    headers = unique_headers([clean_header(r[0]) for r in schema])
    select = ", ".join(f'"{r[0]}" AS c{i}' for i, r in enumerate(schema))
    con.execute(
        f"CREATE VIEW {table} AS SELECT {select}, CAST(file_row_number AS BIGINT) + 2 AS __row "
        f"FROM read_parquet({_lit(str(path))}, file_row_number = true)")
    typed = {f"c{i}": str(r[1]) for i, r in enumerate(schema) if str(r[1]) != "VARCHAR"}
    return RawTable(shown, path.name, "parquet", hasher.result(), table, headers, _count(con, table), 1,
                    typed=typed)
