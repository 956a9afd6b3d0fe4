"""Time tiercli's classification on Spark local[2] against DuckDB: the same query over the same canonical orders.

    python bench/bench_spark.py [--lines 1M ...] [--repeat 3] [--shuffle-partitions 2] [--driver-memory 4g]
                                [--rules bench/rules.bench.yaml] [--seed 7] [--regen]

Measured: the classification step only (metrics → scores → segments → tiers → tags), the query `tiercli sql`
prints. Reading and cleaning the export is not on Spark yet (`classify --engine spark` does not exist), so for each
size the script first makes the canonical `orders` with tiercli's own cleaning in DuckDB, once: gen_orders.py's
CSV (bench/out/orders_<N>_s<seed>.csv, shared with run_bench.py) → `pipeline._cleaned` with the rules →
bench/out/canonical_<N>_s<seed>.parquet (the `orders` columns and types of ORDERS_DDL, microsecond timestamps,
row groups of 131,072 rows) plus its as_of in a .json beside it. Then, interleaved `--repeat` times:

  duckdb     a fresh process: `classification_sql(rules, as_of)` over a view `orders` on that Parquet,
             COPY to bench/out/duckdb_<N>.parquet; timed: the COPY (DuckDB's default settings: 2 threads here)
  spark-new  a fresh process: SparkSession local[2] started (JVM + session), the Parquet as temp view `orders`,
             the exported Spark SQL (`export_sql(rules, "spark", as_of)`) written to bench/out/spark_new_<N>/
             (Parquet, never collected to the driver), session stopped; wall seconds = start-up included,
             the timed part = the query and write alone in that new session (start-up excluded, JVM still cold)
  spark-warm one session kept up for all runs of a size (started, and one untimed warm-up run of the same query,
             before the first run): the query and write alone, into bench/out/spark_warm_<N>/

After each run both Spark results are checked against DuckDB's: rows, Σ monetary, Σ frequency, customers per tier,
and every row and value (EXCEPT ALL both ways). Any difference stops the script (exit 1). It prints a Markdown
table (seconds, peak RSS, ratio to DuckDB of the same run, Spark's order lines per second), the ratios of the
medians, and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RULES = BENCH / "rules.bench.yaml"
ROW_GROUP = 131_072  # rows per Parquet row group: both engines split their reading on row groups
SHUFFLE_PARTITIONS = 2  # picked from 2 / 4 / 8 at 1M lines on 2 cores (bench/README.md)
DRIVER_MEMORY = "4g"
QUERY_MARK = "__bench_query_seconds__="
START_MARK = "__bench_start_seconds__="
RSS_MARK = "__bench_rss_mib__="
READY = "__bench_ready__"
WORKERS = ("_duckdb", "_spark_new", "_spark_warm")
KINDS = ("duckdb", "spark-new", "spark-warm")
LABELS = {
    "duckdb": "DuckDB",
    "spark-new": "Spark, new session",
    "spark-warm": "Spark, session already up",
}

sys.path.insert(0, str(BENCH))
from gen_orders import parse_count  # noqa: E402
from run_bench import SECONDS_MARK, ensure_input, machine, measure  # noqa: E402


@dataclass
class Run:
    lines: int
    kind: str
    run: int
    wall: float  # seconds of the whole process (spark-new: start-up included); spark-warm: the query alone
    query: float  # the query and its write alone
    start: float | None = None  # spark-new: JVM + session start
    rss_mib: float | None = None


@dataclass
class Canonical:
    parquet: Path
    as_of: datetime
    rows: int


# ---------------------------------------------------------------------------------------------------------------
# the workers: each runs in its own process


def _duckdb_worker(parquet: str, sql_file: str, dst: str) -> None:
    import duckdb

    from tiercli.sqltext import literal

    con = duckdb.connect()
    con.execute(f"CREATE VIEW orders AS SELECT * FROM read_parquet({literal(parquet)})")
    sql = Path(sql_file).read_text(encoding="utf-8")
    t0 = time.perf_counter()
    con.execute(f"COPY ({sql}) TO {literal(dst)} (FORMAT parquet)")
    print(f"{SECONDS_MARK}{time.perf_counter() - t0:f}", flush=True)


def _spark_session(partitions: str, memory: str) -> SparkSession:
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("tiercli-bench")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", partitions)
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", memory)
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_query(session: SparkSession, parquet: str, sql: str, dst: str) -> float:
    t0 = time.perf_counter()
    session.read.parquet(parquet).createOrReplaceTempView("orders")
    session.sql(sql).write.mode("overwrite").parquet(dst)
    return time.perf_counter() - t0


def _rss_mib(session: SparkSession) -> float:
    """Peak RSS of this Python process plus the JVM's (VmHWM of each)."""
    gateway: Any = session.sparkContext._gateway  # the JVM, started by spark-submit (which execs java)
    pids = [os.getpid(), gateway.proc.pid]
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def _spark_new_worker(parquet: str, sql_file: str, dst: str, partitions: str, memory: str) -> None:
    t0 = time.perf_counter()
    session = _spark_session(partitions, memory)
    print(f"{START_MARK}{time.perf_counter() - t0:f}", flush=True)
    seconds = _spark_query(session, parquet, Path(sql_file).read_text(encoding="utf-8"), dst)
    print(f"{QUERY_MARK}{seconds:f}", flush=True)
    print(f"{RSS_MARK}{_rss_mib(session):f}", flush=True)
    session.stop()


