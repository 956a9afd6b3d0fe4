"""The clv: model inside tiercli: the predicted columns of `classify`, `tiercli clv`'s holdout validation, and
what a user sees when the model can't be fitted or is used where it can't be.

Per-customer values are compared with an independent computation written here: x, t_x and T from the orders with
plain pandas (several orders on one day are one purchase), then the BG/NBD expressions of Fader, Hardie & Lee
(2005, eq. 13 for P(alive), eq. 10 for the conditional expectation) with scipy's hyp2f1, and the Gamma-Gamma
conditional mean; the parameters are the ones the run reports (their estimation is checked against the published
CDNOW figures in test_clv_models.py and below)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy.special import hyp2f1

from conftest import classify, invoke, shared_file, write
from tiercli.rules.load import parse_rules

CLV_RULES = """
version: 1
clv: {model: bgnbd, unit: weeks, horizon_days: 90, discount_rate: 0.1}
tiers:
  - {name: 高价值, when: "clv >= 200"}
  - {name: 普通}
tags:
  - {name: 沉睡高价值, when: "p_alive < 0.3 and monetary >= 300"}
"""
CDNOW_RULES = """
version: 1
input:
  columns: {customer: Id, paid_ts: Date, amount: Price, quantity: CDs}
clv: {model: bgnbd, unit: weeks}
tiers: [{name: all}]
"""


def _orders(seed: int = 11, customers: int = 400) -> pd.DataFrame:
    """Seeded orders: buyers with their own rate, lifetime and spend level, two orders sometimes on one day."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    rows = []
    order = 1000
    for c in range(customers):
        first = rng.integers(0, 300)
        rate = rng.gamma(0.8, 1 / 25)  # purchases per day
        life = rng.exponential(250)
        nu = rng.gamma(4, 1 / 60)  # Gamma-Gamma: each customer's own spend scale
        day = float(first)
        while day <= 730 and day - first <= life:
            amount = round(float(rng.gamma(6, 1 / nu)), 2)
            ts = start + pd.Timedelta(days=int(day), hours=int(rng.integers(8, 20)))
            rows.append((f"O{order}", f"C{c:04d}", ts, amount))
            if rng.random() < 0.1:  # a second order the same day: not a repeat purchase
                order += 1
                rows.append((f"O{order}", f"C{c:04d}", ts + pd.Timedelta(minutes=30), 10.0))
            order += 1
            day += max(1.0, rng.exponential(1 / max(rate, 1e-3)))
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "order_ts", "amount"])


