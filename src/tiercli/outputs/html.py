"""The HTML report: one self-contained page a shop's operator reads in ten seconds, then as far as they like.

First the answer: the headline figures as cards (customers, revenue, repeat-purchase rate, AOV, active customers
in 90 days; with a previous run, each one's change). Then per grading its level table beside its charts, the
Pareto curve, tags, RFM segments with coloured R×F grids, lifecycle stages, the movement against the previous
run (counts, the migration matrix, the top movers), the clv: model, behaviour events with their funnel
(--events) and the RFM thresholds; last, the import details (as_of, row accounting, excluded rows per reason,
input files, statuses) and the notes.

The page loads nothing: styles are inline, charts are inline SVG (tiercli.outputs.charts), there is no script,
and a Content-Security-Policy forbids any fetch. Every text that comes from the data or the rules is escaped.
Fixed words, exclusion reasons, status classes, lifecycle stages, movement values and packaged segment names are
in English or Chinese (`tiercli.vocabulary.labels`); grading, level and tag names are the user's and stay. Money
carries the run's currency sign (`tiercli.outputs.money`). A name never breaks inside itself; a table wider than
the screen scrolls inside its own box, never the page.
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
import pyarrow as pa
import pyarrow.compute as pc

from tiercli.engine.clean import reason_text
from tiercli.engine.figures import ACTIVE_DAYS
from tiercli.engine.movement import movement_meaning
from tiercli.engine.scoring import empty_scores
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
from tiercli.outputs.money import money_text
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
from tiercli.result import SEGMENT_FIELDS, GradingMovement, Kpis, Result
from tiercli.vocabulary.columns import NEW_ROW, NOT_IN_DATA, TOTAL
from tiercli.vocabulary.events import EVENT_TYPE_NAMES, EVENT_TYPES
from tiercli.vocabulary.labels import label

TEXTS = Catalogue("outputs.html", also=("outputs.label", "common"))
MOVEMENT_TEXT = Catalogue("outputs.movement")
MATRIX_LABELS = {NEW_ROW: "new_row", NOT_IN_DATA: "not_in_data", TOTAL: "total"}  # their keys in MOVEMENT_TEXT
TOP_MOVERS = 20  # the movers a grading's movement lists, most monetary first

RED, YELLOW, GREEN = (0xF8, 0x69, 0x6B), (0xFF, 0xEB, 0x84), (0x63, 0xBE, 0x7B)  # the workbook's colour scale
MOVED = {"up": "#d7f0dd", "down": "#fbdcdc", "same": "#eef0f3"}  # the migration matrix's cells
EMPTY = "—"  # a cell with no value to show (a score no customer has)

FONTS = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", ' \
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
STYLE = """
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1200px; padding: 16px; font-family: FONTS; line-height: 1.5; color: #1f2328;
       background: #fff; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: 0.2em 0; }
