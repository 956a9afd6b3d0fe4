"""Fuzzing `tiercli classify` with seeded hostile and broken inputs (tests/fuzz/cases.py).

The bar for every case: exit 0 or 2 (never 3, a signal or a traceback), within the time limit, and when it exits
0 the summary's row accounting adds up (rows read = used + excluded) and no output holds a row it shouldn't.
CI runs a few hundred cases; `pytest -m fuzz --fuzz-cases 5000` runs any number, `--fuzz-seed` moves the window.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cases import case
from typer.testing import CliRunner

from tiercli.cli.app import app

runner = CliRunner()
CASE_SECONDS = 120  # a case taking longer counts as a hang
_ROWS = re.compile(r"rows: ([\d,]+) read = ([\d,]+) used \+ ([\d,]+) excluded")


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(*_: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.fuzz
def test_fuzz_case(fuzz_seed: int, tmp_path: Path) -> None:
    made = case(fuzz_seed)
    for name, data in made.files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "rules.yaml").write_text(made.rules, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    args = ["classify", *(str(tmp_path / n) for n in made.files), "-r", str(tmp_path / "rules.yaml"), "-o", str(out)]
    with time_limit(CASE_SECONDS):
        result = runner.invoke(app, args)
    what = f"seed {fuzz_seed} ({made.describe()}): exit {result.exit_code}\n{result.output[-2000:]}"
    assert result.exit_code in (0, 2), what
    assert "internal error" not in result.output and "Traceback" not in result.output, what
    if result.exit_code == 0:
        found = _ROWS.search(result.stdout)
        assert found is not None, what
        read, used, excluded = (_number(g) for g in found.groups())
        assert read == used + excluded, what
        assert out.exists(), what
    else:
        assert result.stderr.startswith("error: "), what
        assert not out.exists(), what
    assert not (tmp_path / "pwned.txt").exists() and not list(tmp_path.glob(".out.xlsx.*")), what