def _write_orders(tmp_path: Path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "orders.csv"
    frame.assign(order_ts=frame["order_ts"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(path, index=False)
    return path


def _summary(frame: pd.DataFrame, as_of: pd.Timestamp, per: float) -> pd.DataFrame:
    """x, t_x, T (in days / per) and mean repeat spend per customer, in plain pandas."""
    days = (frame.assign(day=frame["order_ts"].dt.normalize())
            .groupby(["customer_id", "day"], as_index=False)["amount"].sum())
    g = days.sort_values("day").groupby("customer_id")
    first = g["day"].min()
    out = pd.DataFrame({
        "x": g.size() - 1,
        "t_x": (g["day"].max() - first).dt.days / per,
        "T": (as_of.normalize() - first).dt.days / per,
    })
    repeat = days.merge(first.rename("first").reset_index(), on="customer_id")
    repeat = repeat[repeat["day"] > repeat["first"]]
    out["m"] = repeat.groupby("customer_id")["amount"].mean()
    return out


def _bgnbd_p_alive(r: float, alpha: float, a: float, b: float, x: float, t_x: float, T: float) -> float:
    if x == 0:
        return 1.0
    ratio = math.exp(math.log(a) - math.log(b + x - 1) + (r + x) * math.log((alpha + T) / (alpha + t_x)))
    return 1.0 / (1.0 + ratio)


def _bgnbd_expected(r: float, alpha: float, a: float, b: float, t: float, x: float, t_x: float, T: float) -> float:
    z = t / (alpha + T + t)
    front = (a + b + x - 1) / (a - 1)
    core = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    delta = 1.0 if x > 0 else 0.0
    return front * core / (1 + delta * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


def _params(workbook: Path, title: str) -> dict[str, float]:
    """The fitted parameters as the CLV sheet shows them, under the table whose first cell is `title`."""
    ws = openpyxl.load_workbook(workbook)["CLV"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith(title))
    found = {}
    for row in rows[start + 1:]:
        if row[0] == "log-likelihood":
            break
        found[str(row[0])] = float(row[1])
    return found


def test_predicted_columns_match_the_papers_formulas(tmp_path: Path) -> None:
    frame = _orders()
    path = _write_orders(tmp_path, frame)
    out = tmp_path / "out.xlsx"
    rules = write(tmp_path, "rules.yaml", CLV_RULES)
    code, _, err = invoke("classify", str(path), "-r", str(rules), "-o", str(out))
    assert code == 0, err
    p = _params(out, "BG/NBD")
    gg = _params(out, "Gamma-Gamma")
    customers = pd.read_excel(out, sheet_name="Customers").set_index("customer_id")
    as_of = frame["order_ts"].max()
    expected = _summary(frame, as_of, 7.0)
    assert len(customers) == frame["customer_id"].nunique()
    for cid, row in expected.iterrows():
        got = customers.loc[cid]
        assert got["clv_x"] == row["x"]
        assert got["clv_t_x"] == pytest.approx(row["t_x"], abs=1e-4)
        assert got["clv_age"] == pytest.approx(row["T"], abs=1e-4)
        alive = _bgnbd_p_alive(p["r"], p["alpha"], p["a"], p["b"], row["x"], row["t_x"], row["T"])
        assert got["p_alive"] == pytest.approx(alive, abs=2e-6)
        orders = _bgnbd_expected(p["r"], p["alpha"], p["a"], p["b"], 90 / 7, row["x"], row["t_x"], row["T"])
        assert got["expected_orders"] == pytest.approx(orders, abs=1e-4, rel=1e-6)
        if row["x"] >= 1 and row["m"] > 0:
            spend = (gg["gamma"] + row["m"] * row["x"]) * gg["p"] / (gg["p"] * row["x"] + gg["q"] - 1)
        else:
            spend = gg["p"] * gg["gamma"] / (gg["q"] - 1)
        assert got["expected_spend"] == pytest.approx(spend, abs=0.006)
        # three 30-day months, each month's expected purchases discounted to as_of
        value = 0.0
        before = 0.0
        for end in (30, 60, 90):
            upto = _bgnbd_expected(p["r"], p["alpha"], p["a"], p["b"], end / 7, row["x"], row["t_x"], row["T"])
            value += (upto - before) / 1.1 ** (end / 365)
            before = upto
        assert got["clv"] == pytest.approx(value * spend, abs=0.006, rel=1e-5)
    sleeping = customers[(customers["p_alive"] < 0.3) & (customers["monetary"] >= 300)].index
    assert set(customers.index[customers["沉睡高价值"] == 1]) == set(sleeping)
    assert set(customers.index[customers["tier"] == "高价值"]) == set(customers.index[customers["clv"] >= 200])


def test_the_cdnow_holdout_matches_the_paper_and_plain_counts(tmp_path: Path) -> None:
    data = shared_file("clvtools", "cdnow.csv")
    rules = write(tmp_path, "rules.yaml", CDNOW_RULES)
    out = tmp_path / "cdnow.xlsx"
    code, stdout, err = invoke("clv", str(data), "-r", str(rules), "--calibration-end", "1997-09-30",
                               "-o", str(out))
    assert code == 0, err
    for name, value in (("r", "0.2426"), ("alpha", "4.4136"), ("a", "0.7929"), ("b", "2.4259"),
                        ("p", "6.2496"), ("q", "3.7442"), ("gamma", "15.4435")):
        assert re.search(rf"│ {name}\s+│\s+{value[:-1]}\d", stdout), name
    assert "-9,582.43" in stdout and "-4,055.92" in stdout
    frame = pd.read_csv(data, parse_dates=["Date"])
    cut = pd.Timestamp("1997-09-30")
    calibration = frame[frame["Date"] <= cut]
    x = calibration.groupby("Id")["Date"].nunique() - 1
    later = frame[(frame["Date"] > cut) & (frame["Date"] <= frame["Date"].max())]
    actual = later.groupby("Id")["Date"].nunique().reindex(x.index, fill_value=0)
    ws = openpyxl.load_workbook(out)["CLV"]
    rows = {str(r[0]): r for r in ws.iter_rows(values_only=True) if r[0] is not None}
    for k in range(8):
        label = f"{k}+" if k == 7 else str(k)
        chosen = x >= 7 if k == 7 else x == k
        assert rows[label][1] == int(chosen.sum())
        assert rows[label][2] == pytest.approx(actual[chosen].mean(), rel=1e-9)
    total = rows["all customers (sums)"]
    assert total[2] == pytest.approx(float(actual.sum()))
    # the paper's validation: predicted and actual holdout purchases agree within 15 % in total
    assert abs(total[3] - total[2]) / total[2] < 0.15


def test_without_enough_repeat_buyers_the_run_goes_on_and_says_why(tmp_path: Path) -> None:
    frame = _orders(customers=12)
    path = _write_orders(tmp_path, frame)
    result = classify(path, rules=CLV_RULES)
    rows = result.customers.to_pylist()
    assert rows and all(r["p_alive"] is None and r["clv"] is None for r in rows)
    assert result.clv is not None and result.clv.purchase is None
    note = next(n for n in result.notes if "was not fitted" in n)
    assert "customers bought on more than one day" in note
    assert "未拟合" in note.zh  # type: ignore[attr-defined]
    code, out, err = invoke("validate", write(tmp_path, "r.yaml", CLV_RULES).as_posix(), "--orders", str(path))
    assert code == 0
    assert "clv is empty on these orders" in out + err
    assert "p_alive is empty on these orders" in out + err


def test_a_rule_using_a_prediction_needs_clv_and_the_fix_works(tmp_path: Path) -> None:
    path = _write_orders(tmp_path, _orders(customers=60))
    without = CLV_RULES.replace("clv: {model: bgnbd, unit: weeks, horizon_days: 90, discount_rate: 0.1}\n", "")
    rules = write(tmp_path, "rules.yaml", without)
    code, _, err = invoke("classify", str(path), "-r", str(rules), "-o", str(tmp_path / "a.xlsx"))
    assert code == 2
    assert "clv is predicted by the CLV model" in err and "clv: {model: bgnbd}" in err
    fixed = write(tmp_path, "fixed.yaml", "clv: {model: bgnbd}\n" + without)
    code, _, err = invoke("classify", str(path), "-r", str(fixed), "-o", str(tmp_path / "b.xlsx"))
    assert code == 0, err


def test_sql_export_refuses_a_prediction_and_metrics_lists_them(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", CLV_RULES)
    code, _, err = invoke("sql", "-r", str(rules))
    assert code == 2 and "fitted in Python" in err
    code, out, _ = invoke("metrics", "--lang", "zh")
    assert code == 0
    for name, zh in (("p_alive", "存活概率"), ("expected_orders", "预期购买次数"), ("clv", "客户终身价值")):
        assert f"{name} / {zh}" in out
    # a rule may use the Chinese name
    assert parse_rules(CLV_RULES.replace("p_alive < 0.3", "存活概率 < 0.3")).tags[0].when.sql.startswith('"p_alive"')


@pytest.mark.parametrize("model", ["bgnbd", "paretonbd"])
def test_report_and_workbook_show_the_model(tmp_path: Path, model: str) -> None:
    path = _write_orders(tmp_path, _orders(customers=200))
    rules = write(tmp_path, "rules.yaml", CLV_RULES.replace("bgnbd", model))
    out, report = tmp_path / "out.xlsx", tmp_path / "report.html"
    code, _, err = invoke("classify", str(path), "-r", str(rules), "-o", str(out), "--report", str(report),
                          "--lang", "zh")
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    assert "客户终身价值" in wb.sheetnames
    cells = [c for row in wb["客户终身价值"].iter_rows(values_only=True) for c in row if c is not None]
    assert "对数似然" in cells and "估计值" in cells
    page = report.read_text(encoding="utf-8")
    assert 'id="clv"' in page and "存活概率" in page
