"""The least SQL pipeline that does the part of tiercli's work every customer table needs, as a bound.

    python bench/bare_pipeline.py ORDERS.csv OUT.parquet [--store memory|file]

It reads the generic bench layout (gen_orders.py), cleans every mapped cell with tiercli's own macros (tc, ts_iso,
money), keeps one lines table with a reason per line, then aggregates: lines to orders, orders to customers (counts,
money, first/last order, one window of each kind), distinct products, distinct categories with the top category,
the most frequent region; joins them and writes Parquet. Nothing else: no row numbers, no messages or original
cells of excluded rows, no masked keys, no row accounting, no scores, segments, tiers or tags.

It is the arrangement tiercli itself uses (materialise the cleaned lines once, aggregate from them), in the fewest
statements; `run_bench.py --step bare` times it beside the floors, so a target stated as a multiple of a floor can
be checked against the least work that meets the issue's definition of a result. `--store file` keeps the tables in
a database file in a temporary folder like a tiercli run does; `--store memory` keeps them in memory (spilling to
the same folder).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb

from tiercli.engine.clean import install_macros

AS_OF = "TIMESTAMP '2026-10-31 23:59:59'"


class _Script:
    """What install_macros needs of a database: a way to run a script."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def script(self, sql: str) -> None:
        self.con.execute(sql)


def statements(src: str, dst: str) -> list[str]:
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(9)) + "}"
    read = (f"read_csv('{src}', header = false, skip = 1, delim = ',', quote = '\"', escape = '\"', "
            f"columns = {cols}, all_varchar = true, auto_detect = false, null_padding = true, strict_mode = false)")
    used = "FROM lines WHERE reason IS NULL"
    return [
        f"""CREATE TABLE lines AS SELECT customer_id, order_id, order_ts, amount, quantity, product, category, region,
            CASE WHEN customer_id IS NULL THEN 'missing_customer' WHEN order_ts IS NULL THEN 'bad_date'
                 WHEN amount IS NULL THEN 'bad_amount' WHEN status = 'paid' THEN NULL
                 WHEN status IN ('cancelled', 'unpaid') THEN status ELSE 'unknown_status' END AS reason
            FROM (SELECT tc(c1) AS customer_id, tc(c0) AS order_id, ts_iso(c2) AS order_ts, money(c3) AS amount,
                         money(c4) AS quantity, tc(c5) AS product, tc(c6) AS category, tc(c7) AS region,
                         tc(c8) AS status FROM {read})""",
        f"""CREATE TABLE per_order AS SELECT customer_id, order_id, min(order_ts) AS order_ts, sum(amount) AS amount,
            sum(quantity) AS quantity {used} GROUP BY customer_id, order_id""",
        f"""CREATE TABLE agg AS SELECT customer_id, count(*) AS frequency, sum(amount) AS monetary,
            min(order_ts) AS first_order, max(order_ts) AS last_order, sum(quantity) AS quantity,
            count(*) FILTER (WHERE order_ts > {AS_OF} - INTERVAL 90 DAY) AS orders_90d,
            sum(amount) FILTER (WHERE order_ts > {AS_OF} - INTERVAL 365 DAY) AS spend_365d
            FROM per_order GROUP BY customer_id""",
        f"""CREATE TABLE products AS SELECT customer_id, count(*) AS distinct_products
            FROM (SELECT DISTINCT customer_id, product {used}) GROUP BY customer_id""",
        f"""CREATE TABLE categories AS SELECT customer_id, count(*) AS distinct_categories,
            arg_max(category, weight) AS top_category
            FROM (SELECT customer_id, category, sum(amount) AS weight {used} GROUP BY ALL) GROUP BY customer_id""",
        f"""CREATE TABLE regions AS SELECT customer_id, arg_max(region, weight) AS region
            FROM (SELECT customer_id, region, count(*) AS weight {used} GROUP BY ALL) GROUP BY customer_id""",
        f"""COPY (SELECT * FROM agg LEFT JOIN products USING (customer_id) LEFT JOIN categories USING (customer_id)
                  LEFT JOIN regions USING (customer_id)) TO '{dst}' (FORMAT parquet)""",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("orders")
    parser.add_argument("out")
    parser.add_argument("--store", choices=("memory", "file"), default="file")
    args = parser.parse_args()
    src, dst = (str(Path(p).resolve()).replace("'", "''") for p in (args.orders, args.out))
    with tempfile.TemporaryDirectory(prefix="bare-") as folder:
        store = ":memory:" if args.store == "memory" else str(Path(folder) / "run.duckdb")
        con = duckdb.connect(store, config={"memory_limit": "1000MB", "preserve_insertion_order": True,
                                            "temp_directory": folder})
        install_macros(_Script(con), None)
        for sql in statements(src, dst):
            con.execute(sql)
        con.close()


if __name__ == "__main__":
    main()
