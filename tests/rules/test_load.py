"""Loading rules files: what a good file becomes, how files are read, and the packaged starter preset."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from tiercli.errors import InputError, Location, RulesError, UsageError
from tiercli.rules.load import check_rules, check_rules_file, load_rules, parse_rules
from tiercli.rules.model import Condition, Level, Rules
from tiercli.rules.starter import presets, starter_text
from tiercli.vocabulary.metrics import METRICS, SCORE_NAMES

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
version: 1
name: 测试规则
input:
  columns: {customer: 买家会员名, amount: 买家实际支付金额}
  dayfirst: true
  sheet: 订单
  platform: taobao
  statuses: {交易成功: paid_done, 交易关闭: cancelled}
rfm: {bins: 4}
tiers:
  - name: 重要客户
    when: monetary >= 5000
    benefit: 专属客户经理
    discount: 0.85
    description: 大客户
  - {name: 普通客户, when: "frequency >= 2", discount: 9折}
  - {name: 基础客户}
tags:
  - {name: 新客, when: "tenure_days <= 30", description: 首单在 30 天内}
gradings:
  - name: 会员等级
    description: 只升不降
    levels:
      - {name: 金卡, when: "m_score >= 4"}
      - {name: 普卡}
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def test_a_good_file_becomes_rules() -> None:
    rules = parse_rules(GOOD)
    assert rules.name == "测试规则"
    assert rules.version == 1
    assert (rules.source, rules.sha256) == ("rules.yaml", None)
    assert (rules.rfm.bins, rules.rfm.method, rules.rfm.segments) == (4, "quantile", "default")
    assert rules.input.columns == {"customer": "买家会员名", "amount": "买家实际支付金额"}
    assert (rules.input.dayfirst, rules.input.sheet, rules.input.platform) == (True, "订单", "taobao")
    assert rules.input.statuses == {"交易成功": "paid_done", "交易关闭": "cancelled"}
    assert [g.name for g in rules.gradings] == ["tier", "会员等级"]
    tier, vip = rules.gradings
    assert [level.name for level in tier.levels] == ["重要客户", "普通客户", "基础客户"]
    assert tier.levels[0].extra == {"benefit": "专属客户经理", "discount": "8.5折", "description": "大客户"}
    assert tier.levels[1].extra == {"discount": "9折"}
    assert tier.levels[2] == Level("基础客户", None, Location("rules.yaml", 17, "tiers[2] '基础客户'"), {})
    assert [level.name for level in vip.levels] == ["金卡", "普卡"]
    assert vip.location == Location("rules.yaml", 21, "gradings[0] '会员等级'")
    assert [(t.name, t.description) for t in rules.tags] == [("新客", "首单在 30 天内")]


def test_conditions_keep_their_text_sql_names_and_location() -> None:
    rules = parse_rules(GOOD, source="my.yaml")
    assert rules.gradings[0].levels[0].when == Condition(
        text="monetary >= 5000",
        sql='"monetary" >= 5000',
        names=frozenset({"monetary"}),
        location=Location("my.yaml", 12, "tiers[0] '重要客户' → when"),
    )
    vip_when = rules.gradings[1].levels[0].when
    assert vip_when is not None and vip_when.location == Location(
        "my.yaml", 24, "gradings[0] '会员等级' → levels[0] '金卡' → when"
    )
    assert rules.tags[0].when.sql == '"tenure_days" <= 30'


def test_defaults_when_optional_parts_are_left_out() -> None:
    rules = parse_rules("tiers:\n  - name: 所有人\n", source="dir/shop.yaml")
    assert rules.name == "shop"
    assert rules.tags == ()
    assert (rules.rfm.bins, rules.rfm.method, rules.rfm.segments) == (5, "quantile", "default")
    assert rules.input.columns == {} and rules.input.dayfirst is None


def test_empty_optional_sections_and_windows_line_ends_are_fine() -> None:
    text = "version: 1\r\ninput:\r\nrfm:\r\ntiers:\r\n  - {name: a, when: 'monetary > 1'}\r\n  - name: b\r\ntags:\r\n"
    rules = parse_rules(text)
    assert rules.tags == () and rules.rfm.bins == 5
    when = rules.gradings[0].levels[0].when
    assert when is not None and when.location == Location("rules.yaml", 5, "tiers[0] 'a' → when")


def test_names_are_kept_as_written_even_when_yaml_reads_them_as_numbers_or_booleans() -> None:
    rules = parse_rules("tiers:\n  - {name: 2024, when: 'frequency > 1'}\n  - {name: no}\n")
    assert [level.name for level in rules.gradings[0].levels] == ["2024", "no"]


def test_names_can_be_given_for_expressions() -> None:
    text = "tiers:\n  - {name: a, when: '会员积分 >= 100'}\n  - {name: b}\n"
    rules = parse_rules(text, names={"会员积分": "points"})
    when = rules.gradings[0].levels[0].when
    assert when is not None and when.sql == '"会员积分" >= 100'
    assert [str(p) for p in check_rules(text)] == [
        "rules.yaml:2 tiers[0] 'a' → when: unknown name '会员积分' (`tiercli metrics` lists every name; text "
        "values take single quotes)"
    ]


def test_parse_rules_raises_one_error_with_every_problem() -> None:
    text = "version: 2\ntiers:\n  - {name: a, when: 'frequncy > 1'}\n  - {name: b}\ntagz: []\n"
    with pytest.raises(RulesError) as caught:
        parse_rules(text, source="r.yaml")
    assert [p.slug for p in caught.value.problems] == ["bad_value", "expression", "unknown_key"]
    assert str(caught.value) == "\n".join([
        "r.yaml:1 version: must be 1 (the only rules format so far), found '2'",
        "r.yaml:3 tiers[0] 'a' → when: unknown name 'frequncy' (did you mean 'frequency'?)",
        "r.yaml:5: unknown key 'tagz' (did you mean 'tags'?)",
    ])
    assert caught.value.slug == "rules"


def test_check_rules_is_empty_for_a_good_file() -> None:
    assert check_rules(GOOD) == []


def test_load_rules_keeps_the_path_as_given_and_the_sha256_of_the_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "rules.yaml", GOOD)
    monkeypatch.chdir(tmp_path)
    rules = load_rules("rules.yaml")
    assert rules.source == "rules.yaml"
    assert rules.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rules.gradings[0].levels[0].location.file == "rules.yaml"
    assert load_rules(path).source == str(path)


def test_a_bom_is_skipped_but_counted_in_the_sha256(tmp_path: Path) -> None:
    data = "\ufeff".encode() + GOOD.encode()
    path = write(tmp_path, "bom.yaml", data)
    rules = load_rules(path)
    assert rules.name == "测试规则"
    assert rules.sha256 == hashlib.sha256(data).hexdigest()


def test_problems_of_a_loaded_file_name_the_path_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "tiers:\n  - {name: a, when: 'frequency >'}\n  - {name: b}\n")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path}:2 tiers[0] 'a' → when: syntax error: something is missing after '>' (at character 11)"
    )
    assert [str(p) for p in check_rules_file(path)] == [str(caught.value)]
    assert check_rules_file(write(tmp_path, "good.yaml", GOOD)) == []


def test_a_missing_rules_file_is_an_input_error_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    for read in (load_rules, check_rules_file):
        with pytest.raises(InputError) as caught:
            read(missing)
        assert str(caught.value) == f"{missing}: rules file not found; create one with `tiercli init`"
        assert caught.value.slug == "rules_not_found"


def test_a_folder_is_not_a_rules_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_rules(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a rules file; give the YAML file inside it"


def test_a_file_that_is_not_utf8_says_how_to_fix_it(tmp_path: Path) -> None:
    path = write(tmp_path, "gbk.yaml", "tiers:\n  - name: 基础客户\n".encode("gbk"))
    with pytest.raises(InputError) as caught:
        load_rules(path)
    assert str(caught.value) == (
        f"{path}: the rules file is not UTF-8 text (byte 18); save it as UTF-8 "
        "(Notepad: Save As → Encoding → UTF-8)"
    )


# --- the starter preset ---


def test_the_starter_is_the_example_file_byte_for_byte() -> None:
    assert presets() == ("lifecycle", "rfm", "taobao-vip", "tmall-5", "us-value")
    assert starter_text().encode("utf-8") == (REPO / "rules.example.yaml").read_bytes()
    assert starter_text("tmall-5") == starter_text()


def test_an_unknown_preset_names_the_available_ones() -> None:
    with pytest.raises(UsageError) as caught:
        starter_text("tmall5")
    assert str(caught.value) == "unknown preset 'tmall5' (did you mean 'tmall-5'?); give --preset one of: lifecycle, rfm, taobao-vip, tmall-5, us-value"


def test_every_line_of_the_starter_carries_a_comment() -> None:
    lines = [line for line in starter_text().splitlines() if line.strip()]
    assert lines and all("#" in line for line in lines)


def starter_rules() -> Rules:
    return parse_rules(starter_text(), source="rules.example.yaml")


def test_the_starter_has_the_five_tmall_tiers_and_the_tags() -> None:
    rules = starter_rules()
    assert rules.name == "天猫五级客户分级"
    assert (rules.rfm.bins, rules.rfm.method, rules.rfm.segments) == (5, "quantile", "default")
    (tier,) = rules.gradings
    assert [(level.name, level.when.text if level.when else None) for level in tier.levels] == [
        ("重要客户", "monetary >= 5000 or (monetary >= 2000 and frequency >= 5)"),
        ("忠实客户", "frequency >= 4 and tenure_days >= 180"),
        ("优质客户", "monetary >= 1000 and frequency >= 2"),
        ("普通客户", "frequency >= 2"),
        ("基础客户", None),
    ]
    assert all(level.extra.get("benefit") for level in tier.levels)
    assert [(tag.name, tag.when.text) for tag in rules.tags] == [
        ("高频购买者", "orders_90d >= 3"),
        ("价格敏感型", "discount_share >= 0.5"),
        ("偏爱美妆", "top_category = '美妆'"),
        ("沉睡高价值", "monetary >= 1000 and recency_days > 180"),
        ("新客", "tenure_days <= 30"),
        ("退款较多", "refund_rate >= 0.3"),
    ]


DUCKDB_TYPES = {"days": "BIGINT", "count": "BIGINT", "money": "DOUBLE", "ratio": "DOUBLE", "date": "TIMESTAMP",
                "text": "VARCHAR", "quantity": "DOUBLE"}


def customers_table() -> duckdb.DuckDBPyConnection:
    """Every rule name as a column of the type its metric has, with a few customers."""
    columns = [f'"{m.name}" {DUCKDB_TYPES[m.unit]}' for m in METRICS]
    columns += [f'"{name}" {"VARCHAR" if name == "segment" else "INTEGER"}' for name in SCORE_NAMES]
    con = duckdb.connect()
    con.execute(f"CREATE TABLE customers (id VARCHAR, {', '.join(columns)})")
    rows = [
        ("big_once", 6000, 1, 10), ("steady_big", 2500, 5, 400), ("loyal", 800, 4, 200),
        ("good", 1200, 2, 10), ("repeat", 300, 2, 90), ("once", 100, 1, 5),
    ]
    for name, monetary, frequency, tenure in rows:
        con.execute(
            'INSERT INTO customers (id, monetary, frequency, tenure_days, orders_90d, discount_share,'
            ' top_category, recency_days, refund_rate) VALUES (?, ?, ?, ?, 0, 0, ?, 0, 0)',
            [name, monetary, frequency, tenure, "美妆" if name == "good" else "食品"],
        )
    return con


def test_the_starter_conditions_run_in_duckdb_and_grade_as_intended() -> None:
    rules = starter_rules()
    con = customers_table()
    levels = rules.gradings[0].levels
    branches = " ".join(f"WHEN {lv.when.sql} THEN '{lv.name}'" for lv in levels if lv.when is not None)
    case = f"CASE {branches} ELSE '{levels[-1].name}' END"
    graded = dict(con.execute(f"SELECT id, {case} FROM customers").fetchall())
    assert graded == {
        "big_once": "重要客户", "steady_big": "重要客户", "loyal": "忠实客户",
        "good": "优质客户", "repeat": "普通客户", "once": "基础客户",
    }
    tagged = {tag.name: sorted(r[0] for r in con.execute(f"SELECT id FROM customers WHERE {tag.when.sql}")
                               .fetchall()) for tag in rules.tags}
    assert tagged["偏爱美妆"] == ["good"]
    assert tagged["新客"] == ["big_once", "good", "once"]
