"""The label a user reads for a stable code of the outputs (an exclusion reason, a status class, a lifecycle
stage, a movement value, a packaged segment name), in the run's language. Programs read the codes (Parquet, JSON,
the `reason` column's slug); people read the labels (workbook, CSV, HTML report, terminal). A code without an
entry (a custom segment, a level, a tag) is its own label. The words are `messages/labels.py`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tiercli.messages import CATALOGUE, text

if TYPE_CHECKING:
    import pyarrow as pa

LABELLED_COLUMNS = {"segment": "segment", "lifecycle": "lifecycle"}  # output column -> its kind of codes
MOVEMENT_PREFIX = "movement"  # movement, movement_<grading>


def _key(kind: str, code: str) -> str:
    return f"labels.{kind}.{re.sub(r'[^0-9a-z一-鿿]+', '_', code.casefold()).strip('_')}"


def label(kind: str, code: str, lang: str) -> str:
    """The label of `code` (of `kind`: reason, status, lifecycle, movement, segment) in `lang`; the code itself
    when it has none."""
    for key in (_key(kind, code), *((_key("reason", code),) if kind == "status" else ())):
        if key in CATALOGUE:
            return text(key, lang)
    return code


def column_kind(column: str) -> str | None:
    """The kind of codes an output column holds (segment, lifecycle, movement…), or None."""
    if column == MOVEMENT_PREFIX or column.startswith(MOVEMENT_PREFIX + "_"):
        return "movement"
    return LABELLED_COLUMNS.get(column)


def label_array(kind: str, values: pa.Array | pa.ChunkedArray, lang: str) -> pa.Array | pa.ChunkedArray:
    """`values` (text codes) with each code that has a label replaced by it; empty stays empty."""
    import pyarrow as pa  # here: `tiercli validate` loads this module and no data library
    import pyarrow.compute as pc

    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        return values
    distinct = [v for v in pc.unique(values).to_pylist() if v is not None]
    labels = [label(kind, v, lang) for v in distinct]
    if labels == distinct:
        return values
    index = pc.index_in(values, value_set=pa.array(distinct, values.type))
    return pc.take(pa.array(labels, values.type), index)


def code_array(kind: str, values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """`values` read back from an output (a `--lang zh` workbook shows labels): each label of `kind` replaced by
    its code, in either language; other values as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    prefix = f"labels.{kind}."
    codes = {zh: en for key, (en, zh) in CATALOGUE.items() if key.startswith(prefix)}
    present = [v for v in pc.unique(values).to_pylist() if v in codes]
    if not present:
        return values
    index = pc.index_in(values, value_set=pa.array(present, values.type))
    return pc.coalesce(pc.take(pa.array([codes[v] for v in present], values.type), index), values)
