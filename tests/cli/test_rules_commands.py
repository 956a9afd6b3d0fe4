"""validate --orders, explain, sql, metrics -r and --members, as a user runs them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest
import sqlglot

from conftest import invoke, write
from tiercli.engine.query import ORDERS_DDL

ORDERS = """
    customer_id,order_id,order_date,amount,category,product
    c1,1,2024-01-01,100,美妆,A
    c1,2,2024-02-01,3000,服饰,B
    c2,3,2024-02-02,50,美妆,A
    c3,4,2024-03-01,700,食品,C
    c3,5,2024-03-02,20,美妆,C
"""

RULES = """
    version: 1
    tiers:
      - {name: 重要客户, when: "monetary >= 5000"}
      - {name: 优质客户, when: "monetary >= 1000 and frequency >= 2"}
      - {name: 复购, when: "frequency >= 2"}
      - {name: 复购2, when: "frequency >= 2 and monetary > 10"}
      - {name: 基础客户}
    tags:
      - {name: 买过, when: "monetary > 0"}
      - {name: 偏爱美妆, when: "top_category = '美妆'"}
      - {name: 大单, when: "aov > 9999"}
"""

CUSTOM = """
    version: 1
    metrics:
      beauty: "coalesce(sum(amount) filter (where category = '美妆'), 0)"
    tiers:
      - {name: 美妆大客, when: "beauty >= 100 and share(category, '美妆') > 0.03"}
      - {name: 金卡, when: "member_level = 'gold'"}
      - {name: 其他}
    tags:
      - {name: 买过A, when: "bought(product, 'A')"}