h2 { font-size: 1.3rem; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; margin: 1.2em 0 0.4em; }
.subtitle { color: #57606a; margin: 0 0 1em; }
#kpis h2 { margin-top: 0.6em; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 160px), 1fr)); gap: 12px; }
.kpi { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 14px; min-width: 0; background: #f6f8fa; }
.kpi-label { font-size: 0.85rem; color: #57606a; }
.kpi-label::first-letter { text-transform: uppercase; }
.kpi-value { font-size: 1.55rem; font-weight: 700; line-height: 1.25; white-space: nowrap;
             font-variant-numeric: tabular-nums; }
.kpi-change { font-size: 0.9rem; font-weight: 600; white-space: nowrap; }
.kpi-change.up { color: #1a7f37; }
.kpi-change.down { color: #cf222e; }
.kpi-change.flat { color: #57606a; }
.kpi-meaning { font-size: 0.78rem; color: #57606a; margin-top: 2px; }
.warning { border-left: 4px solid #d4a72c; background: #fff8c5; padding: 6px 10px; margin: 12px 0; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 0.5em 0 1em;
              background: linear-gradient(to right, #fff 30%, #fff0) left / 24px 100% no-repeat local,
                          linear-gradient(to left, #fff 30%, #fff0) right / 24px 100% no-repeat local,
                          radial-gradient(farthest-side at 0 50%, #0003, #0000) left / 10px 100% no-repeat scroll,
                          radial-gradient(farthest-side at 100% 50%, #0003, #0000) right / 10px 100% no-repeat scroll; }
table { border-collapse: collapse; font-size: 0.9rem; overflow-wrap: normal; word-break: normal; }
p.caption { font-weight: 600; margin: 0.8em 0 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #d0d7de; vertical-align: bottom; word-break: keep-all; min-width: 4em; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.name { white-space: nowrap; word-break: keep-all; }
.text { min-width: 10em; max-width: 24em; }
table.thresholds .text { min-width: 7em; max-width: 13em; }
td.empty { color: #8c959f; text-align: center; }
table.rf-grid td { min-width: 4.5em; }
table.matrix td { min-width: 3.5em; }
.grading-body { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
.grading-body > .table-wrap { flex: 1 1 auto; min-width: 0; margin: 0; }
.grading-body > .charts { flex: 1 1 300px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 300px), 1fr)); gap: 16px; }
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
.meaning, .legend { color: #57606a; font-size: 0.85rem; }
ul.notes { padding-left: 1.2em; }
""".replace("FONTS", FONTS)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    background: str | None = None  # a #rrggbb colour
    kind: str = ""  # name: on one line; text: wraps, at least 10em wide; empty: a score no customer has
    title: str = ""  # a tooltip


def _notes(notes: Sequence[str], lang: str) -> str:
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


def money_formatter(currency: str | None, decimals: int = 2) -> Formatter:
    """Amounts in `currency` with its sign (`tiercli.outputs.money`); empty for a missing value."""
    return lambda value: "" if _missing(value) else money_text(float(value), currency, decimals)


def summary_formats(currency: str | None) -> dict[str, Formatter]:
    money = money_formatter(currency)
    return {"customers": count_text, "share": percent_text, "revenue": money, "revenue_share": percent_text,
            "aov": money, "mean_orders": two_decimals_text, "mean_recency_days": one_decimal_text}


def segment_formats(currency: str | None) -> dict[str, Formatter]:
    money = money_formatter(currency)
    return {"segment": plain_text, "customers": count_text, "share": percent_text, "orders": count_text,
            "revenue": money, "aov": money, "median_recency_days": one_decimal_text,
            "median_frequency": one_decimal_text, "median_monetary": money}


THRESHOLD_FORMATS: dict[str, Formatter] = {"customers": count_text}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal, np.integer, np.floating)) and not isinstance(value, bool)


def _label(name: str, lang: str) -> str:
    """A fixed column's header in `lang`; a column tiercli has no word for keeps its name."""
    return TEXTS(name, lang) if name in TEXTS.entries else name


def reason_meaning(slug: str, lang: str) -> str:
    return reason_text(slug, lang)


# --- HTML pieces ---------------------------------------------------------------------------------------------


def _table(css_class: str, headers: Sequence[Cell], rows: Sequence[Sequence[Cell]], caption: str = "") -> str:
    """A table inside its own horizontal scroller (a shadow at a side that scrolls), its caption above the scroller
    so that it wraps on a narrow screen; the first cell of each row is its header."""
    out = [f'<p class="caption">{html_text(caption)}</p>'] if caption else []
    label = f' aria-label="{html_text(caption)}"' if caption else ""
    out += ['<div class="table-wrap">', f'<table class="{html_text(css_class)}"{label}>']
    out.append("<thead><tr>" + "".join(_th(cell, "col") for cell in headers) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [_th(row[0], "row"), *(_td(cell) for cell in row[1:])] if row else []
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _attrs(cell: Cell) -> str:
    classes = [name for name in ("num" if cell.numeric else "", cell.kind) if name]
    attrs = f' class="{" ".join(classes)}"' if classes else ""
    if cell.background:
        attrs += f' style="background-color:{html_text(cell.background)}"'
    if cell.title:
        attrs += f' title="{html_text(cell.title)}"'
    return attrs


def _th(cell: Cell, scope: str) -> str:
    return f'<th scope="{scope}"{_attrs(cell)}>{html_text(cell.text)}</th>'


def _td(cell: Cell) -> str:
    return f"<td{_attrs(cell)}>{html_text(cell.text)}</td>"


def _headers(names: Sequence[str], lang: str, numeric: Sequence[str] = ()) -> list[Cell]:
    return [Cell(_label(name, lang), name in numeric) for name in names]


def _figure(svg: str, caption: str) -> str:
    return f"<figure>\n<figcaption>{html_text(caption)}</figcaption>\n{svg}\n</figure>"


def _section(section_id: str, heading: str, *parts: str) -> str:
    return "\n".join([f'<section id="{section_id}">\n<h2>{html_text(heading)}</h2>', *parts, "</section>"])


def _records_table(css_class: str, names: Sequence[str], records: Sequence[dict[str, Any]],
                   formats: dict[str, Formatter], lang: str) -> str:
    """Records as a table: the first column holds names (one line each), a column of numbers aligns right, any
    other column is text that wraps at a sensible width."""
    numeric = [name for name in names if records and all(_is_number(r[name]) or _missing(r[name]) for r in records)]
    rows = []
    for record in records:
        row = []
        for i, name in enumerate(names):
            value = record[name]
            shown = formats.get(name, plain_text)(value)
            kind = "name" if i == 0 else "" if name in numeric else "text"
            row.append(Cell(shown, name in numeric, kind=kind))
        rows.append(row)
    return _table(css_class, _headers(names, lang, numeric), rows)


def _frame_table(css_class: str, frame: pd.DataFrame, formats: dict[str, Formatter], lang: str) -> str:
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    names = [str(name) for name in frame.columns]
    records = [dict(zip(names, record, strict=True)) for record in frame.itertuples(index=False, name=None)]
    return _records_table(css_class, names, records, formats, lang)


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


# --- the headline figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    key: str  # customers, revenue, repeat_rate, aov, active_90d
    value: str
    change: str  # "" without a previous value
    direction: str  # up, down, flat, or ""
    previous: str
    meaning: str


def _change(key: str, now: float, before: float, currency: str | None, lang: str) -> tuple[str, str]:
    """The change of a headline figure as people read it: counts in customers (+12), money in percent (+3.4%,
    or the amount when there was none before), rates in percentage points (+1.2 pt)."""
    direction = "up" if now > before else "down" if now < before else "flat"
    if key in ("customers", "active_90d"):
        return f"{now - before:+,.0f}", direction
    if key == "repeat_rate":
        return TEXTS("kpi.points", lang, change=f"{(now - before) * 100:+.1f}"), direction
    if before:
        return f"{(now - before) / abs(before):+.1%}", direction
    difference = money_text(now - before, currency)
    return ("+" + difference if now >= before else difference), direction


def kpi_cards(result: Result, lang: str) -> list[Kpi]:
    """The headline figures of `result` with their change against the previous run's, as the cards show them."""
    kpis = result.figures.kpis
    if kpis is None:
        return []
    previous = result.figures.previous_kpis
    currency = result.currency
    shown: dict[str, Callable[[Any], str]] = {
        "customers": count_text,
        "revenue": money_formatter(currency, 0),
        "repeat_rate": percent_text,
        "aov": money_formatter(currency),
        "active_90d": count_text,
    }
    cards = []
    for key, formatter in shown.items():
        value = getattr(kpis, key)
        if value is None:
            continue
        before = getattr(previous, key) if isinstance(previous, Kpis) else None
        change, direction = ("", "") if before is None else _change(key, float(value), float(before), currency, lang)
        meaning = TEXTS(f"kpi.{key}.meaning", lang, orders=count_text(kpis.orders))
        cards.append(Kpi(key, formatter(value), change, direction, "" if before is None else formatter(before),
                         meaning))
    return cards


MARKERS = {"up": "▲", "down": "▼", "flat": "="}


def _kpis(result: Result, lang: str, mixed: str) -> str:
    cards = kpi_cards(result, lang)
    if not cards:
        return ""
    out = [f'<section id="kpis">\n<h2>{html_text(TEXTS("kpis heading", lang))}</h2>', '<div class="kpis">']
    for card in cards:
        name = LABELS(f"kpi.{card.key}", lang, days=ACTIVE_DAYS)
        out.append(f'<div class="kpi" data-kpi="{card.key}">')
        out.append(f'<div class="kpi-label">{html_text(name)}</div>')
        out.append(f'<div class="kpi-value">{html_text(card.value)}</div>')
        if card.change:
            title = TEXTS("kpi.previous", lang, value=card.previous)
            out.append(f'<div class="kpi-change {card.direction}" title="{html_text(title)}">'
                       f'<span class="marker" aria-label="{html_text(TEXTS("kpi." + card.direction, lang))}">'
                       f'{MARKERS[card.direction]}</span> {html_text(card.change)}</div>')
        out.append(f'<div class="kpi-meaning">{html_text(card.meaning)}</div>')
        out.append("</div>")
    out.append("</div>")
    if mixed:
        out.append(f'<p class="warning">{html_text(mixed)}</p>')
    out.append("</section>")
    return "\n".join(out)


def mixed_currencies(result: Result, lang: str) -> str:
    """The note that the amounts add up more than one currency, naming each with its lines; "" when not."""
    if len(result.currencies) < 2:
        return ""
    main = result.currency or next(iter(result.currencies))
    comma = text("common.comma", lang)

    def lines(code: str) -> str:
        return LABELS("currency lines", lang, currency=code, lines=count_text(result.currencies.get(code, 0)))

    others = comma.join(lines(code) for code in result.currencies if code != main)
    return LABELS("currencies", lang, currency=lines(main), others=others)


# --- sections ------------------------------------------------------------------------------------------------


def _import(result: Result, lang: str) -> str:
    """Where the numbers come from: as_of, the row accounting, excluded rows per reason, files, statuses."""
    facts = [
        ("as_of", Cell(result.as_of.strftime("%Y-%m-%d %H:%M:%S"))),
        ("customers", Cell(count_text(result.customers.num_rows), True)),
        ("rows read", Cell(count_text(result.rows_read), True)),
        ("rows used", Cell(count_text(result.rows_used), True)),
        ("rows excluded", Cell(count_text(result.rows_excluded), True)),
    ]
    if result.currency:
        facts.append(("currency", Cell(result.currency)))
    out = ['<div class="table-wrap">', '<table class="facts"><tbody>']
    out.extend(f'<tr><th scope="row" class="name">{html_text(TEXTS(key, lang))}</th>{_td(cell)}</tr>'
               for key, cell in facts)
    out.append("</tbody></table></div>")
    if result.excluded_by_reason:
        out.append(f"<h3>{html_text(TEXTS('excluded heading', lang))}</h3>")
        rows = [[Cell(label("reason", reason, lang), kind="name", title=reason), Cell(count_text(count), True),
                 Cell(reason_meaning(reason, lang), kind="text")]
                for reason, count in result.excluded_by_reason.items()]
        out.append(_table("excluded", _headers(("reason", "rows", "meaning"), lang, ("rows",)), rows))
    if result.inputs:
        out.append(f"<h3>{html_text(TEXTS('inputs heading', lang))}</h3>")
        names = ("file", "platform", "rows read", "rows used", "rows excluded")
        rows = [[Cell(f.name, kind="name"), Cell(f.platform or "", kind="name"), Cell(count_text(f.rows_read), True),
                 Cell(count_text(f.rows_used), True), Cell(count_text(f.rows_excluded), True)] for f in result.inputs]
        out.append(_table("inputs", _headers(names, lang, names[2:]), rows))
    if result.statuses:
        out.append(f"<h3>{html_text(TEXTS('Statuses', lang))}</h3>")
        columns = ("status", "status_class", "rows", "file")
        rows = [[Cell(s.status, kind="name"), Cell(label("status", s.status_class, lang), kind="name",
                                                    title=s.status_class),
                 Cell(count_text(s.rows), True), Cell(s.file, kind="name")] for s in result.statuses]
        out.append(_table("statuses", _headers(columns, lang, ("rows",)), rows))
    return _section("import", TEXTS("import heading", lang), *out)


def _grading(number: int, grading: str, levels: pd.DataFrame, lang: str, currency: str | None) -> str:
    names = [str(name) for name in levels.columns if name != "grading"]
    records = [{str(k): v for k, v in r.items()} for r in levels.to_dict("records")]
    table = _records_table("tiers", names, records, summary_formats(currency), lang)
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
        '<div class="grading-body">', table, '<div class="charts">', *charts, "</div>", "</div>",
        "</section>",
    ])


def _gradings(result: Result, lang: str) -> str:
    summary = result.summary
    if summary.empty or "grading" not in summary.columns:
        return ""
    sections = [_grading(i, str(name), summary[summary["grading"] == name], lang, result.currency)
                for i, name in enumerate(dict.fromkeys(summary["grading"].tolist()), start=1)]
    return _section("gradings", TEXTS("tiers heading", lang), *sections)


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
    return _section("pareto", TEXTS("pareto heading", lang), _figure(chart, title))


def _tags(result: Result, lang: str) -> str:
    figures = result.figures.tags
    if not figures:
        return ""
    money = money_formatter(result.currency)
    rows = [[Cell(f.tag, kind="name"), Cell(count_text(f.customers), True), Cell(percent_text(f.share), True),
             Cell(money(f.revenue), True)] for f in figures]
    names = ("tag", "customers", "share", "revenue")
    title = CHARTS("per_tag", lang)
    chart = bar_chart([Bar(f.tag, f.customers, count_text(f.customers)) for f in figures], chart_id="chart-tags",
                      css_class="chart-tags", title=title, category_axis=text("common.tag", lang),
                      value_axis=TEXTS("customers", lang), tick_text=count_tick, whole=True)
    return _section("tags", text("outputs.sheet.Tags", lang),
                    '<div class="grading-body">', _table("tags", _headers(names, lang, names[1:]), rows),
                    '<div class="charts">', _figure(chart, title), "</div>", "</div>")


def empty_score_notes(result: Result, lang: str) -> dict[str, dict[int, str]]:
    """Per dimension (R, F, M) the scores no customer has, each with why (the run's note that says so, else a
    sentence of its own), in `lang`."""
    frame = result.thresholds
    if frame.empty or not {"dimension", "score", "customers"} <= set(frame.columns):
        return {}
    found: dict[str, dict[int, str]] = {}
    for dimension, rows in frame.groupby("dimension", sort=False):
        empty = [int(s) for s, n in zip(rows["score"], rows["customers"], strict=True) if int(n) == 0]
        if not empty:
            continue
        opening = str(empty_scores(str(dimension), empty))
        note = next((n for n in result.notes if str(n).startswith(opening)), None)
        found[str(dimension)] = {
            s: in_lang(note, lang) if note is not None
            else TEXTS("empty score why", lang, dimension=dimension, score=s) for s in empty}
    return found


def _grid(css_class: str, caption: str, r_scores: Sequence[int], f_scores: Sequence[int],
          cells: Sequence[Sequence[float | None]], formatter: Formatter, lang: str,
          empty: dict[str, dict[int, str]]) -> str:
    """An R×F grid coloured like the workbook's; a row or column of a score no customer has shows — (why: in
    its tooltip), uncoloured."""
    empty_r, empty_f = empty.get("R", {}), empty.get("F", {})

    def why(r: int, f: int) -> str | None:
        return empty_f.get(f) or empty_r.get(r)

    shown = [None if why(r, f) else value for r, line in zip(r_scores, cells, strict=True)
             for f, value in zip(f_scores, line, strict=True)]
    colours = colour_scale(shown)
    width = len(f_scores)
    rows = []
    for i, (r, line) in enumerate(zip(r_scores, cells, strict=True)):
        row = [Cell(str(r), True, title=empty_r.get(r, ""))]
        for j, (f, value) in enumerate(zip(f_scores, line, strict=True)):
            reason = why(r, f)
            row.append(Cell(EMPTY, False, kind="empty", title=reason) if reason
                       else Cell(formatter(value), True, colours[i * width + j]))
        rows.append(row)
    headers = [Cell(LABELS("rf_corner", lang)), *(Cell(str(f), True, title=empty_f.get(f, "")) for f in f_scores)]
    return _table(f"rf-grid {css_class}", headers, rows, caption)


def _segments(result: Result, lang: str) -> str:
    grid = result.figures.grid
    if grid is None:
        return ""
    formats = segment_formats(result.currency)
    rows = [[Cell(label("segment", f.segment, lang), kind="name", title=f.segment),
             *(Cell(formats[name](getattr(f, name)), True) for name in SEGMENT_FIELDS[1:])]
            for f in result.figures.segments]
    spend: list[list[float | None]] = grid.mean_spend
    counts: list[list[float | None]] = [[float(n) for n in line] for line in grid.customers]
    empty = empty_score_notes(result, lang)
    shown = [why for dimension in ("R", "F") for why in empty.get(dimension, {}).values()]
    return _section(
        "segments", TEXTS("segments heading", lang),
        _table("segments", _headers(SEGMENT_FIELDS, lang, SEGMENT_FIELDS[1:]), rows),
        '<div class="charts">', "<div>",
        _grid("rf-customers", TEXTS("rf customers", lang), grid.r_scores, grid.f_scores, counts, count_text, lang,
              empty),
        "</div>", "<div>",
        _grid("rf-spend", TEXTS("rf spend", lang), grid.r_scores, grid.f_scores, spend,
              money_formatter(result.currency), lang, empty),
        "</div>", "</div>",
        *(f'<p class="legend empty-note">{html_text(TEXTS("empty score", lang, why=why))}</p>'
          for why in dict.fromkeys(shown)),
    )


def _lifecycle(result: Result, lang: str) -> str:
    stages = result.figures.lifecycle
    if not stages:
        return ""
    money = money_formatter(result.currency)
    names = ("stage", "customers", "share", "revenue", "revenue_share", "median_recency_days")
    rows = [[Cell(label("lifecycle", f.stage, lang), kind="name", title=f.stage), Cell(count_text(f.customers), True),
             Cell(percent_text(f.share), True), Cell(money(f.revenue), True), Cell(percent_text(f.revenue_share), True),
             Cell(one_decimal_text(f.median_recency_days), True)] for f in stages]
    return _section("lifecycle", text("outputs.sheet.Lifecycle", lang),
                    _table("lifecycle", _headers(names, lang, names[1:]), rows))


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
                       Cell(money_formatter(result.currency)(figures.clv_total), True)])
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
    return _section("thresholds", TEXTS("thresholds heading", lang),
                    _frame_table("thresholds", result.thresholds, THRESHOLD_FORMATS, lang))


def _matrix_label(name: object, lang: str) -> str:
    shown = str(name)
    return MOVEMENT_TEXT(MATRIX_LABELS[shown], lang) if shown in MATRIX_LABELS else shown


def _matrix(grading: GradingMovement, lang: str) -> str:
    """Customers per previous level (rows) × level now (columns); a cell of customers who moved up is green, down
    red, who stayed grey (levels are listed highest first)."""
    frame = grading.customers
    levels = [str(c) for c in frame.columns if str(c) not in MATRIX_LABELS]
    corner = frame.index.name
    headers = [Cell(in_lang(corner, lang) if isinstance(corner, str) else "", kind="name"),
               *(Cell(_matrix_label(c, lang), True, kind="name") for c in frame.columns)]
    rows = []
    for before, values in frame.iterrows():
        row = [Cell(_matrix_label(before, lang), kind="name")]
        for now, value in zip(frame.columns, values.tolist(), strict=True):
            colour = None
            if str(before) in levels and str(now) in levels and value:
                step = levels.index(str(now)) - levels.index(str(before))
                colour = MOVED["up" if step < 0 else "down" if step > 0 else "same"]
            row.append(Cell(count_text(value), True, colour))
        rows.append(row)
    caption = MOVEMENT_TEXT("customers matrix", lang, grading=grading.grading)
    return "\n".join([_table("matrix", headers, rows, caption),
                      f'<p class="legend">{html_text(TEXTS("matrix legend", lang))}</p>'])


def top_movers(movers: pa.Table, grading: str, count: int = TOP_MOVERS) -> list[dict[str, Any]]:
    """The `count` movers of `grading` with the most monetary (a tie by customer id)."""
    mine = movers.filter(pc.equal(movers.column("grading"), grading))
    order = pc.sort_indices(mine, sort_keys=[("monetary", "descending"), ("customer_id", "ascending")])
    return list(mine.take(order.slice(0, count)).to_pylist())


def _movers(report_movers: pa.Table, grading: str, lang: str, currency: str | None) -> str:
    everyone = int(pc.sum(pc.equal(report_movers.column("grading"), grading)).as_py() or 0)
    if not everyone:
        return ""
    movers = top_movers(report_movers, grading)
    money = money_formatter(currency)
    names = ("customer_id", "previous", "current", "movement", "monetary")
    rows = [[Cell(str(m["customer_id"]), kind="name"), Cell(str(m["previous"] or ""), kind="name"),
             Cell(str(m["current"] or ""), kind="name", title=str(m.get("why") or "")),
             Cell(label("movement", str(m["movement"]), lang), kind="name", title=str(m["movement"])),
             Cell(money(m["monetary"]), True)] for m in movers]
    caption = TEXTS("movers", lang, shown=count_text(len(movers)), movers=count_text(everyone))
    return _table("movers", _headers(names, lang, ("monetary",)), rows, caption)


def _movement(result: Result, lang: str) -> str:
    report = result.movement
    if report is None:
        return ""
    money = money_formatter(result.currency)
    out = []
    names = ("movement", "customers", "revenue", "meaning")
    for number, grading in enumerate(report.gradings, start=1):
        rows = [[Cell(label("movement", str(r["movement"]), lang), kind="name", title=str(r["movement"])),
                 Cell(count_text(r["customers"]), True), Cell(money(r["revenue"]), True),
                 Cell(movement_meaning(str(r["movement"]), lang), kind="text")]
                for r in grading.counts.to_dict("records")]
        out.append(f'<section class="movement-grading" id="movement-{number}" '
                   f'data-grading="{html_text(grading.grading)}">')
        out.append(f"<h3>{html_text(grading.grading)}</h3>")
        out.append('<div class="grading-body">')
        out.append(_table("movement", _headers(names, lang, names[1:3]), rows))
        out.append(f"<div>{_matrix(grading, lang)}</div>")
        out.append("</div>")
        if grading.held:
            held = {key: count_text(grading.held.get(key, 0)) for key in ("held", "grace", "dropped")}
            out.append(f'<p class="held">{html_text(TEXTS("held", lang, **held))}</p>')
        out.append(_movers(report.movers, grading.grading, lang, result.currency))
        out.append("</section>")
    if report.notes:
        out.append(_notes(report.notes, lang))
    return _section("movement", TEXTS("movement heading", lang, previous=report.previous), *out)


def render_html(result: Result, lang: str = "en", notes: Sequence[str] = ()) -> str:
    """The report of `result` as one HTML document that needs nothing else to show (no script, no file, no
    network), in English (`en`) or Chinese (`zh`); `notes` are said after the run's own (the workbook's)."""
    lang = check_lang(lang)
    title = TEXTS("title", lang)
    as_of = result.as_of.strftime("%Y-%m-%d %H:%M:%S")
    mixed = mixed_currencies(result, lang)
    every_note = [*result.notes, *notes]  # the run's notes say the mixed currencies already
    sections = [
        _kpis(result, lang, mixed),
        _gradings(result, lang),
        _pareto(result, lang),
        _tags(result, lang),
        _segments(result, lang),
        _lifecycle(result, lang),
        _movement(result, lang),
        _clv(result, lang),
        _behaviour(result, lang),
        _thresholds(result, lang),
        _import(result, lang),
        _section("notes", TEXTS("notes heading", lang), _notes(every_note, lang)) if every_note else "",
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
