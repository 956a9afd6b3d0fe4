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
import functools
import hashlib
import itertools
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tiercli.database import Database, open_database
from tiercli.errors import InputError, Location, UsageError, first_line
from tiercli.messages import as_is, listed, say
from tiercli.names import readable_name
from tiercli.sources.workbooks import read_workbook
from tiercli.sqltext import literal

HeaderScore = Callable[[Sequence[str]], float]

HEADER_SEARCH_ROWS = 30
SAMPLE_BYTES = 1 << 20
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DELIMITERS = (",", ";", "\t", "|")
WHITESPACE = "whitespace"
_ALIGNED = re.compile(r"\t|\s{2,}")
_TOKEN = re.compile(r"\S+")
_CJK_MIN, _CJK_MAX = 0x4E00, 0x9FFF
MAX_LINE_BYTES = 2 << 20  # DuckDB's longest line (its default; a larger one costs 16 times as much per thread)
EXTRA = "c_extra"  # cells beyond the header's width (a row with more fields than the header)
ROW = "__row"  # the row's number in the file (its spreadsheet row number: the header's is 1 in most files)
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "gb18030": "GB18030",
                  "shift_jis": "Shift_JIS", "cp1252": "CP1252", "latin-1": "LATIN-1"}


class Digest(Protocol):
    """A file's sha256 when it is known (computed beside the read); "" where there is no file to hash."""

    def result(self) -> str: ...


@dataclass
class RawTable:
    path: str  # as the user gave it
    name: str  # file name (plus "[sheet]" for workbooks): what Excluded and Run show
    kind: str
    hasher: Digest  # the file's sha256, computed in a thread while DuckDB reads the file
    table: str  # DuckDB view of c0…cN and __row (a CSV's cells are a table, read once, in file order)
    headers: list[str]  # cleaned header labels, one per column
    rows: int | None  # None for CSV until the one full pass counts them
    header_row: int  # spreadsheet row number of the header
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    typed: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type when not text (Parquet)
    extra: bool = False  # the view has EXTRA: what a row holds beyond the header's width (NULL when nothing)

    @property
    def sha256(self) -> str:
        return self.hasher.result()

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
    return next((i for i, w in enumerate(widths) if w >= max(1, widest * 0.8)), 0)


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
        raise InputError(say("sources.file_not_found", what=say("common.file")), Location(file=shown),
                         slug="file_not_found")
    if path.is_dir():
        raise InputError(say("sources.is_a_folder", what=say("sources.a_file"), inside=say("sources.order_export")),
                         Location(file=shown), slug="not_a_file")
    if path.stat().st_size == 0:
        raise InputError(say("sources.empty_file", again=say("sources.export_orders_again")), Location(file=shown),
                         slug="empty_file")


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


def is_workbook(path_text: str) -> bool:
    """A local spreadsheet file (read here even when Spark reads the other inputs); not a table name or URL."""
    path = Path(path_text)
    return ":" not in path_text.split("/")[0] and path.is_file() and file_kind(path) not in ("csv", "parquet")


class Opened(Protocol):
    """A file read as far as Python reads it (sniffed, transcoded, or a sheet loaded by the Rust reader), waiting
    for the database. `readable` is the path DuckDB will read, in the run folder (None: nothing to read from disk);
    `attach` makes the view."""

    @property
    def readable(self) -> str | None: ...

    def attach(self, db: Database, table: str) -> RawTable: ...


def open_file(
    path_text: str,
    folder: Path,
    *,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    memory_limit: int | None = None,
) -> list[Opened]:
    """Read one file up to where DuckDB takes over. Workbooks give one per sheet read. `folder` is the run's
    temp folder, for transcoded copies and links; `memory_limit` (bytes) bounds what reading a sheet may take."""
    path = Path(path_text)
    shown = readable_name(path_text)
    _check_file(path, shown)
    kind = file_kind(path)
    if kind == "csv":
        return [open_csv(path, shown, folder, header_score)]
    if kind == "parquet":
        return [open_parquet(path, shown, folder)]
    return open_excel(path, shown, kind, sheet, header_score, folder, memory_limit)



def read_files(
    paths: Sequence[str],
    folder: Path,
    *,
    sheet: str | None = None,
    header_score: HeaderScore | None = None,
    **database: Any,
) -> tuple[Database, list[RawTable]]:
    """Open `paths`, then a database that may read just them, and attach each as `raw_<i>` (for tools and tests;
    `tiercli.pipeline` does the same with the members file too)."""
    opened = [o for p in paths for o in open_file(p, folder, sheet=sheet, header_score=header_score)]
    db = open_database(folder, readable=[o.readable for o in opened if o.readable], **database)
    return db, [o.attach(db, f"raw_{i}") for i, o in enumerate(opened)]


