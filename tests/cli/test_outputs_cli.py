"""classify's extra outputs: --report (HTML) and --export-format (a platform's re-import file)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import invoke, project
from tiercli.cli.app import app

runner = CliRunner()

RULES = """
version: 1
tiers:
  - {name: big, when: "monetary >= 1000"}
  - {name: base}
tags:
  - {name: repeaters, when: "frequency >= 2"}
"""

ORDERS = """
    customer_id,order_id,order_date,amount,status
    13800138000,1,2024-01-05,1500,paid
    13800138000,2,2024-02-05,100,paid
    13900139000,3,2024-01-10,300,paid
    guest-7,4,2024-03-10,200,paid
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return project(tmp_path, monkeypatch, RULES, ORDERS)


def test_report_and_export_are_written_and_listed(here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "c.xlsx", "--report", "r.html",
                            "--export-format", "youzan-tags", "youzan.csv")
    assert code == 0, err
    page = (here / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "13900139000" not in page  # a report, not a customer list
    assert (here / "youzan.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "手机号,tier,标签", "13800138000,big,repeaters", "13900139000,base,"]
    assert "wrote r.html (HTML report)" in out
    assert "wrote youzan.csv (youzan-tags re-import file, 2 customers)" in out
    assert err == ("warning: 1 customer was left out: Youzan finds customers by mainland mobile number (11 digits, "
                   "starting with 1), and this id is not one: 'guest-7'.\n")


def test_export_warnings_show_even_when_quiet(here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "c.csv", "-q",
                            "--export-format", "youzan-tags", "youzan.csv")
    assert (code, out) == (0, "")
    assert err.startswith("warning: 1 customer was left out: Youzan finds customers")


def test_the_chinese_report_and_workbook(here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "c.xlsx", "--report", "r.html",
                            "--lang", "zh")
    assert code == 0, err
    assert '<html lang="zh-CN">' in (here / "r.html").read_text(encoding="utf-8")
    assert "已写入 r.html（HTML 报告）" in out


@pytest.mark.parametrize(("option", "message"), [
    (["--report", "r.pdf"], "r.pdf: the report is an HTML page; give a path ending in .html"),
    (["--report", "no/r.html"], "no/r.html: the report's directory 'no' does not exist; give --report a path in "
     "an existing folder"),
    (["--export-format", "shopify", "s.csv"],
     "--export-format must be shopify-tags, youzan-tags or taobao-groups, not 'shopify' (did you mean "
     "'shopify-tags'?)"),
    (["--export-format", "taobao-groups", "g.xlsx"],
     "g.xlsx: the platform export is a CSV file; give a path ending in .csv"),
])
def test_bad_extra_outputs_stop_before_the_run(here: Path, option: list[str], message: str) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "c.xlsx", *option)
    assert (code, out) == (2, "")
    assert err == f"error: {message}\n"
    assert not (here / "c.xlsx").exists()


def test_errors_are_in_the_chosen_language(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--report", "r.pdf", "--lang", "zh")
    assert (code, out, err) == (2, "", "错误：r.pdf：报告是 HTML 网页；请给出以 .html 结尾的路径\n")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, out, err = invoke("init", "rules.yaml")  # a command without --lang follows the locale
    assert (code, err) == (2, "错误：rules.yaml：文件已存在；请换一个路径，或加上 --force 覆盖它\n")
    code, out, err = invoke("classify", "orders.csv", "--lang", "fr")  # a bad --lang: the locale's language
    assert (code, err) == (2, "错误：--lang 'fr' 不是 tiercli 支持的语言；请用 en 或 zh\n")


STICKY_LONG_GROUP = """
version: 1
gradings:
  - name: member
    sticky: true
    levels:
      - {name: VIP, when: "monetary >= 1000"}
      - {name: 店铺客户}
tags:
  - {name: 这是一个名字很长很长的淘宝客户分组名称, when: "frequency >= 2"}
"""

STICKY_NOTE_ZH = "member 只升不降（sticky: true），但没有给出上期结果（--previous）：这里的等级只依据本次数据"
LONG_GROUP_ZH = ("淘宝分组名称最多 15 个字；这些更长：'这是一个名字很长很长的淘宝客户分组名称' (19)。请在创建分组前于"
                 "规则中改短。")


def test_notes_and_warnings_are_in_the_chosen_language(here: Path) -> None:
    (here / "sticky.yaml").write_text(STICKY_LONG_GROUP, encoding="utf-8")
    code, out, err = invoke("classify", "orders.csv", "-r", "sticky.yaml", "-o", "c.xlsx", "--report", "r.html",
                            "--export-format", "taobao-groups", "g.csv", "--lang", "zh")
    assert code == 0, err
    assert f"说明：{STICKY_NOTE_ZH}".replace(" ", "") in "".join(out.split())  # rich wraps long lines
    assert err == f"警告：{LONG_GROUP_ZH}\n"
    assert f"<li>{STICKY_NOTE_ZH}</li>" in (here / "r.html").read_text(encoding="utf-8")
    summary = openpyxl.load_workbook(here / "c.xlsx")["汇总"]
    cells = [row[0].value for row in summary.iter_rows()]
    assert "说明" in cells and STICKY_NOTE_ZH in cells[cells.index("说明"):]

    code, out, err = invoke("classify", "orders.csv", "-r", "sticky.yaml", "-o", "c.xlsx",
                            "--export-format", "taobao-groups", "g.csv")
    assert code == 0, err
    assert ("note: member is upgrade-only (sticky: true), but no previous run was given (--previous): levels here "
            "come from this data alone") in " ".join(out.split())
    assert err.startswith("warning: Taobao group names can be at most 15 characters; these are longer: ")


def test_a_workbook_split_over_sheets_is_said_in_the_terminal_and_the_report(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tiercli.outputs.workbook import columns

    project(tmp_path, monkeypatch, RULES, ORDERS)
    monkeypatch.setattr(columns, "EXCEL_MAX_ROWS", 3)  # two customers a sheet
    result = runner.invoke(app, ["classify", "orders.csv", "-r", "rules.yaml", "-o", "out.xlsx",
                                 "--report", "report.html"])
    assert result.exit_code == 0, result.output
    note = "customers are more than one Excel sheet holds (2 rows below the header), so they are on 2 sheets"
    assert note in result.output
    assert note in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames[:2] == ["Customers", "Customers (2)"]
