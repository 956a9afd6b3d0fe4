"""What a classification run produces: handed from the pipeline to the writers and the CLI.

The customers and excluded rows can be millions of rows, so a run keeps them as Arrow files in its run folder
(`Rows`), read a batch at a time by whoever writes them; everything else (summary, figures, notes) is small.
"""

from __future__ import annotations

import copy
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.ipc as ipc

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class GradingMovement:
    """One grading's movement: counts and revenue per movement, and the previous × current matrices."""

    grading: str
    counts: pd.DataFrame  # movement, customers, revenue
    customers: pd.DataFrame  # previous level (rows, NEW_ROW first) × current level (+ NOT_IN_DATA), totals
    revenue: pd.DataFrame  # the same cells: this run's net spend (monetary)
    held: dict[str, int] = field(default_factory=dict)  # upgrade-only: held, grace, dropped


@dataclass(frozen=True)
class MovementReport:
    """What the Movement sheet shows."""

    previous: str  # what the previous run was (a file, or the earlier as_of of tiercli compare)
    gradings: list[GradingMovement]
    movers: pa.Table  # customer_id, grading, previous, current, movement, monetary, why (up/down/returned)
    lapsed: pa.Table  # customer_id, then each grading's kept level
    notes: list[str]


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
    key_conflicts: int = 0  # orders whose lines name two different customers (each went to its first line's)
    missing_markers: dict[str, int] = field(default_factory=dict)  # header -> cells of NA, NULL, #N/A, …


@dataclass(frozen=True)
class StatusCount:
    """Rows per raw status as the file writes it, with the class tiercli gave it."""

    file: str
    status: str
    status_class: str
    rows: int


