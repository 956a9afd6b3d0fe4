"""An earlier run of tiercli, read back: `--previous PREV`, and both sides of `tiercli diff`.

A run is what `tiercli classify` wrote: a workbook (its `Customers` sheet, continued on `Customers (2)`, … when it
was long), or the customers table as CSV or Parquet, in English or with `--lang zh`'s Chinese sheet names and
headers (read back to tiercli's names). Customers are matched by `customer_id`; each grading of the
rules must be a column whose values are that grading's level names. A workbook's Summary sheet also says each
grading's levels in rules order, which `tiercli diff` uses to tell up from down without a rules file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pyarrow as pa
import pyarrow.compute as pc

from tiercli.errors import ColumnMappingError, DataError, Location
from tiercli.messages import Said, as_is, listed, say
from tiercli.rules.model import Rules
from tiercli.sources.sheets import TextSheet, read_sheets, sha256, suggested
from tiercli.vocabulary.headers import canonical_table
from tiercli.vocabulary.labels import code_array

MOVEMENT = "movement"
LAPSED = "lapsed"
GRACE_SUFFIX = "_grace_until"
_CUSTOMERS_SHEET = re.compile(r"(?:Customers|客户)(?: \((\d+)\))?")
_SUMMARY_SHEETS = ("Summary", "汇总")
_LEVEL_HEADERS = (["grading", "level"], ["分级", "等级"])
_SHOWN_COLUMNS = 12


def customers_sheets(names: Sequence[str]) -> list[str]:
    """`Customers`, `Customers (2)`, … (客户, 客户 (2), … when written in Chinese) in order; a workbook without
    them: its first sheet."""
    found = [(int(m.group(1) or 1), n) for n in names if (m := _CUSTOMERS_SHEET.fullmatch(n))]
    return [n for _, n in sorted(found)] or list(names[:1])


@dataclass(frozen=True)
class RunFile:
    """An output of tiercli as read: its customer sheets as text, and the levels its Summary sheet lists."""

    path: str
    sha256: str
    sheets: list[TextSheet]
    summary_levels: dict[str, list[str]] = field(default_factory=dict)  # grading -> levels, in rules order

    @property
    def columns(self) -> list[str]:
        return self.sheets[0].table.column_names

    def column(self, name: str) -> pa.ChunkedArray:
        return pa.chunked_array([c for s in self.sheets for c in s.table.column(name).chunks], pa.string())

    def where(self, index: int, column: str | None = None) -> Location:
        """The location of the row at `index` over all sheets."""
        for sheet in self.sheets:
            if index < sheet.table.num_rows:
                return Location(file=sheet.label, row=sheet.row(index), column=column)
            index -= sheet.table.num_rows
        raise IndexError(index)

    def row_text(self, index: int) -> Said:
        """'row 5' (with the sheet when the run has more than one) for messages already naming the file."""
        where = self.where(index)
        if len(self.sheets) == 1:
            return say("common.row", row=where.row)
        return say("sources.sheet_row", sheet=where.file, row=where.row)

    @property
    def rows(self) -> int:
        return sum(s.table.num_rows for s in self.sheets)


def read_run(path: str, what: Said | None = None) -> RunFile:
    """Read an output of tiercli (`what` names it in messages: the previous run unless said);
    `ColumnMappingError` when it has no customer_id column."""
    texts, grids = read_sheets(path, what or say("common.previous_run"), customers_sheets, summary_sheet)
    sheets = [replace(sheet, table=canonical_table(sheet.table)) for sheet in texts]
    summary = next(iter(grids.values()), None)
    run = RunFile(path, sha256(path), sheets, _summary_levels(summary) if summary is not None else {})
    for sheet in sheets:
        if "customer_id" not in sheet.table.column_names:
            raise ColumnMappingError(say("sources.run_no_customer_id", found=_shown(sheet.table.column_names)),
                                     Location(file=sheet.label), slug="run_no_customer_id")
    return run


def summary_sheet(names: Sequence[str]) -> list[str]:
    """The Summary sheet (汇总 when written in Chinese), when the workbook has one."""
    return [n for n in _SUMMARY_SHEETS if n in names][:1]


def _summary_levels(table: pa.Table) -> dict[str, list[str]]:
    """grading -> levels from the Summary sheet's per-level table (empty when there is none)."""
    levels: dict[str, list[str]] = {}
    header = False
    for row in table.to_pylist():
        cells = list(row.values())
        if cells[:2] in _LEVEL_HEADERS:
            header = True
        elif header and cells[0] and cells[1]:
            levels.setdefault(cells[0], []).append(cells[1])
    return levels


def _shown(names: Sequence[str]) -> Said:
    more = len(names) - _SHOWN_COLUMNS
    return listed(names[:_SHOWN_COLUMNS], quoted=True) + (say("sources.and_more", more=more) if more > 0 else "")


@dataclass(frozen=True)
class Previous:
    """The previous levels per customer, checked against the rules.

    `table`: customer_id, lapsed (the customer was not in that run's data either), then per grading its level
    and `<grading>_grace_until` (a date while a customer held at an upgrade-only level is in its grace period)."""

    source: str  # the file as given, or what the previous run was (tiercli compare)
    sha256: str | None
    table: pa.Table
    metrics: pa.Table | None = None  # its frequency, monetary, recency_days (those it has), for the headline figures

    @property
    def customers(self) -> int:
        return self.table.num_rows