def _link(path: Path, folder: Path, suffix: str) -> Path:
    """A name for `path` inside the run folder that DuckDB reads instead of the user's own name: SQL never holds
    a name from outside (no quotes, glob characters or undecodable bytes), and the database may open just this."""
    links = folder / "in"
    links.mkdir(exist_ok=True)
    target = links / f"{len(list(links.iterdir()))}{suffix}"
    try:
        target.symlink_to(path.absolute())
    except OSError:  # no symbolic links here (Windows without the right): a hard link, else a copy
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    return target


# --- CSV -------------------------------------------------------------------------------------------------------

def codec(encoding: str) -> str:
    """The Python codec for a detected encoding (Shift_JIS files are read with Windows' superset, cp932)."""
    return "cp932" if encoding == "shift_jis" else encoding


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS when the text reads as Japanese (kana), else GB18030 when it
    reads as Chinese, else cp1252/latin-1."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        if not _gb18030_posing_as_utf8(text, sample):
            return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = codecs.getincrementaldecoder("cp932")().decode(sample, final=False)
        wide = [ch for ch in text if ord(ch) > 127]
        kana = sum(1 for ch in wide if 0x3040 <= ord(ch) <= 0x30FF)  # Chinese read as cp932 gives none of these
        if wide and kana / len(wide) >= 0.05:
            return "shift_jis"
    except UnicodeDecodeError:
        pass
    gb18030 = False
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        gb18030 = True
        wide = [ch for ch in text if ord(ch) > 127]
        cjk = sum(1 for ch in wide if _CJK_MIN <= ord(ch) <= _CJK_MAX or 0x3000 <= ord(ch) <= 0x303F
                  or 0xFF00 <= ord(ch) <= 0xFFEF)
        if wide and cjk / len(wide) >= 0.5 and not _isolated_cjk(text):
            return "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: GB18030 when it reads them (e.g. only '¥')
        return "gb18030" if gb18030 else "latin-1"


def _gb18030_posing_as_utf8(text: str, sample: bytes) -> bool:
    """Whether text that happens to be valid UTF-8 is GB18030: a few Chinese characters such as 元 in `0.00元`
    form valid two-byte UTF-8 (Ԫ). Told by: every non-ASCII character is a two-byte one beyond Latin-1 standing
    outside any word (never next to a letter), and read as GB18030 the same bytes are Chinese."""
    wide = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if not wide or any(not 0x100 <= ord(text[i]) <= 0x7FF for i in wide):  # Latin-1 signs (¥ £ °) are UTF-8
        return False
    if any((i > 0 and text[i - 1].isalpha()) or (i + 1 < len(text) and text[i + 1].isalpha()) for i in wide):
        return False
    try:
        chinese = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    others = [ch for ch in chinese if ord(ch) > 127]
    return bool(others) and all(_CJK_MIN <= ord(ch) <= _CJK_MAX for ch in others)


def _isolated_cjk(text: str) -> bool:
    """Whether the CJK characters of a GB18030 reading mostly stand alone between Latin letters, as when
    cp1252 text (`Bücher`: ü and the c after it) is read as GB18030; Chinese text has them in runs."""
    def cjk(ch: str) -> bool:
        return _CJK_MIN <= ord(ch) <= _CJK_MAX
    found = [i for i, ch in enumerate(text) if cjk(ch)]
    if not found:
        return False
    alone = sum(1 for i in found if not (i > 0 and cjk(text[i - 1])) and not (i + 1 < len(text) and cjk(text[i + 1]))
                and ((i > 0 and text[i - 1].isascii() and text[i - 1].isalpha())
                     or (i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalpha())))
    return alone / len(found) > 0.5


def csv_rows(lines: Iterable[str], delimiter: str) -> list[list[str]]:
    """The rows of CSV text lines, however long a cell is (Python's csv module stops at 131,072 characters by
    default; a sample is at most SAMPLE_BYTES)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 4 * SAMPLE_BYTES))
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    finally:
        csv.field_size_limit(limit)


def detect_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the sample into the most consistent number (> 1) of fields; `WHITESPACE` for
    text aligned in columns with runs of spaces, when no delimiter splits it consistently."""
    best, best_key = ",", (0.0, 0)
    for delim in DELIMITERS:
        key = _consistency(csv_rows(lines, delim))
        if key > best_key:
            best, best_key = delim, key
    if best_key[0] < 0.9:
        key = _consistency([split_aligned(line) for line in lines])
        if key[1] >= 3 and key > best_key:
            return WHITESPACE
    return best


