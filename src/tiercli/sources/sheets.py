"""Small tables read whole, every cell as text: a previous run's customers, an overrides file.

These files are tiercli's own output or a short list typed by hand, so there is no platform detection: the header
is the first row. Workbooks are read with fastexcel, CSV with pyarrow (UTF-8 with or without BOM, else GB18030,
the encoding Excel uses on Chinese Windows), Parquet with its columns cast to text. Cells are cleaned as the
order readers clean them: outer spaces, a `="…"` wrapper and a leading `'` go; `-`, `--` and `无` are empty.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tiercli.errors import InputError, Location, closest
from tiercli.messages import Said, as_is, say
from tiercli.names import readable_name
from tiercli.sources.readers import clean_header, csv_rows, file_sha256, unique_headers
from tiercli.sources.workbooks import read_workbook

EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV = (".csv", ".tsv", ".txt")
PARQUET = (".parquet", ".pq")
_DELIMITERS = (",", ";", "\t", "|")
_EMPTY = ("", "-", "--", "无")


@dataclass(frozen=True)
class TextSheet:
    """One table of a file: cleaned headers, every column as text, and where its rows are."""

    label: str  # the file as messages name it, with [sheet] for workbooks
    table: pa.Table  # every column as text (NULL for an empty cell), headers cleaned
    first_row: int  # the row number of the first data row as a spreadsheet or editor shows it

    def row(self, index: int) -> int:
        return self.first_row + index


SheetPicker = Callable[[Sequence[str]], list[str]]


def first_sheet(names: Sequence[str]) -> list[str]:
    return list(names[:1])


def check_file(path: str, what: Said) -> Path:
    """The path of a file that exists and is one; `InputError` naming `what` it should be otherwise."""
    target = Path(path)
    where = Location(file=path)
    if not target.exists():
        raise InputError(say("sources.file_not_found", what=what), where, slug="file_not_found")
    if target.is_dir():
        raise InputError(say("sources.is_a_folder", what=what, inside=say("common.file")), where, slug="not_a_file")
    if target.stat().st_size == 0:
        raise InputError(say("sources.empty_file", again=say("sources.export_it_again")), where, slug="empty_file")
    return target


def sha256(path: str) -> str:
    return file_sha256(Path(path))


def read_sheets(path: str, what: Said, pick: SheetPicker = first_sheet,
                grids: SheetPicker | None = None) -> tuple[list[TextSheet], dict[str, pa.Table]]:
    """The file's tables as text, and (workbooks only) the sheets `grids` picks as raw grids (every cell as text,
    no header). `what` names the file in messages; `pick` chooses the sheets of a workbook from its sheet names."""
    target = check_file(path, what)
    suffix = target.suffix.lower()
    if suffix in EXCEL:
        return _read_workbook(path, pick, grids)
    if suffix in CSV:
        return [_clean(readable_name(path), _read_csv(path, target), 2)], {}
    if suffix in PARQUET:
        try:
            with open(target, "rb") as source:  # opened here: a name that is no UTF-8 is no problem
                table = pq.read_table(source)
        except (OSError, pa.ArrowException) as error:
            raise InputError(say("sources.cant_read_it_as", kind="Parquet", reason=error), Location(file=path),
                             slug="unreadable") from None
        return [_clean(readable_name(path), table, 1)], {}
    raise InputError(say("sources.unsupported_file", what=what, suffix=target.suffix), Location(file=path),
                     slug="unsupported_file")


def _both(pick: SheetPicker, grids: SheetPicker | None, names: Sequence[str]) -> list[str]:
    chosen = pick(names)
    return chosen + [n for n in (grids(names) if grids else []) if n not in chosen]


def _read_workbook(path: str, pick: SheetPicker, grids: SheetPicker | None) -> tuple[list[TextSheet],
                                                                                     dict[str, pa.Table]]:
    book = read_workbook(Path(path), path, functools.partial(_both, pick, grids))
    tables = [(name, _with_header(book.sheets[name])) for name in pick(book.names) if name in book.sheets]
    raw = {name: book.sheets[name] for name in (grids(book.names) if grids else []) if name in book.sheets}
    return [_clean(f"{readable_name(path)} [{name}]", table, 2) for name, table in tables], raw


def _with_header(grid: pa.Table) -> pa.Table:
    """A grid read without a header, its first row made the header (an empty header cell: `column N`)."""
    if grid.num_rows == 0:
        return pa.table({})
    first = grid.slice(0, 1).to_pylist()[0]
    names = [str(v).strip() if v is not None and str(v).strip() else f"column {i + 1}"
             for i, v in enumerate(first.values())]
    return pa.table(grid.slice(1).columns, names=unique_headers(names))


def _read_csv(path: str, target: Path) -> pa.Table:
    head = target.read_bytes()[:65536]
    encoding = "utf-8"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not merely a character cut at the end of the sample
            encoding, text = "gb18030", head.decode("gb18030", errors="replace")
        else:
            text = head[:error.start].decode("utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = max(_DELIMITERS, key=lambda d: len(next(iter(csv_rows([first], d)), [])))
    header = next(iter(csv_rows([first.removeprefix("\ufeff")], delimiter)), [])
    try:
        with open(target, "rb") as source:  # opened here: a name that is no UTF-8 is no problem
            return pa_csv.read_csv(
                source,
                read_options=pa_csv.ReadOptions(encoding=encoding, block_size=1 << 24),
                parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(column_types={name: pa.string() for name in header},
                                                      strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise InputError(say("sources.cant_read_it_as", kind="CSV", reason=str(error).splitlines()[0]),
                         Location(file=readable_name(path)), slug="unreadable") from None


def _clean(label: str, table: pa.Table, first_row: int) -> TextSheet:
    names = [clean_header(name) for name in table.column_names]
    columns = []
    for column in table.columns:
        text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
        text = pc.utf8_trim(text, " \t\r\n\u3000")
        text = pc.replace_substring_regex(text, '^="(.*)"$', r"\1")
        text = pc.replace_substring_regex(text, "^'", "")
        empty = pc.is_in(text, value_set=pa.array(_EMPTY))
        columns.append(pc.if_else(empty, pa.scalar(None, pa.string()), text))
    return TextSheet(label, pa.table(columns, names=names), first_row)


def suggested(word: str, choices: Sequence[str]) -> str | None:
    """The choice that differs from `word` only in case, else the closest one, else None."""
    same = [c for c in choices if c.casefold() == word.casefold()]
    return same[0] if same else closest(word, choices)


def suggest(word: str, choices: Sequence[str]) -> Said:
    """' (did you mean 'x'?)' in both languages for the `suggested` choice, or an empty `Said`."""
    choice = suggested(word, choices)
    return as_is("") if choice is None else say("common.did_you_mean", choice=choice)
