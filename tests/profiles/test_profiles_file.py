"""platforms.yaml is data that is checked: every key, field, class and reference must be known, or loading fails."""

from __future__ import annotations

import re
from importlib import resources

import duckdb
import pytest

from tiercli.profiles.detect import (
    TIE_MARGIN,
    ProfileFileError,
    detect_platform,
    header_key,
    load_profiles,
    profiles,
)

SHIPPED = resources.files("tiercli.profiles").joinpath("platforms.yaml").read_text(encoding="utf-8")

MINIMAL = """
platforms:
  shop-x:
    title: Shop X orders
    signature: [Order No, Buyer, Paid Time]
    columns:
      customer: [Buyer]
      order_id: [Order No]
      paid_ts: [Paid Time]
      amount: [Paid]
{extra}
  generic:
    title: Generic
    columns:
      customer: [customer]
"""


def _load(extra: str) -> None:
    load_profiles(MINIMAL.format(extra=extra))


def test_the_shipped_file_loads_every_platform_the_issue_lists() -> None:
    assert sorted(profiles()) == [
        "amazon-all-orders", "amazon-order-report", "douyin-orders", "generic", "jd-orders", "pinduoduo-orders",
        "qianniu-orders", "qianniu-suborders", "shopify-orders", "square-transactions", "stripe-payments",
        "tmall-item-report", "tmall-order-report", "uci-online-retail", "uci-online-retail-ii",
        "woocommerce-skyverge", "youzan-items", "youzan-orders",
    ]
    assert load_profiles(SHIPPED) == profiles()


@pytest.mark.parametrize(("extra", "message"), [
    ("    shap: order", "platforms.yaml: platforms → shop-x: unknown key 'shap' (did you mean 'shape'?); known: "),
    ("    shape: lines", "platforms.yaml: platforms → shop-x → shape: 'lines' is not one of order, line, line_first "
                       "(did you mean 'line'?)"),
    ("    amount: order_repeated\n    shape: order",
     "platforms.yaml: platforms → shop-x → amount: order_repeated needs shape: line"),
    ("    statuses: {完成: paid_don}", "platforms.yaml: platforms → shop-x → statuses → 完成: 'paid_don' is not one of "
                                    "paid_done, paid_in_progress, unpaid, cancelled, refunded (did you mean 'paid_done'?)"),
    ("    status_prefixes: {(删除): deleted}", "platforms.yaml: platforms → shop-x → status_prefixes → (删除): 'deleted'"),
    ("    refund_statuses: {退款成功: refund}", "platforms.yaml: platforms → shop-x → refund_statuses → 退款成功: 'refund'"),
    ("    order_id_prefixes: {C: cancel}", "platforms.yaml: platforms → shop-x → order_id_prefixes → C: 'cancel' is "
                                        "not one of return, adjustment"),
    ("    dayfirst: sometimes", "platforms.yaml: platforms → shop-x → dayfirst: must be true or false"),
    ("    timezone: Asia/Shangai", "platforms.yaml: platforms → shop-x → timezone: unknown time zone 'Asia/Shangai' "
                                 "(did you mean 'Asia/Shanghai'?)"),
    ("    no_customer_key: true", "platforms.yaml: platforms → shop-x: no_customer_key needs a 'hint'"),
    ("    masked: ['(unclosed']", "platforms.yaml: platforms → shop-x → masked: '(unclosed' is not a regular expression"),
    ("    items_of: shop-y\n    join_key: Order No", "platforms.yaml: platforms → shop-x → items_of: unknown profile "
                                                    "'shop-y'"),
    ("    items_of: generic", "platforms.yaml: platforms → shop-x: an item report needs both 'items_of' and 'join_key'"),
    ("    items_of: generic\n    join_key: Buyer", "platforms.yaml: platforms → shop-x → join_key: 'Buyer' is not one "
                                                 "of columns → order_id"),
    ("    signature: [Buyer]", "platforms.yaml:11: key 'signature' is given twice"),
    ("    statuses: {'交易成功 ': paid_done}", "platforms.yaml: platforms → shop-x → statuses: '交易成功 ' has spaces "
                                          "around it; cells are compared trimmed"),
    ("    statuses: {'交易成功，等待': paid_done, '交易成功,等待': unpaid}", "platforms.yaml: platforms → shop-x → "
                                                                   "statuses: '交易成功,等待' maps to both"),
])
def test_a_typo_in_platforms_yaml_fails_loading_with_its_place_named(extra: str, message: str) -> None:
    with pytest.raises(ProfileFileError) as info:
        _load(extra)
    assert str(info.value).startswith(message)


def test_unknown_canonical_field_and_duplicate_alias_are_refused() -> None:
    with pytest.raises(ProfileFileError, match=r"columns: unknown field 'custmer' \(did you mean 'customer'\?\)"):
        load_profiles(MINIMAL.format(extra="").replace("customer: [Buyer]", "custmer: [Buyer]"))
    with pytest.raises(ProfileFileError, match=r"columns → order_id: 'order no' is listed twice"):
        load_profiles(MINIMAL.format(extra="").replace("[Order No]", "[Order No, order no]"))
    with pytest.raises(ProfileFileError, match="the 'generic' profile is missing"):
        load_profiles(MINIMAL.format(extra="").split("  generic:")[0])


