"""Inline SVG charts for the HTML report: horizontal bars (one per category, or a group per category), the Pareto
line and a funnel.

Pure functions from numbers and already translated labels to SVG markup; every text is escaped here. A chart is
drawn in a fixed coordinate system (its viewBox) and scales with the width of the page, so the same markup reads
on a phone and on a desktop. Text widths are estimated (East Asian wide characters count double) to size the
label column and shorten labels that would not fit; the full label stays in the bar's tooltip.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from tiercli.names import readable_name

WIDTH = 400
FONT = 12  # px in chart units
SMALL = 11
ROW = 26  # vertical room of one bar
BAR = 18
TOP = 24  # room above the first bar, for the category axis title
VALUE_ROOM = 72  # room right of the longest bar, for its value label
MAX_LABEL_SHARE = 0.4  # of the width, for the category labels
TICKS = 4
CALLOUT_FROM = 0.2  # the Pareto callout marks the first point at or beyond this share of customers


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown beside the bar


def html_text(text: object) -> str:
    """`text` as HTML text or attribute value: escaped, and a file name's undecodable bytes as U+FFFD."""
    return escape(readable_name(str(text)), quote=True)


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of the rendered width of `text` in a proportional sans-serif font."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text) * size


def fit(text: str, room: float, size: float = FONT) -> str:
    """`text`, shortened with an ellipsis when it is wider than `room` (one pass over the text, however long)."""
    if text_width(text, size) <= room:
        return text
    left = room - text_width("…", size)
    used = 0.0
    for end, ch in enumerate(text):
        used += text_width(ch, size)
        if used > left:
            return text[:end] + "…"
    return text + "…"


