"""Aggregate, score, classify: SQL from the metric registry, the segment table and the rules.

`customers` (metrics) → `scored` (+ R/F/M scores, segment, lifecycle; see `scoring`) → `classified` (+ tiers,
why, tags).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from tiercli.database import Database
from tiercli.engine.scoring import Scores as Scores
from tiercli.engine.scoring import score as score
from tiercli.errors import Location, RulesError, TiercliError, UsageError
from tiercli.messages import say, text
from tiercli.rules.model import Condition, CustomMetric, Grading, Rules, Tag
from tiercli.sqltext import identifier, literal, timestamp
from tiercli.vocabulary.metrics import (
    CLV_METRICS,
    DAYS_AGO_SQL,
    EVENT_METRICS,
    EVENT_NAMES,
    MEMBER_ATTRIBUTES,
    MEMBER_NAMES,
    METRICS,
    ORDER_ROW,
    Metric,
)

if TYPE_CHECKING:
    import pandas as pd

TAG_SEPARATOR = ", "
LEVEL_DATA: tuple[str, ...] = ("discount", "benefit")  # level data the Summary shows, when a level has it


# Used order lines per pass of the metrics: above this the customers are built in passes, each over the orders of
# a share of them (by a hash of the id), as the groupings of 100M lines in one pass ran out of a 1 GB limit while
# those of 50M did not.
PASS_LINES = 40_000_000
LATEST_ORDER = "(SELECT max(order_ts) FROM orders)"  # as_of when none is given: the latest order time


def as_of_literal(as_of: datetime) -> str:
    return timestamp(as_of)


def as_of_sql(as_of: datetime | None) -> str:
    """as_of in SQL: a timestamp literal, or the latest order time of the `orders` table."""
    return LATEST_ORDER if as_of is None else as_of_literal(as_of)


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


def _custom_typed(metric: CustomMetric) -> str:
    column = identifier(metric.name)
    if metric.unit == "money":
        return f"CAST({column} AS DECIMAL(18, 2))"
    if metric.unit == "ratio":
        return f"round(CAST({column} AS DOUBLE), 4)"
    return column


def metric_parts(as_of: datetime | None, rules: Rules | None = None, members: bool = False,
                 orders: str = "orders", members_table: str = "members", events: bool = False,
                 events_table: str = "events") -> tuple[list[tuple[str, str]], str]:
    """The per-customer metrics as steps, exactly as `tiercli metrics` documents them: (name, SQL) parts, each
    over `orders` (and `members`) and the parts before it, then the final SELECT of the customers table.

    `as_of` None means the latest order time, computed in the query. Order-stage metrics aggregate `per_order`
    (one row per customer and order); line-stage metrics, and the rules' custom metrics and helpers, aggregate
    the order lines; `distinct`, `most` and `by_category` metrics are groupings of their own. With `members`,
    every customer of the `members` table without an order gets a row too, holding each metric's value over no
    orders (frequency 0, monetary 0, …), and the member attributes are joined. A local run makes each part a
    table of its own, one after the other (`build_customers`), so that no step holds more than its own
    groupings; `metrics_sql` puts them in one query. `orders` and `members_table` name the tables read (a part of
    the customers, when a run builds them in several passes).

    With `events`, the behaviour metrics and the event helpers the rules use are computed from `events_table`
    (see `vocabulary.metrics.EVENT_METRICS`), and every customer with an event but no order gets a row too, like
    a member without orders."""
    lit = as_of_sql(as_of)
    custom = [m for m in rules.metrics if m.table == "orders"] if rules is not None else []
    event_custom = [m for m in rules.metrics if m.table != "orders"] if rules is not None else []
    by_order = [m for m in METRICS if m.stage == "order"]
    by_line = [m for m in METRICS if m.stage == "line"]
    derived = [m for m in METRICS if m.stage == "derived"]
    order_cols = ",\n        ".join(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in by_order)
    line_cols = ",\n        ".join([*(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in by_line),
                                     *(f"{m.sql} AS {identifier(m.name)}" for m in custom)])
    lines = orders
    if any("days_ago" in m.reads for m in custom):
        lines = f"(SELECT *, {DAYS_AGO_SQL.format(as_of=lit)} AS days_ago FROM {orders}) AS orders"

    others = [*([f"SELECT customer_id FROM {members_table}"] if members else []),
              *([f"SELECT customer_id FROM {events_table}"] if events else [])]
    extra = others[0] if len(others) == 1 else f"SELECT DISTINCT customer_id FROM ({' UNION ALL '.join(others)})"

    def without_orders(cols: str, source: str) -> str:
        """Members and customers with events but without an order: each aggregate over no rows (count 0, sums
        coalesced to 0)."""
        if not others:
            return ""
        return f"""
        UNION ALL
        SELECT members.customer_id, no_orders.* FROM (SELECT DISTINCT customer_id FROM ({extra})) AS members
        CROSS JOIN (
            SELECT {cols}
            FROM {source} WHERE FALSE) AS no_orders
        WHERE NOT EXISTS (SELECT 1 FROM {orders} AS o WHERE o.customer_id = members.customer_id)"""

    parts = [("per_order", ORDER_ROW.format(lines=orders)),
             ("agg", f"""SELECT customer_id,
        {order_cols}
        FROM per_order GROUP BY customer_id{without_orders(order_cols, "per_order")}""")]
    side: list[tuple[str, str]] = []  # (part, the column it adds as the joined rows show it)
    if line_cols:
        parts.append(("line_agg", f"""SELECT customer_id,
        {line_cols}
        FROM {lines} GROUP BY customer_id{without_orders(line_cols, lines)}"""))
        side.append(("line_agg", "line_agg.* EXCLUDE (customer_id)"))
    for m in METRICS:
        table = f"metric_{m.name}"
        if m.stage == "distinct":  # count(DISTINCT x) as two groupings, which spill where a distinct-set can't
            parts.append((table, f"""SELECT customer_id, count(value) AS {m.name} FROM (
            SELECT customer_id, {m.sql} AS value FROM {orders} GROUP BY ALL) GROUP BY customer_id"""))
            side.append((table, f"coalesce({table}.{m.name}, 0) AS {m.name}"))
        elif m.stage in ("most", "by_category"):  # the value with the highest count or sum; ties: first by name
            value, weight = (m.sql, "count(*)") if m.stage == "most" else ("category", m.sql)
            parts.append((table, f"""SELECT customer_id,
            arg_min(value, struct_pack(w := -weight, v := value)) AS {m.name}
        FROM (SELECT customer_id, {value} AS value, {weight} AS weight FROM {orders}
              WHERE {value} IS NOT NULL GROUP BY ALL) GROUP BY customer_id"""))
            side.append((table, f"{table}.{m.name}"))
    if events:
        parts += _event_parts(lit, orders, events_table, event_custom)
        side.append(("event_agg", ", ".join(
            [f"coalesce(event_agg.{m.name}, 0) AS {m.name}" if m.unit == "count" else f"event_agg.{m.name}"
             for m in EVENT_METRICS if m.stage == "event"]
            + [f"coalesce(event_agg.{identifier(m.name)}, 0) AS {identifier(m.name)}" for m in event_custom
               if m.table == "events"])))
        side.append(("event_product_agg", ", ".join(
            [f"event_product_agg.{m.name}" for m in EVENT_METRICS if m.stage == "event_product"]
            + [f"coalesce(event_product_agg.{identifier(m.name)}, 0) AS {identifier(m.name)}" for m in event_custom
               if m.table == "event_products"])))
    # each part joined on in a step of its own: one hash join at a time, which spills where a chain can't
    joined = "agg"
    for k, (table, column) in enumerate(side):
        parts.append((f"joined_{k}", f"""SELECT {joined}.*, {column}
        FROM {joined} LEFT JOIN {table} USING (customer_id)"""))
        joined = f"joined_{k}"
    derived_cols = ", ".join(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in derived)
    parts.append(("full_row", f"SELECT *, {derived_cols} FROM {joined}"))
    final = ", ".join([*(_typed(m, m.name) + f" AS {m.name}" for m in METRICS),
                       *(_typed(m, m.name) + f" AS {m.name}" for m in (EVENT_METRICS if events else ())),
                       *(f"{_custom_typed(m)} AS {identifier(m.name)}" for m in (*custom, *event_custom))])
    source = "full_row"
    if members:
        attributes = ", ".join(
            f"{(a.sql or a.name).format(as_of=lit)} AS {a.name}" for a in MEMBER_ATTRIBUTES if a.name != "is_member")
        final += ", " + ", ".join(f"coalesce({a.name}, FALSE) AS {a.name}" if a.name == "is_member" else a.name
                                  for a in MEMBER_ATTRIBUTES)
        source = f"""full_row LEFT JOIN (
        SELECT customer_id, TRUE AS is_member, {attributes}
        FROM {members_table}) AS member_row USING (customer_id)"""
    return parts, f"SELECT customer_id, {final} FROM {source}"


def _event_parts(lit: str, orders: str, events: str, custom: list[CustomMetric]) -> list[tuple[str, str]]:
    """The behaviour metrics as parts: per customer over the events, the products they had events on (when last
    viewed, carted, bought), and per customer over those products.

    Ages are computed here from event_ts and as_of, to the microsecond (`age_days < N` is exactly
    `event_ts > as_of - INTERVAL N DAY`, like the metrics' windows), so a helper's window never depends on an age
    the events table was given. Last bought is the later of the purchase event and the order line, either may be
    missing (written without `greatest`, which some warehouses make NULL when one argument is)."""

    def days_before(time: str) -> str:
        return f"date_diff('microsecond', {time}, {lit}) / 86400000000.0"

    by_event = [*(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in EVENT_METRICS if m.stage == "event"),
                *(f"{m.sql} AS {identifier(m.name)}" for m in custom if m.table == "events")]
    by_product = [*(f"{m.sql.format(as_of=lit)} AS {m.name}" for m in EVENT_METRICS if m.stage == "event_product"),
                  *(f"{m.sql} AS {identifier(m.name)}" for m in custom if m.table == "event_products")]
    aged = (f"(SELECT customer_id, event_ts, event, product, category, {days_before('event_ts')} AS age_days "
            f"FROM {events}) AS events")
    return [
        ("event_agg", f"SELECT customer_id, {', '.join(by_event)} FROM {aged} GROUP BY customer_id"),
        ("event_products", f"""SELECT ev.customer_id, ev.product, ev.last_view, ev.last_cart,
            {days_before('ev.last_cart')} AS cart_age_days,
            CASE WHEN bo.last_bought IS NULL OR ev.last_bought > bo.last_bought THEN ev.last_bought
                 ELSE bo.last_bought END AS last_bought
        FROM (SELECT customer_id, product, max(event_ts) FILTER (WHERE event = 'view') AS last_view,
                     max(event_ts) FILTER (WHERE event = 'cart') AS last_cart,
                     max(event_ts) FILTER (WHERE event = 'purchase') AS last_bought
              FROM {events} WHERE product IS NOT NULL GROUP BY customer_id, product) AS ev
        LEFT JOIN (SELECT customer_id, product, max(order_ts) AS last_bought FROM (
                       SELECT customer_id, sku AS product, order_ts FROM {orders} WHERE amount >= 0 AND sku IS NOT NULL
                       UNION ALL
                       SELECT customer_id, product, order_ts FROM {orders} WHERE amount >= 0 AND product IS NOT NULL)
                   GROUP BY customer_id, product) AS bo USING (customer_id, product)"""),
        ("event_product_agg", f"SELECT customer_id, {', '.join(by_product)} FROM event_products GROUP BY customer_id"),
    ]


def metrics_sql(as_of: datetime | None, rules: Rules | None = None, members: bool = False,
                events: bool = False) -> str:
    """The per-customer metrics query over `orders` (and `members`, `events`): `metric_parts` as one query."""
    parts, final = metric_parts(as_of, rules, members, events=events)
    ctes = ",\n    ".join(f"{name} AS (\n        {sql})" for name, sql in parts)
    return f"\n    WITH {ctes}\n    {final}"


def member_names(rules: Rules) -> dict[str, Location]:
    """The member attributes the rules use, each with the first rule that uses it."""
    used: dict[str, Location] = {}
    for condition in rule_conditions(rules):
        for name in sorted(condition.names & set(MEMBER_NAMES)):
            used.setdefault(name, condition.location)
    return used


def require_members(rules: Rules, members: bool) -> None:
    """`UsageError` at the first rule that uses a member attribute when there is no members file."""
    used = member_names(rules)
    if used and not members:
        name, location = next(iter(used.items()))
        raise UsageError(say("engine.needs_members", name=name), location, slug="needs_members")


def event_names(rules: Rules) -> dict[str, Location]:
    """The behaviour metrics and event helpers the rules use, each with the first rule that uses it."""
    used: dict[str, Location] = {}
    for condition in rule_conditions(rules):
        for name in sorted(condition.names & set(EVENT_NAMES)):
            used.setdefault(name, condition.location)
        for helper in condition.helpers:
            if helper.table != "orders":
                used.setdefault(helper.name, condition.location)
    return used


def require_events(rules: Rules, events: bool) -> None:
    """`UsageError` at the first rule that uses a behaviour metric or event helper when there is no events file."""
    used = event_names(rules)
    if used and not events:
        name, location = next(iter(used.items()))
        raise UsageError(say("engine.needs_events", name=name), location, slug="needs_events")


def build_customers(
    con: Database, rules: Rules, as_of: datetime, members: bool = False, events: bool = False
) -> None:
    """Create `customers` from `orders` (and `members`, `events`); a custom metric DuckDB can't compute on this
    data becomes a `RulesError` at that metric."""
    require_members(rules, members)
    require_events(rules, events)
    row = con.execute("SELECT count(*) FROM orders").fetchone()
    passes = max(1, -(-int(row[0] if row else 0) // PASS_LINES))
    try:
        for k in range(passes):
            orders, members_table, events_table = "orders", "members", "events"
            if passes > 1:  # a share of the customers at a time, chosen by a hash of the customer id
                part = f"hash(customer_id) % {passes} = {k}"
                con.execute(f"CREATE OR REPLACE TABLE orders_pass AS SELECT * FROM orders WHERE {part}")
                orders = "orders_pass"
                if members:
                    con.execute(f"CREATE OR REPLACE VIEW members_pass AS SELECT * FROM members WHERE {part}")
                    members_table = "members_pass"
                if events:
                    con.execute(f"CREATE OR REPLACE VIEW events_pass AS SELECT * FROM events WHERE {part}")
                    events_table = "events_pass"
            parts, final = metric_parts(as_of, rules, members, orders, members_table, events, events_table)
            for name, sql in parts:  # one grouping at a time: each spills on its own within the memory limit
                con.execute(f"CREATE TABLE {name} AS {sql}")  # stored like the lines: paged out, not held
            con.execute(f"CREATE TABLE customers AS {final}" if k == 0 else f"INSERT INTO customers {final}")
            for name, _ in parts:
                con.execute(f"DROP TABLE {name}")
        if passes > 1:
            con.execute("DROP TABLE orders_pass")
            if members:
                con.execute("DROP VIEW members_pass")
            if events:
                con.execute("DROP VIEW events_pass")
    except duckdb.Error as error:
        lit = as_of_literal(as_of)
        lines = f"(SELECT *, {DAYS_AGO_SQL.format(as_of=lit)} AS days_ago FROM orders) AS orders"
        for metric in rules.metrics:
            if metric.table != "orders":
                continue
            failure = _failure(con, f"SELECT count(v) FROM (SELECT {metric.sql} AS v FROM {lines} "
                                    "GROUP BY customer_id) AS per_customer")
            if failure:
                raise RulesError([TiercliError(say("engine.cannot_compute", failure=failure), metric.location,
                                               slug="expression")]) from None
        raise error


def add_empty_predictions(con: Database) -> None:
    """The clv: model's columns on `customers`, all empty: a dry run of the rules (the model itself is
    `engine.prediction`, which needs numpy and scipy)."""
    columns = ", ".join(f"CAST(NULL AS DOUBLE) AS {identifier(m.name)}" for m in CLV_METRICS)
    con.execute(f"CREATE OR REPLACE TABLE customers AS SELECT *, {columns} FROM customers")


def _failure(con: Database, sql: str) -> str | None:
    """DuckDB's message (its first line) when `sql` fails, else None."""
    try:
        con.execute(sql).fetchall()
    except duckdb.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def _grading_sql(grading: Grading, lang: str = "en") -> tuple[str, str]:
    """The level and the why (in `lang`) of a grading, as SQL over `scored`."""
    level_cases = []
    why_cases = []
    default = None
    for level in grading.levels:
        if level.when is None:
            default = level
            continue
        cond = f"coalesce({level.when.sql}, FALSE)"
        level_cases.append(f"WHEN {cond} THEN {literal(level.name)}")
        why = text("engine.why.rule", lang, title=level.title, rule=level.when.text)
        why_cases.append(f"WHEN {cond} THEN {literal(why)}")
    default_name = literal(default.name) if default else "NULL"
    default_why = literal(text("engine.why.default", lang, title=default.title)) if default else "NULL"
    if not level_cases:  # only a default level: everyone gets it
        return f"CAST({default_name} AS VARCHAR)", f"CAST({default_why} AS VARCHAR)"
    return (f"CASE {' '.join(level_cases)} ELSE {default_name} END",
            f"CASE {' '.join(why_cases)} ELSE {default_why} END")


