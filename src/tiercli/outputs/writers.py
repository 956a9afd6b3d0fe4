"""Writing a Result: the Excel workbook, CSV (to a file or stdout), Parquet and JSON.

The output kind follows the suffix of `out`; `-` is CSV on stdout. Files are written to a temporary file
beside the target and renamed into place, so a failed run never leaves a partial file or clobbers an older
output.

Text that a spreadsheet could take for a formula never becomes one: the workbook writes text cells as strings
only, and CSV text cells starting with `= + - @`, a tab or a carriage return get a leading `'`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from xlsxwriter.exceptions import FileCreateError, FileSizeError

from tiercli.errors import Location, OutputError
from tiercli.messages import say
from tiercli.outputs.staging import Staging, atomic_path
from tiercli.outputs.values import (
    FORMULA_PATTERN,
    column_kind,
    formula_guard,
    iso_values,
    label_columns,
    labelled,
    plain,
    slices,
    whole_seconds,
    without_nan,
)
from tiercli.outputs.workbook.book import check_fits_excel, write_workbook
from tiercli.outputs.workbook.cells import as_text
from tiercli.progress import NO_PROGRESS, Progress
from tiercli.result import Result
from tiercli.vocabulary.headers import translated_names

SUFFIXES = (".xlsx", ".csv", ".parquet", ".json")


def rows_to_write(result: Result, out: str) -> int:
    """The table rows `write_result` writes to `out`: the customers, and for a workbook the excluded rows too."""
    extra = result.excluded.num_rows if Path(out).suffix.lower() == ".xlsx" else 0
    return result.customers.num_rows + extra


def write_result(result: Result, out: str, stdout: BinaryIO | None = None, lang: str = "en",
                 progress: Progress = NO_PROGRESS, staging: Staging | None = None) -> str:
    """Write `result` to `out` and return what was written: "-" or the output path as given.

    `lang` is the language of the sheet names, headers and labels of the workbook and of the CSV headers
    (`zh`: Chinese); Parquet and JSON, read by programs, always keep tiercli's column names. `progress` advances
    by the table rows written, `rows_to_write` in all.

    `-` writes the customers as plain UTF-8 CSV to `stdout` (sys.stdout.buffer by default); `.csv` writes them
    as UTF-8 CSV with a BOM; `.parquet` and `.json` write them as Parquet or a JSON array of objects; `.xlsx`
    writes the whole workbook. A table longer than an Excel sheet continues on more sheets (`Customers (2)`, …),
    and says so in its Summary sheet (`workbook_notes`). Raises OutputError for an unsupported suffix, a missing
    directory, a table too wide for Excel or a write that fails.
    """
    out = os.fspath(out)
    if out == "-":
        _write_csv_stdout(result, lang, stdout, progress)
        return out

    target = Path(out)
    suffix = target.suffix.lower()
    location = Location(file=out)
    if suffix not in SUFFIXES:
        supported = say("outputs.supported_outputs")
        if suffix:
            raise OutputError(say("outputs.unsupported_suffix", suffix=target.suffix, supported=supported), location)
        raise OutputError(say("outputs.no_suffix", supported=supported), location)
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(say("outputs.output_dir_missing", directory=directory), location)
    if target.is_dir():
        raise OutputError(say("outputs.output_is_dir"), location)
    if suffix == ".xlsx":
        check_fits_excel(result, location)

    writer: Callable[[Result, Path, str, Progress, Path | None], None] = {
        ".xlsx": write_workbook,
        ".csv": _write_csv_file,
        ".parquet": _write_parquet,
        ".json": _write_json,
    }[suffix]
    try:
        with atomic_path(target, location, staging) as temp:
            writer(result, temp, lang, progress, staging.scratch if staging is not None else None)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.output"), reason=_reason(exc)),
                          location) from exc
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.output"), reason=_reason(cause)),
                          location) from exc
    except FileSizeError as exc:
        raise OutputError(say("outputs.workbook_too_large"), location) from exc
    return out


def _reason(exc: BaseException) -> str:
    """The cause of a failed write, without the temporary file's name."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _csv_values(array: pa.Array, kind: str) -> list[Any]:
    """One column of a batch as csv.writer values (None for NULL)."""
    array = plain(array)
    if kind == "text":
        values = array.to_pylist()
        if pc.any(pc.match_substring_regex(array, FORMULA_PATTERN)).as_py():
            return [None if v is None else formula_guard(v) for v in values]
        return values
    if kind in ("int", "bool", "date", "null"):
        return array.to_pylist()
    if kind == "float":
        return without_nan(array).to_pylist()
    if kind == "decimal":
        text = pc.cast(array, pa.string())
        if pc.any(pc.match_substring(text, "E")).as_py():
            return [None if v is None else format(v, "f") for v in array.to_pylist()]
        return text.to_pylist()
    if kind == "timestamp":
        if array.type.tz is None:
            seconds = whole_seconds(array)
            if seconds is not None:
                return pc.strftime(seconds, "%Y-%m-%d %H:%M:%S").to_pylist()
        return iso_values(array, " ")
    return [None if v is None else formula_guard(as_text(v)) for v in array.to_pylist()]


