"""The headline figures (KPIs) of a run and of its previous run, and the currency the outputs show money in:
each against a plain pandas computation over the written customers, and the currency from the data, the
platform or the rules' `report.currency`, in that order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, classify, invoke, write
from tiercli.engine.figures import ACTIVE_DAYS
from tiercli.result import Kpis

TMALL = REPO / "sample_data" / "tmall_orders.xlsx"
SHOPIFY = REPO / "sample_data" / "shopify_orders_export.csv"
RULES = REPO / "rules.example.yaml"


def expected_kpis(frame: pd.DataFrame) -> Kpis:
    """The KPI definitions, written here in pandas: revenue = Σ monetary, orders = Σ frequency, repeat rate =
    customers with 2+ orders / customers with an order, AOV = revenue / orders, active = an order within 90 days."""
    frequency = pd.to_numeric(frame["frequency"], errors="coerce").fillna(0)
    monetary = pd.to_numeric(frame["monetary"], errors="coerce").fillna(0)
    recency = pd.to_numeric(frame["recency_days"], errors="coerce")
    revenue, orders = float(monetary.sum()), int(frequency.sum())
    buyers = int((frequency >= 1).sum())
    return Kpis(customers=len(frame), revenue=round(revenue, 2), orders=orders,
                repeat_rate=int((frequency >= 2).sum()) / buyers if buyers else None,
                aov=round(revenue / orders, 2) if orders else None,
                active_90d=int(((frequency >= 1) & (recency <= ACTIVE_DAYS)).sum()))


def assert_kpis(found: Kpis | None, expected: Kpis) -> None:
    assert found is not None
    assert (found.customers, found.orders, found.active_90d) == (expected.customers, expected.orders,
                                                                 expected.active_90d)
    assert found.revenue == pytest.approx(expected.revenue, abs=0.01)
    assert found.aov == pytest.approx(expected.aov, abs=0.01)
    assert found.repeat_rate == pytest.approx(expected.repeat_rate, rel=1e-12)


@pytest.mark.parametrize("orders", [TMALL, SHOPIFY], ids=["tmall", "shopify"])
def test_kpis_match_a_pandas_computation_over_the_written_customers(orders: Path, tmp_path: Path) -> None:
    out = tmp_path / "customers.csv"
    code, _, err = invoke("classify", str(orders), "-r", str(RULES), "-o", str(out), "-q")
    assert code == 0, err
    frame = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    with classify(orders, rules=RULES.read_text(encoding="utf-8")) as result:
        assert_kpis(result.figures.kpis, expected_kpis(frame))
        assert result.figures.previous_kpis is None


def test_previous_kpis_come_from_the_previous_file(tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.csv"
    code, _, err = invoke("classify", str(TMALL), "-r", str(RULES), "-o", str(earlier), "--as-of", "2026-06-30",
                          "-q")
    assert code == 0, err
    with classify(TMALL, rules=RULES.read_text(encoding="utf-8"), previous=str(earlier)) as result:
        assert_kpis(result.figures.previous_kpis, expected_kpis(pd.read_csv(earlier, dtype=str,
                                                                            encoding="utf-8-sig")))
        assert result.figures.kpis is not None and result.figures.previous_kpis is not None
        assert result.figures.kpis.customers > result.figures.previous_kpis.customers


def test_kpis_of_members_without_orders(tmp_path: Path) -> None:
    orders = write(tmp_path, "o.csv", """
        customer_id,order_id,order_date,amount
        a,1,2024-06-01,100
        a,2,2024-06-20,50
        b,3,2024-01-01,30
    """)
    members = write(tmp_path, "m.csv", """
        member_id,registered
        a,2023-01-01
        z,2024-05-01
    """)
    with classify(orders, members=str(members), platform="generic") as result:
        kpis = result.figures.kpis
        assert kpis == Kpis(customers=3, revenue=180.0, orders=3, repeat_rate=0.5, aov=60.0, active_90d=1)


CURRENCY_RULES = """
version: 1
tiers:
  - {name: all}