def nice_ticks(top: float, whole: bool, count: int = TICKS) -> list[float]:
    """Ticks from 0 to at least `top` at a step of 1, 2 or 5 × a power of ten; whole steps when `whole`."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    if whole:
        step = max(step, 1.0)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def percent_tick(value: float) -> str:
    return f"{round(value * 100, 6):g}%"


def count_tick(value: float) -> str:
    return f"{value:,.0f}"


def _svg_open(chart_id: str, css_class: str, title: str, height: float) -> list[str]:
    return [
        f'<svg class="chart {html_text(css_class)}" id="{html_text(chart_id)}" role="img" '
        f'aria-labelledby="{html_text(chart_id)}-title" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}">',
        f'<title id="{html_text(chart_id)}-title">{html_text(title)}</title>',
    ]


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    css_class: str,
    title: str,
    category_axis: str,
    value_axis: str,
    tick_text: Callable[[float], str],
    whole: bool,
) -> str:
    """Horizontal bars, one per category in the given order, each with its value label; the category axis title
    sits above the labels, the value axis with its ticks and title below the bars. A negative value draws no bar
    but keeps its label."""
    labels = [bar.label for bar in bars]
    label_room = min(max((text_width(label) for label in labels), default=0) + 10, WIDTH * MAX_LABEL_SHARE)
    label_room = max(label_room, text_width(category_axis, SMALL) + 10)
    left, right = label_room, WIDTH - VALUE_ROOM
    ticks = nice_ticks(max((bar.value for bar in bars), default=0.0), whole)
    scale = (right - left) / ticks[-1]
    axis_y = TOP + len(bars) * ROW
    height = axis_y + 40
    out = _svg_open(chart_id, css_class, title, height)
    out.append(f'<text class="axis-title" x="{left - 6:.1f}" y="14" text-anchor="end">'
               f'{html_text(category_axis)}</text>')
    for tick in ticks:
        x = left + tick * scale
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{axis_y}"/>')
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{html_text(tick_text(tick))}</text>'
        )
    out.append(f'<line class="axis" x1="{left:.1f}" y1="{axis_y}" x2="{right:.1f}" y2="{axis_y}"/>')
    out.append(
        f'<text class="axis-title" x="{(left + right) / 2:.1f}" y="{axis_y + 32}" text-anchor="middle">'
        f"{html_text(value_axis)}</text>"
    )
    for i, bar in enumerate(bars):
        y = TOP + i * ROW + (ROW - BAR) / 2
        width = max(bar.value, 0.0) * scale if math.isfinite(bar.value) else 0.0
        middle = y + BAR / 2 + 4
        out.append(
            f'<text class="label" x="{left - 6:.1f}" y="{middle:.1f}" text-anchor="end">'
            f"{html_text(fit(bar.label, left - 10))}</text>"
        )
        out.append(
            f'<rect class="bar" x="{left:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR}">'
            f"<title>{html_text(bar.label)}: {html_text(bar.text)}</title></rect>"
        )
        out.append(f'<text class="value" x="{left + width + 4:.1f}" y="{middle:.1f}">{html_text(bar.text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def pareto_chart(
    points: Sequence[tuple[float, float]],
    *,
    chart_id: str,
    title: str,
    x_axis: str,
    y_axis: str,
    callout: Callable[[float, float], str],
) -> str:
    """The Pareto curve (shares from 0 to 1 on both axes) over the diagonal of an even spread, with the first
    point at or beyond 20% of customers marked and labelled by `callout(customer share, revenue share)`."""
    left, right, top, bottom = 56.0, 20.0, 16.0, 48.0
    height = 320.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def xy(share_x: float, share_y: float) -> tuple[float, float]:
        return left + share_x * plot_w, top + (1 - share_y) * plot_h

    out = _svg_open(chart_id, "chart-pareto", title, height)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, _ = xy(tick, 0)
        _, y = xy(0, tick)
        out.append(f'<line class="grid" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{top + plot_h:.1f}"/>')
        out.append(f'<line class="grid" x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}"/>')
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 16:.1f}" text-anchor="middle">'
            f"{percent_tick(tick)}</text>"
        )
        out.append(
            f'<text class="tick" x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">{percent_tick(tick)}</text>'
        )
    out.append(
        f'<line class="axis" x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{left + plot_w:.1f}" '
        f'y2="{top + plot_h:.1f}"/>'
    )
    out.append(f'<line class="axis" x1="{left:.1f}" y1="{top:.1f}" x2="{left:.1f}" y2="{top + plot_h:.1f}"/>')
    out.append(
        f'<text class="axis-title" x="{left + plot_w / 2:.1f}" y="{height - 8:.1f}" text-anchor="middle">'
        f"{html_text(x_axis)}</text>"
    )
    out.append(
        f'<text class="axis-title" x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{html_text(y_axis)}</text>'
    )
    x0, y0 = xy(0, 0)
    x1, y1 = xy(1, 1)
    out.append(f'<line class="diagonal" x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}"/>')
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(px, py) for px, py in points))
    out.append(f'<polyline class="line" points="{path}"/>')
    marked = next(((px, py) for px, py in points if px >= CALLOUT_FROM), None)
    if marked is not None:
        x, y = xy(*marked)
        label = callout(*marked)
        anchor, dx = ("start", 8) if x + 8 + text_width(label, SMALL) <= WIDTH - 4 else ("end", -8)
        text_y = min(y + 18, top + plot_h - 6)
        out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4"/>')
        out.append(
            f'<text class="value callout" x="{x + dx:.1f}" y="{text_y:.1f}" text-anchor="{anchor}">'
            f'{html_text(label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


FUNNEL_VALUE_ROOM = 110  # room right of the funnel, for a stage's value and its share of the first stage


def funnel_chart(stages: Sequence[Bar], *, chart_id: str, title: str) -> str:
    """A funnel: one bar a stage, top to bottom, centred and as wide as its value against the widest stage, joined
    to the next by a pale band; the stage's label on the left, its value text on the right."""
    label_room = min(max((text_width(bar.label) for bar in stages), default=0) + 10, WIDTH * MAX_LABEL_SHARE)
    left, right = label_room, WIDTH - FUNNEL_VALUE_ROOM
    widest = max((bar.value for bar in stages if math.isfinite(bar.value)), default=0.0)
    scale = (right - left) / widest if widest > 0 else 0.0
    middle = (left + right) / 2
    height = 8 + len(stages) * ROW + 8
    out = _svg_open(chart_id, "chart-funnel", title, height)
    spans = [max(bar.value, 0.0) * scale / 2 if math.isfinite(bar.value) else 0.0 for bar in stages]
    for i in range(len(stages) - 1):
        top, bottom = 8 + i * ROW + (ROW + BAR) / 2, 8 + (i + 1) * ROW + (ROW - BAR) / 2
        points = (f"{middle - spans[i]:.1f},{top:.1f} {middle + spans[i]:.1f},{top:.1f} "
                  f"{middle + spans[i + 1]:.1f},{bottom:.1f} {middle - spans[i + 1]:.1f},{bottom:.1f}")
        out.append(f'<polygon class="band" points="{points}"/>')
    for i, (bar, span) in enumerate(zip(stages, spans, strict=True)):
        y = 8 + i * ROW + (ROW - BAR) / 2
        text_y = y + BAR / 2 + 4
        out.append(
            f'<text class="label" x="{left - 6:.1f}" y="{text_y:.1f}" text-anchor="end">'
            f"{html_text(fit(bar.label, left - 10))}</text>"
        )
        out.append(
            f'<rect class="bar stage-{i}" x="{middle - span:.1f}" y="{y:.1f}" width="{2 * span:.1f}" height="{BAR}">'
            f"<title>{html_text(bar.label)}: {html_text(bar.text)}</title></rect>"
        )
        out.append(f'<text class="value" x="{right + 6:.1f}" y="{text_y:.1f}">'
                   f"{html_text(fit(bar.text, FUNNEL_VALUE_ROOM - 8))}</text>")
    out.append("</svg>")
    return "\n".join(out)


