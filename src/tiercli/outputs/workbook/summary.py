"""The Summary sheet, a dashboard: the headline figures (with `--previous`, the previous run's and the change),
then per grading its table per level (customers, share, revenue, AOV, orders, recency) with charts below it, the
first grading's band also holding the Pareto curve; then the notes. The run's facts are on the Run sheet.

`tiercli diff` and `--previous` read the level tables back (`tiercli.sources.previous`): a header row starting
`grading, level`, then rows with both filled; nothing after a table fills both columns A and B."""

from __future__ import annotations

from collections.abc import Sequence

from tiercli.engine.figures import ACTIVE_DAYS
from tiercli.messages import in_lang
from tiercli.outputs.workbook import chartdata
from tiercli.outputs.workbook.cells import (
    CHANGE_OF,
    INTEGER,
    MONEY,
    ONE_DECIMAL,
    RATIO,
    SPILL,
    TWO_DECIMALS,
    write_grid,
)
from tiercli.outputs.workbook.charts import SUMMARY_CHART_ROWS, add_level_charts, add_pareto_chart
from tiercli.outputs.workbook.context import Grid, SheetContext, frame_rows
from tiercli.outputs.workbook_text import LABELS
from tiercli.result import Kpis, Result
from tiercli.vocabulary.headers import SHEETS

_SUMMARY_FORMATS = {
    "customers": INTEGER,
    "share": RATIO,
    "revenue": MONEY,
    "revenue_share": RATIO,
    "aov": MONEY,
    "mean_orders": TWO_DECIMALS,
    "mean_recency_days": ONE_DECIMAL,
}
KPI_ROWS = (("customers", INTEGER), ("revenue", MONEY), ("orders", INTEGER), ("repeat_rate", RATIO),
            ("aov", MONEY), ("active_90d", INTEGER))  # the headline figures, in the order shown
_CHARTED = ("grading", "level", "customers", "revenue")  # the level table's columns the charts need


def kpi_rows(kpis: Kpis | None, previous: Kpis | None, lang: str) -> Grid:
    """The headline figures: a header row, then one row per figure the run has (this run, and with a previous
    run's figures, the previous value and the change)."""
    if kpis is None:
        return []
    rows: Grid = [[(LABELS("kpis", lang), "bold"), (LABELS("this run", lang), "bold"),
                   *(((LABELS("previous run", lang), "bold"), (LABELS("change", lang), "bold")) if previous else ())]]
    for name, number_format in KPI_ROWS:
        value = getattr(kpis, name)
        before = getattr(previous, name) if previous is not None else None
        if value is None and before is None:
            continue
        label = LABELS(f"kpi.{name}", lang, **({"days": ACTIVE_DAYS} if name == "active_90d" else {}))
        row = [(label, None), (value, number_format)]
        if previous is not None:
            change = value - before if value is not None and before is not None else None
            row += [(before, number_format), (change, CHANGE_OF[number_format])]
        rows.append(row)
    return rows


def _level_tables(result: Result, lang: str) -> list[tuple[str, Grid]]:
    """Per grading (in rules order) its level table: the header row, then its levels."""
    if not len(result.summary.columns) or "grading" not in result.summary.columns:
        return []
    header, *levels = frame_rows(result.summary, _SUMMARY_FORMATS, lang)
    gradings = [str(g) for g in result.summary["grading"].tolist()]
    return [(name, [header, *(row for row, g in zip(levels, gradings, strict=True) if g == name)])
            for name in dict.fromkeys(gradings)]


def write(ctx: SheetContext) -> None:
    result, lang = ctx.result, ctx.lang
    ws = ctx.workbook.add_worksheet(SHEETS("Summary", lang))
    rows = kpi_rows(result.figures.kpis, result.figures.previous_kpis, lang)
    names = [str(name) for name in result.summary.columns]
    charted = set(_CHARTED) <= set(names)
    bands: list[tuple[str, tuple[int, int], int]] = []  # per grading: its name, level rows, the charts' row
    for name, table in _level_tables(result, lang):
        rows += [[]] if rows else []
        first = len(rows) + 1
        rows += table
        if charted:
            bands.append((name, (first, len(rows) - 1), len(rows) + 1))
            rows += [[] for _ in range(SUMMARY_CHART_ROWS + 1)]
    points = chartdata.pareto_points(result)
    pareto_row = bands[0][2] if bands else len(rows) + 1
    if points is not None and not bands:
        rows += [[] for _ in range(SUMMARY_CHART_ROWS + 1)]
    notes: Sequence[str] = [*result.notes, *ctx.notes]
    if notes:
        # one note a row in column A alone, so that readers of the level tables above (tiercli diff) skip them
        rows += [[], [(LABELS("notes", lang), "bold")]]
        rows += [[(in_lang(note, lang), SPILL)] for note in notes]
    write_grid(ws, ctx.formats, rows)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # printed like the screen shows it: one page wide
    if charted:
        columns = (names.index("level"), names.index("customers"), names.index("revenue"))
        for name, levels, row in bands:
            add_level_charts(ctx.workbook, ws, name, levels, columns, row, lang)
    if points is not None:
        add_pareto_chart(ctx.workbook, ws, SHEETS("ChartData", lang), points, pareto_row, 2 if bands else 0, lang)
