"""Detection by header overlap: a clear winner is used; a tie or a partial match stops and names the candidates;
--platform forces a profile; input.columns always wins."""

from __future__ import annotations

import pytest

from tiercli.errors import ColumnMappingError, UsageError
from tiercli.profiles.detect import build_mapping, detect, detect_platform, profiles

MAP_IT = ("map the columns yourself in the rules file: input: {columns: {customer: <column>, order_id: <column>, "
          "paid_ts: <column>, amount: <column>}}")
SHOPIFY_PART = ["Name", "Email", "Financial Status", "Paid at", "Total", "Notes"]


def test_a_tie_stops_and_names_both_candidates_with_their_scores() -> None:
    headers = [*profiles()["uci-online-retail"].signature, "Invoice", "Price", "Customer ID"]
    with pytest.raises(ColumnMappingError) as info:
        detect_platform(headers, where="retail.csv")
    assert info.value.slug == "ambiguous_platform"
    assert str(info.value) == (
        "retail.csv: looks as much like 'uci-online-retail' (UCI Online Retail: 8 of its 8 headers, 100%) as like "
        "'uci-online-retail-ii' (UCI Online Retail II: 8 of its 8 headers, 100%); choose one with "
        f"--platform uci-online-retail or --platform uci-online-retail-ii, or {MAP_IT}")


def test_a_weak_match_stops_and_says_what_is_missing() -> None:
    with pytest.raises(ColumnMappingError) as info:
        detect_platform(SHOPIFY_PART, where="orders.csv")
    assert info.value.slug == "weak_platform"
    assert str(info.value) == (
        "orders.csv: looks only partly like 'shopify-orders' (Shopify orders export: 5 of its 14 headers, 36%); "
        "'shopify-orders' lacks 'Fulfillment Status', 'Currency', 'Subtotal', 'Created at', 'Lineitem quantity' "
        "and 4 more. If it is that export, say so with --platform shopify-orders.")


def test_a_weak_match_names_every_partial_candidate() -> None:
    headers = ["订单编号", "总金额", "买家实际支付金额", "收货地址 ", "订单创建时间", "订单付款时间 ", "退款金额"]
    with pytest.raises(ColumnMappingError) as info:
        detect_platform(headers, where="tmall_order_report.csv")
    assert str(info.value).startswith(
        "tmall_order_report.csv: looks only partly like 'tmall-order-report' (Taobao/Tmall 卖家中心 订单报表: 5 of its "
        "12 headers, 42%) and 'qianniu-orders' (Taobao/Tmall 千牛 orders export: 4 of its 11 headers, 36%); "
        "'tmall-order-report' lacks '买家会员名', '买家支付宝账号', '买家应付货款', '订单状态', '宝贝标题' and 2 more.")


def test_common_names_alone_are_no_evidence_of_a_platform_so_the_generic_profile_reads_them() -> None:
    # `customer_id` and `Country` are 2 of UCI Online Retail II's 8 signature headers, but any table has them
    found = detect_platform(["customer_id", "order_date", "amount", "Country"])
    assert (found.profile.name, found.score, found.runner_up and found.runner_up.name) == (
        "generic", 0.0, "uci-online-retail-ii")
    assert found.runner_up_score == 2 / 8
    assert found.describe() == "generic (0% of its headers; next: uci-online-retail-ii 25%)"
    assert detect(["customer_id", "order_date", "amount"]) == (profiles()["generic"], 0.0)


def test_a_clear_winner_reports_its_score_and_the_runner_up() -> None:
    headers = [*profiles()["shopify-orders"].signature[:-1], "Billing Phone"]
    found = detect_platform(headers)
    assert (found.profile.name, round(found.score, 3), len(found.matched)) == ("shopify-orders", 0.929, 13)
    assert found.describe() == "shopify-orders (93% of its headers; next: amazon-all-orders 6%)"
    assert detect(headers)[0].name == "shopify-orders"


def test_platform_forces_a_profile_and_an_unknown_name_gets_a_suggestion() -> None:
    found = detect_platform(SHOPIFY_PART, forced="shopify-orders")
    assert (found.profile.name, found.forced, round(found.score, 3)) == ("shopify-orders", True, 0.357)
    assert found.describe() == "shopify-orders (forced with --platform, 36% of its headers)"
    with pytest.raises(UsageError) as info:
        detect_platform(SHOPIFY_PART, forced="shopfy")
    assert str(info.value).startswith("unknown platform 'shopfy' (did you mean 'shopify-orders'?); give --platform one of: "
                                      "amazon-all-orders, amazon-order-report, douyin-orders, generic, ")


def test_input_columns_win_over_a_weak_or_tied_match() -> None:
    explicit = {"customer": "Email", "paid_ts": "Paid at", "amount": "Total"}
    found = detect_platform(SHOPIFY_PART, explicit=explicit)
    assert (found.profile.name, found.runner_up and found.runner_up.name) == ("generic", "shopify-orders")
    mapping = build_mapping(SHOPIFY_PART, found.profile, explicit, "orders.csv", detection=found)
    assert mapping.describe() == {"customer": "Email", "paid_ts": "Paid at", "amount": "Total"}
    assert mapping.detection is found
    with pytest.raises(ColumnMappingError):  # a partial mapping doesn't settle it
        detect_platform(SHOPIFY_PART, explicit={"customer": "Email"})


def test_input_columns_win_over_the_profiles_aliases_and_its_fallback_chain() -> None:
    headers = [*profiles()["shopify-orders"].signature, "Phone", "Billing Phone", "Note Attributes"]
    shopify = profiles()["shopify-orders"]
    assert build_mapping(headers, shopify, {}, "o.csv").columns["customer"] == ("Email", "Phone", "Billing Phone")
    mapping = build_mapping(headers, shopify, {"customer": "note attributes", "amount": "Subtotal"}, "o.csv")
    assert (mapping.columns["customer"], mapping.columns["amount"]) == (("Note Attributes",), ("Subtotal",))


@pytest.mark.parametrize("dressed", [
    lambda h: "\ufeff" + h,
    lambda h: h + "  ",
    lambda h: f'="{h}"',
    lambda h: f"\t{h}\u3000",
])
def test_bom_trailing_spaces_and_excel_formulas_in_headers_do_not_break_matching(dressed: object) -> None:
    signature = profiles()["tmall-order-report"].signature
    headers = [dressed(h) for h in signature]  # type: ignore[operator]
    found = detect_platform(headers)
    assert (found.profile.name, found.score) == ("tmall-order-report", 1.0)
    mapping = build_mapping(headers, found.profile, {"order_id": "订单编号"}, "o.csv")
    assert mapping.columns["customer"] == (headers[1], headers[2])
    assert mapping.columns["order_id"] == (headers[0],)


def test_an_explicit_column_that_is_not_in_the_file_gets_a_suggestion() -> None:
    headers = list(profiles()["tmall-order-report"].signature)
    with pytest.raises(ColumnMappingError) as info:
        build_mapping(headers, profiles()["tmall-order-report"], {"customer": "买家会员"}, "o.csv")
    assert str(info.value).startswith("o.csv: rules input.columns.customer names '买家会员', which is not a column "
                                      "of this file (did you mean '买家会员名'?); write one of its columns there. "
                                      "Columns found: '订单编号', ")


def test_a_qianniu_export_with_a_buyer_column_maps_it() -> None:
    qianniu = profiles()["qianniu-orders"]
    headers = [*qianniu.signature, "买家昵称"]
    found = detect_platform(headers)
    assert found.profile is qianniu
    assert build_mapping(headers, qianniu, {}, "qianniu.xlsx").columns["customer"] == ("买家昵称",)
