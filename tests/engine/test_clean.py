"""Mapping and cleaning: every row is used or excluded with a reason; values come out as users wrote them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import SIMPLE_RULES, classify, rows_by_customer, write
from tiercli.errors import DataError


def test_rows_read_equal_rows_used_plus_excluded_with_reasons(tmp_path: Path) -> None:
    f = write(tmp_path, "orders.csv", """
        customer_id,order_id,order_date,amount,status
        000123,1,2024-01-01 10:00:00,100,paid
        000123,2,2024-02-01 10:00:00,¥1,234.50,paid
        ,3,2024-02-02 10:00:00,5,paid
        c2,4,2024-13-45 10:00:00,5,paid
        c2,5,2024-02-03 10:00:00,abc,paid
        c2,6,2024-02-04 10:00:00,7,unpaid
        c2,7,2024-02-05 10:00:00,8,cancelled
        c2,8,2024-02-06 10:00:00,9,paid
    """.replace("¥1,234.50", '"¥1,234.50"'))
    result = classify(f)
    (info,) = result.inputs
    assert (info.rows_read, info.rows_used, info.rows_excluded) == (8, 3, 5)
    excluded = result.excluded.to_pylist()
    assert [(r["row"], r["reason"], r["message"]) for r in excluded] == [
        (4, "missing_customer", "no value in 'customer_id'"),
        (5, "bad_date", "'2024-13-45 10:00:00' in 'order_date' is not a date"),
        (6, "bad_amount", "'abc' in 'amount' is not an amount"),
        (7, "unpaid", "status 'unpaid'"),
        (8, "cancelled", "status 'cancelled'"),
    ]
    assert excluded[2]["amount"] == "abc" and excluded[2]["order_id"] == "5"
    customers = rows_by_customer(result)
    assert set(customers) == {"000123", "c2"}
    assert customers["000123"]["monetary"] == Decimal("1334.50")
    assert result.excluded_by_reason == {"bad_amount": 1, "bad_date": 1, "cancelled": 1, "missing_customer": 1,
                                         "unpaid": 1}


def test_long_ids_stay_exact_text_and_float_ids_are_restored(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", """
        InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
        536365,85123A,WHITE HANGING HEART,2,12/1/2010 8:26,2.55,17850.0,United Kingdom
        536366,22633,HAND WARMER,1,12/13/2010 9:00,10,"=""1234567890123456789""\",France
    """)
    customers = rows_by_customer(classify(f))
    assert set(customers) == {"17850", "1234567890123456789"}
    assert customers["17850"]["monetary"] == Decimal("5.10")
    assert customers["17850"]["first_order"] == datetime(2010, 12, 1, 8, 26)


def test_duplicate_order_in_a_second_file_counts_once(tmp_path: Path) -> None:
    header = "customer_id,order_id,order_date,amount\n"
    a = write(tmp_path, "a.csv", header + "c1,1,2024-01-01,100\nc1,2,2024-01-05,50\n")
    b = write(tmp_path, "b.csv", header + "c1,2,2024-01-05,50\nc2,3,2024-01-06,70\n")
    result = classify(a, b)
    assert rows_by_customer(result)["c1"]["monetary"] == Decimal("150.00")
    (dup,) = result.excluded.to_pylist()
    assert (dup["file"], dup["row"], dup["reason"], dup["message"]) == (
        "b.csv", 2, "duplicate_order", "order '2' was read first from a.csv row 3")
    assert (dup["customer_id"], dup["order_id"], dup["order_date"], dup["amount"]) == ("c1", "2", "2024-01-05", "50")
    assert [(f.rows_read, f.rows_used, f.rows_excluded) for f in result.inputs] == [(2, 2, 0), (2, 1, 1)]


def test_orders_after_as_of_are_excluded_and_metrics_are_relative_to_it(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", "customer_id,order_date,amount\nc1,2024-01-01,10\nc1,2024-03-01,10\n")
    result = classify(f, as_of=datetime(2024, 1, 31, 23, 59, 59))
    assert result.excluded_by_reason == {"after_as_of": 1}
    assert rows_by_customer(result)["c1"]["recency_days"] == 30


def test_shopify_continuation_lines_share_the_order_total_exactly(tmp_path: Path) -> None:
    f = write(tmp_path, "orders_export.csv", """
        Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Refunded Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Cancelled at
        #1001,a@x.com,paid,2025-12-07 19:08:25 +0000,GBP,30,33.33,0,2025-12-07 19:08:25 +0000,1,Mug,10,
        #1001,,,,,,,,,2,Plate,10,
        #1002,b@x.com,partially_refunded,2025-12-08 10:00:00 +0400,GBP,20,20,5,2025-12-08 10:00:00 +0400,1,Bowl,20,
        #1003,c@x.com,pending,,GBP,20,20,0,2025-12-08 11:00:00 +0000,1,Bowl,20,
        #1004,c@x.com,voided,,GBP,20,20,0,2025-12-08 11:00:00 +0000,1,Bowl,20,2025-12-09 11:00:00 +0000
    """)
    result = classify(f)
    customers = rows_by_customer(result)
    assert customers["a@x.com"]["monetary"] == Decimal("33.33")
    assert customers["a@x.com"]["frequency"] == 1
    assert customers["a@x.com"]["quantity"] == 3
    assert customers["b@x.com"]["monetary"] == Decimal("15.00")
    assert customers["b@x.com"]["refund_amount"] == Decimal("5.00")
    assert customers["b@x.com"]["last_order"] == datetime(2025, 12, 8, 6, 0)  # +0400 → the file's usual +0000
    assert "c@x.com" not in customers
    assert {(r["row"], r["reason"]) for r in result.excluded.to_pylist()} == {(5, "unpaid"), (6, "cancelled")}
    assert result.inputs[0].platform == "shopify-orders"


def test_day_first_dates_are_recognised_from_the_data(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", "customer_id,order_date,amount\nc1,25/12/2024,10\nc1,03/01/2025,10\n")
    row = rows_by_customer(classify(f))["c1"]
    assert row["first_order"] == datetime(2024, 12, 25)
    assert row["last_order"] == datetime(2025, 1, 3)


def test_dates_that_could_be_either_order_stop_with_the_evidence(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", "customer_id,order_date,amount\nc1,03/04/2024,10\n")
    with pytest.raises(DataError) as info:
        classify(f)
    assert str(info.value) == ("dates such as '03/04/2024' in 'order_date' of o.csv could be day-first or "
                               "month-first and no value tells which; set it in the rules file: "
                               "input: {dayfirst: true} (or false)")


def test_nothing_left_is_an_error_naming_the_reasons(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", "customer_id,order_date,amount,status\nc1,2024-01-01,10,unpaid\n")
    with pytest.raises(DataError) as info:
        classify(f)
    assert str(info.value) == (
        f"{f}: no order is left to classify: the only row of o.csv is excluded (unpaid 1); 1 row has the status "
        "'unpaid'; if such orders are sales (e.g. cash on delivery not yet collected), say so in the rules file: "
        'input: {statuses: {"unpaid": paid_in_progress}}')


def test_a_date_column_that_starts_year_first_keeps_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Year-first at the top (the sample) means no pass over the whole file for the day-first question; a later
    value written otherwise is not guessed at: its row is excluded with its text."""
    monkeypatch.setattr("tiercli.engine.clean.DATE_SAMPLE_ROWS", 2)
    f = write(tmp_path, "o.csv", """
        customer_id,order_date,amount
        c1,2024-01-01,10
        c1,2024/01/02,10
        c2,03/04/2024,10
    """)
    result = classify(f)
    assert [(r["row"], r["reason"], r["message"]) for r in result.excluded.to_pylist()] == [
        (4, "bad_date", "'03/04/2024' in 'order_date' is not a date")]
    assert rows_by_customer(result)["c1"]["frequency"] == 2


