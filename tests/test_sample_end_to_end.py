"""The README's main job on the shipped sample, checked against an independent reference computation.

The reference reads the workbook with openpyxl (not the program's reader), computes the metrics with plain
pandas, and applies the rules of rules.example.yaml as Python first-match conditions written out here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import REPO
from tiercli.cli.app import app

SAMPLE = REPO / "sample_data" / "tmall_orders.xlsx"
RULES = REPO / "rules.example.yaml"

PAID = {"交易成功", "买家已签收", "买家已付款，等待卖家发货", "卖家已发货，等待买家确认"}

TIERS = [
    ("重要客户", lambda c: c.monetary >= 5000 or (c.monetary >= 2000 and c.frequency >= 5)),
    ("忠实客户", lambda c: c.frequency >= 4 and c.tenure_days >= 180),
    ("优质客户", lambda c: c.monetary >= 1000 and c.frequency >= 2),
    ("普通客户", lambda c: c.frequency >= 2),
    ("基础客户", lambda c: True),
]
TAGS = {
    "高频购买者": lambda c: c.orders_90d >= 3,
    "价格敏感型": lambda c: c.discount_share >= 0.5,
    "偏爱美妆": lambda c: c.top_category == "美妆",
    "沉睡高价值": lambda c: c.monetary >= 1000 and c.recency_days > 180,
    "新客": lambda c: c.tenure_days <= 30,
    "退款较多": lambda c: c.refund_rate >= 0.3,
}


def _reference() -> tuple[pd.DataFrame, int, int]:
    sheet = openpyxl.load_workbook(SAMPLE, read_only=True)["订单报表"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    raw = pd.DataFrame(rows[1:], columns=header)
    df = pd.DataFrame({
        "customer": raw["买家会员名"].where(raw["买家会员名"].notna() & (raw["买家会员名"] != ""),
                                        raw["买家支付宝账号"]),
        "order": raw["订单编号"].astype(str),
        "paid_at": pd.to_datetime(raw["订单付款时间"], errors="coerce", format="%Y-%m-%d %H:%M:%S"),
        "paid": pd.to_numeric(raw["买家实际支付金额"], errors="coerce"),
        "refund": pd.to_numeric(raw["退款金额"], errors="coerce").fillna(0),
        "coupon": pd.to_numeric(raw["天猫卡券抵扣"], errors="coerce").fillna(0),
        "category": raw["商品类目"],
        "status": raw["订单状态"],
    })
    used = (df.status.isin(PAID) & df.customer.notna() & (df.customer != "") & df.paid_at.notna()
            & df.paid.notna() & ~((df.paid > 0) & (df.refund >= df.paid)))
    orders = df[used].assign(net=lambda d: d.paid - d.refund)
    as_of = orders.paid_at.max()
    day = as_of.normalize()
    grouped = orders.groupby("customer")
    cust = pd.DataFrame({
        "frequency": grouped.order.nunique(),
        "monetary": grouped.net.sum().round(2),
        "refund": grouped.refund.sum(),
        "first": grouped.paid_at.min(),
        "last": grouped.paid_at.max(),
        "orders_90d": orders[orders.paid_at > as_of - pd.Timedelta(days=90)].groupby("customer").order.nunique(),
        "discounted": orders[orders.coupon > 0].groupby("customer").order.nunique(),
    }).fillna({"orders_90d": 0, "discounted": 0})
    spend = orders.groupby(["customer", "category"]).net.sum().reset_index()
    spend = spend.sort_values(["customer", "net", "category"], ascending=[True, False, True])
    cust["top_category"] = spend.groupby("customer").category.first()
    cust["recency_days"] = (day - cust["last"].dt.normalize()).dt.days
    cust["tenure_days"] = (day - cust["first"].dt.normalize()).dt.days
    cust["discount_share"] = cust.discounted / cust.frequency
    cust["refund_rate"] = cust.refund / (cust.monetary + cust.refund)
    cust["tier"] = [next(name for name, rule in TIERS if rule(c)) for c in cust.itertuples()]
    for tag, rule in TAGS.items():
        cust[tag] = [int(rule(c)) for c in cust.itertuples()]
    return cust, len(raw.dropna(how="all")), int(used.sum())


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("e2e") / "customers.xlsx"
    result = CliRunner().invoke(app, ["classify", str(SAMPLE), "-r", str(RULES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def _sheet(path: Path, name: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=name, dtype={"customer_id": str}, engine="openpyxl")


def test_tier_and_tag_counts_match_an_independent_computation(workbook: tuple[Path, str]) -> None:
    out, _ = workbook
    expected, _, _ = _reference()
    customers = _sheet(out, "Customers")
    assert customers.customer_id.is_unique
    assert customers.tier.value_counts().to_dict() == expected.tier.value_counts().to_dict()
    for tag in TAGS:
        assert int(customers[tag].sum()) == int(expected[tag].sum()), tag
    got = customers.set_index("customer_id")
    assert sorted(got.index) == sorted(expected.index)
    assert (got.monetary.round(2) == expected.monetary.reindex(got.index)).all()
    assert (got.frequency == expected.frequency.reindex(got.index)).all()
    assert (got.recency_days == expected.recency_days.reindex(got.index)).all()


def test_every_row_is_used_or_excluded_and_the_terminal_says_so(workbook: tuple[Path, str]) -> None:
    out, output = workbook
    _, read, used = _reference()
    excluded = _sheet(out, "Excluded")
    assert read == used + len(excluded)
    assert f"rows: {read:,} read = {used:,} used + {len(excluded):,} excluded" in output
    assert set(excluded.reason) == {"cancelled", "refunded_in_full", "unpaid", "bad_amount", "bad_date",
                                    "missing_customer"}
    bad_date = excluded[excluded.reason == "bad_date"].iloc[0]
    assert bad_date.message == "'2026-13-45 10:00:00' in '订单付款时间' is not a date"


def test_as_of_defaults_to_the_latest_order_and_is_printed(workbook: tuple[Path, str]) -> None:
    out, output = workbook
    expected, _, _ = _reference()
    as_of: datetime = expected["last"].max().to_pydatetime()
    assert f"as_of: {as_of:%Y-%m-%d %H:%M:%S}" in output
    run = _sheet(out, "Run")
    assert as_of.strftime("%Y-%m-%d %H:%M:%S") in run.to_string()
