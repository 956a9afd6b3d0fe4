from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from openpyxl.chart import BarChart, PieChart, ScatterChart
from test_writers import customers_table, make_result

from conftest import figures_of
from tiercli.outputs.writers import write_result
from tiercli.result import SegmentFigures, StageFigures, TagFigures


def pareto_points(table: pa.Table, max_points: int = 200) -> list[tuple[float, float]]:
    return figures_of(table, max_points=max_points).pareto


def tag_figures(table: pa.Table, tags: list[str]) -> list[TagFigures]:
    return figures_of(table, tags).tags


def segment_figures(table: pa.Table) -> list[SegmentFigures]:
    return figures_of(table).segments


def rf_grid(table: pa.Table):  # type: ignore[no-untyped-def]
    return figures_of(table).grid


def lifecycle_figures(table: pa.Table) -> list[StageFigures]:
    return figures_of(table).lifecycle


def spend_table(values: list[Decimal | None]) -> pa.Table:
    return pa.table(
        {
            "customer_id": [f"c{i}" for i in range(len(values))],
            "monetary": pa.array(values, pa.decimal128(12, 2)),
            "vip": pa.array([1, 0, 1, 0][: len(values)], pa.int8()),
        }
    )


def flat(points: list[tuple[float, float]]) -> list[float]:
    """(x, y) points as one list, for `pytest.approx` (which compares flat sequences only)."""
    return [value for point in points for value in point]


def test_pareto_points_rank_customers_by_spend() -> None:
    table = spend_table([Decimal(10), Decimal(30), None, Decimal(60)])
    assert flat(pareto_points(table)) == pytest.approx(flat([(0, 0), (0.25, 0.6), (0.5, 0.9), (0.75, 1.0), (1.0, 1.0)]))


def test_pareto_points_are_thinned_to_the_limit() -> None:
    spend = [Decimal(i % 97) for i in range(1_000)]
    table = pa.table({"monetary": pa.array(spend, pa.decimal128(12, 2))})
    points = pareto_points(table, max_points=50)
    assert len(points) == 51
    assert points[0] == (0.0, 0.0) and points[-1] == pytest.approx((1.0, 1.0))
    ranked = sorted((float(v) for v in spend), reverse=True)
    total = sum(ranked)
    for share, revenue in points[1:]:
        rank = round(share * 1_000)
        assert revenue == pytest.approx(sum(ranked[:rank]) / total)
    assert [p[0] for p in points] == sorted(p[0] for p in points)


def test_no_pareto_curve_without_positive_revenue() -> None:
    assert pareto_points(spend_table([Decimal(0), Decimal(-5)])) == []
    assert pareto_points(pa.table({"customer_id": ["a"]})) == []
    assert pareto_points(spend_table([]).slice(0, 0)) == []


def test_tag_figures_count_share_and_revenue() -> None:
    table = spend_table([Decimal("10.50"), Decimal(30), None, Decimal(60)])
    assert tag_figures(table, ["vip", "not a column"]) == [TagFigures("vip", 2, 0.5, 10.5)]


@pytest.fixture
def book(tmp_path: Path) -> openpyxl.Workbook:
    out = tmp_path / "report.xlsx"
    write_result(make_result(), str(out))
    return openpyxl.load_workbook(out)


def series_refs(chart: BarChart | PieChart | ScatterChart) -> list[tuple[str, str]]:
    refs = []
    for series in chart.series:
        if isinstance(chart, ScatterChart):
            refs.append((series.xVal.numRef.f, series.yVal.numRef.f))
        else:
            categories = series.cat.strRef or series.cat.numRef
            refs.append((categories.f, series.val.numRef.f))
    return refs


