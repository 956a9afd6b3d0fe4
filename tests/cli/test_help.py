"""Every command's --help, as a terminal of 80 and 120 columns shows it: no type placeholders, no line wider than
the terminal, nothing cut short, and an example that runs as written on the sample data."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len
from typer.testing import CliRunner

from tiercli.cli.app import app

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]


def _help(args: list[str], width: int) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(width)}, terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.stdout


def _example_lines(name: str) -> list[str]:
    """The lines of a command's `Example:` paragraph, as written."""
    help_text = COMMANDS[name].help or ""
    assert "Example:" in help_text, f"{name} has no example"
    paragraph = help_text.split("Example:", 1)[1].split("\n\n")[0]
    return [line.strip() for line in paragraph.splitlines() if line.strip()]


def _examples(name: str) -> list[str]:
    """The commands of a command's example, a line ending in a backslash joined to the next."""
    commands: list[str] = []
    continued = False
    for line in _example_lines(name):
        if continued:
            commands[-1] += " " + line
        else:
            commands.append(line)
        continued = commands[-1].endswith("\\")
        commands[-1] = commands[-1].removesuffix("\\").strip()
    return commands


def _source_text(name: str) -> str:
    command = COMMANDS[name]
    return " ".join([command.help or "", *(getattr(p, "help", None) or "" for p in command.params)])


def test_every_command_is_covered() -> None:
    assert set(COMMANDS) == {"classify", "init", "validate", "explain", "sql", "inspect", "metrics", "compare", "clv",
                             "diff"}


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_reads_cleanly_at_the_terminal_width(name: str, width: int) -> None:
    shown = _help([name], width)
    for placeholder in ("<bool>", "<str>", "<int", "<list", "<float", "<path"):
        assert placeholder not in shown, f"{name} --help shows {placeholder}"
    assert "Example:" in shown
    wide = [line for line in shown.splitlines() if cell_len(line) > width]
    assert wide == []
    # rich cuts a cell's line with '…' when it can't fit it; only the ellipses written in the help may show
    assert shown.count("…") <= _source_text(name).count("…"), shown
    lines = [line.strip() for line in shown.splitlines()]
    for example in _example_lines(name):  # shown whole, ready to copy
        assert example in lines


@pytest.mark.parametrize("width", [80, 120])
def test_flags_show_no_value_and_values_show_what_they_are(width: int) -> None:
    shown = _help(["classify"], width)
    rows = {line.split()[1]: line for line in shown.splitlines() if line.startswith("│ --")}
    for flag in ("--quiet", "--strict", "--help"):
        assert rows[flag].split()[2] != "<bool>" and rows[flag].split()[3:4] != ["<bool>"]
    for option, metavar in (("--rules", "FILE"), ("--as-of", "DATE"), ("--threads", "N"), ("--memory-limit", "SIZE"),
                            ("--lang", "[en|zh]"), ("--split-by", "GROUP"), ("--report", "PATH.html")):
        assert metavar in rows[option].split()[:5], rows[option]
    assert "Usage: tiercli classify [OPTIONS] FILE..." in shown
    root = _help([], width)
    assert "<bool>" not in root and "--debug" in root


def test_the_paragraphs_of_a_help_are_not_broken_where_the_source_breaks_its_lines() -> None:
    shown = _help(["classify"], 120)
    assert ("On a terminal, a phase (reading, classifying, writing) that takes more than a second shows a progress bar "
            "on stderr, gone when the phase is done.") in " ".join(shown.split())
    source_break = "a progress bar on\n"  # where the docstring's line ends
    assert source_break not in shown


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_help_example_runs_on_the_sample_data(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLE_DATA, tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    for example in _examples(name):
        words = shlex.split(example)
        assert words[0] == "tiercli"
        target = None
        if ">" in words:
            words, target = words[:words.index(">")], words[words.index(">") + 1]
        result = CliRunner().invoke(app, words[1:])
        assert result.exit_code == 0, f"{example}: {result.output}"
        if target is not None:
            Path(target).write_text(result.stdout, encoding="utf-8")
            assert Path(target).stat().st_size > 0
