"""Aggregate, score, classify: SQL from the metric registry, the segment table and the rules.

`customers` (metrics) → `scored` (+ R/F/M scores, segment) → `classified` (+ tiers, why, tags).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from tiercli.engine.metrics import METRICS, Metric
from tiercli.engine.segments import scaled_sql, segment_sql
from tiercli.rules.model import Grading, Rules, Tag

TAG_SEPARATOR = ", "


def as_of_literal(as_of: datetime) -> str:
    return f"TIMESTAMP '{as_of.isoformat(sep=' ')}'"


def _typed(metric: Metric, expr: str) -> str:
    if metric.unit == "money":
        return f"CAST({expr} AS DECIMAL(18, 2))"
    if metric.unit == "quantity":
        return f"CAST({expr} AS DOUBLE)"
    if metric.unit == "ratio":
        return f"round(CAST({expr} AS DOUBLE), 4)"
    if metric.unit == "days" and metric.stage == "derived":
        return f"round(CAST({expr} AS DOUBLE), 1)"
    return expr


def metrics_sql(as_of: datetime) -> str:
    """The per-customer metrics query over `orders`, exactly as `tiercli metrics` documents it."""
    lit = as_of_literal(as_of)
    agg = [m for m in METRICS if m.stage == "agg"]
    by_cat = [m for m in METRICS if m.stage == "by_category"]
    derived = [m for m in METRICS if m.stage == "derived"]
    agg_cols = ",\n        ".join(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in agg)
    cat_cols = ", ".join(f"{m.sql} AS {m.name}" for m in by_cat)
    derived_cols = ", ".join(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in derived)
    final = ", ".join(_typed(m, m.name) + f" AS {m.name}" for m in METRICS)
    return f"""
    WITH agg AS (
        SELECT customer_id,
        {agg_cols}
        FROM orders GROUP BY customer_id),
    cat AS (
        SELECT customer_id, {cat_cols} FROM (
            SELECT customer_id, category, sum(amount) AS category_spend
            FROM orders WHERE category IS NOT NULL GROUP BY customer_id, category)
        GROUP BY customer_id),
    full_row AS (
        SELECT agg.*, {', '.join(f'cat.{m.name}' for m in by_cat)}, {derived_cols}
        FROM agg LEFT JOIN cat USING (customer_id))
    SELECT customer_id, {final} FROM full_row"""


@dataclass(frozen=True)
class Scores:
    cuts: dict[str, list[float]]  # dimension -> cut points
    thresholds: pd.DataFrame
    notes: list[str]


_DIMENSIONS = (("R", "recency_days", "r_score"), ("F", "frequency", "f_score"), ("M", "monetary", "m_score"))


def _score_sql(column: str, cuts: list[float], bins: int, reverse: bool) -> str:
    above = " + ".join(f"CAST({column} > {c!r} AS INTEGER)" for c in cuts) or "0"
    return f"({bins} - ({above}))" if reverse else f"(1 + {above})"


def score(con: duckdb.DuckDBPyConnection, bins: int) -> Scores:
    """Quantile cut points per dimension; a customer's score counts the cut points its value passes, so equal
    values always share a score (bins may then be uneven, and the notes say so)."""
    probs = [i / bins for i in range(1, bins)]
    row = con.execute(
        "SELECT " + ", ".join(f"quantile_cont({col}, {probs})" for _, col, _ in _DIMENSIONS) + " FROM customers"
    ).fetchone()
    assert row is not None
    cuts = {dim: [float(v) for v in values] for (dim, _, _), values in zip(_DIMENSIONS, row, strict=True)}
    scores = ", ".join(
        f"{_score_sql(col, cuts[dim], bins, dim == 'R')} AS {name}" for dim, col, name in _DIMENSIONS)
    con.execute(f"""
        CREATE TABLE scored AS
        SELECT * EXCLUDE (r, f, m), {segment_sql()} AS segment FROM (
            SELECT *, {scaled_sql('r_score', bins)} AS r, {scaled_sql('f_score', bins)} AS f,
                   {scaled_sql('m_score', bins)} AS m
            FROM (SELECT *, r_score * 100 + f_score * 10 + m_score AS rfm_score
                  FROM (SELECT *, {scores} FROM customers)))""")
    frames = []
    notes = []
    for dim, col, name in _DIMENSIONS:
        counts = con.execute(
            f"SELECT {name}, count(*), min({col}), max({col}) FROM scored GROUP BY 1 ORDER BY 1").fetchall()
        seen = {r[0]: r for r in counts}
        empty = [s for s in range(1, bins + 1) if s not in seen]
        if empty:
            notes.append(f"{dim} scores {', '.join(map(str, empty))} are empty: many customers share the same "
                         f"{col} value, and equal values always get the same score")
        for s in range(1, bins + 1):
            r = seen.get(s)
            frames.append({
                "dimension": dim, "metric": col, "score": s,
                "customers": int(r[1]) if r else 0,
                "min": float(r[2]) if r else None,
                "max": float(r[3]) if r else None,
                "cut_points": ", ".join(f"{c:g}" for c in cuts[dim]) if s == 1 else "",
            })
    return Scores(cuts, pd.DataFrame(frames), notes)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _grading_sql(grading: Grading) -> tuple[str, str]:
    level_cases = []
    why_cases = []
    default = None
    for level in grading.levels:
        if level.when is None:
            default = level
            continue
        cond = f"coalesce({level.when.sql}, FALSE)"
        level_cases.append(f"WHEN {cond} THEN {_text(level.name)}")
        why_cases.append(f"WHEN {cond} THEN {_text(f'{level.name}: {level.when.text}')}")
    default_name = _text(default.name) if default else "NULL"
    default_why = _text(f"{default.name}: no rule above matched") if default else "NULL"
    return (f"CASE {' '.join(level_cases)} ELSE {default_name} END",
            f"CASE {' '.join(why_cases)} ELSE {default_why} END")


def _tag_flag(tag: Tag) -> str:
    return f"CAST(coalesce({tag.when.sql}, FALSE) AS INTEGER)"


def classify(con: duckdb.DuckDBPyConnection, rules: Rules) -> list[str]:
    """Create `classified`: scored customers plus one column per grading, its why, tags and tag flags.
    Returns the output column order."""
    gradings = [(g.name, *_grading_sql(g)) for g in rules.gradings]
    flags = [(t.name, _tag_flag(t)) for t in rules.tags]
    tag_list = (f"nullif(concat_ws({_text(TAG_SEPARATOR)}, "
                + ", ".join(f"CASE WHEN {flag} = 1 THEN {_text(name)} END" for name, flag in flags) + "), '')"
                if flags else "CAST(NULL AS VARCHAR)")
    selects = [f"{level} AS {_quote(name)}" for name, level, _ in gradings]
    selects += [f"{why} AS {_quote(name + '_why')}" for name, _, why in gradings]
    selects.append(f"{tag_list} AS tags")
    selects += [f"{flag} AS {_quote(name)}" for name, flag in flags]
    con.execute(f"CREATE TABLE classified AS SELECT *, {', '.join(selects)} FROM scored")
    metric_names = [m.name for m in METRICS]
    return (["customer_id", *(g.name for g in rules.gradings), "tags", "segment", "r_score", "f_score",
             "m_score", "rfm_score", *metric_names, *(g.name + "_why" for g in rules.gradings),
             *(t.name for t in rules.tags)])


def summary(con: duckdb.DuckDBPyConnection, rules: Rules) -> pd.DataFrame:
    """Per grading and level (in rules order, empty levels included): customers, share, revenue, AOV…"""
    rows = []
    for grading in rules.gradings:
        col = _quote(grading.name)
        stats = {r[0]: r for r in con.execute(f"""
            SELECT {col}, count(*), sum(monetary), sum(frequency), avg(frequency), avg(recency_days)
            FROM classified GROUP BY 1""").fetchall()}
        total_customers = sum(r[1] for r in stats.values())
        total_revenue = sum(float(r[2] or 0) for r in stats.values())
        for level in grading.levels:
            r = stats.get(level.name)
            customers = int(r[1]) if r else 0
            revenue = float(r[2] or 0) if r else 0.0
            orders = int(r[3] or 0) if r else 0
            rows.append({
                "grading": grading.name,
                "level": level.name,
                "customers": customers,
                "share": customers / total_customers if total_customers else 0.0,
                "revenue": round(revenue, 2),
                "revenue_share": revenue / total_revenue if total_revenue else 0.0,
                "aov": round(revenue / orders, 2) if orders else None,
                "mean_orders": round(float(r[4]), 2) if r else None,
                "mean_recency_days": round(float(r[5]), 1) if r else None,
            })
    return pd.DataFrame(rows)