def test_summary_has_tier_charts_and_a_pareto_curve(book: openpyxl.Workbook) -> None:
    ws = book["Summary"]
    at = next(row for row in range(1, 30) if ws.cell(row, 1).value == "grading")
    header = [cell.value for cell in ws[at]]
    assert header[:6] == ["grading", "level", "customers", "share", "revenue", "revenue_share"]
    assert [ws[f"B{at + 1}"].value, ws[f"B{at + 2}"].value] == ["重要客户", "普通客户"]
    column, pie, pareto = ws._charts
    levels = f"Summary!$B${at + 1}:$B${at + 2}"
    assert isinstance(column, BarChart) and column.type == "col"
    assert series_refs(column) == [(levels, f"Summary!$C${at + 1}:$C${at + 2}")]
    assert isinstance(pie, PieChart)
    assert series_refs(pie) == [(levels, f"Summary!$E${at + 1}:$E${at + 2}")]
    assert isinstance(pareto, ScatterChart)
    assert series_refs(pareto) == [("ChartData!$A$2:$A$5", "ChartData!$B$2:$B$5")]

    # the curve's points, on the hidden ChartData sheet, from the customers' monetary 20000.50, -5.00 and empty,
    # biggest spender first
    data = book["ChartData"]
    assert data.sheet_state == "hidden"
    assert [data["A1"].value, data["B1"].value] == ["customer share", "revenue share"]
    total = 20000.50 - 5.00
    expected = [(0, 0), (1 / 3, 20000.50 / total), (2 / 3, 20000.50 / total), (1, 1)]
    points = [(data[f"A{row}"].value, data[f"B{row}"].value) for row in range(2, 6)]
    assert flat(points) == pytest.approx(flat(expected))
    assert all(data[f"{col}{row}"].number_format == "0.0%" for col in "AB" for row in range(2, 6))
    assert data.max_row == 5


def test_tags_sheet_counts_customers_per_tag_with_a_bar_chart(book: openpyxl.Workbook) -> None:
    ws = book["Tags"]
    customers = customers_table()
    monetary = [float(v) if v is not None else 0.0 for v in customers.column("monetary").to_pylist()]
    expected = [["tag", "customers", "share", "revenue"]]
    for tag in ("高频购买者", "价格敏感型"):
        flags = customers.column(tag).to_pylist()
        tagged = sum(flags)
        expected.append(
            [tag, tagged, tagged / customers.num_rows, sum(m for m, f in zip(monetary, flags, strict=True) if f)]
        )
    assert [list(row) for row in ws.iter_rows(values_only=True)] == expected
    assert [ws["B2"].number_format, ws["C2"].number_format, ws["D2"].number_format] == [
        "#,##0",
        "0.0%",
        "#,##0.00",
    ]
    assert ws.column_dimensions["A"].width >= len("高频购买者") * 2
    (chart,) = ws._charts
    assert isinstance(chart, BarChart) and chart.type == "bar"
    assert series_refs(chart) == [("Tags!$A$2:$A$3", "Tags!$B$2:$B$3")]


def segment_customers() -> pa.Table:
    return pa.table(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "segment": ["冠军客户", "Lost", "冠军客户", None, "Lost"],
            "r_score": pa.array([3, 1, 3, None, 1], pa.int64()),
            "f_score": pa.array([3, 1, 2, 1, 1], pa.int64()),
            "recency_days": pa.array([2, 300, 10, 50, 200], pa.int64()),
            "frequency": pa.array([5, 1, 3, 1, 2], pa.int64()),
            "monetary": pa.array(
                [Decimal("500.10"), Decimal(20), Decimal(300), Decimal(9), None], pa.decimal128(12, 2)
            ),
        }
    )


def test_segment_figures_most_customers_first() -> None:
    figures = segment_figures(segment_customers())
    assert [f.segment for f in figures] == ["Lost", "冠军客户"]  # a tie goes by name
    lost, champions = figures
    assert champions == SegmentFigures("冠军客户", 2, 0.4, 8, 800.1, 100.01, 6.0, 4.0, 400.05)
    assert lost == SegmentFigures("Lost", 2, 0.4, 3, 20.0, 6.67, 250.0, 1.5, 20.0)


