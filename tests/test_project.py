"""The front door: README commands really work, CI runs the README's test command, code is lint- and type-clean."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from tiercli.cli.app import app

README = (REPO / "README.md").read_text(encoding="utf-8")


def _two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_readme_has_runnable_examples() -> None:
    assert len(EXAMPLES) >= 3


def test_ci_runs_the_readme_test_command() -> None:
    install_and_run, test = _two_commands()
    assert "tiercli classify sample_data/" in install_and_run
    assert test in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()


EXAMPLES = [c.strip() for c in re.findall(r"(tiercli classify [^\n>]+)", README)
            if "sample_data/" in c or "kunden.csv" in c]


@pytest.mark.parametrize("command", EXAMPLES)
def test_readme_classify_examples_run(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("sample_data", "rules.example.yaml"):
        (tmp_path / name).symlink_to(REPO / name)
    args = shlex.split(command)[1:]
    if "kunden.csv" in command:
        (tmp_path / "kunden.csv").write_text("kunde,datum,betrag\nc1,2024-01-01,5\n", encoding="utf-8")
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: kunden.csv: no column for the customer (who bought)")
        return
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run(["ruff", "check", "src", "tests", "scripts", "bench"], cwd=REPO, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