def _tag_flag(tag: Tag) -> str:
    return f"CAST(coalesce({tag.when.sql}, FALSE) AS INTEGER)"


def classified_sql(rules: Rules, lang: str = "en") -> str:
    """`scored` plus one column per grading, its why (in `lang`), the tag list and one 0/1 column per tag."""
    gradings = [(g.name, *_grading_sql(g, lang)) for g in rules.gradings]
    flags = [(t.name, _tag_flag(t)) for t in rules.tags]
    tag_list = "CAST(NULL AS VARCHAR)"
    if flags:  # ', ' before each matching tag, then the first separator cut off (portable, unlike concat_ws)
        parts = ", ".join(f"CASE WHEN {flag} = 1 THEN {literal(TAG_SEPARATOR + name)} ELSE '' END"
                          for name, flag in flags)
        tag_list = f"nullif(substring(concat({parts}), {len(TAG_SEPARATOR) + 1}), '')"
    selects = [f"{level} AS {identifier(name)}" for name, level, _ in gradings]
    selects += [f"{why} AS {identifier(name + '_why')}" for name, _, why in gradings]
    selects.append(f"{tag_list} AS tags")
    selects += [f"{flag} AS {identifier(name)}" for name, flag in flags]
    return f"SELECT *, {', '.join(selects)} FROM scored"


