"""The exported query of every dialect, for rules.example.yaml, and the whole pipeline's script for a small export
(tests/fixtures/platforms/generic_offsets_serials.csv: times with zone offsets and Excel serials): as the golden
files under tests/golden/ hold them, and parsed back by sqlglot in that dialect. Spark's and DuckDB's also run
(test_spark_identical.py, test_spark_script.py, tests/engine/test_script.py); the others are checked here only.

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
from tiercli.pipeline import RunConfig, record_cleaning
from tiercli.rules.load import load_rules

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
AS_OF = datetime(2026, 10, 31, 23, 59, 59)
EXPORT = REPO / "tests" / "fixtures" / "platforms" / "generic_offsets_serials.csv"


def exported(dialect: str) -> str:
    return export_sql(load_rules(REPO / "rules.example.yaml"), dialect, AS_OF).sql


def golden(dialect: str) -> Path:
    return GOLDEN / f"rules.example.{dialect}.sql"


def exported_pipeline(dialect: str) -> str:
    rules = load_rules(REPO / "rules.example.yaml")
    recorded = record_cleaning(RunConfig(files=[str(EXPORT)], rules=rules, as_of=AS_OF))
    return export_sql(rules, dialect, AS_OF, cleaning=recorded.steps).sql


def golden_pipeline(dialect: str) -> Path:
    return GOLDEN / f"pipeline.{EXPORT.stem}.{dialect}.sql"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_exported_pipeline_is_the_golden_file(dialect: str) -> None:
    assert exported_pipeline(dialect) == golden_pipeline(dialect).read_text(encoding="utf-8"), (
        f"the {dialect} pipeline changed: if intended, run `python tests/spark/test_golden.py` and review the diff")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_golden_pipeline_parses_back_in_its_dialect(dialect: str) -> None:
    text = golden_pipeline(dialect).read_text(encoding="utf-8")
    statements = [s for s in sqlglot.parse(text, read=dialect) if s]
    assert all(not isinstance(s, sqlglot.exp.Command) for s in statements)  # each one understood, none skipped
    *cleaning, select = statements
    assert isinstance(select, sqlglot.exp.Select)
    assert select.named_selects[:5] == ["customer_id", "tier", "tags", "segment", "lifecycle"]
    made = [s.this for s in cleaning if isinstance(s, sqlglot.exp.Create)]
    functions = {m.this.name.lower() for m in made if isinstance(m, sqlglot.exp.UserDefinedFunction)}
    assert {"tc", "money", "ts", "ts_tz"} <= functions  # the cleaning's macros, as functions of the dialect
    tables = {m.name for m in made if isinstance(m, sqlglot.exp.Table)}
    assert {"raw_0", "lines", "orders"} <= tables


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
        golden_pipeline(name).write_text(exported_pipeline(name), encoding="utf-8")
        print(f"wrote {golden(name).relative_to(REPO)}, {golden_pipeline(name).relative_to(REPO)}", file=sys.stderr)
