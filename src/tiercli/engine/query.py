"""The whole classification as one SQL query over a canonical `orders` table (`tiercli sql`).

The query is assembled from the same parts a local run executes one by one: `metrics_sql` (the `customers` step),
the scoring inputs and segment/lifecycle SQL of `scoring`, and `classified_sql` (tiers, why, tags). The one
difference is where R/F/M cut points come from: a local run computes them from the sorted values (to reproduce R's
and numpy's floating point step by step) and writes them into its SQL as numbers; here they are computed by the
query itself (`quantile_cont`, the same type-7 definition), so it runs on any data. Thresholds from the rules file
and `ties: split` need no cut points and are the same text. So are the comparison values of segments cn-8: the
query computes the mean or median itself (`avg`, `quantile_cont(…, 0.5)`), and given values are numbers.

Other dialects are the DuckDB text's sqlglot tree, rewritten and rendered by `engine.dialects`; what can't be made
identical is returned as notes. Given the recorded statements of a local cleaning (`tiercli sql FILES…`,
`engine.script`), `export_sql` puts them, rendered for the dialect, before the query: the whole pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tiercli.database import Database
from tiercli.engine.compute import (
    build_customers,
    classified_sql,
    classify,
    metrics_sql,
    output_columns,
    require_events,
    require_members,
    rule_conditions,
)
from tiercli.engine.dialects import render, schema_of
from tiercli.engine.scoring import (
    INPUTS,
    PLAIN_INPUTS_SQL,
    PYMC_INPUTS_SQL,
    Cuts,
    Dimension,
    Scores,
    cn8_refs,
    dimensions,
    score,
    score_sql,
    scored_sql,
)
from tiercli.engine.script import Step, script_statements
from tiercli.engine.segments import CN8, CN8_METRICS, cn8_compare_sql
from tiercli.errors import UsageError
from tiercli.messages import say
from tiercli.rules.model import Rules
from tiercli.sqltext import identifier
from tiercli.vocabulary.metrics import CLV_NAMES

if TYPE_CHECKING:  # the result types import pandas and pyarrow, which `tiercli validate` does without
    from tiercli.result import ClvFigures

DIALECTS: tuple[str, ...] = ("duckdb", "spark", "bigquery", "snowflake", "postgres")

# The tables the query reads: canonical order lines (as tiercli's cleaning leaves them) and, with --members, members.
ORDERS_DDL = """CREATE TABLE orders (customer_id VARCHAR, order_id VARCHAR, order_ts TIMESTAMP,
    amount DECIMAL(18, 4), refund_amount DECIMAL(18, 4), discount_amount DECIMAL(18, 4), quantity DECIMAL(18, 4),
    product VARCHAR, sku VARCHAR, category VARCHAR, region VARCHAR, channel VARCHAR, status VARCHAR,
    currency VARCHAR)"""
MEMBERS_DDL = """CREATE TABLE members (customer_id VARCHAR, registered_at TIMESTAMP, birthday DATE,
    member_level VARCHAR, member_region VARCHAR, member_channel VARCHAR, member_gender VARCHAR)"""
# With --events: the canonical events (event: view, favourite, cart or purchase).
EVENTS_DDL = """CREATE TABLE events (customer_id VARCHAR, event_ts TIMESTAMP, event VARCHAR, product VARCHAR,
    category VARCHAR)"""
CUTS = "cuts"
_PYMC_PROBS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _cut(dim: Dimension, index: int) -> str:
    return f"{CUTS}.{dim.key.lower()}_{index}"


def _passed(value: str, refs: list[str], op: str) -> str:
    return " + ".join(f"CAST({value} {op} {ref} AS INTEGER)" for ref in refs) or "0"


def _score(dim: Dimension, passed: str, top: str) -> str:
    value = f'"{dim.key}"'
    base = f"{top} - ({passed})" if dim.reverse else f"1 + {passed}"
    return f"CASE WHEN {value} IS NULL THEN NULL ELSE {base} END"


def _dimension_sql(rules: Rules, dim: Dimension) -> tuple[list[str], str]:
    """(cut point columns for the `cuts` row, score expression) of one dimension."""
    rfm = rules.rfm
    value = f'"{dim.key}"'
    if rfm.segments == "pymc":  # pandas qcut(q=4, duplicates="drop"): an edge counts once, and not at either end
        edges = [f"quantile_cont({value}, {p!r}) AS {_cut(dim, i).split('.')[1]}" for i, p in enumerate(_PYMC_PROBS)]
        q = [_cut(dim, i) for i in range(len(_PYMC_PROBS))]
        passed = " + ".join(f"CAST({value} > {q[i]} AND {q[i]} > {q[i - 1]} AND {q[i]} < {q[4]} AS INTEGER)"
                            for i in (1, 2, 3))
        top = f"greatest({' + '.join(f'CAST({q[i]} > {q[i - 1]} AS INTEGER)' for i in (1, 2, 3, 4))}, 1)"
        return edges, _score(dim, passed, top)
    if rfm.method == "thresholds":
        return [], score_sql(dim, Cuts(rfm.thresholds[dim.name], inclusive=True, top=rfm.bins))
    if rfm.ties == "split":
        return [], score_sql(dim, Cuts((), inclusive=False, top=rfm.bins, split=True))
    if rfm.segments == "r-rfm":  # R rfm's bins(): type-7 quantiles plus 1, a value at or above a break passes it
        by = 1 / rfm.bins
        columns = [f"quantile_cont({value}, {i * by!r}) + 1 AS {dim.key.lower()}_{i}" for i in range(1, rfm.bins)]
        op = ">="
    else:
        columns = [f"quantile_cont({value}, {i / rfm.bins!r}) AS {dim.key.lower()}_{i}" for i in range(1, rfm.bins)]
        op = ">"
    refs = [_cut(dim, i) for i in range(1, rfm.bins)]
    return columns, _score(dim, _passed(value, refs, op), str(rfm.bins))


def scoring_parts(rules: Rules) -> list[tuple[str, str]]:
    """The scoring step as named parts: score inputs, cut points (when computed), scored customers."""
    rfm = rules.rfm
    dims = dimensions(rfm)
    cut_columns: list[str] = []
    scores = []
    for dim in dims:
        columns, expression = _dimension_sql(rules, dim)
        cut_columns += columns
        scores.append(f"{expression} AS {dim.score}")
    compare: dict[str, str] | None = None
    if rfm.segments == CN8:  # the comparison values: computed in the query, or the rules' own as numbers
        compare = cn8_refs({m: rfm.compare_values.get(m) for m, _, _ in CN8_METRICS})
        for _, column, _ in CN8_METRICS:
            aggregate = cn8_compare_sql(rfm, column)
            if aggregate is not None:
                cut_columns.append(f"{aggregate} AS cn8_{column.lower()}")
                compare[column] = f"{CUTS}.cn8_{column.lower()}"
    source = f"{INPUTS} CROSS JOIN {CUTS}" if cut_columns else INPUTS
    scored = scored_sql(rfm, rules.lifecycle, ", ".join(scores), source, compare)
    parts = [(INPUTS, PYMC_INPUTS_SQL if rfm.segments == "pymc" else PLAIN_INPUTS_SQL)]
    if cut_columns:
        parts.append((CUTS, f"SELECT {', '.join(cut_columns)} FROM {INPUTS}"))
    return [*parts, ("scored", scored)]


def classification_sql(rules: Rules, as_of: datetime | None = None, members: bool = False,
                       lang: str = "en", events: bool = False) -> str:
    """One DuckDB query from `orders` (and `members`, `events`) to the customers table tiercli writes, in its order (the
    why columns in `lang`). The clv: model's predictions are fitted in Python, not in SQL: they are not part of it
    (`export_sql` refuses rules that use them)."""
    rules = replace(rules, clv=None)
    parts = [("customers", metrics_sql(as_of, rules, members, events)), *scoring_parts(rules),
             ("classified", classified_sql(rules, lang))]
    columns = ", ".join(identifier(c) for c in output_columns(rules, members, events))
    ctes = ",\n".join(f"{name} AS ({sql})" for name, sql in parts)
    return f"WITH {ctes}\nSELECT {columns} FROM classified ORDER BY monetary DESC, customer_id"


@dataclass(frozen=True)
class Classified:
    """What a local run's classification reports besides the `classified` table."""

    scores: Scores  # the scoring report
    columns: list[str]  # the output columns of `classified`
    clv: ClvFigures | None  # the clv: model's fits and notes, when the rules have `clv:`


