"""Rule cases, one per file in tests/rule_cases.

A case holds a `rules:` text and one of:
- `expect_error:` the exact message loading the rules gives (every problem, in line order);
- `expect_ok: true`: the rules load without a problem;
- `orders:` canonical order lines as CSV (customer_id, order_id, order_ts, amount, and any other column of the
  `orders` table), optionally `members:` (a canonical members table as CSV) and `as_of:`, then `expect:` — per
  customer, the level of each grading (`tier: 重要客户`) and the tags in order (`tags: [a, b]`) — or `expect_error:`
  the exact message running the rules on those orders gives.
Orders cases run the classification's engine steps (customers → scored → classified) on a fresh DuckDB holding
exactly those tables: what a local run does after reading and cleaning the files.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from tiercli.engine.compute import TAG_SEPARATOR
from tiercli.engine.query import MEMBERS_DDL, ORDERS_DDL, classify_orders
from tiercli.errors import RulesError, TiercliError
from tiercli.rules.load import check_rules, parse_rules
from tiercli.rules.model import Rules

CASES = sorted((Path(__file__).parent.parent / "rule_cases").glob("*.yml"))


def read_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict) and isinstance(case.get("rules"), str), f"{path.name}: needs a `rules:` text"
    outcomes = [k for k in ("expect_error", "expect_ok", "expect") if k in case]
    assert len(outcomes) == 1, f"{path.name}: one of expect_error, expect_ok, expect"
    assert ("expect" in case) <= ("orders" in case), f"{path.name}: `expect` needs `orders`"
    return case


def _insert(con: duckdb.DuckDBPyConnection, table: str, text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, f"no rows for {table}"
    columns = list(rows[0])
    marks = ", ".join("?" for _ in columns)
    con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [[row[c] if row[c] != "" else None for c in columns] for row in rows])


def run_case(case: dict[str, Any], rules: Rules) -> dict[str, dict[str, Any]]:
    """Each customer's levels (by grading name) and tags, from running `rules` on the case's tables."""
    con = duckdb.connect()
    con.execute(ORDERS_DDL)
    _insert(con, "orders", case["orders"])
    members = "members" in case
    if members:
        con.execute(MEMBERS_DDL)
        _insert(con, "members", case["members"])
    as_of = case.get("as_of")
    if as_of is None:
        row = con.execute("SELECT max(order_ts) FROM orders").fetchone()
        assert row is not None
        as_of = row[0]
    elif not isinstance(as_of, datetime):
        as_of = datetime.fromisoformat(str(as_of))
    classify_orders(con, rules, as_of, members)
    gradings = [g.name for g in rules.gradings]
    selects = ", ".join(['"customer_id"', "tags", *(f'"{g}"' for g in gradings)])
    got = {}
    for customer, tags, *levels in con.execute(f"SELECT {selects} FROM classified ORDER BY customer_id").fetchall():
        got[customer] = {**dict(zip(gradings, levels, strict=True)),
                         "tags": tags.split(TAG_SEPARATOR) if tags else []}
    return got


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rule_case(path: Path) -> None:
    case = read_case(path)
    if "orders" in case:
        rules = parse_rules(case["rules"])
        if "expect_error" in case:
            with pytest.raises(TiercliError) as raised:
                run_case(case, rules)
            assert str(raised.value) == case["expect_error"]
            return
        got = run_case(case, rules)
        expected = {str(k): {"tags": [], **v} for k, v in case["expect"].items()}
        assert {k: got.get(k) for k in expected} == expected
        return
    if case.get("expect_ok"):
        assert check_rules(case["rules"]) == []
        parse_rules(case["rules"])
        return
    with pytest.raises(RulesError) as caught:
        parse_rules(case["rules"])
    assert str(caught.value) == case["expect_error"]
    assert "\n".join(str(p) for p in check_rules(case["rules"])) == case["expect_error"]
