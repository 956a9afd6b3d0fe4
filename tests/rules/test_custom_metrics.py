"""Custom metrics and order-level helpers: the aggregate whitelist, helper lifting, kind checks, safe division."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from tiercli.engine.compute import build_customers
from tiercli.engine.query import ORDERS_DDL
from tiercli.errors import Location, RulesError
from tiercli.rules.expressions import check_expression, check_metric
from tiercli.rules.load import parse_rules
from tiercli.vocabulary.metrics import ORDER_COLUMNS, rule_names, rule_types

NAMES = rule_names()
TYPES = rule_types()
COLUMNS = {name: meaning for name, (_, meaning) in ORDER_COLUMNS.items()}
COLUMN_KINDS = {name: kind for name, (kind, _) in ORDER_COLUMNS.items()}
WHERE = Location(file="rules.yaml", line=3, path="metrics → m")

# Written out here rather than imported, so a change to the module's whitelist has to be made twice.
AGGREGATE_WHITELIST: frozenset[type[exp.Expr]] = frozenset({
    exp.And, exp.Or, exp.Not, exp.Paren,
    exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Case, exp.If,
    exp.Abs, exp.Ceil, exp.Floor, exp.Round, exp.Coalesce, exp.Least, exp.Greatest, exp.Nullif,
    exp.Lower, exp.Upper, exp.Length,
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null,
    exp.Sum, exp.Avg, exp.Median, exp.Stddev, exp.StddevSamp, exp.Quantile, exp.PercentileCont, exp.PercentileDisc,
    exp.Count, exp.CountIf, exp.Min, exp.Max, exp.Mode, exp.LogicalOr, exp.LogicalAnd,
    exp.Filter, exp.Where, exp.Distinct, exp.Star, exp.Cast, exp.DataType,
})


def metric_sql(text: str) -> str:
    metric, problems = check_metric("m", text, COLUMNS, COLUMN_KINDS, WHERE, NAMES)
    assert problems == [] and metric is not None
    return metric.sql


def metric_problems(text: str) -> list[str]:
    metric, problems = check_metric("m", text, COLUMNS, COLUMN_KINDS, WHERE, NAMES)
    assert metric is None
    return [str(p) for p in problems]


@pytest.mark.parametrize(("text", "sql"), [
    ("sum(amount) filter (where category = '美妆')", "SUM(\"amount\") FILTER(WHERE \"category\" = '美妆')"),
    ("count(distinct order_id) filter (where days_ago <= 30)",
     'COUNT(DISTINCT "order_id") FILTER(WHERE "days_ago" <= 30)'),
    ("count(*)", "COUNT(*)"),
    ("quantile_cont(amount, 0.9) - median(amount)", 'QUANTILE_CONT("amount", 0.9) - MEDIAN("amount")'),
    ("sum(amount) / count(distinct order_id)", 'SUM("amount") / NULLIF(COUNT(DISTINCT "order_id"), 0)'),
    ("spend(category, '美妆')", "COALESCE(SUM(\"amount\") FILTER(WHERE \"category\" IN ('美妆')), 0)"),
    ("max(order_ts)", 'MAX("order_ts")'),
])
def test_custom_metrics_compile_to_whitelisted_aggregates(text: str, sql: str) -> None:
    assert metric_sql(text) == sql


def test_a_custom_metric_knows_its_kind_and_the_columns_it_reads() -> None:
    metric, _ = check_metric("last_beauty", "max(order_ts) filter (where category = '美妆')", COLUMNS,
                             COLUMN_KINDS, WHERE)
    assert metric is not None
    assert (metric.kind, metric.reads, metric.location) == ("time", frozenset({"order_ts", "category"}), WHERE)


@pytest.mark.parametrize(("text", "message"), [
    ("amount", "rules.yaml:3 metrics → m: 'amount' must be inside an aggregate such as sum(amount) or "
               "count(DISTINCT amount): a metric is one value per customer"),
    ("sum(monetary)", "rules.yaml:3 metrics → m: 'monetary' is a customer metric; a custom metric aggregates order "
                      "columns (order_id, order_ts, amount, refund_amount, discount_amount, quantity, product, sku, "
                      "category, region, channel, status, currency, days_ago); combine customer metrics in the rule "
                      "itself"),
    ("sum(amount) over ()", "rules.yaml:3 metrics → m: window functions (OVER) are not allowed"),
    ("count(*) filter (where product in (select name from read_csv('x.csv')))",
     "rules.yaml:3 metrics → m: subqueries and SELECT are not allowed: a custom metric is one aggregate over a "
     "customer's order lines"),
    ("avg(category)", "rules.yaml:3 metrics → m: avg() needs a number, but category is text"),
])
def test_custom_metric_problems_name_the_metric(text: str, message: str) -> None:
    assert metric_problems(text) == [message]


def test_helpers_in_a_rule_become_customer_columns_named_after_the_call() -> None:
    checked = check_expression("share(category, '美妆') >= 0.5 and bought(SKU, 'A1', 'B2')", NAMES, types=TYPES)
    assert checked.problems == ()
    assert checked.sql == "\"share(category, '美妆')\" >= 0.5 AND \"bought(sku, 'A1', 'B2')\""
    assert {h.name: (h.sql, h.unit) for h in checked.helpers} == {
        "share(category, '美妆')": ("CASE WHEN COALESCE(SUM(\"amount\"), 0) = 0 THEN 0 ELSE COALESCE(SUM(\"amount\") "
                                   "FILTER(WHERE \"category\" IN ('美妆')), 0) / SUM(\"amount\") END", "ratio"),
        "bought(sku, 'A1', 'B2')": ("COUNT(*) FILTER(WHERE \"amount\" >= 0 AND \"sku\" IN ('A1', 'B2')) > 0", "bool"),
    }


@pytest.mark.parametrize(("text", "problem"), [
    ("lower(monetary) = 'x'", "lower() needs text, but monetary is a number"),
    ("top_category = 1", "can't compare top_category (text) with 1 (a number); text values take single quotes: '1'"),
    ("monetary >= '1000'", "can't compare monetary (a number) with '1000' (text); write the number without quotes: "
                           "1000"),
    ("first_order > 30", "can't compare first_order (a date/time) with 30 (a number); compare day counts such as "
                         "recency_days, or a date in quotes such as '2024-01-01'"),
    ("monetary % 0 > 1", "division by zero in 'monetary % 0'; divide by a number other than 0"),
    ("is_member = 1", "can't compare is_member (true/false) with 1 (a number)"),
])
def test_kinds_are_checked_before_anything_runs(text: str, problem: str) -> None:
    assert check_expression(text, NAMES, types=TYPES).problems == (problem,)


def test_without_kinds_nothing_is_kind_checked() -> None:
    assert check_expression("lower(monetary) = 'x'", NAMES).problems == ()


def test_a_divisor_that_is_zero_at_run_time_gives_empty_not_an_error() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE c AS SELECT * FROM (VALUES ('a', 100.0, 0), ('b', 100.0, 2)) AS t(id, monetary, "
                "frequency)")
    for text in ("monetary / frequency > 10", "monetary % frequency = 0", "monetary / (frequency - frequency) > 1"):
        checked = check_expression(text, NAMES, types=TYPES)
        assert checked.problems == ()
        rows = con.execute(f"SELECT id, {checked.sql} FROM c ORDER BY id").fetchall()
        assert rows[0] == ("a", None), text


# --- properties ---

METRIC_TOKENS = [
    "sum(", "count(", "avg(", "max(", "median(", "quantile_cont(", "mode(", "string_agg(", "read_csv(", "spend(",
    "amount", "order_id", "category", "days_ago", "monetary", "amout", "*", "distinct", "filter", "(", ")", "where",
    "over", "order", "by", ",", "=", ">", "<=", "and", "or", "not", "'美妆'", "0.5", "0", "30", "+", "/", "%",
    "select", "from", "orders", ";", "case", "when", "then", "else", "end", "null", "is",
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(METRIC_TOKENS), min_size=1, max_size=14))
def test_random_custom_metrics_never_escape_the_aggregate_whitelist(tokens: list[str]) -> None:
    text = " ".join(tokens)
    metric, problems = check_metric("m", text, COLUMNS, COLUMN_KINDS, WHERE, NAMES)
    assert (metric is None) == bool(problems)
    assert all(p.location == WHERE and p.message for p in problems)
    if metric is not None:
        for node in sqlglot.parse_one(metric.sql, read="duckdb").walk():
            assert type(node) in AGGREGATE_WHITELIST, f"{type(node).__name__} in {metric.sql}"
            if isinstance(node, exp.Column):
                assert node.name in COLUMNS and node.this.args.get("quoted") is True, metric.sql


AGGREGATES = st.sampled_from(["sum(amount)", "count(*)", "count(distinct order_id)", "avg(quantity)",
                              "max(amount)", "median(amount)", "quantile_cont(amount, 0.25)",
                              "spend(category, '美妆')", "count(*) filter (where days_ago <= 7)",
                              "sum(amount) filter (where category = '美妆' and amount > 0)"])


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.recursive(AGGREGATES, lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%"]), inner)
                    .map(" ".join), max_leaves=4))
def test_accepted_numeric_metrics_run_or_stop_at_the_metric(text: str) -> None:
    """Either the metric computes, or DuckDB's refusal (e.g. a decimal overflow) is a rules error at it."""
    rules = parse_rules(f'metrics:\n  m: "{text}"\ntiers:\n  - {{name: a, when: "m > 0"}}\n  - {{name: b}}\n')
    con = duckdb.connect()
    con.execute(ORDERS_DDL)
    con.execute("INSERT INTO orders (customer_id, order_id, order_ts, amount, quantity, category) VALUES "
                "('a', '1', '2024-01-01', 10, 1, '美妆'), ('a', '2', '2024-01-05', 0, 0, '服饰'), "
                "('b', '3', '2024-01-02', 5, 2, NULL)")
    try:
        build_customers(con, rules, datetime(2024, 1, 5))
    except RulesError as error:
        assert [str(p.location) for p in error.problems] == ["rules.yaml:2 metrics → m"]
        assert error.problems[0].message.startswith("can't be computed on this data: Out of Range Error: ")
        return
    rows = con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()
    assert rows == [("a",), ("b",)]
