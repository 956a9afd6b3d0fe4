"""`tiercli init --from ORDERS`: the preset chosen by the export's platform and currency, and every packaged preset
on the sample data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, invoke, write
from tiercli.rules.load import parse_rules
from tiercli.rules.starter import presets, starter_text

SHOPIFY = REPO / "sample_data" / "shopify_orders_export.csv"
TMALL = REPO / "sample_data" / "tmall_orders.xlsx"
US_LEVELS = ["VIP", "Loyal", "Regular", "New", "At risk"]


def test_a_shopify_export_gets_the_english_preset_that_classifies_it(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(rules), "--from", str(SHOPIFY))
    assert code == 0, err
    assert "platform shopify-orders; preset us-value: its currency column says USD, so us-value" in err
    assert f"wrote {rules} (preset us-value)" in err
    assert rules.read_text(encoding="utf-8") == starter_text("us-value")
    out = tmp_path / "customers.csv"
    code, _, err = invoke("classify", str(SHOPIFY), "-r", str(rules), "-o", str(out))
    assert code == 0, err
    frame = pd.read_csv(out)
    assert set(frame["tier"]) == set(US_LEVELS)
    # the levels as the preset's conditions say, computed here from the written metrics
    vip = (frame.monetary >= 1000) | ((frame.monetary >= 500) & (frame.frequency >= 5))
    loyal = ~vip & (frame.frequency >= 3) & (frame.recency_days <= 180)
    regular = ~vip & ~loyal & (frame.frequency >= 2) & (frame.recency_days <= 365)
    new = ~vip & ~loyal & ~regular & (frame.tenure_days <= 90)
    expected = pd.Series("At risk", index=frame.index)
    for name, mask in (("VIP", vip), ("Loyal", loyal), ("Regular", regular), ("New", new)):
        expected[mask] = name
    assert frame["tier"].tolist() == expected.tolist()
    tags = frame["tags"].fillna("")
    assert tags.str.contains("Discount seeker").sum() == (frame.discount_share >= 0.5).sum()


def test_a_tmall_export_gets_tmall_5(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(rules), "--from", str(TMALL))
    assert code == 0, err
    assert "platform tmall-order-report; preset tmall-5: tmall-order-report is a Chinese platform, so tmall-5" in err
    assert rules.read_text(encoding="utf-8") == starter_text("tmall-5")


def test_an_explicit_preset_wins_and_the_suggestion_is_still_said(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(rules), "--from", str(TMALL), "--preset", "rfm", "--lang", "zh")
    assert code == 0, err
    assert "按 --preset 使用预设 rfm（数据建议 tmall-5：tmall-order-report 是中国的平台，因此用 tmall-5）" in err
    assert rules.read_text(encoding="utf-8") == starter_text("rfm")


@pytest.mark.parametrize(("text", "preset", "why"), [
    ("customer_id,order_id,order_date,amount\nc1,1,2024-01-01,10\n", "us-value",
     "no platform recognised; the headers are not Chinese, so us-value"),
    ("客户,订单号,下单时间,金额\nc1,1,2024-01-01,10\n", "tmall-5",
     "no platform recognised; the headers are Chinese, so tmall-5"),
    ("customer_id,order_id,order_date,amount,currency\nc1,1,2024-01-01,10,EUR\nc2,2,2024-01-02,10,eur\n"
     "c3,3,2024-01-03,10,USD\n", "us-value", "its currency column says EUR, so us-value (amounts in US dollars"),
    ("客户,订单号,下单时间,金额,币种\nc1,1,2024-01-01,10,CNY\n", "tmall-5", "its currency column says CNY, so tmall-5"),
])
def test_generic_files_by_currency_then_header_language(tmp_path: Path, text: str, preset: str, why: str) -> None:
    orders = write(tmp_path, "orders.csv", text)
    rules = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(rules), "--from", str(orders))
    assert code == 0, err
    assert why in err
    assert rules.read_text(encoding="utf-8") == starter_text(preset)


def test_an_existing_file_stops_before_the_export_is_read(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", "mine\n")
    code, _, err = invoke("init", str(rules), "--from", str(tmp_path / "missing.csv"))
    assert code == 2
    assert "missing.csv" not in err
    assert rules.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("preset", presets())
@pytest.mark.parametrize("sample", [SHOPIFY, TMALL], ids=["shopify", "tmall"])
def test_every_preset_validates_and_classifies_the_sample_data(tmp_path: Path, preset: str, sample: Path) -> None:
    rules = tmp_path / "rules.yaml"
    assert invoke("init", str(rules), "--preset", preset)[0] == 0
    code, _, err = invoke("validate", str(rules), "--orders", str(sample))
    assert code == 0, err
    out = tmp_path / "customers.csv"
    code, _, err = invoke("classify", str(sample), "-r", str(rules), "-o", str(out))
    assert code == 0, err
    frame = pd.read_csv(out)
    gradings = [g.name for g in parse_rules(rules.read_text(encoding="utf-8")).gradings]
    assert len(frame) > 100 and frame[gradings].notna().all().all()
