"""Codes and labels: with `--lang zh` people read Chinese segment names, lifecycle stages and movement values (CSV,
workbook), programs keep the stable codes (Parquet, JSON) with the labels beside them, and a Chinese output read
back as the previous run means the same as the English one."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from openpyxl import load_workbook

from conftest import REPO, invoke, write
from tiercli.messages import CATALOGUE

TMALL = REPO / "sample_data" / "tmall_orders.xlsx"
RULES = REPO / "rules.example.yaml"


def zh_labels(kind: str) -> dict[str, str]:
    """code -> Chinese label, from the catalogue (the English side of a label entry is its code)."""
    return {en: zh for key, (en, zh) in CATALOGUE.items() if key.startswith(f"labels.{kind}.")}


def classify(tmp_path: Path, out: str, *extra: str) -> Path:
    path = tmp_path / out
    code, _, err = invoke("classify", str(TMALL), "-r", str(RULES), "-o", str(path), "-q", *extra)
    assert code == 0, err
    return path


def test_chinese_csv_shows_labels_and_parquet_keeps_codes_with_labels_beside(tmp_path: Path) -> None:
    coded = pq.read_table(classify(tmp_path, "c.parquet", "--lang", "zh")).to_pandas().set_index("customer_id")
    segments, stages = zh_labels("segment"), zh_labels("lifecycle")
    assert set(coded["segment"].dropna()) <= set(segments) and set(coded["lifecycle"]) <= set(stages)
    assert (coded["segment_label"] == coded["segment"].map(segments)).all()
    assert (coded["lifecycle_label"] == coded["lifecycle"].map(stages)).all()

    shown = pd.read_csv(classify(tmp_path, "c.csv", "--lang", "zh"), dtype=str, encoding="utf-8-sig")
    shown = shown.set_index(shown["客户ID"].str.replace(r"^'(?=[=+\-@])", "", regex=True))  # formula guard off
    assert (shown["RFM分群"] == coded.loc[shown.index, "segment_label"]).all()
    assert (shown["生命周期"] == coded.loc[shown.index, "lifecycle_label"]).all()
    assert "已流失" in set(shown["生命周期"]) and not set(shown["生命周期"]) & set(stages)

    book = load_workbook(classify(tmp_path, "c.xlsx", "--lang", "zh"), read_only=True)
    rows = book["客户"].iter_rows(values_only=True)
    header = list(next(rows))
    sheet = {r[0]: r for r in rows}
    stage_at = header.index("生命周期")
    assert all(sheet[c][stage_at] == coded.loc[c, "lifecycle_label"] for c in coded.index[:200])

    records = json.loads(classify(tmp_path, "c.json", "--lang", "zh").read_text(encoding="utf-8"))
    assert {(r["lifecycle"], r["lifecycle_label"]) for r in records} <= {(k, v) for k, v in stages.items()}


def test_english_outputs_keep_the_codes_without_label_columns(tmp_path: Path) -> None:
    table = pq.read_table(classify(tmp_path, "c.parquet", "--lang", "en"))
    assert not [n for n in table.column_names if n.endswith("_label")]
    shown = pd.read_csv(classify(tmp_path, "c.csv", "--lang", "en"), dtype=str, encoding="utf-8-sig")
    assert (shown["lifecycle"].to_numpy() == table.column("lifecycle").to_pylist()).all()


def test_a_chinese_previous_run_is_read_back_by_its_codes(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", """
        version: 1
        tiers:
          - {name: big, when: "monetary >= 100"}
          - {name: small}
    """)
    both = write(tmp_path, "both.csv", """
        customer_id,order_id,order_date,amount
        a,1,2024-01-01,150
        b,2,2024-01-02,20
    """)
    only_a = write(tmp_path, "a.csv", """
        customer_id,order_id,order_date,amount
        a,1,2024-01-01,150
    """)

    def run(orders: Path, out: str, *extra: str) -> pd.DataFrame:
        code, _, err = invoke("classify", str(orders), "-r", str(rules), "-o", str(tmp_path / out),
                              "--platform", "generic", "-q", *extra)
        assert code == 0, err
        return pd.read_csv(tmp_path / out, dtype=str, encoding="utf-8-sig")

    run(both, "first.csv", "--lang", "zh")
    second = run(only_a, "second.csv", "--lang", "zh", "--previous", str(tmp_path / "first.csv"))
    moved = dict(zip(second["客户ID"], second["变动"], strict=True))
    assert moved == {"a": zh_labels("movement")["same"], "b": zh_labels("movement")["lapsed"]}
    third = run(both, "third.csv", "--lang", "en", "--previous", str(tmp_path / "second.csv"))
    # b was lapsed in the Chinese second run: it comes back as `returned`, not as a customer who stayed
    assert dict(zip(third["customer_id"], third["movement"], strict=True)) == {"a": "same", "b": "returned"}