def output_columns(rules: Rules, members: bool = False, events: bool = False) -> list[str]:
    """The customers table's columns, in output order."""
    metric_names = [m.name for m in (*METRICS, *(EVENT_METRICS if events else ()),
                                     *(CLV_METRICS if rules.clv else ()))]
    member_names = [a.name for a in MEMBER_ATTRIBUTES] if members else []
    return (["customer_id", *(g.name for g in rules.gradings), "tags", "segment", "lifecycle", "r_score", "f_score",
             "m_score", "rfm_score", *metric_names, *(m.name for m in rules.metrics), *member_names,
             *(g.name + "_why" for g in rules.gradings), *(t.name for t in rules.tags)])


def column_units(rules: Rules) -> dict[str, str]:
    """Output column -> unit (money, ratio, count, days, …) for number formats: metrics, scores, the helpers the
    rules use and member attributes; custom metrics keep the plain format of what they compute."""
    units: dict[str, str] = {m.name: m.unit for m in (*METRICS, *CLV_METRICS, *EVENT_METRICS)}
    units.update({"r_score": "count", "f_score": "count", "m_score": "count", "rfm_score": "count"})
    units.update({m.name: m.unit for m in rules.metrics if m.helper})
    units.update({"registered_days": "days", "age": "count", "birth_month": "count"})
    return units


