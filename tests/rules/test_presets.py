"""Presets (`tiercli init --preset`, `preset:` with overrides), several gradings, upgrade-only levels and level
discounts, from the rules file through a whole run."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import REPO, classify, rows_by_customer, shared_file, write
from tiercli.cli.app import app
from tiercli.errors import Location
from tiercli.rules.load import parse_rules
from tiercli.rules.starter import presets, starter_text

README = (REPO / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


def readme_table(heading: str) -> list[tuple[str, str, str]]:
    """(level, when, discount / benefit) rows of the table under a README heading."""
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.split("\n| level |", 1)[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        level, when, shown = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((level, when.strip("`"), shown))
    return rows


@pytest.mark.parametrize("name", ["tmall-5", "taobao-vip", "rfm", "lifecycle", "us-value"])
def test_every_preset_loads_and_readme_documents_its_levels(name: str) -> None:
    rules = parse_rules(starter_text(name), source=name)
    assert rules.preset is None  # a preset file is a whole rules file
    grading = rules.gradings[0]
    documented = readme_table(f"#### `{name}`")
    assert documented == [
        (level.name, level.when.text if level.when else "everyone else",
         str(level.extra.get("discount") or level.extra.get("benefit") or ""))
        for level in grading.levels
    ]
    assert all("#" in line for line in starter_text(name).splitlines() if line.strip())  # commented throughout


def test_taobao_vip_is_an_upgrade_only_grading_with_discounts_as_zhe() -> None:
    rules = parse_rules(starter_text("taobao-vip"))
    (vip,) = rules.gradings
    assert (vip.name, vip.sticky) == ("会员等级", True)
    assert [(lv.name, lv.title) for lv in vip.levels] == [
        ("至尊VIP", "至尊VIP (8.5折)"), ("VIP会员", "VIP会员 (9折)"), ("高级会员", "高级会员 (9.5折)"),
        ("普通会员", "普通会员 (9.8折)"), ("店铺客户", "店铺客户")]


def test_a_file_on_a_preset_replaces_keys_merges_rfm_and_lifecycle_and_replaces_lists() -> None:
    text = """\
preset: tmall-5
rfm: {bins: 4}
lifecycle: {churn_days: 365}
tags:
  - {name: 流失, when: "lifecycle = 'churned'"}
"""
    rules = parse_rules(text, source="shop.yaml")
    assert rules.preset == "tmall-5"
    assert rules.name == "天猫五级客户分级"  # from the preset
    assert (rules.rfm.bins, rules.rfm.method, rules.rfm.segments) == (4, "quantile", "default")
    assert (rules.lifecycle.new_days, rules.lifecycle.churn_days) == (30, 365)
    assert [t.name for t in rules.tags] == ["流失"]  # the file's list, whole
    (tier,) = rules.gradings
    assert [lv.name for lv in tier.levels] == ["重要客户", "忠实客户", "优质客户", "普通客户", "基础客户"]
    when = tier.levels[0].when
    assert when is not None and when.location == Location("preset tmall-5", 23, "tiers[0] '重要客户' → when")
    assert rules.tags[0].location == Location("shop.yaml", 5, "tags[0] '流失'")

    own = parse_rules("preset: tmall-5\nname: 我的店\ntiers:\n  - {name: 大客户, when: 'monetary > 100'}\n"
                      "  - {name: 其他}\n")
    assert own.name == "我的店"
    assert [lv.name for lv in own.gradings[0].levels] == ["大客户", "其他"]
    assert [t.name for t in own.tags][:2] == ["高频购买者", "价格敏感型"]  # tags not given: the preset's


def test_init_writes_each_preset_and_validate_accepts_it(tmp_path: Path) -> None:
    for name in presets():
        target = tmp_path / f"{name}.yaml"
        result = runner.invoke(app, ["init", str(target), "--preset", name])
        assert result.exit_code == 0, result.output
        assert result.stderr.strip() == f"wrote {target} (preset {name}); check it with: tiercli validate {target}"
        assert target.read_text(encoding="utf-8") == starter_text(name)
        checked = runner.invoke(app, ["validate", str(target)])
        assert checked.exit_code == 0, checked.output
    result = runner.invoke(app, ["init", str(tmp_path / "x.yaml"), "--preset", "taobao"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: unknown preset 'taobao' (did you mean 'taobao-vip'?); give --preset one of: "
                                     "lifecycle, rfm, taobao-vip, tmall-5, us-value")
    assert not (tmp_path / "x.yaml").exists()


ORDERS = """
    customer_id,order_id,order_date,amount
    big,1,2024-01-05,6000
    big,2,2024-06-01,6500
    many,3,2024-05-01,20
    many,4,2024-05-02,20
    many,5,2024-05-03,20
    many,6,2024-05-04,20
    many,7,2024-05-05,20
    many,8,2024-05-06,20
    once,9,2024-06-30,80
