"""validate, explain, inspect, sql and init speak the language of --lang: every word they print, errors included;
rule, level, tag and column names, file names and numbers stay as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_rules_commands import ORDERS

from conftest import invoke, write

RULES = """
    version: 1
    tiers:
      - {name: 重要客户, when: "monetary >= 5000"}
      - {name: 优质客户, when: "monetary >= 1000 and frequency >= 2"}
      - {name: 复购, when: "frequency >= 2"}
      - {name: 基础客户}
    tags:
      - {name: 买过, when: "monetary > 0"}
      - {name: 偏爱美妆, when: "top_category = '美妆'"}
"""

MEMBER_RULES = """
    version: 1
    tiers:
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


def _absent(words: tuple[str, ...], text: str) -> list[str]:
    return [word for word in words if word in text]


EXPLAIN_EN = ("customer ", "as_of", " — yes", " — no", "← matched", "not used", "default:", "when:", "tags:",
              "empty", " vs ", ": true")


def test_explain_in_chinese(orders: Path, rules: Path) -> None:
    code, out, err = invoke("explain", "c1", str(orders), "-r", str(rules), "--platform", "generic", "--lang", "zh")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "客户 c1（统计截止时间 2024-03-02 00:00:00）"
    assert "  monetary                 3,100.00" in lines
    start = lines.index("tier：优质客户")
    assert lines[start:start + 10] == [
        "tier：优质客户",
        "  1. 重要客户 — 否",
        "      monetary >= 5000：3,100.00 — 否",
        "  2. 优质客户 — 是  ← 命中",
        "      条件：monetary >= 1000 and frequency >= 2",
        "      monetary >= 1000：3,100.00 — 是",
        "      frequency >= 2：2 — 是",
        "  3. 复购 — 是（未采用：前面的等级已命中）",
        "      frequency >= 2：2 — 是",
        "  4. 基础客户（默认：其余所有客户）（未采用：前面的等级已命中）",
    ]
    assert lines[start + 10:] == [
        "标签：买过",
        "  - 买过 — 是",
        "      monetary > 0：3,100.00 — 是",
        "  - 偏爱美妆 — 否",
        "      top_category = '美妆'：'服饰' — 否",
    ]
    assert _absent(EXPLAIN_EN, out) == []


def test_explain_in_english_is_what_it_always_printed(orders: Path, rules: Path) -> None:
    args = ("explain", "c1", str(orders), "-r", str(rules), "--platform", "generic")
    code, out, err = invoke(*args, "--lang", "en")
    assert code == 0, err
    assert out == invoke(*args)[1]
    lines = out.splitlines()
    assert lines[0] == "customer c1 (as_of 2024-03-02 00:00:00)"
    start = lines.index("tier: 优质客户")
    assert lines[start:start + 11] == [
        "tier: 优质客户",
        "  1. 重要客户 — no",
        "      monetary >= 5000: 3,100.00 — no",
        "  2. 优质客户 — yes  ← matched",
        "      when: monetary >= 1000 and frequency >= 2",
        "      monetary >= 1000: 3,100.00 — yes",
        "      frequency >= 2: 2 — yes",
        "  3. 复购 — yes (not used: an earlier tier matched)",
        "      frequency >= 2: 2 — yes",
        "  4. 基础客户 (default: everyone left) (not used: an earlier tier matched)",
        "tags: 买过",
    ]
    assert "      top_category = '美妆': '服饰' — no" in lines


def test_explain_shows_empty_true_and_false_in_the_chosen_language(orders: Path, tmp_path: Path) -> None:
    rules = write(tmp_path, "r.yaml", MEMBER_RULES)
    members = write(tmp_path, "members.csv", "id,level\nc2,gold\n")
    args = ("explain", "c1", str(orders), "-r", str(rules), "--members", str(members), "--platform", "generic")
    code, out, err = invoke(*args, "--lang", "zh")
    assert code == 0, err
    lines = out.splitlines()
    assert "      member_level = 'gold'：空 — 为空，视为否" in lines
    assert "      bought(product, 'A')：真 — 是" in lines
    assert "  is_member                假" in lines
    code, out, err = invoke(*args, "--lang", "en")
    assert code == 0, err
    lines = out.splitlines()
    assert "      member_level = 'gold': empty — empty, so no" in lines
    assert "      bought(product, 'A'): true — yes" in lines
    assert "  is_member                false" in lines


