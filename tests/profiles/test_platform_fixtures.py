"""Every platform fixture is recognised and mapped: the platform, its confidence and runner-up, the header row,
the header chosen for each field (customer fallback chains included), and the stop for exports without a buyer.
The facts per fixture are in tests/fixtures/platforms/EXPECTED.md."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, SIMPLE_RULES, classify, read_raw, shared_file
from tiercli.cli.app import app
from tiercli.errors import ColumnMappingError
from tiercli.profiles.detect import build_mapping, detect_platform
from tiercli.sources.readers import RawTable

FIXTURES = REPO / "tests" / "fixtures" / "platforms"
MAP_CUSTOMER = "If the file has such a column, map it in the rules file: input: {columns: {customer: <column name>}}"


def fixture(name: str) -> Path:
    return FIXTURES / name


def raw_table(name: str, **options: object) -> RawTable:
    return read_raw(fixture(name), **options)[1]


DETECTED = [
    # file, platform, runner-up, its score, header row, header per field
    ("taobao_orders_gb18030.csv", "tmall-order-report", "qianniu-orders", 0.73, 3,
     {"customer": "买家会员名 → 买家支付宝账号", "order_id": "订单编号", "paid_ts": "订单付款时间",
      "created_ts": "订单创建时间", "amount": "买家实际支付金额", "quantity": "宝贝总数量", "refund_amount": "退款金额",
      "discount_amount": "天猫卡券抵扣", "status": "订单状态", "product": "宝贝标题", "region": "收货地址",
      "channel": "是否手机订单"}),
    ("taobao_orders_excel_resaved.csv", "tmall-order-report", "qianniu-orders", 0.73, 1,
     {"customer": "买家会员名 → 买家支付宝账号", "order_id": "订单编号", "paid_ts": "订单付款时间",
      "created_ts": "订单创建时间", "amount": "买家实际支付金额", "quantity": "宝贝总数量", "refund_amount": "退款金额",
      "discount_amount": "天猫卡券抵扣", "status": "订单状态", "product": "宝贝标题", "region": "收货地址",
      "channel": "是否手机订单"}),
    ("taobao_items_gb18030.csv", "tmall-item-report", "qianniu-suborders", 0.25, 1,
     {"order_id": "订单编号", "unit_price": "价格", "quantity": "购买数量", "status": "订单状态", "product": "标题",
      "sku": "商家编码"}),
    ("qianniu_orders.xlsx", "qianniu-orders", "tmall-order-report", 0.67, 1,
     {"order_id": "订单编号", "paid_ts": "订单付款时间", "created_ts": "订单创建时间", "amount": "买家实付金额",
      "quantity": "宝贝总数量", "refund_amount": "退款金额", "status": "订单状态", "product": "商品标题",
      "sku": "商家编码", "region": "收货地址"}),
    ("qianniu_suborders.xlsx", "qianniu-suborders", "qianniu-orders", 0.55, 1,
     {"order_id": "主订单编号", "paid_ts": "订单付款时间", "created_ts": "订单创建时间", "amount": "买家实付金额",
      "unit_price": "商品价格", "quantity": "购买数量", "refund_amount": "退款金额", "status": "订单状态",
      "product": "商品标题", "sku": "商家编码"}),
    ("jd_orders_gbk.csv", "jd-orders", "youzan-orders", 0.2, 1,
     {"customer": "下单帐号", "order_id": "订单号", "paid_ts": "付款确认时间", "created_ts": "下单时间",
      "amount": "订单金额", "unit_price": "京东价", "quantity": "订购数量", "status": "订单状态", "product": "商品名称",
      "sku": "商品ID", "region": "客户地址", "channel": "订单来源"}),
    ("youzan_orders.csv", "youzan-orders", "qianniu-orders", 0.18, 1,
     {"customer": "买家手机号 → 收货人手机号/提货人手机号", "order_id": "订单号", "paid_ts": "买家付款时间",
      "created_ts": "订单创建时间", "amount": "订单实付金额", "refund_amount": "订单已退款金额",
      "discount_amount": "店铺优惠合计", "status": "订单状态", "product": "全部商品名称", "region": "收货人省份",
      "channel": "销售渠道"}),
    ("youzan_items.csv", "youzan-items", "douyin-orders", 0.17, 1,
     {"order_id": "订单号", "amount": "商品实际成交金额", "unit_price": "商品单价", "quantity": "商品数量",
      "refund_amount": "商品已退款金额", "discount_amount": "店铺优惠(分摊)", "status": "订单商品状态",
      "product": "商品名称", "sku": "规格编码", "category": "商品类目"}),
    ("pinduoduo_orders.xlsx", "pinduoduo-orders", "jd-orders", 0.18, 2,
     {"order_id": "订单号", "paid_ts": "订单成交时间", "amount": "用户实付金额(元)", "quantity": "商品数量(件)",
      "status": "订单状态", "refund_status": "售后状态", "product": "商品", "sku": "商家编码-规格维度"}),
    ("douyin_orders.csv", "douyin-orders", "qianniu-suborders", 0.33, 1,
     {"order_id": "主订单编号", "paid_ts": "支付完成时间", "created_ts": "订单提交时间", "amount": "订单应付金额",
      "unit_price": "商品单价", "quantity": "商品数量", "discount_amount": "优惠总金额", "status": "订单状态",
      "refund_status": "售后状态", "product": "选购商品", "sku": "商家编码", "region": "省", "channel": "达人昵称"}),
    ("shopify_orders_export.csv", "shopify-orders", "woocommerce-skyverge", 0.18, 1,
     {"customer": "Email → Phone → Billing Phone", "order_id": "Name", "paid_ts": "Paid at",
      "created_ts": "Created at", "amount": "Total", "unit_price": "Lineitem price", "quantity": "Lineitem quantity",
      "refund_amount": "Refunded Amount", "discount_amount": "Discount Amount", "status": "Financial Status",
      "cancelled_ts": "Cancelled at", "product": "Lineitem name", "sku": "Lineitem sku", "region": "Billing Country",
      "channel": "Source", "currency": "Currency"}),
    ("amazon_order_report_cp1252.txt", "amazon-order-report", "amazon-all-orders", 0.41, 1,
     {"customer": "buyer-email", "order_id": "order-id", "paid_ts": "payments-date", "created_ts": "purchase-date",
      "amount": "item-price", "quantity": "quantity-purchased", "discount_amount": "item-promotion-discount",
      "product": "product-name", "sku": "sku", "region": "ship-state", "channel": "sales-channel",
      "currency": "currency"}),
    ("amazon_order_report_jp_sjis.txt", "amazon-order-report", "amazon-all-orders", 0.41, 1,
     {"customer": "buyer-email", "order_id": "order-id", "paid_ts": "payments-date", "created_ts": "purchase-date",
      "amount": "item-price", "quantity": "quantity-purchased", "discount_amount": "item-promotion-discount",
      "product": "product-name", "sku": "sku", "region": "ship-state", "channel": "sales-channel",
      "currency": "currency"}),
    ("amazon_all_orders.txt", "amazon-all-orders", "amazon-order-report", 0.47, 1,
     {"order_id": "amazon-order-id", "created_ts": "purchase-date", "amount": "item-price", "quantity": "quantity",
      "discount_amount": "item-promotion-discount", "status": "item-status", "product": "product-name", "sku": "sku",
      "region": "ship-country", "channel": "sales-channel", "currency": "currency"}),
    ("woocommerce_skyverge.csv", "woocommerce-skyverge", "amazon-order-report", 0.07, 1,
     {"customer": "billing_email → billing_phone", "order_id": "order_id", "created_ts": "date",
      "amount": "order_total", "discount_amount": "cart_discount", "status": "status", "region": "billing_country",
      "channel": "payment_method"}),
    ("stripe_unified_payments.csv", "stripe-payments", "uci-online-retail-ii", 0.25, 1,
     {"customer": "Customer ID → Customer Email", "order_id": "id", "created_ts": "Created (UTC)", "amount": "Amount",
      "refund_amount": "Amount Refunded", "status": "Status", "product": "Description", "currency": "Currency"}),
    ("stripe_unified_payments_de_semicolon.csv", "stripe-payments", "uci-online-retail-ii", 0.25, 1,
     {"customer": "Customer ID → Customer Email", "order_id": "id", "created_ts": "Created (UTC)", "amount": "Amount",
      "refund_amount": "Amount Refunded", "status": "Status", "product": "Description", "currency": "Currency"}),
    ("square_transactions.csv", "square-transactions", "uci-online-retail-ii", 0.25, 1,
     {"customer": "Customer ID → Customer Reference ID", "order_id": "Transaction ID", "created_ts": "Date",
      "amount": "Total Collected", "discount_amount": "Discounts", "status": "Transaction Status",
      "product": "Description", "channel": "Source"}),
    ("uci_online_retail.csv", "uci-online-retail", "uci-online-retail-ii", 0.62, 1,
     {"customer": "CustomerID", "order_id": "InvoiceNo", "created_ts": "InvoiceDate", "unit_price": "UnitPrice",
      "quantity": "Quantity", "product": "Description", "sku": "StockCode", "region": "Country"}),
    ("uci_online_retail_ii.xlsx", "uci-online-retail-ii", "uci-online-retail", 0.62, 1,
     {"customer": "Customer ID", "order_id": "Invoice", "created_ts": "InvoiceDate", "unit_price": "Price",
      "quantity": "Quantity", "product": "Description", "sku": "StockCode", "region": "Country"}),
    ("generic_offsets_serials.csv", "generic", "uci-online-retail-ii", 0.12, 1,
     {"customer": "customer_id", "order_id": "order_id", "created_ts": "order_date", "amount": "amount"}),
]


@pytest.mark.parametrize(("name", "platform", "runner_up", "runner_up_score", "header_row", "mapping"), DETECTED,
                         ids=[d[0] for d in DETECTED])
def test_fixture_is_detected_and_mapped(name: str, platform: str, runner_up: str, runner_up_score: float,
                                        header_row: int, mapping: dict[str, str]) -> None:
    raw = raw_table(name)
    found = detect_platform(raw.headers, where=name)
    assert (found.profile.name, found.runner_up and found.runner_up.name) == (platform, runner_up)
    assert found.score == (1.0 if platform != "generic" else 0.0)
    assert round(found.runner_up_score, 2) == runner_up_score
    assert raw.header_row == header_row
    assert build_mapping(raw.headers, found.profile, {}, name, check=False).describe() == mapping


def test_every_fixture_file_is_in_the_detection_table() -> None:
    data = {p.name for p in FIXTURES.iterdir() if p.suffix in {".csv", ".txt", ".xlsx"}}
    assert data - {d[0] for d in DETECTED} == {"uci_online_retail_ii_aligned.txt"}


def test_whitespace_aligned_text_is_split_on_its_columns() -> None:
    raw = raw_table("uci_online_retail_ii_aligned.txt")
    assert raw.headers[1:] == ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price",
                               "Customer ID", "Country"]
    assert (detect_platform(raw.headers).profile.name, detect_platform(raw.headers).score) == (
        "uci-online-retail-ii", 1.0)


@pytest.mark.parametrize(("name", "encoding", "delimiter"), [
    ("taobao_orders_gb18030.csv", "GB18030", ","),
    ("jd_orders_gbk.csv", "GB18030", ","),
    ("youzan_orders.csv", "UTF-8 with BOM", ","),
    ("douyin_orders.csv", "UTF-8 with BOM", ","),
    ("amazon_order_report_cp1252.txt", "CP1252", "\t"),
    ("amazon_all_orders.txt", "UTF-8", "\t"),
    ("shopify_orders_export.csv", "UTF-8", ","),
])
def test_encoding_and_delimiter_are_found(name: str, encoding: str, delimiter: str) -> None:
    raw = raw_table(name)
    assert (raw.encoding, raw.delimiter) == (encoding, delimiter)


def test_shift_jis_is_detected() -> None:
    assert raw_table("amazon_order_report_jp_sjis.txt").encoding == "Shift_JIS"


def test_cp1252_semicolon_file_is_read_as_cp1252() -> None:
    raw = raw_table("stripe_unified_payments_de_semicolon.csv")
    assert (raw.encoding, raw.delimiter) == ("CP1252", ";")


NO_KEY = [
    ("pinduoduo_orders.xlsx", "a Pinduoduo 拼多多 order export", "拼多多 exports carry no buyer account, and the "
     "receiver's name and phone are masked or encrypted"),
    ("douyin_orders.csv", "a Douyin 抖店 order export", "抖店 exports encrypt the buyer (收件人 and 收件人手机号 read "
     "##…密文 or $$…密文) and carry no buyer id"),
    ("qianniu_orders.xlsx", "a Taobao/Tmall 千牛 orders export", "千牛 order exports usually leave out the buyer "
     "(no 买家会员名 or 买家昵称) and mask the address; add the buyer column when exporting (千牛 lets you choose the "
     "columns), or export the 卖家中心 订单报表 instead"),
    ("amazon_all_orders.txt", "an Amazon All Orders report", "the All Orders report has no buyer at all (only "
     "ship-city, ship-state, ship-postal-code); export the order report (it has buyer-email) instead"),
]


@pytest.mark.parametrize(("name", "what", "hint"), NO_KEY, ids=[n[0] for n in NO_KEY])
def test_an_export_without_a_buyer_stops_with_what_to_do(name: str, what: str, hint: str) -> None:
    with pytest.raises(ColumnMappingError) as info:
        classify(fixture(name))
    assert info.value.slug == "no_customer_key"
    assert str(info.value) == (
        f"{fixture(name)}: looks like {what}, which has no column that identifies the buyer, so customers can't be "
        f"told apart: {hint}. {MAP_CUSTOMER}")


def test_no_buyer_is_exit_code_2_with_one_line_on_stderr() -> None:
    result = CliRunner().invoke(app, ["classify", str(fixture("pinduoduo_orders.xlsx"))])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {fixture('pinduoduo_orders.xlsx')}: looks like a Pinduoduo 拼多多 order "
                                    "export, which has no column that identifies the buyer")
    assert "Traceback" not in result.stderr


def test_a_mapped_buyer_column_lets_a_no_key_export_through_to_the_data() -> None:
    rules = SIMPLE_RULES.replace("tiers:", "input: {columns: {customer: 商家备注}}\ntiers:")
    result = classify(fixture("pinduoduo_orders.xlsx"), rules=rules)
    assert result.inputs[0].platform == "pinduoduo-orders"
    (customer,) = result.customers.to_pylist()  # only row 7 has a 商家备注
    # 订单成交时间 there is the bare serial number 45370.25
    assert (customer["customer_id"], str(customer["monetary"]), customer["first_order"]) == (
        "加急", "8.90", datetime(2024, 3, 19, 6, 0))
    assert [(r["row"], r["reason"]) for r in result.excluded.to_pylist()] == [
        (3, "missing_customer"), (4, "missing_customer"), (5, "refunded_in_full"), (6, "cancelled"),
        (8, "summary_row")]


@pytest.mark.parametrize(("name", "orders", "key", "missing"), [
    ("taobao_items_gb18030.csv", "Taobao/Tmall 卖家中心 订单报表", "订单编号", "the customer (who bought) and the order time"),
    ("youzan_items.csv", "Youzan 有赞 order-level export", "订单号", "the customer (who bought) and the order time"),
    ("qianniu_suborders.xlsx", "Taobao/Tmall 千牛 orders export", "主订单编号", "the customer (who bought)"),
])
def test_an_item_report_alone_says_to_give_its_order_report_too(name: str, orders: str, key: str,
                                                                missing: str) -> None:
    with pytest.raises(ColumnMappingError) as info:
        classify(fixture(name))
    assert info.value.slug == "item_report_alone"
    assert str(info.value).endswith(
        f", which lacks {missing}: give it together with the {orders} it belongs to, e.g. "
        f"`tiercli classify orders.csv items.csv`; the two are joined on '{key}'")


def test_qianniu_orders_with_their_sub_orders_still_have_no_buyer() -> None:
    with pytest.raises(ColumnMappingError) as info:
        classify(fixture("qianniu_orders.xlsx"), fixture("qianniu_suborders.xlsx"))
    assert info.value.slug == "no_customer_key"


def test_forcing_the_other_uci_profile_maps_by_its_aliases() -> None:
    raw = raw_table("uci_online_retail.csv")
    found = detect_platform(raw.headers, forced="uci-online-retail-ii")
    assert (found.forced, round(found.score, 2), found.runner_up and found.runner_up.name) == (
        True, 0.62, "uci-online-retail")
    assert build_mapping(raw.headers, found.profile, {}, "uci.csv").columns["customer"] == ("CustomerID",)


def test_the_second_uci_ii_sheet_is_read_when_asked() -> None:
    raw = raw_table("uci_online_retail_ii.xlsx", sheet="Year 2010-2011")
    assert (raw.sheet, raw.rows, detect_platform(raw.headers).profile.name) == (
        "Year 2010-2011", 3, "uci-online-retail-ii")


@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "platform"), [
    ("taobao_2017_ExportOrderList_excerpt.gbk.csv", "tmall-order-report"),
    ("taobao_2017_ExportOrderList_excerpt.utf8.csv", "tmall-order-report"),
    ("taobao_2017_ExportOrderDetailList_excerpt.gbk.csv", "tmall-item-report"),
    ("shopify_orders_export_BD_cod_excerpt.csv", "shopify-orders"),
    ("shopify_orders_export_GB_tiktok_channel_excerpt.csv", "shopify-orders"),
    ("amazon_all_orders_flatfile_scrubbed_row.tsv", "amazon-all-orders"),
    ("amazon_unshipped_orders_report_IN_excerpt.tsv", "amazon-order-report"),
    ("uci_online_retail_I_excerpt.csv", "uci-online-retail"),
    ("uci_online_retail_II_excerpt_pandas_roundtrip.csv", "uci-online-retail-ii"),
])
def test_real_exports_are_detected_with_every_identifying_header(name: str, platform: str) -> None:
    path = shared_file("exports", name)
    raw = read_raw(path)[1]
    found = detect_platform(raw.headers)
    assert (found.profile.name, found.score) == (platform, 1.0)
    assert found.runner_up_score <= 0.75


@pytest.mark.shared_data
def test_a_real_unshipped_orders_report_without_prices_says_which_column_is_missing() -> None:
    path = shared_file("exports", "amazon_unshipped_orders_report_IN_excerpt.tsv")
    raw = read_raw(path)[1]
    found = detect_platform(raw.headers)
    with pytest.raises(ColumnMappingError) as info:
        build_mapping(raw.headers, found.profile, {}, path.name)
    assert str(info.value).startswith(f"{path.name}: no column for the amount paid (looked for: item-price). ")
    assert str(info.value).endswith("Map it in the rules file: input: {columns: {amount: <column name>}}")
