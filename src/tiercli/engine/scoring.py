"""R/F/M scores, segments and lifecycle stages: `customers` → `scored`.

How a value becomes a score, by the rules' `rfm` settings:

- quantile, ties shared (the default): the cut points are the i/bins quantiles of the customers' values (type 7,
  linear interpolation); a score counts the cut points a value is above, so equal values share a score.
- quantile, ties split: customers are ranked by value, then by customer_id, and cut into `bins` groups of equal
  size; equal values may then get different scores.
- thresholds: the rules' cut points; a value at or above a cut point passes it (bins are [cut, next cut)).
- segments r-rfm: the R rfm package's `bins()`: type-7 quantiles at seq(0, 1, length.out = bins + 1), computed in
  floating point the way R does, plus 1; half-open bins as with thresholds (which R also accepts as is).
- segments pymc: pymc-marketing's `rfm_segments()`: `pandas.qcut(q=4, duplicates="drop")` over recency, days
  with an order and spend per such day; when edges collapse the labels shrink (R 4..1 → 3..1 → 2..1).

Recency is reversed everywhere: fewer days since the last order → higher score. Customers without any order line
(members without orders) get no scores and no segment, and don't count for the cut points.

Segments cn-8 don't read the scores: the class compares recency_days, frequency and monetary with the mean or
median of the customers with orders (computed here like the cut points and written into the SQL as numbers), or
with values the rules give (`engine/segments`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from tiercli.database import Database
from tiercli.engine.segments import (
    CN8,
    CN8_METRICS,
    SegmentTable,
    cn8_compare_sql,
    cn8_sql,
    segment_sql,
    table_for,
    unreachable,
)
from tiercli.messages import Said, as_is, in_lang, listed, say
from tiercli.rules.model import LifecycleSpec, RfmSpec, Rules
from tiercli.sqltext import identifier, literal

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Dimension:
    key: str  # R | F | M
    name: str  # recency | frequency | monetary, as the rules' thresholds name it
    metric: str  # the value scored
    score: str  # output column
    reverse: bool  # fewer is better


@dataclass(frozen=True)
class Cuts:
    """How one dimension is scored: a value's score counts the cut points it passes."""

    values: tuple[float, ...]
    inclusive: bool  # True: a value equal to a cut point passes it (>=); False: it must be above it (>)
    top: int  # the highest score
    split: bool = False  # ranked into equal groups instead (ties split by customer_id)


@dataclass(frozen=True)
class Scores:
    cuts: dict[str, Cuts]  # dimension key -> how it was scored
    thresholds: pd.DataFrame  # per dimension and score: customers, min, max, range, cut points, method, ties
    notes: list[str]  # things the user should know (empty scores, collapsed edges, unreachable segments …)
    run_rows: list[tuple[str, str]]  # facts for the Run sheet: scoring, ties, segments, lifecycle, preset
    compare: dict[str, float | None] | None = None  # cn-8: metric -> the value compared with (None: no customer)


INPUTS = "score_inputs"

PYMC_INPUTS_SQL = """
    SELECT c.customer_id, CAST(c.recency_days AS DOUBLE) AS "R", CAST(p.days AS DOUBLE) AS "F",
           CAST(c.monetary AS DOUBLE) / p.days AS "M"
    FROM customers c LEFT JOIN (
        SELECT customer_id, nullif(count(DISTINCT CAST(order_ts AS DATE)), 0) AS days
        FROM orders WHERE amount >= 0 GROUP BY customer_id) p USING (customer_id)
    WHERE c.recency_days IS NOT NULL"""

PLAIN_INPUTS_SQL = """
    SELECT customer_id, CAST(recency_days AS DOUBLE) AS "R", CAST(frequency AS DOUBLE) AS "F",
           CAST(monetary AS DOUBLE) AS "M"
    FROM customers WHERE recency_days IS NOT NULL"""


def dimensions(rfm: RfmSpec) -> tuple[Dimension, ...]:
    pymc = rfm.segments == "pymc"
    return (
        Dimension("R", "recency", "recency_days", "r_score", True),
        Dimension("F", "frequency", "purchase_days" if pymc else "frequency", "f_score", False),
        Dimension("M", "monetary", "spend_per_day" if pymc else "monetary", "m_score", False),
    )


# --- cut points ---

OrderStats = Callable[[set[int]], dict[int, float]]  # 1-based positions in the sorted values -> value


