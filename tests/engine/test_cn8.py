"""segments: cn-8 — the eight Chinese RFM classes, each metric high or low against a comparison value.

Expectations are computed here: the means and medians in plain Python over the hand-written orders, the class by
the published table (R high = recency_days at or below the comparison, F and M high = at or above it).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import REPO, classify, invoke, rows_by_customer, write
from tiercli.engine.query import ORDERS_DDL, classification_sql, classify_orders
from tiercli.engine.segments import CN8_LABELS_EN
from tiercli.errors import RulesError
from tiercli.rules.load import parse_rules

AS_OF = date(2024, 6, 30)

# customer -> (days before as_of of each order, amount of each order)
ORDERS: dict[str, tuple[list[int], list[int]]] = {
    "A": ([5, 40, 100], [300, 300, 400]),
    "B": ([200, 250, 300], [500, 500, 500]),
    "C": ([10], [900]),
    "D": ([300], [800]),
    "E": ([20, 60], [50, 50]),
    "F": ([150, 180, 210], [30, 30, 40]),
    "G": ([30], [60]),
    "H": ([400], [40]),
}

# The table as Quick Audience and Chinese CRM write-ups give it: (R high, F high, M high) -> class.
TABLE = {
    (True, True, True): "重要价值客户", (False, True, True): "重要保持客户",
    (True, False, True): "重要发展客户", (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户", (False, True, False): "一般保持客户",
    (True, False, False): "一般发展客户", (False, False, False): "一般挽留客户",
}


def metrics() -> dict[str, tuple[int, int, int]]:
    """customer -> (recency_days, frequency, monetary), by hand from ORDERS."""
    return {c: (min(days), len(days), sum(amounts)) for c, (days, amounts) in ORDERS.items()}


def expected(compare: tuple[float, float, float]) -> dict[str, str]:
    r_cut, f_cut, m_cut = compare
    return {c: TABLE[(r <= r_cut, f >= f_cut, m >= m_cut)] for c, (r, f, m) in metrics().items()}


def orders_csv(tmp_path: Path) -> Path:
    lines = ["customer_id,order_id,order_date,amount"]
    n = 0
    for customer, (days, amounts) in ORDERS.items():
        for day, amount in zip(days, amounts, strict=True):
            n += 1
            lines.append(f"{customer},{n},{AS_OF - timedelta(days=day)} 12:00:00,{amount}")
    lines.append(f"Z,{n + 1},{AS_OF} 18:00:00,1")  # the last order of all: it sets as_of to AS_OF
    return write(tmp_path, "orders.csv", "\n".join(lines) + "\n")


def run_cn8(tmp_path: Path, rfm: str, members: bool = False) -> tuple[dict[str, dict[str, object]], list[str]]:
    rules = f"version: 1\nrfm: {rfm}\ntiers:\n  - {{name: all}}\n"
    options: dict[str, object] = {}
    if members:
        options["members"] = str(write(tmp_path, "members.csv", "customer_id,registered_at\nM1,2024-01-01\n"))
    result = classify(orders_csv(tmp_path), rules=rules, **options)
    rows = rows_by_customer(result)
    rows.pop("Z")
    return rows, [str(n) for n in result.notes] + [f"{k}: {v}" for k, v in result.run]


def shown(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def test_the_metrics_are_the_hand_computed_ones(tmp_path: Path) -> None:
    rows, _ = run_cn8(tmp_path, "{segments: cn-8}")
    assert {c: (r["recency_days"], r["frequency"], float(str(r["monetary"]))) for c, r in rows.items()} == {
        c: (r, f, float(m)) for c, (r, f, m) in metrics().items()}


def test_mean_by_default_every_class_once(tmp_path: Path) -> None:
    rows, _ = run_cn8(tmp_path, "{segments: cn-8}")
    # Z (one order of 1 on as_of) is a customer with orders too: the means are over all nine
    values = [*metrics().values(), (0, 1, 1)]
    means = tuple(statistics.fmean(v[i] for v in values) for i in range(3))
    assert means == (1115 / 9, 16 / 9, 4501 / 9)
    got = {c: r["segment"] for c, r in rows.items()}
    assert got == expected(means)
    assert sorted(got.values()) == sorted(TABLE.values())  # each of the eight classes once
    assert got["A"] == "重要价值客户" and got["B"] == "重要保持客户" and got["C"] == "重要发展客户"
    assert got["H"] == "一般挽留客户"


def test_the_run_reports_the_values_compared_with(tmp_path: Path) -> None:
    _, said = run_cn8(tmp_path, "{segments: cn-8}")
    values = [*metrics().values(), (0, 1, 1)]
    r, f, m = (statistics.fmean(v[i] for v in values) for i in range(3))
    line = (f"high = recency_days ≤ {shown(r)} (the mean); frequency ≥ {shown(f)} (the mean); "
            f"monetary ≥ {shown(m)} (the mean)")
    assert f"cn-8 segments: {line}" in said
    assert f"cn-8 comparison: {line}" in said


def test_median(tmp_path: Path) -> None:
    rows, said = run_cn8(tmp_path, "{segments: cn-8, compare: median}")
    values = [*metrics().values(), (0, 1, 1)]
    medians = tuple(float(statistics.median(v[i] for v in values)) for i in range(3))
    assert medians == (30.0, 1.0, 100.0)
    assert {c: r["segment"] for c, r in rows.items()} == expected(medians)
    # at the median is high: G's 30 days, everyone's 1 order, E's and F's 100
    assert rows["G"]["segment"] == "一般价值客户"  # 30 ≤ 30, 1 ≥ 1, 60 < 100
    assert rows["E"]["segment"] == "重要价值客户"
    assert any("recency_days ≤ 30 (the median)" in s for s in said)


def test_given_values_and_ties_count_as_high(tmp_path: Path) -> None:
    rows, said = run_cn8(tmp_path, "{segments: cn-8, compare: {recency_days: 30, frequency: 2, monetary: 100}}")
    assert {c: r["segment"] for c, r in rows.items()} == expected((30, 2, 100))
    assert rows["E"]["segment"] == "重要价值客户"  # 20 days ≤ 30, 2 orders ≥ 2, 100 ≥ 100
    assert rows["F"]["segment"] == "重要保持客户"  # 150 days > 30, 3 ≥ 2, 100 ≥ 100
    assert rows["G"]["segment"] == "一般发展客户"  # 30 ≤ 30, 1 < 2, 60 < 100
    assert any("recency_days ≤ 30 (given); frequency ≥ 2 (given); monetary ≥ 100 (given)" in s for s in said)


def test_values_not_given_are_compared_with_the_mean(tmp_path: Path) -> None:
    rows, _ = run_cn8(tmp_path, "{segments: cn-8, compare: {monetary: 850}}")
    values = [*metrics().values(), (0, 1, 1)]
    r, f = (statistics.fmean(v[i] for v in values) for i in range(2))
    assert {c: x["segment"] for c, x in rows.items()} == expected((r, f, 850))


def test_a_customer_without_orders_has_no_class_and_does_not_count(tmp_path: Path) -> None:
    rows, _ = run_cn8(tmp_path, "{segments: cn-8}", members=True)
    member = rows.pop("M1")
    assert member["frequency"] == 0 and member["segment"] is None
    values = [*metrics().values(), (0, 1, 1)]
    means = tuple(statistics.fmean(v[i] for v in values) for i in range(3))
    assert {c: r["segment"] for c, r in rows.items()} == expected(means)


def test_english_labels_cover_the_eight_classes() -> None:
    assert set(CN8_LABELS_EN) == set(TABLE.values())
    assert CN8_LABELS_EN["重要价值客户"] == "Important value"
    assert len(set(CN8_LABELS_EN.values())) == 8


@pytest.mark.parametrize(("rfm", "message"), [
    ("{compare: mean}", "compare only applies to segments: cn-8"),
    ("{segments: cn-8, compare: average}", "unknown comparison 'average'"),
    ("{segments: cn-8, compare: {frequency: -1}}", "must be a number, 0 or more"),
    ("{segments: cn-8, compare: {orders: 2}}", "orders"),
    ("{segments: cn-8, compare: {}}", "gives no value"),
])
def test_bad_compare_settings_are_located_errors(rfm: str, message: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(f"version: 1\nrfm: {rfm}\ntiers:\n  - {{name: all}}\n")
    assert message in str(caught.value)
    assert "rfm → compare" in str(caught.value) or "rfm" in str(caught.value)


@pytest.mark.parametrize("rfm", ["{segments: cn-8}", "{segments: cn-8, compare: median}",
                                 "{segments: cn-8, compare: {recency_days: 30, frequency: 2}}",
                                 "{segments: cn-8, compare: {recency_days: 30, frequency: 2, monetary: 100}}"])
def test_the_exported_query_gives_what_the_local_run_gives(rfm: str) -> None:
    rules = parse_rules(f"version: 1\nrfm: {rfm}\ntiers:\n  - {{name: v, when: \"segment = '重要价值客户'\"}}\n"
                        "  - {name: all}\n")
    rows = []
    for customer, (days, amounts) in ORDERS.items():
        for i, (day, amount) in enumerate(zip(days, amounts, strict=True)):
            rows.append((customer, f"{customer}{i}", pd.Timestamp(AS_OF - timedelta(days=day)) + pd.Timedelta(hours=12),
                         amount, 0, 0, 1, None, None, None, None, None, "paid", "CNY"))

    def database() -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute(ORDERS_DDL)
        con.executemany(f"INSERT INTO orders VALUES ({', '.join('?' * 14)})", rows)
        return con

    as_of = pd.Timestamp(AS_OF).to_pydatetime().replace(hour=23, minute=59, second=59)
    local = database()
    columns = classify_orders(local, rules, as_of).columns  # type: ignore[arg-type]
    select = ", ".join(f'"{c}"' for c in columns)
    wanted = local.execute(f"SELECT {select} FROM classified ORDER BY monetary DESC, customer_id").fetchall()
    exported = database().execute(classification_sql(rules, as_of)).fetchall()
    assert exported == wanted
    segment = columns.index("segment")
    assert {row[segment] for row in wanted} <= set(TABLE.values())


SAMPLE = REPO / "sample_data" / "tmall_orders.xlsx"


def test_sample_data_against_pandas(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", "version: 1\npreset: tmall-5\nrfm: {segments: cn-8}\n")
    out = tmp_path / "customers.csv"
    code, said, err = invoke("classify", str(SAMPLE), "-r", str(rules), "-o", str(out))
    assert code == 0, err
    frame = pd.read_csv(out, dtype={"customer_id": str})
    bought = frame[frame["recency_days"].notna()]
    r, f, m = (bought[c].astype(float).mean() for c in ("recency_days", "frequency", "monetary"))
    near = ((bought["recency_days"] - r).abs() < 1e-6) | ((bought["frequency"] - f).abs() < 1e-6) | (
        (bought["monetary"] - m).abs() < 1e-6)
    assert not near.any()  # nobody on a mean, where summation order could decide the side
    want = [TABLE[(rd <= r, fq >= f, mo >= m)] for rd, fq, mo in
            zip(bought["recency_days"], bought["frequency"], bought["monetary"], strict=True)]
    assert bought["segment"].tolist() == [CN8_LABELS_EN[w] for w in want]  # an English CSV shows the labels
    assert len(set(want)) == 8
    assert f"recency_days ≤ {shown(r)} (the mean)" in said + err


def test_explain_shows_high_and_low_against_the_values(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", "version: 1\nrfm: {segments: cn-8, compare: median}\n"
                                          "tiers:\n  - {name: all}\n")
    orders = orders_csv(tmp_path)
    code, out, err = invoke("explain", "F", str(orders), "-r", str(rules))
    assert code == 0, err
    assert "'重要保持客户'" in out
    assert "cn-8 R  " in out
    assert "low: recency_days 150 > 30 (the median)" in out
    assert "high: frequency 3 ≥ 1 (the median)" in out
    assert "high: monetary 100.00 ≥ 100 (the median)" in out
    code, out, _ = invoke("explain", "F", str(orders), "-r", str(rules), "--lang", "zh")
    assert "低：recency_days 150 > 30（中位数）" in out