def _spark_warm_worker(parquet: str, sql_file: str, dst: str, partitions: str, memory: str) -> None:
    """Start a session, warm it up with one run, then one timed run per line read from stdin, until EOF."""
    session = _spark_session(partitions, memory)
    sql = Path(sql_file).read_text(encoding="utf-8")
    _spark_query(session, parquet, sql, dst)
    print(READY, flush=True)
    for _ in sys.stdin:
        seconds = _spark_query(session, parquet, sql, dst)
        print(f"{QUERY_MARK}{seconds:f} {RSS_MARK}{_rss_mib(session):f}", flush=True)
    session.stop()


# ---------------------------------------------------------------------------------------------------------------
# preparing the inputs


def canonical(lines: int, seed: int, rules_path: Path, regen: bool) -> Canonical:
    """The canonical orders of the size, made with tiercli's own cleaning once and cached in bench/out."""
    parquet = OUT / f"canonical_{lines}_s{seed}.parquet"
    meta = parquet.with_suffix(".json")
    if parquet.exists() and meta.exists() and not regen:
        facts = json.loads(meta.read_text(encoding="utf-8"))
        if facts["rules"] == rules_path.read_text(encoding="utf-8"):
            print(f"{lines:,} lines: {parquet.relative_to(ROOT)} (cached)", file=sys.stderr, flush=True)
            return Canonical(parquet, datetime.fromisoformat(facts["as_of"]), facts["rows"])
    (csv,), how = ensure_input("csv", lines, seed, regen)
    print(f"{lines:,} lines: {csv.relative_to(ROOT)} ({how}); cleaning it with tiercli …", file=sys.stderr, flush=True)

    import pyarrow as pa
    import pyarrow.parquet as pq

    from tiercli.engine.dialects import schema_of
    from tiercli.engine.query import ORDERS_DDL
    from tiercli.pipeline import RunConfig, _cleaned
    from tiercli.rules.load import load_rules
    from tiercli.sqltext import identifier

    t0 = time.perf_counter()
    part = parquet.with_suffix(".part.parquet")
    columns = ", ".join(f"CAST({identifier(c)} AS {kind}) AS {identifier(c)}"
                        for c, kind in schema_of([ORDERS_DDL])["orders"].items())
    rows = 0
    with _cleaned(RunConfig(files=[str(csv)], rules=load_rules(rules_path))) as (db, _, cleaned):
        reader = db.batches(f"SELECT {columns} FROM orders", ROW_GROUP)
        if reader.schema.field("order_ts").type != pa.timestamp("us"):  # Spark refuses nanoseconds
            raise SystemExit(f"order_ts is {reader.schema.field('order_ts').type}, not timestamp[us]")
        with pq.ParquetWriter(part, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch, row_group_size=ROW_GROUP)
                rows += batch.num_rows
        as_of = cleaned.as_of
    part.replace(parquet)
    meta.write_text(json.dumps({"as_of": as_of.isoformat(), "rows": rows,
                                "rules": rules_path.read_text(encoding="utf-8")}), encoding="utf-8")
    print(f"  {rows:,} canonical order lines, as_of {as_of}, in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr, flush=True)
    return Canonical(parquet, as_of, rows)


def queries(rules_path: Path, data: Canonical, lines: int) -> tuple[Path, Path, list[str]]:
    """The DuckDB query and the exported Spark query, written to bench/out, and the export's notes."""
    from tiercli.engine.query import classification_sql, export_sql
    from tiercli.rules.load import load_rules

    rules = load_rules(rules_path)
    duck, spark = OUT / f"classify_{lines}.duckdb.sql", OUT / f"classify_{lines}.spark.sql"
    duck.write_text(classification_sql(rules, data.as_of), encoding="utf-8")
    exported = export_sql(rules, "spark", data.as_of)
    spark.write_text(exported.sql.rstrip().rstrip(";"), encoding="utf-8")
    return duck, spark, exported.notes


# ---------------------------------------------------------------------------------------------------------------
# running and checking


def marked(stdout: str, mark: str) -> float | None:
    for part in stdout.split():
        if part.startswith(mark):
            return float(part[len(mark):])
    return None


def worker(name: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), name, *args]