def _consistency(rows: Sequence[Sequence[str]]) -> tuple[float, int]:
    """(share of the non-blank lines having the most common width above 1, that width). Title lines above the
    header (one field each) lower the share but don't decide the width."""
    counts = [len(r) for r in rows if any(c.strip() for c in r)]
    wide = Counter(c for c in counts if c >= 2)
    if not wide:
        return (0.0, 0)
    width, hits = max(wide.items(), key=lambda item: (item[1], item[0]))
    return (hits / len(counts), width)


def split_aligned(line: str) -> list[str]:
    """Fields of a whitespace-aligned text line, roughly: separated by a tab or two or more spaces (used to
    recognise such text and its header; the columns themselves come from `aligned_spans`)."""
    text = line.strip("\r\n").strip()
    return _ALIGNED.split(text) if text else []


def aligned_spans(lines: Iterable[str], header: str) -> list[tuple[int, int]]:
    """Column spans [start, end) of text aligned in columns (e.g. a table printed by pandas): runs of positions
    holding a character on some line, separated by positions blank on every line. A run without header text
    is part of the nearer column beside it (on a tie: the one its labels align with, right for numbers and
    pandas); the first run stays a column of its own (a printed index)."""
    used: list[bool] = []
    for line in lines:
        for m in _TOKEN.finditer(line.rstrip("\r\n").expandtabs()):
            if m.end() > len(used):
                used.extend([False] * (m.end() - len(used)))
            used[m.start():m.end()] = [True] * (m.end() - m.start())
    runs: list[tuple[int, int]] = []
    for i, on in enumerate(used):
        if on and (not runs or runs[-1][1] < i):
            runs.append((i, i + 1))
        elif on:
            runs[-1] = (runs[-1][0], i + 1)
    head = header.rstrip("\r\n").expandtabs()
    labelled = [bool(head[a:b].strip()) for a, b in runs]
    right = sum(1 for (a, b), lab in zip(runs, labelled, strict=True) if lab and head[b - 1:b].strip())
    left = sum(1 for (a, b), lab in zip(runs, labelled, strict=True) if lab and head[a:a + 1].strip())
    spans: list[tuple[int, int]] = []
    pending: int | None = None  # start of runs waiting to join the next labelled run
    for k, ((a, b), lab) in enumerate(zip(runs, labelled, strict=True)):
        gap_left = a - runs[k - 1][1] if k else None
        gap_right = runs[k + 1][0] - b if k + 1 < len(runs) else None
        if lab or k == 0 or (gap_left is None and gap_right is None):
            spans.append((a if pending is None else pending, b))
            pending = None
        elif gap_right is not None and (gap_left is None or gap_right < gap_left
                                        or (gap_right == gap_left and right >= left)):
            pending = a if pending is None else pending
        else:
            spans[-1] = (spans[-1][0], b)
    if pending is not None:
        spans.append((pending, runs[-1][1]))
    return spans


def slice_aligned(line: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    text = line.rstrip("\r\n").expandtabs()
    return [text[a:b].strip() for a, b in spans] if text.strip() else []


def _has_blank_lines(path: Path) -> bool:
    """Whether the file has an empty line before its end (DuckDB skips those, which would shift row numbers).
    Read in blocks, not mapped, so that a big file doesn't count as the process's memory."""
    with path.open("rb") as fh:
        tail = b""
        while block := fh.read(1 << 24):
            data = tail + block
            stripped = data.rstrip(b"\r\n")
            for pattern in (b"\n\n", b"\n\r\n"):
                if pattern in stripped:
                    return True
            tail = data[len(stripped):]  # line breaks at the end of the block: blank lines if more text follows
    return False


def _file_spans(path: Path, encoding: str, header_index: int) -> list[tuple[int, int]]:
    """Column spans of an aligned text file, from its header line and every line below it."""
    with path.open("r", encoding=codec(encoding), errors="replace", newline="") as src:
        body = (line.lstrip("\ufeff") for k, line in enumerate(src) if k >= header_index)
        header = next(body, "")
        return aligned_spans(itertools.chain([header], body), header)


def _rewrite(path: Path, shown: str, encoding: str, delimiter: str, folder: Path,
             spans: Sequence[tuple[int, int]] = ()) -> Path:
    """A UTF-8 copy DuckDB can read with the same row numbers a spreadsheet shows: transcoded, aligned text
    turned into tab-separated fields, and each blank line outside quotes kept as a row of empty cells."""
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="utf8-", dir=folder)
    empty_row = "\t" if delimiter == WHITESPACE else delimiter
    in_quotes = False
    try:
        with path.open("r", encoding=codec(encoding), errors="strict", newline="") as src, \
                os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            for line in src:
                if delimiter == WHITESPACE:
                    dst.write(("\t".join(slice_aligned(line.lstrip("\ufeff"), spans)) or empty_row) + "\n")
                    continue
                if not in_quotes and not line.strip("\r\n"):
                    dst.write(empty_row + "\n")
                    continue
                dst.write(line)
                if line.count('"') % 2:
                    in_quotes = not in_quotes
    except UnicodeDecodeError as exc:
        os.unlink(name)
        raise InputError(say("sources.bad_encoding", encoding=encoding, byte=exc.start), Location(file=shown),
                         slug="bad_encoding") from exc
    return Path(name)


