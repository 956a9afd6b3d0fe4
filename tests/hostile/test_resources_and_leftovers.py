"""A run stays within its memory limit, stops cleanly on a signal, and leaves nothing behind.

- A tiny workbook that asks for a huge grid is refused (exit 2) saying why, instead of taking the machine down;
  when more memory would do, the message says how much, and that advice works.
- Peak memory stays within --memory-limit plus a fixed margin (MARGIN_MIB) whatever the size of the data.
- Ctrl-C and SIGTERM end the run with 130 and 143, and remove its temp folder and staged outputs; what a killed
  run (SIGKILL) leaves is removed by the next run.
- Names of any length and with escape sequences are shown safely and quickly.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter

from conftest import invoke
from tiercli.runfolder import root, sweep

GEN = Path(__file__).resolve().parents[2] / "bench" / "gen_orders.py"
BENCH_RULES = Path(__file__).resolve().parents[2] / "bench" / "rules.bench.yaml"
MARGIN_MIB = 500  # peak RSS beyond --memory-limit, measured at most ~400 MiB (README: Reliability)


def far_cell_workbook(path: Path, row: int, col: int) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["customer_id", "order_date", "amount"])
    sheet.write_row(1, 0, ["a", "2024-01-01", "150"])
    sheet.write(row, col, "x")
    book.close()
    return path


def test_a_5kb_workbook_asking_for_half_a_terabyte_is_refused(tmp_path: Path) -> None:
    path = far_cell_workbook(tmp_path / "bomb.xlsx", 1_048_575, 16_383)
    assert path.stat().st_size < 10_000
    started = time.monotonic()
    code, _, err = invoke("classify", str(path), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "internal error" not in err, err
    assert "needs more than 1GB of memory to read" in err and "A1:XFD1048576" in err
    assert "save the sheet as CSV" in err
    assert time.monotonic() - started < 60


def test_a_sheet_bigger_than_the_limit_says_which_limit_works(tmp_path: Path) -> None:
    path = far_cell_workbook(tmp_path / "far.xlsx", 299_999, 59)  # 18M cells
    out = tmp_path / "o.csv"
    code, _, err = invoke("classify", str(path), "--memory-limit", "200MB", "-o", str(out), "-q")
    assert code == 2 and "needs more than 200MB of memory to read" in err, err
    advised = re.search(r"--memory-limit (\d+GB)", err)
    assert advised is not None, err
    code, _, err = invoke("classify", str(path), "--memory-limit", advised.group(1), "-o", str(out), "-q")
    assert code == 0, err
    assert out.read_text(encoding="utf-8-sig").splitlines()[1].startswith("a,")


def test_a_zip_bomb_is_not_unpacked(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (40 << 20))
    code, _, err = invoke("classify", str(path), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "unpack" in err and "bomb.xlsx" in err, err


def _orders(folder: Path, lines: str) -> Path:
    path = folder / f"orders_{lines}.csv"
    subprocess.run([sys.executable, str(GEN), lines, str(path)], check=True, capture_output=True)
    return path


def _peak_rss_mib(command: list[str]) -> tuple[int, float]:
    """Run `command` in a fresh process; its exit code and its peak resident memory in MiB."""
    probe = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=False)
    return int(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else -1, \
        int(done.stdout.strip().splitlines()[-1]) / 1024 if done.stdout.strip() else -1.0


def test_peak_memory_stays_within_the_limit_and_a_fixed_margin(tmp_path: Path) -> None:
    orders = _orders(tmp_path, "400k")
    for limit, mib in (("100MB", 100 * 1000**2 / 2**20), ("300MB", 300 * 1000**2 / 2**20)):
        command = [sys.executable, "-m", "tiercli", "classify", str(orders), "-r", str(BENCH_RULES), "-q",
                   "--memory-limit", limit, "-o", str(tmp_path / "o.xlsx")]
        _, peak = _peak_rss_mib(command)
        assert (tmp_path / "o.xlsx").exists()
        assert 0 < peak <= mib + MARGIN_MIB, (limit, peak)


@pytest.mark.parametrize(("number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_cleanly_wherever_it_lands(tmp_path: Path, number: int, code: int) -> None:
    orders = _orders(tmp_path, "300k")
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"an older workbook")
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    for delay in (0.8, 2.0, 3.5):
        process = subprocess.Popen([sys.executable, "-m", "tiercli", "classify", str(orders), "-r",
                                    str(BENCH_RULES), "-o", str(out), "-q"], env=env, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.send_signal(number)
        _, err = process.communicate(timeout=60)
        if process.returncode == 0:  # finished before the signal: nothing to check at this delay
            out.write_bytes(b"an older workbook")
            continue
        assert process.returncode == code, err
        assert out.read_bytes() == b"an older workbook"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".o.xlsx.")] == []
        assert [p for p in (tmp_path / "tmp").rglob("*") if p.is_file()] == []


def test_what_a_killed_run_leaves_is_removed_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    orders = _orders(tmp_path, "300k")
    out = tmp_path / "o.xlsx"
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    process = subprocess.Popen([sys.executable, "-m", "tiercli", "classify", str(orders), "-r",
                                str(BENCH_RULES), "-o", str(out), "-q"], env=env)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".o.xlsx.*.tmp")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until the workbook is being written beside its target
    process.kill()
    process.wait()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    left = [p for p in (tmp_path / "tmp").rglob("*") if p.is_file()] + list(tmp_path.glob(".o.xlsx.*.tmp"))
    assert left, "the killed run left nothing to sweep: it ended before the workbook was written"
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # the next run looks in TMPDIR again
    assert sweep(root()) >= 1
    assert list(tmp_path.glob(".o.xlsx.*.tmp")) == []
    assert [p for p in (tmp_path / "tmp").rglob("*") if p.is_file()] == []


def test_a_20000_character_level_name_in_the_report(tmp_path: Path) -> None:
    name = "重要客户" * 5000
    rules = tmp_path / "r.yaml"
    rules.write_text(f'version: 1\ntiers:\n  - {{name: "{name}", when: "monetary >= 100"}}\n  - {{name: b}}\n',
                     encoding="utf-8")
    orders = tmp_path / "o.csv"
    orders.write_text("customer_id,order_id,order_date,amount\na,1,2024-01-01,150\n", encoding="utf-8")
    started = time.monotonic()
    code, _, err = invoke("classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "o.xlsx"), "--report",
                          str(tmp_path / "r.html"), "-q")
    assert code == 0, err
    assert time.monotonic() - started < 20
    assert name in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_escape_sequences_in_names_are_shown_escaped(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text('version: 1\ntiers:\n  - {name: "vip\\e]0;pwned\\a", when: "monetary >= 100"}\n'
                     '  - {name: "b\\e[2J"}\ntags:\n  - {name: "t\\u202e", when: "monetary > 0"}\n', encoding="utf-8")
    orders = tmp_path / "o.csv"
    orders.write_text("customer_id,order_id,order_date,amount\n\x1b[31mred,1,2024-01-01,150\n", encoding="utf-8")
    code, out, err = invoke("classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "out.csv"))
    assert code == 0, err
    shown = out + err
    assert "\x1b]" not in shown and "\x1b[2J" not in shown and "\u202e" not in shown and "\x07" not in shown
    assert "vip\\x1b]0;pwned\\x07" in shown and "b\\x1b[2J" in shown and "t\\u202e" in shown
    code, out, err = invoke("explain", "\x1b[31mred", str(orders), "-r", str(rules))
    assert code == 0, err
    assert "\\x1b[31mred" in out and "\x1b[31m" not in out