def test_export_quirks_each_become_a_reason_or_a_value(tmp_path: Path) -> None:
    f = write(tmp_path, "orders.csv", """
        customer_id,email,order_id,order_date,amount,status
        ="u1",,="1001",2024-01-01 10:00:00,"¥1,200.00",paid
        ****,a***@x.com,1002,2024-01-02 10:00:00,(5.00),paid
        ****,b@x.com,1003,2024-01-03 10:00:00,50,paid
        c3,,1004,2024-01-04 10:00:00,7,paid,surprise
        c4,,1005,2024-01-05 10:00:00,8,paid,
        合计,,,,"1,265.00",
    """)
    result = classify(f)
    customers = rows_by_customer(result)
    assert customers["u1"]["monetary"] == Decimal("1200.00")
    assert customers["b@x.com"]["monetary"] == Decimal("50.00")  # the masked id gave way to the e-mail
    assert customers["c4"]["monetary"] == Decimal("8.00")  # one trailing empty field is tolerated
    assert [(r["row"], r["reason"], r["message"]) for r in result.excluded.to_pylist()] == [
        (3, "missing_customer", "only a masked identifier: '****' in 'customer_id', 'email'"),
        (5, "extra_cells", "the row has more cells than the header; the first extra one holds 'surprise'"),
        (7, "summary_row", "a total row of the export, not an order"),
    ]