def read_sample(sample: bytes, whole: bool, shown: str) -> tuple[str, list[str], str]:
    """A text file's encoding, first lines and delimiter, from its first bytes (`whole`: the sample is the
    whole file, so its last line is complete); a file of blank lines or binary bytes is an InputError."""
    encoding = detect_encoding(sample)
    text = codecs.getincrementaldecoder(codec(encoding))(errors="replace").decode(sample, final=False)
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not whole and lines:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    if not any(line.strip() for line in lines):
        raise InputError(say("sources.blank_lines_only", again=say("sources.export_orders_again")),
                         Location(file=shown), slug="empty_file")
    if "\x00" in text[:4096] and encoding != "utf-16":
        raise InputError(say("sources.binary_file"), Location(file=shown), slug="not_a_table")
    return encoding, lines, detect_delimiter(lines[:200])


def open_csv(path: Path, shown: str, folder: Path, header_score: HeaderScore | None) -> Opened:
    hasher = _Hasher(path)
    hasher.start()
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    encoding, lines, delimiter = read_sample(sample, len(sample) < SAMPLE_BYTES, shown)
    spans: list[tuple[int, int]] = []
    if delimiter == WHITESPACE:
        header_index = pick_header_row([split_aligned(line) for line in lines[:HEADER_SEARCH_ROWS]], header_score)
        spans = _file_spans(path, encoding, header_index)
        parsed = [slice_aligned(line, spans) for line in lines[:HEADER_SEARCH_ROWS]]
    else:
        parsed = csv_rows(lines[:HEADER_SEARCH_ROWS], delimiter)
        header_index = pick_header_row(parsed, header_score)
    if not parsed or not any(clean_header(c) for row in parsed for c in row):
        raise InputError(say("sources.no_header"), Location(file=shown), slug="no_header")
    headers = unique_headers([clean_header(c) for c in parsed[header_index]])
    lines_before = sum(1 + _embedded_newlines(r) for r in parsed[: header_index + 1])
    if encoding not in ("utf-8", "utf-8-sig") or delimiter == WHITESPACE or _has_blank_lines(path):
        source = _rewrite(path, shown, encoding, delimiter, folder, spans)
    else:
        source = _link(path, folder, ".csv")
    return _OpenedCsv(shown, readable_name(path.name), hasher, headers, header_index, lines_before, str(source),
                      ENCODING_NAMES.get(encoding, encoding.upper()), delimiter)