def type7(n: int, probs: list[float], at: OrderStats) -> list[float]:
    """R's quantile(type = 7), step by step as R computes it in floating point."""
    indexes = [1 + (n - 1) * p for p in probs]
    x = at({math.floor(i) for i in indexes} | {math.ceil(i) for i in indexes})
    result = []
    for index in indexes:
        lo, hi = math.floor(index), math.ceil(index)
        q = x[lo]
        if index > lo and x[hi] != q:
            h = index - lo
            q = (1 - h) * q + h * x[hi]
        result.append(q)
    return result


def exact_quantiles(n: int, bins: int, at: OrderStats) -> list[float]:
    """Type-7 quantiles at i/bins, positions computed exactly: x[lo] + (x[hi] − x[lo]) × fraction."""
    spots = [divmod((n - 1) * i, bins) for i in range(1, bins)]  # 0-based position below, remainder
    x = at({p + 1 for p, _ in spots} | {p + 2 for p, r in spots if r})
    return [x[p + 1] + (x[p + 2] - x[p + 1]) * (r / bins) if r else x[p + 1] for p, r in spots]


def numpy_linear(n: int, probs: list[float], at: OrderStats) -> list[float]:
    """numpy.percentile(method="linear") as pandas' quantile reaches it, step by step."""
    spots = []
    for q in probs:
        virtual = n * q + (1 + q * (1 - 1 - 1)) - 1  # numpy's _compute_virtual_index with alpha = beta = 1
        if virtual >= n - 1:
            spots.append((n - 1, n - 1, 0.0))
        elif virtual < 0:
            spots.append((0, 0, 0.0))
        else:
            below = math.floor(virtual)
            spots.append((below, below + 1, virtual - below))
    x = at({i + 1 for below, above, _ in spots for i in (below, above)})
    result = []
    for below, above, gamma in spots:
        a, b = x[below + 1], x[above + 1]
        diff = b - a
        result.append(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)
    return result


def pymc_edges(n: int, at: OrderStats) -> list[float]:
    """The distinct qcut(q=4) edges: [min, …, max]."""
    return list(dict.fromkeys(numpy_linear(n, [0.0, 0.25, 0.5, 0.75, 1.0], at)))


def cuts_for(rfm: RfmSpec, dim: Dimension, n: int, at: OrderStats) -> Cuts:
    """How `dim` is scored, given the number of customers with a value and their sorted values."""
    if rfm.segments == "pymc":
        edges = pymc_edges(n, at) if n else []
        return Cuts(tuple(edges[1:-1]), inclusive=False, top=max(len(edges) - 1, 1))
    if rfm.method == "thresholds":
        return Cuts(rfm.thresholds[dim.name], inclusive=True, top=rfm.bins)
    if rfm.segments == "r-rfm":
        by = 1 / rfm.bins  # seq(0, 1, length.out = bins + 1): 0 + i * by
        breaks = type7(n, [i * by for i in range(1, rfm.bins)], at) if n else []
        return Cuts(tuple(b + 1 for b in breaks), inclusive=True, top=rfm.bins)
    if rfm.ties == "split":
        return Cuts((), inclusive=False, top=rfm.bins, split=True)
    quantiles = exact_quantiles(n, rfm.bins, at) if n else []
    return Cuts(tuple(quantiles), inclusive=False, top=rfm.bins)


def _double(value: float) -> str:
    return f"CAST({literal(repr(value))} AS DOUBLE)"


def score_sql(dim: Dimension, cuts: Cuts) -> str:
    value = f'"{dim.key}"'
    if cuts.split:
        order = f"{value} DESC" if dim.reverse else value
        ranked = f"ntile({cuts.top}) OVER (PARTITION BY {value} IS NULL ORDER BY {order}, customer_id)"
        return f"CASE WHEN {value} IS NULL THEN NULL ELSE {ranked} END"
    op = ">=" if cuts.inclusive else ">"
    passed = " + ".join(f"CAST({value} {op} {_double(c)} AS INTEGER)" for c in cuts.values) or "0"
    base = f"{cuts.top} - ({passed})" if dim.reverse else f"1 + {passed}"
    return f"CASE WHEN {value} IS NULL THEN NULL ELSE {base} END"


def lifecycle_sql(spec: LifecycleSpec) -> str:
    """The lifecycle stage of a customer row (metrics frequency, tenure_days, recency_days)."""
    return (f"CASE WHEN coalesce(frequency, 0) = 0 THEN 'potential' "
            f"WHEN tenure_days <= {spec.new_days} THEN 'new' "
            f"WHEN recency_days >= {spec.churn_days} THEN 'churned' "
            f"WHEN recency_days >= {spec.at_risk_days} THEN 'at_risk' ELSE 'active' END")


# --- the step ---

