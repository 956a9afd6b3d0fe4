"""Shared helpers: run the whole pipeline on small hand-written inputs."""

from __future__ import annotations

import atexit
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tiercli.cli.app import app
from tiercli.database import Database, open_database
from tiercli.engine.figures import compute_figures
from tiercli.pipeline import RunConfig, run
from tiercli.profiles.detect import header_score
from tiercli.result import Figures, Result
from tiercli.rules.load import parse_rules
from tiercli.runfolder import RunFolder
from tiercli.sources.readers import RawTable, read_files

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "research" / "data"

SIMPLE_RULES = """
version: 1
name: test
tiers:
  - {name: big, when: "monetary >= 1000"}
  - {name: repeat, when: "frequency >= 2"}
  - {name: base}
tags:
  - {name: recent, when: "recency_days <= 30"}
"""


FUZZ_CASES = 200  # what CI runs; `pytest -m fuzz --fuzz-cases 5000` runs more


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz-cases", type=int, default=FUZZ_CASES, help="number of seeded fuzz cases to run")
    parser.addoption("--fuzz-seed", type=int, default=0, help="the first fuzz case's seed")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fuzz_seed" in metafunc.fixturenames:
        first = metafunc.config.getoption("--fuzz-seed")
        count = metafunc.config.getoption("--fuzz-cases")
        metafunc.parametrize("fuzz_seed", range(first, first + count))


@pytest.fixture(autouse=True)
def english_plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """An English locale and nothing that forces a terminal or turns colour off, whatever the machine has."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
                 "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules: str, orders: str) -> Path:
    """A working folder holding rules.yaml and orders.csv, made the current directory (as a user runs tiercli)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "rules.yaml", rules)
    write(tmp_path, "orders.csv", orders)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    """Run `tiercli ARGS` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def classify(*files: Path, rules: str = SIMPLE_RULES, **options: object) -> Result:
    return run(RunConfig(files=[str(f) for f in files], rules=parse_rules(rules), **options))  # type: ignore[arg-type]


def rows_by_customer(result: Result) -> dict[str, dict[str, object]]:
    return {row["customer_id"]: row for row in result.customers.to_pylist()}


def read_raw(path: Path, **options: object) -> tuple[Database, RawTable]:
    """One input file read as a run reads it: (the database it is attached to, its raw table `raw_0`)."""
    folder = RunFolder()
    folder.open()
    atexit.register(folder.close)
    db, (raw,) = read_files([str(path)], folder.folder, header_score=header_score, **options)  # type: ignore[arg-type]
    return db, raw


def figures_of(table: pa.Table, tags: Sequence[str] = (), **options: object) -> Figures:
    """The report's figures of a customers table built by hand, computed as a run computes them."""
    with open_database() as db:
        db.register("customers_by_hand", table)
        return compute_figures(db, "customers_by_hand", tags, **options)  # type: ignore[arg-type]


def shared_file(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data {path.name} not available: ../shared/research/data is absent in this checkout")
    return path


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local SparkSession for every Spark test (a JVM takes seconds to start): `local[2]`, UI off, two
    shuffle partitions, UTC, its warehouse in a temporary folder (a catalog lookup creates it), a 3g heap (the
    executors' checkpoints of some 60 whole runs live in it: 1g ended in garbage collection without end).
    Skipped without PySpark or Java (.ci/run installs both)."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed: pip install -e '.[test,spark]'")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 or 21 (`java` is not on PATH); .ci/run installs it")
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (SparkSession.builder.master("local[2]").appName("tiercli-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "3g")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