"""


def test_several_gradings_each_get_a_column_a_why_and_a_summary_block(tmp_path: Path) -> None:
    rules = """
tiers:
  - {name: 高价值, when: "monetary >= 1000"}
  - {name: 其他}
gradings:
  - name: 会员等级
    sticky: true
    levels:
      - {name: VIP会员, when: "monetary >= 5000 or frequency >= 15", discount: 9, benefit: 包邮}
      - {name: 高级会员, when: "monetary >= 2000 or frequency >= 6", discount: 95折}
      - {name: 店铺客户}
"""
    result = classify(write(tmp_path, "o.csv", ORDERS), rules=rules)
    rows = rows_by_customer(result)
    assert result.gradings == ["tier", "会员等级"]
    assert [(c, rows[c]["tier"], rows[c]["会员等级"]) for c in ("big", "many", "once")] == [
        ("big", "高价值", "VIP会员"), ("many", "其他", "高级会员"), ("once", "其他", "店铺客户")]
    assert rows["big"]["会员等级_why"] == "VIP会员 (9折): monetary >= 5000 or frequency >= 15"
    assert rows["many"]["会员等级_why"] == "高级会员 (9.5折): monetary >= 2000 or frequency >= 6"
    assert rows["once"]["会员等级_why"] == "店铺客户: no rule above matched"
    assert rows["once"]["tier_why"] == "其他: no rule above matched"
    names = result.customers.column_names
    assert names.index("tier") < names.index("会员等级") < names.index("tags")
    assert names.index("tier_why") < names.index("会员等级_why")
    summary = result.summary
    assert summary[["grading", "level", "customers", "discount", "benefit"]].fillna("").values.tolist() == [
        ["tier", "高价值", 1, "", ""], ["tier", "其他", 2, "", ""],
        ["会员等级", "VIP会员", 1, "9折", "包邮"], ["会员等级", "高级会员", 1, "9.5折", ""],
        ["会员等级", "店铺客户", 1, "", ""]]


def test_the_workbook_shows_each_grading_and_the_lifecycle_column(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["classify", str(write(tmp_path, "o.csv", ORDERS)), "-r",
                                 str(write(tmp_path, "r.yaml", "preset: taobao-vip\n")), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "会员等级 (3 customers)" in result.stdout
    sheet = openpyxl.load_workbook(out, read_only=True)["Customers"]
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert (by_id["big"]["会员等级"], by_id["big"]["lifecycle"]) == ("至尊VIP", "active")
    assert by_id["many"]["会员等级_why"] == "高级会员 (9.5折): monetary >= 2000 or frequency >= 6"


def test_upgrade_only_and_scoring_choices_reach_the_run_sheet_and_notes(tmp_path: Path) -> None:
    result = classify(write(tmp_path, "o.csv", ORDERS), rules="preset: taobao-vip\nrfm: {ties: split}\n")
    run = dict(result.run)
    assert run["会员等级"] == "upgrade-only: no previous run given; levels come from this data alone"
    assert run["rfm ties"] == "split: equal values are ranked by customer_id, so they may get different scores"
    assert run["rules preset"] == "taobao-vip"
    assert any(n.startswith("会员等级 is upgrade-only (sticky: true)") for n in result.notes)


@pytest.mark.shared_data
def test_r_rfm_end_to_end_on_the_r_packages_example_orders() -> None:
    path = shared_file("r_rfm", "rfm_data_orders.csv")
    result = classify(path, rules="rfm: {segments: r-rfm}\ntiers: [{name: all}]\n",
                      as_of=datetime(2006, 12, 31, 23, 59, 59))
    rows = rows_by_customer(result)
    assert [rows[c]["rfm_score"] for c in ("Abbey O'Reilly", "Add Senger", "Agness O'Keefe", "Alannah Borer")] == [
        343, 412, 555, 121]
    assert [rows[c]["segment"] for c in ("Abbey O'Reilly", "Add Senger")] == ["Potential Loyalist", "New Customers"]
    assert result.thresholds[result.thresholds.score == 1].cut_points.tolist()[1] == "4, 5, 6, 8"


def test_readme_lists_every_preset() -> None:
    documented = re.findall(r"^#### `([\w-]+)`", README, flags=re.MULTILINE)
    assert sorted(documented) == sorted(presets())