"""


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    return write(tmp_path, "orders.csv", ORDERS)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return write(tmp_path, "rules.yaml", RULES)


def test_explain_shows_every_tier_comparison_by_comparison(orders: Path, rules: Path) -> None:
    code, out, err = invoke("explain", "c1", str(orders), "-r", str(rules), "--platform", "generic")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "customer c1 (as_of 2024-03-02 00:00:00)"
    assert "  monetary                 3,100.00" in lines
    start = lines.index("tier: 优质客户")
    assert lines[start:start + 15] == [
        "tier: 优质客户",
        "  1. 重要客户 — no",
        "      monetary >= 5000: 3,100.00 — no",
        "  2. 优质客户 — yes  ← matched",
        "      when: monetary >= 1000 and frequency >= 2",
        "      monetary >= 1000: 3,100.00 — yes",
        "      frequency >= 2: 2 — yes",
        "  3. 复购 — yes (not used: an earlier tier matched)",
        "      frequency >= 2: 2 — yes",
        "  4. 复购2 — yes (not used: an earlier tier matched)",
        "      when: frequency >= 2 and monetary > 10",
        "      frequency >= 2: 2 — yes",
        "      monetary > 10: 3,100.00 — yes",
        "  5. 基础客户 (default: everyone left) (not used: an earlier tier matched)",
        "tags: 买过",
    ]
    assert "      top_category = '美妆': '服饰' — no" in lines


def test_explain_an_unknown_customer_is_exit_2_with_the_closest_id(orders: Path, rules: Path) -> None:
    code, out, err = invoke("explain", "c11", str(orders), "-r", str(rules), "--platform", "generic")
    assert code == 2 and out == ""
    assert err.strip() == ("error: customer 'c11' is not in the data (did you mean 'c1'?); the ids are as in the "
                           "customer_id column of `tiercli classify`'s output: use one of those")


def test_validate_with_orders_warns_and_strict_makes_warnings_fail(orders: Path, rules: Path) -> None:
    code, out, err = invoke("validate", str(rules), "--orders", str(orders), "--platform", "generic")
    assert code == 0 and out == "", err
    lines = err.splitlines()
    assert [line for line in lines if " tiers[" in line or " tags[" in line] == [
        f"warning: {rules}:3 tiers[0] '重要客户' → when: matches nobody: no customer has monetary >= 5000 (the "
        "highest monetary is 3,100.00); lower the threshold or remove the tier",
        f"warning: {rules}:6 tiers[3] '复购2' → when: is shadowed: the 2 customers it matches all get an earlier tier "
        "('优质客户' 1, '复购' 1); move it up or narrow the tiers above it",
        f"warning: {rules}:9 tags[0] '买过' → when: matches every customer (3): a tag on everyone tells nobody "
        "apart; tighten the condition",
        f"warning: {rules}:11 tags[2] '大单' → when: matches nobody: no customer has aov > 9999 (the highest aov is "
        "1,550.00); lower the threshold or remove the tag",
    ]
    assert lines[-1] == f"{rules}: 5 warnings (tier: 5 levels; 3 tags; checked against 3 customers)"
    assert any(line.startswith(f"warning: {rules} rfm → segments: segments nobody can reach with this data: ")
               for line in lines)
    code, _, err = invoke("validate", str(rules), "--orders", str(orders), "--platform", "generic", "--strict")
    assert code == 1
    assert err.splitlines()[0].startswith("error: ")


def test_validate_without_data_warns_about_a_repeated_condition(tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", """
        tiers:
          - {name: a, when: "frequency >= 2"}
          - {name: b, when: "frequency >=2"}
          - {name: c}
    """)
    code, out, err = invoke("validate", str(rules))
    assert code == 0 and out == ""
    assert err.splitlines() == [
        f"warning: {rules}:3 tiers[1] 'b' → when: never matches: 'a' (line 2) has the same condition and comes "
        "first, so it takes everyone this tier would; change one condition or remove this tier",
        f"{rules}: 1 warning (tier: 3 levels; 0 tags)",
    ]
    assert invoke("validate", str(rules), "--strict")[0] == 1


def test_validate_reports_kind_errors_with_exit_2(tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", """
        tiers:
          - {name: a, when: "lower(monetary) = 'x'"}
          - {name: b, when: "top_category = 1"}
          - {name: c}
    """)
    code, _, err = invoke("validate", str(rules))
    assert code == 2
    assert err.splitlines() == [
        f"error: {rules}:2 tiers[0] 'a' → when: lower() needs text, but monetary is a number",
        f"error: {rules}:3 tiers[1] 'b' → when: can't compare top_category (text) with 1 (a number); text values "
        "take single quotes: '1'",
        f"2 problems in {rules}",
    ]


def _canonical_orders(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(ORDERS_DDL)
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        con.execute("INSERT INTO orders (customer_id, order_id, order_ts, amount, category, product) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [row["customer_id"], row["order_id"], row["order_date"],
                                                  row["amount"], row["category"], row["product"]])


def test_sql_duckdb_output_run_on_the_orders_gives_what_classify_gives(orders: Path, rules: Path) -> None:
    code, out, err = invoke("classify", str(orders), "-r", str(rules), "--platform", "generic", "-o", "-")
    assert code == 0, err
    rows_out = list(csv.DictReader(io.StringIO(out)))
    assert rows_out[0]["tier_why"] == "优质客户: monetary >= 1000 and frequency >= 2"
    assert rows_out[2]["tier_why"] == "基础客户: no rule above matched"
    classified = [(r["customer_id"], r["tier"], r["tags"], r["segment"], r["rfm_score"]) for r in rows_out]
    code, query, err = invoke("sql", "-r", str(rules))
    assert code == 0, err
    assert query.startswith("-- tiercli ") and "-- reads these tables (DuckDB types):" in query
    con = duckdb.connect()
    _canonical_orders(con, orders)
    result = con.execute(query)
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
    exported = [(r["customer_id"], r["tier"], r["tags"] or "", r["segment"], str(r["rfm_score"])) for r in rows]
    assert exported == classified
    assert [r[1] for r in exported] == ["优质客户", "复购", "基础客户"]


@pytest.mark.parametrize("dialect", ["spark", "postgres"])
def test_sql_for_another_dialect_parses_in_that_dialect(rules: Path, dialect: str) -> None:
    code, out, err = invoke("sql", "-r", str(rules), "--dialect", dialect)
    assert code == 0, err
    assert len([s for s in sqlglot.parse(out, read=dialect) if s is not None]) == 1


def test_sql_refuses_an_unknown_dialect(rules: Path) -> None:
    code, out, err = invoke("sql", "-r", str(rules), "--dialect", "postgresql")
    assert code == 2 and out == ""
    assert err.strip() == ("error: unknown dialect 'postgresql' (did you mean 'postgres'?); use one of duckdb, "
                           "spark, bigquery, snowflake, postgres")


def test_metrics_with_rules_lists_their_custom_metrics_and_helpers(tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", CUSTOM)
    code, out, _ = invoke("metrics", "-r", str(rules))
    assert code == 0
    tail = out[out.index(f"Custom metrics and helpers of {rules}:"):].splitlines()
    assert tail[1:4] == [
        "beauty (number)",
        f"    defined at {rules}:3 metrics → beauty",
        "    SQL: COALESCE(SUM(\"amount\") FILTER(WHERE \"category\" = '美妆'), 0)",
    ]
    assert "share(category, '美妆') (ratio)" in tail and "bought(product, 'A') (bool)" in tail
    code, out, _ = invoke("metrics", "-r", str(rules), "--lang", "zh")
    tail = out[out.index(f"{rules} 的自定义指标和函数："):].splitlines()
    assert tail[1:3] == ["beauty (数字)", f"    定义于 {rules}:3 metrics → beauty"]


def test_member_attributes_without_members_stop_before_reading_data(orders: Path, tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", CUSTOM)
    code, out, err = invoke("classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "x.csv"))
    assert code == 2 and out == ""
    assert err.strip() == (f"error: {rules}:6 tiers[1] '金卡' → when: uses member_level, which comes from a members "
                           "file: add --members FILE")


def test_a_members_file_without_an_id_column_is_exit_2(orders: Path, tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", CUSTOM)
    members = write(tmp_path, "members.csv", "姓名,等级\n张三,gold\n")
    code, _, err = invoke("classify", str(orders), "-r", str(rules), "--members", str(members), "--platform",
                          "generic", "-o", str(tmp_path / "x.csv"))
    assert code == 2
    assert err.strip() == (f"error: {members}: no column for the member id (looked for: customer_id, member_id, "
                           "customer, member, id, user_id, 会员ID, 客户ID, …). Columns found: '姓名', '等级'. Name "
                           "the id column customer_id (the same ids as in the orders)")


def test_classify_with_members_custom_metrics_and_helpers(orders: Path, tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", CUSTOM)
    members = write(tmp_path, "members.csv", "会员ID,会员等级,注册时间\nc1,gold,2024-01-01\nc2,gold,2024-02-01\n"
                                             "m9,silver,2024-02-20\n")
    code, out, err = invoke("classify", str(orders), "-r", str(rules), "--members", str(members), "--platform",
                            "generic", "-o", "-")
    assert code == 0, err
    rows = {r["customer_id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert {c: (r["tier"], r["tags"]) for c, r in rows.items()} == {
        "c1": ("美妆大客", "买过A"), "c2": ("金卡", "买过A"), "c3": ("其他", ""), "m9": ("其他", "")}
    assert (rows["m9"]["frequency"], rows["m9"]["monetary"], rows["m9"]["is_member"]) == ("0", "0.00", "True")
    assert (rows["c1"]["beauty"], rows["c1"]["share(category, '美妆')"]) == ("100.0000", "0.0323")
    assert rows["c1"]["tier_why"] == "美妆大客: beauty >= 100 and share(category, '美妆') > 0.03"


def test_explain_shows_custom_metrics_helpers_and_member_attributes(orders: Path, tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", CUSTOM)
    members = write(tmp_path, "members.csv", "id,level\nc2,gold\n")
    code, out, err = invoke("explain", "c2", str(orders), "-r", str(rules), "--members", str(members),
                            "--platform", "generic")
    assert code == 0, err
    lines = out.splitlines()
    assert "      beauty >= 100: 50.00 — no" in lines
    assert "      share(category, '美妆') > 0.03: 1 — yes" in lines
    assert "  2. 金卡 — yes  ← matched" in lines
    assert "      bought(product, 'A'): true — yes" in lines