@dataclass
class _OpenedCsv:
    shown: str
    name: str
    hasher: _Hasher
    headers: list[str]
    header_index: int
    lines_before: int
    readable: str | None
    encoding: str
    delimiter: str

    def cells_sql(self, table: str, parallel: bool) -> str:
        """The file's cells as a table in file order, read once and in parallel: its rowid is the row's place, so
        every later pass (sampling, cleaning, counting) reads the table on every core, where numbering rows as
        the file is read (WITH ORDINALITY) kept the whole cleaning pass on one thread. The order holds because
        the database preserves insertion order (`tiercli.database`)."""
        width = len(self.headers)
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + f", '{EXTRA}': 'VARCHAR'"
        delim = "\t" if self.delimiter == WHITESPACE else self.delimiter
        assert self.readable is not None
        return f"""CREATE OR REPLACE TABLE {table}_cells AS
            SELECT * FROM read_csv({literal(self.readable)}, header = false, skip = {self.lines_before},
                          delim = {literal(delim)}, quote = '"', escape = '"', columns = {{{columns}}},
                          null_padding = true, strict_mode = false, all_varchar = true, auto_detect = false,
                          parallel = {str(parallel).lower()})"""

    def view_sql(self, table: str) -> str:
        width = len(self.headers)
        not_blank = " OR ".join(f"c{i} IS NOT NULL" for i in range(width))
        return f"""CREATE OR REPLACE VIEW {table} AS
            SELECT *, CAST(rowid AS BIGINT) + {self.header_index + 2} AS __row FROM {table}_cells
            WHERE {not_blank} OR {EXTRA} IS NOT NULL"""

    def attach(self, db: Database, table: str) -> RawTable:
        """The file's table and its view; quoted line breaks the parallel scanner can't split switch to the
        single-threaded one, and a file DuckDB can't parse fails here, with its name."""
        try:
            db.execute(self.cells_sql(table, True))
        except duckdb.Error as exc:
            if "parallel" not in str(exc):
                raise unreadable_csv(exc, self.shown) from exc
            try:
                db.execute(self.cells_sql(table, False))
            except duckdb.Error as again:
                raise unreadable_csv(again, self.shown) from again
        db.execute(self.view_sql(table))
        return RawTable(self.shown, self.name, "csv", self.hasher, table, self.headers, None,
                        self.header_index + 1, encoding=self.encoding, delimiter=self.delimiter, extra=True)


def unreadable_csv(exc: duckdb.Error, shown: str) -> InputError:
    """DuckDB's CSV reader failed on `shown`: say why in the user's terms (without the run folder's names)."""
    reason = first_line(exc)
    if "maximum line size" in reason.lower() or "max_line_size" in reason.lower():
        return InputError(say("sources.line_too_long", mb=MAX_LINE_BYTES // (1 << 20)), Location(file=shown),
                          slug="bad_csv")
    if "invalid unicode" in str(exc).lower():
        line = re.search(r"CSV Error on Line: (\d+)", str(exc))
        where = say("sources.on_line", line=line.group(1)) if line else as_is("")
        return InputError(say("sources.bad_bytes_further_down", where=where), Location(file=shown),
                          slug="bad_encoding")
    return InputError(say("sources.not_a_table", reason=_without_run_folder(reason)), Location(file=shown),
                      slug="bad_csv")


def unreadable(exc: duckdb.Error, raw: RawTable) -> InputError:
    """Reading the file behind `raw` failed: the user's message, naming the file."""
    if raw.kind == "csv":
        return unreadable_csv(exc, raw.path)
    kind = say("sources.parquet_kind") if raw.kind == "parquet" else as_is(raw.kind)
    reason = _without_run_folder(first_line(exc))
    return InputError(say("sources.cant_be_read_as", kind=kind, reason=reason) + say("sources.is_it_complete"),
                      Location(file=raw.path), slug="not_a_table")


def is_data_error(exc: BaseException) -> bool:
    """Whether a DuckDB error comes from what a file holds (broken, cut short, mis-encoded), not from tiercli's
    own SQL, which would be a bug."""
    data = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException,
            duckdb.SerializationException, duckdb.OutOfRangeException)
    return isinstance(exc, data) or type(exc) is duckdb.Error


def _without_run_folder(reason: str) -> str:
    return re.sub(r'"?[^"\s]*tiercli-[^"\s]*"?', "", reason).strip()


def _embedded_newlines(row: Sequence[str]) -> int:
    return sum(cell.count("\n") for cell in row)


def _count(db: Database, table: str) -> int:
    rows = db.execute(f"SELECT count(*) FROM {table}").fetchall()  # fetchall: the result is complete
    return int(rows[0][0]) if rows else 0


# --- Excel -----------------------------------------------------------------------------------------------------

def open_excel(path: Path, shown: str, kind: str, sheet: str | None, header_score: HeaderScore | None,
               folder: Path, memory_limit: int | None) -> list[Opened]:
    hasher = _Hasher(path)
    hasher.start()
    book = read_workbook(path, shown, functools.partial(pick_sheet, sheet), folder, memory_limit)
    if sheet is not None and sheet not in book.sheets:
        raise UsageError(say("sources.unknown_sheet", sheet=sheet, sheets=listed(book.names)), Location(file=shown),
                         slug="unknown_sheet")
    if not book.sheets:
        raise InputError(say("sources.no_sheets", again=say("sources.export_orders_again")), Location(file=shown),
                         slug="empty_file")
    return [_OpenedSheet(shown, f"{readable_name(path.name)} [{name}]", kind, name, hasher, header_score, table)
            for name, table in book.sheets.items()]