def scored_sql(rfm: RfmSpec, lifecycle: LifecycleSpec, scores: str, source: str,
               compare: dict[str, str] | None = None) -> str:
    """`customers` plus scores, rfm_score, segment and lifecycle; `scores` are the score expressions over the
    score inputs in `source` (`tiercli sql` uses it with cut points computed in the query). With segments cn-8,
    `compare` maps R, F and M to the SQL of their comparison values, readable in `source`."""
    if rfm.segments == CN8:
        scores += f", {cn8_sql(compare or {})} AS cn8_segment"
        segment = "cn8_segment"
    else:
        segment = segment_sql(table_for(rfm), rfm.bins)
    return f"""
        SELECT c.*, s.r_score, s.f_score, s.m_score, s.rfm_score, s.segment, {lifecycle_sql(lifecycle)} AS lifecycle
        FROM customers c LEFT JOIN (
            SELECT *, r_score * 100 + f_score * 10 + m_score AS rfm_score, {segment} AS segment
            FROM (SELECT customer_id, {scores} FROM {source}) AS scores) s USING (customer_id)"""


def cn8_compare(con: Database, rfm: RfmSpec, inputs: str = INPUTS) -> dict[str, float | None]:
    """cn-8: metric -> the value it is compared with, given by the rules or computed over the score inputs (the
    customers with orders); None when no customer has one."""
    aggregates = {c: cn8_compare_sql(rfm, c) for _, c, _ in CN8_METRICS}
    wanted = [c for c, sql in aggregates.items() if sql is not None]
    row = con.execute(f"SELECT {', '.join(str(aggregates[c]) for c in wanted)} FROM {inputs}").fetchone() \
        if wanted else ()
    found = dict(zip(wanted, row or (None,) * len(wanted), strict=True))
    return {metric: rfm.compare_values[metric] if metric in rfm.compare_values
            else (None if found[c] is None else float(found[c])) for metric, c, _ in CN8_METRICS}


def cn8_refs(compare: dict[str, float | None]) -> dict[str, str]:
    """The comparison values as SQL numbers, by score-input column."""
    return {c: "CAST(NULL AS DOUBLE)" if compare[m] is None else _double(float(compare[m] or 0))
            for m, c, _ in CN8_METRICS}


def score(con: Database, rules: Rules, lang: str = "en") -> Scores:
    """Create `scored`: `customers` plus r_score, f_score, m_score, rfm_score, segment and lifecycle. The
    thresholds' texts (range, method, ties) are written in `lang`; notes and Run rows carry both languages."""
    rfm, lifecycle = rules.rfm, rules.lifecycle
    table = table_for(rfm)
    dims = dimensions(rfm)
    pymc = rfm.segments == "pymc"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {INPUTS} AS {PYMC_INPUTS_SQL if pymc else PLAIN_INPUTS_SQL}")
    counts = con.execute(f'SELECT count("R"), count("F"), count("M") FROM {INPUTS}').fetchone()
    assert counts is not None
    cuts = {d.key: cuts_for(rfm, d, n, _order_stats(con, d.key)) for d, n in zip(dims, counts, strict=True)}
    scores = ", ".join(f"{score_sql(d, cuts[d.key])} AS {d.score}" for d in dims)
    bins = rfm.bins
    compare = cn8_compare(con, rfm) if rfm.segments == CN8 else None
    con.execute(f"CREATE TABLE scored AS "
                f"{scored_sql(rfm, lifecycle, scores, INPUTS, cn8_refs(compare) if compare else None)}")
    frame, notes = _report(con, rfm, dims, cuts, table, bins, lang)
    con.execute(f"DROP TABLE {INPUTS}")
    run_rows = describe(rules, rfm, lifecycle, table)
    if compare is not None:
        shown = cn8_compare_text(rfm, compare)
        run_rows.append((say("engine.run.cn8_compare"), shown))
        notes.append(say("engine.cn8_note", compare=shown))
    return Scores(cuts, frame, notes, run_rows, compare)


def _order_stats(con: Database, key: str) -> OrderStats:
    def at(positions: set[int]) -> dict[int, float]:
        wanted = ", ".join(str(p) for p in sorted(positions))
        rows = con.execute(f"""
            SELECT rn, v FROM (SELECT "{key}" AS v, row_number() OVER (ORDER BY "{key}") AS rn
                               FROM {INPUTS} WHERE "{key}" IS NOT NULL)
            WHERE rn IN ({wanted})""").fetchall()
        return {int(rn): float(v) for rn, v in rows}
    return at


# --- what the run reports ---

def number(value: float) -> str:
    """A cut point as people read it; exact digits only when rounding would misstate it."""
    short = f"{value:.10g}"
    return short if float(short) == value else repr(value)


