"""Hostile text in input files never reaches SQL: headers, cells, statuses, sheet and file names.

Every payload either is read as plain text (kept as written: a header shows up as the Excluded table's header) or
the run stops with exit 2; the canary file a payload tries to read never shows up in an output, and the file a
payload tries to write is never created. This holds for every command that reads files.
"""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from typer.testing import CliRunner

from tiercli.cli.app import app
from tiercli.pipeline import RunConfig, run
from tiercli.rules.load import parse_rules

SECRET = "secret-canary-7f3a"
RULES = """
version: 1
tiers:
  - {name: big, when: "monetary >= 100"}
  - {name: small}
"""


def payloads(canary: Path, target: Path) -> list[str]:
    """Headers an attacker would write; `canary` is a file to read, `target` one to create."""
    return [
        f"z\" AS c3, 2::BIGINT AS __row FROM (SELECT content AS customer_id, '2024-01-01' AS order_date, '10' AS "
        f"amount, 1 AS z FROM read_text('{canary}')) --",
        f"x\"); COPY (SELECT 42) TO '{target}'; --",
        f"a'); COPY (SELECT 42) TO '{target}' (FORMAT csv); SELECT ('x",
        f"read_text('{canary}')",
        "a\"b", "--", ";", "c0", "__row", "file_row_number", "c_extra", "raw_cells",
        "Reason", "FILE", "message", "row",
        "line\nbreak", "tab\there", "\u202eevil", "\x1b[31mred", "重要客户\"; DROP TABLE lines; --",
        "x" * 5000,
    ]


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "canary.txt"
    path.write_text(SECRET)
    return path


def _rows(headers: list[str]) -> list[list[str]]:
    base = [["c1", "1", "2024-01-01", "150"], ["c2", "2", "2024-01-05", "not money"], ["c1", "3", "2024-02-01", "20"]]
    return [row + [f"v{j}" for j in range(len(headers) - 4)] for row in base]