def write_csv_rows(names: Sequence[str], schema: pa.Schema, batches: Iterable[pa.RecordBatch], stream: TextIO,
                   progress: Progress = NO_PROGRESS, header: bool = True) -> None:
    """CSV of `batches` (of `schema`) under the header `names` (written when `header`), a batch at a time, text
    guarded from formulas."""
    writer = csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    if header:
        writer.writerow([formula_guard(name) for name in names])
    kinds = [column_kind(field.type) for field in schema]
    for part in slices(batches):
        columns = [_csv_values(part.column(i), kind) for i, kind in enumerate(kinds)]
        writer.writerows(zip(*columns, strict=True))
        progress.advance(part.num_rows)


def _people_names(result: Result, lang: str) -> list[str]:
    """The customers table's headers as people read them in `lang`."""
    return translated_names(result.customers.column_names, lang, result.gradings, result.tags)


def _labelled(result: Result, lang: str) -> Iterator[pa.RecordBatch]:
    """The customers as people read them: segment, lifecycle and movement codes as labels of `lang`."""
    return (labelled(batch, lang) for batch in result.customers.batches())


def _coded(result: Result, lang: str) -> Iterator[pa.RecordBatch]:
    """The customers as programs read them: the codes, each coded column followed by its labels in `lang`."""
    return (label_columns(batch, lang) for batch in result.customers.batches())


def _write_csv_file(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        write_csv_rows(_people_names(result, lang), result.customers.schema, _labelled(result, lang), stream,
                       progress)


def _write_csv_stdout(result: Result, lang: str, stdout: BinaryIO | None, progress: Progress) -> None:
    if stdout is None:
        sys.stdout.flush()
        stdout = sys.stdout.buffer
    stream = io.TextIOWrapper(stdout, encoding="utf-8", newline="")
    try:
        write_csv_rows(_people_names(result, lang), result.customers.schema, _labelled(result, lang), stream,
                       progress)
        stream.flush()
    finally:
        stream.detach()


def _write_parquet(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    schema = label_columns(pa.RecordBatch.from_pylist([], schema=result.customers.schema), lang).schema
    with pq.ParquetWriter(str(path), schema) as writer:
        for batch in _coded(result, lang):
            writer.write_batch(batch)
            progress.advance(batch.num_rows)


def _json_values(array: pa.Array, kind: str) -> list[str]:
    """One column of a batch as JSON value texts ("null" for NULL)."""
    array = plain(array)
    if kind == "text":
        return ["null" if v is None else encode_basestring(v) for v in array.to_pylist()]
    if kind in ("int", "bool", "decimal"):
        return pc.fill_null(pc.cast(array, pa.string()), "null").to_pylist()
    if kind == "float":
        finite = pc.if_else(pc.is_finite(array), array, pa.scalar(None, array.type))
        return ["null" if v is None else repr(v) for v in finite.to_pylist()]
    if kind == "date":
        return ["null" if v is None else f'"{v.isoformat()}"' for v in array.to_pylist()]
    if kind == "timestamp":
        texts: list[str | None]
        seconds = whole_seconds(array) if array.type.tz is None else None
        if seconds is not None:
            texts = pc.strftime(seconds, "%Y-%m-%dT%H:%M:%S").to_pylist()
        else:
            texts = iso_values(array, "T")
        return ["null" if v is None else f'"{v}"' for v in texts]
    if kind == "null":
        return ["null"] * len(array)
    return [json.dumps(v, ensure_ascii=False, default=str) for v in array.to_pylist()]


def _write_json(result: Result, path: Path, lang: str, progress: Progress, scratch: Path | None) -> None:
    schema = label_columns(pa.RecordBatch.from_pylist([], schema=result.customers.schema), lang).schema
    keys = [encode_basestring(name) + ": " for name in schema.names]
    kinds = [column_kind(field.type) for field in schema]
    with open(path, "w", encoding="utf-8", newline="\n") as stream:
        stream.write("[")
        first = True
        for batch in slices(_coded(result, lang)):
            columns = [_json_values(batch.column(i), kind) for i, kind in enumerate(kinds)]
            lines = []
            for row in zip(*columns, strict=True):
                lines.append("{" + ", ".join(key + value for key, value in zip(keys, row, strict=True)) + "}")
            if lines:
                stream.write(("\n" if first else ",\n") + ",\n".join(lines))
                first = False
            progress.advance(batch.num_rows)
        stream.write("]\n" if first else "\n]\n")