def read_previous(path: str, rules: Rules) -> Previous:
    """`--previous PREV` read and checked: every grading of the rules a column, every level one of its levels."""
    run = read_run(path)
    gradings = {g.name: [level.name for level in g.levels] for g in rules.gradings}
    return Previous(path, run.sha256, levels_table(run, gradings, rules.source), metrics_table(run))


KPI_COLUMNS = ("frequency", "monetary", "recency_days")


def metrics_table(run: RunFile) -> pa.Table | None:
    """The run's columns the headline figures are counted from, as text; None when it has none of them."""
    found = [c for c in KPI_COLUMNS if c in run.columns]
    return pa.table({c: run.column(c) for c in found}) if found else None


def levels_table(run: RunFile, gradings: Mapping[str, Sequence[str]], whose: str) -> pa.Table:
    """customer_id, lapsed, and per grading its level and grace date, checked: ids present and listed once, each
    grading a column, each level known. `whose` names where the levels come from, for messages (see
    `tiercli.sources.readers.said`)."""
    ids = run.column("customer_id")
    _check_ids(run, ids)
    movement = code_array("movement", run.column(MOVEMENT)) if MOVEMENT in run.columns else None  # zh: labels
    lapsed = pc.fill_null(pc.equal(movement, LAPSED), False) if movement is not None else pa.repeat(False, run.rows)
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {"customer_id": ids, "lapsed": lapsed}
    for grading, levels in gradings.items():
        if grading not in run.columns:
            raise ColumnMappingError(say("sources.run_no_grading", grading=grading, whose=as_is(whose),
                                         found=_shown(run.columns)),
                                     Location(file=run.sheets[0].label), slug="run_no_grading")
        values = run.column(grading)
        _check_levels(run, grading, values, levels, as_is(whose))
        arrays[grading] = values
        arrays[grading + GRACE_SUFFIX] = _dates(run, grading + GRACE_SUFFIX)
    return pa.table(arrays)


def _check_ids(run: RunFile, ids: pa.ChunkedArray) -> None:
    missing = pc.index(pc.is_null(ids), True).as_py()
    if missing >= 0:
        raise DataError(say("sources.run_missing_id"), run.where(missing, "customer_id"), slug="run_missing_id")
    counts = pc.value_counts(ids)
    twice = pc.filter(counts, pc.greater(counts.field("counts"), 1))
    if len(twice):
        customer = twice[0]["values"].as_py()
        rows = pc.indices_nonzero(pc.equal(ids, customer)).to_pylist()[:3]
        where = listed((run.row_text(r) for r in rows), separator="common.and")
        raise DataError(say("sources.run_duplicate_id", customer=customer, rows=where),
                        Location(file=run.sheets[0].label, column="customer_id"), slug="run_duplicate_id")


def _check_levels(run: RunFile, grading: str, values: pa.ChunkedArray, levels: Sequence[str], whose: Said) -> None:
    empty = pc.index(pc.is_null(values), True).as_py()
    if empty >= 0:
        customer = run.column("customer_id")[empty].as_py()
        raise DataError(say("sources.run_missing_level", customer=customer), run.where(empty, grading),
                        slug="run_missing_level")
    unknown = pc.filter(values, pc.invert(pc.is_in(values, value_set=pa.array(list(levels), pa.string()))))
    if not len(unknown):
        return
    parts: list[Said] = []
    found = [(pc.index(values, item["values"]).as_py(), item["values"], item["counts"])
             for item in pc.value_counts(unknown).to_pylist()]
    for index, level, count in sorted(found):
        choice = suggested(level, levels)
        hint = say("sources.level_hint", choice=choice) if choice is not None else as_is("")
        customers = say("sources.one_customer", count=count) if count == 1 else say("sources.customers", count=count)
        parts.append(say("sources.unknown_level_found", level=level, customers=customers, first=run.row_text(index),
                         hint=hint))
    filled = {"grading": grading, "whose": whose, "levels": listed(levels),
              "found": listed(parts, separator="common.clause")}
    message = (say("sources.run_unknown_level", **filled) if len(parts) == 1
               else say("sources.run_unknown_levels", **filled))
    raise DataError(message, Location(file=run.path, column=grading), slug="run_unknown_level")


def _dates(run: RunFile, name: str) -> pa.ChunkedArray:
    """A date column of the run (the first 10 characters of its text, YYYY-MM-DD), or all empty when absent."""
    if name not in run.columns:
        return pa.chunked_array([pa.nulls(run.rows, pa.date32())])
    text = run.column(name)
    days = pc.utf8_slice_codeunits(text, 0, 10)
    parsed = pc.cast(pc.strptime(days, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    bad = pc.index(pc.and_(pc.is_valid(text), pc.is_null(parsed)), True).as_py()
    if bad >= 0:
        raise DataError(say("sources.not_a_date", value=text[bad].as_py()), run.where(bad, name), slug="run_bad_date")
    return parsed
