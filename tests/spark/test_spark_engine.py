"""`classify --engine spark` gives what a local run gives: the same statements, run on a SparkSession.

Each case runs the pipeline twice over the same files, with DuckDB and with Spark (inputs read by Spark; a
workbook is read locally and handed over), and compares what a user gets: every customer row and column (money
as decimals, so to the cent), every excluded row with its reason and message, the rows read/used/excluded per
file, the statuses, the R/F/M cut points, the summary and the report's figures (shares and means are sums of
doubles, added in another order on Spark: equal to 1e-9).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tiercli.pipeline import RunConfig, run
from tiercli.result import Result
from tiercli.rules.load import load_rules, parse_rules

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "platforms"
SAMPLES = REPO / "sample_data"
EXAMPLE = load_rules(REPO / "rules.example.yaml")

CASES: dict[str, tuple[list[Path], str | None]] = {
    "jd": ([FIXTURES / "jd_orders_gbk.csv"], None),
    "shopify": ([FIXTURES / "shopify_orders_export.csv"], None),
    "square": ([FIXTURES / "square_transactions.csv"], None),
    "stripe": ([FIXTURES / "stripe_unified_payments.csv"], None),
    "stripe-de": ([FIXTURES / "stripe_unified_payments_de_semicolon.csv"], None),
    "taobao": ([FIXTURES / "taobao_orders_gb18030.csv", FIXTURES / "taobao_items_gb18030.csv"], None),
    "youzan": ([FIXTURES / "youzan_orders.csv", FIXTURES / "youzan_items.csv"], None),
    "uci": ([FIXTURES / "uci_online_retail.csv"], None),
    "uci-ii-xlsx": ([FIXTURES / "uci_online_retail_ii.xlsx"], None),
    "woocommerce": ([FIXTURES / "woocommerce_skyverge.csv"], None),
    "amazon-cp1252": ([FIXTURES / "amazon_order_report_cp1252.txt"], None),
    "amazon-sjis": ([FIXTURES / "amazon_order_report_jp_sjis.txt"], None),
    "offsets-serials": ([FIXTURES / "generic_offsets_serials.csv"], None),
    "pinduoduo-mapped": ([FIXTURES / "pinduoduo_orders.xlsx"], "input: {columns: {customer: 商家备注}}"),
    "two-files": ([FIXTURES / "shopify_orders_export.csv", FIXTURES / "woocommerce_skyverge.csv"], None),
    "tmall-sample": ([SAMPLES / "tmall_orders.xlsx"], None),
    "shopify-sample": ([SAMPLES / "shopify_orders_export.csv"], None),
}
GENERATED_LINES = 200_000


def _rules(extra: str | None) -> Any:
    if extra is None:
        return EXAMPLE
    text = (REPO / "rules.example.yaml").read_text(encoding="utf-8")
    return parse_rules(text.replace("\ntiers:", f"\n{extra}\ntiers:", 1), "rules.yaml")


def _close(want: Any, got: Any, where: str) -> None:
    """Equal, floats to 1e-9 (sums of doubles in another order)."""
    if isinstance(want, float) and isinstance(got, float) and math.isnan(want):
        assert math.isnan(got), where
    elif isinstance(want, float) and isinstance(got, float):
        assert math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-12), where
    elif isinstance(want, list | tuple) and isinstance(got, list | tuple):
        assert len(want) == len(got), where
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            _close(w, g, f"{where}[{i}]")
    elif isinstance(want, dict) and isinstance(got, dict):
        assert list(want) == list(got), where
        for key in want:
            _close(want[key], got[key], f"{where}.{key}")
    elif hasattr(want, "__dataclass_fields__"):
        for name in want.__dataclass_fields__:
            _close(getattr(want, name), getattr(got, name), f"{where}.{name}")
    else:
        assert want == got, f"{where}: DuckDB {want!r}, Spark {got!r}"


def _rows(table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def assert_same_result(local: Result, spark: Result, lang: str = "en") -> None:
    """`lang`: the run's language; a Parquet output adds `<column>_label` after a coded column in Chinese."""
    import pyarrow as pa

    from tiercli.outputs.values import label_columns

    assert spark.cluster is not None
    labelled = pa.Table.from_batches([label_columns(b, lang) for b in local.customers.read().to_batches()])
    want, got = _rows(labelled), _rows(spark.cluster.customers().toArrow())
    if lang == "zh":
        assert any(k.endswith("_label") for k in got[0])  # the case is what it says
    assert [r["customer_id"] for r in got] == [r["customer_id"] for r in want]
    for w, g in zip(want, got, strict=True):
        assert g == w, {k: (w[k], g.get(k)) for k in w if w[k] != g.get(k)}
        for k, v in w.items():  # a decimal stays a decimal: money compares to the cent
            assert v is None or type(g[k]) is type(v) or {type(v), type(g[k])} <= {int, bool}, k
    assert _rows(spark.cluster.excluded().toArrow()) == _rows(local.excluded.read())
    assert (spark.customers.num_rows, spark.excluded.num_rows) == (len(want), local.excluded.num_rows)
    assert [(f.name, f.rows_read, f.rows_used, f.rows_excluded, f.platform, f.encoding, f.delimiter)
            for f in spark.inputs] == [(f.name, f.rows_read, f.rows_used, f.rows_excluded, f.platform, f.encoding,
                                        f.delimiter) for f in local.inputs]
    assert spark.excluded_by_reason == local.excluded_by_reason
    assert spark.statuses == local.statuses
    assert spark.as_of == local.as_of
    assert spark.thresholds.equals(local.thresholds)
    assert spark.notes == local.notes
    assert spark.currency == local.currency
    _close(local.summary.to_dict("records"), spark.summary.to_dict("records"), "summary")
    _close(local.figures, spark.figures, "figures")


