"""`tiercli sql --dialect spark` runs on Spark and gives, value for value, the customers DuckDB gives.

The canonical `orders` of each input are what tiercli's own cleaning leaves in DuckDB (a local run's first half);
they go to Spark as Parquet with microsecond timestamps. DuckDB's answer is its run of `classification_sql` on that
database (tests/engine/test_query.py shows it is a local run's classification); Spark's is the exported query.
Compared: every row and column, in order — customers, metrics (money as decimals, so to the cent), scores,
segments, lifecycle, tiers, tags, why texts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tiercli.engine.dialects import schema_of
from tiercli.engine.query import ORDERS_DDL, classification_sql, export_sql
from tiercli.messages import say
from tiercli.pipeline import RunConfig, _cleaned
from tiercli.rules.load import load_rules, parse_rules
from tiercli.rules.model import Rules
from tiercli.sqltext import identifier

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[test,spark]'")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17 or 21 (`java` is not on PATH); .ci/run installs it", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
PRESETS = REPO / "src" / "tiercli" / "rules" / "presets"
GENERATED_LINES = 200_000

# Custom metrics, helpers and tags beside the built-in metrics: what a rules file adds to the query.
CUSTOM = """
version: 1
name: spark
rfm: {rfm}
metrics:
  beauty: "sum(amount) filter (where category = '美妆')"
  recent_orders: "count(distinct order_id) filter (where days_ago <= 60)"
  big_lines: "count(*) filter (where amount >= 500)"
tiers:
  - {{name: 大客, when: "monetary >= 3000 or share(category, '美妆') > 0.6"}}
  - {{name: 复购, when: "frequency >= 2 and aov > 150"}}
  - {{name: 其他}}
tags:
  - {{name: 美妆, when: "beauty > 100"}}
  - {{name: 近期, when: "recent_orders >= 1 and segment <> 'Lost'"}}
  - {{name: 大单, when: "big_lines >= 2 or refund_rate > 0.1"}}
  - {{name: 间隔, when: "avg_days_between_orders between 10 and 60.5"}}
"""

RFM_VARIANTS = {
    "quantile": "{bins: 5}",
    "ties-split": "{bins: 4, ties: split}",
    "r-rfm": "{segments: r-rfm}",
    "pymc": "{segments: pymc}",
    "cn8-mean": "{segments: cn-8, compare: mean}",
    "cn8-median": "{segments: cn-8, compare: median}",
    "thresholds": "{bins: 3, method: thresholds, thresholds: {recency: [30, 90], frequency: [2, 3], "
                  "monetary: [100, 1000]}}",
}


class Orders:
    """One input cleaned by tiercli: its orders as Parquet, and the DuckDB database they came from."""

    def __init__(self, path: Path, rules: Rules, folder: Path) -> None:
        self.parquet = folder / f"{path.stem}.parquet"
        self._cleaned = _cleaned(RunConfig(files=[str(path)], rules=rules))
        self.db, _, cleaned = self._cleaned.__enter__()
        self.as_of: datetime = cleaned.as_of
        columns = ", ".join(f"CAST({identifier(c)} AS {kind}) AS {identifier(c)}"
                            for c, kind in schema_of([ORDERS_DDL])["orders"].items())
        table = self.db.arrow(f"SELECT {columns} FROM orders")
        assert table.schema.field("order_ts").type == pa.timestamp("us")  # Spark refuses nanoseconds
        pq.write_table(table, self.parquet)

    def duckdb(self, rules: Rules) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.db.execute(classification_sql(rules, self.as_of)).fetchall()
        return rows

    def close(self) -> None:
        self._cleaned.__exit__(None, None, None)


def spark_rows(spark: SparkSession, orders: Orders, rules: Rules) -> list[tuple[Any, ...]]:
    spark.read.parquet(str(orders.parquet)).createOrReplaceTempView("orders")
    exported = export_sql(rules, "spark", orders.as_of)
    # nothing the rewrite can't make identical, but the mean cn-8 compares with (a sum of doubles)
    mean = rules.rfm.segments == "cn-8" and rules.rfm.compare == "mean"
    assert exported.notes == ([say("engine.sql.spark_order", function="avg")] if mean else [])
    return [tuple(row) for row in spark.sql(exported.sql.rstrip().rstrip(";")).collect()]


def assert_identical(expected: list[tuple[Any, ...]], got: list[tuple[Any, ...]]) -> None:
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert have == want, next(f"column {i}: DuckDB {w!r}, Spark {h!r} (customer {want[0]})"
                                  for i, (w, h) in enumerate(zip(want, have, strict=True)) if w != h)
        for w, h in zip(want, have, strict=True):  # a decimal stays a decimal: money compares to the cent
            assert type(w) is type(h) or (w is None and h is None) or {type(w), type(h)} <= {int, bool}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="module")
def tmall(folder: Path) -> Iterator[Orders]:
    orders = Orders(SAMPLES / "tmall_orders.xlsx", load_rules(REPO / "rules.example.yaml"), folder)
    yield orders
    orders.close()


@pytest.fixture(scope="module")
def generated(folder: Path) -> Iterator[Orders]:
    path = folder / "generated.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_orders.py"), str(GENERATED_LINES), str(path),
                    "--seed", "7"], check=True, capture_output=True)
    orders = Orders(path, load_rules(REPO / "rules.example.yaml"), folder)
    yield orders
    orders.close()


@pytest.mark.parametrize("rules_file", ["rules.example.yaml", "tmall-5", "rfm", "lifecycle", "taobao-vip",
                                        "us-value"])
def test_tmall_sample_on_spark_is_duckdb(spark: SparkSession, tmall: Orders, rules_file: str) -> None:
    rules = load_rules(REPO / rules_file if rules_file.endswith(".yaml") else PRESETS / f"{rules_file}.yaml")
    expected = tmall.duckdb(rules)
    assert len(expected) > 1000 and len({row[1] for row in expected}) >= 3  # many customers over several tiers
    assert_identical(expected, spark_rows(spark, tmall, rules))


def test_shopify_sample_on_spark_is_duckdb(spark: SparkSession, folder: Path) -> None:
    rules = load_rules(PRESETS / "us-value.yaml")
    orders = Orders(SAMPLES / "shopify_orders_export.csv", rules, folder)
    try:
        expected = orders.duckdb(rules)
        assert len(expected) > 100
        assert any(isinstance(v, Decimal) and v != v.quantize(Decimal(1)) for row in expected for v in row)
        assert_identical(expected, spark_rows(spark, orders, rules))
    finally:
        orders.close()


@pytest.mark.parametrize("variant", list(RFM_VARIANTS))
def test_generated_orders_on_spark_are_duckdb(spark: SparkSession, generated: Orders, variant: str) -> None:
    rules = parse_rules(CUSTOM.format(rfm=RFM_VARIANTS[variant]))
    expected = generated.duckdb(rules)
    assert len(expected) > 15_000
    assert {row[1] for row in expected} == {"大客", "复购", "其他"}
    assert_identical(expected, spark_rows(spark, generated, rules))



# Customers who sit on the traps between the two engines, each with what DuckDB (so tiercli) computes by hand.
TRAP_RULES = """
version: 1
name: traps
tiers:
  - {name: 每单超百, when: "monetary / (frequency - 1) > 100"}
  - {name: 其他}
