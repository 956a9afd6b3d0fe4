"""R/F/M scoring options and segment presets.

`r-rfm` and `pymc` are checked against reference implementations written here from the published definitions
(R rfm package v0.3.0: `rfm_table_order`, `bins`, `rfm_segment`; pymc-marketing: `rfm_summary`,
`rfm_segments` with `pandas.qcut`), on generated orders and on the R package's own example orders.
"""

from __future__ import annotations

import csv
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd
import pytest

from conftest import shared_file
from tiercli.engine.compute import metrics_sql
from tiercli.engine.scoring import Scores, score
from tiercli.engine.segments import DEFAULT_TABLE, PYMC_CODES, PYMC_TABLE, R_RFM_TABLE, five_point
from tiercli.rules.load import parse_rules

Order = tuple[str, datetime, float]  # customer, time, amount

ORDERS_TABLE = """CREATE TABLE orders (customer_id VARCHAR, order_id VARCHAR, order_ts TIMESTAMP,
    amount DECIMAL(18, 2), refund_amount DECIMAL(18, 2), discount_amount DECIMAL(18, 2), quantity DOUBLE,
    product VARCHAR, sku VARCHAR, category VARCHAR, region VARCHAR, channel VARCHAR, status VARCHAR,
    currency VARCHAR, source_file VARCHAR, source_row BIGINT)"""


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59))


def run_scoring(orders: Sequence[Order], rules: str, as_of: datetime) -> tuple[duckdb.DuckDBPyConnection, Scores]:
    """The engine from canonical orders: customers (metrics) → scored, one order per row."""
    con = duckdb.connect()
    con.execute(ORDERS_TABLE)
    con.executemany("INSERT INTO orders (customer_id, order_id, order_ts, amount) VALUES (?, ?, ?, ?)",
                    [(c, str(i), ts, Decimal(str(a))) for i, (c, ts, a) in enumerate(orders)])
    con.execute(f"CREATE TABLE customers AS {metrics_sql(as_of)}")
    return con, score(con, parse_rules(rules))


