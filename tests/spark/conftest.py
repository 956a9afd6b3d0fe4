"""One local SparkSession for every Spark test module (a JVM takes seconds to start): `local[2]`, UI off, two
shuffle partitions, UTC. The module skips when pyspark or Java is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[test,spark]'")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17 or 21 (`java` is not on PATH); .ci/run installs it", allow_module_level=True)


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")  # a catalog lookup creates it: not in the repo

    session = (SparkSession.builder.master("local[2]").appName("tiercli-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