def write_orders(folder: Path, kind: str, extra: list[str], name: str = "orders") -> Path:
    headers = ["customer_id", "order_id", "order_date", "amount", *extra]
    rows = _rows(headers)
    if kind == "csv":
        import csv

        path = folder / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(headers)
            writer.writerows(rows)
    elif kind == "xlsx":
        path = folder / f"{name}.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("orders")
        for r, values in enumerate([headers, *rows]):
            for c, value in enumerate(values):
                sheet.write_string(r, c, value)
        book.close()
    else:
        path = folder / f"{name}.parquet"
        columns = [pa.array([row[i] for row in rows]) for i in range(len(headers))]
        pq.write_table(pa.Table.from_arrays(columns, names=headers), path)
    return path


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _outputs_text(folder: Path, before: set[str]) -> str:
    """Everything the run wrote, as text (workbooks' cells included)."""
    texts = []
    for name in _files(folder) - before:
        path = folder / name
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            texts += [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
        elif path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


runner = CliRunner()


def _commands(orders: Path, rules: Path, out: Path) -> dict[str, list[str]]:
    return {
        "classify": ["classify", str(orders), "-r", str(rules), "-o", str(out)],
        "inspect": ["inspect", str(orders), "-r", str(rules)],
        "validate": ["validate", str(rules), "--orders", str(orders)],
        "explain": ["explain", "c1", str(orders), "-r", str(rules)],
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("command", ["classify", "inspect", "validate", "explain"])
def test_hostile_headers_are_plain_text_for_every_command(tmp_path: Path, canary: Path, kind: str,
                                                          command: str) -> None:
    target = tmp_path / "pwned.txt"
    hostile = payloads(canary, target)
    if kind == "xlsx":
        hostile = [h for h in hostile if "\x1b" not in h]  # a control character an xlsx cell can't hold
    orders = write_orders(tmp_path, kind, hostile)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    before = _files(tmp_path)
    result = runner.invoke(app, _commands(orders, rules, tmp_path / "out.xlsx")[command])
    assert result.exit_code in (0, 2), result.output
    assert "internal error" not in result.stderr
    assert canary.read_text() == SECRET and not target.exists()
    assert SECRET not in result.stdout + result.stderr + _outputs_text(tmp_path, before)
    if command != "classify":
        assert _files(tmp_path) == before  # inspect, validate and explain write nothing
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_hostile_headers_are_kept_as_written(tmp_path: Path, canary: Path, kind: str) -> None:
    hostile = [h for h in payloads(canary, tmp_path / "pwned.txt") if kind != "xlsx" or "\x1b" not in h]
    orders = write_orders(tmp_path, kind, hostile)
    with run(RunConfig(files=[str(orders)], rules=parse_rules(RULES))) as result:
        names = result.excluded.column_names
        (excluded,) = result.excluded.to_pylist()
    own = ["file", "row", "reason", "message"]
    headers = ["customer_id", "order_id", "order_date", "amount", *hostile]
    # each header as written, numbered only when it is, but for case, one of the Excluded table's own names
    expected = [h if h.casefold() not in own else f"{h} (2)" for h in headers]
    assert names == own + expected
    assert excluded["reason"] == "bad_amount" and excluded["amount"] == "not money"
    assert [excluded[n] for n in expected[4:]] == [f"v{j}" for j in range(len(hostile))]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_a_nul_in_a_header_is_kept_or_exit_2(tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":  # a workbook can't hold a NUL; xlsxwriter writes it as _x0000_, which is text again
        header = "nul_x0000_byte"
    else:
        header = "nul\x00byte"
    orders = write_orders(tmp_path, kind, [header])
    result = runner.invoke(app, ["classify", str(orders), "-o", str(tmp_path / "o.xlsx"), "-q"])
    assert result.exit_code in (0, 2) and "internal error" not in result.output, result.output
    if result.exit_code == 2:
        assert str(orders) in result.stderr
    else:
        rows = list(openpyxl.load_workbook(tmp_path / "o.xlsx")["Excluded"].iter_rows(values_only=True))
        assert len(rows[0]) == 9 and rows[1][8] == "v0"


def test_the_parquet_injection_of_the_red_team(tmp_path: Path, canary: Path) -> None:
    payload = payloads(canary, tmp_path / "pwned.txt")[0]
    table = pa.table({"customer_id": ["A"], "order_date": ["2024-01-01"], "amount": ["10"], payload: ["x"]})
    pq.write_table(table, tmp_path / "x.parquet")
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["classify", str(tmp_path / "x.parquet"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[0] == "A"
    assert SECRET not in out.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("name", ["o'rders.csv", 'o"rd; ers.csv', "orders[1].csv", "a*b?.csv", "订单 -- 导出.csv",
                                  "x'); COPY (SELECT 1) TO 'pwned.txt'; --.csv",
                                  os.fsdecode(b"\xff\xfe-not-utf8.csv")])
def test_hostile_file_names_are_read_as_named(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("customer_id,order_id,order_date,amount\nc1,1,2024-01-01,150\nc2,2,2024-01-02,20\n")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(path), "-r", _rules(tmp_path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert not (tmp_path / "pwned.txt").exists()


def _rules(folder: Path) -> str:
    path = folder / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return str(path)


def test_hostile_sheet_names_cells_and_statuses(tmp_path: Path, canary: Path) -> None:
    target = tmp_path / "pwned.txt"
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("o'rd\"ers; --")
    rows = [["customer_id", "order_id", "order_date", "amount", "status"],
            [f"c1'); COPY (SELECT 1) TO '{target}'; --", "1", "2024-01-01", "150", "paid"],
            ["c2", "2", "2024-01-02", "20", f"x'; SELECT * FROM read_text('{canary}'); --"],
            ["c3", "3", "2024-01-03", "20", "\"; DROP TABLE lines; --"]]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    out = tmp_path / "out.xlsx"
    rules = _rules(tmp_path)
    before = _files(tmp_path)
    result = runner.invoke(app, ["classify", str(path), "--sheet", "o'rd\"ers; --", "-r", rules, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert not target.exists() and SECRET not in _outputs_text(tmp_path, before)
    customers = openpyxl.load_workbook(out)["Customers"]
    assert customers["A2"].value == f"c1'); COPY (SELECT 1) TO '{target}'; --"
    excluded = [row for row in openpyxl.load_workbook(out)["Excluded"].iter_rows(values_only=True)][1:]
    assert sorted(r[3] for r in excluded) == sorted(f"status '{rows[k][4]}'" for k in (2, 3))


def test_hostile_members_headers_and_ids(tmp_path: Path, canary: Path) -> None:
    target = tmp_path / "pwned.txt"
    orders = write_orders(tmp_path, "csv", [])
    hostile = payloads(canary, target)
    members = tmp_path / "members.parquet"
    columns = {"member_id": ["c1", "c9", f"c8'); COPY (SELECT 1) TO '{target}'; --"],
               **{h: ["x", "y", "z"] for h in hostile}}
    pq.write_table(pa.table(columns), members)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["classify", str(orders), "--members", str(members), "-r", _rules(tmp_path),
                                 "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert not target.exists() and SECRET not in out.read_text(encoding="utf-8-sig")
    ids = {line.split(",")[0] for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert ids == {"c1", "c9", f"c8'); COPY (SELECT 1) TO '{target}'; --"}  # c2 has no order that counts


def test_every_input_and_output_may_have_a_name_that_is_no_utf8(tmp_path: Path) -> None:
    def odd(name: str) -> Path:  # a name holding a byte that is no UTF-8, as old Windows copies make them
        return tmp_path / os.fsdecode(b"\xff" + name.encode())

    orders = write_orders(tmp_path, "xlsx", [])
    orders = orders.rename(odd("orders.xlsx"))
    rules = odd("rules.yaml")
    rules.write_text(RULES, encoding="utf-8")
    first = odd("first.xlsx")
    assert runner.invoke(app, ["classify", str(orders), "-r", str(rules), "-o", str(first), "-q"]).exit_code == 0
    overrides = odd("overrides.csv")
    overrides.write_text("customer,level\nc1,small\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", str(orders), "-r", str(rules), "--previous", str(first), "--overrides",
                                 str(overrides), "-o", str(odd("second.xlsx")), "--report", str(odd("r.html")),
                                 "--split-by", "tier", str(odd("lists"))])
    assert result.exit_code == 0, result.output
    assert "\ufffdorders.xlsx" in result.stdout
    book = openpyxl.load_workbook(odd("second.xlsx"))
    assert any("\ufffdfirst.xlsx" in str(cell) for row in book["Run"].iter_rows(values_only=True) for cell in row)
