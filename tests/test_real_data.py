"""tiercli on every file of ../shared/research/data, checked customer by customer against plain pandas.

Each data set is read here from the raw file with pandas and its own rules (written below, not taken from tiercli),
and four figures per customer are compared with what `tiercli classify` writes:

- an order is one order id (the rows sharing it), or one row when the file has no order id; its time is its first
  row's time; it is a purchase when one of its rows has an amount >= 0 (return rows, like UCI `C…` invoices, are
  negative and reduce spend without being orders);
- as_of is the latest time of a used row;
- frequency: purchases; monetary: the sum of the used rows' amounts net of refunds, to the cent;
- recency_days: whole calendar days from the customer's last purchase to as_of;
- spend_365d: monetary over the orders whose time is after as_of − 365 days.

Files that need a mapping get it here, and the test also checks that the message without it names the mapping.
Files that hold no orders (customer tables) or can't name a buyer or an amount must stop with exit 2 and a
message that says so.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import SHARED_DATA, shared_file
from tiercli.cli.app import app

runner = CliRunner()
FIGURES = ["frequency", "monetary", "recency_days", "spend_365d"]
NO_TIERS = "tiers: [{name: all}]\n"


def expected(lines: pd.DataFrame) -> pd.DataFrame:
    """The four figures per customer from used rows with columns customer, order (may be empty), ts, amount."""
    lines = lines.reset_index(drop=True).copy()
    lines["order"] = lines["order"].where(lines["order"].notna(), "row" + lines.index.astype(str))
    orders = (lines.groupby(["customer", "order"], sort=False)
              .agg(ts=("ts", "first"), amount=("amount", "sum"), purchase=("amount", lambda a: bool((a >= 0).any())))
              .reset_index())
    as_of = lines["ts"].max()
    orders["in_year"] = orders["ts"] > as_of - pd.Timedelta(days=365)
    per = orders.groupby("customer")
    out = pd.DataFrame({
        "frequency": per["purchase"].sum().astype(int),
        "monetary": per["amount"].sum().round(2),
        "last": orders[orders["purchase"]].groupby("customer")["ts"].max(),
        "spend_365d": orders[orders["in_year"]].groupby("customer")["amount"].sum().round(2),
    })
    out["spend_365d"] = out["spend_365d"].fillna(0.0)
    out["recency_days"] = (as_of.normalize() - out["last"].dt.normalize()).dt.days
    return out[FIGURES]


def got(tmp_path: Path, files: list[Path], rules: str = NO_TIERS, *options: str) -> pd.DataFrame:
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    out = tmp_path / "customers.parquet"
    result = runner.invoke(app, ["classify", *map(str, files), "-r", str(tmp_path / "rules.yaml"), "-o", str(out),
                                 "-q", *options])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out).set_index("customer_id")
    table["monetary"] = table["monetary"].astype(float)
    table["spend_365d"] = table["spend_365d"].astype(float)
    return table[FIGURES]


def same(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Every customer in both, each figure equal (money to the cent)."""
    assert sorted(mine.index) == sorted(theirs.index)
    theirs = theirs.loc[mine.index]
    for figure in FIGURES:
        a, b = mine[figure], theirs[figure]
        if figure in ("monetary", "spend_365d"):
            wrong = (a.astype(float).round(2) - b.astype(float).round(2)).abs() >= 0.005
        else:
            wrong = a.astype("Int64") != b.astype("Int64")
        assert not wrong.any(), f"{figure} differs for {int(wrong.sum())} customers, e.g.\n" \
                                f"{pd.DataFrame({'tiercli': a[wrong], 'pandas': b[wrong]}).head()}"


