"""Seeded generator of synthetic order lines for the benchmark.

    python bench/gen_orders.py N OUT.csv [--seed 7] [--chunk 250000]

Writes exactly N order lines (plus a header) in chunks, so memory stays flat whatever N is:

    order_id,customer_id,order_ts,amount,quantity,product,category,region,status

- about N/10 customers (`C0001234`) with Pareto-distributed order counts: many buy once, a few buy hundreds
  of times;
- orders of 1–3 lines sharing one 16-digit order id, one timestamp and one status, spread over three years
  up to 2026-10-31;
- 2,000 products in 20 categories (popularity skewed), 30 regions (one per customer), lognormal amounts;
- status `paid` (~95%), `cancelled` (~3%), `unpaid` (~2%).

The same N, seed and chunk size always give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

COLUMNS = ("order_id", "customer_id", "order_ts", "amount", "quantity", "product", "category", "region",
           "status")
CATEGORIES = ("美妆", "服饰", "食品", "母婴", "家居", "数码", "个护", "运动", "鞋靴", "箱包", "家电", "图书",
              "宠物", "玩具", "酒水", "茶叶", "珠宝", "家纺", "汽车用品", "办公")
CATEGORY_PRICE = np.array([120, 150, 45, 110, 90, 380, 60, 160, 220, 260, 650, 40, 70, 90, 180, 130, 900, 200,
                           120, 55], dtype=np.float64)
REGIONS = ("广东", "浙江", "江苏", "上海", "北京", "山东", "河南", "四川", "湖北", "湖南", "福建", "安徽",
           "河北", "陕西", "辽宁", "重庆", "天津", "江西", "广西", "云南", "山西", "黑龙江", "吉林", "贵州",
           "内蒙古", "甘肃", "海南", "新疆", "宁夏", "青海")
REGION_WEIGHTS = np.array([12, 9, 9, 6, 5, 6, 5, 5, 4, 4, 4, 3.5, 3.5, 3, 3, 3, 2.5, 2.5, 2.5, 2.5, 2, 2, 1.5,
                           1.5, 1, 1, 1, 0.8, 0.5, 0.4])
STATUSES = ("paid", "cancelled", "unpaid")
STATUS_P = (0.95, 0.03, 0.02)
LINES_P = (0.6, 0.3, 0.1)  # orders of 1, 2, 3 lines: 1.5 lines per order on average
N_PRODUCTS = 2000
END = dt.datetime(2026, 10, 31, 23, 59, 59)
SPAN_S = 3 * 365 * 86400
START_S = int((END - dt.datetime(1970, 1, 1)).total_seconds()) - SPAN_S + 1
ORDER_ID_BASE = 1_000_000_000_000_000
ORDER_ID_RANGE = 9_000_000_000_000_000
ORDER_ID_STEP = 12_345_678_917  # coprime with ORDER_ID_RANGE: distinct orders get distinct 16-digit ids
ORDER_ID_OFFSET = 9_876_543

SCHEMA = pa.schema([
    ("order_id", pa.string()),
    ("customer_id", pa.dictionary(pa.int32(), pa.string())),
    ("order_ts", pa.timestamp("s")),
    ("amount", pa.float64()),
    ("quantity", pa.int8()),
    ("product", pa.dictionary(pa.int32(), pa.string())),
    ("category", pa.dictionary(pa.int8(), pa.string())),
    ("region", pa.dictionary(pa.int8(), pa.string())),
    ("status", pa.dictionary(pa.int8(), pa.string())),
])


def parse_count(text: str) -> int:
    """`1000000`, `1_000_000`, `1e6`, `10M` or `500k` as an int."""
    m = re.fullmatch(r"\s*([0-9_.eE+]+)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    value = float(m.group(1).replace("_", "")) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"not a positive whole count: {text!r}")
    return int(value)


def customer_orders(rng: np.random.Generator, customers: int, orders: int) -> np.ndarray:
    """Orders per customer: at least one each, Pareto tail, summing to about `orders`."""
    raw = rng.pareto(1.25, customers)
    lo, hi = 0.0, 100.0
    for _ in range(40):  # scale the tail so the total matches
        scale = (lo + hi) / 2
        total = int(np.minimum(1 + np.floor(raw * scale), 5000).sum())
        lo, hi = (scale, hi) if total < orders else (lo, scale)
    return np.minimum(1 + np.floor(raw * hi), 5000).astype(np.int64)


def order_stream(rng: np.random.Generator, counts: np.ndarray) -> Iterator[np.ndarray]:
    """Customer index of each order, in random order; starts over if more orders are needed."""
    while True:
        seq = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        rng.shuffle(seq)
        yield seq


def generate(n_lines: int, out: Path, seed: int = 7, chunk: int = 250_000) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    n_customers = max(1, n_lines // 10)
    width = max(7, len(str(n_customers - 1)))
    customer_dict = pa.array(np.char.add("C", np.char.zfill(np.arange(n_customers).astype(str), width)))
    product_cat = rng.integers(0, len(CATEGORIES), N_PRODUCTS).astype(np.int8)
    product_price = CATEGORY_PRICE[product_cat] * rng.lognormal(0.0, 0.5, N_PRODUCTS)
    product_dict = pa.array([f"{CATEGORIES[c]}商品{i:04d}" for i, c in enumerate(product_cat)])
    region_of = rng.choice(len(REGIONS), n_customers, p=REGION_WEIGHTS / REGION_WEIGHTS.sum()).astype(np.int8)
    mean_lines = float(np.dot(LINES_P, (1, 2, 3)))
    counts = customer_orders(rng, n_customers, int(n_lines / mean_lines * 1.02))

    cat_dict, reg_dict, st_dict = pa.array(CATEGORIES), pa.array(REGIONS), pa.array(STATUSES)
    stream = order_stream(rng, counts)
    seq, pos = next(stream), 0
    written = orders = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        fh.write((",".join(COLUMNS) + "\n").encode())
        opts = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=chunk)
        with pacsv.CSVWriter(fh, SCHEMA, write_options=opts) as writer:
            while written < n_lines:
                target = min(chunk, n_lines - written)
                m = int(target / mean_lines * 1.05) + 10  # enough orders to fill the chunk
                if pos + m > len(seq):
                    seq = np.concatenate([seq[pos:], next(stream)])
                    pos = 0
                n_per = rng.choice(3, m, p=LINES_P).astype(np.int64) + 1
                keep = int(np.searchsorted(np.cumsum(n_per), target, side="left")) + 1
                cust, n_per = seq[pos:pos + keep], n_per[:keep]
                pos += keep
                n_per[-1] -= int(n_per.sum()) - target  # the last order may lose lines to hit N exactly
                idx = np.arange(orders, orders + keep, dtype=np.int64)
                order_id = ORDER_ID_BASE + ((idx + ORDER_ID_OFFSET) * ORDER_ID_STEP) % ORDER_ID_RANGE
                ts = START_S + rng.integers(0, SPAN_S, keep)
                status = rng.choice(3, keep, p=STATUS_P).astype(np.int8)

                lines = int(n_per.sum())
                line_cust = np.repeat(cust, n_per)
                product = np.minimum((N_PRODUCTS * rng.random(lines) ** 2.2).astype(np.int32), N_PRODUCTS - 1)
                quantity = np.minimum(rng.geometric(0.72, lines), 20).astype(np.int8)
                unit = product_price[product] * rng.lognormal(0.0, 0.25, lines)
                amount = np.round(np.maximum(unit, 1.0) * quantity, 2)
                batch = pa.record_batch([
                    pa.array(order_id).cast(pa.string()).take(pa.array(np.repeat(np.arange(keep), n_per))),
                    pa.DictionaryArray.from_arrays(pa.array(line_cust, pa.int32()), customer_dict),
                    pa.array(np.repeat(ts, n_per), pa.timestamp("s")),
                    pa.array(amount),
                    pa.array(quantity),
                    pa.DictionaryArray.from_arrays(pa.array(product), product_dict),
                    pa.DictionaryArray.from_arrays(pa.array(product_cat[product]), cat_dict),
                    pa.DictionaryArray.from_arrays(pa.array(region_of[line_cust]), reg_dict),
                    pa.DictionaryArray.from_arrays(pa.array(np.repeat(status, n_per)), st_dict),
                ], schema=SCHEMA)
                writer.write_batch(batch)
                written += lines
                orders += keep
    return {"lines": written, "orders": orders, "customers_max": n_customers}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic order lines to a CSV file.")
    parser.add_argument("lines", type=parse_count, help="number of order lines, e.g. 1000000, 1e6 or 10M")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=parse_count, default=250_000, help="lines per chunk (memory bound)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    stats = generate(args.lines, args.out, args.seed, args.chunk)
    secs = time.perf_counter() - t0
    size = args.out.stat().st_size / 2**20
    print(f"{args.out}: {stats['lines']:,} lines, {stats['orders']:,} orders, {size:,.0f} MiB"
          f" in {secs:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
