"""Broken or extreme input ends in one located message and exit 2 (or works), never an internal error.

Each case here once ended in exit 3: extreme dates, headers named like the Excluded table's own columns, huge
cells, empty grids, broken Parquet, deep or broken YAML, impossible limits, names that can't be file names.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from typer.testing import CliRunner

from tiercli.cli.app import app

runner = CliRunner()
RULES = """
version: 1
tiers:
  - {name: big, when: "monetary >= 100"}
  - {name: small}
"""


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path


def orders(folder: Path, *rows: str, name: str = "orders.csv", header: str = "customer_id,order_id,order_date,amount"
           ) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("date", ["10000-01-01", "-2024-01-01", "infinity", "-infinity", "0001-01-01",
                                  "1899-12-31 23:59:59"])
def test_dates_a_spreadsheet_cannot_show_are_bad_dates_with_their_text(here: Path, date: str) -> None:
    orders(here, f"a,1,{date},150", "b,2,2024-01-02,20")
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.xlsx", "-q")
    assert code == 0, err
    book = openpyxl.load_workbook(here / "out.xlsx")
    excluded = list(book["Excluded"].iter_rows(values_only=True))
    assert excluded[1][:3] == ("orders.csv", 2, "bad_date")
    assert excluded[1][3] == (f"'{date}' in 'order_date' is outside the dates a spreadsheet can show "
                              "(1900-01-01 to 9999-12-31)")
    assert excluded[1][6] == date  # the cell as written
    assert [row[0] for row in book["Customers"].iter_rows(min_row=2, values_only=True)] == ["b"]


@pytest.mark.parametrize("date", ["9999-12-31", "9999-12-31 23:59:59", "1900-01-01"])
def test_the_last_and_first_days_a_spreadsheet_shows_are_dates(here: Path, date: str) -> None:
    orders(here, f"a,1,{date},150", "b,2,2024-01-02,20")
    result = runner.invoke(app, ["classify", "orders.csv", "-r", "rules.yaml", "-o", "out.xlsx"])
    assert result.exit_code == 0, result.output
    rows = {r[0]: r for r in openpyxl.load_workbook(here / "out.xlsx")["Customers"].iter_rows(values_only=True)}
    header = list(rows["customer_id"])
    assert rows["a"][header.index("last_order")] == dt.datetime.fromisoformat(date)
    if date.startswith("9999"):  # as_of is that placeholder: the run says so
        assert "after today" in result.stdout and "--as-of" in result.stdout


def test_parquet_dates_beyond_a_timestamp_are_bad_dates(here: Path) -> None:
    pq.write_table(pa.table({
        "customer_id": ["a", "b", "c"],
        "order_date": pa.array([2**31 - 1, -2**31, 19_800], pa.date32()),  # DuckDB's infinity, year -5877642
        "amount": [150.0, 20.0, 30.0]}), here / "o.parquet")
    code, err = invoke("classify", "o.parquet", "-r", "rules.yaml", "-o", "out.xlsx", "-q")
    assert code == 0, err
    book = openpyxl.load_workbook(here / "out.xlsx")
    assert [r[2] for r in book["Excluded"].iter_rows(min_row=2, values_only=True)] == ["bad_date", "bad_date"]
    assert [r[0] for r in book["Customers"].iter_rows(min_row=2, values_only=True)] == ["c"]


def test_input_columns_named_like_the_excluded_tables_own(here: Path) -> None:
    orders(here, "a,1,2024-01-01,x,f1,r1", "b,2,2024-01-02,20,f2,r2", name="one.csv",
           header="customer_id,order_id,order_date,amount,File,ROW")
    orders(here, "c,3,2024-01-03,y,why,m", name="two.csv", header="customer_id,order_id,order_date,amount,reason,Message")
    code, err = invoke("classify", "one.csv", "two.csv", "-r", "rules.yaml", "-o", "out.xlsx", "-q")
    assert code == 0, err
    rows = list(openpyxl.load_workbook(here / "out.xlsx")["Excluded"].iter_rows(values_only=True))
    assert rows[0] == ("file", "row", "reason", "message", "customer_id", "order_id", "order_date", "amount",
                       "File (2)", "ROW (2)", "reason (2)", "Message (2)")
    assert rows[1][:4] == ("one.csv", 2, "bad_amount", "'x' in 'amount' is not an amount")
    assert rows[1][8:] == ("f1", "r1", None, None)
    assert rows[2][8:] == (None, None, "why", "m")


def test_a_cell_of_200000_characters(here: Path) -> None:
    orders(here, "a,1,2024-01-01,150", f"{'b' * 200_000},2,2024-01-02,20")
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.csv", "-q")
    assert code == 0, err
    assert (here / "out.csv").read_text(encoding="utf-8-sig").count("b" * 200_000) == 1


@pytest.mark.parametrize("text", [",,,\n,,,\n", ",,,\n", "\t\t\n"])
def test_a_file_of_only_separators_is_exit_2(here: Path, text: str) -> None:
    (here / "empty.csv").write_text(text, encoding="utf-8")
    code, err = invoke("classify", "empty.csv", "-r", "rules.yaml", "-o", "out.csv")
    assert code == 2 and "empty.csv" in err, err


def test_bit_flipped_parquet_is_exit_2_or_works(here: Path) -> None:
    table = pa.table({"customer_id": [f"c{i}" for i in range(500)], "order_date": ["2024-01-01"] * 500,
                      "amount": [str(i) for i in range(500)]})
    pq.write_table(table, here / "good.parquet")
    data = (here / "good.parquet").read_bytes()
    rng = random.Random(12)
    for case in range(40):
        broken = bytearray(data)
        for _ in range(rng.choice([1, 4, 32])):
            broken[rng.randrange(len(broken))] ^= 1 << rng.randrange(8)
        (here / f"flip{case}.parquet").write_bytes(bytes(broken))
        code, err = invoke("classify", f"flip{case}.parquet", "-r", "rules.yaml", "-o", f"out{case}.csv", "-q")
        assert code in (0, 2) and "internal error" not in err, (case, err)
        if code == 2:
            assert f"flip{case}.parquet" in err


def test_a_sheet_16384_columns_wide(here: Path) -> None:
    book = xlsxwriter.Workbook(str(here / "wide.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["customer_id", "order_date", "amount"])
    sheet.write_row(1, 0, ["a", "2024-01-01", "150"])
    sheet.write_row(2, 0, ["b", "2024-01-01", "x"])
    sheet.write(2, 16_383, "far")
    book.close()
    code, err = invoke("classify", "wide.xlsx", "-r", "rules.yaml", "-o", "out.xlsx", "-q")
    assert code in (0, 2) and "internal error" not in err, err
    if code == 0:  # the far cell is an extra cell of row 3, which is excluded with it
        rows = list(openpyxl.load_workbook(here / "out.xlsx")["Excluded"].iter_rows(values_only=True))
        assert rows[1][2] == "extra_cells"


def test_yaml_nested_500_deep_is_a_rules_error(here: Path) -> None:
    (here / "deep.yaml").write_text("version: 1\nname: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    orders(here, "a,1,2024-01-01,150")
    code, err = invoke("classify", "orders.csv", "-r", "deep.yaml", "-o", "out.csv")
    assert code == 2 and "deep.yaml" in err and "nested too deeply" in err, err
    (here / "deep.yaml").write_text(
        'version: 1\ntiers:\n  - {name: a, when: "' + "(" * 3000 + "monetary > 1" + ")" * 3000 + '"}\n'
        "  - {name: b}\n", encoding="utf-8")
    code, err = invoke("classify", "orders.csv", "-r", "deep.yaml", "-o", "out.csv")
    assert code == 2 and "deep.yaml:3" in err, err


def test_a_lone_surrogate_in_a_name_is_a_rules_error(here: Path) -> None:
    (here / "s.yaml").write_text('version: 1\ntiers:\n  - {name: "a\\ud800", when: "monetary > 1"}\n'
                                 '  - {name: b}\n', encoding="utf-8")
    orders(here, "a,1,2024-01-01,150")
    code, err = invoke("classify", "orders.csv", "-r", "s.yaml", "-o", "out.csv")
    assert code == 2 and "s.yaml:3" in err and "\\ud800" in err, err


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--memory-limit", "abc", "is not a memory size"),
    ("--memory-limit", "0", "too small"),
    ("--memory-limit", "4", "is not a memory size"),
    ("--memory-limit", "10MB", "too small"),
    ("--threads", "-1", "give 1 to"),
    ("--threads", "0", "give 1 to"),
    ("--threads", "100000", "give 1 to"),
])
def test_impossible_limits_are_exit_2_before_reading(here: Path, option: str, value: str, says: str) -> None:
    orders(here, "a,1,2024-01-01,150")
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.csv", option, value)
    assert code == 2 and says in err and option in err, err
    assert not (here / "out.csv").exists()


@pytest.mark.parametrize(("option", "value"), [("--memory-limit", "500MB"), ("--memory-limit", "2 GiB"),
                                               ("--threads", "1"), ("--threads", "3")])
def test_possible_limits_run(here: Path, option: str, value: str) -> None:
    orders(here, "a,1,2024-01-01,150")
    code, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.csv", option, value, "-q")
    assert code == 0, err


@pytest.mark.parametrize(("name", "clash"), [
    ("tags", "the column 'tags' tiercli writes"),
    ("customer_id", "the column 'customer_id' tiercli writes"),
    ("movement", "the column 'movement' tiercli writes"),
    ("overrides", "the column 'overrides' tiercli writes"),
    ("客户ID", "the column 'customer_id' tiercli writes"),
    ("标签", "the column 'tags' tiercli writes"),
    ("消费金额", "the column 'monetary' tiercli writes"),
    ("previous_tier", "the column 'previous_tier' of the grading 'tier'"),
    ("tier_why", "the column 'tier_why' of the grading 'tier'"),
    ("tier_依据", "the column 'tier_依据' of the grading 'tier'"),
    ("TIER_GRACE_UNTIL", "the column 'tier_grace_until' of the grading 'tier'"),
])
def test_a_grading_named_like_an_output_column_is_an_error_at_its_line(here: Path, name: str, clash: str) -> None:
    (here / "g.yaml").write_text(RULES + f"gradings:\n  - name: {name}\n    levels:\n      - {{name: x}}\n",
                                 encoding="utf-8")
    orders(here, "a,1,2024-01-01,150")
    code, err = invoke("classify", "orders.csv", "-r", "g.yaml", "-o", "out.csv")
    assert code == 2, err
    assert f"g.yaml:7 gradings[0] '{name}' → name: the grading '{name}' has the name of {clash}" in err, err


@pytest.mark.parametrize(("block", "line", "says"), [
    ("tags:\n  - {name: tier_why, when: \"monetary > 1\"}\n", 7, "'tier_why' is already the name of a grading's"),
    ("tags:\n  - {name: is_member, when: \"monetary > 1\"}\n", 7, "'is_member'"),
    ("metrics:\n  tags: \"sum(amount)\"\n", 7, "'tags'"),
    ("metrics:\n  tier_依据: \"sum(amount)\"\n", 7, "'tier_依据'"),
])
def test_tags_and_metrics_named_like_an_output_column(here: Path, block: str, line: int, says: str) -> None:
    (here / "t.yaml").write_text(RULES + block, encoding="utf-8")
    code, err = invoke("validate", "t.yaml")
    assert code == 2 and f"t.yaml:{line}" in err and says in err, err


def test_a_level_named_like_a_column_of_the_movement_table(here: Path) -> None:
    (here / "l.yaml").write_text(RULES.replace("name: small", "name: total"), encoding="utf-8")
    code, err = invoke("validate", "l.yaml")
    assert code == 2 and "l.yaml:5" in err and "the movement table's column 'total'" in err, err