def pick_sheet(sheet: str | None, names: Sequence[str]) -> list[str]:
    """The sheet named `sheet` (none when there is no such sheet), else the first."""
    if sheet is not None:
        return [sheet] if sheet in names else []
    return list(names[:1])


@dataclass
class _OpenedSheet:
    shown: str
    name: str
    kind: str
    sheet: str
    hasher: _Hasher
    header_score: HeaderScore | None
    batch: pa.Table
    readable: str | None = None  # the sheet is already in memory

    def attach(self, db: Database, table: str) -> RawTable:
        return _excel_sheet(db, self, table)


def _excel_sheet(db: Database, opened: _OpenedSheet, table: str) -> RawTable:
    batch, sheet, shown = opened.batch, opened.sheet, opened.shown
    if batch.num_rows == 0 or batch.num_columns == 0:
        raise InputError(say("sources.empty_sheet", sheet=sheet), Location(file=shown), slug="empty_file")
    top = batch.slice(0, HEADER_SEARCH_ROWS).to_pylist()
    grid = [["" if v is None else str(v) for v in row.values()] for row in top]
    if not any(clean_header(c) for row in grid for c in row):
        raise InputError(say("sources.sheet_no_header", sheet=sheet), Location(file=shown), slug="no_header")
    header_index = pick_header_row(grid, opened.header_score)
    headers = unique_headers([clean_header(c) for c in grid[header_index]])
    data = batch.slice(header_index + 1)
    width = len(headers)
    arrays = [data.column(i) for i in range(width)]
    extras = [pc.if_else(pc.equal(pc.utf8_trim_whitespace(data.column(i)), ""), None, data.column(i))
              for i in range(width, data.num_columns)]
    arrays.append(pc.coalesce(*extras) if extras else pa.nulls(data.num_rows, pa.string()))
    arrays.append(pa.array(range(header_index + 2, header_index + 2 + data.num_rows), pa.int64()))
    arrow = pa.table(arrays, names=[*(f"c{i}" for i in range(width)), EXTRA, "__row"])
    db.register(f"{table}__arrow", arrow)
    blank = " AND ".join(f"({c} IS NULL OR trim({c}) = '')" for c in [*(f"c{i}" for i in range(width)), EXTRA])
    db.execute(f"CREATE VIEW {table} AS SELECT * FROM {table}__arrow WHERE NOT ({blank})")
    rows = _count(db, table)
    return RawTable(shown, opened.name, opened.kind, opened.hasher, table, headers, rows,
                    header_index + 1, sheet=sheet, extra=True)


# --- Parquet ---------------------------------------------------------------------------------------------------

def open_parquet(path: Path, shown: str, folder: Path) -> Opened:
    hasher = _Hasher(path)
    hasher.start()
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(say("sources.cant_be_read_as", kind="Parquet", reason=first_line(exc)), Location(file=shown),
                         slug="not_a_table") from exc
    if not len(schema.names):
        raise InputError(say("sources.no_columns", again=say("sources.export_orders_again")), Location(file=shown),
                         slug="empty_file")
    headers = unique_headers([clean_header(n) for n in schema.names])
    return _OpenedParquet(shown, readable_name(path.name), hasher, headers, str(_link(path, folder, ".parquet")))


@dataclass
class _OpenedParquet:
    shown: str
    name: str
    hasher: _Hasher
    headers: list[str]
    readable: str | None

    def attach(self, db: Database, table: str) -> RawTable:
        assert self.readable is not None
        # columns are renamed by position, so no header of the file is ever written into SQL
        scan = (f"read_parquet({literal(self.readable)}) AS t("
                + ", ".join(f"c{i}" for i in range(len(self.headers))) + ")")
        try:
            described = db.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
            db.execute(f"CREATE VIEW {table} AS SELECT *, CAST(file_row_number AS BIGINT) + 2 AS __row FROM {scan}")
            rows = _count(db, table)
        except duckdb.Error as exc:
            raise InputError(say("sources.cant_be_read_as", kind="Parquet", reason=first_line(exc)),
                             Location(file=self.shown), slug="not_a_table") from exc
        typed = {str(r[0]): str(r[1]) for r in described if str(r[1]) != "VARCHAR"}
        return RawTable(self.shown, self.name, "parquet", self.hasher, table, self.headers, rows, 1, typed=typed)
