"""The workbook's report parts: the Pareto curve, per tag and per segment figures and the R×F grid computed from
the customers table, and the native Excel charts that show them.

The computations are pure functions of an Arrow table; the chart builders only point xlsxwriter charts at cells
the writer has already placed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

PARETO_POINTS = 200
CHART_ROWS = 16  # rows one chart takes on the sheet, with a gap


@dataclass(frozen=True)
class TagFigures:
    tag: str
    customers: int
    share: float  # of all customers
    revenue: float  # total monetary of the tagged customers


def _monetary(customers: pa.Table) -> np.ndarray:
    """The monetary column as floats, an empty value as 0."""
    values = pc.fill_null(pc.cast(customers.column("monetary"), pa.float64()), 0.0)
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)


def pareto_points(customers: pa.Table, max_points: int = PARETO_POINTS) -> list[tuple[float, float]]:
    """The Pareto curve: (share of customers, share of revenue they bring), customers ranked by monetary from the
    top, starting at (0, 0) and ending at (1, 1), at most `max_points` points after the origin. Empty when there
    is no monetary column or the total revenue is not positive."""
    if "monetary" not in customers.column_names or customers.num_rows == 0:
        return []
    spend = np.sort(_monetary(customers))[::-1]
    total = float(spend.sum())
    if total <= 0:
        return []
    cumulative = np.cumsum(spend)
    count = len(spend)
    ranks = np.unique(np.rint(np.linspace(1, count, min(count, max_points))).astype(np.int64))
    return [(0.0, 0.0)] + [(int(rank) / count, float(cumulative[rank - 1]) / total) for rank in ranks]


def tag_figures(customers: pa.Table, tags: Sequence[str]) -> list[TagFigures]:
    """Per tag (in rules order) that has a column: customers carrying it, their share of all customers and their
    revenue."""
    total = customers.num_rows
    spend = _monetary(customers) if "monetary" in customers.column_names else np.zeros(total)
    figures = []
    for tag in tags:
        if tag not in customers.column_names:
            continue
        flags = pc.fill_null(pc.cast(customers.column(tag), pa.int64()), 0).to_numpy(zero_copy_only=False) != 0
        tagged = int(flags.sum())
        figures.append(
            TagFigures(tag, tagged, tagged / total if total else 0.0, round(float(spend[flags].sum()), 2))
        )
    return figures


LIFECYCLE_ORDER = ("potential", "new", "active", "at_risk", "churned")


@dataclass(frozen=True)
class StageFigures:
    stage: str
    customers: int
    share: float  # of all customers
    revenue: float
    revenue_share: float | None
    median_recency_days: float | None


def lifecycle_figures(customers: pa.Table) -> list[StageFigures]:
    """Per lifecycle stage present (in lifecycle order, then any other): customers, share, revenue, revenue share
    and median recency; empty when the table has no lifecycle column."""
    if "lifecycle" not in customers.column_names:
        return []
    stages = np.array(customers.column("lifecycle").to_pylist(), dtype=object)
    spend = _monetary(customers) if "monetary" in customers.column_names else np.zeros(customers.num_rows)
    recency = _floats(customers, "recency_days") if "recency_days" in customers.column_names else None
    total, revenue = customers.num_rows, float(spend.sum())
    present = [s for s in dict.fromkeys(stages.tolist()) if s is not None]
    ordered = [s for s in LIFECYCLE_ORDER if s in present] + sorted(s for s in present if s not in LIFECYCLE_ORDER)
    figures = []
    for stage in ordered:
        mask = stages == stage
        stage_spend = round(float(spend[mask].sum()), 2)
        figures.append(StageFigures(
            stage, int(mask.sum()), float(mask.sum()) / total, stage_spend,
            stage_spend / revenue if revenue else None,
            _median(recency[mask]) if recency is not None else None))
    return figures


SEGMENT_COLUMNS = ("segment", "r_score", "f_score", "monetary", "frequency", "recency_days")


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


def has_segments(customers: pa.Table) -> bool:
    return all(name in customers.column_names for name in SEGMENT_COLUMNS)


def _median(values: np.ndarray) -> float | None:
    values = values[~np.isnan(values)]
    return float(np.median(values)) if len(values) else None


def _floats(customers: pa.Table, name: str) -> np.ndarray:
    values = pc.cast(customers.column(name), pa.float64())
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)  # an empty value is NaN


def segment_figures(customers: pa.Table) -> list[SegmentFigures]:
    """Per segment, most customers first: customers, share, orders, revenue, AOV and the median recency days,
    frequency and monetary. Customers without a segment are left out."""
    total = customers.num_rows
    segments = customers.column("segment").to_pylist()
    recency = _floats(customers, "recency_days")
    frequency = _floats(customers, "frequency")
    monetary = _floats(customers, "monetary")
    sizes = Counter(s for s in segments if s is not None)
    names = sorted(sizes, key=lambda s: (-sizes[s], s))
    labels = np.array([s if s is not None else "" for s in segments], dtype=object)
    figures = []
    for name in names:
        member = labels == name
        count = int(member.sum())
        orders = int(np.nansum(frequency[member]))
        revenue = round(float(np.nansum(monetary[member])), 2)
        figures.append(
            SegmentFigures(
                name,
                count,
                count / total,
                orders,
                revenue,
                round(revenue / orders, 2) if orders else None,
                _median(recency[member]),
                _median(frequency[member]),
                _median(monetary[member]),
            )
        )
    return figures


def rf_grid(customers: pa.Table) -> RfGrid:
    """The R×F grid from the lowest to the highest score present; customers without both scores are left out."""
    r = customers.column("r_score").to_pylist()
    f = customers.column("f_score").to_pylist()
    spend = np.nan_to_num(_floats(customers, "monetary"))
    r_present = [v for v in r if v is not None]
    f_present = [v for v in f if v is not None]
    r_scores = list(range(max(r_present), min(r_present) - 1, -1)) if r_present else []
    f_scores = list(range(min(f_present), max(f_present) + 1)) if f_present else []
    counts = {(rv, fv): 0 for rv in r_scores for fv in f_scores}
    sums = dict.fromkeys(counts, 0.0)
    for rv, fv, value in zip(r, f, spend, strict=True):
        if rv is not None and fv is not None:
            counts[rv, fv] += 1
            sums[rv, fv] += float(value)
    return RfGrid(
        [int(v) for v in r_scores],
        [int(v) for v in f_scores],
        [[counts[rv, fv] for fv in f_scores] for rv in r_scores],
        [[sums[rv, fv] / counts[rv, fv] if counts[rv, fv] else None for fv in f_scores] for rv in r_scores],
    )


@dataclass(frozen=True)
class ChartTitles:
    """The words of the charts, in one language: `{grading}` in a title is the grading's name."""

    customers: str = "{grading}: customers"
    revenue: str = "{grading}: revenue share"
    pareto: str = "Pareto: revenue by customer rank"
    pareto_x: str = "share of customers, top spenders first"
    pareto_y: str = "share of revenue"
    pareto_series: str = "cumulative revenue share"
    tags: str = "customers per tag"
    customers_series: str = "customers"
    revenue_series: str = "revenue"