def test_ids_in_scientific_notation_stop_the_run_naming_the_column(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", "order_id,customer_id,order_date,amount\n1.23457E+18,u1,2024-01-01,5\n")
    with pytest.raises(DataError) as caught:
        classify(f)
    assert str(caught.value) == (
        f"{f} column 'order_id': holds ids in scientific notation, such as '1.23457E+18': their digits are lost. "
        "Export the file again with that column formatted as text (or read the original CSV, not a copy saved by "
        "Excel)")


def test_times_with_offsets_are_normalised_to_one_zone(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", """
        customer_id,order_date,amount
        c1,2024-01-01 23:30:00+08:00,5
        c1,2024-01-02 10:00:00 +0800,5
        c2,2024-01-01T20:00:00Z,5
    """)
    customers = rows_by_customer(classify(f))
    assert customers["c1"]["first_order"] == datetime(2024, 1, 1, 23, 30)
    assert customers["c2"]["first_order"] == datetime(2024, 1, 2, 4, 0)  # 20:00 UTC is 04:00 the next day at +08
    utc = rows_by_customer(classify(f, rules=SIMPLE_RULES + "input: {timezone: UTC}\n"))
    assert utc["c1"]["first_order"] == datetime(2024, 1, 1, 15, 30)
    assert utc["c2"]["first_order"] == datetime(2024, 1, 1, 20, 0)


def test_uci_returns_net_and_adjustments_are_excluded(tmp_path: Path) -> None:
    f = write(tmp_path, "Online Retail.csv", """
        InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
        536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom
        C536379,D,Discount,-1,12/1/2010 9:41,27.50,17850,United Kingdom
        A563185,B,Adjust bad debt,1,8/12/2011 14:50,11062.06,,United Kingdom
    """)
    result = classify(f)
    c = rows_by_customer(result)["17850"]
    assert (c["monetary"], c["frequency"]) == (Decimal("-12.20"), 1)
    assert [(r["row"], r["reason"]) for r in result.excluded.to_pylist()] == [(4, "adjustment")]


def test_jd_order_amount_repeated_on_each_line_counts_once(tmp_path: Path) -> None:
    f = write(tmp_path, "jd.csv", """
        订单号,下单帐号,下单时间,订单状态,商品名称,商品ID,订购数量,订单金额,京东价,应付金额,支付方式
        9001,jd_u1,2024-03-01 10:00:00,完成,A,1,1,300.00,100.00,300.00,在线支付
        9001,jd_u1,2024-03-01 10:00:00,完成,B,2,1,300.00,200.00,300.00,在线支付
        9002,jd_u1,2024-03-05 10:00:00,(删除)完成,C,3,1,50.00,50.00,50.00,在线支付
    """)
    result = classify(f)
    c = rows_by_customer(result)["jd_u1"]
    assert (c["monetary"], c["frequency"], c["distinct_products"]) == (Decimal("300.00"), 1, 2)
    assert [(r["row"], r["reason"], r["message"]) for r in result.excluded.to_pylist()] == [
        (4, "cancelled", "status '(删除)完成'")]


def test_two_digit_years_are_not_read_as_year_ten(tmp_path: Path) -> None:
    f = write(tmp_path, "o.csv", "customer_id,order_date,amount\nc1,12/13/2010 10:08,5\nc1,2/20/11 11:39,5\n")
    c = rows_by_customer(classify(f))["c1"]
    assert (c["first_order"], c["last_order"]) == (datetime(2010, 12, 13, 10, 8), datetime(2011, 2, 20, 11, 39))