def classify(con: Database, rules: Rules, lang: str = "en") -> list[str]:
    """Create `classified`: scored customers plus one column per grading, its why (in `lang`), tags and tag flags.
    Returns the output column order (member attributes when a members file was joined).
    A rule DuckDB can't evaluate on this data becomes a `RulesError` at that rule."""
    try:
        con.execute(f"CREATE TABLE classified AS {classified_sql(rules, lang)}")
    except duckdb.Error as error:
        for condition in rule_conditions(rules):
            failure = _failure(con, f"SELECT count(*) FROM scored WHERE {condition.sql}")
            if failure:
                raise RulesError([TiercliError(say("engine.cannot_evaluate", failure=failure), condition.location,
                                               slug="expression")]) from None
        raise error
    present = {row[0] for row in con.execute("DESCRIBE scored").fetchall()}
    return output_columns(rules, members="is_member" in present, events=EVENT_NAMES[0] in present)


def rule_conditions(rules: Rules) -> list[Condition]:
    """Every condition of the rules: each grading's levels in order and its keep_rule, then the tags."""
    found = [c for g in rules.gradings for c in (*(level.when for level in g.levels), g.keep_rule) if c is not None]
    return found + [t.when for t in rules.tags]


def summary(con: Database, rules: Rules) -> pd.DataFrame:
    """Per grading and level (in rules order, empty levels included): customers, share, revenue, AOV…"""
    rows = []
    shown = [k for k in LEVEL_DATA if any(k in lv.extra for g in rules.gradings for lv in g.levels)]
    for grading in rules.gradings:
        col = identifier(grading.name)
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
                "mean_orders": round(float(r[4]), 2) if r and r[4] is not None else None,
                "mean_recency_days": round(float(r[5]), 1) if r and r[5] is not None else None,
                **{key: level.extra.get(key) for key in shown},
            })
    import pandas as pd

    return pd.DataFrame(rows)
