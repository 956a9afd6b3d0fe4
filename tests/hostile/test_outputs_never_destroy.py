"""No output may replace an input or another output, and a run that fails replaces nothing.

Every output path is compared with every input (the same file by another name, through a link, or in another
case counts) and with every other output before anything is written: a clash is exit 2 naming both. Outputs are
staged beside their targets and put in place together at the end, so a failure while writing leaves every file
as it was, and no temporary file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tiercli.cli.app import app

runner = CliRunner()
ORDERS = "customer_id,order_id,order_date,amount\nc1,1,2024-01-01,150\nc2,2,2024-01-02,20\nc1,3,2024-02-01,30\n"
RULES = """
version: 1
tiers:
  - {name: 重要客户, when: "monetary >= 100"}
  - {name: 普通客户}
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orders.csv").write_text(ORDERS, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


@pytest.mark.parametrize(("args", "named"), [
    (["-o", "orders.csv"], ["the output 'orders.csv'", "the input 'orders.csv'"]),
    (["-o", "./sub/../orders.csv"], ["the output './sub/../orders.csv'", "the input 'orders.csv'"]),
    (["-o", "link.csv"], ["the output 'link.csv'", "the input 'orders.csv'"]),
    (["-o", "hard.csv"], ["the output 'hard.csv'", "the input 'orders.csv'"]),
    (["-o", "o.csv", "--export-format", "taobao-groups", "orders.csv"],
     ["the platform export 'orders.csv'", "the input 'orders.csv'"]),
    (["-o", "o.csv", "--export-format", "shopify-tags", "o.csv"],
     ["the platform export 'o.csv'", "the output 'o.csv'"]),
    (["-o", "o.csv", "--export-format", "shopify-tags", "O.CSV"],
     ["the platform export 'O.CSV'", "the output 'o.csv'"]),
    (["-o", "r.html", "--report", "r.html"], ["the report 'r.html'", "the output 'r.html'"]),
])
def test_an_output_that_would_replace_an_input_or_output_is_exit_2(here: Path, args: list[str],
                                                                   named: list[str]) -> None:
    os.symlink("orders.csv", here / "link.csv")
    os.link(here / "orders.csv", here / "hard.csv")
    before = snapshot(here)
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", *args)
    assert code == 2, err
    assert all(n in err for n in named), err
    assert snapshot(here) == before


@pytest.mark.parametrize("option", ["--members", "--previous", "--overrides"])
def test_no_output_replaces_any_input_file(here: Path, option: str) -> None:
    (here / "side.csv").write_text("customer,level\nc1,普通客户\n", encoding="utf-8")
    before = snapshot(here)
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", option, "side.csv", "-o", "side.csv")
    assert code == 2 and "'side.csv'" in err, err
    assert snapshot(here) == before


def test_the_rules_file_is_an_input_too(here: Path) -> None:
    before = snapshot(here)
    code, _err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "o.csv", "--export-format",
                       "taobao-groups", "rules.yaml")
    assert code == 2  # a .yaml is no export path; and were it one, it is the rules file
    assert snapshot(here) == before


def test_a_split_list_named_like_an_input_stops_the_run_before_anything_is_written(here: Path) -> None:
    (here / "lists").mkdir()
    (here / "lists" / "普通客户.csv").write_text(ORDERS, encoding="utf-8")
    (here / "o.xlsx").write_bytes(b"an older workbook")
    before = snapshot(here)
    code, err = invoke("classify", "lists/普通客户.csv", "-r", "rules.yaml", "-o", "o.xlsx", "--report", "o.html",
                       "--split-by", "tier", "lists")
    assert code == 2 and "write the lists to another folder" in err, err
    assert snapshot(here) == before  # the workbook, written before the lists, was not put in place


def test_a_failing_list_replaces_no_earlier_output(here: Path) -> None:
    (here / "o.xlsx").write_bytes(b"an older workbook")
    (here / "lists").mkdir()
    (here / "lists" / "重要客户.csv").mkdir()  # a folder where a list goes: that list can't be written
    before = snapshot(here)
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "o.xlsx", "--split-by", "tier", "lists")
    assert code == 2, err
    assert snapshot(here) == before
    assert not [p for p in here.rglob(".*.tmp")]


def test_outputs_are_put_in_place_together(here: Path) -> None:
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "o.xlsx", "--report", "o.html",
                       "--split-by", "tier", "lists", "--export-format", "taobao-groups", "groups.csv")
    assert code == 0, err
    assert sorted(snapshot(here)) == sorted(["orders.csv", "rules.yaml", "o.xlsx", "o.html", "groups.csv",
                                             "lists/重要客户.csv", "lists/普通客户.csv"])


def test_a_read_only_split_folder_is_exit_2(here: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write in a read-only folder")
    (here / "lists").mkdir(mode=0o555)
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "o.csv", "--split-by", "tier", "lists")
    assert code == 2 and "lists" in err, err
    assert not (here / "o.csv").exists()


def test_a_split_folder_that_cannot_be_made_is_exit_2(here: Path) -> None:
    (here / "lists").write_text("a file, not a folder", encoding="utf-8")
    before = snapshot(here)
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "o.csv", "--split-by", "tier", "lists/x")
    assert code == 2 and "lists/x" in err and "can't create the folder" in err, err
    assert snapshot(here) == before


def test_compare_and_diff_outputs_never_replace_their_inputs(here: Path) -> None:
    code, err = invoke("compare", "orders.csv", "--from", "2024-01-15", "--to", "2024-02-01", "-r", "rules.yaml",
                       "-o", "orders.csv")
    assert code == 2 and "the input 'orders.csv'" in err, err
    assert invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "a.xlsx")[0] == 0
    before = snapshot(here)
    code, err = invoke("diff", "a.xlsx", "a.xlsx", "-o", "a.xlsx")
    assert code == 2 and "the old run 'a.xlsx'" in err, err
    assert snapshot(here) == before


def test_a_level_name_too_long_for_a_file_name_still_gets_its_list(here: Path) -> None:
    long_name = "重" * 100  # 300 bytes in UTF-8: more than a file name may hold
    (here / "rules.yaml").write_text(RULES.replace("重要客户", long_name), encoding="utf-8")
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "o.csv", "--split-by", "tier", "lists")
    assert code == 0, err
    names = sorted(p.name for p in (here / "lists").iterdir())
    assert len(names) == 2 and all(len(n.encode()) <= 255 for n in names)
    assert any(n.startswith("重" * 60) for n in names)