@pytest.mark.parametrize("case", list(CASES))
def test_a_spark_run_is_a_local_run(spark: Any, case: str) -> None:
    files, extra = CASES[case]
    rules = _rules(extra)
    config = RunConfig(files=[str(f) for f in files], rules=rules)
    with run(config) as local, run(RunConfig(files=config.files, rules=rules, engine="spark")) as on_spark:
        assert_same_result(local, on_spark)


# Real exports (../shared/research/data), with the mapping or statuses tiercli's message proposes where they need one
REAL: dict[str, tuple[list[tuple[str, str]], str | None]] = {
    "uci-i": ([("exports", "uci_online_retail_I_excerpt.csv")], None),
    "uci-ii-roundtrip": ([("exports", "uci_online_retail_II_excerpt_pandas_roundtrip.csv")], None),
    "uci-40k-xlsx": ([("uci_online_retail", "online_retail_sample40k_moatazsaad.xlsx")], None),
    "uci-5k-r-semicolon": ([("uci_online_retail", "online_retail_sample5k_rhozon_semicolon.csv")], None),
    "uci-invoices": ([("uci_online_retail", "invoices_mwoitek.csv")], 'input: {columns: {customer: "CustomerID", '
                     'order_id: "InvoiceNo", paid_ts: "InvoiceDate", amount: "TotalPrice"}}'),
    "cdnow": ([("clvtools", "cdnow.csv")], 'input: {columns: {customer: "Id", paid_ts: "Date", amount: "Price"}}'),
    "r-rfm-orders": ([("r_rfm", "rfm_data_orders.csv")], None),
    "tmall-report": ([("tmall", "tmall_order_report.csv")], 'input: {columns: {customer: "订单编号", order_id: '
                     '"订单编号", paid_ts: "订单付款时间", created_ts: "订单创建时间", amount: "买家实际支付金额", '
                     'refund_amount: "退款金额"}}'),
    "taobao-2017-gbk-pair": ([("exports", "taobao_2017_ExportOrderList_excerpt.gbk.csv"),
                              ("exports", "taobao_2017_ExportOrderDetailList_excerpt.gbk.csv")], None),
    "shopify-tiktok": ([("exports", "shopify_orders_export_GB_tiktok_channel_excerpt.csv")], None),
    "shopify-cod": ([("exports", "shopify_orders_export_BD_cod_excerpt.csv")],
                    'input: {statuses: {"pending": paid_in_progress}}'),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("case", list(REAL))
def test_a_spark_run_of_a_real_export_is_a_local_run(spark: Any, case: str) -> None:
    from conftest import shared_file

    parts, extra = REAL[case]
    files = [str(shared_file(*p)) for p in parts]
    rules = _rules(extra)
    with run(RunConfig(files=files, rules=rules)) as local, \
            run(RunConfig(files=files, rules=rules, engine="spark")) as on_spark:
        assert_same_result(local, on_spark)


EVENTS = REPO / "tests" / "fixtures" / "events"
# Behaviour logs beside tests/fixtures/events/orders.csv: each layout, with the helpers its tests use
EVENT_CASES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "tmall-user-log": (["tmall_user_log.csv"], ("viewed(category, '662', 30)", "carted_not_bought(30)")),
    "retailrocket-with-properties": (["retailrocket_events.csv", "retailrocket_item_properties.csv"],
                                     ("viewed(category, '1000')", "viewed(category, '2000')",
                                      "carted_not_bought(30)")),
    "ga4": (["ga4_events.csv"], ("viewed(category, 'Beauty', 30)", "carted_not_bought(30)")),
    "generic-zh": (["generic_zh.csv"], ("share(category, '美妆')", "viewed(category, '美妆')")),
}


