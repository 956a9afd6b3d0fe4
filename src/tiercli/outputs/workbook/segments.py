"""The Segments sheet: figures per RFM segment (named in the run's language), then the R×F grids of customers and
mean spend under colour scales."""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from tiercli.outputs.workbook.cells import INTEGER, MONEY, ONE_DECIMAL, RATIO, SPILL, Formats, write_grid
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.outputs.workbook_text import LABELS
from tiercli.result import SEGMENT_FIELDS, RfGrid, SegmentFigures
from tiercli.vocabulary.headers import SHEETS, header
from tiercli.vocabulary.labels import label

_SEGMENT_HEADER = (
    ("segment", None),
    ("customers", INTEGER),
    ("share", RATIO),
    ("orders", INTEGER),
    ("revenue", MONEY),
    ("aov", MONEY),
    ("median recency_days", ONE_DECIMAL),
    ("median frequency", ONE_DECIMAL),
    ("median monetary", MONEY),
)


def _write_segments(ws: Worksheet, formats: Formats, segments: Sequence[SegmentFigures], grid: RfGrid,
                    lang: str) -> None:
    """Per segment figures, then the R×F grids of customers and mean monetary, each under a colour scale."""
    rows: Grid = [[(header(name, lang), "bold") for name, _ in _SEGMENT_HEADER]]
    for figures in segments:
        values = [getattr(figures, field) for field in SEGMENT_FIELDS]
        values[0] = label("segment", figures.segment, lang)
        rows.append([(value, style) for value, (_, style) in zip(values, _SEGMENT_HEADER, strict=True)])
    scales = []
    grids: list[tuple[str, Sequence[Sequence[float | None]], str]] = [
        (LABELS("rf customers", lang), grid.customers, INTEGER),
        (LABELS("rf spend", lang), grid.mean_spend, MONEY),
    ]
    for title, cells, style in grids:
        rows.append([])
        rows.append([(title, SPILL)])
        rows.append([(LABELS("rf_corner", lang), "bold"), *((f, "bold") for f in grid.f_scores)])
        first = len(rows)
        for r, line in zip(grid.r_scores, cells, strict=True):
            rows.append([(r, "bold"), *((value, style) for value in line)])
        scales.append((first, len(rows) - 1))
    write_grid(ws, formats, rows)
    ws.freeze_panes(1, 0)
    if grid.f_scores and grid.r_scores:
        for first, last in scales:
            ws.conditional_format(
                first,
                1,
                last,
                len(grid.f_scores),
                {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"},
            )


def write(ctx: SheetContext) -> None:
    figures = ctx.result.figures
    if figures.grid is not None:
        _write_segments(ctx.workbook.add_worksheet(SHEETS("Segments", ctx.lang)), ctx.formats, figures.segments,
                        figures.grid, ctx.lang)