def failed(what: str, returncode: int, stderr: str) -> SystemExit:
    tail = "\n".join(stderr.strip().splitlines()[-15:])
    return SystemExit(f"{what} failed (exit {returncode}):\n{tail}")


class WarmSpark:
    """A Spark session kept up in its own process: one timed run of the query per call."""

    def __init__(self, parquet: Path, sql: Path, dst: Path, partitions: int, memory: str) -> None:
        self.stderr = (OUT / "spark_warm.stderr").open("w", encoding="utf-8")
        self.proc = subprocess.Popen(worker("_spark_warm", str(parquet), str(sql), str(dst), str(partitions), memory),
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True)
        self._expect(READY)

    def _expect(self, mark: str) -> str:
        out: IO[str] | None = self.proc.stdout
        assert out is not None
        for line in out:
            if line.startswith(mark):
                return line
        self.proc.wait()
        raise failed("the warm Spark session", self.proc.returncode or 0,
                     (OUT / "spark_warm.stderr").read_text(encoding="utf-8", errors="replace"))

    def run(self) -> tuple[float, float | None]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self._expect(QUERY_MARK)
        seconds = marked(line, QUERY_MARK)
        assert seconds is not None
        return seconds, marked(line, RSS_MARK)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=120)
        self.stderr.close()


def figures(path: Path, tier: str) -> dict[str, object]:
    """What the check compares: rows, Σ monetary, Σ frequency, customers per tier."""
    import duckdb

    from tiercli.sqltext import identifier, literal

    con = duckdb.connect()
    source = f"read_parquet({literal(str(path / '*.parquet' if path.is_dir() else path))})"
    rows, monetary, frequency = con.execute(
        f"SELECT count(*), sum(monetary), sum(frequency) FROM {source}").fetchall()[0]
    per_tier = dict(con.execute(f"SELECT {identifier(tier)}, count(*) FROM {source} GROUP BY ALL ORDER BY 1")
                    .fetchall())
    return {"rows": rows, "Σ monetary": monetary, "Σ frequency": frequency, f"per {tier}": per_tier}


def differing_rows(a: Path, b: Path) -> int:
    import duckdb

    from tiercli.sqltext import literal

    con = duckdb.connect()
    x, y = (f"read_parquet({literal(str(p / '*.parquet' if p.is_dir() else p))})" for p in (a, b))
    found: int = con.execute(f"""SELECT count(*) FROM ((SELECT * FROM {x} EXCEPT ALL SELECT * FROM {y})
                                 UNION ALL (SELECT * FROM {y} EXCEPT ALL SELECT * FROM {x}))""").fetchall()[0][0]
    return found


