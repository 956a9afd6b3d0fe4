"""Metrics, R/F/M scores and segments, checked by hand on small inputs."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from conftest import classify, rows_by_customer, write
from tiercli.engine.segments import DEFAULT_TABLE, segment_sql


def test_metrics_by_hand(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", """
        customer_id,order_id,order_date,amount,refund_amount,discount_amount,category,quantity,sku
        a,1,2024-01-01 09:00,100,0,5,美妆,1,s1
        a,2,2024-03-01 09:00,300,100,0,服饰,2,s2
        a,2,2024-03-01 09:00,50,0,0,美妆,1,s1
        a,3,2024-03-31 23:00,40,0,10,美妆,1,s3
        b,4,2024-02-15 12:00,70,0,0,食品,3,s4
    """)
    result = classify(f)
    a = rows_by_customer(result)["a"]
    assert result.as_of == datetime(2024, 3, 31, 23, 0)
    assert (a["recency_days"], a["tenure_days"], a["frequency"]) == (0, 90, 3)
    assert a["monetary"] == Decimal("390.00")  # 100 + (300 - 100) + 50 + 40
    assert a["aov"] == Decimal("130.00")
    assert (a["orders_30d"], a["orders_90d"], a["orders_365d"]) == (1, 2, 3)  # windows end at as_of 23:00
    assert a["spend_30d"] == Decimal("40.00")
    assert a["refund_amount"] == Decimal("100.00")
    assert a["refund_rate"] == round(100 / 490, 4)
    assert a["discount_share"] == round(2 / 3, 4)
    assert (a["quantity"], a["distinct_products"], a["distinct_categories"]) == (5, 3, 2)
    assert a["top_category"] == "服饰"  # 200 net vs 美妆 190
    assert a["avg_days_between_orders"] == round((90 + 14 / 24) / 2, 1)  # Jan 1 09:00 to Mar 31 23:00


def test_equal_values_share_a_score_and_cut_points_are_reported(tmp_path: Path) -> None:
    lines = ["customer_id,order_id,order_date,amount"]
    n = 0
    for i in range(10):  # c0..c5 buy once, c6..c9 buy i-4 times
        for _ in range(1 if i < 6 else i - 4):
            n += 1
            lines.append(f"c{i},{n},2024-01-{1 + i:02d},{10 * (i + 1)}")
    result = classify(write(tmp_path, "o.csv", "\n".join(lines) + "\n"))
    customers = rows_by_customer(result)
    f_scores = {c: customers[c]["f_score"] for c in customers}
    assert len({f_scores[f"c{i}"] for i in range(6)}) == 1  # all one-time buyers share a score
    thresholds = result.thresholds
    f = thresholds[thresholds.dimension == "F"]
    assert f.customers.sum() == 10
    assert f.iloc[0].cut_points == "1, 1, 1, 3"  # 1.4 and 3.2 orders, shown whole: "> 1" splits as "> 1.4" does
    assert any(note.startswith("F scores 2, 3 are empty") for note in result.notes)


def test_default_segment_table_gives_every_cell_exactly_its_first_match() -> None:
    con = duckdb.connect()
    cells = list(itertools.product(range(1, 6), repeat=3))
    con.execute("CREATE TABLE t (r_score INT, f_score INT, m_score INT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", cells)
    got = dict(((r, f, m), s) for r, f, m, s in con.execute(
        f"SELECT r_score, f_score, m_score, {segment_sql(DEFAULT_TABLE, 5)} FROM t").fetchall())
    assert None not in got.values()
    assert got[(5, 5, 5)] == "Champions" and got[(1, 5, 5)] == "Can't Lose Them" and got[(5, 1, 1)] == "New"
    assert got[(1, 1, 1)] == "Lost" and got[(3, 5, 1)] == "Loyal" and got[(2, 3, 1)] == "At Risk"
    assert {row.name for row in DEFAULT_TABLE.rows} == set(got.values())
    assert all(DEFAULT_TABLE.segment_of(*cell, 5) == name for cell, name in got.items())