tags:
  - {name: 单数, when: "frequency % (frequency - 1) = 0"}
"""
TRAP_ORDERS = [
    # aov = 2.01 / 2 = 1.005 in DOUBLE (1.00499…): DuckDB's cast gives 1.00, Spark's 1.01
    ("aov", "a1", "2024-05-01 10:00:00", "1.00", "0"),
    ("aov", "a2", "2024-05-02 10:00:00", "1.01", "0"),
    # refund_rate = 3 / 160 = 0.01875 (0.018749…): DuckDB's round gives 0.0187, Spark's 0.0188
    ("refund", "r1", "2024-06-01 10:00:00", "157.00", "3.00"),
    # 0.9 s → 4320.1 s crosses 4320 second boundaries (DuckDB), 4319.2 s elapse (Spark): 0.05 days → 0.1 vs 0.0
    ("seconds", "s1", "2024-07-01 00:00:00.9", "50.00", "0"),
    ("seconds", "s2", "2024-07-01 01:12:00.1", "60.00", "0"),
    # one order: monetary / (frequency - 1) and frequency % 0 are NULL in DuckDB, an error in Spark's ANSI mode
    ("single", "o1", "2024-08-01 10:00:00", "500.00", "0"),
]


def test_customers_on_the_traps_get_duckdbs_values_on_spark(spark: SparkSession, folder: Path) -> None:
    con = duckdb.connect()
    con.execute(ORDERS_DDL)
    con.executemany("INSERT INTO orders (customer_id, order_id, order_ts, amount, refund_amount, discount_amount, "
                    "quantity) VALUES (?, ?, CAST(? AS TIMESTAMP), CAST(? AS DECIMAL(18, 4)), "
                    "CAST(? AS DECIMAL(18, 4)), 0, 1)", TRAP_ORDERS)
    path = folder / "traps.parquet"
    pq.write_table(con.sql("SELECT * FROM orders").to_arrow_table(), path)
    rules = parse_rules(TRAP_RULES)
    as_of = datetime(2024, 10, 31, 23, 59, 59)
    duck = con.execute(classification_sql(rules, as_of)).fetchall()
    spark.read.parquet(str(path)).createOrReplaceTempView("orders")
    exported = export_sql(rules, "spark", as_of)
    got = [tuple(row) for row in spark.sql(exported.sql.rstrip().rstrip(";")).collect()]
    assert_identical(duck, got)
    names = [f.name for f in spark.sql(exported.sql.rstrip().rstrip(";")).schema.fields]
    by_customer = {row[0]: dict(zip(names, row, strict=True)) for row in got}
    assert by_customer["aov"]["aov"] == Decimal("1.00")
    assert by_customer["refund"]["refund_rate"] == 0.0187
    assert by_customer["seconds"]["avg_days_between_orders"] == 0.1
    assert by_customer["single"]["tier"] == "其他" and by_customer["single"]["tags"] is None
    assert by_customer["aov"]["tags"] == "单数"  # 2 % 1 = 0
    # … where Spark's own functions give the other value: without the rewrites the rows would differ
    plain = spark.sql("SELECT CAST(try_divide(2.01BD, 2) AS DECIMAL(18, 2)), round(3D / 160D, 4), "
                      "timestampdiff(SECOND, TIMESTAMP_NTZ '2024-07-01 00:00:00.9', "
                      "TIMESTAMP_NTZ '2024-07-01 01:12:00.1')").collect()[0]
    assert tuple(plain) == (Decimal("1.01"), 0.0188, 4319)


MEMBER_EVENT_RULES = """
version: 1
name: members and events
tiers:
  - {name: 金卡, when: "member_level = 'gold' and frequency >= 1"}
  - {name: 新会员, when: "is_member and registered_days < 120"}
  - {name: 其他}
