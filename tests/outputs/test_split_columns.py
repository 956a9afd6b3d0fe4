"""--split-by on every categorical column of the customers table, run on the sample Tmall export: each list holds
exactly the customers (and the values) that a plain pandas grouping of the customers output gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import invoke
from tiercli.outputs.split import file_name

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "tmall_orders.xlsx"
COLUMNS = ["tier", "lifecycle", "segment", "monetary", "frequency", "tags"]


def _table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _classify(tmp_path: Path, *options: str) -> Path:
    out = tmp_path / "customers.csv"
    code, _, err = invoke("classify", str(SAMPLE), "-o", str(out), "-q", "--lang", "en", *options)
    assert code == 0, err
    return out


def _assert_lists_match(customers: pd.DataFrame, lists: Path, column: str, columns: list[str]) -> None:
    """One file per non-empty value of `column`, each with that value's customers in the table's order."""
    groups = {value: rows for value, rows in customers.groupby(column, sort=False) if value != ""}
    assert groups, f"no value in {column}"
    assert sorted(p.name for p in lists.iterdir()) == sorted(file_name(v) for v in groups)
    for value, rows in groups.items():
        written = _table(lists / file_name(value))
        assert list(written.columns) == ["customer_id", *columns]
        expected = rows[["customer_id", *columns]].reset_index(drop=True)
        pd.testing.assert_frame_equal(written, expected)
    listed = sum(len(_table(p)) for p in lists.iterdir())
    assert listed == (customers[column] != "").sum()  # a customer without a value is in no list


@pytest.mark.parametrize("by", ["tier", "segment", "lifecycle"])
def test_each_list_is_the_customers_of_one_value(tmp_path: Path, by: str) -> None:
    lists = tmp_path / "lists"
    out = _classify(tmp_path, "--split-by", by, str(lists), "--split-columns", ",".join(COLUMNS))
    customers = _table(out)
    _assert_lists_match(customers, lists, by, COLUMNS)
    if by == "lifecycle":
        assert {"active", "churned"} <= set(customers["lifecycle"])


def test_a_grading_by_its_name_and_a_tag_per_list(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(rules), "--preset", "lifecycle")
    assert code == 0, err
    lists, tags = tmp_path / "lists", tmp_path / "tags"
    first = _classify(tmp_path, "-r", str(rules), "--split-by", "tier", str(lists), "--split-columns", "lifecycle")
    customers = _table(first)
    _assert_lists_match(customers, lists, "tier", ["lifecycle"])
    assert all(((customers["tier"] == "新客户") == (customers["lifecycle"] == "new")).tolist())

    out = _classify(tmp_path, "-r", str(rules), "--split-by", "tag", str(tags), "--split-columns", "tags")
    customers = _table(out)
    for path in tags.iterdir():
        tag = path.stem
        expected = customers[customers["tags"].str.split(", ").apply(lambda found, t=tag: t in found)]
        assert _table(path)["customer_id"].tolist() == expected["customer_id"].tolist()


@pytest.mark.parametrize("by", ["movement", "previous_tier"])
def test_movement_and_previous_levels_with_a_previous_run(tmp_path: Path, by: str) -> None:
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    previous = _classify(earlier, "--as-of", "2026-04-30")
    lists = tmp_path / "lists"
    out = _classify(tmp_path, "--previous", str(previous), "--split-by", by, str(lists),
                    "--split-columns", "tier,previous_tier,movement")
    customers = _table(out)
    _assert_lists_match(customers, lists, by, ["tier", "previous_tier", "movement"])
    before = _table(previous).set_index("customer_id")["tier"]
    new = customers[~customers["customer_id"].isin(before.index)]
    assert len(new) > 0 and set(new["movement"]) == {"new"}
    if by == "previous_tier":  # the new customers have no previous level, so no list
        assert not (lists / "_.csv").exists()
        assert sum(len(_table(p)) for p in lists.iterdir()) == len(customers) - len(new)


@pytest.mark.parametrize("by", ["movement", "previous_tier"])
def test_movement_without_a_previous_run_says_what_to_add(tmp_path: Path, by: str) -> None:
    out, lists = tmp_path / "customers.csv", tmp_path / "lists"
    code, _, err = invoke("classify", str(SAMPLE), "-o", str(out), "-q", "--lang", "en", "--split-by", by,
                          str(lists))
    assert code == 2
    assert err.splitlines()[-1] == (f"error: --split-by {by} needs a previous run: add --previous FILE (an earlier "
                                    "output of tiercli: workbook, CSV or Parquet)")
    assert not out.exists() and not lists.exists()


def test_a_column_that_is_not_categorical_is_refused_before_the_run(tmp_path: Path) -> None:
    out = tmp_path / "customers.csv"
    code, _, err = invoke("classify", str(SAMPLE), "-o", str(out), "--lang", "en", "--split-by", "lifecyle",
                          str(tmp_path / "l"))
    assert code == 2
    assert err.strip() == ("error: --split-by must be tier, tag, segment, lifecycle, movement, a grading name or "
                           "previous_<grading>, not 'lifecyle' (did you mean 'lifecycle'?)")
    assert not out.exists()


def test_in_chinese_lists_are_named_and_filled_with_the_labels(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    out = tmp_path / "customers.parquet"  # the codes, with each one's Chinese label beside it
    code, _, err = invoke("classify", str(SAMPLE), "-o", str(out), "-q", "--lang", "zh",
                          "--split-by", "lifecycle", str(lists), "--split-columns", "segment")
    assert code == 0, err
    customers = pd.read_parquet(out)
    labels = dict(zip(customers["lifecycle"], customers["lifecycle_label"], strict=True))
    assert labels["churned"] == "已流失"
    assert sorted(p.name for p in lists.iterdir()) == sorted(file_name(v) for v in set(labels.values()))
    for code_value, label in labels.items():
        written = _table(lists / file_name(label))
        rows = customers[customers["lifecycle"] == code_value]
        assert list(written.columns) == ["客户ID", "RFM分群"]
        assert sorted(written["RFM分群"]) == sorted(rows["segment_label"].fillna(""))
