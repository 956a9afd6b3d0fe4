"""The HTML report: one self-contained page with what the workbook's report sheets show.

Head facts (as_of, row accounting, excluded rows per reason, input files, notes), per grading its level table
with charts of customers and revenue share per level, the Pareto curve, tags, RFM segments with coloured R×F
grids, lifecycle stages, the clv: model, behaviour events with their funnel (--events), the RFM thresholds and,
with a previous run, the movement per grading.

The page loads nothing: styles are inline, charts are inline SVG (tiercli.outputs.charts), there is no script,
and a Content-Security-Policy forbids any fetch. Every text that comes from the data or the rules is escaped.
Fixed words are in English or Chinese; grading, level, tag, segment and stage names are the user's and stay.
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tiercli.engine.clean import reason_text
from tiercli.engine.movement import movement_meaning
from tiercli.errors import Location, OutputError
from tiercli.i18n import check_lang
from tiercli.messages import Catalogue, in_lang, say, text
from tiercli.outputs.charts import (
    Bar,
    bar_chart,
    count_tick,
    funnel_chart,
    grouped_bar_chart,
    html_text,
    pareto_chart,
    percent_tick,
)
from tiercli.outputs.staging import Staging, atomic_path
from tiercli.outputs.workbook.behaviour import (
    CHART_CATEGORIES,
    FUNNEL_CUSTOMERS,
    FUNNEL_EVENTS,
    FUNNEL_RATES,
    category_name,
    customers_of_type,
    funnel_heading,
    funnel_rates,
)
from tiercli.outputs.workbook_text import BEHAVIOUR_TEXT, CHARTS, CLV_TEXT, LABELS
from tiercli.result import SEGMENT_FIELDS, Result
from tiercli.vocabulary.events import EVENT_TYPE_NAMES, EVENT_TYPES

TEXTS = Catalogue("outputs.html", also=("outputs.label", "common"))

RED, YELLOW, GREEN = (0xF8, 0x69, 0x6B), (0xFF, 0xEB, 0x84), (0x63, 0xBE, 0x7B)  # the workbook's colour scale

FONTS = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", ' \
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
STYLE = """
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1040px; padding: 16px; font-family: FONTS; line-height: 1.5; color: #1f2328;
       background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0.2em 0; }