def check(duck: Path, spark: Path, tier: str, what: str) -> str:
    """Spark's result against DuckDB's; stops the script when they differ."""
    want, got = figures(duck, tier), figures(spark, tier)
    problems = [f"{k}: DuckDB {want[k]!r}, Spark {got[k]!r}" for k in want if want[k] != got[k]]
    differ = differing_rows(duck, spark)
    if differ:
        problems.append(f"{differ:,} rows not in both")
    if problems:
        raise SystemExit(f"RESULTS DIFFER ({what}):\n  " + "\n  ".join(problems))
    return (f"{what}: identical — {want['rows']:,} customers, Σ monetary {want['Σ monetary']:,}, Σ frequency "
            f"{want['Σ frequency']:,}, per {tier} {want[f'per {tier}']}")


def run_size(lines: int, args: argparse.Namespace, rules_path: Path, tier: str) -> tuple[list[Run], list[str], int]:
    data = canonical(lines, args.seed, rules_path, args.regen)
    duck_sql, spark_sql, notes = queries(rules_path, data, lines)
    for note in notes:
        print(f"  export note: {note}", file=sys.stderr)
    duck_out = OUT / f"duckdb_{lines}.parquet"
    new_out, warm_out = OUT / f"spark_new_{lines}", OUT / f"spark_warm_{lines}"
    partitions = str(args.shuffle_partitions)
    print("  starting the warm Spark session (one untimed warm-up run) …", file=sys.stderr, flush=True)
    warm = WarmSpark(data.parquet, spark_sql, warm_out, args.shuffle_partitions, args.driver_memory)
    runs: list[Run] = []
    checks: list[str] = []
    try:
        for run in range(1, args.repeat + 1):
            print(f"  run {run}: DuckDB …", file=sys.stderr, flush=True)
            duck_out.unlink(missing_ok=True)
            m = measure(worker("_duckdb", str(data.parquet), str(duck_sql), str(duck_out)))
            if m.returncode or m.timed is None:
                raise failed("DuckDB", m.returncode, m.stderr)
            runs.append(Run(lines, "duckdb", run, m.seconds, m.timed, rss_mib=m.rss_mib))

            print(f"  run {run}: Spark, new session …", file=sys.stderr, flush=True)
            m = measure(worker("_spark_new", str(data.parquet), str(spark_sql), str(new_out), partitions,
                               args.driver_memory))
            query, start = marked(m.stdout, QUERY_MARK), marked(m.stdout, START_MARK)
            if m.returncode or query is None:
                raise failed("Spark (new session)", m.returncode, m.stderr)
            runs.append(Run(lines, "spark-new", run, m.seconds, query, start, marked(m.stdout, RSS_MARK)))

            print(f"  run {run}: Spark, session already up …", file=sys.stderr, flush=True)
            seconds, rss = warm.run()
            runs.append(Run(lines, "spark-warm", run, seconds, seconds, rss_mib=rss))

            checks.append(check(duck_out, new_out, tier, f"{lines:,} lines, run {run}, Spark new session"))
            checks.append(check(duck_out, warm_out, tier, f"{lines:,} lines, run {run}, Spark session already up"))
    finally:
        warm.close()
    return runs, checks, data.rows


# ---------------------------------------------------------------------------------------------------------------
# the report


def duck_of(r: Run, runs: list[Run]) -> Run:
    return next(d for d in runs if d.kind == "duckdb" and d.lines == r.lines and d.run == r.run)


