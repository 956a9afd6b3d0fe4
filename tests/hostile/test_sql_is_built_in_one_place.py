"""SQL text is made from values in one module, and every connection comes from one factory: checked over the
source, so a new f-string that quotes by hand or a new `duckdb.connect` fails here."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tiercli.database import StatementRefused, open_database

SRC = Path(__file__).resolve().parents[2] / "src" / "tiercli"
HAND_QUOTING = re.compile(r"""replace\(\s*(['"])("|\\"|'|\\')\1\s*,\s*(['"])(""|\\"\\"|''|\\'\\')\3\s*\)""")
PASTED = re.compile(r"""f["'].*(?:"\{[^}]+\}"|'\{[^}]+\}').*""")
SQL_WORDS = re.compile(r"\b(SELECT|FROM|WHERE|JOIN|CREATE|CAST|COPY|read_\w+)\b")


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_quoting_is_written_once() -> None:
    found = [f"{p.relative_to(SRC)}:{n}" for p in sources() if p.name != "sqltext.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if HAND_QUOTING.search(line)]
    assert found == []


def test_no_value_is_pasted_into_sql_between_quotes() -> None:
    found = [f"{p.relative_to(SRC)}:{n}: {line.strip()}" for p in sources()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if PASTED.search(line) and SQL_WORDS.search(line)]
    assert found == []


def test_every_connection_comes_from_open_database() -> None:
    found = [str(p.relative_to(SRC)) for p in sources() if p.name != "database.py"
             and "duckdb.connect(" in p.read_text(encoding="utf-8")]
    assert found == []


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1) TO 'x.csv'", "SELECT 1; SELECT 2", "ATTACH 'x.duckdb'", "INSTALL httpfs", "LOAD httpfs",
    "EXPORT DATABASE 'x'", "PRAGMA version", "SET threads = 1", "CALL pragma_version()",
])
def test_statements_that_could_reach_a_file_never_run(sql: str, tmp_path: Path) -> None:
    with open_database(tmp_path) as db, pytest.raises(StatementRefused):
        db.execute(sql)
    assert not list(tmp_path.glob("x*"))


def test_a_connection_reads_only_the_files_it_was_given(tmp_path: Path) -> None:
    allowed, other = tmp_path / "allowed.csv", tmp_path / "other.csv"
    for path in (allowed, other):
        path.write_text("a\n1\n")
    (tmp_path / "db").mkdir()  # the database's own folder (DuckDB may read there), as a run's is
    with open_database(tmp_path / "db", readable=[str(allowed)]) as db:
        assert db.execute(f"SELECT * FROM read_csv('{allowed}')").fetchall() == [(1,)]
        for sql in (f"SELECT * FROM read_csv('{other}')", "SELECT * FROM read_text('/etc/hostname')",
                    f"SELECT * FROM glob('{tmp_path}/*')"):
            with pytest.raises(duckdb.PermissionException):
                db.execute(sql)
