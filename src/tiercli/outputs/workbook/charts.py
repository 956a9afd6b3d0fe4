"""The workbook's native Excel charts: per grading its customers and revenue share, the Pareto curve (its points
on the hidden ChartData sheet), customers per tag. The figures come from the run (`tiercli.engine.figures`); the
chart builders only point xlsxwriter charts at cells the writer has already placed.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tiercli.messages import text
from tiercli.outputs.workbook_text import CHARTS, LABELS

CHART_ROWS = 16  # rows one chart takes on the sheet, with a gap


def _cells(sheet: str, first_row: int, last_row: int, col: int) -> list[str | int]:
    return [sheet, first_row, col, last_row, col]


# The Summary sheet's charts: side by side in one band below each grading's level table, so the first grading's
# table and charts fit the first screen; SUMMARY_CHART_ROWS rows (of 20 px) hold a band and its gap.
SUMMARY_CHART = {"width": 400, "height": 260}
SUMMARY_CHART_GAP = 12  # pixels between two charts of a band
SUMMARY_CHART_ROWS = 14


def band_offset(place: int) -> int:
    """The pixels from column A to the left edge of the `place`-th chart (0, 1, 2) of a band."""
    return place * (SUMMARY_CHART["width"] + SUMMARY_CHART_GAP)


def add_level_charts(workbook: Workbook, ws: Worksheet, grading: str, levels: tuple[int, int],
                     columns: tuple[int, int, int], row: int, lang: str) -> None:
    """A grading's band on the Summary sheet `ws`, from `row`: a column chart of customers per level and a pie of
    revenue share. `levels` is (first row, last row) of its level rows; `columns` the level, customers and revenue
    columns of that table."""
    sheet = ws.get_name()
    first, last = levels
    level_col, customers_col, revenue_col = columns
    categories = _cells(sheet, first, last, level_col)
    column = workbook.add_chart({"type": "column"})
    column.add_series({"name": text("common.customers", lang), "categories": categories,
                       "values": _cells(sheet, first, last, customers_col), "data_labels": {"value": True}})
    column.set_title({"name": CHARTS("customers", lang, grading=grading), "name_font": {"size": 11}})
    column.set_legend({"none": True})
    column.set_size(SUMMARY_CHART)
    ws.insert_chart(row, 0, column, {"x_offset": band_offset(0)})
    pie = workbook.add_chart({"type": "pie"})
    pie.add_series({"name": CHARTS("revenue_series", lang), "categories": categories,
                    "values": _cells(sheet, first, last, revenue_col), "data_labels": {"percentage": True}})
    pie.set_title({"name": CHARTS("revenue", lang, grading=grading), "name_font": {"size": 11}})
    pie.set_legend({"position": "right"})
    pie.set_size(SUMMARY_CHART)
    ws.insert_chart(row, 0, pie, {"x_offset": band_offset(1)})


def add_pareto_chart(workbook: Workbook, ws: Worksheet, data_sheet: str, points: tuple[int, int], row: int,
                     place: int, lang: str) -> None:
    """The Pareto curve on `ws` at `row`, the `place`-th chart of the band; its points are rows `points` (first,
    last) of columns A (share of customers) and B (share of revenue) of `data_sheet`."""
    first, last = points
    line = workbook.add_chart({"type": "scatter", "subtype": "straight"})
    line.add_series({"name": CHARTS("pareto_series", lang), "categories": _cells(data_sheet, first, last, 0),
                     "values": _cells(data_sheet, first, last, 1)})
    line.set_title({"name": CHARTS("pareto", lang), "name_font": {"size": 11}})
    line.set_x_axis({"name": CHARTS("pareto_x", lang), "num_format": "0%", "max": 1})
    line.set_y_axis({"name": CHARTS("pareto_y", lang), "num_format": "0%", "max": 1})
    line.set_legend({"none": True})
    line.set_size(SUMMARY_CHART)
    ws.insert_chart(row, 0, line, {"x_offset": band_offset(place)})


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