def test_rf_grid_covers_every_score_between_the_extremes() -> None:
    grid = rf_grid(segment_customers())
    assert grid.r_scores == [3, 2, 1] and grid.f_scores == [1, 2, 3]
    assert grid.customers == [[0, 1, 1], [0, 0, 0], [2, 0, 0]]
    assert grid.mean_spend == [[None, 300.0, pytest.approx(500.10)], [None, None, None], [10.0, None, None]]


def test_segments_sheet_has_figures_and_coloured_grids(tmp_path: Path) -> None:
    out = tmp_path / "segments.xlsx"
    write_result(make_result(customers=segment_customers()), str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Customers", "Summary", "Segments", "Thresholds", "Excluded", "Run", "ChartData"]
    ws = book["Segments"]
    rows = [[value for value in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == [
        "segment",
        "customers",
        "share",
        "orders",
        "revenue",
        "aov",
        "median recency_days",
        "median frequency",
        "median monetary",
    ]
    assert rows[1] == ["Lost", 2, 0.4, 3, 20, 6.67, 250, 1.5, 20]
    assert rows[2] == ["冠军客户", 2, 0.4, 8, 800.1, 100.01, 6, 4, 400.05]
    assert [c.number_format for c in ws[2]] == [
        "General",
        "#,##0",
        "0.0%",
        "#,##0",
        "#,##0.00",
        "#,##0.00",
        "#,##0.0",
        "#,##0.0",
        "#,##0.00",
    ]
    assert rows[4][0] == "customers by R score (rows) and F score (columns)"
    assert [r[:4] for r in rows[5:9]] == [["R \\ F", 1, 2, 3], [3, 0, 1, 1], [2, 0, 0, 0], [1, 2, 0, 0]]
    assert rows[10][0] == "mean monetary by R score (rows) and F score (columns)"
    assert [r[:4] for r in rows[11:15]] == [
        ["R \\ F", 1, 2, 3],
        [3, None, 300, 500.1],
        [2, None, None, None],
        [1, 10, None, None],
    ]
    assert [ws["C13"].number_format, ws["C7"].number_format] == ["#,##0.00", "#,##0"]
    scales = {
        str(rng.sqref): [rule.colorScale is not None for rule in rng.rules] for rng in ws.conditional_formatting
    }
    assert scales == {"B7:D9": [True], "B13:D15": [True]}
    assert ws.column_dimensions["A"].width >= len("冠军客户") * 2


def test_lifecycle_sheet_counts_customers_and_revenue_per_stage(tmp_path: Path) -> None:
    table = pa.table({
        "customer_id": ["a", "b", "c", "d"],
        "lifecycle": ["churned", "new", "churned", "active"],
        "monetary": pa.array([Decimal(100), Decimal(50), Decimal(30), Decimal(20)], pa.decimal128(12, 2)),
        "recency_days": pa.array([400, 3, 300, 20], pa.int64()),
    })
    assert lifecycle_figures(table) == [
        StageFigures("new", 1, 0.25, 50.0, 0.25, 3.0),
        StageFigures("active", 1, 0.25, 20.0, 0.1, 20.0),
        StageFigures("churned", 2, 0.5, 130.0, 0.65, 350.0),
    ]
    assert lifecycle_figures(table.drop_columns(["lifecycle"])) == []


def test_a_classified_workbook_has_a_lifecycle_sheet(tmp_path: Path) -> None:
    from conftest import classify, write

    orders = write(tmp_path, "o.csv", "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-06-01,20\n")
    out = tmp_path / "c.xlsx"
    write_result(classify(orders), str(out))
    rows = list(openpyxl.load_workbook(out, read_only=True)["Lifecycle"].iter_rows(values_only=True))
    assert rows[0] == ("stage", "customers", "share", "revenue", "revenue share", "median recency_days")
    assert sorted(r[1] for r in rows[1:]) == [1, 1]
    assert sum(r[3] for r in rows[1:]) == 30
