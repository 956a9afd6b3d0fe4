"""`tiercli sql FILES… --dialect spark`: the whole pipeline as a Spark SQL script. Run statement by statement on a
SparkSession over temporary views holding the files' rows, it gives what `tiercli classify` gives locally: every
customer and column, and every row left out with its reason and message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from script_cases import CASES, FIXTURES, REPO, ScriptCase, same_customers, script_case
from tiercli.rules.load import load_rules

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

EXAMPLE = load_rules(REPO / "rules.example.yaml")
SPARK_CASES = ["tmall-sample", "shopify-sample", "taobao", "youzan", "offsets-serials", "two-files"]


def run_on_spark(spark: Any, case: ScriptCase, message: str = "message") -> tuple[list[dict[str, Any]], list[Any]]:
    """(customers, left-out rows) of the script run on `spark`; its views and cache dropped afterwards."""
    for name, table in case.inputs.items():
        spark.createDataFrame(table).createOrReplaceTempView(name)
    try:
        *cleaning, query = case.exported.statements
        for statement in cleaning:
            spark.sql(statement)
        customers = sorted((r.asDict() for r in spark.sql(query).collect()), key=lambda r: r["customer_id"])
        lines, inputs = case.exported.tables["lines"], case.exported.tables["__inputs"]
        left = spark.sql(f"SELECT source_file, source_row, reason, {message} FROM {lines} "
                         f"JOIN {inputs} USING (__input) WHERE reason IS NOT NULL").collect()
        return customers, sorted(tuple(r) for r in left)
    finally:
        spark.sql("DROP SCHEMA IF EXISTS tiercli_work CASCADE")
        for name in case.inputs:
            spark.catalog.dropTempView(name)


@pytest.mark.parametrize("case", SPARK_CASES)
def test_the_spark_script_of_the_files_gives_the_local_run(spark: Any, case: str) -> None:
    got = script_case(CASES[case], EXAMPLE, "spark")
    customers, left_out = run_on_spark(spark, got)
    same_customers(customers, got.customers)
    assert [(f, int(r), reason) for f, r, reason, _ in left_out] == got.excluded


def test_the_spark_script_keeps_as_of_and_chinese_messages(spark: Any) -> None:
    files = [FIXTURES / "taobao_orders_gb18030.csv", FIXTURES / "taobao_items_gb18030.csv"]
    got = script_case(files, EXAMPLE, "spark", as_of=datetime(2024, 1, 31, 23, 59, 59), lang="zh")
    customers, left_out = run_on_spark(spark, got, "message_zh")
    same_customers(customers, got.customers)
    assert [(f, int(r), reason) for f, r, reason, _ in left_out] == got.excluded
    assert left_out and all(any("\u4e00" <= ch <= "\u9fff" for ch in r[3]) for r in left_out)