def classify_orders(
    con: Database, rules: Rules, as_of: datetime, members: bool = False, lang: str = "en", events: bool = False
) -> Classified:
    """A local run's steps after cleaning, over `orders` (and `members`, `events`): customers (+ the clv: model's
    predictions) → scored → classified. The words written into the data (why columns, the thresholds' texts) are
    in `lang`."""
    build_customers(con, rules, as_of, members, events)
    clv = None
    if rules.clv is not None:
        from tiercli.engine.prediction import predict  # numpy and scipy only for runs that predict

        clv = predict(con, rules.clv, as_of)
    scores = score(con, rules, lang)
    return Classified(scores, classify(con, rules, lang), clv)


@dataclass(frozen=True)
class Exported:
    sql: str  # the statements, each ended by `;`
    notes: list[str]  # what the rendering for the dialect can't make identical (engine/dialects)
    statements: list[str]  # the same, one by one
    tables: dict[str, str]  # with the cleaning: the table holding each of its tables' rows at the end


def export_sql(rules: Rules, dialect: str = "duckdb", as_of: datetime | None = None,
               members: bool = False, lang: str = "en", events: bool = False,
               cleaning: Sequence[Step] | None = None) -> Exported:
    """The classification query for `dialect`: DuckDB's is exactly what tiercli runs; the others are its tree
    rendered by `engine.dialects` (for Spark: rewritten to give DuckDB's values). With `cleaning` (the recorded
    statements of a local cleaning, after those that read the input tables: `engine.script`), the script of the
    whole pipeline: the cleaning's statements for `dialect`, then the query."""
    require_members(rules, members)
    require_events(rules, events)
    for condition in rule_conditions(rules):
        used = sorted(condition.names & set(CLV_NAMES))
        if used:
            raise UsageError(say("engine.clv.not_in_sql", name=used[0]), condition.location, slug="clv_not_in_sql")
    sql = classification_sql(rules, as_of, members, lang, events)
    script = script_statements(cleaning, dialect) if cleaning is not None else None
    tables = script.tables if script is not None else {}
    notes: list[str] = []
    if dialect != "duckdb":
        rendered = render(sql, dialect, schema_of([ORDERS_DDL, MEMBERS_DDL, EVENTS_DDL]), tables)
        sql, notes = rendered.sql, list(rendered.notes)
    statements = [sql]
    if script is not None:
        statements = [*script.statements, sql]
        notes = [*notes, *(n for n in script.notes if n not in notes)]
    return Exported("".join(f"{s};\n" if len(statements) == 1 else f"{s};\n\n" for s in statements), notes,
                    statements, tables)
