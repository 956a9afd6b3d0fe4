"""Commands that only read a rules file start fast: `tiercli --help` and `tiercli validate` don't load the data
libraries (pandas, pyarrow, numpy), which take most of a second to import. Checked by what a real process loaded,
not by timing, so a busy machine can't make it pass or fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SIMPLE_RULES, write

HEAVY = ("pandas", "pyarrow", "numpy", "polars", "xlsxwriter", "openpyxl", "fastexcel")
PROBE = """
import atexit, json, runpy, sys
atexit.register(lambda: sys.stderr.write("\\nLOADED " + json.dumps(sorted(m for m in sys.modules if "." not in m))))
sys.argv = ["tiercli", *sys.argv[1:]]
runpy.run_module("tiercli", run_name="__main__")
"""


def loaded(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, timeout=60)
    modules = json.loads(done.stderr.rsplit("LOADED ", 1)[1])
    return done.returncode, set(modules)


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("classify", "--help")])
def test_help_loads_no_data_library(args: tuple[str, ...]) -> None:
    code, modules = loaded(*args)
    assert code == 0
    assert modules & set(HEAVY) == set()


def test_validate_of_a_rules_file_loads_no_data_library(tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", SIMPLE_RULES)
    code, modules = loaded("validate", str(rules))
    assert code == 0
    assert modules & set(HEAVY) == set()
    assert "duckdb" in modules  # the rules really are run, on empty tables