"""


def test_currency_comes_from_the_data_then_the_platform_then_the_rules(tmp_path: Path) -> None:
    with classify(SHOPIFY, rules=CURRENCY_RULES) as result:
        assert result.currency == "USD"
        data = pd.read_csv(SHOPIFY, dtype=str)
        assert set(data["Currency"].dropna()) == {"USD"}  # every order in dollars: every used line counts
        assert result.currencies == {"USD": sum(f.rows_used for f in result.inputs)}
    with classify(TMALL, rules=CURRENCY_RULES) as result:  # no currency column: the platform's
        assert (result.currency, result.currencies) == ("CNY", {})
    generic = write(tmp_path, "g.csv", """
        customer_id,order_date,amount
        a,2024-01-01,5
    """)
    with classify(generic, rules=CURRENCY_RULES, platform="generic") as result:
        assert result.currency is None
    with classify(generic, rules=CURRENCY_RULES + "report: {currency: eur}\n", platform="generic") as result:
        assert result.currency == "EUR"
    mixed = write(tmp_path, "mixed.csv", """
        customer_id,order_date,amount,currency
        a,2024-01-01,5,usd
        b,2024-01-02,6,EUR
        c,2024-01-03,7,EUR
        d,2024-01-04,8,
    """)
    with classify(mixed, rules=CURRENCY_RULES + "report: {currency: GBP}\n", platform="generic") as result:
        assert (result.currency, result.currencies) == ("EUR", {"EUR": 2, "USD": 1})
        assert [n for n in result.notes if "several currencies" in n] == [
            "the amounts are in several currencies (order lines: EUR 2, USD 1); they are added up as they are and "
            "shown in EUR, the one most lines use"]


@pytest.mark.parametrize("value", ["dollars", "12", "{a: 1}"])
def test_a_currency_that_is_not_a_code_is_refused_by_validate(value: str, tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", CURRENCY_RULES + f"report:\n  currency: {value}\n")
    code, _, err = invoke("validate", str(rules))
    assert code == 2
    assert "report → currency" in err and "three-letter currency code" in err, err
    fixed = write(tmp_path, "fixed.yaml", CURRENCY_RULES + "report:\n  currency: USD\n")
    assert invoke("validate", str(fixed))[0] == 0


def test_the_terminal_summary_leads_with_the_headline_in_the_data_currency(tmp_path: Path) -> None:
    earlier = tmp_path / "earlier.csv"
    assert invoke("classify", str(SHOPIFY), "-o", str(earlier), "--as-of", "2026-06-30", "-q")[0] == 0
    out = tmp_path / "now.csv"
    code, stdout, stderr = invoke("classify", str(SHOPIFY), "-o", str(out), "--previous", str(earlier))
    assert code == 0, stderr
    now = expected_kpis(pd.read_csv(out, dtype=str, encoding="utf-8-sig"))
    before = expected_kpis(pd.read_csv(earlier, dtype=str, encoding="utf-8-sig"))
    assert now.revenue is not None and before.revenue is not None and now.aov is not None
    line = next(line for line in (stdout + stderr).splitlines() if line.startswith("headline"))
    assert line.startswith("headline (change since the previous run): ")
    assert f"{now.customers:,} customers (+{now.customers - before.customers:,})" in line
    assert f"revenue ${now.revenue:,.2f} (+${now.revenue - before.revenue:,.2f})" in line
    assert f"AOV ${now.aov:,.2f}" in line
    code, stdout, stderr = invoke("classify", str(TMALL), "-r", str(RULES), "-o", str(tmp_path / "t.csv"),
                                  "--lang", "zh")
    assert code == 0 and "核心指标：客户 " in stdout + stderr and "销售额 ¥" in stdout + stderr


PLATFORMS = REPO / "tests" / "fixtures" / "platforms"


@pytest.mark.parametrize(("fixture", "currency"), [
    ("uci_online_retail.csv", "GBP"),  # UCI: a UK retailer, prices in sterling, no currency column
    ("jd_orders_gbk.csv", "CNY"),
    ("youzan_orders.csv", "CNY"),
])
def test_platforms_without_a_currency_column_name_theirs(fixture: str, currency: str, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    code, stdout, stderr = invoke("classify", str(PLATFORMS / fixture), "-r", str(RULES), "-o", str(out))
    assert code == 0, stderr
    sign = {"GBP": "£", "CNY": "¥"}[currency]
    revenue = pd.to_numeric(pd.read_csv(out, dtype=str, encoding="utf-8-sig")["monetary"]).sum()
    assert f"revenue {'-' if revenue < 0 else ''}{sign}{abs(revenue):,.2f}" in stdout


def test_a_run_with_nothing_left_names_the_reasons_in_the_run_language(tmp_path: Path) -> None:
    orders = write(tmp_path, "o.csv", """
        customer_id,order_date,amount,status
        a,2024-01-01,5,unpaid
    """)
    code, _, err = invoke("classify", str(orders), "--platform", "generic", "-o", str(tmp_path / "c.csv"),
                          "--lang", "zh")
    assert code == 2 and "（未付款 1 行）" in err, err
    code, _, err = invoke("classify", str(orders), "--platform", "generic", "-o", str(tmp_path / "c.csv"))
    assert code == 2 and "(unpaid 1)" in err, err
