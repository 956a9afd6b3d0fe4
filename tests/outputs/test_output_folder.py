"""The output folder of a run whose rows stayed on a cluster (`--engine spark`), without Spark: a local run's rows
are handed to a stand-in cluster, and the result keeps only their columns and counts, as a Spark run's does. What
the folder holds, that the summary workbook never reads a row, and that a failed write leaves nothing."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import classify, write
from tiercli.errors import OutputError
from tiercli.outputs import cluster
from tiercli.outputs.plan import OutputPlan, write_outputs
from tiercli.result import Result, Rows

ORDERS = """
    customer_id,order_id,order_date,amount,status
    a,1,2024-01-05,1500,paid
    a,2,2024-02-05,100,paid
    b,3,2024-01-10,300,paid
    ,4,2024-03-10,200,paid
    c,5,not a date,50,paid
"""


class StandIn:
    """A cluster holding the rows of a local run: `write` puts a table in a Parquet folder, as Spark does."""

    def __init__(self, tables: dict[str, pa.Table], fail: str | None = None) -> None:
        self.tables = tables
        self.fail = fail
        self.written: list[str] = []

    def write(self, table: str, path: str) -> None:
        if table == self.fail:
            raise RuntimeError(f"Job aborted: {table}\n\tat org.apache.spark...")
        folder = Path(unquote(urlparse(path).path))
        folder.mkdir()  # an existing folder is an error, as Spark's errorifexists
        pq.write_table(self.tables[table], folder / "part-00000.parquet")
        self.written.append(table)


def cluster_result(tmp_path: Path, fail: str | None = None) -> tuple[Result, StandIn]:
    """A local run whose rows are moved to a stand-in cluster: the result keeps their columns and counts only."""
    result = classify(write(tmp_path, "orders.csv", ORDERS))
    tables = {"customers": result.customers.read(), "excluded": result.excluded.read()}
    stand_in = StandIn(tables, fail)
    result.customers = Rows.elsewhere(tables["customers"].schema, tables["customers"].num_rows)
    result.excluded = Rows.elsewhere(tables["excluded"].schema, tables["excluded"].num_rows)
    result.cluster = stand_in
    return result, stand_in


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_the_folder_holds_the_rows_as_parquet_and_the_figures_as_a_workbook(tmp_path: Path) -> None:
    result, stand_in = cluster_result(tmp_path)
    out = tmp_path / "runs" / "2024-03"  # made with its parent
    written = write_outputs(result, OutputPlan(str(out), folder=True, report=str(tmp_path / "r.html")))
    assert sorted(p.name for p in out.iterdir()) == ["customers", "excluded", "summary.xlsx"]
    assert pq.read_table(out / "customers").to_pylist() == stand_in.tables["customers"].to_pylist()
    excluded = pq.read_table(out / "excluded").to_pylist()
    assert [(row["row"], row["reason"]) for row in excluded] == [(5, "missing_customer"), (6, "bad_date")]
    assert written.folder == cluster.FolderWritten(f"{out}/customers", f"{out}/excluded", f"{out}/summary.xlsx",
                                                   2, 2)  # a and b; c has no usable row
    book = openpyxl.load_workbook(out / "summary.xlsx")
    assert book.sheetnames == ["Summary", "Tags", "Segments", "Lifecycle", "Thresholds", "Run", "ChartData"]
    where = (f"the customers and the excluded rows are not in this workbook: they are Parquet folders, "
             f"{out}/customers and {out}/excluded")
    assert where in [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    facts = {row[0]: row[1] for row in book["Run"].iter_rows(values_only=True)}
    assert facts["customers (Parquet folder)"] == f"{out}/customers"
    assert facts["excluded rows (Parquet folder)"] == f"{out}/excluded"
    assert where in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert leftovers(out.parent) == [] and leftovers(tmp_path) == []


def test_an_empty_folder_given_as_a_relative_path_is_filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = cluster_result(tmp_path)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    written = write_outputs(result, OutputPlan("out", folder=True))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["customers", "excluded", "summary.xlsx"]
    assert written.folder is not None and written.folder.customers == os.path.join("out", "customers")


@pytest.mark.parametrize("fail", ["customers", "excluded"])
def test_a_failed_write_leaves_nothing(tmp_path: Path, fail: str) -> None:
    result, _ = cluster_result(tmp_path, fail)
    out = tmp_path / "new" / "out"
    with pytest.raises(OutputError) as raised:
        write_outputs(result, OutputPlan(str(out), folder=True, report=str(tmp_path / "r.html")))
    assert str(raised.value) == f"{out}/{fail}: the cluster could not write this folder: Job aborted: {fail}"
    assert not (tmp_path / "new").exists()  # the parent it made is gone too
    assert not (tmp_path / "r.html").exists() and leftovers(tmp_path) == []


def test_a_folder_filled_meanwhile_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, stand_in = cluster_result(tmp_path)
    out = tmp_path / "out"
    real = stand_in.write

    def and_someone_else(table: str, path: str) -> None:
        real(table, path)
        out.mkdir(exist_ok=True)
        (out / "theirs.txt").write_text("keep me")

    monkeypatch.setattr(stand_in, "write", and_someone_else)
    with pytest.raises(OutputError, match="made or filled by something else"):
        write_outputs(result, OutputPlan(str(out), folder=True))
    assert [p.name for p in out.iterdir()] == ["theirs.txt"] and leftovers(tmp_path) == []


def test_a_local_result_is_not_written_as_a_folder(tmp_path: Path) -> None:
    result = classify(write(tmp_path, "orders.csv", ORDERS))
    with pytest.raises(OutputError, match="this run's rows are on this machine"):
        write_outputs(result, OutputPlan(str(tmp_path / "out"), folder=True))
    assert not (tmp_path / "out").exists()
