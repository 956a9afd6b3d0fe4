"""A column of an Arrow batch as the values a writer puts in a file: its kind (text, int, decimal, timestamp, …),
decoded to plain arrays, and text guarded from becoming a formula."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from tiercli.vocabulary.labels import column_kind as coded_kind
from tiercli.vocabulary.labels import label_array

BATCH_ROWS = 8_192
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
FORMULA_PATTERN = r"^[=+\-@\t\r]"
_KINDS: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (pa.types.is_string, "text"), (pa.types.is_large_string, "text"), (pa.types.is_string_view, "text"),
    (pa.types.is_boolean, "bool"), (pa.types.is_integer, "int"), (pa.types.is_floating, "float"),
    (pa.types.is_decimal, "decimal"), (pa.types.is_timestamp, "timestamp"), (pa.types.is_date, "date"),
    (pa.types.is_null, "null"),
)


def column_kind(data_type: pa.DataType) -> str:
    """How a column is written: text, int, float, decimal, bool, timestamp, date, null or other."""
    if pa.types.is_dictionary(data_type):
        return column_kind(data_type.value_type)
    return next((kind for test, kind in _KINDS if test(data_type)), "other")


def plain(array: pa.Array) -> pa.Array:
    """The array with dictionaries decoded and string views as plain strings."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_string_view(array.type):
        array = array.cast(pa.string())
    if pa.types.is_date64(array.type):
        array = array.cast(pa.date32())
    return array


def without_nan(array: pa.Array) -> pa.Array:
    nan = pc.is_nan(array)
    if pc.any(nan).as_py():
        return pc.if_else(nan, pa.scalar(None, array.type), array)
    return array


def whole_seconds(array: pa.Array) -> pa.Array | None:
    """The timestamps cast to whole seconds, or None when some carry a fraction of a second."""
    seconds = pc.cast(array, pa.timestamp("s"), safe=False)
    if array.type.unit != "s" and not pc.all(pc.equal(pc.cast(seconds, array.type), array)).as_py():
        return None
    return seconds


def iso_values(array: pa.Array, sep: str) -> list[str | None]:
    return [None if v is None else v.isoformat(sep=sep) for v in array.to_pylist()]


def formula_guard(value: str) -> str:
    """Text as a spreadsheet shows it literally: a leading `'` when it could be read as a formula."""
    return "'" + value if value[:1] in FORMULA_TRIGGERS else value


def slices(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches cut to at most BATCH_ROWS rows each (what one step of a writer turns into Python values)."""
    for batch in batches:
        for start in range(0, batch.num_rows, BATCH_ROWS):
            yield batch.slice(start, BATCH_ROWS)



def labelled(batch: pa.RecordBatch, lang: str) -> pa.RecordBatch:
    """The batch as people read it in `lang`: codes (segment, lifecycle, movement) replaced by their labels (in
    English only cn-8's Chinese segment codes have a label that differs)."""
    arrays = [label_array(kind, plain(batch.column(i)), lang) if (kind := coded_kind(name)) else batch.column(i)
              for i, name in enumerate(batch.schema.names)]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def label_columns(batch: pa.RecordBatch, lang: str) -> pa.RecordBatch:
    """The batch with, after each coded column (segment, lifecycle, movement), its labels in `lang` as
    `<column>_label` (for Parquet and JSON, whose readers keep the codes); the batch itself in English."""
    if lang == "en":
        return batch
    names, arrays = [], []
    for i, name in enumerate(batch.schema.names):
        names.append(name)
        arrays.append(batch.column(i))
        if (kind := coded_kind(name)) is not None and name + "_label" not in batch.schema.names:
            names.append(name + "_label")
            arrays.append(label_array(kind, plain(batch.column(i)).cast(pa.string()), lang))
    return pa.RecordBatch.from_arrays(arrays, names=names)