def test_explain_errors_follow_lang(orders: Path, rules: Path) -> None:
    code, out, err = invoke("explain", "c11", str(orders), "-r", str(rules), "--platform", "generic", "--lang", "zh")
    assert (code, out) == (2, "")
    assert err.startswith("错误：数据中没有客户 'c11'（是否想写 'c1'？）"), err
    code, _, err = invoke("explain", "c11", str(orders), "-r", str(rules), "--platform", "generic", "--lang", "en")
    assert code == 2 and err.startswith("error: customer 'c11' is not in the data (did you mean 'c1'?)"), err


INSPECT_EN = ("platform:", "kind ", "encoding ", "delimiter ", "header row", "rows:", " read ", " used", "excluded",
              "missing-value", "statuses:", "columns:", "orders from", "dates read", "year first", "customers:",
              "not a number", "not paid", "of its headers", "next:")


@pytest.fixture
def statuses(tmp_path: Path) -> Path:
    return write(tmp_path, "o.csv", """
        customer_id,order_date,amount,status
        c1,2024-01-01,5,paid
        c1,2024-01-03,NA,paid
        c2,2024-01-02,7,unpaid
    """)


def test_inspect_in_chinese(statuses: Path) -> None:
    code, out, err = invoke("inspect", str(statuses), "--lang", "zh")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "o.csv"
    assert lines[1].startswith("  平台：generic")
    assert lines[2:] == [
        "  文件类型 csv，编码 UTF-8，分隔符 ','，表头在第 1 行",
        "  行数：读取 3 = 使用 1 + 排除 2",
        "  o.csv 中按空值读取的缺失标记（NA、NULL、#N/A 等）：'amount' 1 个",
        "  订单状态：paid 2 (已付款完成); unpaid 1 (未付款)",
        "列对应：customer ← customer_id; created_ts ← order_date; amount ← amount; status ← status",
        "排除 金额无效：1 行（金额不是数字）",
        "排除 未付款：1 行（订单未付款）",
        "订单时间从 2024-01-01 00:00 到 2024-01-01 00:00（日期写法：ISO（年在前））",
        "客户数：1",
    ]
    assert _absent(INSPECT_EN, out) == []


def test_inspect_in_english_is_what_it_always_printed(statuses: Path) -> None:
    code, out, err = invoke("inspect", str(statuses), "--lang", "en")
    assert code == 0, err
    assert out == invoke("inspect", str(statuses))[1]
    lines = out.splitlines()
    assert lines[1].startswith("  platform: generic")
    assert lines[2:] == [
        "  kind csv, encoding UTF-8, delimiter ',', header row 1",
        "  rows: 3 read = 1 used + 2 excluded",
        "  missing-value markers (NA, NULL, #N/A, …) read as empty in o.csv: 'amount' 1",
        "  statuses: paid 2 (paid_done); unpaid 1 (unpaid)",
        "columns: customer ← customer_id; created_ts ← order_date; amount ← amount; status ← status",
        "excluded bad_amount: 1 (the amount is not a number)",
        "excluded unpaid: 1 (the order was not paid)",
        "orders from 2024-01-01 00:00 to 2024-01-01 00:00 (dates read ISO (year first))",
        "customers: 1",
    ]


