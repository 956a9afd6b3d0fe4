"""--split-by: one CSV per tier, tag or segment, with the customers of that group and nothing else."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from conftest import SIMPLE_RULES, write
from tiercli.cli.app import app
from tiercli.outputs.split import file_name

ORDERS = """
    customer_id,order_id,order_date,amount
    big,1,2024-01-01,1500
    rep,2,2024-01-01,10
    rep,3,2024-01-20,10
    one,4,2023-06-01,5
    =HYPERLINK("x"),5,2024-01-25,7
"""


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel shows Chinese
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_split_by_tier_writes_one_file_per_level_with_its_customers(tmp_path: Path) -> None:
    orders = write(tmp_path, "o.csv", ORDERS)
    rules = write(tmp_path, "r.yaml", SIMPLE_RULES)
    lists = tmp_path / "lists"
    result = CliRunner().invoke(app, ["classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "c.xlsx"),
                                      "--split-by", "tier", str(lists), "--split-columns", "monetary,tags"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in lists.iterdir()) == ["base.csv", "big.csv", "repeat.csv"]
    assert _read(lists / "big.csv") == [{"customer_id": "big", "monetary": "1500.00", "tags": "recent"}]
    assert _read(lists / "repeat.csv") == [{"customer_id": "rep", "monetary": "20.00", "tags": "recent"}]
    base = _read(lists / "base.csv")
    assert {r["customer_id"] for r in base} == {"one", "'=HYPERLINK(\"x\")"}  # formula guard kept
    assert f"wrote {lists / 'big.csv'} (list of big, 1 customer)" in " ".join(result.stdout.split())


def test_split_by_tag_puts_a_customer_in_each_of_their_tags(tmp_path: Path) -> None:
    orders = write(tmp_path, "o.csv", ORDERS)
    rules = write(tmp_path, "r.yaml", SIMPLE_RULES)
    lists = tmp_path / "tags"
    result = CliRunner().invoke(app, ["classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "c.csv"),
                                      "--split-by", "tag", str(lists), "-q"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in lists.iterdir()] == ["recent.csv"]
    assert {r["customer_id"] for r in _read(lists / "recent.csv")} == {"big", "rep", "'=HYPERLINK(\"x\")"}


def test_an_unknown_group_stops_before_anything_is_written(tmp_path: Path) -> None:
    orders = write(tmp_path, "o.csv", ORDERS)
    out = tmp_path / "c.xlsx"
    result = CliRunner().invoke(app, ["classify", str(orders), "-o", str(out), "--split-by", "tiers",
                                      str(tmp_path / "l")])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("error: --split-by must be tier, tag, segment, lifecycle, movement, a grading "
                                     "name or previous_<grading>, not 'tiers' (did you mean 'tier'?)")
    assert not out.exists() and not (tmp_path / "l").exists()


def test_group_names_become_safe_file_names() -> None:
    assert file_name("重要客户") == "重要客户.csv"
    assert file_name('a/b:c*?"<>|') == "a_b_c______.csv"
    assert file_name("..") == "_.csv"