# Decimals a metric's values have: a cut point is shown at that precision.
DECIMALS = {"monetary": 2, "recency_days": 0, "frequency": 0}


def shown_cut(value: float, cuts: Cuts, metric: str) -> Decimal:
    """A cut point at the precision of the metric's values (money to the cent, days and counts whole), moved to
    the value that splits them the same way: for "above the cut" the cent or whole number below it, for "at or
    above" the one above it. So a cut of 98.60000000000001 reads 98.60 and one of 1.2 orders reads 1, and what
    the text says is what the score did."""
    places = DECIMALS.get(metric)
    exact = Decimal(repr(value))
    if places is None:
        return exact
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING if cuts.inclusive else ROUND_FLOOR)


def _range_text(metric: str, cuts: Cuts, passed: int) -> Said:
    raw_lower = cuts.values[passed - 1] if 1 <= passed <= len(cuts.values) else None  # none: no customer scored
    raw_upper = cuts.values[passed] if passed < len(cuts.values) else None
    lower = shown_cut(raw_lower, cuts, metric) if raw_lower is not None else None
    upper = shown_cut(raw_upper, cuts, metric) if raw_upper is not None else None
    low_op, high_op = ("≥", "<") if cuts.inclusive else (">", "≤")
    if lower is not None and upper is not None:
        if upper <= lower:
            return say("engine.range.empty")
        inner = "≤" if cuts.inclusive else "<"
        return as_is(f"{lower} {inner} {metric} {high_op} {upper}")
    if lower is not None:
        return as_is(f"{metric} {low_op} {lower}")
    if upper is not None:
        return as_is(f"{metric} {high_op} {upper}")
    return say("engine.range.any", metric=metric)


def method_text(rfm: RfmSpec) -> Said:
    if rfm.segments == "pymc":
        return say("engine.method.pymc")
    if rfm.method == "thresholds":
        return say("engine.method.thresholds")
    if rfm.segments == "r-rfm":
        return say("engine.method.r_rfm", bins=rfm.bins)
    if rfm.ties == "split":
        return say("engine.method.split", bins=rfm.bins)
    return say("engine.method.quantile", bins=rfm.bins)


def ties_text(rfm: RfmSpec) -> Said:
    return say("engine.ties.split" if rfm.ties == "split" else "engine.ties.shared")


