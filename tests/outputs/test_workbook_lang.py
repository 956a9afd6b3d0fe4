"""--lang zh: Chinese sheet names, headers, labels and chart titles, and such outputs read back as runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from test_writers import make_result

from conftest import classify, write
from tiercli.i18n import check_lang, default_lang
from tiercli.outputs.writers import write_result
from tiercli.rules.load import parse_rules
from tiercli.sources.previous import read_previous
from tiercli.vocabulary.headers import canonical_header, header
from tiercli.vocabulary.labels import label
from tiercli.vocabulary.metrics import ZH_NAMES

ORDERS = """
order_id,customer_id,paid_at,amount,status
o1,alice,2026-01-05 10:00:00,1200.00,paid
o2,alice,2026-02-05 10:00:00,300.00,paid
o3,bob,2026-02-10 10:00:00,80.00,paid
o4,carol,2026-02-20 10:00:00,45.50,paid
o5,carol,2026-02-25 10:00:00,,paid
"""

RULES = """
version: 1
name: test
tiers:
  - {name: 大客户, when: "monetary >= 1000"}
  - {name: 回头客, when: "frequency >= 2"}
  - {name: 普通}
tags:
  - {name: 近期活跃, when: "recency_days <= 30"}
"""


@pytest.fixture
def zh_book(tmp_path: Path) -> openpyxl.Workbook:
    result = classify(write(tmp_path, "orders.csv", ORDERS), rules=RULES)
    out = tmp_path / "out.xlsx"
    write_result(result, str(out), lang="zh")
    return openpyxl.load_workbook(out)


def test_sheet_names_are_chinese(zh_book: openpyxl.Workbook) -> None:
    assert zh_book.sheetnames == ["客户", "汇总", "标签", "RFM分群", "生命周期", "分段阈值", "排除行", "运行信息", "图表数据"]
    assert zh_book["图表数据"].sheet_state == "hidden"


def test_customer_headers_are_chinese_and_user_names_stay(zh_book: openpyxl.Workbook) -> None:
    header_row = [c.value for c in zh_book["客户"][1]]
    assert header_row[:5] == ["客户ID", "tier", "标签", "RFM分群", "生命周期"]
    assert {"消费金额", "购买次数", "最近购买天数", "客单价", "tier_依据", "近期活跃"} <= set(header_row)
    assert "monetary" not in header_row
    values = {row[0]: dict(zip(header_row, row, strict=True))
              for row in zh_book["客户"].iter_rows(min_row=2, values_only=True)}
    assert values["alice"]["消费金额"] == 1500 and values["alice"]["tier"] == "大客户"


def test_summary_labels_headers_and_chart_titles_are_chinese(zh_book: openpyxl.Workbook) -> None:
    ws = zh_book["汇总"]
    labels = [ws.cell(row=r, column=1).value for r in range(1, 8)]
    assert labels == ["核心指标", "客户总数", "消费金额合计（净额）", "订单总数", "复购率", "客单价", "近 90 天活跃客户数"]
    header_row = next(i for i in range(1, 20) if ws.cell(row=i, column=1).value == "分级")
    assert [c.value for c in ws[header_row]][:6] == ["分级", "等级", "客户数", "占比", "消费金额合计", "消费金额占比"]
    column, pie, pareto = ws._charts
    titles = [" ".join(run.t for p in chart.title.tx.rich.p for run in (p.r or [])) for chart in (column, pie, pareto)]
    assert titles == ["tier：客户数", "tier：消费金额占比", "帕累托曲线：按客户排名的消费金额"]
    categories = column.series[0].cat.strRef or column.series[0].cat.numRef
    assert categories.f == f"汇总!$B${header_row + 1}:$B${header_row + 3}"


def test_excluded_sheet_keeps_the_input_headers(zh_book: openpyxl.Workbook) -> None:
    assert [c.value for c in zh_book["排除行"][1]] == ["文件", "行号", "原因", "原因代码", "说明", "order_id",
                                                      "customer_id", "paid_at", "amount", "status"]


def test_csv_headers_follow_the_language_and_parquet_keeps_tiercli_names(tmp_path: Path) -> None:
    result = classify(write(tmp_path, "orders.csv", ORDERS), rules=RULES)
    write_result(result, str(tmp_path / "zh.csv"), lang="zh")
    write_result(result, str(tmp_path / "zh.parquet"), lang="zh")
    first_line = (tmp_path / "zh.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert first_line.startswith("客户ID,tier,标签,RFM分群,生命周期,")
    assert pq.read_schema(tmp_path / "zh.parquet").names[:3] == ["customer_id", "tier", "tags"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_chinese_output_reads_back_as_a_previous_run(tmp_path: Path, suffix: str) -> None:
    result = classify(write(tmp_path, "orders.csv", ORDERS), rules=RULES)
    out = tmp_path / f"march{suffix}"
    write_result(result, str(out), lang="zh")
    previous = read_previous(str(out), parse_rules(RULES))
    levels = dict(zip(previous.table.column("customer_id").to_pylist(), previous.table.column("tier").to_pylist(),
                      strict=True))
    assert levels == {"alice": "大客户", "bob": "普通", "carol": "普通"}


def test_headers_translate_and_read_back() -> None:
    gradings = ["vip"]
    for name in [*ZH_NAMES, "customer_id", "tags", "movement", "previous_vip", "movement_vip", "vip_why",
                 "vip_grace_until"]:
        zh = header(name, "zh", gradings)
        assert zh != name and canonical_header(zh) == name
    assert header("vip_why", "zh", gradings) == "vip_依据"
    assert header("monetary", "en", gradings) == "monetary"
    # names the user chose are theirs, even when they look like tiercli's
    assert header("share", "zh", gradings, own=["share"]) == "share"
    assert header("frequency", "zh", ["frequency"]) == "frequency"


def test_language_comes_from_the_locale() -> None:
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert default_lang({"LANGUAGE": "zh_TW:zh"}) == "zh"
    assert default_lang({}) == "en"
    assert check_lang("ZH") == "zh"
    with pytest.raises(Exception, match="--lang 'fr' is not a language tiercli speaks; use en or zh"):
        check_lang("fr")


def test_split_lists_take_chinese_column_names_and_write_chinese_headers(tmp_path: Path) -> None:
    from tiercli.outputs.split import write_split

    result = classify(write(tmp_path, "orders.csv", ORDERS), rules=RULES)
    (big, *_) = write_split(result, "tier", str(tmp_path / "lists"), ["消费金额", "frequency"], lang="zh")
    assert big.path.read_text(encoding="utf-8-sig").splitlines() == ["客户ID,消费金额,购买次数", "alice,1500.00,2"]


def test_excluded_rows_say_why_in_the_chosen_language(tmp_path: Path) -> None:
    import re

    from typer.testing import CliRunner

    from tiercli.cli.app import app

    first = tmp_path / "jan.csv"
    first.write_text("customer_id,order_id,order_date,amount,refund,status\n"
                     ",1,2024-01-01,5,0,paid\n"
                     "a,2,2024-13-01,5,0,paid\n"
                     "a,3,0001-01-01,5,0,paid\n"
                     "a,4,2024-01-02,abc,0,paid\n"
                     "a,5,2024-01-03,5,0,cancelled\n"
                     "a,6,2024-01-04,5,5,paid\n"
                     "a,7,2024-03-04,5,0,paid\n"
                     "a,8,2024-01-05,5,0,paid,extra\n"
                     "a,9,2024-01-06,5,0,paid\n"
                     "合计,,,40,,\n", encoding="utf-8")
    second = tmp_path / "feb.csv"
    second.write_text("customer_id,order_id,order_date,amount,refund,status\nb,9,2024-02-01,5,0,paid\n",
                      encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("input: {columns: {refund_amount: refund}}\ntiers: [{name: x}]\n", encoding="utf-8")
    han = re.compile(r"[\u4e00-\u9fff]")
    for lang in ("en", "zh"):
        out = tmp_path / f"{lang}.xlsx"
        result = CliRunner().invoke(app, ["classify", str(first), str(second), "-r", str(rules), "-o", str(out),
                                          "--as-of", "2024-02-28", "--lang", lang, "-q"])
        assert result.exit_code == 0, result.output
        book = openpyxl.load_workbook(out, read_only=True)
        rows = list(book["排除行" if lang == "zh" else "Excluded"].iter_rows(values_only=True))[1:]
        codes = {"missing_customer", "bad_date", "bad_amount", "cancelled", "refunded_in_full", "after_as_of",
                 "extra_cells", "summary_row", "duplicate_order"}
        message_at = 4 if lang == "zh" else 3  # in Chinese the reason's label, then its code (reason_code)
        reasons = {r[3] if lang == "zh" else r[2] for r in rows}
        assert reasons >= codes, reasons
        assert {r[2] for r in rows} >= {label("reason", code, lang) for code in codes}
        for row in rows:
            assert row[message_at], row
            assert bool(han.search(row[message_at].replace("合计", ""))) == (lang == "zh"), row


def test_the_movement_matrices_say_their_own_labels_in_chinese(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", ORDERS)
    previous = tmp_path / "march.xlsx"
    write_result(classify(orders, rules=RULES), str(previous), lang="zh")
    out = tmp_path / "april.xlsx"
    write_result(classify(orders, rules=RULES, previous=str(previous)), str(out), lang="zh")
    rows = [[c for c in row if c is not None] for row in openpyxl.load_workbook(out)["变动"].iter_rows(values_only=True)]
    start = rows.index(["tier：客户数，上期等级（行）× 本期等级（列）"])
    assert rows[start + 1] == ["上期 \\ 本期", "大客户", "回头客", "普通", "（不在本期数据中）", "合计"]
    assert [row[0] for row in rows[start + 2:start + 7]] == ["（新客户）", "大客户", "回头客", "普通", "合计"]
    assert rows[start + 6] == ["合计", 1, 0, 2, 0, 3]


def test_the_run_sheet_names_a_space_delimiter_in_chinese(tmp_path: Path) -> None:
    result = make_result()
    result.inputs[0] = replace(result.inputs[0], delimiter=" ")
    for lang, sheet, word in (("zh", "运行信息", "空格"), ("en", "Run", "space")):
        out = tmp_path / f"{lang}.xlsx"
        write_result(result, str(out), lang=lang)
        rows = [[c.value for c in row] for row in openpyxl.load_workbook(out)[sheet].iter_rows()]
        columns = next(row for row in rows if row[0] in ("name", "名称"))
        first_input = rows[rows.index(columns) + 1]
        assert first_input[columns.index("分隔符" if lang == "zh" else "delimiter")] == word
