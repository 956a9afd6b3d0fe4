"""The exported query of every dialect, for rules.example.yaml: as the golden files under tests/golden/ hold it,
and parsed back by sqlglot in that dialect. Spark's also runs (test_spark_identical.py); the others are checked
here only.

After an intended change of the SQL, rewrite the golden files and review their diff:

    python tests/spark/test_golden.py
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
import sqlglot

from tiercli.engine.query import DIALECTS, export_sql
from tiercli.rules.load import load_rules

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
AS_OF = datetime(2026, 10, 31, 23, 59, 59)


def exported(dialect: str) -> str:
    return export_sql(load_rules(REPO / "rules.example.yaml"), dialect, AS_OF).sql


def golden(dialect: str) -> Path:
    return GOLDEN / f"rules.example.{dialect}.sql"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_exported_query_is_the_golden_file(dialect: str) -> None:
    assert exported(dialect) == golden(dialect).read_text(encoding="utf-8"), (
        f"the {dialect} export changed: if intended, run `python tests/spark/test_golden.py` and review the diff")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_golden_file_parses_back_in_its_dialect(dialect: str) -> None:
    statements = [s for s in sqlglot.parse(golden(dialect).read_text(encoding="utf-8"), read=dialect) if s]
    assert len(statements) == 1
    select = statements[0]
    assert isinstance(select, sqlglot.exp.Select)
    # the customers table's columns, in tiercli's order, with the tiers of the rules file
    assert select.named_selects[:5] == ["customer_id", "tier", "tags", "segment", "lifecycle"]
    assert all(name in golden(dialect).read_text(encoding="utf-8") for name in ("重要客户", "基础客户", "偏爱美妆"))


def test_spark_renders_duckdbs_functions_as_spark_computes_them() -> None:
    text = golden("spark").read_text(encoding="utf-8")
    assert "PERCENTILE_CONT" not in text and "PERCENTILE(" in text  # exact quantiles
    assert "TRY_DIVIDE(CAST(" in text and "DATEDIFF(DAY" not in text


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name in DIALECTS:
        golden(name).write_text(exported(name), encoding="utf-8")
        print(f"wrote {golden(name).relative_to(REPO)}", file=sys.stderr)