def cn8_number(value: float) -> str:
    """A comparison value as the run shows it: to two decimals, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def cn8_value_text(rfm: RfmSpec, metric: str, value: float | None) -> Said:
    """'45.3 (the mean)': a comparison value and where it comes from."""
    if value is None:
        return say("engine.cn8.none")
    how = "given" if metric in rfm.compare_values else rfm.compare
    return say("engine.cn8.value", value=cn8_number(value), how=say(f"engine.cn8.{how}"))


def cn8_compare_text(rfm: RfmSpec, compare: dict[str, float | None]) -> Said:
    r, f, m = (cn8_value_text(rfm, metric, compare[metric]) for metric, _, _ in CN8_METRICS)
    return say("engine.cn8.compare", r=r, f=f, m=m)


def segments_text(table: SegmentTable, bins: int) -> Said:
    if table.name == "default":
        scale = as_is("") if bins == 5 else say("engine.segments.scale", steps=bins - 1)
        return say("engine.segments.default", scale=scale)
    if table.name == "r-rfm":
        return say("engine.segments.r_rfm")
    if table.name == "pymc":
        return say("engine.segments.pymc")
    if table.name == CN8:
        return say("engine.segments.cn8")
    return say("engine.segments.custom", rows=len(table.rows), fallback=table.fallback)


def lifecycle_text(spec: LifecycleSpec) -> Said:
    return say("engine.lifecycle", new_days=spec.new_days, churn_days=spec.churn_days,
               at_risk_days=spec.at_risk_days)


def describe(
    rules: Rules | None, rfm: RfmSpec, lifecycle: LifecycleSpec, table: SegmentTable
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [
        (say("engine.run.rfm_scoring"), say("engine.scoring", bins=rfm.bins, method=method_text(rfm))),
        (say("engine.run.rfm_ties"), ties_text(rfm)),
        (say("engine.run.rfm_segments"), segments_text(table, rfm.bins)),
        (say("engine.run.lifecycle"), lifecycle_text(lifecycle)),
    ]
    if rules is not None and rules.preset:
        rows.append((say("engine.run.rules_preset"), rules.preset))
    return rows


def _report(
    con: Database, rfm: RfmSpec, dims: tuple[Dimension, ...], cuts: dict[str, Cuts],
    table: SegmentTable, bins: int, lang: str = "en",
) -> tuple[pd.DataFrame, list[str]]:
    frames: list[dict[str, object]] = []
    notes: list[str] = []
    present: dict[str, set[int]] = {}
    for dim in dims:
        c = cuts[dim.key]
        stats = {int(r[0]): r for r in con.execute(f"""
            SELECT s.{dim.score}, count(*), min(i."{dim.key}"), max(i."{dim.key}")
            FROM scored s JOIN {INPUTS} i USING (customer_id)
            WHERE s.{dim.score} IS NOT NULL GROUP BY 1""").fetchall()}
        present[dim.key] = set(stats)
        shown = c
        if c.split:
            lower_groups = range(2, c.top + 1) if dim.reverse else range(1, c.top)  # all but the highest values
            highs = [float(stats[s][3]) for s in lower_groups if s in stats]
            shown = Cuts(tuple(sorted(highs)), inclusive=False, top=c.top)
        notes += _dimension_notes(con, rfm, dim, c, stats)
        for s in range(1, bins + 1):
            r = stats.get(s)
            passed = (c.top - s) if dim.reverse else s - 1
            if s > c.top:
                text = say("engine.range.unused")
            elif c.split:
                text = (say("engine.range.ranked", low=number(float(r[2])), high=number(float(r[3]))) if r
                        else say("common.no_customer"))
            else:
                text = _range_text(dim.metric, shown, passed)
            first = s == 1
            frames.append({
                "dimension": dim.key, "metric": dim.metric, "score": s,
                "customers": int(r[1]) if r else 0,
                "min": float(r[2]) if r else None,
                "max": float(r[3]) if r else None,
                "range": in_lang(text, lang),
                "cut_points": ", ".join(str(shown_cut(v, shown, dim.metric)) for v in shown.values) if first else "",
                "method": in_lang(method_text(rfm), lang) if first else "",
                "ties": in_lang(ties_text(rfm), lang) if first else "",
            })
    if all(present.values()):
        lost = unreachable(table, bins, present["R"], present["F"], present["M"])
        if lost:
            notes.append(say("engine.unreachable_segments", segments=listed(lost)))
    import pandas as pd

    return pd.DataFrame(frames), notes


def _dimension_notes(
    con: Database, rfm: RfmSpec, dim: Dimension, cuts: Cuts, stats: dict[int, tuple[object, ...]]
) -> list[str]:
    notes: list[str] = []
    if rfm.segments == "pymc":
        if cuts.top < 4 and stats:
            edges = ", ".join(number(v) for v in cuts.values)
            if cuts.top == 1:
                notes.append(say("engine.pymc_one_bin", metric=dim.metric, edges=edges or say("engine.none"),
                                 dimension=dim.key))
            else:
                notes.append(say("engine.pymc_collapsed", metric=dim.metric, top=cuts.top, edges=edges,
                                 dimension=dim.key))
        return notes
    empty = [s for s in range(1, cuts.top + 1) if s not in stats]
    if stats and empty:
        if rfm.method == "thresholds":
            why = say("engine.empty.thresholds", metric=dim.metric)
        elif cuts.split:
            why = say("engine.empty.split")
        else:
            found = con.execute(f"SELECT count(DISTINCT {identifier(dim.key)}) FROM {INPUTS}").fetchone()
            distinct = int(found[0]) if found else 0
            if distinct < cuts.top:
                why = (say("engine.empty.one_value", metric=dim.metric, top=cuts.top) if distinct == 1
                       else say("engine.empty.few_values", distinct=distinct, metric=dim.metric, top=cuts.top))
            else:
                why = say("engine.empty.shared", metric=dim.metric)
        notes.append(say("engine.empty_scores_why", empty=empty_scores(dim.key, empty), why=why))
    if cuts.split:
        row = con.execute(f"""
            SELECT count(*) FROM scored s JOIN {INPUTS} i USING (customer_id)
            WHERE i."{dim.key}" IN (SELECT i2."{dim.key}" FROM scored s2 JOIN {INPUTS} i2 USING (customer_id)
                                    GROUP BY 1 HAVING count(DISTINCT s2.{dim.score}) > 1)""").fetchone()
        shared = int(row[0]) if row else 0
        if shared:
            notes.append(say("engine.split_shared", dimension=dim.key, shared=shared, metric=dim.metric))
    return notes


def empty_scores(key: str, scores: Sequence[int]) -> Said:
    """The words "R scores 2, 3 are empty", in both languages (a note here, a warning of `tiercli validate`)."""
    return say("engine.empty_scores", dimension=key, scores=listed(str(s) for s in scores))
