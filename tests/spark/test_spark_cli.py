"""`tiercli classify --engine spark` on the command line: the folder it writes (customers and excluded rows as
Parquet written by Spark, summary.xlsx of the figures), compared with what a local run of the same command gives,
and the options it refuses before anything is read.

Every command runs in this process, so the one SparkSession of the tests (the `spark` fixture) serves them all.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tiercli.cli.app import app
from tiercli.pipeline import RunConfig, run
from tiercli.rules.load import load_rules

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "platforms"
RULES = REPO / "rules.example.yaml"
SHOPIFY = REPO / "sample_data" / "shopify_orders_export.csv"
CASES = {
    "shopify": [SHOPIFY],
    "taobao": [FIXTURES / "taobao_orders_gb18030.csv", FIXTURES / "taobao_items_gb18030.csv"],
}
# The workbook's sheets for these rules, but the two that list rows (Customers, Excluded).
SUMMARY_SHEETS = ["Summary", "Tags", "Segments", "Lifecycle", "Thresholds", "Run", "ChartData"]


def invoke(*args: str) -> tuple[int, str, str]:
    """Run `tiercli ARGS` in this process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@dataclass(frozen=True)
class Ran:
    """One case run both ways on the command line: the Spark run's folder and terminal, the local run's."""

    out: Path
    spark_code: int
    spark_out: str
    spark_err: str
    local_parquet: Path
    local_out: str
    local_excluded: list[dict[str, Any]]


