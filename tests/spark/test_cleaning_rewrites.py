"""Each DuckDB function the cleaning uses, rewritten for Spark (engine.dialects), gives DuckDB's value on the
texts where the two engines differ as sqlglot transpiles them: the value DuckDB computes is the expectation, the
rewritten expression runs on Spark."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
import sqlglot

from tiercli.engine.dialects import spark_tree

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

CASES = [
    # two-digit years: DuckDB reads 69-99 as 19xx, Java's yy as 20xx
    ("try_strptime(x, ['%m/%d/%y', '%Y/%m/%d'])", ["3/4/69", "3/4/68", "12/31/99", "1/2/00", "2024/3/4", "x"]),
    # every strptime format, a Chinese one among them, with one-digit fields
    ("try_strptime(x, ['%Y年%m月%d日 %H:%M', '%d.%m.%Y %H:%M', '%Y/%m/%d %H:%M:%S'])",
     ["2024年3月4日 5:06", "4.3.2024 17:30", "2024/03/04 05:06:07", "2024-03-04"]),
    # the first match only (DuckDB without 'g'), anchored or not; \1 in the replacement
    (r"regexp_replace(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', '')",
     ["2024-05-01 10:00:05 +0000", "2024-05-01 10:00 Z", "no zone", "+0800 +0800"]),
    (r"regexp_replace(x, '([0-9])-', '\1/')", ["1-2-3", "a-b", "10-20"]),
    (r"regexp_replace(x, '^([0-9]+)\.0+$', '\1')", ["501.0", "501.5", "12.000"]),
    (r"regexp_replace(x, '[¥$\s]', '', 'g')", ["¥ 1 234", "$5", "none"]),
    # a match of the whole text
    ("regexp_full_match(x, '[0-9]{5}(\\.[0-9]+)?')", ["45370.25", "45370", "x45370", "453701"]),
    # characters above 127 (Spark's chr is chr(n % 256))
    ("trim(x, chr(32) || chr(12288))", ["\u3000a b\u3000", "  c  "]),
    # what DuckDB's cast to TIMESTAMP takes: not a bare year, not spaces around
    ("TRY_CAST(x AS TIMESTAMP)", ["2024", " 2024-01-02 ", "2024-1-2", "2024-01-02T10:11", "2024-01-02 10:11:12Z"]),
    # an instant at an offset, as a naive time in a zone
    ("timezone('GMT+08:00', TRY_CAST(x AS TIMESTAMPTZ))", ["2024-06-02 08:30:00+08:00", "2024-06-01 23:00:00+00:00"]),
    # an Excel serial number as a time
    ("TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))",
     ["45370.25", "45370"]),
]


def _duckdb(expression: str, value: str) -> Any:
    with duckdb.connect() as con:
        row = con.execute(f"SELECT {expression} FROM (SELECT ?::VARCHAR AS x)", [value]).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize(("expression", "values"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_rewritten_function_gives_duckdbs_value_on_spark(spark: Any, expression: str, values: list[str]) -> None:
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # as engine.sparkdb sets it
    tree = sqlglot.parse_one(f"SELECT {expression} AS v FROM t", read="duckdb")
    rendered = spark_tree(tree, {"t": {"x": "VARCHAR"}}).sql("spark")
    frame = spark.createDataFrame([(v,) for v in values], "x STRING")
    frame.createOrReplaceTempView("t")
    got = [row[0] for row in spark.sql(rendered).collect()]
    assert got == [_duckdb(expression, v) for v in values], rendered