class Rows:
    """A table of a run's result, read a batch at a time: an Arrow file on disk (`write`), or a table in memory
    (`Rows(table)`, for small results and tests)."""

    def __init__(self, table: pa.Table | None = None, *, path: Path | None = None,
                 schema: pa.Schema | None = None, num_rows: int = 0) -> None:
        if (table is None) == (path is None):
            raise ValueError("Rows needs a table or a path")
        self._map: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None
        self._table = table
        self.path = path
        if table is not None:
            self.schema, self.num_rows = table.schema, table.num_rows
        else:
            assert schema is not None
            self.schema, self.num_rows = schema, num_rows

    @staticmethod
    def write(path: Path, batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Rows:
        """Stream `batches` into an Arrow file at `path` (nothing is held but the batch being written)."""
        count = 0
        with pa.OSFile(os.fspath(path), "wb") as sink, ipc.new_file(sink, schema) as writer:
            for batch in batches:
                if batch.num_rows:
                    writer.write_batch(batch)
                    count += batch.num_rows
        return Rows(path=path, schema=schema, num_rows=count)

    @property
    def column_names(self) -> list[str]:
        return list(self.schema.names)

    @property
    def num_columns(self) -> int:
        return len(self.schema.names)

    def mapped(self, change: Callable[[pa.RecordBatch], pa.RecordBatch]) -> Rows:
        """The same rows with each batch read through `change` (which keeps the columns and their types)."""
        other = copy.copy(self)
        other._map = change
        return other

    @staticmethod
    def elsewhere(schema: pa.Schema, num_rows: int) -> Rows:
        """Rows kept where a cluster engine computed them: their columns and count, none of their batches here
        (see `ClusterTables`)."""
        rows = Rows(schema.empty_table())
        rows.num_rows = num_rows
        return rows

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The rows in order, a batch at a time, with only `columns` when given."""
        if self._map is not None:
            change = self._map
            yield from (change(batch) for batch in self._unmapped(columns))
            return
        yield from self._unmapped(columns)

    def _unmapped(self, columns: Sequence[str] | None = None) -> Iterator[pa.RecordBatch]:
        if self._table is not None:
            table = self._table.select(list(columns)) if columns is not None else self._table
            yield from table.to_batches(max_chunksize=65_536)
            return
        assert self.path is not None
        with pa.OSFile(os.fspath(self.path), "rb") as source:
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                batch = reader.get_batch(i)
                yield batch.select(list(columns)) if columns is not None else batch

    def read(self, columns: Sequence[str] | None = None) -> pa.Table:
        """The whole table in memory (only for what is known to be small, and tests)."""
        if self._table is not None and self._map is None:
            return self._table.select(list(columns)) if columns is not None else self._table
        batches = list(self.batches(columns))
        schema = pa.schema([self.schema.field(c) for c in columns]) if columns is not None else self.schema
        return pa.Table.from_batches(batches, schema=schema)

    def column(self, name: str) -> pa.ChunkedArray:
        """One whole column (for small results and tests)."""
        return self.read([name]).column(0)

    def to_pylist(self) -> list[dict[str, object]]:
        """Every row as a dict (for small results and tests)."""
        return self.read().to_pylist()

    def source(self) -> pa.Table | ds.Dataset:
        """Something DuckDB can scan as a table, as often as needed, a batch at a time."""
        if self._table is not None:
            return self._table
        assert self.path is not None
        return ds.dataset(os.fspath(self.path), format="arrow")

    def sample(self, size: int) -> pa.Table:
        """About `size` rows spread over the table (the first rows of evenly spaced batches), for column widths."""
        table = self._sample(size)
        if self._map is None:
            return table
        return pa.Table.from_batches([self._map(b) for b in table.to_batches()], schema=table.schema)

    def _sample(self, size: int) -> pa.Table:
        if self._table is not None:
            table = self._table
            if table.num_rows <= size:
                return table
            step = table.num_rows / size
            return table.take(pa.array([int(i * step) for i in range(size)], pa.int64()))
        assert self.path is not None
        with pa.OSFile(os.fspath(self.path), "rb") as source:
            reader = ipc.open_file(source)
            count = reader.num_record_batches
            picks = sorted({int(k * count / 8) for k in range(8)} & set(range(count)))
            per = max(1, size // max(1, len(picks)))
            parts = [reader.get_batch(i).slice(0, per) for i in picks]
        return pa.Table.from_batches(parts, schema=self.schema)


@dataclass(frozen=True)
class TagFigures:
    tag: str
    customers: int
    share: float  # of all customers
    revenue: float  # total monetary of the tagged customers
    manual: bool = False  # set by hand in the overrides (人工标签), not by a rule


@dataclass(frozen=True)
class StageFigures:
    stage: str
    customers: int
    share: float  # of all customers
    revenue: float
    revenue_share: float | None
    median_recency_days: float | None


@dataclass(frozen=True)
class SegmentFigures:
    segment: str
    customers: int
    share: float  # of all customers
    orders: int
    revenue: float
    aov: float | None  # revenue / orders
    median_recency_days: float | None
    median_frequency: float | None
    median_monetary: float | None


SEGMENT_FIELDS = tuple(name for name in SegmentFigures.__dataclass_fields__)


@dataclass(frozen=True)
class RfGrid:
    """Customers and their mean monetary per R score (rows, best first) and F score (columns)."""

    r_scores: list[int]
    f_scores: list[int]
    customers: list[list[int]]
    mean_spend: list[list[float | None]]


@dataclass(frozen=True)
class ModelFit:
    """A fitted model of the clv: prediction (tiercli.engine.clv), as the reports show it."""

    model: str  # bgnbd | paretonbd | gammagamma
    names: tuple[str, ...]  # parameter names, e.g. r, alpha, a, b
    params: tuple[float, ...]
    std_errors: tuple[float | None, ...]  # None where the Hessian gives none
    log_likelihood: float
    customers: int  # the customers it was fitted on


@dataclass(frozen=True)
class ClvFigures:
    """What the clv: model run found: the fits, the figures the reports show, and why a prediction is missing."""

    model: str  # bgnbd | paretonbd
    unit: str  # days | weeks
    horizon_days: int
    discount_rate: float
    purchase: ModelFit | None  # None when not fitted (see notes)
    spend: ModelFit | None  # Gamma-Gamma; None when not fitted
    buyers: int  # customers with a purchase
    repeat_buyers: int  # customers who bought on more than one day
    history_days: int  # from the first purchase day in the data to the end of the as_of day
    correlation: float | None  # of purchases and mean repeat spend, which Gamma-Gamma assumes near 0
    p_alive_counts: list[int] = field(default_factory=list)  # customers per tenth of P(alive), 0–0.1 … 0.9–1
    expected_orders: float = 0.0  # over the horizon, summed over customers
    clv_total: float = 0.0  # summed over customers
    notes: list[str] = field(default_factory=list)

    def p_alive_tenths(self) -> list[tuple[str, int]]:
        """(range, customers) per tenth of P(alive), as the reports label them: 0.0–0.1 … 0.9–1.0."""
        return [(f"{k / 10:.1f}–{(k + 1) / 10:.1f}", n) for k, n in enumerate(self.p_alive_counts)]


@dataclass(frozen=True)
class Holdout:
    """`tiercli clv`'s validation: the model fitted on the orders up to `calibration_end`, its predictions for
    the rest compared with what the customers did (Fader, Hardie & Lee 2005, fig. 3)."""

    calibration_end: str  # the last day of the calibration period, YYYY-MM-DD
    holdout_end: str  # the last day of the holdout period
    customers: int  # the customers of the calibration period
    rows: list[tuple[str, int, float, float]]  # repeat purchases in calibration (0 … 6, 7+), customers, mean
    # actual purchases in the holdout, mean predicted
    actual_total: float
    predicted_total: float
    mean_absolute_error: float


@dataclass(frozen=True)
class EventFile:
    """One `--events` file as it read: its layout, rows read = used + excluded (by reason); an item-properties
    file (layout item-properties) has rows used for categories and the others not used (other properties)."""

    path: str
    name: str
    layout: str
    rows_read: int
    rows_used: int
    excluded_by_reason: dict[str, int]
    columns: dict[str, str]  # canonical event field -> header
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1
    not_used: int = 0  # item-properties rows that are not a category

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded_by_reason.values())


@dataclass(frozen=True)
class FunnelRow:
    """The view → favourite → cart → purchase funnel of one category (None: every event): events of each type and
    the different customers with one."""

    category: str | None
    views: int
    favourites: int
    carts: int
    purchases: int
    viewers: int
    favouriters: int
    carters: int
    buyers: int


@dataclass(frozen=True)
class BehaviourFigures:
    """What `--events` gave: the files, events per type, the customers with events and those of them without an
    order, and the funnel overall and per category (most viewed first)."""

    files: list[EventFile]
    events_by_type: dict[str, int]
    customers: int  # customers with at least one used event
    without_orders: int  # of them, customers without an order (browse-only)
    first_event: datetime | None
    last_event: datetime | None
    funnel: list[FunnelRow]  # overall first (category None), then per category
    categories: int = 0  # different categories with events (the funnel lists the most viewed)


@dataclass(frozen=True)
class Kpis:
    """A run's headline figures (`tiercli.engine.figures.KPI_DEFINITIONS` says how each is counted); None: the
    customers table has no column to count it from."""

    customers: int
    revenue: float | None  # net spend of all customers
    orders: int | None
    repeat_rate: float | None  # of the customers with an order, the share with two or more
    aov: float | None  # revenue / orders
    active_90d: int | None  # customers whose last purchase is at most 90 days before as_of


@dataclass(frozen=True)
class Figures:
    """What the reports show besides the level tables, computed once from the customers (`tiercli.engine.figures`)."""

    customers: int
    pareto: list[tuple[float, float]]  # (share of customers, share of revenue), from (0, 0) to (1, 1); or none
    tags: list[TagFigures]  # per tag, in rules order
    lifecycle: list[StageFigures]  # per stage present
    segments: list[SegmentFigures]  # per segment, most customers first; none when there are no RFM segments
    grid: RfGrid | None  # the R×F grid; None when there are no RFM segments
    kpis: Kpis | None = None  # the headline figures
    previous_kpis: Kpis | None = None  # the same of the previous run (--previous), when its file has the columns


class ClusterTables(Protocol):
    """A run's customers and excluded rows where the cluster engine (`--engine spark`) computed them: written
    there as Parquet folders, never read back to this machine."""

    def write(self, table: str, path: str) -> None:
        """Write `table` ("customers" or "excluded") as a Parquet folder at `path` (a path or URL the cluster
        writes to); an existing folder is an error."""


@dataclass
class Result:
    customers: Rows  # one row per customer, columns in output order
    excluded: Rows  # file, row, reason, message, then the original cells as text
    summary: pd.DataFrame  # per grading and level: customers, share, revenue, revenue share, AOV, ...
    thresholds: pd.DataFrame  # per R/F/M score: cut points and customers
    run: list[tuple[str, str]]  # key, value rows for the Run sheet
    inputs: list[InputFile]
    mapping: dict[str, str]  # canonical field -> source header
    as_of: datetime
    excluded_by_reason: dict[str, int]
    column_units: dict[str, str] = field(default_factory=dict)  # customers column -> money|ratio|date|...
    gradings: list[str] = field(default_factory=list)  # grading column names, in rules order
    tags: list[str] = field(default_factory=list)  # tag names, in rules order, then the tags set by hand
    manual_tags: list[str] = field(default_factory=list)  # the tags set by hand in the overrides (人工标签)
    notes: list[str] = field(default_factory=list)  # things the user should know (uneven bins, ...)
    statuses: list[StatusCount] = field(default_factory=list)
    movement: MovementReport | None = None  # with a previous run: the Movement sheet
    clv: ClvFigures | None = None  # with clv: in the rules: the model's fits, figures and notes
    behaviour: BehaviourFigures | None = None  # with --events: the events read, per type, and the funnel
    figures: Figures = field(default_factory=lambda: Figures(0, [], [], [], [], None))  # the report's figures
    currency: str | None = None  # ISO code of the money columns (data, else platform, else report.currency)
    currencies: dict[str, int] = field(default_factory=dict)  # currency code -> used lines, when the data says
    cleanup: Callable[[], None] | None = None  # removes the run folder holding the rows' files
    cluster: ClusterTables | None = None  # --engine spark: customers and excluded rows stay on the cluster

    def __post_init__(self) -> None:
        if self.cleanup is not None:
            weakref.finalize(self, self.cleanup)

    def close(self) -> None:
        """Remove the run's files (the rows can't be read afterwards)."""
        if self.cleanup is not None:
            self.cleanup()

    def __enter__(self) -> Result:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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