def refused(tmp_path: Path, files: list[Path], rules: str = NO_TIERS) -> str:
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    result = runner.invoke(app, ["classify", *map(str, files), "-r", str(tmp_path / "rules.yaml"), "-o",
                                 str(tmp_path / "x.parquet")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def mapping(**columns: str) -> str:
    inner = ", ".join(f'{k}: "{v}"' for k, v in columns.items())
    return f"input:\n  columns: {{{inner}}}\n{NO_TIERS}"


# --- UCI Online Retail: amount = Quantity × UnitPrice; `A…` invoices are adjustments; rows without a customer out


def _uci(frame: pd.DataFrame, invoice: str, price: str, customer: str, dates: pd.Series) -> pd.DataFrame:
    frame = frame.assign(ts=dates)
    frame = frame[~frame[invoice].astype(str).str.startswith("A")]
    frame = frame[frame[customer].notna()]
    ids = frame[customer].map(lambda v: str(int(float(v))))
    return pd.DataFrame({"customer": ids, "order": frame[invoice].astype(str), "ts": frame["ts"],
                         "amount": frame["Quantity"] * frame[price]})


def test_uci_online_retail_i_excerpt(tmp_path: Path) -> None:
    path = shared_file("exports", "uci_online_retail_I_excerpt.csv")
    raw = pd.read_csv(path, dtype={"InvoiceNo": str})
    lines = _uci(raw, "InvoiceNo", "UnitPrice", "CustomerID", pd.to_datetime(raw["InvoiceDate"], format="%m/%d/%Y %H:%M"))
    same(got(tmp_path, [path]), expected(lines))


def test_uci_online_retail_ii_excerpt(tmp_path: Path) -> None:
    path = shared_file("exports", "uci_online_retail_II_excerpt_pandas_roundtrip.csv")
    raw = pd.read_csv(path, dtype={"Invoice": str})
    lines = _uci(raw, "Invoice", "Price", "Customer ID", pd.to_datetime(raw["InvoiceDate"]))
    same(got(tmp_path, [path]), expected(lines))


def test_uci_online_retail_40k_lines_from_excel(tmp_path: Path) -> None:
    path = shared_file("uci_online_retail", "online_retail_sample40k_moatazsaad.xlsx")
    raw = pd.read_excel(path, dtype={"InvoiceNo": str})
    lines = _uci(raw, "InvoiceNo", "UnitPrice", "CustomerID", pd.to_datetime(raw["InvoiceDate"]))
    same(got(tmp_path, [path]), expected(lines))


def test_uci_online_retail_r_export_with_na_and_mixed_years(tmp_path: Path) -> None:
    path = shared_file("uci_online_retail", "online_retail_sample5k_rhozon_semicolon.csv")
    raw = pd.read_csv(path, sep=";", dtype={"InvoiceNo": str}, na_values=["NA"], keep_default_na=False)
    dates = pd.to_datetime(raw["InvoiceDate"], format="mixed", dayfirst=False)
    lines = _uci(raw, "InvoiceNo", "UnitPrice", "CustomerID", dates)
    mine = got(tmp_path, [path])
    assert "NA" not in mine.index
    same(mine, expected(lines))


def test_uci_invoices_summed_per_invoice_with_the_mapping_the_message_proposes(tmp_path: Path) -> None:
    path = shared_file("uci_online_retail", "invoices_mwoitek.csv")
    message = refused(tmp_path, [path])
    proposal = re.search(r"input: (\{columns: \{.*?\}\})", message)
    assert proposal, message
    assert '"TotalPrice"' in proposal.group(1) and '"CustomerID"' in proposal.group(1)
    raw = pd.read_csv(path, dtype={"InvoiceNo": str})
    lines = pd.DataFrame({"customer": raw["CustomerID"].astype(str), "order": raw["InvoiceNo"],
                          "ts": pd.to_datetime(raw["InvoiceDate"]), "amount": raw["TotalPrice"].round(2)})
    same(got(tmp_path, [path], f"input: {proposal.group(1)}\n{NO_TIERS}"), expected(lines))


# --- transaction tables of the CLV literature and the R rfm package: one row is one order


@pytest.mark.parametrize("name", ["cdnow.csv", "apparelTrans.csv"])
def test_clvtools_transactions(tmp_path: Path, name: str) -> None:
    path = shared_file("clvtools", name)
    message = refused(tmp_path, [path])
    assert "input: {columns: {customer:" in message  # the mapping the file needs: which column is the customer
    raw = pd.read_csv(path)
    lines = pd.DataFrame({"customer": raw["Id"].astype(str), "order": None, "ts": pd.to_datetime(raw["Date"]),
                          "amount": raw["Price"]})  # Price is what the transaction cost (CDNOW: all its CDs)
    truth = expected(lines)
    same(got(tmp_path, [path], mapping(customer="Id", paid_ts="Date", amount="Price")), truth)
    # with only the customer mapped, the message proposes Price as the amount first (a quantity would multiply
    # a transaction's total by its CD count); following it gives the right figures
    message = refused(tmp_path, [path], mapping(customer="Id"))
    proposal = re.search(r'input: \{columns: \{amount: "(\w+)"\}\}', message)
    assert proposal and proposal.group(1) == "Price", message
    assert message.index("amount:") < message.index("quantity:")
    same(got(tmp_path, [path], mapping(customer="Id", amount=proposal.group(1))), truth)


def test_r_rfm_orders(tmp_path: Path) -> None:
    path = shared_file("r_rfm", "rfm_data_orders.csv")
    raw = pd.read_csv(path)
    lines = pd.DataFrame({"customer": raw["customer_id"], "order": None, "ts": pd.to_datetime(raw["order_date"]),
                          "amount": raw["revenue"].astype(float)})
    same(got(tmp_path, [path]), expected(lines))


# --- a Tmall order report without buyer column: each order is its own buyer once that is said


def test_tmall_order_report_without_buyers(tmp_path: Path) -> None:
    path = shared_file("tmall", "tmall_order_report.csv")
    message = refused(tmp_path, [path])
    assert "No column holds the customer" in message and "input: {columns: {customer:" in message
    raw = pd.read_csv(path, dtype={"订单编号": str})
    raw.columns = [c.strip() for c in raw.columns]
    paid = raw[raw["订单付款时间"].notna()]  # no payment time: not paid
    paid = paid[~((paid["买家实际支付金额"] > 0) & (paid["退款金额"] >= paid["买家实际支付金额"]))]  # refunded in full
    lines = pd.DataFrame({"customer": paid["订单编号"], "order": paid["订单编号"],
                          "ts": pd.to_datetime(paid["订单付款时间"]),
                          "amount": paid["买家实际支付金额"] - paid["退款金额"]})
    rules = mapping(customer="订单编号", order_id="订单编号", paid_ts="订单付款时间", created_ts="订单创建时间",
                    amount="买家实际支付金额", refund_amount="退款金额")
    same(got(tmp_path, [path], rules), expected(lines))


# --- Taobao 卖家中心 订单报表 (UTF-8 and GBK), alone and with its 宝贝报表


def _taobao_orders(path: Path, encoding: str) -> pd.DataFrame:
    raw = pd.read_csv(path, encoding=encoding, dtype=str)
    raw.columns = [c.strip() for c in raw.columns]
    raw = raw.apply(lambda c: c.str.strip().str.removeprefix('="').str.removesuffix('"'))
    paid = raw[raw["订单付款时间"].notna() & (raw["订单付款时间"] != "")]
    amount = paid["买家实际支付金额"].astype(float) - paid["退款金额"].fillna("0").astype(float)
    return pd.DataFrame({"customer": paid["买家会员名"], "order": paid["订单编号"],
                         "ts": pd.to_datetime(paid["订单付款时间"]), "amount": amount})


@pytest.mark.parametrize(("orders", "items", "encoding"), [
    ("taobao_2017_ExportOrderList_excerpt.utf8.csv", "taobao_2017_ExportOrderDetailList_excerpt.utf8.csv", "utf-8"),
    ("taobao_2017_ExportOrderList_excerpt.gbk.csv", "taobao_2017_ExportOrderDetailList_excerpt.gbk.csv", "gb18030"),
])
def test_taobao_order_report_alone_and_with_its_item_report(tmp_path: Path, orders: str, items: str,
                                                            encoding: str) -> None:
    order_path, item_path = shared_file("exports", orders), shared_file("exports", items)
    truth = expected(_taobao_orders(order_path, encoding))
    same(got(tmp_path, [order_path]), truth)
    same(got(tmp_path, [order_path, item_path]), truth)
    message = refused(tmp_path, [item_path])
    assert "give it together with" in message


# --- Shopify orders exports: order fields on the first line; the buyer is the order's (Email → Phone → Billing
# Phone over all its lines); TikTok relay addresses are not buyers


def _shopify(path: Path, paid_statuses: set[str]) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["Name"] = raw["Name"].str.strip()
    rows = []
    for name, order in raw.groupby("Name", sort=False):
        first = order.iloc[0]
        if first["Financial Status"] not in paid_statuses:
            continue
        key = None
        for column in ("Email", "Phone", "Billing Phone"):
            values = [v.strip() for v in order[column] if v.strip() and "tiktokw" not in v]
            if values:
                key = values[0].lower() if column == "Email" else values[0]
                break
        refund = float(first.get("Refunded Amount") or 0)
        rows.append({"customer": key, "order": name, "written": first["Paid at"] or first["Created at"],
                     "amount": float(first["Total"]) - refund})
    lines = pd.DataFrame(rows)
    # times with an offset are put in the one zone most of the file's times carry
    zone = lines["written"].str[-5:].mode()[0]
    offset = pd.Timedelta(hours=int(zone[1:3]), minutes=int(zone[3:])) * (1 if zone[0] == "+" else -1)
    lines["ts"] = pd.to_datetime(lines["written"], utc=True).dt.tz_localize(None) + offset
    return lines


def test_shopify_export_with_tiktok_relay_addresses(tmp_path: Path) -> None:
    path = shared_file("exports", "shopify_orders_export_GB_tiktok_channel_excerpt.csv")
    lines = _shopify(path, {"paid", "partially_refunded"})
    mine = got(tmp_path, [path])
    same(mine, expected(lines[lines["customer"].notna()]))


def test_shopify_cash_on_delivery_export_with_the_status_the_message_proposes(tmp_path: Path) -> None:
    path = shared_file("exports", "shopify_orders_export_BD_cod_excerpt.csv")
    message = refused(tmp_path, [path])
    proposal = re.search(r"input: (\{statuses: \{.*?\}\})", message)
    assert proposal and "shopify_orders_export_BD_cod_excerpt.csv" in message, message
    lines = _shopify(path, {"paid", "partially_refunded", "pending"})
    same(got(tmp_path, [path], f"input: {proposal.group(1)}\n{NO_TIERS}"), expected(lines))


# --- files that can't be graded: each says why and what would do


def test_amazon_all_orders_report_names_the_missing_buyer(tmp_path: Path) -> None:
    message = refused(tmp_path, [shared_file("exports", "amazon_all_orders_flatfile_scrubbed_row.tsv")])
    assert "no column that identifies the buyer" in message and "input: {columns: {customer:" in message


def test_amazon_unshipped_report_names_the_missing_amount(tmp_path: Path) -> None:
    message = refused(tmp_path, [shared_file("exports", "amazon_unshipped_orders_report_IN_excerpt.tsv")])
    assert "no column for the amount paid" in message and "input: {columns: {amount:" in message


@pytest.mark.parametrize("parts", [("r_rfm", "rfm_data_customer.csv"),
                                   ("uci_online_retail", "rfm_scores_5_mwoitek.csv"),
                                   ("uci_online_retail", "rfm_segments_mwoitek.csv")])
def test_customer_tables_are_not_read_as_orders(tmp_path: Path, parts: tuple[str, str]) -> None:
    message = refused(tmp_path, [shared_file(*parts)])
    assert "table of customers, one row per customer" in message and "Give it the order export" in message


def test_every_file_of_the_real_data_is_covered() -> None:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/research/data is absent in this checkout")
    here = Path(__file__).read_text(encoding="utf-8")
    files = [p for p in SHARED_DATA.rglob("*") if p.is_file() and p.name != "README.md"]
    missing = [str(p.relative_to(SHARED_DATA)) for p in files if p.name not in here]
    assert not missing, f"real data files no test reads: {missing}"

