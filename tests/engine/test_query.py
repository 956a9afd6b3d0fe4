"""`tiercli sql`: the whole classification as one query — the same parts a local run executes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import duckdb
import pytest
import sqlglot

import tiercli.engine.compute as compute
from tiercli.engine.query import MEMBERS_DDL, ORDERS_DDL, classification_sql, classify_orders, export_sql
from tiercli.errors import UsageError
from tiercli.rules.load import parse_rules
from tiercli.rules.model import Rules
from tiercli.sqltext import identifier

AS_OF = datetime(2024, 10, 31, 23, 59, 59)


def _orders() -> list[tuple[object, ...]]:
    rng = random.Random(7)
    rows = []
    n = 0
    for c in range(80):
        for _ in range(rng.choice([1, 1, 1, 2, 3, 5, 8])):
            n += 1
            amount = -30.0 if rng.random() < 0.05 else round(rng.uniform(1, 900), 2)
            rows.append((f"c{c:03d}", f"o{n}", datetime(2024, 1, 1) + timedelta(days=rng.randint(0, 300),
                                                                                hours=rng.randint(0, 23)),
                         amount, 0, rng.choice([0, 5]), rng.randint(1, 3), rng.choice("ABC"), None,
                         rng.choice(["美妆", "服饰", None]), "浙江", "app", "paid", "CNY"))
    return rows


ORDERS = _orders()


def database(members: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(ORDERS_DDL)
    con.executemany(f"INSERT INTO orders VALUES ({', '.join('?' * 14)})", ORDERS)
    if members:
        con.execute(MEMBERS_DDL)
        con.execute("INSERT INTO members VALUES ('c001', '2024-01-01', '1990-05-01', 'gold', NULL, NULL, NULL), "
                    "('m1', '2024-09-01', NULL, 'silver', NULL, NULL, NULL)")
    return con


def rules_for(rfm: str, members: bool) -> Rules:
    member_tag = '  - {name: gold, when: "member_level = \'gold\' or registered_days < 90"}\n' if members else ""
    return parse_rules(f"""
rfm: {rfm}
metrics:
  beauty: "sum(amount) filter (where category = '美妆')"
  recent_orders: "count(distinct order_id) filter (where days_ago <= 60)"
tiers:
  - {{name: 大客, when: "monetary >= 2000 or share(category, '美妆') > 0.6"}}
  - {{name: 复购, when: "frequency >= 2 and bought(product, 'A')"}}
  - {{name: 其他}}
tags:
  - {{name: 美妆, when: "beauty > 100"}}
  - {{name: 近期, when: "recent_orders >= 1 and segment <> 'Lost'"}}
{member_tag}""")


RFM_SETTINGS = [
    "{bins: 5}",
    "{bins: 4, ties: split}",
    "{segments: r-rfm}",
    "{segments: pymc}",
    "{bins: 3, method: thresholds, thresholds: {recency: [30, 90], frequency: [2, 3], monetary: [100, 1000]}}",
]


@pytest.mark.parametrize("members", [False, True], ids=["orders", "orders+members"])
@pytest.mark.parametrize("rfm", RFM_SETTINGS)
def test_the_exported_query_gives_exactly_what_the_local_steps_give(rfm: str, members: bool) -> None:
    rules = rules_for(rfm, members)
    local = database(members)
    columns = classify_orders(local, rules, AS_OF, members).columns
    select = ", ".join(f'"{c}"' for c in columns)
    expected = local.execute(f"SELECT {select} FROM classified ORDER BY monetary DESC, customer_id").fetchall()
    exported = database(members).execute(classification_sql(rules, AS_OF, members)).fetchall()
    assert exported == expected
    assert len(expected) == 80 + members  # m1 has no order and is there all the same
    tiers = {row[0]: row[1] for row in expected}
    assert set(tiers.values()) == {"大客", "复购", "其他"}


def test_without_as_of_the_query_takes_the_latest_order_time() -> None:
    rules = rules_for("{bins: 5}", False)
    latest = max(row[2] for row in ORDERS)
    assert isinstance(latest, datetime)
    assert (database(False).execute(classification_sql(rules)).fetchall()
            == database(False).execute(classification_sql(rules, latest)).fetchall())


def test_the_local_steps_execute_the_exported_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The metrics and classification SQL a local run executes appear verbatim in the exported query."""
    executed: list[str] = []
    for name in ("metric_parts", "classified_sql"):
        original = getattr(compute, name)

        def spy(*args: object, _original: object = original, **kwargs: object) -> object:
            made = _original(*args, **kwargs)  # type: ignore[operator]
            if isinstance(made, tuple):  # the metric steps and the final select
                executed.extend([*(sql for _, sql in made[0]), made[1]])
            else:
                executed.append(made)
            return made

        monkeypatch.setattr(compute, name, spy)
    rules = rules_for("{bins: 5}", True)
    classify_orders(database(True), rules, AS_OF, members=True)
    monkeypatch.undo()
    query = export_sql(rules, "duckdb", AS_OF, members=True).sql
    assert len(executed) >= 4  # per-order rows, the customer aggregate, …, the final select, the classification
    for text in executed:
        assert text in query


@pytest.mark.parametrize("dialect", ["spark", "bigquery", "snowflake", "postgres"])
def test_other_dialects_parse_back_with_sqlglot(dialect: str) -> None:
    rules = rules_for("{segments: pymc}", True)
    exported = export_sql(rules, dialect, members=True)
    statements = sqlglot.parse(exported.sql, read=dialect)
    assert len([s for s in statements if s is not None]) == 1
    assert "大客" in exported.sql and "beauty" in exported.sql


def test_member_attributes_without_members_are_refused_at_the_rule() -> None:
    with pytest.raises(UsageError) as raised:
        export_sql(rules_for("{bins: 5}", True), "duckdb")
    assert str(raised.value) == ("rules.yaml:13 tags[2] 'gold' → when: uses member_level, which comes from a members "
                                 "file: add --members FILE")


@pytest.mark.parametrize("members", [False, True], ids=["orders", "orders+members"])
def test_customers_built_in_passes_are_the_customers_built_at_once(members: bool,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Big runs build the customers a hash share at a time (PASS_LINES): the same rows as one pass."""
    rules = rules_for("{bins: 5}", members)
    once = database(members)
    columns = classify_orders(once, rules, AS_OF, members).columns
    select = f"SELECT {', '.join(identifier(c) for c in columns)} FROM classified ORDER BY customer_id"
    expected = once.execute(select).fetchall()
    monkeypatch.setattr(compute, "PASS_LINES", 37)
    assert len(ORDERS) > 4 * 37  # at least five passes
    passes = database(members)
    classify_orders(passes, rules, AS_OF, members)
    assert passes.execute(select).fetchall() == expected
    assert len(expected) == 80 + members
