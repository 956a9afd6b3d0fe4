"""The workbook's native Excel charts: per grading its customers and revenue share, the Pareto curve, customers
per tag. The figures come from the run (`tiercli.engine.figures`); the chart builders only point xlsxwriter
charts at cells the writer has already placed.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tiercli.messages import text
from tiercli.outputs.workbook_text import CHARTS, LABELS

CHART_ROWS = 16  # rows one chart takes on the sheet, with a gap


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
    lang: str,
) -> None:
    """Per grading a column chart of customers per level and a pie of revenue share, then the Pareto line, titled in
    `lang`.

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
            {"name": text("common.customers", lang), "categories": levels,
             "values": _cells(sheet, first, last, customers_col)}
        )
        column.set_title({"name": CHARTS("customers", lang, grading=name)})
        column.set_legend({"none": True})
        ws.insert_chart(row, anchor_col, column)
        pie = workbook.add_chart({"type": "pie"})
        pie.add_series(
            {
                "name": CHARTS("revenue_series", lang),
                "categories": levels,
                "values": _cells(sheet, first, last, revenue_col),
                "data_labels": {"percentage": True},
            }
        )
        pie.set_title({"name": CHARTS("revenue", lang, grading=name)})
        ws.insert_chart(row, anchor_col + 8, pie)
        row += CHART_ROWS
    if pareto is not None:
        first, last = pareto
        line = workbook.add_chart({"type": "scatter", "subtype": "straight"})
        line.add_series(
            {
                "name": CHARTS("pareto_series", lang),
                "categories": _cells(sheet, first, last, 1),
                "values": _cells(sheet, first, last, 2),
            }
        )
        line.set_title({"name": CHARTS("pareto", lang)})
        line.set_x_axis({"name": CHARTS("pareto_x", lang), "num_format": "0%", "max": 1})
        line.set_y_axis({"name": CHARTS("pareto_y", lang), "num_format": "0%", "max": 1})
        line.set_legend({"none": True})
        ws.insert_chart(row, anchor_col, line)


def add_tag_chart(workbook: Workbook, ws: Worksheet, sheet: str, count: int, lang: str) -> None:
    """A bar chart of customers per tag, from the Tags table (tag in A, customers in B, header on row 1)."""
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {"name": LABELS("customers", lang), "categories": _cells(sheet, 1, count, 0),
         "values": _cells(sheet, 1, count, 1)}
    )
    chart.set_title({"name": CHARTS("per_tag", lang)})
    chart.set_legend({"none": True})
    ws.insert_chart(0, 5, chart)
