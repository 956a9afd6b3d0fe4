"""The xlsx writer against its floor: plain xlsxwriter in constant-memory mode writing the same table.

    python bench/bench_xlsx.py [--rows 1000000] [--seed 7] [--keep]

Builds a seeded customers-like Arrow table of N rows with the column types `tiercli classify` produces (text
ids, tier/segment/tags/why text, int32 scores and tag flags, int64 counts, decimal money, double ratios,
timestamps) and stores it as Parquet in bench/out/. Then, each in its own subprocess so peak RSS is its own:

  xlsxwriter  the baseline: the columns converted once per batch (Arrow → Python lists, decimals cast to
              float), each row written with `write_row` in constant_memory mode, the same number formats set
              per column, a bold header, frozen header and autofilter;
  tiercli     `tiercli.outputs.writers.write_result` writing the table as the Customers sheet of the workbook
              (with empty Excluded and small Summary/Thresholds/Run sheets).

Each reports the seconds spent writing (wall and CPU; reading the Parquet and imports excluded) and the
process's peak RSS; the script prints a Markdown table with the ratio tiercli / xlsxwriter (wall clock).
Target: ≤ 1.2 at 1M rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
BATCH_ROWS = 65_536

sys.path.insert(0, str(BENCH))
from gen_orders import parse_count  # noqa: E402

TIERS = ("A", "B", "C", "D", "E")
SEGMENTS = ("Champions", "Loyal", "Can't Lose Them", "At Risk", "Potential Loyalist", "New", "Promising",
            "Need Attention", "About To Sleep", "Hibernating", "Lost")
TAGS = ("高频购买者", "年度大客户", "沉睡客户", "偏爱美妆")
CATEGORIES = ("美妆", "服饰", "食品", "母婴", "家居", "数码", "个护", "运动", "鞋靴", "箱包")
REGIONS = ("广东", "浙江", "江苏", "上海", "北京", "山东", "河南", "四川", "湖北", "湖南")
WHY = tuple(f"tiers[{i}] {t}: monetary >= {5000 - 1000 * i}" for i, t in enumerate(TIERS))
MONEY_COLUMNS = ("monetary", "aov", "spend_30d", "spend_90d", "spend_365d", "refund_amount")
COUNT_COLUMNS = ("frequency", "orders_30d", "orders_90d", "orders_365d", "distinct_products",
                 "distinct_categories", "r_score", "f_score", "m_score", "rfm_score")
DAY_COLUMNS = ("recency_days", "tenure_days", "avg_days_between_orders")
RATIO_COLUMNS = ("refund_rate", "discount_share")

# tiercli's formats (tiercli.outputs.writers), repeated so the baseline does not import tiercli
MONEY, RATIO, DATETIME, INTEGER, ONE_DECIMAL = "#,##0.00", "0.0%", "yyyy-mm-dd hh:mm", "#,##0", "#,##0.0"


def customers_table(rows: int, seed: int) -> pa.Table:
    """N customers with tiercli's Customers columns and types; values seeded and plausible."""
    rng = np.random.default_rng(seed)

    def pick(values: Sequence[str], nulls: float = 0.0) -> pa.Array:
        index = rng.integers(0, len(values), rows)
        mask = rng.random(rows) < nulls if nulls else None
        return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32(), mask=mask),
                                              pa.array(values)).dictionary_decode()

    def money(scale: float) -> pa.Array:
        cents = np.round(rng.lognormal(np.log(scale), 1.0, rows) * 100).astype(np.int64)
        return pa.array(cents / 100).cast(pa.decimal128(18, 2))

    def counts(high: int) -> pa.Array:
        return pa.array(rng.integers(0, high, rows), pa.int64())

    scores = [pa.array(rng.integers(1, 6, rows), pa.int32()) for _ in range(3)]
    end = np.datetime64(datetime(2026, 10, 31, 23, 59, 59), "us")
    last = end - rng.integers(0, 3 * 365 * 86_400, rows).astype("timedelta64[s]")
    first = last - rng.integers(0, 2 * 365 * 86_400, rows).astype("timedelta64[s]")
    tag_flags = [rng.random(rows) < p for p in (0.1, 0.05, 0.2, 0.15)]
    tag_names = np.array(TAGS, dtype=object)
    tags = [",".join(tag_names[[f[i] for f in tag_flags]]) or None for i in range(rows)]
    gaps = rng.exponential(60.0, rows)
    columns: dict[str, pa.Array] = {
        "customer_id": pa.array([f"C{i:07d}" for i in rng.permutation(rows) + 1]),
        "tier": pick(TIERS),
        "tags": pa.array(tags, pa.string()),
        "segment": pick(SEGMENTS),
        "r_score": scores[0],
        "f_score": scores[1],
        "m_score": scores[2],
        "rfm_score": pc.add(pc.add(pc.multiply(scores[0], 100), pc.multiply(scores[1], 10)), scores[2]),
        "recency_days": counts(1095),
        "frequency": counts(40),
        "monetary": money(900.0),
        "aov": money(300.0),
        "first_order": pa.array(first, pa.timestamp("us")),
        "last_order": pa.array(last, pa.timestamp("us")),
        "tenure_days": counts(730),
        "orders_30d": counts(3),
        "orders_90d": counts(6),
        "orders_365d": counts(15),
        "spend_30d": money(50.0),
        "spend_90d": money(150.0),
        "spend_365d": money(500.0),
        "quantity": pa.array(rng.integers(1, 200, rows).astype(np.float64)),
        "distinct_products": counts(30),
        "distinct_categories": counts(10),
        "top_category": pick(CATEGORIES),
        "refund_amount": money(5.0),
        "refund_rate": pa.array(np.round(rng.random(rows) * 0.2, 4)),
        "discount_share": pa.array(np.round(rng.random(rows), 4)),
        "avg_days_between_orders": pa.array(np.round(gaps, 2), mask=gaps < 10),
        "region": pick(REGIONS),
        "tier_why": pick(WHY),
    }
    for name, flags in zip(TAGS, tag_flags, strict=True):
        columns[name] = pa.array(flags.astype(np.int32))
    return pa.table(columns)


