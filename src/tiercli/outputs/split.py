"""Lists to act on: one CSV per tier, tag, segment, lifecycle stage or movement, for the people who contact or
re-import those customers.

Each file is UTF-8 with BOM (Excel shows Chinese), holds the customer id and the chosen columns, in the order of
the Customers table, and is written with the same formula guard and atomic rename as the main output.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.compute as pc

from tiercli.engine.figures import LIFECYCLE_ORDER
from tiercli.engine.movement import MOVEMENTS, movement_column, previous_column
from tiercli.errors import Location, OutputError, UsageError, suggestion
from tiercli.messages import listed, say
from tiercli.outputs.staging import Named, Staging, atomic_path
from tiercli.outputs.values import labelled
from tiercli.outputs.writers import write_csv_rows
from tiercli.result import Result
from tiercli.vocabulary.headers import canonical_header, translated_names
from tiercli.vocabulary.labels import column_kind as coded_kind
from tiercli.vocabulary.labels import label

DEFAULT_COLUMNS = ("monetary", "frequency", "recency_days", "segment", "tags")
MAX_NAME_BYTES = 200  # of a list's file name before '.csv' (with the temporary name's extras, under 255)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class SplitFile:
    group: str
    path: Path
    customers: int


def file_name(group: str) -> str:
    """A file name for a group as people read it (Chinese kept), with characters no file system takes replaced,
    and short enough for any file system (255 bytes): a longer name is cut and keeps a short hash of the whole,
    so two long names stay two files."""
    name = _UNSAFE.sub("_", group).strip(" .") or "_"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        digest = hashlib.sha256(group.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        cut = name.encode("utf-8")[:MAX_NAME_BYTES - 10].decode("utf-8", "ignore").rstrip(" .")
        name = f"{cut}~{digest}"
    return f"{name}.csv"


def split_choices(gradings: Sequence[str]) -> list[str]:
    """What --split-by takes: every categorical column of the customers table. `tier` is the first grading;
    `movement`, `movement_<grading>` and `previous_<grading>` exist only in a run with a previous run."""
    movement = [movement_column(gradings, g) for g in gradings]
    return ["tier", "tag", "segment", "lifecycle", *gradings, *movement, *(previous_column(g) for g in gradings)]


def check_split_by(by: str, gradings: Sequence[str]) -> None:
    """Before the run: `by` must be one of `split_choices`."""
    choices = split_choices(gradings)
    if by not in choices:
        raise UsageError(say("outputs.bad_split_by", by=by, hint=suggestion(by, choices)), slug="bad_split_by")


def _order(result: Result, column: str) -> list[str]:
    """The values of `column` in their meaningful order: a grading's levels in the rules' order (also for its
    previous_ column), the movements and the lifecycle stages in theirs; others by name."""
    levels = column.removeprefix("previous_") if column.startswith("previous_") else column
    if levels in result.gradings:
        return list(result.summary[result.summary["grading"] == levels]["level"])
    if column in [movement_column(result.gradings, g) for g in result.gradings]:
        return list(MOVEMENTS)
    return list(LIFECYCLE_ORDER) if column == "lifecycle" else []


def _groups(result: Result, by: str) -> tuple[str, list[str]]:
    """The column that groups the customers for `by`, and the groups in their order (for tags: the tags, each
    its own 0/1 column, and the column is ''). A customer without a value in the column is in no group."""
    if by == "tag":
        return "", list(result.tags)
    check_split_by(by, result.gradings)
    column = result.gradings[0] if by == "tier" else by
    if column not in result.customers.column_names:  # movement and previous_ columns come with a previous run
        raise UsageError(say("outputs.split_needs_previous", by=by), slug="split_needs_previous")
    order = _order(result, column)
    present: dict[str, None] = {}
    for batch in result.customers.batches([column]):
        present.update(dict.fromkeys(v for v in pc.unique(batch.column(0)).to_pylist() if v not in (None, "")))
    names = [v for v in order if v in present] + sorted(v for v in present if v not in order)
    return column, names


def write_split(result: Result, by: str, directory: str, columns: Sequence[str] = DEFAULT_COLUMNS,
                lang: str = "en", staging: Staging | None = None,
                taken: Callable[[Sequence[Named]], None] | None = None) -> list[SplitFile]:
    """Write one CSV per group of `by` (one of `split_choices`; tier = the first grading) into `directory`; a
    customer with several tags is in each of their files, one without a value in the column in none. `columns`
    may be named in either language; the headers are written in `lang`. `taken`, when given, is called with the
    files before any is written, to stop the run if one of them is an input or another output."""
    where = Location(file=directory)
    table = result.customers
    columns = [c if c in table.column_names else canonical_header(c) for c in columns]
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise UsageError(say("outputs.unknown_split_columns", columns=listed(repr(c) for c in missing),
                             hint=suggestion(missing[0], table.column_names)), where, slug="bad_columns")
    column, groups = _groups(result, by)
    target = Path(directory)
    files: list[tuple[str, Path]] = []
    seen: dict[str, str] = {}
    kind = coded_kind(column) if column else None
    shown = {g: label(kind, g, lang) if kind else g for g in groups}  # a list is named as people read its group
    for group in groups:
        name = file_name(shown[group])
        if name.casefold() in seen:
            raise UsageError(say("outputs.split_name_clash", first=seen[name.casefold()], second=group, name=name),
                             where, slug="split_name_clash")
        seen[name.casefold()] = group
        files.append((group, target / name))  # the code, to compare with the column
    if taken is not None:
        taken([Named(str(path), say("outputs.named.split_list", group=shown[group]),
                     fix=say("outputs.named.split_fix")) for group, path in files])
    try:
        if staging is not None:
            staging.folder_for(target)
        else:
            target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(say("outputs.cant_create_split_dir", reason=exc.strerror or exc), where,
                         slug="bad_split_dir") from exc
    keep = ["customer_id", *(c for c in columns if c != "customer_id")]
    schema = pa.schema([table.schema.field(c) for c in keep])
    names = translated_names(keep, lang, result.gradings, result.tags)
    with ExitStack() as stack:  # every list open at once, the customers read once
        streams: list[TextIO] = []
        for _, path in files:
            location = Location(file=str(path))
            temp = stack.enter_context(atomic_path(path, location, staging))
            streams.append(stack.enter_context(_opened(temp, location)))
            write_csv_rows(names, schema, [], streams[-1])
        counts = [0] * len(files)
        for batch in table.batches([*keep, *([column] if column else result.tags)]):
            rows = batch.select(list(range(len(keep))))
            for k, ((group, _), stream) in enumerate(zip(files, streams, strict=True)):
                mask = (pc.equal(batch.column(len(keep)), group) if column
                        else pc.equal(batch.column(len(keep) + k), 1))
                chosen = rows.filter(pc.fill_null(mask, False))
                if chosen.num_rows:
                    write_csv_rows(names, schema, [labelled(chosen, lang)], stream, header=False)
                    counts[k] += chosen.num_rows
    return [SplitFile(shown[group], path, count) for (group, path), count in zip(files, counts, strict=True)]


@contextmanager
def _opened(temp: Path, location: Location) -> Iterator[TextIO]:
    try:
        with open(temp, "w", encoding="utf-8-sig", newline="") as stream:
            yield stream
    except OSError as exc:
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.list"), reason=exc.strerror or exc),
                          location) from exc
