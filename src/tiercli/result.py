"""What a classification run produces: handed from the pipeline to the writers and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from tiercli.engine.movement import MovementReport


@dataclass(frozen=True)
class InputFile:
    """One input file (or sheet) as read, with its row accounting."""

    path: str  # as the user gave it
    name: str  # shown in Excluded/Run (the file name, plus the sheet for workbooks)
    sha256: str
    kind: str  # csv | xlsx | xls | parquet | ...
    rows_read: int
    rows_used: int
    rows_excluded: int
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1  # the row holding the headers, as a spreadsheet numbers it
    platform: str | None = None
    detection: str = ""  # how the platform was chosen, e.g. `tmall-order-report (100% of its headers; ...)`
    masked_keys: int = 0  # rows whose buyer identifier was masked (`****`, `密文`, per-order relay e-mails)
    relay_keys: int = 0  # used rows identified by a stable marketplace relay e-mail


@dataclass(frozen=True)
class StatusCount:
    """Rows per raw status as the file writes it, with the class tiercli gave it."""

    file: str
    status: str
    status_class: str
    rows: int


@dataclass
class Result:
    customers: pa.Table  # one row per customer, columns in output order
    excluded: pa.Table  # file, row, reason, message, then the original cells as text
    summary: pd.DataFrame  # per grading and level: customers, share, revenue, revenue share, AOV, ...
    thresholds: pd.DataFrame  # per R/F/M score: cut points and customers
    run: list[tuple[str, str]]  # key, value rows for the Run sheet
    inputs: list[InputFile]
    mapping: dict[str, str]  # canonical field -> source header
    as_of: datetime
    excluded_by_reason: dict[str, int]
    column_units: dict[str, str] = field(default_factory=dict)  # customers column -> money|ratio|date|...
    gradings: list[str] = field(default_factory=list)  # grading column names, in rules order
    tags: list[str] = field(default_factory=list)  # tag names, in rules order
    notes: list[str] = field(default_factory=list)  # things the user should know (uneven bins, ...)
    statuses: list[StatusCount] = field(default_factory=list)
    movement: MovementReport | None = None  # with a previous run: the Movement sheet

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.inputs)

    @property
    def rows_used(self) -> int:
        return sum(f.rows_used for f in self.inputs)

    @property
    def rows_excluded(self) -> int:
        return sum(f.rows_excluded for f in self.inputs)


@dataclass
class Inspection:
    """What `tiercli inspect` shows: how the files read, before any rule runs."""

    inputs: list[InputFile]
    mapping: dict[str, str]
    statuses: list[StatusCount]
    excluded_by_reason: dict[str, int]
    first_order: datetime | None
    last_order: datetime | None
    customers: int
    dates: str  # how day/month order was read
