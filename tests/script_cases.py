"""What the tests of `tiercli sql FILES…` share: the input tables a user would load (each file's rows under its
header's names, as tiercli reads them, and `__row`), the local run the script must reproduce, and the comparison
of the script's customers and left-out rows with the local run's."""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from tiercli.database import open_database
from tiercli.engine.query import Exported, export_sql
from tiercli.engine.script import InputTable
from tiercli.pipeline import RunConfig, record_cleaning, run
from tiercli.profiles.detect import header_score
from tiercli.rules.model import Rules
from tiercli.sources.readers import open_file
from tiercli.sqltext import identifier

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "platforms"
SAMPLES = REPO / "sample_data"

CASES: dict[str, list[Path]] = {
    "tmall-sample": [SAMPLES / "tmall_orders.xlsx"],
    "shopify-sample": [SAMPLES / "shopify_orders_export.csv"],
    "jd": [FIXTURES / "jd_orders_gbk.csv"],
    "taobao": [FIXTURES / "taobao_orders_gb18030.csv", FIXTURES / "taobao_items_gb18030.csv"],
    "youzan": [FIXTURES / "youzan_orders.csv", FIXTURES / "youzan_items.csv"],
    "uci": [FIXTURES / "uci_online_retail.csv"],
    "amazon-sjis": [FIXTURES / "amazon_order_report_jp_sjis.txt"],
    "offsets-serials": [FIXTURES / "generic_offsets_serials.csv"],
    "stripe-de": [FIXTURES / "stripe_unified_payments_de_semicolon.csv"],
    "two-files": [FIXTURES / "shopify_orders_export.csv", FIXTURES / "woocommerce_skyverge.csv"],
}


@dataclass
class ScriptCase:
    exported: Exported
    inputs: dict[str, pa.Table]  # input_1, … as a user loads them
    customers: list[dict[str, Any]]  # the local run's, by customer_id
    excluded: list[tuple[str, int, str]]  # the local run's left-out rows: (file, row, reason), sorted


def script_case(files: list[Path], rules: Rules, dialect: str, as_of: datetime | None = None,
                lang: str = "en") -> ScriptCase:
    config = RunConfig(files=[str(f) for f in files], rules=rules, as_of=as_of, lang=lang)
    recorded = record_cleaning(config)
    exported = export_sql(rules, dialect, as_of, lang=lang,
                          cleaning=recorded.steps)
    with run(config) as result:
        customers = sorted(pa.Table.from_batches(list(result.customers.batches())).to_pylist(),
                           key=lambda r: r["customer_id"])
        excluded = pa.Table.from_batches(list(result.excluded.batches()), schema=result.excluded.schema)
        left_out = sorted((r["file"], int(r["row"]), r["reason"]) for r in excluded.to_pylist())
    return ScriptCase(exported, input_tables(files, recorded.inputs), customers, left_out)


def input_tables(files: list[Path], inputs: list[InputTable]) -> dict[str, pa.Table]:
    """Each file's rows under its header's names (the cells as tiercli reads them) and `__row`."""
    tables = {}
    with tempfile.TemporaryDirectory() as folder:
        opened = [o for f in files for o in open_file(str(f), Path(folder), header_score=header_score)]
        readable = [o.readable for o in opened if o.readable]
        with open_database(folder, readable=readable) as db:
            for table, source in zip(inputs, opened, strict=True):
                raw = source.attach(db, table.raw)
                picked = ", ".join(f"{identifier(r)} AS {identifier(g)}" for g, r, _ in table.columns if g)
                tables[table.name] = db.arrow(f"SELECT {picked} FROM {identifier(raw.table)}")
    return tables


def _value(value: Any) -> Any:
    if isinstance(value, Decimal | float) and not (isinstance(value, float) and math.isnan(value)):
        return round(float(value), 9)
    if isinstance(value, float):  # NaN
        return None
    return value


def same_customers(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """Every customer with every column of the local run, money to the cent (doubles to 1e-9)."""
    assert [r["customer_id"] for r in got] == [r["customer_id"] for r in want]
    for mine, theirs in zip(got, want, strict=True):
        for column, value in theirs.items():
            assert _value(mine[column]) == _value(value), (mine["customer_id"], column, mine[column], value)