GROUP_BAR = 7  # height of one bar of a group
GROUP_GAP = 8  # between groups
LEGEND = 22  # room above the bars for the legend


def grouped_bar_chart(
    groups: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str],
    *,
    chart_id: str,
    css_class: str,
    title: str,
    value_axis: str,
    tick_text: Callable[[float], str],
    whole: bool,
) -> str:
    """Horizontal bars in groups: per group (a category, labelled on the left) one bar a series, the series named
    in a legend above; the value axis with its ticks and title below. Each bar's value is in its tooltip."""
    label_room = min(max((text_width(label) for label, _ in groups), default=0) + 10, WIDTH * MAX_LABEL_SHARE)
    left, right = label_room, WIDTH - 24
    values = [v for _, line in groups for v in line if math.isfinite(v)]
    ticks = nice_ticks(max(values, default=0.0), whole)
    scale = (right - left) / ticks[-1]
    band = len(series) * GROUP_BAR + GROUP_GAP
    top = LEGEND + 6
    axis_y = top + len(groups) * band
    height = axis_y + 40
    out = _svg_open(chart_id, css_class, title, height)
    x = left
    for k, name in enumerate(series):
        out.append(f'<rect class="bar series-{k}" x="{x:.1f}" y="4" width="10" height="10"/>')
        out.append(f'<text class="tick" x="{x + 14:.1f}" y="13">{html_text(name)}</text>')
        x += 14 + text_width(name, SMALL) + 12
    for tick in ticks:
        tx = left + tick * scale
        out.append(f'<line class="grid" x1="{tx:.1f}" y1="{top - 2}" x2="{tx:.1f}" y2="{axis_y}"/>')
        out.append(f'<text class="tick" x="{tx:.1f}" y="{axis_y + 14}" text-anchor="middle">'
                   f"{html_text(tick_text(tick))}</text>")
    out.append(f'<line class="axis" x1="{left:.1f}" y1="{axis_y}" x2="{right:.1f}" y2="{axis_y}"/>')
    out.append(
        f'<text class="axis-title" x="{(left + right) / 2:.1f}" y="{axis_y + 32}" text-anchor="middle">'
        f"{html_text(value_axis)}</text>"
    )
    for i, (label, line) in enumerate(groups):
        y0 = top + i * band + GROUP_GAP / 2
        out.append(
            f'<text class="label" x="{left - 6:.1f}" y="{y0 + len(series) * GROUP_BAR / 2 + 4:.1f}" '
            f'text-anchor="end">{html_text(fit(label, left - 10))}</text>'
        )
        for k, (name, value) in enumerate(zip(series, line, strict=True)):
            width = max(value, 0.0) * scale if math.isfinite(value) else 0.0
            out.append(
                f'<rect class="bar series-{k}" x="{left:.1f}" y="{y0 + k * GROUP_BAR:.1f}" width="{width:.1f}" '
                f'height="{GROUP_BAR - 1}"><title>{html_text(label)}, {html_text(name)}: '
                f"{html_text(tick_text(value))}</title></rect>"
            )
    out.append("</svg>")
    return "\n".join(out)