def test_inspect_errors_follow_lang(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    assert invoke("inspect", str(missing), "--lang", "zh")[2] == f"错误：{missing}：找不到文件；请检查路径\n"
    assert invoke("inspect", str(missing), "--lang", "en")[2] == f"error: {missing}: file not found; check the path\n"


VALIDATE_EN = ("error:", "warning:", "problem", " OK ", "levels", " tags)", " tags;", "checked against", "customers",
               "matches", "nobody", "shadowed", "remove the")


def test_validate_in_chinese(orders: Path, rules: Path, tmp_path: Path) -> None:
    code, out, err = invoke("validate", str(rules), "--lang", "zh")
    assert (code, err) == (0, "")
    assert out == f"{rules}：通过（tier：4 个等级；2 个标签）\n"
    said = [out]
    code, out, err = invoke("validate", str(rules), "--orders", str(orders), "--platform", "generic", "--lang", "zh")
    assert code == 0 and out == "", err
    assert err.splitlines()[-1] == f"{rules}：3 条警告（tier：4 个等级；2 个标签；已对照 3 位客户检查）"
    assert all(line.startswith(f"警告：{rules}") for line in err.splitlines()[:-1])
    said.append(err)

    bad = write(tmp_path, "bad.yaml", "version: 1\ntiers:\n  - {name: a, when: \"frequncy >= 2\"}\n"
                                      "  - {name: b}\ntierz: []\n")
    code, _, err = invoke("validate", str(bad), "--lang", "zh")
    assert code == 2
    assert err.splitlines() == [
        f"错误：{bad}:3 tiers[0] 'a' → when：未知的名称 'frequncy'（是否想写 'frequency'？）",
        f"错误：{bad}:5：未知的键 'tierz'（是否想写 'tiers'？）",
        f"{bad} 中有 2 个问题",
    ]
    said.append(err)
    repeated = write(tmp_path, "r.yaml", """
        tiers:
          - {name: a, when: "frequency >= 2"}
          - {name: b, when: "frequency >=2"}
          - {name: c}
    """)
    code, out, err = invoke("validate", str(repeated), "--lang", "zh", "--strict")
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[0].startswith(f"错误：{repeated}:3 tiers[1] 'b' → when：")
    assert lines[1] == f"{repeated}：1 条警告（tier：3 个等级；0 个标签）"
    said.append(err)
    code, _, err = invoke("validate", str(tmp_path / "none.yaml"), "--lang", "zh")
    assert code == 2 and err.startswith(f"错误：{tmp_path / 'none.yaml'}：")
    said.append(err)
    assert _absent(VALIDATE_EN, "\n".join(said)) == []


def test_validate_in_english_is_what_it_always_printed(orders: Path, rules: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("validate", str(rules), "--lang", "en")
    assert (code, out) == (0, f"{rules}: OK (tier: 4 levels; 2 tags)\n")
    code, out, err = invoke("validate", str(rules), "--orders", str(orders), "--platform", "generic", "--lang", "en")
    assert code == 0 and out == "", err
    assert err.splitlines()[-1] == f"{rules}: 3 warnings (tier: 4 levels; 2 tags; checked against 3 customers)"
    bad = write(tmp_path, "bad.yaml", "version: 1\ntiers:\n  - {name: a, when: \"frequncy >= 2\"}\n  - {name: b}\n")
    code, _, err = invoke("validate", str(bad), "--lang", "en")
    assert (code, err.splitlines()) == (2, [
        f"error: {bad}:3 tiers[0] 'a' → when: unknown name 'frequncy' (did you mean 'frequency'?)",
        f"1 problem in {bad}",
    ])


def test_sql_comments_and_errors_follow_lang(rules: Path) -> None:
    code, out, err = invoke("sql", "-r", str(rules), "--lang", "zh")
    assert code == 0, err
    assert out.splitlines()[1] == "-- 读取以下表（DuckDB 类型）："
    assert out.startswith("-- tiercli ") and f"：规则 {rules}" in out.splitlines()[0]
    assert "reads these tables" not in out
    code, out, err = invoke("sql", "-r", str(rules), "--dialect", "postgresql", "--lang", "zh")
    assert (code, out, err) == (2, "", "错误：未知的 SQL 方言 'postgresql'（是否想写 'postgres'？）；请用 duckdb、spark、"
                                        "bigquery、snowflake、postgres 之一\n")
    assert invoke("sql", "-r", str(rules), "--lang", "en")[1].splitlines()[1] == "-- reads these tables (DuckDB types):"


def test_init_says_what_it_wrote_in_the_chosen_language(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(target), "--lang", "zh")
    assert (code, err) == (0, f"已写入 {target}（预设 tmall-5）；可用以下命令检查：tiercli validate {target}\n")
    code, _, err = invoke("init", str(target), "--lang", "zh")
    assert (code, err) == (2, f"错误：{target}：文件已存在；请换一个路径，或加上 --force 覆盖它\n")
    code, _, err = invoke("init", str(target), "--force", "--lang", "en")
    assert (code, err) == (0, f"wrote {target} (preset tmall-5); check it with: tiercli validate {target}\n")


@pytest.mark.parametrize("command", ["validate", "explain", "inspect", "init", "sql"])
def test_every_command_that_prints_words_takes_lang(command: str) -> None:
    code, out, _ = invoke(command, "--help")
    assert code == 0 and "--lang" in out