h2 { font-size: 1.3rem; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; margin: 1.2em 0 0.4em; }
.subtitle { color: #57606a; margin: 0 0 1em; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 0.5em 0 1em; }
table { border-collapse: collapse; font-size: 0.9rem; overflow-wrap: normal; }
caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #d0d7de; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.rf-grid td { min-width: 4.5em; }
table.funnel th { white-space: nowrap; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 320px), 1fr)); gap: 16px; }
figure { margin: 0; min-width: 0; }
figcaption { font-weight: 600; font-size: 0.95rem; margin-bottom: 4px; }
svg.chart { display: block; width: 100%; max-width: 560px; height: auto; font-family: inherit; font-size: 12px; }
svg.chart text { fill: #1f2328; }
svg.chart .tick, svg.chart .axis-title { font-size: 11px; fill: #57606a; }
svg.chart .grid { stroke: #e5e7eb; stroke-width: 1; }
svg.chart .axis { stroke: #8c959f; stroke-width: 1; }
svg.chart .diagonal { stroke: #8c959f; stroke-width: 1; stroke-dasharray: 4 4; }
svg.chart .line { fill: none; stroke: #4e79a7; stroke-width: 2.5; }
svg.chart .point { fill: #e15759; }
svg.chart .callout { font-size: 11px; }
svg.chart-customers .bar { fill: #4e79a7; }
svg.chart-revenue-share .bar { fill: #f28e2b; }
svg.chart-tags .bar { fill: #59a14f; }
svg.chart .series-0, svg.chart-funnel .bar { fill: #4e79a7; }
svg.chart .series-1 { fill: #f28e2b; }
svg.chart .series-2 { fill: #59a14f; }
svg.chart-funnel .band { fill: #4e79a7; fill-opacity: 0.15; }
ul.notes { padding-left: 1.2em; }
""".replace("FONTS", FONTS)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    background: str | None = None  # a #rrggbb colour


def _notes(notes: list[str], lang: str) -> str:
    return '<ul class="notes">' + "".join(f"<li>{html_text(in_lang(note, lang))}</li>" for note in notes) + "</ul>"


# --- numbers as the page shows them ------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, Decimal) and value.is_nan()


def count_text(value: Any) -> str:
    return "" if _missing(value) else f"{int(value):,}"


def percent_text(value: Any) -> str:
    return "" if _missing(value) else f"{float(value):.1%}"


def one_decimal_text(value: Any) -> str:
    return "" if _missing(value) else f"{float(value):,.1f}"


def two_decimals_text(value: Any) -> str:
    return "" if _missing(value) else f"{float(value):,.2f}"


def plain_text(value: Any) -> str:
    """A value of a column without a known format: whole numbers without decimals, others with up to two."""
    if _missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            return str(number)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}".rstrip("0").rstrip(".")
    return str(value)


Formatter = Callable[[Any], str]

SUMMARY_FORMATS: dict[str, Formatter] = {
    "customers": count_text,
    "share": percent_text,
    "revenue": two_decimals_text,
    "revenue_share": percent_text,
    "aov": two_decimals_text,
    "mean_orders": two_decimals_text,
    "mean_recency_days": one_decimal_text,
}
SEGMENT_FORMATS: dict[str, Formatter] = {
    "segment": plain_text,
    "customers": count_text,
    "share": percent_text,
    "orders": count_text,
    "revenue": two_decimals_text,
    "aov": two_decimals_text,
    "median_recency_days": one_decimal_text,
    "median_frequency": one_decimal_text,
    "median_monetary": two_decimals_text,
}
THRESHOLD_FORMATS: dict[str, Formatter] = {"customers": count_text}


def _cell(value: Any, formatter: Formatter = plain_text) -> Cell:
    numeric = isinstance(value, (int, float, Decimal, np.integer, np.floating)) and not isinstance(value, bool)
    return Cell(formatter(value), numeric)


def _label(name: str, lang: str) -> str:
    """A fixed column's header in `lang`; a column tiercli has no word for keeps its name."""
    return TEXTS(name, lang) if name in TEXTS.entries else name


def reason_meaning(slug: str, lang: str) -> str:
    return reason_text(slug, lang)


# --- HTML pieces ---------------------------------------------------------------------------------------------


def _table(css_class: str, headers: Sequence[Cell], rows: Sequence[Sequence[Cell]], caption: str = "") -> str:
    """A table inside its own horizontal scroller; the first cell of each row is its header."""
    out = ['<div class="table-wrap">', f'<table class="{html_text(css_class)}">']
    if caption:
        out.append(f"<caption>{html_text(caption)}</caption>")
    out.append("<thead><tr>" + "".join(_th(cell, "col") for cell in headers) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [_th(row[0], "row"), *(_td(cell) for cell in row[1:])] if row else []
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _attrs(cell: Cell) -> str:
    attrs = ' class="num"' if cell.numeric else ""
    if cell.background:
        attrs += f' style="background-color:{html_text(cell.background)}"'
    return attrs


def _th(cell: Cell, scope: str) -> str:
    return f'<th scope="{scope}"{_attrs(cell)}>{html_text(cell.text)}</th>'


def _td(cell: Cell) -> str:
    return f"<td{_attrs(cell)}>{html_text(cell.text)}</td>"


def _headers(names: Sequence[str], lang: str, numeric: Sequence[str] = ()) -> list[Cell]:
    return [Cell(_label(name, lang), name in numeric) for name in names]


def _figure(svg: str, caption: str) -> str:
    return f"<figure>\n<figcaption>{html_text(caption)}</figcaption>\n{svg}\n</figure>"


def _frame_table(css_class: str, frame: pd.DataFrame, formats: dict[str, Formatter], lang: str) -> str:
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    names = [str(name) for name in frame.columns]
    rows = [
        [_cell(value, formats.get(name, plain_text)) for name, value in zip(names, record, strict=True)]
        for record in frame.itertuples(index=False, name=None)
    ]
    return _table(css_class, _headers(names, lang, _numeric_columns(names, rows)), rows)


def _numeric_columns(names: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[str]:
    """The columns whose cells are all numbers or empty, so that their headers align right with them."""
    return [name for i, name in enumerate(names) if rows and all(row[i].numeric or not row[i].text for row in rows)]


def colour_scale(values: Sequence[float | None]) -> list[str | None]:
    """Background colours like the workbook's 3-colour scale: red at the lowest value, yellow at the median, green
    at the highest, mixed in between; all yellow when every value is the same; None for an empty value."""
    present = [v for v in values if v is not None]
    if not present:
        return [None] * len(values)
    low, mid, high = min(present), statistics.median(present), max(present)

    def mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
        return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))

    colours: list[str | None] = []
    for value in values:
        if value is None:
            colours.append(None)
        elif low == high:
            colours.append(mix(YELLOW, YELLOW, 0.0))
        elif value <= low or value >= high:
            colours.append(mix(RED, GREEN, 0.0 if value <= low else 1.0))
        elif value <= mid:
            colours.append(mix(RED, YELLOW, (value - low) / (mid - low)))
        else:
            colours.append(mix(YELLOW, GREEN, (value - mid) / (high - mid)))
    return colours


# --- sections ------------------------------------------------------------------------------------------------


def _overview(result: Result, lang: str, notes: Sequence[str]) -> str:
    facts = [
        ("as_of", Cell(result.as_of.strftime("%Y-%m-%d %H:%M:%S"))),
        ("customers", Cell(count_text(result.customers.num_rows), True)),
        ("rows read", Cell(count_text(result.rows_read), True)),
        ("rows used", Cell(count_text(result.rows_used), True)),
        ("rows excluded", Cell(count_text(result.rows_excluded), True)),
    ]
    out = [f'<section id="overview">\n<h2>{html_text(TEXTS("overview", lang))}</h2>', '<div class="table-wrap">',
           '<table class="facts"><tbody>']
    out.extend(f'<tr><th scope="row">{html_text(TEXTS(key, lang))}</th>{_td(cell)}</tr>' for key, cell in facts)
    out.append("</tbody></table></div>")
    if result.excluded_by_reason:
        out.append(f"<h3>{html_text(TEXTS('excluded heading', lang))}</h3>")
        rows = [[Cell(reason), Cell(count_text(count), True), Cell(reason_meaning(reason, lang))]
                for reason, count in result.excluded_by_reason.items()]
        out.append(_table("excluded", _headers(("reason", "rows", "meaning"), lang, ("rows",)), rows))
    if result.inputs:
        out.append(f"<h3>{html_text(TEXTS('inputs heading', lang))}</h3>")
        names = ("file", "platform", "rows read", "rows used", "rows excluded")
        rows = [[Cell(f.name), Cell(f.platform or ""), Cell(count_text(f.rows_read), True),
                 Cell(count_text(f.rows_used), True), Cell(count_text(f.rows_excluded), True)] for f in result.inputs]
        out.append(_table("inputs", _headers(names, lang, names[2:]), rows))
    if notes:
        out.append(f"<h3>{html_text(TEXTS('notes heading', lang))}</h3>")
        out.append(_notes(list(notes), lang))
    out.append("</section>")
    return "\n".join(out)


def _grading(number: int, grading: str, levels: pd.DataFrame, lang: str) -> str:
    names = [str(name) for name in levels.columns if name != "grading"]
    records = levels.to_dict("records")
    rows = [[_cell(record[name], SUMMARY_FORMATS.get(name, plain_text)) for name in names] for record in records]
    table = _table("tiers", _headers(names, lang, _numeric_columns(names, rows)), rows)
    customers = [Bar(str(r["level"]), float(r["customers"]), count_text(r["customers"])) for r in records]
    shares = [Bar(str(r["level"]), float(r["revenue_share"]), percent_text(r["revenue_share"])) for r in records]
    customers_title = TEXTS("customers chart", lang, grading=grading)
    shares_title = TEXTS("revenue chart", lang, grading=grading)
    charts = [
        _figure(bar_chart(customers, chart_id=f"chart-customers-{number}", css_class="chart-customers",
                          title=customers_title, category_axis=text("common.level", lang),
                          value_axis=text("common.customers", lang), tick_text=count_tick, whole=True),
                customers_title),
        _figure(bar_chart(shares, chart_id=f"chart-revenue-share-{number}", css_class="chart-revenue-share",
                          title=shares_title, category_axis=text("common.level", lang),
                          value_axis=text("common.revenue_share", lang), tick_text=percent_tick, whole=False),
                shares_title),
    ]
    return "\n".join([
        f'<section class="grading" id="grading-{number}" data-grading="{html_text(grading)}">',
        f"<h3>{html_text(TEXTS('grading heading', lang, grading=grading))}</h3>",
        table,
        '<div class="charts">', *charts, "</div>",
        "</section>",
    ])


def _gradings(result: Result, lang: str) -> str:
    summary = result.summary
    if summary.empty or "grading" not in summary.columns:
        return ""
    sections = [_grading(i, str(name), summary[summary["grading"] == name], lang)
                for i, name in enumerate(dict.fromkeys(summary["grading"].tolist()), start=1)]
    return "\n".join([f'<section id="gradings">\n<h2>{html_text(TEXTS("tiers heading", lang))}</h2>', *sections,
                      "</section>"])


def _pareto(result: Result, lang: str) -> str:
    points = result.figures.pareto
    if not points:
        return ""
    title = TEXTS("pareto chart", lang)
    chart = pareto_chart(
        points, chart_id="chart-pareto", title=title, x_axis=CHARTS("pareto_x", lang), y_axis=CHARTS("pareto_y", lang),
        callout=lambda x, y: TEXTS("pareto callout", lang, customers=percent_tick(round(x, 2)),
                                   revenue=percent_tick(round(y, 2))),
    )
    return "\n".join([f'<section id="pareto">\n<h2>{html_text(TEXTS("pareto heading", lang))}</h2>',
                      _figure(chart, title), "</section>"])


def _tags(result: Result, lang: str) -> str:
    figures = result.figures.tags
    if not figures:
        return ""
    rows = [[Cell(f.tag), Cell(count_text(f.customers), True), Cell(percent_text(f.share), True),
             Cell(two_decimals_text(f.revenue), True)] for f in figures]
    names = ("tag", "customers", "share", "revenue")
    title = CHARTS("per_tag", lang)
    chart = bar_chart([Bar(f.tag, f.customers, count_text(f.customers)) for f in figures], chart_id="chart-tags",
                      css_class="chart-tags", title=title, category_axis=text("common.tag", lang),
                      value_axis=TEXTS("customers", lang), tick_text=count_tick, whole=True)
    return "\n".join([f'<section id="tags">\n<h2>{html_text(text("outputs.sheet.Tags", lang))}</h2>',
                      _table("tags", _headers(names, lang, names[1:]), rows),
                      _figure(chart, title), "</section>"])


def _grid(css_class: str, caption: str, r_scores: Sequence[int], f_scores: Sequence[int],
          cells: Sequence[Sequence[float | None]], formatter: Formatter, lang: str) -> str:
    colours = colour_scale([value for line in cells for value in line])
    width = len(f_scores)
    rows = [
        [Cell(str(r), True), *(Cell(formatter(value), True, colours[i * width + j]) for j, value in enumerate(line))]
        for i, (r, line) in enumerate(zip(r_scores, cells, strict=True))
    ]
    headers = [Cell(LABELS("rf_corner", lang)), *(Cell(str(f), True) for f in f_scores)]
    return _table(f"rf-grid {css_class}", headers, rows, caption)


def _segments(result: Result, lang: str) -> str:
    grid = result.figures.grid
    if grid is None:
        return ""
    rows = [[_cell(getattr(f, name), SEGMENT_FORMATS[name]) for name in SEGMENT_FIELDS]
            for f in result.figures.segments]
    spend: list[list[float | None]] = grid.mean_spend
    counts: list[list[float | None]] = [[float(n) for n in line] for line in grid.customers]
    return "\n".join([
        f'<section id="segments">\n<h2>{html_text(TEXTS("segments heading", lang))}</h2>',
        _table("segments", _headers(SEGMENT_FIELDS, lang, SEGMENT_FIELDS[1:]), rows),
        _grid("rf-customers", TEXTS("rf customers", lang), grid.r_scores, grid.f_scores, counts, count_text, lang),
        _grid("rf-spend", TEXTS("rf spend", lang), grid.r_scores, grid.f_scores, spend, two_decimals_text, lang),
        "</section>",
    ])


def _lifecycle(result: Result, lang: str) -> str:
    stages = result.figures.lifecycle
    if not stages:
        return ""
    names = ("stage", "customers", "share", "revenue", "revenue_share", "median_recency_days")
    rows = [[Cell(f.stage), Cell(count_text(f.customers), True), Cell(percent_text(f.share), True),
             Cell(two_decimals_text(f.revenue), True), Cell(percent_text(f.revenue_share), True),
             Cell(one_decimal_text(f.median_recency_days), True)] for f in stages]
    return "\n".join([f'<section id="lifecycle">\n<h2>{html_text(text("outputs.sheet.Lifecycle", lang))}</h2>',
                      _table("lifecycle", _headers(names, lang, names[1:]), rows), "</section>"])


def _clv(result: Result, lang: str) -> str:
    """The clv: model: notes, each fit's parameters with standard errors, the totals, and P(alive) as a chart."""
    figures = result.clv
    if figures is None:
        return ""
    out = [f'<section id="clv">\n<h2>{html_text(text("outputs.sheet.CLV", lang))}</h2>']
    facts = [
        [Cell(CLV_TEXT("model", lang)), Cell(CLV_TEXT(f"model.{figures.model}", lang))],
        [Cell(CLV_TEXT("time_unit", lang)), Cell(CLV_TEXT(f"unit.{figures.unit}", lang))],
        [Cell(CLV_TEXT("horizon_days", lang)), Cell(count_text(figures.horizon_days), True)],
        [Cell(CLV_TEXT("discount_rate", lang)), Cell(percent_text(figures.discount_rate), True)],
        [Cell(CLV_TEXT("buyers", lang)), Cell(count_text(figures.buyers), True)],
        [Cell(CLV_TEXT("repeat_buyers", lang)), Cell(count_text(figures.repeat_buyers), True)],
        [Cell(CLV_TEXT("history_days", lang)), Cell(count_text(figures.history_days), True)],
    ]
    out.append(_table("clv-facts", [Cell(""), Cell("")], facts))
    if figures.notes:
        out.append(_notes(list(figures.notes), lang))
    for fit in (figures.purchase, figures.spend):
        if fit is None:
            continue
        fit_rows = [[Cell(name), Cell(_four(value), True), Cell(_four(error), True)]
                    for name, value, error in zip(fit.names, fit.params, fit.std_errors, strict=True)]
        fit_rows.append([Cell(CLV_TEXT("log_likelihood", lang)), Cell(two_decimals_text(fit.log_likelihood), True),
                         Cell("")])
        headers = [Cell(text(f"engine.clv.model.{fit.model}", lang)), Cell(CLV_TEXT("estimate", lang), True),
                   Cell(CLV_TEXT("std_error", lang), True)]
        out.append(_table("clv-fit", headers, fit_rows))
    totals = []
    if figures.purchase is not None:
        totals.append([Cell(CLV_TEXT("expected_orders_total", lang, days=figures.horizon_days)),
                       Cell(two_decimals_text(figures.expected_orders), True)])
    if figures.spend is not None:
        totals.append([Cell(CLV_TEXT("clv_total", lang, days=figures.horizon_days)),
                       Cell(two_decimals_text(figures.clv_total), True)])
    if figures.correlation is not None:
        totals.append([Cell(CLV_TEXT("correlation", lang)), Cell(_four(figures.correlation), True)])
    if totals:
        out.append(_table("clv-totals", [Cell(""), Cell("")], totals))
    if figures.p_alive_counts:
        title = CHARTS("p_alive", lang)
        bars = [Bar(label, n, count_text(n)) for label, n in figures.p_alive_tenths()]
        chart = bar_chart(bars, chart_id="chart-p-alive", css_class="chart-p-alive", title=title,
                          category_axis=CLV_TEXT("p_alive_range", lang), value_axis=TEXTS("customers", lang),
                          tick_text=count_tick, whole=True)
        out.append(_figure(chart, title))
    out.append("</section>")
    return "\n".join(out)


def _behaviour(result: Result, lang: str) -> str:
    """--events: the customers with events (those without an order apart), the files, events and customers per
    type, the funnel overall as a chart and per category as a table, and the most viewed categories' funnels."""
    figures = result.behaviour
    if figures is None:
        return ""
    t = BEHAVIOUR_TEXT
    out = [f'<section id="behaviour">\n<h2>{html_text(text("outputs.sheet.Behaviour", lang))}</h2>']
    when = [(key, moment) for key, moment in (("first_event", figures.first_event), ("last_event", figures.last_event))
            if moment is not None]
    facts = [
        [Cell(text("engine.run.event_customers", lang)), Cell(count_text(figures.customers), True)],
        [Cell(t("without_orders", lang)), Cell(count_text(figures.without_orders), True)],
        *([Cell(t(key, lang)), Cell(moment.strftime("%Y-%m-%d %H:%M:%S"), True)] for key, moment in when),
        [Cell(t("categories", lang)), Cell(count_text(figures.categories), True)],
    ]
    out.append(_table("behaviour-facts", [Cell(""), Cell("")], facts))
    names = ("file", "layout", "rows read", "rows used", "rows excluded", "not_used")
    files = [[Cell(f.name), Cell(f.layout), *(Cell(count_text(n), True) for n in
                                                (f.rows_read, f.rows_used, f.rows_excluded, f.not_used))]
             for f in figures.files]
    out.append(_table("behaviour-files", [Cell(t(name, lang), i > 1) for i, name in enumerate(names)], files,
                      t("files", lang)))
    people = customers_of_type(figures)
    types = [[Cell(in_lang(EVENT_TYPE_NAMES[event], lang)),
              Cell(count_text(figures.events_by_type.get(event, 0)), True), Cell(count_text(people[event]), True)]
             for event in EVENT_TYPES]
    out.append(_table("behaviour-types", [Cell(t("event", lang)), Cell(t("events", lang), True),
                                          Cell(t("customers", lang), True)], types, t("per_type", lang)))
    if figures.funnel:
        overall = figures.funnel[0]
        stages = [(t(name, lang), getattr(overall, name)) for name in FUNNEL_CUSTOMERS]
        bars = [Bar(label, n, count_text(n) if i == 0 or not overall.viewers
                    else f"{count_text(n)} · {percent_text(n / overall.viewers)}")
                for i, (label, n) in enumerate(stages)]
        out.append(f"<h3>{html_text(funnel_heading(figures, lang))}</h3>")
        title = CHARTS("funnel", lang)
        out.append(_figure(funnel_chart(bars, chart_id="chart-funnel", title=title), title))
        headers = [Cell(t(name, lang), name != "category")
                   for name in ("category", *FUNNEL_EVENTS, *FUNNEL_CUSTOMERS, *FUNNEL_RATES)]
        rows = [[Cell(category_name(row, lang)),
                 *(Cell(count_text(getattr(row, name)), True) for name in (*FUNNEL_EVENTS, *FUNNEL_CUSTOMERS)),
                 *(Cell(percent_text(rate), True) for rate in funnel_rates(row))] for row in figures.funnel]
        out.append(_table("funnel", headers, rows))
        out.append(f'<p class="meaning">{html_text(t("rates_meaning", lang))}</p>')
    categories = figures.funnel[1:CHART_CATEGORIES + 1]
    if categories:
        series = ("viewers", "carters", "buyers")
        title = CHARTS("funnel_categories", lang, shown=len(categories))
        chart = grouped_bar_chart([(str(row.category), [float(getattr(row, name)) for name in series])
                                   for row in categories], [t(name, lang) for name in series],
                                  chart_id="chart-funnel-categories", css_class="chart-funnel-categories",
                                  title=title, value_axis=t("customers", lang), tick_text=count_tick, whole=True)
        out.append(_figure(chart, title))
    out.append("</section>")
    return "\n".join(out)


def _four(value: float | None) -> str:
    return "" if value is None else f"{value:,.4f}"


def _thresholds(result: Result, lang: str) -> str:
    if result.thresholds.empty:
        return ""
    return "\n".join([f'<section id="thresholds">\n<h2>{html_text(TEXTS("thresholds heading", lang))}</h2>',
                      _frame_table("thresholds", result.thresholds, THRESHOLD_FORMATS, lang), "</section>"])


def _movement(result: Result, lang: str) -> str:
    report = result.movement
    if report is None:
        return ""
    out = [f'<section id="movement">\n<h2>{html_text(TEXTS("movement heading", lang, previous=report.previous))}</h2>']
    names = ("movement", "customers", "revenue", "meaning")
    for number, grading in enumerate(report.gradings, start=1):
        rows = [[Cell(str(r["movement"])), Cell(count_text(r["customers"]), True),
                 Cell(two_decimals_text(r["revenue"]), True), Cell(movement_meaning(str(r["movement"]), lang))]
                for r in grading.counts.to_dict("records")]
        out.append(f'<h3 id="movement-{number}">{html_text(grading.grading)}</h3>')
        out.append(_table("movement", _headers(names, lang, names[1:3]), rows))
        if grading.held:
            held = {key: count_text(grading.held.get(key, 0)) for key in ("held", "grace", "dropped")}
            out.append(f'<p class="held">{html_text(TEXTS("held", lang, **held))}</p>')
    if report.notes:
        out.append(_notes(report.notes, lang))
    out.append("</section>")
    return "\n".join(out)


def render_html(result: Result, lang: str = "en", notes: Sequence[str] = ()) -> str:
    """The report of `result` as one HTML document that needs nothing else to show (no script, no file, no
    network), in English (`en`) or Chinese (`zh`); `notes` are said after the run's own (the workbook's)."""
    lang = check_lang(lang)
    title = TEXTS("title", lang)
    as_of = result.as_of.strftime("%Y-%m-%d %H:%M:%S")
    sections = [
        _overview(result, lang, [*result.notes, *notes]),
        _gradings(result, lang),
        _pareto(result, lang),
        _tags(result, lang),
        _segments(result, lang),
        _lifecycle(result, lang),
        _clv(result, lang),
        _behaviour(result, lang),
        _thresholds(result, lang),
        _movement(result, lang),
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{TEXTS("page_lang", lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{html_text(CSP)}">',
        f"<title>{html_text(title)} · {html_text(as_of)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{html_text(title)}</h1>",
        f'<p class="subtitle">{html_text(TEXTS("subtitle", lang, as_of=as_of))}</p>',
        *(section for section in sections if section),
        "</main>",
        "</body>",
        "</html>",
        "",
    ])


def check_report_path(path: str) -> None:
    """Before the run: `path` must be an .html file name in a directory that exists."""
    if Path(path).suffix.lower() not in (".html", ".htm"):
        raise OutputError(say("outputs.report_not_html"), Location(file=path))
    _check_target(Path(path), Location(file=path))


def _check_target(target: Path, location: Location) -> None:
    if target.is_dir():
        raise OutputError(say("outputs.report_is_dir"), location)
    directory = target.parent
    if not directory.is_dir():
        problem = say("outputs.not_a_directory" if directory.exists() else "outputs.does_not_exist")
        raise OutputError(say("outputs.report_dir_unusable", directory=directory, problem=problem), location)


def write_html(result: Result, path: str, lang: str = "en", staging: Staging | None = None,
               notes: Sequence[str] = ()) -> None:
    """Write the report of `result` to `path` as UTF-8, through a temporary file beside it that is renamed into
    place, so a failed write leaves no partial file. Raises OutputError naming the path when its directory is
    missing or the file can't be written."""
    target = Path(path)
    location = Location(file=os.fspath(path))
    _check_target(target, location)
    data = render_html(result, lang, notes).encode("utf-8")
    try:
        with atomic_path(target, location, staging) as temp:
            temp.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.report"), reason=reason), location) from exc