@pytest.fixture(scope="module", params=list(CASES))
def ran(request: pytest.FixtureRequest, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    files = [str(f) for f in CASES[request.param]]
    here = tmp_path_factory.mktemp(request.param)
    out = here / "out"
    code, stdout, stderr = invoke("classify", "--engine", "spark", *files, "-r", str(RULES), "-o", str(out))
    local = here / "local.parquet"
    local_code, local_stdout, local_stderr = invoke("classify", *files, "-r", str(RULES), "-o", str(local))
    assert local_code == 0, local_stderr
    with run(RunConfig(files=files, rules=load_rules(RULES))) as result:  # the Excluded rows of a local run
        excluded = result.excluded.to_pylist()
    yield Ran(out, code, stdout, stderr, local, local_stdout, excluded)


def test_the_folder_holds_customers_excluded_rows_and_the_summary_workbook(ran: Ran) -> None:
    assert ran.spark_code == 0, ran.spark_err
    assert sorted(p.name for p in ran.out.iterdir()) == ["customers", "excluded", "summary.xlsx"]
    assert sorted(p.name for p in ran.out.parent.iterdir() if p.name.startswith(".")) == []  # nothing staged left


def test_the_customers_are_the_local_runs_row_for_row(ran: Ran) -> None:
    want = pq.read_table(ran.local_parquet)
    got = pq.read_table(ran.out / "customers")
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows > 0
    assert got.to_pylist() == want.to_pylist()


def test_the_excluded_rows_are_the_local_runs(ran: Ran) -> None:
    got = pq.read_table(ran.out / "excluded").to_pylist()
    assert got == ran.local_excluded
    assert len(got) > 0  # the case has rows to leave out


def test_the_summary_workbook_has_the_figures_and_says_where_the_rows_are(ran: Ran) -> None:
    book = openpyxl.load_workbook(ran.out / "summary.xlsx")
    assert book.sheetnames == SUMMARY_SHEETS
    customers, excluded = ran.out / "customers", ran.out / "excluded"
    where = (f"the customers and the excluded rows are not in this workbook: they are Parquet folders, "
             f"{customers} and {excluded}")
    assert where in [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    facts = {row[0]: row[1] for row in book["Run"].iter_rows(values_only=True)}
    assert (facts["customers (Parquet folder)"], facts["excluded rows (Parquet folder)"]) == (str(customers),
                                                                                              str(excluded))
    assert int(facts["customers"]) == pq.read_table(customers).num_rows


def test_the_terminal_summary_is_the_local_runs(ran: Ran) -> None:
    def summary(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("wrote ")]

    assert summary(ran.spark_out) == summary(ran.local_out)
    customers = pq.read_table(ran.out / "customers").num_rows
    excluded = pq.read_table(ran.out / "excluded").num_rows
    assert [line for line in ran.spark_out.splitlines() if line.startswith("wrote ")] == [
        f"wrote {ran.out / 'customers'} (customers table, Parquet, {customers:,} customers)",
        f"wrote {ran.out / 'excluded'} (excluded rows, Parquet, {excluded:,} rows)",
        f"wrote {ran.out / 'summary.xlsx'} (summary workbook)",
    ]


# --- refused before anything is read (no Spark job runs) ---

@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copy(SHOPIFY, tmp_path / "orders.csv")
    return tmp_path


def refused(*args: str) -> str:
    """The one line a refused command prints: exit 2, no traceback, nothing on stdout."""
    code, out, err = invoke("classify", "orders.csv", "-r", str(RULES), *args)
    assert (code, out) == (2, ""), err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err.removeprefix("error: ").rstrip("\n")


@pytest.mark.parametrize("out", ["customers.xlsx", "customers.csv", "customers.parquet", "customers.json", "-"])
def test_a_file_or_stdout_for_the_customers_is_refused(here: Path, out: str) -> None:
    assert refused("--engine", "spark", "-o", out) == (
        f"{out}: with --engine spark, -o names a folder, and '{out}' is a file name (or stdout): the customers' rows "
        "stay on the cluster, which writes them as Parquet; give -o a folder such as out/ (it will hold customers/, "
        "excluded/ and summary.xlsx), or run without --engine spark for one file")
    assert sorted(p.name for p in here.iterdir()) == ["orders.csv"]


@pytest.mark.parametrize(("option", "args"), [("--split-by", ["--split-by", "tier", "lists"]),
                                              ("--export-format", ["--export-format", "shopify-tags", "t.csv"])])
def test_what_reads_every_customers_row_here_is_refused(here: Path, option: str, args: list[str]) -> None:
    assert refused("--engine", "spark", "-o", "out", *args) == (
        f"{option} reads every customer's row on this machine, and --engine spark keeps them on the cluster "
        f"(written as Parquet in the -o folder): leave {option} out, or run without --engine spark")
    assert sorted(p.name for p in here.iterdir()) == ["orders.csv"]


def test_an_existing_folder_that_is_not_empty_is_refused(here: Path) -> None:
    (here / "out").mkdir()
    (here / "out" / "last month.xlsx").write_bytes(b"keep")
    assert refused("--engine", "spark", "-o", "out") == (
        "out: the folder 'out' already exists and is not empty; give -o a new folder (it will hold customers/, "
        "excluded/ and summary.xlsx), or empty this one")
    assert [p.name for p in (here / "out").iterdir()] == ["last month.xlsx"]


def test_a_folder_inside_an_input_folder_is_refused(here: Path) -> None:
    (here / "orders.parquet").mkdir()
    (here / "orders.parquet" / "part-0.parquet").write_bytes(b"PAR1")
    code, out, err = invoke("classify", "--engine", "spark", "orders.parquet", "-r", str(RULES),
                            "-o", "orders.parquet/tiers")
    assert (code, out) == (2, "")
    assert err == ("error: orders.parquet/tiers: the output folder 'orders.parquet/tiers' and the input "
                   "'orders.parquet' are one inside the other, so writing the folder could destroy the input; give -o "
                   "a folder elsewhere\n")


def test_a_report_inside_the_folder_is_refused(here: Path) -> None:
    (here / "out").mkdir()
    assert refused("--engine", "spark", "-o", "out", "--report", "out/report.html") == (
        "out/report.html: the report 'out/report.html' is inside the output folder 'out', which is written as a "
        "whole; give it a path outside that folder")


def test_an_existing_file_is_refused(here: Path) -> None:
    (here / "out").write_text("mine")
    assert refused("--engine", "spark", "-o", "out") == (
        "out: 'out' is a file, and with --engine spark -o names a folder to create; give -o another name")


def test_a_link_is_refused(here: Path) -> None:
    (here / "runs").mkdir()
    (here / "out").symlink_to(here / "runs")
    assert refused("--engine", "spark", "-o", "out") == (
        "out: 'out' is a link, and with --engine spark -o names a folder to create in its place; give -o the folder "
        "the link points to, or a new name")
    assert (here / "out").is_symlink()


@pytest.mark.parametrize(("args", "message"), [
    (["--engine", "sprak"], "unknown engine 'sprak' (did you mean 'spark'?); use duckdb or spark"),
    (["--spark-master", "local[2]"], "--spark-master is for --engine spark: add --engine spark, or leave "
                                     "--spark-master out"),
    (["--spark-remote", "sc://localhost:15002"], "--spark-remote is for --engine spark: add --engine spark, or "
                                                 "leave --spark-remote out"),
    (["--engine", "spark", "--threads", "2"], "--threads sets DuckDB's threads, and --engine spark runs on the "
                                              "cores Spark has (--spark-master local[N], or the cluster's): leave "
                                              "--threads out"),
])
def test_options_that_dont_go_together(here: Path, args: list[str], message: str) -> None:
    assert refused(*args, "-o", "out") == message
    assert not (here / "out").exists()


def test_the_default_output_is_a_folder_named_after_the_first_input(here: Path) -> None:
    (here / "orders.tiers").mkdir()
    (here / "orders.tiers" / "x").write_text("")
    code, _, err = invoke("classify", "--engine", "spark", "orders.csv", "-r", str(RULES))
    assert code == 2 and "the folder 'orders.tiers' already exists and is not empty" in err


def test_spark_connect_from_spark_remote_gives_the_local_runs_customers(spark: Any, tmp_path: Path) -> None:
    """$SPARK_REMOTE picks a Spark Connect server: `local[2]` makes PySpark start one on this machine, in a
    process of its own (a client and a classic session can't share one Python process, so the CLI runs as one)."""
    import os
    import subprocess
    import sys

    fixture = REPO / "tests" / "fixtures" / "platforms" / "stripe_unified_payments.csv"
    out, local = tmp_path / "out", tmp_path / "local.parquet"
    env = {**os.environ, "SPARK_REMOTE": "local[2]", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "tiercli", "classify", "--engine", "spark", str(fixture), "-r",
                           str(RULES), "-o", str(out), "-q"], capture_output=True, text=True, env=env,
                          check=False, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    code, _, err = invoke("classify", str(fixture), "-r", str(RULES), "-o", str(local), "-q")
    assert code == 0, err
    assert pq.read_table(out / "customers").to_pylist() == pq.read_table(local).to_pylist()
