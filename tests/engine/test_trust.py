"""Numbers an operator can trust: the customer is a property of the order, missing-value markers are empty,
recency and windowed spend follow purchases and net returns, manual tags apply and typos are caught."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import REPO, classify, rows_by_customer, shared_file, write
from tiercli import pipeline
from tiercli.cli.app import app
from tiercli.database import Database

FIXTURES = REPO / "tests" / "fixtures" / "platforms"
runner = CliRunner()

# Every platform fixture that can be classified, with the file it must be given with (an item report needs its
# order report); the rest name no buyer, or hold ids Excel has already cut, and stop before cleaning
# (tests/profiles covers those messages).
CLASSIFIABLE = [
    ("amazon_order_report_cp1252.txt",), ("amazon_order_report_jp_sjis.txt",), ("generic_offsets_serials.csv",),
    ("jd_orders_gbk.csv",), ("shopify_orders_export.csv",), ("square_transactions.csv",),
    ("stripe_unified_payments.csv",), ("stripe_unified_payments_de_semicolon.csv",),
    ("taobao_orders_gb18030.csv",),
    ("taobao_orders_gb18030.csv", "taobao_items_gb18030.csv"), ("uci_online_retail.csv",),
    ("uci_online_retail_ii.xlsx",), ("uci_online_retail_ii_aligned.txt",), ("woocommerce_skyverge.csv",),
    ("youzan_orders.csv",), ("youzan_orders.csv", "youzan_items.csv"),
]


def _orders_per_customer(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[object, ...]]]:
    """Record, after cleaning, the orders whose used lines carry more than one customer."""
    seen: dict[str, list[tuple[object, ...]]] = {}
    real = pipeline.classify_orders

    def checking(db: Database, *args: object, **kwargs: object) -> object:
        seen["split"] = db.execute(
            "SELECT order_id, list(DISTINCT customer_id) FROM orders WHERE order_id IS NOT NULL "
            "GROUP BY order_id HAVING count(DISTINCT customer_id) > 1").fetchall()
        seen["orders"] = db.execute("SELECT count(DISTINCT order_id) FROM orders").fetchall()
        return real(db, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "classify_orders", checking)
    return seen


@pytest.mark.parametrize("names", CLASSIFIABLE, ids=["+".join(n) for n in CLASSIFIABLE])
def test_every_order_of_every_platform_fixture_has_one_customer(names: tuple[str, ...],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _orders_per_customer(monkeypatch)
    with classify(*(FIXTURES / n for n in names)):
        pass
    assert seen["split"] == []
    assert seen["orders"][0][0] > 0


@pytest.mark.parametrize("parts", [("sample_data", "shopify_orders_export.csv"), ("sample_data", "tmall_orders.xlsx")])
def test_every_order_of_the_samples_has_one_customer(parts: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _orders_per_customer(monkeypatch)
    with classify(REPO.joinpath(*parts)):
        pass
    assert seen["split"] == []


def test_the_real_cash_on_delivery_export_keeps_an_order_with_its_phone_buyer(monkeypatch: pytest.MonkeyPatch
                                                                              ) -> None:
    path = shared_file("exports", "shopify_orders_export_BD_cod_excerpt.csv")
    seen = _orders_per_customer(monkeypatch)
    with classify(path, rules='input: {statuses: {"pending": paid_in_progress}}\ntiers: [{name: a}]\n'):
        pass
    assert seen["split"] == []


SPLIT_ORDER = """
Name,Email,Phone,Financial Status,Paid at,Total,Lineitem quantity,Lineitem name,Lineitem price
#1,ann@example.com,,paid,2024-03-01 10:00:00 +0000,100.00,1,A,40.00
#1,,+15550001,,,,1,B,60.00
#2,,+15550001,paid,2024-03-02 10:00:00 +0000,30.00,1,C,30.00
#3,bob@example.com,,paid,2024-03-03 10:00:00 +0000,50.00,1,D,20.00
#3,eve@example.com,,,,,1,E,30.00
"""


def test_a_line_without_the_first_lines_key_stays_with_its_order(tmp_path: Path) -> None:
    with classify(write(tmp_path, "orders.csv", SPLIT_ORDER), platform="shopify-orders") as result:
        rows = rows_by_customer(result)
        # #1 is ann's whole order (its second line's phone is not another customer); #2 is the phone's own order
        assert {c: (r["frequency"], r["monetary"]) for c, r in rows.items()} == {
            "ann@example.com": (1, Decimal("100.00")), "+15550001": (1, Decimal("30.00")),
            "bob@example.com": (1, Decimal("50.00"))}
        (info,) = result.inputs
        assert info.key_conflicts == 1  # #3 names bob and eve: counted, and the order is bob's (its first line)
        assert dict(result.run)["orders naming two customers in orders.csv (each went to its first line's)"] == "1"


@pytest.mark.parametrize("marker", ["NA", "N/A", "#N/A", "NULL", "null", "None", "nan", "NaN", "<NA>"])
def test_missing_value_markers_are_empty_in_every_field(tmp_path: Path, marker: str) -> None:
    orders = write(tmp_path, "orders.csv", f"""
        customer_id,order_id,order_date,amount,category
        a,1,2024-01-01,10,{marker}
        {marker},2,2024-01-02,20,x
        b,3,2024-01-03,{marker},x
    """)
    with classify(orders) as result:
        assert set(rows_by_customer(result)) == {"a"}
        assert rows_by_customer(result)["a"]["top_category"] is None
        assert result.excluded_by_reason == {"bad_amount": 1, "missing_customer": 1}
        (info,) = result.inputs
        assert info.missing_markers == {"customer_id": 1, "amount": 1, "category": 1}
        run = dict(result.run)
        assert run["missing-value markers (NA, NULL, …) in orders.csv column 'customer_id'"] == "1"


def test_inspect_shows_the_markers_per_column(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", "customer_id,order_id,order_date,amount\nNA,1,2024-01-01,10\n"
                                           "a,2,2024-01-02,NULL\nb,3,2024-01-03,5\n")
    result = runner.invoke(app, ["inspect", str(orders)])
    assert result.exit_code == 0, result.output
    assert "missing-value markers (NA, NULL, #N/A, …) read as empty in orders.csv: 'customer_id' 1, 'amount' 1" \
        in result.output


RETURNS = """
customer_id,order_id,order_date,amount
a,1,2023-01-10,100
a,2,2023-12-01,50
a,C3,2024-06-29,-20
b,4,2024-06-30,5
"""


def test_a_return_neither_makes_a_customer_recent_nor_counts_outside_its_window(tmp_path: Path) -> None:
    with classify(write(tmp_path, "orders.csv", RETURNS)) as result:
        a = rows_by_customer(result)["a"]
        # as_of is 2024-06-30 (b's order); a's last purchase is 2023-12-01, the return on 2024-06-29 is not one
        assert (a["frequency"], a["recency_days"], str(a["last_order"])[:10]) == (2, 212, "2023-12-01")
        assert (a["monetary"], a["spend_365d"], a["spend_30d"]) == (Decimal("130"), Decimal("30"), Decimal("-20"))
        assert a["spend_365d"] <= a["monetary"] or a["monetary"] < 0


MANUAL = """
customer,grading,level,add_tags,remove_tags,reason,expires
a,,,店长推荐,,,
b,,,big_spendr,,,
"""


def _manual_run(tmp_path: Path, *options: str) -> tuple[int, str, Path]:
    write(tmp_path, "orders.csv", "customer_id,order_id,order_date,amount\na,1,2024-01-01,2000\nb,2,2024-01-02,5\n")
    write(tmp_path, "rules.yaml", "tiers: [{name: all}]\ntags:\n  - {name: big_spender, when: 'monetary >= 1000'}\n")
    write(tmp_path, "ov.csv", MANUAL)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["classify", str(tmp_path / "orders.csv"), "-r", str(tmp_path / "rules.yaml"),
                                 "--overrides", str(tmp_path / "ov.csv"), "-o", str(out), *options])
    return result.exit_code, result.output, out


def test_manual_tags_apply_and_are_counted_as_manual(tmp_path: Path) -> None:
    code, output, out = _manual_run(tmp_path)
    assert code == 0, output
    assert "big_spendr" in output and "check the spelling" in output and "big_spender" in output
    book = openpyxl.load_workbook(out, read_only=True)
    header, *rows = list(book["Customers"].iter_rows(values_only=True))
    got = {r[header.index("customer_id")]: (r[header.index("tags")], r[header.index("店长推荐")]) for r in rows}
    assert got == {"a": ("big_spender, 店长推荐", 1), "b": ("big_spendr", 0)}
    tags = {r[0]: r for r in book["Tags"].iter_rows(values_only=True)}
    tag_header = list(tags["tag"])
    assert tags["店长推荐"][tag_header.index("set by")].startswith("manual")
    assert tags["big_spender"][tag_header.index("set by")] == "rules"
    assert tags["店长推荐"][tag_header.index("customers")] == 1


def test_a_manual_tag_one_edit_from_a_rule_tag_stops_a_strict_run(tmp_path: Path) -> None:
    code, output, out = _manual_run(tmp_path, "--strict")
    assert code == 2
    assert "big_spendr" in output and "big_spender" in output
    assert not out.exists()


def test_order_ts_in_the_rules_is_the_order_time(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", "buyer,单号,下单时间,amount\na,1,2024-01-01 10:00,5\na,2,2024-01-05 09:00,7\n"
                                           "b,3,2024-01-09 08:00,1\n")
    rules = "input: {columns: {customer: buyer, order_id: 单号, order_ts: 下单时间}}\ntiers: [{name: x}]\n"
    with classify(orders, rules=rules) as result:
        assert result.mapping["paid_ts"] == "下单时间" and "created_ts" not in result.mapping
        a = rows_by_customer(result)["a"]
        assert (a["frequency"], a["recency_days"], str(a["first_order"])) == (2, 4, "2024-01-01 10:00:00")


def test_rows_without_an_order_id_keep_their_own_customers(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", "customer_id,order_id,order_date,amount\na,,2024-01-01,5\nb,,2024-01-02,7\n"
                                           "c,9,2024-01-03,1\n")
    with classify(orders) as result:
        assert {c: r["monetary"] for c, r in rows_by_customer(result).items()} == {
            "a": Decimal("5"), "b": Decimal("7"), "c": Decimal("1")}
        assert result.inputs[0].key_conflicts == 0


def test_rows_without_an_order_id_in_two_files_are_not_duplicates(tmp_path: Path) -> None:
    first = write(tmp_path, "jan.csv", "customer_id,order_id,order_date,amount\na,,2024-01-01,5\na,1,2024-01-02,3\n")
    second = write(tmp_path, "feb.csv", "customer_id,order_id,order_date,amount\nb,,2024-02-01,7\nb,1,2024-02-02,3\n")
    with classify(first, second) as result:
        assert result.excluded_by_reason == {"duplicate_order": 1}  # order 1 again in feb.csv; the id-less rows stay
        assert {c: r["monetary"] for c, r in rows_by_customer(result).items()} == {
            "a": Decimal("8"), "b": Decimal("7")}


def test_a_shopify_line_without_an_order_name_borrows_nothing(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", """
        Name,Email,Financial Status,Paid at,Total,Lineitem quantity,Lineitem name,Lineitem price
        #1,ann@example.com,paid,2024-03-01 10:00:00 +0000,10.00,1,A,10.00
        ,,,,,1,B,4.00
        #2,bob@example.com,paid,2024-03-02 10:00:00 +0000,6.00,1,C,6.00
    """)
    with classify(orders, platform="shopify-orders") as result:
        assert {c: r["monetary"] for c, r in rows_by_customer(result).items()} == {
            "ann@example.com": Decimal("10.00"), "bob@example.com": Decimal("6.00")}
        assert sum(result.excluded_by_reason.values()) == 1  # the line with no order and no buyer


def test_markers_are_empty_in_members_and_overrides_files_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.chdir(tmp_path)
    orders = write(tmp_path, "orders.csv", "customer_id,order_id,order_date,amount\na,1,2024-01-01,5\n"
                                           "b,2,2024-01-02,7\n")
    write(tmp_path, "members.csv", "member_id,level,注册时间\nNA,gold,2023-01-01\na,NULL,2023-02-01\nb,silver,N/A\n")
    write(tmp_path, "ov.csv", "customer,grading,level,add_tags,remove_tags,reason,expires\n"
                              "a,tier,x,#N/A,NA,checked,NA\n")
    rules = ("tiers:\n  - {name: x, when: \"member_level = 'gold'\"}\n  - {name: y, when: 'member_level is null'}\n"
             "  - {name: z}\n")
    with classify(orders, rules=rules, members="members.csv", overrides="ov.csv") as result:
        rows = rows_by_customer(result)
        assert (rows["a"]["member_level"], rows["b"]["registered_at"]) == (None, None)
        assert (rows["a"]["tier"], rows["b"]["tier"]) == ("x", "z")  # a set by hand, with no end and no tags
        assert result.manual_tags == [] and "gold" not in {r["member_level"] for r in rows.values()}


def test_a_line_without_a_customer_takes_its_orders_and_then_its_own_reason(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", """
        customer_id,order_id,order_date,amount
        a,1,2024-01-01,5
        ,1,2024-01-01,7
        b,2,2024-01-02,3
        ,2,2024-01-02,abc
        ,3,2024-01-03,4
        c,4,2024-01-04,2
    """)
    with classify(orders) as result:
        assert {c: (r["frequency"], r["monetary"]) for c, r in rows_by_customer(result).items()} == {
            "a": (1, Decimal("12")), "b": (1, Decimal("3")), "c": (1, Decimal("2"))}
        excluded = {r["row"]: (r["reason"], r["message"]) for r in result.excluded.to_pylist()}
        assert excluded == {5: ("bad_amount", "'abc' in 'amount' is not an amount"),
                            6: ("missing_customer", "no value in 'customer_id'")}
        (info,) = result.inputs
        assert (info.rows_read, info.rows_used, info.rows_excluded, info.key_conflicts) == (6, 4, 2, 0)