def test_a_status_is_matched_with_half_and_full_width_punctuation() -> None:
    taobao = profiles()["tmall-order-report"]
    assert taobao.statuses["买家已付款，等待卖家发货"] == "paid_in_progress"
    assert taobao.statuses["买家已付款,等待卖家发货"] == "paid_in_progress"
    assert profiles()["jd-orders"].status_prefixes == {"(删除)": "cancelled", "（删除）": "cancelled"}


def test_profile_fields_the_engine_reads() -> None:
    table = profiles()
    assert {n: (p.shape, p.amount) for n, p in table.items() if p.shape != "order" or p.amount != "order"} == {
        "tmall-item-report": ("line", "line"), "qianniu-suborders": ("line", "line"),
        "jd-orders": ("line", "order_repeated"), "youzan-items": ("line", "line"),
        "douyin-orders": ("line", "line"), "shopify-orders": ("line_first", "order"),
        "amazon-order-report": ("line", "line"), "amazon-all-orders": ("line", "line"),
        "uci-online-retail": ("line", "line"), "uci-online-retail-ii": ("line", "line"),
        "generic": ("line", "line"),
    }
    assert sorted(n for n, p in table.items() if p.no_customer_key) == [
        "amazon-all-orders", "douyin-orders", "pinduoduo-orders", "qianniu-orders"]
    assert {n: (p.items_of, p.join_key) for n, p in table.items() if p.items_of} == {
        "tmall-item-report": ("tmall-order-report", "订单编号"),
        "qianniu-suborders": ("qianniu-orders", "主订单编号"),
        "youzan-items": ("youzan-orders", "订单号"),
    }
    assert table["shopify-orders"].customer_chain == ("Email", "Phone", "Billing Phone")
    assert table["tmall-order-report"].customer_chain == ("买家会员名", "买家支付宝账号")
    assert table["uci-online-retail"].order_id_prefixes == {"C": "return", "A": "adjustment"}
    assert table["uci-online-retail"].dayfirst is False and table["woocommerce-skyverge"].dayfirst is False
    assert table["stripe-payments"].timezone == "UTC"
    assert table["pinduoduo-orders"].refund_statuses == {"退款成功": "refunded"}
    assert "无退款申请" in table["qianniu-orders"].empty_values and "-" in table["douyin-orders"].empty_values
    assert {"合计", "总计"} <= set(table["tmall-order-report"].summary_labels)


@pytest.mark.parametrize(("platform", "value", "kind"), [
    ("youzan-orders", "186******05", "masked"),
    ("douyin-orders", "##密文", "masked"),
    ("douyin-orders", "$$密文", "masked"),
    ("tmall-order-report", "al***@163.com", "masked"),
    ("shopify-orders", "8f3k2j1h0g9d@marketplace.amazon.com", "masked"),
    ("shopify-orders", "relay0000000000000000000001@scs3.tiktok.com", "masked"),
    ("shopify-orders", "alice@example.com", None),
    ("amazon-order-report", "x7k2m9q4r1w8@marketplace.amazon.com", "relay"),
    ("amazon-order-report", "a1b2c3d4e5f6@marketplace.amazon.co.jp", "relay"),
    ("youzan-orders", "13800001111", None),
])
def test_masked_and_relay_patterns_match_alike_in_python_and_duckdb(platform: str, value: str,
                                                                   kind: str | None) -> None:
    profile = profiles()[platform]
    con = duckdb.connect()
    found = []
    for name, pattern in (("masked", profile.masked_pattern), ("relay", profile.relay_pattern)):
        in_python = pattern is not None and re.search(pattern, value) is not None
        row = con.execute("SELECT regexp_matches(?, ?)", [value, pattern or "a^"]).fetchone()
        assert row is not None and row[0] == in_python
        if in_python:
            found.append(name)
    assert found == ([kind] if kind else [])


@pytest.mark.parametrize("name", [n for n, p in profiles().items() if p.signature])
def test_each_profile_is_detected_from_its_own_signature_and_no_other_comes_close(name: str) -> None:
    found = detect_platform(profiles()[name].signature)
    assert (found.profile.name, found.score) == (name, 1.0)
    assert found.runner_up is not None and found.runner_up_score <= 1.0 - TIE_MARGIN


@pytest.mark.parametrize(("raw", "key"), [
    ("\ufeff订单编号", "订单编号"),
    ("收货地址 ", "收货地址"),
    ("订单付款时间\u3000", "订单付款时间"),
    ('="订单编号"', "订单编号"),
    ('"Customer ID"', "customer id"),
    ("Customer_ID", "customer id"),
    ("order-id", "order id"),
    ("店铺优惠（分摊）", "店铺优惠(分摊)"),
    ("  Lineitem   quantity ", "lineitem quantity"),
])
def test_headers_compare_as_people_read_them(raw: str, key: str) -> None:
    assert header_key(raw) == key
