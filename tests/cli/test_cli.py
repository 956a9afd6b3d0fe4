"""The command line as a user meets it: messages on stderr, exit codes, nothing half-written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, SIMPLE_RULES, invoke, write
from tiercli.cli.app import app


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    return write(tmp_path, "orders.csv", """
        customer_id,order_id,order_date,amount
        000123,1,2024-01-01,100
        000123,2,2024-02-01,1000
        "=HYPERLINK(""http://x"",""y"")",3,2024-02-02,5
        -5,4,2024-02-03,7
    """)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return write(tmp_path, "rules.yaml", SIMPLE_RULES)


def test_csv_to_stdout_is_the_only_thing_on_stdout_and_text_never_becomes_a_formula(
        orders: Path, rules: Path) -> None:
    code, out, err = invoke("classify", str(orders), "-r", str(rules), "-o", "-")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["customer_id"] for r in rows] == ["000123", "'-5", "'=HYPERLINK(\"http://x\",\"y\")"]
    assert rows[0]["tier"] == "big" and rows[0]["monetary"] == "1100.00"
    assert "rows: 4 read = 4 used + 0 excluded" in err


def test_default_output_is_a_workbook_named_after_the_input(orders: Path, rules: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("classify", str(orders), "-r", str(rules))
    assert code == 0, err
    assert (tmp_path / "orders.tiers.xlsx").exists()
    assert "wrote orders.tiers.xlsx" in out


@pytest.mark.parametrize(("make", "message"), [
    (lambda d: d / "missing.csv", "error: {path}: file not found; check the path"),
    (lambda d: write(d, "empty.csv", ""), "error: {path}: the file is empty"),
    (lambda d: _bytes(d / "fake.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200)),
     "error: {path}: can't be opened as a spreadsheet"),
    (lambda d: write(d, "cols.csv", "kunde,datum,betrag\nc1,2024-01-01,5\n"),
     "error: {path}: no column for the customer (who bought) (looked for: customer_id, customer, customerid, "
     "client_id, buyer, buyer_id, email, member_id). Columns found: 'kunde', 'datum', 'betrag'. Map it in "
     "the rules file: input: {{columns: {{customer: <column name>}}}}"),
    (lambda d: write(d, "near.csv", "customer_id,order_date,amuont\nc1,2024-01-01,5\n"),
     "error: {path}: no column for the amount paid (looked for: amount, revenue, total, sales, order_total, "
     "price_total, 金额, 实付金额). Columns found: 'customer_id', 'order_date', 'amuont'. Closest: 'amuont'. "
     "Map it in the rules file: input: {{columns: {{amount: <column name>}}}}"),
])
def test_bad_input_is_one_message_exit_2_and_no_output(tmp_path: Path, rules: Path, make, message: str) -> None:
    path = make(tmp_path)
    out = tmp_path / "out.xlsx"
    code, stdout, err = invoke("classify", str(path), "-r", str(rules), "-o", str(out))
    assert code == 2
    assert err.startswith(message.format(path=path)), err
    assert "Traceback" not in err and stdout == ""
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith("out")] == []


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("rules_text", "message"), [
    ("version: 1\ntiers:\n  - {name: a, when: \"frequncy >= 2\"}\n  - {name: b}\n",
     "error: {path}:3 tiers[0] 'a' → when: unknown name 'frequncy' (did you mean 'frequency'?)"),
    ("version: 1\ntierz: []\n", "error: {path}:2: unknown key 'tierz' (did you mean 'tiers'?)"),
    ("version: 1\ntiers:\n  - {name: a, when: \"read_csv('x') >= 2\"}\n  - {name: b}\n",
     "error: {path}:3 tiers[0] 'a' → when: function 'read_csv' is not allowed"),
    ("version: 1\ntiers:\n  - {name: a, when: \"monetary > (select 1)\"}\n  - {name: b}\n",
     "error: {path}:3 tiers[0] 'a' → when:"),
    ("version: 1\ntiers:\n  - {name: a, when: \"x >= 2\"\n",
     "error: {path}:4: YAML syntax error at line 4, column 1"),
])
def test_bad_rules_stop_before_reading_data(tmp_path: Path, orders: Path, rules_text: str, message: str) -> None:
    rules = write(tmp_path, "bad.yaml", rules_text)
    out = tmp_path / "out.xlsx"
    code, _, err = invoke("classify", str(orders), "-r", str(rules), "-o", str(out))
    assert code == 2
    assert err.startswith(message.format(path=rules)), err
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path: Path, rules: Path) -> None:
    code, _, err = invoke("--debug", "classify", str(tmp_path / "missing.csv"), "-r", str(rules))
    assert code == 2
    assert "Traceback" in err and "file not found" in err


def test_unknown_output_suffix_is_refused_before_any_work(orders: Path, rules: Path, tmp_path: Path) -> None:
    code, _, err = invoke("classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "x.docx"))
    assert code == 2
    assert ".docx" in err


def test_init_writes_the_example_rules_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8") == (REPO / "rules.example.yaml").read_text(encoding="utf-8")
    code, _, err = invoke("init", str(target))
    assert code == 2
    assert err.strip() == f"error: {target}: already exists; pick another path or add --force to overwrite it"


def test_validate_reports_every_problem_and_exits_2(tmp_path: Path) -> None:
    bad = write(tmp_path, "r.yaml", "version: 1\ntiers:\n  - {name: a, when: \"frequncy >= 2\"}\n"
                                    "  - {name: b}\ntierz: []\n")
    code, _, err = invoke("validate", str(bad))
    assert code == 2
    assert err.splitlines() == [
        f"error: {bad}:3 tiers[0] 'a' → when: unknown name 'frequncy' (did you mean 'frequency'?)",
        f"error: {bad}:5: unknown key 'tierz' (did you mean 'tiers'?)",
        f"2 problems in {bad}",
    ]
    code, out, _ = invoke("validate", str(REPO / "rules.example.yaml"))
    assert code == 0
    assert out.strip().endswith("OK (tier: 5 levels; 6 tags)")


def test_metrics_lists_every_name_a_rule_can_use() -> None:
    from tiercli.vocabulary.metrics import rule_names

    code, out, _ = invoke("metrics")
    assert code == 0
    for name in rule_names():
        assert name in out


def test_help_lists_the_commands() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("classify", "init", "validate", "metrics"):
        assert command in out


def test_inspect_reports_a_file_whose_rows_are_all_excluded(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("customer_id,order_date,amount,status\nc1,2024-01-01,5,unpaid\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "rows: 1 read = 0 used + 1 excluded" in result.stdout
    assert "excluded unpaid: 1 (the order was not paid)" in result.stdout
    assert result.stdout.rstrip().endswith("customers: 0")


def test_metrics_lang_zh_lists_the_chinese_names_rules_can_use() -> None:
    result = CliRunner().invoke(app, ["metrics", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("monetary / 消费金额 (金额) [order]")
    assert lines[at + 1:at + 3] == ["    净消费：全部订单的实付金额减去退款。", "    SQL: coalesce(sum(amount), 0)"]
    assert lines[0] == "标 [order] 的指标汇总客户的订单，每单一行，由订单行算出："
    assert "recency_days / 最近购买天数 (天) [order]" in lines
    assert "  order_ts (时间): 订单付款时间（没有则为创建时间）。" in lines
    assert "Metrics marked" not in result.stdout
    bad = CliRunner().invoke(app, ["metrics", "--lang", "fr"])
    assert (bad.exit_code, bad.stderr.strip()) == (2, "error: --lang 'fr' is not a language tiercli speaks; use en or zh")
