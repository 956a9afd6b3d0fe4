"""The output of a run whose customers and excluded rows stayed where a cluster engine computed them
(`--engine spark`, `Result.cluster`): one folder holding them as Parquet folders, and the summary workbook.

`OUT/customers/` and `OUT/excluded/` are written by the cluster (none of their rows comes to this machine);
`OUT/summary.xlsx` is the workbook of the figures alone, every sheet but the two that list rows, saying where the
rows are. The folder is filled under a temporary name beside OUT and renamed into place with the run's other
outputs (`Staging.directory`), so a failed run leaves no part of it. `check_output_folder` runs before the run:
OUT is a new or empty folder, inside no input and holding none, and no other output is inside it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from tiercli.errors import Location, OutputError, UsageError, first_line
from tiercli.messages import Said, say
from tiercli.outputs.staging import Named, Staging
from tiercli.outputs.workbook.book import write_summary_workbook
from tiercli.outputs.writers import SUFFIXES
from tiercli.progress import NO_PROGRESS, Progress
from tiercli.result import Result

TABLES = ("customers", "excluded")  # the Parquet folders inside OUT, named as `ClusterTables.write` names them
WORKBOOK = "summary.xlsx"
STEPS = len(TABLES) + 1  # what the writing phase counts: each table, then the workbook


@dataclass(frozen=True)
class FolderWritten:
    """What `write_output_folder` put in place, as the user named it: the customers' and excluded rows' Parquet
    folders with their row counts, and the summary workbook."""

    customers: str
    excluded: str
    workbook: str
    customer_rows: int
    excluded_rows: int


def part(out: str, name: str) -> str:
    """A part of the output folder as the user would write it (`out/customers`)."""
    return os.path.join(out, name)


def _local(path: str) -> bool:
    """Whether an input names a file or folder of this machine (not `table:db.name`, not a URL Spark reads)."""
    return not path.startswith("table:") and "://" not in path


def _inside(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or inside it, links resolved."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def check_output_folder(out: str, others: Sequence[Named], inputs: Sequence[Named]) -> None:
    """Before the run: OUT names a folder (not a file name with an output suffix, not stdout), new or empty,
    neither inside an input nor holding one, and holding none of the run's other outputs (`others`)."""
    location = Location(file=out)
    if out == "-" or Path(out).suffix.lower() in SUFFIXES:
        raise UsageError(say("outputs.folder.not_a_folder", path=out), location, slug="spark_output_file")
    target = Path(out)
    if target.is_symlink():  # the folder is put in place by renaming, which would replace the link
        raise UsageError(say("outputs.folder.is_a_link", path=out), location, slug="output_folder_is_link")
    if target.exists() and not target.is_dir():
        raise UsageError(say("outputs.folder.is_a_file", path=out), location, slug="output_folder_is_file")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(say("outputs.folder.not_empty", path=out), location, slug="output_folder_not_empty")
    for source in inputs:
        if _local(source.path) and (_inside(out, source.path) or _inside(source.path, out)):
            raise UsageError(say("outputs.folder.holds_input", path=out, other=source.what,
                                 other_path=source.path), location, slug="output_is_input")
    for other in others:
        if other.path != "-" and _inside(other.path, out):
            raise UsageError(say("outputs.folder.holds_output", path=out, other=other.what,
                                 other_path=other.path), Location(file=other.path), slug="output_clash")


def needs_rows(option: str) -> UsageError:
    """The error of an option that reads every customer's row on this machine, which a cluster run doesn't do."""
    return UsageError(say("outputs.folder.needs_rows", option=option), slug="spark_needs_rows")


def where_note(out: str) -> Said:
    """What the summary workbook and the report say of the rows they don't hold: where they are."""
    return say("outputs.folder.rows_at", customers=part(out, TABLES[0]), excluded=part(out, TABLES[1]))


def write_output_folder(result: Result, out: str, lang: str, staging: Staging,
                        progress: Progress = NO_PROGRESS) -> FolderWritten:
    """Fill OUT (made with its parents when missing) through `staging`: the cluster writes the customers and
    the excluded rows as Parquet folders, this machine the summary workbook; advances `progress` by one per step
    (STEPS in all). Raises OutputError naming what the cluster could not write."""
    if result.cluster is None:
        raise OutputError(say("outputs.folder.no_cluster"), Location(file=out))
    target = Path(os.path.abspath(out))
    location = Location(file=out)
    staging.folder_for(target.parent)
    with staging.directory(target, location) as temp:
        for table in TABLES:
            try:
                # a file URI: the local file system, whatever the cluster's default file system is
                result.cluster.write(table, (temp / table).as_uri())
            except Exception as exc:  # the cluster's own error (Spark's), said in one line
                raise OutputError(say("outputs.folder.cant_write", reason=first_line(exc)),
                                  Location(file=part(out, table))) from exc
            progress.advance()
        note = where_note(out)
        facts = [(say("outputs.folder.customers_fact"), part(out, TABLES[0])),
                 (say("outputs.folder.excluded_fact"), part(out, TABLES[1]))]
        try:
            write_summary_workbook(result, temp / WORKBOOK, lang, progress, staging.scratch, [note], facts)
        except (OSError, FileCreateError) as exc:
            cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
            reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
            raise OutputError(say("outputs.cant_write", what=say("outputs.named.output"), reason=reason),
                              Location(file=part(out, WORKBOOK))) from exc
        progress.advance()
    return FolderWritten(part(out, TABLES[0]), part(out, TABLES[1]), part(out, WORKBOOK),
                         result.customers.num_rows, result.excluded.num_rows)