@pytest.mark.parametrize("case", list(EVENT_CASES))
def test_a_spark_run_with_events_is_a_local_run(spark: Any, case: str) -> None:
    from datetime import datetime

    names, helpers = EVENT_CASES[case]
    uses = " and ".join(f"{h} >= 0" for h in (*helpers, "views_30d", "view_to_buy", "days_since_view"))
    rules = parse_rules(f"tiers:\n  - {{name: all}}\ntags:\n  - {{name: uses, when: \"{uses}\"}}\n", "r.yaml")
    config = RunConfig(files=[str(EVENTS / "orders.csv")], rules=rules, as_of=datetime(2024, 11, 11, 23, 59, 59),
                       events=[str(EVENTS / n) for n in names])
    with run(config) as local, run(replace(config, engine="spark")) as on_spark:
        assert_same_result(local, on_spark)
        assert on_spark.behaviour == local.behaviour
        assert local.behaviour is not None and sum(f.rows_used for f in local.behaviour.files) > 0


def test_200k_generated_lines_on_spark_are_a_local_run(spark: Any, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "generated.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_orders.py"), str(GENERATED_LINES), str(path),
                    "--seed", "7"], check=True, capture_output=True)
    config = RunConfig(files=[str(path)], rules=EXAMPLE)
    with run(config) as local, run(RunConfig(files=config.files, rules=EXAMPLE, engine="spark")) as on_spark:
        assert local.customers.num_rows > 10_000 and local.excluded.num_rows > 1_000  # the case is what it says
        assert_same_result(local, on_spark)


def test_a_spark_run_with_as_of_and_chinese_messages_is_a_local_run(spark: Any) -> None:
    from datetime import datetime

    files = [str(FIXTURES / "taobao_orders_gb18030.csv"), str(FIXTURES / "taobao_items_gb18030.csv")]
    config = RunConfig(files=files, rules=EXAMPLE, as_of=datetime(2024, 3, 10), lang="zh")
    with run(config) as local, run(RunConfig(files=files, rules=EXAMPLE, as_of=config.as_of, lang="zh",
                                             engine="spark")) as on_spark:
        assert "after_as_of" in local.excluded_by_reason  # the case is what it says
        assert_same_result(local, on_spark, "zh")


@pytest.mark.parametrize("model", ["bgnbd", "paretonbd"])
def test_a_spark_run_with_clv_predictions_is_a_local_run(spark: Any, model: str) -> None:
    """The model is fitted on the driver from one row of five numbers per buyer (x, t_x, T, mean spend), the same
    rows in the same order as locally, and its predictions joined to the customers on Spark."""
    rules = _rules(f"clv: {{model: {model}}}")
    files = [str(SAMPLES / "tmall_orders.xlsx")]
    with run(RunConfig(files=files, rules=rules)) as local, \
            run(RunConfig(files=files, rules=rules, engine="spark")) as on_spark:
        assert_same_result(local, on_spark)
        assert on_spark.clv == local.clv
        assert local.clv is not None and local.clv.buyers > 0



def test_a_spark_run_with_members_and_a_previous_run_is_a_local_run(spark: Any, tmp_path: Path) -> None:
    from datetime import datetime

    files = [str(FIXTURES / "shopify_orders_export.csv")]
    with run(RunConfig(files=files, rules=EXAMPLE, as_of=datetime(2024, 5, 24))) as earlier:
        import pyarrow.csv as pacsv

        previous = tmp_path / "earlier.csv"
        pacsv.write_csv(earlier.customers.read(), previous)
    local_rows = _rows(earlier_rows(previous))
    assert local_rows  # the earlier run has customers to move
    members = tmp_path / "members.csv"
    members.write_text("member_id,registered\n" + "".join(f"{r['customer_id']},2023-01-0{i + 1}\n"
                                                         for i, r in enumerate(local_rows[:3])) + "nobody,2023-05-01\n",
                       encoding="utf-8")
    config = RunConfig(files=files, rules=EXAMPLE, previous=str(previous), members=str(members))
    with run(config) as local, run(RunConfig(files=files, rules=EXAMPLE, previous=str(previous),
                                             members=str(members), engine="spark")) as on_spark:
        assert local.movement is not None and local.figures.previous_kpis is not None
        assert_same_result(local, on_spark)
        _close(local.figures.previous_kpis, on_spark.figures.previous_kpis, "previous_kpis")


def earlier_rows(path: Path) -> Any:
    import pyarrow.csv as pacsv

    return pacsv.read_csv(path)
