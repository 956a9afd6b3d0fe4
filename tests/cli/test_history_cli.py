"""Runs over time at the command line: --previous, --overrides, --strict, compare and diff."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from conftest import invoke, write

RULES = """
tiers:
  - {name: hot, when: "monetary >= 1000"}
  - {name: warm, when: "monetary >= 100"}
  - {name: cold}
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "rules.yaml", RULES)
    write(tmp_path, "orders.csv", """
        customer_id,order_id,order_date,amount
        a,1,2024-01-05,150
        a,2,2024-05-05,2000
        b,3,2024-01-10,2000
        c,4,2024-02-01,50
        d,5,2024-06-01,120
    """)
    return tmp_path


def words(text: str) -> str:
    """Terminal text with the console's line wrapping undone."""
    return " ".join(text.split())


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [[c for c in row if c is not None] for row in book[sheet].iter_rows(values_only=True)]


def test_classify_with_previous_and_overrides_records_both_in_the_run_sheet(here: Path) -> None:
    code, _, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--as-of", "2024-03-31", "-o", "march.xlsx")
    assert code == 0, err
    write(here, "ov.csv", "customer,level,reason,expires\nc,warm,goodwill,\nd,hot,too late,2024-01-01\n")
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--previous", "march.xlsx",
                            "--overrides", "ov.csv", "-o", "june.xlsx")
    assert code == 0, err
    assert "movement tier (against march.xlsx): 1 new, 2 up, 0 down, 1 same, 0 returned, 0 lapsed" in out
    assert "note: overrides: 1 applied from ov.csv, 1 expired" in words(out)
    assert "note: ov.csv row 3: expired on 2024-01-01 (as_of is 2024-06-01); ignored" in words(out)
    run = {r[0]: r[1] for r in sheet_rows(here / "june.xlsx", "Run") if len(r) == 2}
    assert run["previous run"] == "march.xlsx"
    assert len(run["previous run sha256"]) == 64 and run["previous run customers"] == "3"
    assert (run["overrides"], run["overrides applied"], run["overrides expired"]) == ("ov.csv", "1", "1")
    customers = sheet_rows(here / "june.xlsx", "Customers")
    header = customers[0]
    assert header[header.index("tier_why") + 1:] == ["previous_tier", "movement", "overrides"]


def test_a_previous_run_with_other_level_names_stops_with_exit_2(here: Path) -> None:
    write(here, "old.csv", "customer_id,tier\na,Hot\nb,warm\nc,cool\nd,cool\n")
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--previous", "old.csv", "-o", "x.xlsx")
    assert code == 2
    assert err == ("error: old.csv column 'tier': the grading 'tier' has levels that rules.yaml doesn't know: 'Hot' "
                   "(1 customer, first at row 2; did you mean 'hot'?), 'cool' (2 customers, first at row 4; did you mean 'cold'?); the "
                   "levels there are hot, warm, cold. Rename them in the file, or use the rules the run was made "
                   "with\n")
    assert out == "" and not (here / "x.xlsx").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("id,tier\na,hot\n", "error: old.csv: no customer_id column, so this is not a customers table tiercli wrote (the "
                         "Customers sheet of its workbook, or its -o .csv/.parquet): give --previous such a file; columns found: 'id', 'tier'"),
    ("customer_id,level\na,hot\n", "error: old.csv: no column 'tier' for the grading 'tier' of rules.yaml; columns "
                                   "found: 'customer_id', 'level'. The run was made with other rules: use those, "
                                   "or rename its column to the grading's name"),
    ("customer_id,tier\na,hot\n,warm\n", "error: old.csv row 3 column 'customer_id': has no customer_id; every row "
                                         "of a run is one customer"),
    ("customer_id,tier\na,hot\nb,\n", "error: old.csv row 3 column 'tier': customer 'b' has no level; every customer "
                                      "of a run has one"),
])
def test_a_previous_file_that_is_not_a_run_is_named_with_its_problem(here: Path, text: str, message: str) -> None:
    write(here, "old.csv", text)
    code, _, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--previous", "old.csv", "-o", "x.xlsx")
    assert code == 2
    assert err.strip() == message


def test_strict_overrides_exit_2_and_write_nothing(here: Path) -> None:
    write(here, "ov.csv", "customer,level\nzz,hot\n")
    code, _, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--overrides", "ov.csv", "--strict",
                          "-o", "x.xlsx")
    assert code == 2
    assert err == ("error: ov.csv: 1 override row can't be applied (--strict):\n"
                   "  ov.csv row 2 column 'customer': no customer 'zz' in this run\n")
    assert not (here / "x.xlsx").exists()
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--overrides", "ov.csv", "-o", "x.xlsx")
    assert code == 0, err
    assert "note: ov.csv row 2 column 'customer': no customer 'zz' in this run; the row is left out" in words(out)


