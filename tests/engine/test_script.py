"""`tiercli sql FILES…`: the whole pipeline as a script. Run by DuckDB over tables holding the files' rows, it gives
what `tiercli classify` gives for those files: every customer and column, and every row left out with its reason
and message. The other dialects' scripts are golden files, parsed back by sqlglot (tests/spark/test_golden.py); the
Spark script also runs (tests/spark/test_spark_script.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp
from typer.testing import CliRunner

from script_cases import CASES, FIXTURES, REPO, ScriptCase, input_tables, same_customers, script_case
from tiercli.cli.app import app
from tiercli.pipeline import RunConfig, record_cleaning
from tiercli.rules.load import load_rules, parse_rules

EXAMPLE = load_rules(REPO / "rules.example.yaml")


def run_in_duckdb(case: ScriptCase, script: list[str] | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, table in case.inputs.items():
        con.register(f"{name}_rows", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_rows")
    for statement in script or case.exported.statements[:-1]:
        con.execute(statement)
    return con


def customers_of(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return sorted((dict(zip(names, row, strict=True)) for row in cursor.fetchall()), key=lambda r: r["customer_id"])


def left_out(con: duckdb.DuckDBPyConnection, lines: str, message: str = "message") -> list[tuple[Any, ...]]:
    query = (f"SELECT source_file, CAST(source_row AS BIGINT), reason, {message} FROM {lines} "
             "JOIN __inputs USING (__input) WHERE reason IS NOT NULL")
    return sorted(con.execute(query).fetchall())


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_duckdb_script_of_the_files_gives_the_local_run(case: str) -> None:
    got = script_case(CASES[case], EXAMPLE, "duckdb")
    con = run_in_duckdb(got)
    same_customers(customers_of(con, got.exported.statements[-1]), got.customers)
    assert [r[:3] for r in left_out(con, got.exported.tables["lines"])] == got.excluded


REAL = {  # ../shared/research/data: (folder, file) each, and the mapping tiercli's message proposes where needed
    "tmall-report": ([("tmall", "tmall_order_report.csv")],
                     'input: {columns: {customer: "订单编号", order_id: "订单编号", paid_ts: "订单付款时间", '
                     'created_ts: "订单创建时间", amount: "买家实际支付金额", refund_amount: "退款金额"}}'),
    "uci-5k-r-semicolon": ([("uci_online_retail", "online_retail_sample5k_rhozon_semicolon.csv")], None),
    "uci-40k-xlsx": ([("uci_online_retail", "online_retail_sample40k_moatazsaad.xlsx")], None),
    "taobao-2017-pair": ([("exports", "taobao_2017_ExportOrderList_excerpt.gbk.csv"),
                          ("exports", "taobao_2017_ExportOrderDetailList_excerpt.gbk.csv")], None),
    "shopify-tiktok": ([("exports", "shopify_orders_export_GB_tiktok_channel_excerpt.csv")], None),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("case", sorted(REAL))
def test_the_duckdb_script_of_a_real_export_gives_the_local_run(case: str) -> None:
    from conftest import shared_file

    parts, extra = REAL[case]
    rules = EXAMPLE
    if extra:
        text = (REPO / "rules.example.yaml").read_text(encoding="utf-8")
        rules = parse_rules(text.replace("\ntiers:", f"\n{extra}\ntiers:", 1), "rules.yaml")
    got = script_case([shared_file(*p) for p in parts], rules, "duckdb")
    con = run_in_duckdb(got)
    same_customers(customers_of(con, got.exported.statements[-1]), got.customers)
    assert [r[:3] for r in left_out(con, "lines")] == got.excluded


def test_the_script_keeps_as_of_and_the_language_of_the_messages() -> None:
    files = [FIXTURES / "taobao_orders_gb18030.csv", FIXTURES / "taobao_items_gb18030.csv"]
    as_of = datetime(2024, 1, 31, 23, 59, 59)
    got = script_case(files, EXAMPLE, "duckdb", as_of=as_of, lang="zh")
    con = run_in_duckdb(got)
    same_customers(customers_of(con, got.exported.statements[-1]), got.customers)
    excluded = left_out(con, "lines", "message_zh")
    assert [r[:3] for r in excluded] == got.excluded
    assert excluded and all(any("\u4e00" <= ch <= "\u9fff" for ch in r[3]) for r in excluded)


def test_the_printed_script_runs_as_printed(tmp_path: Any) -> None:
    """What a user does: print the script, load the file's rows under its header, run the text."""
    files = [str(FIXTURES / "youzan_orders.csv"), str(FIXTURES / "youzan_items.csv")]
    printed = CliRunner().invoke(app, ["sql", *files, "--dialect", "duckdb"])
    assert printed.exit_code == 0, printed.output
    text = printed.stdout
    assert text.startswith("-- tiercli ") and "--   input_1: the rows of youzan_orders.csv (" in text
    assert "--   input_2: the rows of youzan_items.csv (" in text
    case = script_case([FIXTURES / "youzan_orders.csv", FIXTURES / "youzan_items.csv"], EXAMPLE, "duckdb")
    con = duckdb.connect()
    for name, table in case.inputs.items():
        con.register(f"{name}_rows", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_rows")
    *cleaning, last = [s for s in con.extract_statements(text)]
    for statement in cleaning:
        con.execute(statement)
    same_customers(customers_of(con, last), case.customers)


def test_the_input_tables_columns_are_named_as_tiercli_shows_the_headers(tmp_path: Any) -> None:
    """A repeated header is `note (2)`, an empty one `column 7` (as in the Excluded sheet); a header `__row`, which
    is the row number's name, is `column_N`; a cell beyond the header's width has no column."""
    orders = tmp_path / "orders.csv"
    orders.write_text("customer_id,order_id,order_date,amount,note,note,,__row\n"
                      "c1,1,2024-03-01,10.00,a,b,x,7\nc2,2,2024-03-02,20.00,,,,\n", encoding="utf-8")
    recorded = record_cleaning(RunConfig(files=[str(orders)], rules=EXAMPLE))
    given = [g for g, _, _ in recorded.inputs[0].columns]
    assert given == ["customer_id", "order_id", "order_date", "amount", "note", "note (2)", "column 7", "column_8",
                     "", "__row"]
    tables = input_tables([orders], recorded.inputs)
    assert tables["input_1"].column_names == [g for g in given if g]
    assert tables["input_1"].column("note (2)").to_pylist() == ["b", None]
    assert tables["input_1"].column("column_8").to_pylist() == ["7", None]
    assert tables["input_1"].column("__row").to_pylist() == [2, 3]


@pytest.mark.parametrize("dialect", ["spark", "bigquery", "snowflake", "postgres"])
def test_each_dialects_script_is_statements_of_that_dialect(dialect: str) -> None:
    got = script_case(CASES["youzan"], EXAMPLE, dialect)
    statements = [sqlglot.parse_one(s, read=dialect) for s in got.exported.statements]
    kinds = [type(s).__name__ for s in statements]
    assert kinds[-1] == "Select"
    # the cleaning's macros are functions of the dialect; each table a new one, read by the statements after it
    functions = [s for s in statements if isinstance(s, exp.Create) and s.kind == "FUNCTION"]
    assert len(functions) == 14
    schema = "tiercli_work." if dialect == "spark" else ""  # Spark: real tables, not views carrying the lineage
    assert got.exported.tables["lines"].startswith(f"{schema}lines__v")
    assert got.exported.tables["orders"] == f"{schema}orders"
    created = [s.this.sql() for s in statements if isinstance(s, exp.Create) and s.args.get("kind") != "FUNCTION"]
    assert len(created) == len(set(created))  # nothing is made twice: no statement changes a table in place
    assert not any(isinstance(s, exp.Update | exp.Insert) for s in statements)


def test_the_readmes_duckdb_example_gives_the_local_runs_customers(tmp_path: Any, monkeypatch: Any) -> None:
    """The README's Python example, run as written after its `tiercli sql … > pipeline.sql`, on the file read by
    DuckDB's own CSV reader (not tiercli's)."""
    import contextlib
    import io
    import os

    from tiercli.pipeline import run

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = readme.split("DuckDB's script is the statements as tiercli ran them.", 1)[1]
    code = example.split("```python\n", 1)[1].split("```", 1)[0]
    command = example.split("after `", 1)[1].split("`", 1)[0]
    assert command == "tiercli sql sample_data/shopify_orders_export.csv -r rules.example.yaml > pipeline.sql"
    os.symlink(REPO / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(app, ["sql", "sample_data/shopify_orders_export.csv", "-r",
                                       str(REPO / "rules.example.yaml")])
    assert printed.exit_code == 0
    (tmp_path / "pipeline.sql").write_text(printed.stdout, encoding="utf-8")
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        exec(compile(code, "README.md", "exec"), {})
    import datetime as dt
    from decimal import Decimal

    rows = eval(shown.getvalue(), {"Decimal": Decimal, "datetime": dt})  # the example's three first customers
    with run(RunConfig(files=["sample_data/shopify_orders_export.csv"], rules=EXAMPLE)) as result:
        want = result.customers.read().to_pylist()[:3]
    assert [r[0] for r in rows] == [w["customer_id"] for w in want]
    assert [r[1] for r in rows] == [w["tier"] for w in want]
