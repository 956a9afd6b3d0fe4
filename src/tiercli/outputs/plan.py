"""What a classification writes, as one plan: checked before the run, written after it in one go.

`OutputPlan` is the files a user asked for (the main output, split lists, the HTML report, a platform re-import
file); `check_plan` stops before any data is read when one of them can't be written or would replace an input or
another output; `write_outputs` writes them all aside and puts them in place together, and `write_stdout` sends
the customers to stdout last. The command line only builds the plan and shows what `Written` says.

A run on a cluster (`--engine spark`) plans a folder (`OutputPlan.folder`, `tiercli.outputs.cluster`): its rows
are written where they were computed, so whatever needs every customer's row here (a file or stdout for the
customers, split lists, re-import files) is refused by `check_plan`, before anything is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tiercli.messages import say
from tiercli.outputs.cluster import (
    STEPS,
    FolderWritten,
    check_output_folder,
    needs_rows,
    where_note,
    write_output_folder,
)
from tiercli.outputs.html import check_report_path, write_html
from tiercli.outputs.platform_exports import (
    PlatformExport,
    check_export_format,
    check_export_path,
    write_platform_export,
)
from tiercli.outputs.split import DEFAULT_COLUMNS, SplitFile, check_split_by, write_split
from tiercli.outputs.staging import Named, Staging, check_outputs
from tiercli.outputs.workbook.book import workbook_notes
from tiercli.outputs.writers import rows_to_write, write_result
from tiercli.progress import NO_PROGRESS, WRITING, Progress, phase
from tiercli.result import Result
from tiercli.runfolder import RunFolder

STDOUT = "-"


@dataclass(frozen=True)
class Split:
    """One CSV per group (`tier`, `tag`, `segment` or a grading's name) in `directory`, with `columns`."""

    group: str
    directory: str
    columns: tuple[str, ...] = tuple(DEFAULT_COLUMNS)


@dataclass(frozen=True)
class Export:
    """A platform re-import file: `format` (one of `EXPORT_FORMATS`) at `path`."""

    format: str
    path: str


@dataclass(frozen=True)
class OutputPlan:
    """The files of a run: `out` (a workbook, CSV, Parquet, JSON, or "-" for CSV on stdout; with `folder`, the
    folder of a cluster run) and the optional extras, written in `lang`."""

    out: str
    lang: str = "en"
    split: Split | None = None
    report: str | None = None
    export: Export | None = None
    folder: bool = False  # the run's rows stay on a cluster: `out` is a folder (tiercli.outputs.cluster)

    def named(self) -> list[Named]:
        """The plan's files as the command line named them, for the checks against inputs and each other."""
        return [Named(self.out, say("outputs.named.output")),
                *([Named(self.report, say("outputs.named.report"))] if self.report is not None else []),
                *([Named(self.export.path, say("outputs.named.export"))] if self.export else [])]


@dataclass
class Written:
    """What `write_outputs` put in place: the main output (None when it goes to stdout), or the folder of a
    cluster run, the split lists, the report, the re-import file, the warnings of that file (what the platform
    can't take), and the notes of the workbook (a table that continues on more sheets)."""

    output: str | None = None
    folder: FolderWritten | None = None
    lists: list[SplitFile] = field(default_factory=list)
    report: str | None = None
    export: PlatformExport | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_plan(plan: OutputPlan, gradings: Sequence[str], inputs: Sequence[Named]) -> None:
    """Before the run: every option of the plan is valid and no file of it replaces an input or another one."""
    if plan.folder:
        if plan.split is not None:
            raise needs_rows("--split-by")
        if plan.export is not None:
            raise needs_rows("--export-format")
    if plan.split is not None:
        check_split_by(plan.split.group, gradings)
    if plan.report is not None:
        check_report_path(plan.report)
    if plan.export is not None:
        check_export_format(plan.export.format)
        check_export_path(plan.export.path)
    if plan.folder:
        check_output_folder(plan.out, plan.named()[1:], inputs)
    check_outputs(plan.named(), inputs)


def write_outputs(result: Result, plan: OutputPlan, inputs: Sequence[Named] = (),
                  progress: Progress = NO_PROGRESS) -> Written:
    """Write every file of `plan` (not stdout: `write_stdout`) as the writing phase of `progress`: each aside,
    all put in place together at the end, so a failure replaces none. The split lists, known only now, are
    checked against `inputs` and the plan's other files first."""
    if plan.folder:
        return _write_folder(result, plan, progress)
    written = Written()
    rows = rows_to_write(result, plan.out) if plan.out != STDOUT else 0
    with phase(progress, WRITING, rows), RunFolder() as folder, Staging(folder) as staging:
        if plan.out != STDOUT:
            written.output = write_result(result, plan.out, lang=plan.lang, progress=progress, staging=staging)
            if plan.out.lower().endswith(".xlsx"):
                written.notes = workbook_notes(result, plan.lang)
        if plan.split is not None:
            def check(files: Sequence[Named]) -> None:
                check_outputs([*plan.named(), *files], inputs)

            written.lists = write_split(result, plan.split.group, plan.split.directory, plan.split.columns,
                                        lang=plan.lang, staging=staging, taken=check)
        if plan.report is not None:
            write_html(result, plan.report, plan.lang, staging, written.notes)
            written.report = plan.report
        if plan.export is not None:
            written.export = write_platform_export(result, plan.export.format, plan.export.path, staging=staging)
            written.warnings = list(written.export.warnings)
    return written


def _write_folder(result: Result, plan: OutputPlan, progress: Progress) -> Written:
    """The folder of a cluster run and the report, put in place together; the report says where the rows are."""
    written = Written()
    with phase(progress, WRITING, STEPS), RunFolder() as folder, Staging(folder) as staging:
        written.folder = write_output_folder(result, plan.out, plan.lang, staging, progress)
        if plan.report is not None:
            write_html(result, plan.report, plan.lang, staging, [where_note(plan.out)])
            written.report = plan.report
    return written


def write_stdout(result: Result, plan: OutputPlan, progress: Progress = NO_PROGRESS) -> None:
    """The customers as CSV on stdout, when the plan says so: the last thing a run writes."""
    if plan.out == STDOUT:
        with phase(progress, WRITING, rows_to_write(result, plan.out)):
            write_result(result, plan.out, lang=plan.lang, progress=progress)