def table(runs: list[Run], orders: dict[int, int]) -> list[str]:
    out = ["| lines | orders rows | engine | run | wall s | start-up s | query s | peak RSS MiB | wall / DuckDB |"
           " query / DuckDB | lines / s (query) |",
           "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        d = duck_of(r, runs)
        wall = f"{r.wall:.2f}" if r.kind != "spark-warm" else "–"  # a warm run is its query alone
        start = f"{r.start:.2f}" if r.start is not None else "–"
        rss = f"{r.rss_mib:,.0f}" if r.rss_mib is not None else "?"
        ratio_wall = f"{r.wall / d.wall:.1f}×" if r.kind == "spark-new" else "–"
        ratio_query = f"{r.query / d.query:.1f}×" if r.kind != "duckdb" else "–"
        out.append(f"| {r.lines:,} | {orders[r.lines]:,} | {LABELS[r.kind]} | {r.run} | {wall} | {start} | "
                   f"{r.query:.2f} | {rss} | {ratio_wall} | {ratio_query} | {orders[r.lines] / r.query:,.0f} |")
    return out


def medians(runs: list[Run], orders: dict[int, int]) -> list[str]:
    out = []
    for lines in sorted({r.lines for r in runs}):
        of = {k: [r for r in runs if r.lines == lines and r.kind == k] for k in KINDS}
        duck = statistics.median(r.query for r in of["duckdb"])
        duck_wall = statistics.median(r.wall for r in of["duckdb"])
        new_wall = statistics.median(r.wall for r in of["spark-new"])
        new_query = statistics.median(r.query for r in of["spark-new"])
        start = statistics.median(r.start or 0.0 for r in of["spark-new"])
        warm = statistics.median(r.query for r in of["spark-warm"])
        n = len(of["duckdb"])
        out.append(
            f"- {lines:,} lines ({orders[lines]:,} canonical order lines), medians of {n} run(s): DuckDB "
            f"query **{duck:.2f} s** ({orders[lines] / duck:,.0f} lines/s), whole process {duck_wall:.2f} s; Spark "
            f"new session **{new_wall:.2f} s** with start-up (**{new_wall / duck_wall:.1f}×** DuckDB's process; "
            f"JVM + session {start:.2f} s, then the query {new_query:.2f} s = {new_query / duck:.1f}× DuckDB's "
            f"query, {orders[lines] / new_query:,.0f} lines/s); Spark session already up **{warm:.2f} s** "
            f"(**{warm / duck:.1f}×** DuckDB's query, {orders[lines] / warm:,.0f} lines/s)")
    return out


def spark_facts(args: argparse.Namespace) -> list[str]:
    java = subprocess.run(["java", "-version"], capture_output=True, text=True)
    first = (java.stderr or java.stdout).splitlines()[:1]
    try:
        import pyspark

        version = f"pyspark {pyspark.__version__}"
    except ImportError:
        version = "pyspark not installed"
    return [f"- {version}, {first[0] if first else 'java not found'}; Spark master local[2], "
            f"spark.sql.shuffle.partitions {args.shuffle_partitions}, spark.driver.memory {args.driver_memory}, "
            "spark.ui.enabled false, AQE on (Spark's default)"]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in WORKERS:
        name, *rest = argv
        workers: dict[str, Any] = {"_duckdb": _duckdb_worker, "_spark_new": _spark_new_worker,
                                   "_spark_warm": _spark_warm_worker}
        workers[name](*rest)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", action="append", type=parse_count, help="order lines (repeatable; 1M, 1e7 …)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs (medians are compared)")
    parser.add_argument("--shuffle-partitions", type=int, default=SHUFFLE_PARTITIONS)
    parser.add_argument("--driver-memory", default=DRIVER_MEMORY, help="the local JVM's heap (default 4g)")
    parser.add_argument("--rules", type=Path, default=RULES, help="the rules (default: bench/rules.bench.yaml)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regen", action="store_true", help="rebuild the cached inputs")
    args = parser.parse_args(argv)
    sizes = args.lines or [1_000_000]
    OUT.mkdir(parents=True, exist_ok=True)

    from tiercli.rules.load import load_rules

    rules_path = args.rules.resolve()
    tier = load_rules(rules_path).gradings[0].name
    runs: list[Run] = []
    checks: list[str] = []
    orders: dict[int, int] = {}
    for lines in sizes:
        got, checked, orders[lines] = run_size(lines, args, rules_path, tier)
        runs += got
        checks += checked

    shown = rules_path.relative_to(ROOT) if rules_path.is_relative_to(ROOT) else rules_path
    print(f"\nThe classification step only (canonical orders → customers table), rules {shown}; cleaning is not "
          "timed (it is not on Spark yet).\n")
    print("\n".join(table(runs, orders)))
    print("\nMedians:\n")
    print("\n".join(medians(runs, orders)))
    print("\nChecks (Spark's customers against DuckDB's):\n")
    print("\n".join(f"- {c}" for c in checks))
    print("\nMachine:\n")
    print("\n".join([*machine(), *spark_facts(args)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
