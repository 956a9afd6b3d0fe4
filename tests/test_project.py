"""The front door: README commands really work, CI runs the README's test command, code is lint- and type-clean."""

from __future__ import annotations

import importlib.util
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


RUNS_OVER_TIME = README.split("## Runs over time", 1)[1].split("\n## ", 1)[0]
EXAMPLES = [c.strip() for c in re.findall(r"(tiercli classify [^\n>|]+)", README.replace(RUNS_OVER_TIME, ""))
            if "sample_data/" in c or "kunden.csv" in c]
INITS = [c.strip() for c in re.findall(r"^ {4}(tiercli init [^\n>]+)", README, flags=re.MULTILINE)]


def _example(command: str) -> object:
    """A README example; one on Spark is a `spark` test, skipped without PySpark or Java (.ci/run has both)."""
    if "--engine spark" not in command:
        return command
    missing = importlib.util.find_spec("pyspark") is None or shutil.which("java") is None
    return pytest.param(command, marks=[pytest.mark.spark,
                                        pytest.mark.skipif(missing, reason="needs the spark extra and Java 17+")])


@pytest.mark.parametrize("command", [_example(c) for c in EXAMPLES])
def test_readme_classify_examples_run(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("sample_data", "rules.example.yaml"):
        (tmp_path / name).symlink_to(REPO / name)
    for init in INITS:  # the rules files the README's examples write first
        made = CliRunner().invoke(app, shlex.split(init)[1:])
        assert made.exit_code == 0, made.output
    args = shlex.split(command)[1:]
    if "kunden.csv" in command:
        (tmp_path / "kunden.csv").write_text("kunde,datum,betrag\nc1,2024-01-01,5\n", encoding="utf-8")
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        assert result.stderr.startswith("error: kunden.csv: no column for the customer (who bought)")
        return
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output


def test_readme_runs_over_time_examples_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The section's commands build on each other (a run, then a run against it, then a diff), so they run in
    order in one folder, with the overrides file the section shows."""
    monkeypatch.chdir(tmp_path)
    for name in ("sample_data", "rules.example.yaml"):
        (tmp_path / name).symlink_to(REPO / name)
    (tmp_path / "overrides.csv").write_text(RUNS_OVER_TIME.split("```csv\n", 1)[1].split("```", 1)[0],
                                            encoding="utf-8")
    commands = re.findall(r"^ {4}(tiercli [^\n]+)", RUNS_OVER_TIME, flags=re.MULTILINE)
    assert [c.split()[1] for c in commands] == ["classify", "classify", "classify", "compare", "diff"]
    printed = ""
    for command in commands:
        result = CliRunner().invoke(app, shlex.split(command)[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        printed += result.stdout
    shown = re.findall(r"^movement .+$", RUNS_OVER_TIME, flags=re.MULTILINE)
    assert shown and all(line in printed for line in shown), shown
    outputs = re.findall(r"-o (\S+)", "\n".join(commands))
    assert all((tmp_path / name).exists() for name in outputs), outputs


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run(["ruff", "check", "src", "tests", "scripts", "bench"], cwd=REPO, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


INSPECTS = [c.strip() for c in re.findall(r"^(tiercli inspect sample_data/[^\n>]+)", README, flags=re.MULTILINE)]


@pytest.mark.parametrize("command", INSPECTS)
def test_readme_inspect_examples_run_and_write_nothing(command: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample_data").symlink_to(REPO / "sample_data")
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert "platform: tmall-order-report (100% of its headers" in result.stdout
    assert "rows: 3,290 read = 3,098 used + 192 excluded" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["sample_data"]


def test_readme_shows_an_inspect_example() -> None:
    assert INSPECTS


OTHER_COMMANDS = [c.strip() for c in re.findall(r"^ {4}(tiercli (?:validate|metrics|explain|sql)[^\n>]*)", README,
                                                flags=re.MULTILINE)]


def test_readme_shows_validate_metrics_explain_and_sql() -> None:
    assert {c.split()[1] for c in OTHER_COMMANDS} == {"validate", "metrics", "explain", "sql"}


@pytest.mark.parametrize("command", OTHER_COMMANDS)
def test_readme_rule_command_examples_run(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("sample_data", "rules.example.yaml"):
        (tmp_path / name).symlink_to(REPO / name)
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