tags:
  - {name: 浏览, when: "views_30d >= 1 or carts_90d >= 2"}
  - {name: 转化, when: "view_to_buy >= 0.5"}
  - {name: 久未浏览, when: "days_since_view > 60"}
  - {name: 生日月, when: "birth_month = 10 or age >= 40"}
"""
EVENT_KINDS = {"浏览": "view", "收藏": "favourite", "加购": "cart", "购买": "purchase"}


def test_members_and_events_on_spark_are_duckdb(spark: SparkSession, tmall: Orders, folder: Path) -> None:
    """--members and --events: member attributes and behaviour metrics (tmall_events.csv), members without orders."""
    kinds = " ".join(f"WHEN '{zh}' THEN '{en}'" for zh, en in EVENT_KINDS.items())
    tmall.db.register("events_csv", pacsv.read_csv(SAMPLES / "tmall_events.csv", convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(["买家会员名", "行为时间", "行为", "商品", "类目"], pa.string()))))
    tmall.db.execute(f"""CREATE OR REPLACE TABLE events AS SELECT "买家会员名" AS customer_id,
        CAST("行为时间" AS TIMESTAMP) AS event_ts, CASE "行为" {kinds} END AS event, "商品" AS product,
        "类目" AS category FROM events_csv
        WHERE "行为" IN ({", ".join(f"'{zh}'" for zh in EVENT_KINDS)})""")
    tmall.db.execute("""CREATE OR REPLACE TABLE members AS
        SELECT customer_id, TIMESTAMP '2026-09-01 08:30:00' - to_days(CAST(n * 7 AS INTEGER)) AS registered_at,
            DATE '1980-01-15' + to_days(CAST(n * 37 AS INTEGER)) AS birthday,
            CASE n % 3 WHEN 0 THEN 'gold' WHEN 1 THEN 'silver' END AS member_level, NULL::VARCHAR AS member_region,
            NULL::VARCHAR AS member_channel, NULL::VARCHAR AS member_gender
        FROM (SELECT customer_id, row_number() OVER (ORDER BY customer_id) AS n
              FROM (SELECT DISTINCT customer_id FROM orders) ORDER BY customer_id LIMIT 400)
        UNION ALL SELECT 'member-without-orders', TIMESTAMP '2026-10-01 00:00:00', DATE '1990-10-02', 'gold',
            NULL, NULL, NULL""")
    rules = parse_rules(MEMBER_EVENT_RULES)
    expected = tmall.db.execute(classification_sql(rules, tmall.as_of, members=True, events=True)).fetchall()
    assert "member-without-orders" in {row[0] for row in expected}
    assert len({row[1] for row in expected}) == 3
    tags = {tag for row in expected for tag in (row[2] or "").split(", ")}
    assert {"浏览", "转化", "久未浏览", "生日月"} <= tags
    for table in ("members", "events"):
        path = folder / f"{table}.parquet"
        pq.write_table(tmall.db.arrow(f"SELECT * FROM {table}"), path)
        spark.read.parquet(str(path)).createOrReplaceTempView(table)
    spark.read.parquet(str(tmall.parquet)).createOrReplaceTempView("orders")
    exported = export_sql(rules, "spark", tmall.as_of, members=True, events=True)
    assert exported.notes == []
    assert_identical(expected, [tuple(row) for row in spark.sql(exported.sql.rstrip().rstrip(";")).collect()])