def scored(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cursor = con.execute("SELECT * FROM scored")
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def generated_orders(seed: int, customers: int = 300, one_timers: float = 0.4, same_day: float = 0.1) -> list[Order]:
    """Orders with many ties: whole or half amounts, small order counts, some customers ordering twice a day."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, 9)
    orders: list[Order] = []
    for c in range(customers):
        count = 1 if rng.random() < one_timers else rng.randint(2, 12)
        day = start + timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 10))
        for _ in range(count):
            orders.append((f"c{c:04d}", day, rng.randint(10, 400) + rng.choice((0, 0.5))))
            if rng.random() >= same_day:
                day += timedelta(days=rng.randint(1, 60))
    return orders


# --- the R rfm package, from its source (R/rfm-table-transaction.R, R/utils.R, R/rfm-segment.R) ---

def r_seq(n_bins: int) -> list[float]:
    """seq(0, 1, length.out = n_bins + 1): from + (0:n) * by, by = (to - from) / n."""
    by = (1 - 0) / n_bins
    return [0 + i * by for i in range(n_bins)] + [1.0]


def r_quantile(values: Sequence[float], probs: Sequence[float]) -> list[float]:
    """quantile(x, probs) with R's default type 7, as quantile.default computes it."""
    x = sorted(values)
    n = len(x)
    result = []
    for p in probs:
        index = 1 + max(n - 1, 0) * p
        lo, hi = math.floor(index), math.ceil(index)
        qs = x[lo - 1]
        if index > lo and x[hi - 1] != qs:
            h = index - lo
            qs = (1 - h) * qs + h * x[hi - 1]
        result.append(qs)
    return result


def r_scores(values: dict[str, float], n_bins: int | list[float], reverse: bool) -> dict[str, int]:
    """bins(), bins_lower(), bins_upper() and the scoring loop of rfm_table_order()."""
    v = list(values.values())
    if isinstance(n_bins, int):
        breaks = [q + 1 for q in r_quantile(v, r_seq(n_bins))[1:-1]]
        count = n_bins
    else:
        breaks, count = list(n_bins), len(n_bins) + 1
    lower = [min(v), *breaks]
    upper = [*breaks, max(v) + 1]
    labels = list(range(count, 0, -1)) if reverse else list(range(1, count + 1))
    result: dict[str, int] = {}
    for i in range(count):
        for customer, value in values.items():
            if lower[i] <= value < upper[i]:
                result[customer] = labels[i]
    return result


def r_rfm_table_order(
    orders: Sequence[Order], analysis_date: date, bins: int | dict[str, list[float]] = 5
) -> dict[str, tuple[int, int, int]]:
    last: dict[str, date] = {}
    amount: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for customer, ts, revenue in orders:
        last[customer] = max(last.get(customer, ts.date()), ts.date())
        amount[customer] += revenue
        count[customer] += 1
    recency = {c: float((analysis_date - d).days) for c, d in last.items()}
    r_bins, f_bins, m_bins = (bins, bins, bins) if isinstance(bins, int) else (
        bins["recency"], bins["frequency"], bins["monetary"])
    r = r_scores(recency, r_bins, reverse=True)
    f = r_scores({c: float(n) for c, n in count.items()}, f_bins, reverse=False)
    m = r_scores(dict(amount), m_bins, reverse=False)
    return {c: (r[c], f[c], m[c]) for c in last}


R_SEGMENTS = (  # the rfm_segment() example: names and lower/upper vectors, recency, frequency, monetary
    ["Champions", "Potential Loyalist", "Loyal Customers", "Promising", "New Customers", "Can't Lose Them",
     "At Risk", "Need Attention", "About To Sleep", "Lost"],
    [5, 3, 2, 3, 4, 1, 1, 1, 2, 1], [5, 5, 4, 4, 5, 2, 2, 3, 3, 1],
    [5, 3, 2, 1, 1, 3, 2, 3, 1, 1], [5, 5, 4, 3, 3, 4, 5, 5, 3, 5],
    [5, 2, 2, 3, 1, 4, 4, 3, 1, 1], [5, 5, 4, 5, 5, 5, 5, 5, 4, 5],
)


def r_rfm_segment(scores: tuple[int, int, int], table: tuple[Any, ...] = R_SEGMENTS) -> str:
    names, rl, ru, fl, fu, ml, mu = table
    r, f, m = scores
    for i, name in enumerate(names):
        if rl[i] <= r <= ru[i] and fl[i] <= f <= fu[i] and ml[i] <= m <= mu[i]:
            return str(name)
    return "Others"


# --- pymc-marketing, from pymc_marketing/clv/utils.py (rfm_summary + rfm_segments), with pandas ---

PYMC_CONFIG = {
    "Premium Customer": ["334", "443", "444", "344", "434", "433", "343", "333"],
    "Repeat Customer": ["244", "234", "232", "332", "143", "233", "243"],
    "Top Spender": ["424", "414", "144", "314", "324", "124", "224", "423", "413", "133", "323", "313", "134"],
    "At Risk Customer": ["422", "223", "212", "122", "222", "132", "322", "312", "412", "123", "214"],
    "Inactive Customer": ["411", "111", "113", "114", "112", "211", "311"],
}


def pymc_labels(column: str, max_label_range: int) -> list[int]:
    return list(range(max_label_range - 1, 0, -1)) if column == "r_quartile" else list(range(1, max_label_range))


def pymc_rfm_segments(orders: Sequence[Order], observation_end: date) -> dict[str, tuple[str, str]]:
    frame = pd.DataFrame(orders, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"]).dt.to_period("D").dt.to_timestamp()
    periods = frame.groupby(["date", "customer_id"], sort=False, as_index=False)["amount"].sum()
    customers = periods.groupby("customer_id").agg(first=("date", "min"), last=("date", "max"),
                                                   count=("date", "count"), monetary_value=("amount", "mean"))
    end = pd.Timestamp(observation_end)
    customers["frequency"] = customers["count"].astype(float)
    customers["recency"] = ((end - customers["first"]) - (customers["last"] - customers["first"])) / pd.Timedelta(days=1)
    for quartile, column in (("r_quartile", "recency"), ("f_quartile", "frequency"), ("m_quartile", "monetary_value")):
        try:
            customers[quartile] = pd.qcut(customers[column], q=4, labels=pymc_labels(quartile, 5),
                                          duplicates="drop").astype(str)
        except ValueError:
            try:
                customers[quartile] = pd.qcut(customers[column], q=4, labels=pymc_labels(quartile, 4),
                                              duplicates="drop").astype(str)
            except ValueError:
                customers[quartile] = pd.qcut(customers[column], q=4, labels=pymc_labels(quartile, 3),
                                              duplicates="drop").astype(str)
    customers["rfm_score"] = customers["r_quartile"] + customers["f_quartile"] + customers["m_quartile"]
    customers["segment"] = "Other"
    for key, codes in PYMC_CONFIG.items():
        customers.loc[customers["rfm_score"].isin(codes), "segment"] = key
    return {str(c): (str(row.rfm_score), str(row.segment)) for c, row in customers.iterrows()}


# --- the presets against the references ---

@pytest.mark.parametrize(("seed", "bins"), [(1, 5), (2, 3), (3, 4), (4, 7), (5, 10), (6, 5)])
def test_r_rfm_reproduces_the_r_package_on_generated_orders(seed: int, bins: int) -> None:
    orders = generated_orders(seed, one_timers=0.3 + 0.1 * (seed % 3))
    as_of = date(2025, 1, 31)
    con, _ = run_scoring(orders, f"rfm: {{bins: {bins}, segments: r-rfm}}\ntiers: [{{name: a}}]\n", end_of(as_of))
    expected = r_rfm_table_order(orders, as_of, bins)
    got = scored(con)
    assert {c: (row["r_score"], row["f_score"], row["m_score"]) for c, row in got.items()} == expected
    if bins == 5:
        assert {c: row["segment"] for c, row in got.items()} == {c: r_rfm_segment(s) for c, s in expected.items()}


def test_r_rfm_with_thresholds_uses_the_cut_points_as_given_like_the_r_package() -> None:
    orders = generated_orders(11)
    cuts = {"recency": [30.0, 90.0, 200.0, 400.0], "frequency": [2.0, 3.0, 5.0, 8.0],
            "monetary": [100.0, 400.0, 1000.0, 2000.0]}
    rules = ("rfm:\n  method: thresholds\n  segments: r-rfm\n  thresholds: {recency: [30, 90, 200, 400], "
             "frequency: [2, 3, 5, 8], monetary: [100, 400, 1000, 2000]}\ntiers: [{name: a}]\n")
    con, scores = run_scoring(orders, rules, end_of(date(2025, 1, 31)))
    expected = r_rfm_table_order(orders, date(2025, 1, 31), cuts)
    assert {c: (row["r_score"], row["f_score"], row["m_score"]) for c, row in scored(con).items()} == expected
    f_rows = scores.thresholds[scores.thresholds.dimension == "F"]
    assert list(f_rows["range"]) == ["frequency < 2", "2 ≤ frequency < 3", "3 ≤ frequency < 5",
                                     "5 ≤ frequency < 8", "frequency ≥ 8"]


def r_example_orders() -> list[Order]:
    path = shared_file("r_rfm", "rfm_data_orders.csv")
    with path.open(encoding="utf-8") as handle:
        return [(row["customer_id"], datetime.fromisoformat(row["order_date"]), float(row["revenue"]))
                for row in csv.DictReader(handle)]


@pytest.mark.shared_data
def test_r_rfm_on_the_r_packages_own_example_orders() -> None:
    orders = r_example_orders()
    con, scores = run_scoring(orders, "rfm: {segments: r-rfm}\ntiers: [{name: a}]\n", end_of(date(2006, 12, 31)))
    got = scored(con)
    expected = r_rfm_table_order(orders, date(2006, 12, 31))
    assert len(got) == 995
    assert {c: (row["r_score"], row["f_score"], row["m_score"]) for c, row in got.items()} == expected
    assert {c: row["segment"] for c, row in got.items()} == {c: r_rfm_segment(s) for c, s in expected.items()}
    # published by the package itself: README (rfm_table_order, first customers) ...
    assert [got[c]["rfm_score"] for c in ("Abbey O'Reilly", "Add Senger", "Aden Lesch", "Admiral Senger",
                                          "Agness O'Keefe", "Aileen Barton", "Ailene Hermann", "Aiyanna Bruen",
                                          "Ala Schmidt", "Alannah Borer")] == [
        343, 412, 323, 433, 555, 555, 355, 321, 212, 121]
    # ... and tests/testthat/test-rfm-segment.R: with that test's table, Champions are 158 customers, 1,234
    # orders and 120,178 revenue
    test_table = (["Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising",
                   "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Lost"],
                  [4, 2, 3, 4, 3, 2, 2, 1, 1, 1], [5, 5, 5, 5, 4, 3, 3, 2, 1, 2],
                  [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], [5, 5, 3, 1, 1, 3, 2, 5, 5, 2],
                  [4, 3, 1, 1, 1, 2, 1, 2, 4, 1], [5, 5, 3, 1, 1, 3, 2, 5, 5, 2])
    champions = [row for row in got.values()
                 if r_rfm_segment((row["r_score"], row["f_score"], row["m_score"]), test_table) == "Champions"]
    assert (len(champions), sum(r["frequency"] for r in champions), sum(r["monetary"] for r in champions)) == (
        158, 1234, Decimal("120178.00"))
    # R's breaks (quantile type 7) are 115, 181, 297.4, 482 days, 4, 5, 6, 8 orders, 255.8, 382, 506.4, 666;
    # shown at the data's precision, each cut is the first whole day / cent at or above it, as the scores are
    # "at or above the cut" (floating point puts the 297.4 and 506.4 cuts a hair above, so 298 and 506.41).
    breaks = {"recency_days": [115, 181, 297.4000000000001, 482], "frequency": [4, 5, 6, 8],
              "monetary": [255.8, 382, 506.4000000000001, 666]}
    expected = [", ".join(str(math.ceil(v)) for v in breaks["recency_days"]),
                ", ".join(str(math.ceil(v)) for v in breaks["frequency"]),
                ", ".join(f"{math.ceil(Decimal(repr(v)) * 100) / 100:.2f}" for v in breaks["monetary"])]
    assert scores.thresholds[scores.thresholds.score == 1].cut_points.tolist() == expected


@pytest.mark.parametrize(("seed", "one_timers", "same_day"), [(1, 0.3, 0.1), (2, 0.5, 0.3), (3, 0.0, 0.5),
                                                              (4, 0.7, 0.2), (5, 0.8, 0.0)])
def test_pymc_reproduces_pymc_marketing_codes_and_segments(seed: int, one_timers: float, same_day: float) -> None:
    orders = generated_orders(seed, customers=250, one_timers=one_timers, same_day=same_day)
    as_of = max(ts for _, ts, _ in orders).date()
    con, scores = run_scoring(orders, "rfm: {segments: pymc}\ntiers: [{name: a}]\n", end_of(as_of))
    expected = pymc_rfm_segments(orders, as_of)
    got = {c: (str(row["rfm_score"]), row["segment"]) for c, row in scored(con).items()}
    assert got == expected
    f_codes = {code[1] for code, _ in expected.values()}
    if len(f_codes) < 4:  # many one-time buyers: the F edges collapsed and the run says so
        assert any(n.startswith("pymc: the purchase_days quartile edges collapsed to") for n in scores.notes)


def test_pymc_counts_days_with_an_order_and_spend_per_such_day() -> None:
    day = datetime(2024, 3, 1, 10)
    orders: list[Order] = [("a", day, 100), ("a", day + timedelta(hours=3), 50), ("a", day + timedelta(days=5), 30)]
    for i in range(1, 9):  # b1..b8 buy on i different days, ¥10·i each time
        orders += [(f"b{i}", day + timedelta(days=k), 10.0 * i) for k in range(i)]
    con, scores = run_scoring(orders, "rfm: {segments: pymc}\ntiers: [{name: a}]\n", end_of(date(2024, 3, 10)))
    a = scored(con)["a"]
    assert a["frequency"] == 3  # three orders …
    f = scores.thresholds[scores.thresholds.dimension == "F"]
    assert f.metric.iloc[0] == "purchase_days"  # … but pymc scores two purchase days, 90 spent per day
    expected = pymc_rfm_segments(orders, date(2024, 3, 10))
    assert (str(a["rfm_score"]), a["segment"]) == expected["a"]


def test_pymc_when_every_value_falls_in_one_bin_gives_score_1_and_says_pymc_would_stop() -> None:
    orders = [(f"c{i}", datetime(2024, 1, 1 + i), 10.0 * (i + 1)) for i in range(12)]  # everyone buys once
    con, scores = run_scoring(orders, "rfm: {segments: pymc}\ntiers: [{name: a}]\n", end_of(date(2024, 1, 31)))
    with pytest.raises(ValueError, match="Bin labels must be one fewer"):
        pymc_rfm_segments(orders, date(2024, 1, 31))
    assert {row["f_score"] for row in scored(con).values()} == {1}
    assert ("pymc: every purchase_days value falls in one quartile bin (inner edges: none); pymc-marketing stops "
            "with an error here, tiercli gives everyone F = 1") in scores.notes
    f = scores.thresholds[scores.thresholds.dimension == "F"]
    assert f["range"].tolist() == ["any purchase_days"] + ["not used: the quartile edges collapsed"] * 3


@pytest.mark.shared_data
def test_pymc_on_the_r_packages_example_orders() -> None:
    orders = r_example_orders()
    con, _ = run_scoring(orders, "rfm: {segments: pymc}\ntiers: [{name: a}]\n", end_of(date(2006, 12, 31)))
    expected = pymc_rfm_segments(orders, date(2006, 12, 31))
    assert {c: (str(row["rfm_score"]), row["segment"]) for c, row in scored(con).items()} == expected


def test_the_preset_tables_are_the_published_ones() -> None:
    names, rl, ru, fl, fu, ml, mu = R_SEGMENTS
    assert [(row.name, row.r, row.f, row.m) for row in R_RFM_TABLE.rows] == [
        (n, (rl[i], ru[i]), (fl[i], fu[i]), (ml[i], mu[i])) for i, n in enumerate(names)]
    assert R_RFM_TABLE.fallback == "Others"
    assert {k: list(v) for k, v in PYMC_CODES.items()} == PYMC_CONFIG
    codes = [c for v in PYMC_CONFIG.values() for c in v]
    assert len(codes) == len(set(codes))  # the lists don't overlap, so order doesn't matter
    assert PYMC_TABLE.segment_of(3, 3, 4, 4) == "Premium Customer" and PYMC_TABLE.segment_of(4, 2, 1, 4) == "Other"
    # R's table leaves ten cells of 125 to Others
    others = [100 * r + 10 * f + m for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)
              if R_RFM_TABLE.segment_of(r, f, m, 5) == "Others"]
    assert others == [215, 241, 251, 252, 341, 351, 441, 451, 541, 551]


# --- tiercli's own scoring options ---

def ladder(counts: dict[str, int], as_of: date = date(2024, 6, 30)) -> list[Order]:
    """Customer c buys counts[c] times, ¥100 each, the last order on as_of - (its index) days."""
    orders = []
    for index, (customer, n) in enumerate(counts.items()):
        for k in range(n):
            orders.append((customer, datetime.combine(as_of - timedelta(days=index + 30 * k), time(12)), 100.0))
    return orders


def test_ties_split_ranks_equal_values_by_customer_id_into_equal_groups() -> None:
    counts = {f"c{i:02d}": 1 if i < 8 else i - 6 for i in range(10)}  # eight one-time buyers, then 2 and 3 orders
    con, scores = run_scoring(ladder(counts), "rfm: {bins: 5, ties: split}\ntiers: [{name: a}]\n",
                              end_of(date(2024, 6, 30)))
    f = {c: row["f_score"] for c, row in scored(con).items()}
    assert f == {"c00": 1, "c01": 1, "c02": 2, "c03": 2, "c04": 3, "c05": 3, "c06": 4, "c07": 4, "c08": 5, "c09": 5}
    assert "F: 8 customers share a frequency value with customers in another score (ties: split ranks equal " \
           "values by customer_id)" in scores.notes
    rows = scores.thresholds[scores.thresholds.dimension == "F"]
    assert rows.customers.tolist() == [2, 2, 2, 2, 2]
    assert rows.ties.iloc[0] == "split: equal values are ranked by customer_id, so they may get different scores"
    assert rows["range"].tolist()[:2] == ["ranked: 1 … 1", "ranked: 1 … 1"]

    con, scores = run_scoring(ladder(counts), "rfm: {bins: 5}\ntiers: [{name: a}]\n", end_of(date(2024, 6, 30)))
    assert {row["f_score"] for c, row in scored(con).items() if counts[c] == 1} == {1}  # shared: all one score
    assert scores.thresholds.ties.iloc[0] == "shared: equal values always get the same score, so some scores may " \
                                             "be empty"


def test_thresholds_score_by_the_given_cut_points_and_report_their_ranges() -> None:
    counts = {"a": 1, "b": 2, "c": 3, "d": 5, "e": 8}
    rules = ("rfm:\n  method: thresholds\n  thresholds:\n    recency: [2, 4]\n    frequency: [2, 5]\n"
             "    monetary: [200, 500.5]\ntiers: [{name: x}]\n")
    con, scores = run_scoring(ladder(counts), rules, end_of(date(2024, 6, 30)))
    got = {c: (row["recency_days"], row["r_score"], row["f_score"], row["m_score"]) for c, row in scored(con).items()}
    assert got == {"a": (0, 3, 1, 1), "b": (1, 3, 2, 2), "c": (2, 2, 2, 2), "d": (3, 2, 3, 2), "e": (4, 1, 3, 3)}
    t = scores.thresholds
    assert t[t.dimension == "R"]["range"].tolist() == ["recency_days ≥ 4", "2 ≤ recency_days < 4", "recency_days < 2"]
    assert t[t.dimension == "M"]["range"].tolist() == ["monetary < 200.00", "200.00 ≤ monetary < 500.50", "monetary ≥ 500.50"]
    assert t[t.dimension == "M"].cut_points.iloc[0] == "200.00, 500.50"
    assert ("rfm scoring", "3 bins; thresholds from the rules file: a value at or above a cut point passes it") in \
        scores.run_rows


def test_a_custom_segment_table_first_match_then_the_default() -> None:
    counts = {"a": 1, "b": 2, "c": 3, "d": 5, "e": 8}
    rules = """
rfm:
  method: thresholds
  thresholds: {recency: [2, 4], frequency: [2, 5], monetary: [200, 500]}
  segments:
    - {name: 高价值, f: 3, m: [3, 3]}
    - {name: 复购, f: [2, 3]}
    - {name: 其他}
tiers: [{name: x}]
"""
    con, scores = run_scoring(ladder(counts), rules, end_of(date(2024, 6, 30)))
    assert {c: row["segment"] for c, row in scored(con).items()} == {
        "a": "其他", "b": "复购", "c": "复购", "d": "高价值", "e": "高价值"}  # d: 5 orders, ¥500
    assert ("rfm segments", "custom: 2 rows from the rules file, first match wins, unmatched → 其他") in \
        scores.run_rows


def test_default_segments_read_other_bin_counts_on_the_five_point_scale() -> None:
    assert [five_point(s, 10) for s in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [five_point(s, 3) for s in range(1, 4)] == [1, 3, 5]
    assert [five_point(s, 4) for s in range(1, 5)] == [1, 2, 4, 5]
    assert DEFAULT_TABLE.segment_of(10, 10, 10, 10) == "Champions"
    assert DEFAULT_TABLE.segment_of(7, 7, 7, 10) == "Champions"  # 7 of 10 → 4
    assert DEFAULT_TABLE.segment_of(6, 7, 7, 10) == "Loyal"  # R 6 of 10 → 3
    assert DEFAULT_TABLE.segment_of(3, 1, 1, 3) == "New"  # R 3 of 3 → 5, F 1 → 1
    assert DEFAULT_TABLE.segment_of(1, 1, 1, 3) == "Lost"


def test_segments_nobody_can_reach_are_named() -> None:
    orders = [(f"c{i}", datetime(2024, 1, 1 + i), 10.0 * (i + 1)) for i in range(20)]  # all one-time buyers
    _, scores = run_scoring(orders, "rfm: {segments: r-rfm}\ntiers: [{name: a}]\n", end_of(date(2024, 1, 31)))
    assert "F scores 2, 3, 4, 5 are empty: the customers have only 1 different frequency value for 5 scores, " \
           "and equal values always get the same score" in scores.notes
    assert ("segments no customer can reach with these scores: Champions, Potential Loyalist, Loyal Customers, "
            "Can't Lose Them, At Risk, Need Attention") in scores.notes


def test_lifecycle_stages_follow_the_days_given() -> None:
    as_of = date(2024, 6, 30)
    orders = [
        ("new", datetime(2024, 6, 20), 10.0),  # first order 10 days ago
        ("active", datetime(2024, 1, 1), 10.0), ("active", datetime(2024, 6, 1), 10.0),  # last 29 days ago
        ("at_risk", datetime(2024, 1, 1), 10.0), ("at_risk", datetime(2024, 4, 1), 10.0),  # last 90 days ago
        ("churned", datetime(2023, 1, 1), 10.0), ("churned", datetime(2024, 1, 2), 10.0),  # last 180 days ago
        ("returns_only", datetime(2024, 6, 1), -10.0),  # no purchase at all: frequency 0
    ]
    con, scores = run_scoring(orders, "tiers: [{name: a}]\n", end_of(as_of))
    assert {c: row["lifecycle"] for c, row in scored(con).items()} == {
        "new": "new", "active": "active", "at_risk": "at_risk", "churned": "churned", "returns_only": "potential"}
    con, scores = run_scoring(orders, "lifecycle: {new_days: 5, at_risk_days: 100, churn_days: 400}\n"
                                      "tiers: [{name: a}]\n", end_of(as_of))
    assert {c: row["lifecycle"] for c, row in scored(con).items()} == {
        "new": "active", "active": "active", "at_risk": "active", "churned": "at_risk", "returns_only": "potential"}
    assert ("lifecycle", "potential: no order; new: first order ≤ 5 days ago; churned: last order ≥ 400 days ago; "
                         "at_risk: last order ≥ 100 days ago; active: the rest") in scores.run_rows