def units() -> dict[str, str]:
    found = {name: "money" for name in MONEY_COLUMNS}
    found.update({name: "count" for name in COUNT_COLUMNS})
    found.update({name: "days" for name in DAY_COLUMNS})
    found.update({name: "ratio" for name in RATIO_COLUMNS})
    found.update({"first_order": "date", "last_order": "date", "quantity": "quantity"})
    return found


def number_format(field: pa.Field, unit: str | None) -> str | None:
    if pa.types.is_timestamp(field.type):
        return DATETIME
    numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type) or pa.types.is_decimal(
        field.type)
    if not numeric:
        return None
    if unit == "money":
        return MONEY
    if unit == "ratio":
        return RATIO
    if unit in ("count", "days", "quantity"):
        return INTEGER if pa.types.is_integer(field.type) else ONE_DECIMAL
    return None


def write_baseline(table: pa.Table, path: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "nan_inf_to_errors": True})
    ws = workbook.add_worksheet("Customers")
    formats: dict[str, object] = {}
    for col, field in enumerate(table.schema):
        fmt = number_format(field, units().get(field.name))
        if fmt is not None and fmt not in formats:
            formats[fmt] = workbook.add_format({"num_format": fmt})
        ws.set_column(col, col, 14, formats.get(fmt) if fmt else None)
    ws.write_row(0, 0, table.column_names, workbook.add_format({"bold": True}))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, table.num_rows, table.num_columns - 1)
    row = 1
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = []
        for array in batch.columns:
            if pa.types.is_decimal(array.type):
                array = array.cast(pa.float64())
            columns.append(array.to_pylist())
        for values in zip(*columns, strict=True):
            ws.write_row(row, 0, values)
            row += 1
    workbook.close()


def write_tiercli(table: pa.Table, path: Path) -> None:
    try:
        import tiercli  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))
    import pandas as pd

    from tiercli.outputs.writers import write_result
    from tiercli.result import Result

    result = Result(
        customers=table,
        excluded=pa.table({"file": pa.array([], pa.string()), "row": pa.array([], pa.int64()),
                           "reason": pa.array([], pa.string()), "message": pa.array([], pa.string())}),
        summary=pd.DataFrame({"grading": ["tier"], "level": ["A"], "customers": [table.num_rows]}),
        thresholds=pd.DataFrame({"score": [1], "customers": [table.num_rows]}),
        run=[("version", "bench")], inputs=[], mapping={}, as_of=datetime(2026, 10, 31, 23, 59, 59),
        excluded_by_reason={}, column_units=units(), gradings=["tier"], tags=list(TAGS))
    write_result(result, str(path))


def worker(kind: str, source: Path, target: Path) -> None:
    table = pq.read_table(source)
    start, cpu = time.perf_counter(), time.process_time()
    (write_baseline if kind == "xlsxwriter" else write_tiercli)(table, target)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": rss, "bytes": target.stat().st_size}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time tiercli's xlsx writer against plain xlsxwriter.")
    parser.add_argument("--rows", type=parse_count, default=1_000_000, help="customers (default 1000000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--keep", action="store_true", help="keep both workbooks in bench/out/")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "PARQUET", "XLSX"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, source, target = args.worker
        worker(kind, Path(source), Path(target))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / f"customers_{args.rows}_s{args.seed}.parquet"
    if not source.exists():
        t0 = time.perf_counter()
        table = customers_table(args.rows, args.seed)
        pq.write_table(table, source)
        print(f"built {source.relative_to(ROOT)}: {table.num_rows:,} rows × {table.num_columns} columns in "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    results = {}
    for kind in ("xlsxwriter", "tiercli"):
        target = OUT / f"customers_{args.rows}_{kind}.xlsx"
        proc = subprocess.run([sys.executable, __file__, "--worker", kind, str(source), str(target)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{kind} failed:\n{proc.stderr}", file=sys.stderr)
            return 1
        results[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
        if not args.keep:
            target.unlink(missing_ok=True)
    base = results["xlsxwriter"]["seconds"]
    cells = args.rows * len(pq.read_schema(source))
    print(f"\n{args.rows:,} rows × {len(pq.read_schema(source))} columns\n")
    print("| writer | seconds | CPU seconds | µs per cell | peak RSS MiB | MiB written | × xlsxwriter |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, m in results.items():
        print(f"| {kind} | {m['seconds']:.2f} | {m['cpu']:.2f} | {m['seconds'] / cells * 1e6:.2f} | "
              f"{m['rss_mib']:,.0f} | {m['bytes'] / 2**20:,.1f} | {m['seconds'] / base:.2f} |")
    ratio = results["tiercli"]["seconds"] / base
    print(f"\ntarget tiercli ≤ 1.2 × xlsxwriter: {'met' if ratio <= 1.2 else 'MISSED'} ({ratio:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
