"""The words a run writes into its data follow the run's language: the why column, the overrides column and the
Thresholds sheet's texts; the Run sheet's facts about scoring carry their Chinese. English runs read as before."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from conftest import classify, rows_by_customer, write
from tiercli.engine.lint import static_findings
from tiercli.engine.wording import said_sql
from tiercli.messages import Said, in_lang, listed
from tiercli.outputs.writers import write_result
from tiercli.result import Result
from tiercli.rules.load import parse_rules
from tiercli.version import version

ORDERS = """
customer_id,order_date,amount
a,2024-01-01,1500
b,2024-01-02,50
b,2024-01-03,60
c,2024-01-04,20
"""

RULES = """
tiers:
  - {name: big, when: "monetary >= 1000"}
  - {name: repeat, when: "frequency >= 2"}
  - {name: it's base}
"""

VIP = """
tiers:
  - {name: hot, when: "monetary >= 1000"}
  - {name: cold}
gradings:
  - name: vip
    sticky: true
    levels:
      - {name: gold, when: "monetary >= 1000"}
      - {name: silver, when: "monetary >= 100"}
      - {name: member}
"""


def run_in(tmp_path: Path, lang: str, rules: str = RULES, rfm: str = "") -> Result:
    return classify(write(tmp_path, "orders.csv", ORDERS), rules=rules + rfm, lang=lang)


def run_facts(result: Result, lang: str) -> dict[str, str]:
    return {in_lang(key, lang): in_lang(value, lang) for key, value in result.run}


# --- the why column ----------------------------------------------------------------------------------------------


def test_the_why_column_is_chinese_in_a_chinese_run_with_the_users_names_as_written(tmp_path: Path) -> None:
    why = {c: r["tier_why"] for c, r in rows_by_customer(run_in(tmp_path, "zh")).items()}
    assert why == {"a": "big：monetary >= 1000", "b": "repeat：frequency >= 2", "c": "it's base：上面的规则都不符合"}


def test_the_why_column_of_an_english_run_is_unchanged(tmp_path: Path) -> None:
    why = {c: r["tier_why"] for c, r in rows_by_customer(run_in(tmp_path, "en")).items()}
    assert why == {"a": "big: monetary >= 1000", "b": "repeat: frequency >= 2", "c": "it's base: no rule above matched"}


def test_held_kept_and_overridden_levels_explain_themselves_in_chinese(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    header = "customer_id,order_id,amount,order_date\n"
    first = classify(write(tmp_path, "q1.csv", header + "a,1,2000,2024-01-01\nb,2,150,2024-01-01\n"), rules=VIP)
    write_result(first, str(tmp_path / "q1.xlsx"))
    write(tmp_path, "ov.csv", "customer,grading,level,reason,expires\nc,vip,silver,店长特批,2099-12-31\n")
    second = {lang: rows_by_customer(classify(
        write(tmp_path, "q2.csv", header + "a,11,50,2024-03-01\nc,12,10,2024-03-01\n"), rules=VIP, lang=lang,
        previous="q1.xlsx", overrides="ov.csv")) for lang in ("zh", "en")}
    assert {c: (r["vip_why"], r["overrides"]) for c, r in second["zh"].items()} == {
        "a": ("gold：保持上期等级（只升不降）；本期数据给出 member：上面的规则都不符合", None),
        "b": ("silver：沿用上期等级（不在本期数据中）", None),
        "c": ("silver：人工调整，店长特批（ov.csv 第 2 行，有效期至 2099-12-31）；若无人工调整：member：上面的规则都不符合",
              "ov.csv 第 2 行：vip → silver（店长特批，有效期至 2099-12-31）"),
    }
    assert {c: (r["vip_why"], r["overrides"]) for c, r in second["en"].items()} == {
        "a": ("gold: held (upgrade-only); this data gives member: no rule above matched", None),
        "b": ("silver: kept from the previous run (not in this data)", None),
        "c": ("silver: override, 店长特批 (ov.csv row 2, until 2099-12-31); without it: member: no rule above matched",
              "ov.csv row 2: vip → silver (店长特批, until 2099-12-31)"),
    }


# --- the Run sheet -----------------------------------------------------------------------------------------------


def test_the_run_facts_about_scoring_carry_their_chinese(tmp_path: Path) -> None:
    result = run_in(tmp_path, "zh")
    facts = run_facts(result, "zh")
    assert facts["RFM 打分"] == "5 档；分位数：按 1/5 的步长取第 7 类分位数，值大于切分点即越过它"
    assert facts["RFM 并列处理"] == "shared（共享）：相同的值总是得到相同的分数，因此有些得分档可能没有客户"
    assert facts["RFM 分群"] == "default：tiercli 的分群表，取第一个符合的行"
    assert facts["生命周期"] == ("potential（潜在）：没有订单；new（新客）：首次下单距今 ≤ 30 天；churned（流失）：最近一次下单"
                              "距今 ≥ 180 天；at_risk（有流失风险）：最近一次下单距今 ≥ 90 天；active（活跃）：其余客户")
    assert facts["截止时间来源"] == "数据中最晚的下单时间" and facts["日期写法"] == "ISO（年在前）"


def test_the_run_facts_of_an_english_run_are_unchanged(tmp_path: Path) -> None:
    facts = run_facts(run_in(tmp_path, "en", rfm="rfm: {bins: 4, ties: split}\n"), "en")
    assert facts["rfm scoring"] == "4 bins; quantile: customers ranked by value into 4 equal groups"
    assert facts["rfm ties"] == "split: equal values are ranked by customer_id, so they may get different scores"
    assert facts["rfm segments"] == ("default: tiercli's table, first match wins (scores read on a 1–5 scale: "
                                     "1 + round((score − 1) × 4 / 3))")
    assert facts["lifecycle"] == ("potential: no order; new: first order ≤ 30 days ago; churned: last order ≥ 180 "
                                  "days ago; at_risk: last order ≥ 90 days ago; active: the rest")
    assert facts["as_of from"] == "latest order time in the data"


def test_every_run_fact_in_tiercli_words_has_its_chinese(tmp_path: Path) -> None:
    """Each fact is a `Said`, or data: the rules file and its name, the version, a number, a time."""
    data = ("rules.yaml", "rules", version())
    for key, value in run_in(tmp_path, "zh", rfm="rfm: {segments: r-rfm}\n").run:
        assert isinstance(key, Said), key
        assert isinstance(value, Said) or value in data or re.fullmatch(r"[\d.:T -]*", value), value


# --- the Thresholds sheet ----------------------------------------------------------------------------------------


def test_the_thresholds_texts_are_written_in_the_runs_language(tmp_path: Path) -> None:
    zh, en = (run_in(tmp_path, lang, rfm="rfm: {bins: 3, ties: split}\n").thresholds for lang in ("zh", "en"))
    assert zh.method.iloc[0] == "分位数：客户按数值排名，分成 3 个人数相等的组"
    assert zh.ties.iloc[0] == "split（拆分）：相同的值按 customer_id 排名，因此可能得到不同的分数"
    assert en.method.iloc[0] == "quantile: customers ranked by value into 3 equal groups"
    assert en.ties.iloc[0] == "split: equal values are ranked by customer_id, so they may get different scores"
    recency = list(zip(en[en.dimension == "R"].range, zh[zh.dimension == "R"].range, strict=True))
    assert recency == [("ranked: 3 … 3", "排名：3 … 3"), ("ranked: 1 … 1", "排名：1 … 1"),
                       ("ranked: 0 … 0", "排名：0 … 0")]


def test_an_empty_score_range_says_so_in_chinese(tmp_path: Path) -> None:
    zh, en = (run_in(tmp_path, lang).thresholds for lang in ("zh", "en"))
    empty = en.range == "empty: no value lies between its cut points"
    assert empty.any()
    assert set(zh.range[empty]) == {"空：两个切分点之间没有值"}
    assert list(zh.range[~empty]) == list(en.range[~empty])  # cut points and names: no words to translate


def test_the_chinese_workbook_shows_the_scoring_texts_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_result(run_in(tmp_path, "zh"), str(out), lang="zh")
    book = openpyxl.load_workbook(out, read_only=True)
    run = {row[0]: row[1] for row in book["运行信息"].iter_rows(values_only=True) if row and row[0]}
    assert run["RFM 分群"] == "default：tiercli 的分群表，取第一个符合的行"
    assert run["RFM 并列处理"].startswith("shared（共享）：")
    rows = list(book["分段阈值"].iter_rows(values_only=True))
    header = list(rows[0])
    method, ties = header.index("方法"), header.index("并列处理")
    assert rows[1][method] == "分位数：按 1/5 的步长取第 7 类分位数，值大于切分点即越过它"
    assert rows[1][ties] == "shared（共享）：相同的值总是得到相同的分数，因此有些得分档可能没有客户"


# --- the words in SQL, and warnings ------------------------------------------------------------------------------


def test_said_sql_quotes_the_words_and_fills_sql_and_said_values(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    sql = said_sql("engine.why.held", "zh", title="'it''s'", because=Said("up", "只升"), why="upper('x')")
    assert con.execute(f"SELECT {sql}").fetchone() == ("it's：保持上期等级（只升）；本期数据给出 X",)
    sql = said_sql("engine.why.held", "en", title="NULL", because=Said("up", "只升"), why="'x'")
    assert con.execute(f"SELECT {sql}").fetchone() == (None,)


def test_lists_join_in_each_language() -> None:
    joined = listed([Said("one", "一"), "b"], "common.semicolon")
    assert (str(joined), joined.zh) == ("one; b", "一；b")


def test_a_validate_warning_carries_its_chinese() -> None:
    rules = parse_rules('tiers:\n  - {name: a, when: "frequency >= 2"}\n  - {name: b, when: "frequency >= 2"}\n'
                        '  - {name: c}\n')
    finding = static_findings(rules)[0]
    assert str(finding.message).startswith("never matches: 'a' (line 2) has the same condition")
    assert in_lang(finding.message, "zh") == ("永远不会匹配：'a'（第 2 行）的条件相同且排在前面，会先拿走这个等级的所有客户；"
                                              "请修改其中一个条件，或删除这个等级")