def test_an_overrides_file_with_an_unknown_column_stops(here: Path) -> None:
    write(here, "ov.csv", "customer,levle\na,hot\n")
    code, _, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--overrides", "ov.csv", "-o", "x.xlsx")
    assert code == 2
    assert err.strip() == "error: ov.csv: unknown column 'levle' (did you mean 'level'?); rename or remove it"


def test_compare_classifies_the_same_orders_as_of_two_dates(here: Path) -> None:
    code, out, err = invoke("compare", "orders.csv", "-r", "rules.yaml", "--from", "2024-03-31", "--to",
                            "2024-06-30", "-o", "cmp.xlsx")
    assert code == 0, err
    assert ("movement tier (against the same orders as of 2024-03-31 23:59:59 (--from)): 1 new, 1 up, 0 down, "
            "2 same, 0 returned, 0 lapsed") in out
    movers = sheet_rows(here / "cmp.xlsx", "Movement")
    start = movers.index(["Movers: up, down, returned"])
    assert movers[start + 2] == ["a", "tier", "warm", "hot", "up", 2150, "hot: monetary >= 1000"]
    code, _, err = invoke("compare", "orders.csv", "-r", "rules.yaml", "--from", "2024-06-30", "--to", "2024-03-31")
    assert code == 2
    assert err.strip() == "error: --from 2024-06-30 is not before --to 2024-03-31; give the earlier date to --from"
    code, _, err = invoke("compare", "orders.csv", "--from", "31.03.2024", "--to", "2024-06-30")
    assert code == 2
    assert err.strip() == "error: --from '31.03.2024' is not a date; write it as YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'"


def test_compare_and_diff_speak_chinese_with_lang_zh(here: Path) -> None:
    code, out, err = invoke("compare", "orders.csv", "-r", "rules.yaml", "--from", "2024-03-31", "--to",
                            "2024-06-30", "-o", "cmp.xlsx", "--lang", "zh")
    assert code == 0, err
    assert ("变动 tier（对比 同一批订单截至 2024-03-31 23:59:59（--from））：新进 1，升级 1，降级 0，不变 2，回归 0，"
            "本期未出现 0") in out
    assert "已写入 cmp.xlsx（工作簿）" in out
    moved = sheet_rows(here / "cmp.xlsx", "变动")
    assert ["升级", 1, 2150, "两期数据中都有，现在等级更高（规则中排在前面的等级）"] in moved
    code, out, err = invoke("diff", "cmp.xlsx", "cmp.xlsx", "-o", "moves.xlsx", "--lang", "zh")
    assert code == 0, err
    assert out.startswith("变动 tier（对比 cmp.xlsx）：新进 0，升级 0，降级 0，不变 4，回归 0，本期未出现 0\n")
    assert out.endswith("已写入 moves.xlsx（工作簿）\n")
    assert ["不变", 4, 4320, "两期数据中都有，等级不变"] in sheet_rows(here / "moves.xlsx", "变动")


def test_diff_compares_two_outputs(here: Path) -> None:
    for as_of, name in (("2024-03-31", "march.xlsx"), ("2024-06-30", "june.xlsx"), ("2024-03-31", "march.csv")):
        code, _, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "--as-of", as_of, "-o", name)
        assert code == 0, err
    code, out, err = invoke("diff", "march.xlsx", "june.xlsx", "-o", "moves.xlsx")
    assert code == 0, err
    assert out.startswith("movement tier (against march.xlsx): 1 new, 1 up, 0 down, 2 same, 0 returned, 0 lapsed\n")
    assert out.endswith("wrote moves.xlsx (workbook)\n")
    assert ["warm", "1", "0", "0", "0", "1"] in [line.replace("│", " ").split() for line in out.splitlines()]
    book = openpyxl.load_workbook(here / "moves.xlsx", read_only=True)
    assert book.sheetnames == ["Movement"]
    code, _, err = invoke("diff", "june.xlsx", "march.csv")
    assert code == 2
    assert err.strip() == ("error: march.csv: has no Summary sheet listing each grading's levels in order (it is not a "
                           "workbook tiercli wrote), so up can't be told from down; give the rules with -r RULES")
    code, out, err = invoke("diff", "june.xlsx", "march.csv", "-r", "rules.yaml")
    assert code == 0, err
    assert out.startswith("movement tier (against june.xlsx): 0 new, 0 up, 1 down, 2 same, 0 returned, 1 lapsed\n")