def _cells(sheet: str, first_row: int, last_row: int, col: int) -> list[str | int]:
    return [sheet, first_row, col, last_row, col]


def add_summary_charts(
    workbook: Workbook,
    ws: Worksheet,
    sheet: str,
    header: Sequence[str],
    gradings: Sequence[tuple[str, int, int]],
    pareto: tuple[int, int] | None,
    anchor_col: int,
    titles: ChartTitles,
) -> None:
    """Per grading a column chart of customers per level and a pie of revenue share, then the Pareto line.

    `gradings` holds (name, first row, last row) of each grading's level rows in the summary table whose header
    names are `header`; `pareto` is (first row, last row) of the curve's points in columns B and C.
    """
    level_col = header.index("level")
    customers_col = header.index("customers")
    revenue_col = header.index("revenue")
    row = 0
    for name, first, last in gradings:
        levels = _cells(sheet, first, last, level_col)
        column = workbook.add_chart({"type": "column"})
        column.add_series(
            {"name": titles.customers_series, "categories": levels,
             "values": _cells(sheet, first, last, customers_col)}
        )
        column.set_title({"name": titles.customers.format(grading=name)})
        column.set_legend({"none": True})
        ws.insert_chart(row, anchor_col, column)
        pie = workbook.add_chart({"type": "pie"})
        pie.add_series(
            {
                "name": titles.revenue_series,
                "categories": levels,
                "values": _cells(sheet, first, last, revenue_col),
                "data_labels": {"percentage": True},
            }
        )
        pie.set_title({"name": titles.revenue.format(grading=name)})
        ws.insert_chart(row, anchor_col + 8, pie)
        row += CHART_ROWS
    if pareto is not None:
        first, last = pareto
        line = workbook.add_chart({"type": "scatter", "subtype": "straight"})
        line.add_series(
            {
                "name": titles.pareto_series,
                "categories": _cells(sheet, first, last, 1),
                "values": _cells(sheet, first, last, 2),
            }
        )
        line.set_title({"name": titles.pareto})
        line.set_x_axis({"name": titles.pareto_x, "num_format": "0%", "max": 1})
        line.set_y_axis({"name": titles.pareto_y, "num_format": "0%", "max": 1})
        line.set_legend({"none": True})
        ws.insert_chart(row, anchor_col, line)


def add_tag_chart(workbook: Workbook, ws: Worksheet, sheet: str, count: int, titles: ChartTitles) -> None:
    """A bar chart of customers per tag, from the Tags table (tag in A, customers in B, header on row 1)."""
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {"name": titles.customers_series, "categories": _cells(sheet, 1, count, 0),
         "values": _cells(sheet, 1, count, 1)}
    )
    chart.set_title({"name": titles.tags})
    chart.set_legend({"none": True})
    ws.insert_chart(0, 5, chart)
