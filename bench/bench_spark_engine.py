"""Time a whole run on Spark local[2] (`classify --engine spark`) against the same run on DuckDB.

    python bench/bench_spark_engine.py [--lines 100k --lines 1M] [--repeat 2] [--seed 7] [--regen]

The input is gen_orders.py's CSV (bench/out/orders_<N>_s<seed>.csv, shared with run_bench.py) and the rules
bench/rules.bench.yaml. Each run is a fresh process, interleaved (duckdb, spark, duckdb, spark …):

  duckdb  `pipeline.run` (read, clean, classify, figures), then the customers and excluded rows written as
          Parquet files (what a Spark run writes); timed: all of it.
  spark   a SparkSession local[2] started (JVM with a 4g heap, and session: "start-up"), then the same
          `pipeline.run` with engine="spark" (the CSV read by Spark), the customers and excluded rows written by
          Spark as Parquet folders; timed: start-up, and the run and writes alone ("start-up excluded").

After each pair the two runs' figures are compared: customers, rows used and excluded per reason, Σ monetary and
Σ frequency (the headline figures). A difference stops the script (exit 1). It prints the medians, the ratios
to DuckDB and Spark's order lines per second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RULES = BENCH / "rules.bench.yaml"
MARK = "__bench__="
DRIVER_MEMORY = "4g"  # the local JVM's heap, as bench_spark.py gives it

sys.path.insert(0, str(BENCH))
from gen_orders import parse_count  # noqa: E402
from run_bench import ensure_input, machine  # noqa: E402


def _worker(engine: str, csv: str, dst: str) -> None:
    """One run in this process; prints MARK + JSON of its timings and figures."""
    import pyarrow.parquet as pq

    from tiercli.pipeline import RunConfig, run
    from tiercli.rules.load import load_rules

    rules = load_rules(RULES)
    started = time.perf_counter()
    start_up = 0.0
    if engine == "spark":
        from tiercli.engine.sparkdb import open_session

        open_session("local[2]").conf.set("spark.sql.shuffle.partitions", "2")
        start_up = time.perf_counter() - started
    t0 = time.perf_counter()
    with run(RunConfig(files=[csv], rules=rules, engine=engine, spark_master="local[2]")) as result:
        out = Path(dst)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        if result.cluster is not None:
            for table in ("customers", "excluded"):
                result.cluster.write(table, str(out / table))
        else:
            pq.write_table(result.customers.read(), out / "customers.parquet")
            pq.write_table(result.excluded.read(), out / "excluded.parquet")
        kpis = result.figures.kpis
        revenue = kpis.revenue if kpis is not None else None
        facts = {"customers": result.customers.num_rows, "used": sum(f.rows_used for f in result.inputs),
                 "excluded": result.excluded_by_reason, "revenue": None if revenue is None else round(revenue, 2),
                 "orders": kpis.orders if kpis is not None else None}
    print(MARK + json.dumps({"start_up": start_up, "run": time.perf_counter() - t0, "facts": facts}), flush=True)


def _once(engine: str, csv: Path, lines: int) -> dict[str, object]:
    dst = OUT / f"engine_{engine}_{lines}"
    t0 = time.perf_counter()
    env = {**os.environ, "PYSPARK_SUBMIT_ARGS": f"--driver-memory {DRIVER_MEMORY} pyspark-shell"}
    done = subprocess.run([sys.executable, __file__, "--worker", engine, str(csv), str(dst)], capture_output=True,
                          text=True, check=False, env=env)
    wall = time.perf_counter() - t0
    found = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not found:
        raise SystemExit(f"{engine} run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    measured: dict[str, object] = json.loads(found[0][len(MARK):])
    measured["wall"] = wall
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", action="append", type=parse_count, help="order lines (repeatable; 100k, 1M …)")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved pairs (medians are compared)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regen", action="store_true", help="rebuild the cached inputs")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(*args.worker)
        return 0
    rows = ["| order lines | DuckDB run (s) | Spark start-up (s) | Spark run (s) | Spark incl. start-up (s) | "
            "ratio excl. | ratio incl. | Spark lines/s |", "|---|---|---|---|---|---|---|---|"]
    for lines in args.lines or [100_000, 1_000_000]:
        (csv,), how = ensure_input("csv", lines, args.seed, args.regen)
        print(f"{lines:,} lines: {csv.relative_to(ROOT)} ({how})", file=sys.stderr, flush=True)
        duck: list[float] = []
        start: list[float] = []
        spark: list[float] = []
        for k in range(args.repeat):
            d = _once("duckdb", csv, lines)
            s = _once("spark", csv, lines)
            if d["facts"] != s["facts"]:
                print(f"different results: DuckDB {d['facts']}, Spark {s['facts']}", file=sys.stderr)
                return 1
            duck.append(float(str(d["run"])))
            start.append(float(str(s["start_up"])))
            spark.append(float(str(s["run"])))
            print(f"  pair {k + 1}: DuckDB {duck[-1]:.1f} s, Spark {start[-1]:.1f} + {spark[-1]:.1f} s; same figures",
                  file=sys.stderr, flush=True)
        md, ms, mr = statistics.median(duck), statistics.median(start), statistics.median(spark)
        rows.append(f"| {lines:,} | {md:.2f} | {ms:.2f} | {mr:.2f} | {ms + mr:.2f} | {mr / md:.1f}× | "
                    f"{(ms + mr) / md:.1f}× | {lines / mr:,.0f} |")
    print("\n".join(rows))
    print()
    print("\n".join(machine()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
