"""What `tiercli classify` shows on the terminal: the summary in English or Chinese, --quiet, no escape codes off a
terminal, and progress bars that only show for phases longer than a second."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from conftest import project, write
from tiercli.cli.app import app
from tiercli.cli.progress import TerminalProgress, progress_bars, shows_bars
from tiercli.pipeline import RunConfig, run
from tiercli.progress import COMPUTING, NO_PROGRESS, READING, WRITING
from tiercli.rules.load import parse_rules

runner = CliRunner()

FILLERS = "".join(f'  - {{name: f{i}, when: "monetary >= 1000"}}\n' for i in range(1, 10))
RULES = """
version: 1
tiers:
  - {name: big, when: "monetary >= 1000"}
  - {name: repeat, when: "frequency >= 2"}
  - {name: base}
tags:
  - {name: few, when: "monetary >= 1000"}
  - {name: everyone, when: "monetary > 0"}
  - {name: nobody, when: "monetary < 0"}
  - {name: repeaters, when: "frequency >= 2"}
""" + FILLERS

ORDERS = """
    customer_id,order_id,order_date,amount,status
    a,1,2024-01-05,1500,paid
    a,2,2024-02-05,100,paid
    b,3,2024-01-10,300,paid
    b,4,2024-03-10,200,paid
    c,5,2024-02-01,50,paid
    d,6,2024-03-01,20,paid
    e,7,2024-03-02,70,unpaid
"""

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return project(tmp_path, monkeypatch, RULES, ORDERS)


def invoke(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every header and body row of the tables in `text`."""
    return [[cell.strip() for cell in line.strip("│┃ ").replace("┃", "│").split("│")]
            for line in text.splitlines() if line.startswith(("│", "┃"))]


def test_summary_shows_levels_top_tags_exclusions_and_every_file_written(here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.xlsx",
                            "--split-by", "tier", "lists")
    assert code == 0, err
    shown = lines(out)
    assert "rows: 7 read = 6 used + 1 excluded" in shown
    assert "  excluded unpaid: 1 (the order was not paid)" in shown
    assert "tier (4 customers)" in shown
    rows = table_rows(out)
    assert rows[:4] == [
        ["level", "customers", "share", "revenue share", "AOV"],
        ["big", "1", "25.0%", "73.7%", "800.00"],
        ["repeat", "1", "25.0%", "23.0%", "250.00"],
        ["base", "2", "50.0%", "3.2%", "35.00"],
    ]
    assert "top 10 tags of 13, by customers" in shown
    assert rows[4:] == [
        ["tag", "customers", "share"],
        ["everyone", "4", "100.0%"],
        ["repeaters", "2", "50.0%"],
        ["few", "1", "25.0%"],
        *([f"f{i}", "1", "25.0%"] for i in range(1, 8)),
    ]
    assert shown[-4:] == [
        "wrote out.xlsx (workbook)",
        f"wrote {Path('lists', 'big.csv')} (list of big, 1 customer)",
        f"wrote {Path('lists', 'repeat.csv')} (list of repeat, 1 customer)",
        f"wrote {Path('lists', 'base.csv')} (list of base, 2 customers)",
    ]
    assert err == ""


def test_a_few_tags_are_all_listed_most_held_first(here: Path) -> None:
    write(here, "few.yaml", RULES.split("  - {name: f1")[0])
    code, out, err = invoke("classify", "orders.csv", "-r", "few.yaml", "-o", "out.csv")
    assert code == 0, err
    assert "tags (4)" in lines(out)
    assert [row[0] for row in table_rows(out)[4:]] == ["tag", "everyone", "repeaters", "few", "nobody"]
    assert lines(out)[-1] == "wrote out.csv (customers table)"


def test_lang_zh_gives_the_summary_in_chinese(here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.xlsx", "--lang", "zh")
    assert code == 0, err
    shown = lines(out)
    assert "行数：读取 7 = 使用 6 + 排除 1" in shown
    assert "  排除 未付款：1 行（订单未付款）" in shown
    assert "tier（4 位客户）" in shown
    assert "客户数最多的 10 个标签（共 13 个）" in shown
    rows = table_rows(out)
    assert rows[0] == ["等级", "客户数", "占比", "消费金额占比", "客单价"]
    assert rows[1] == ["big", "1", "25.0%", "73.7%", "800.00"]
    assert rows[4:6] == [["标签", "客户数", "占比"], ["everyone", "4", "100.0%"]]
    assert shown[-1] == "已写入 out.xlsx（工作簿）"


def test_a_chinese_locale_gives_chinese_without_lang_and_a_wrong_lang_names_the_choices(here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.csv",
                            env={"LANG": "zh_CN.UTF-8"})
    assert code == 0, err
    assert lines(out)[-1] == "已写入 out.csv（客户表）"
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out2.csv", "--lang", "fr")
    assert (code, out) == (2, "")
    assert err.strip() == "error: --lang 'fr' is not a language tiercli speaks; use en or zh"
    assert not (here / "out2.csv").exists()


def test_quiet_prints_nothing_for_a_clean_run_and_still_prints_errors(here: Path) -> None:
    assert invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.csv", "-q") == (0, "", "")
    assert (here / "out.csv").exists()
    code, out, err = invoke("classify", "missing.csv", "-r", "rules.yaml", "-o", "x.csv", "--quiet")
    assert (code, out) == (2, "")
    assert err == "error: missing.csv: file not found; check the path\n"


def test_quiet_still_warns_of_rows_that_could_not_be_read(here: Path) -> None:
    write(here, "lossy.csv", ORDERS + "    f,8,someday,10,paid\n    ,9,2024-03-03,10,paid\n")
    code, out, err = invoke("classify", "lossy.csv", "-r", "rules.yaml", "-o", "out.csv", "-q")
    assert (code, out) == (0, "")
    assert sorted(lines(err)) == [
        "warning: rows left out as bad_date (no usable order time): 1",
        "warning: rows left out as missing_customer (no customer on the row): 1",
    ]


def test_off_a_terminal_there_are_no_escape_codes_and_the_summary_goes_to_stderr_with_data_on_stdout(
        here: Path) -> None:
    code, out, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "-")
    assert code == 0, err
    assert out.splitlines()[0].startswith("customer_id,")
    assert "wrote stdout (customers table)" in lines(err)
    assert "┃ level" in err
    assert not ESCAPE.search(out) and not ESCAPE.search(err)


class Recorder:
    """A Progress that writes down what it hears."""

    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []
        self.fractions: list[float] = []

    def start(self, phase: str, total: int | None = None) -> None:
        self.events.append(("start", phase, total))

    def advance(self, amount: int = 1) -> None:
        self.events.append(("advance", amount))

    def partial(self, fraction: float) -> None:
        self.fractions.append(fraction)

    def end(self) -> None:
        self.events.append(("end",))


def _phases(events: list[tuple[object, ...]]) -> list[tuple[object, object, int]]:
    """(phase, total, units advanced) per phase, checking each start has its end."""
    found: list[tuple[object, object, int]] = []
    for event in events:
        if event[0] == "start":
            found.append((event[1], event[2], 0))
        elif event[0] == "advance":
            name, total, done = found[-1]
            found[-1] = (name, total, done + int(str(event[1])))
    assert [e[0] for e in events if e[0] in ("start", "end")] == ["start", "end"] * len(found)
    return found


def test_the_pipeline_reports_reading_then_computing_with_totals_it_reaches(here: Path) -> None:
    write(here, "more.csv", "customer_id,order_id,order_date,amount\nz,99,2024-03-05,5\n")
    recorder = Recorder()
    result = run(RunConfig(files=["orders.csv", "more.csv"], rules=parse_rules(RULES)), recorder)
    assert result.customers.num_rows == 5
    phases = _phases(recorder.events)
    assert [p[0] for p in phases] == [READING, COMPUTING]
    assert phases[0][1] == 3  # two files, then cleaning
    assert all(total == done and isinstance(total, int) and total > 0 for _, total, done in phases)
    assert all(0.0 <= f <= 1.0 for f in recorder.fractions)


def test_a_failed_run_still_ends_its_phase(here: Path) -> None:
    recorder = Recorder()
    with pytest.raises(Exception, match="file not found"):
        run(RunConfig(files=["orders.csv", "missing.csv"], rules=parse_rules(RULES)), recorder)
    assert recorder.events == [("start", READING, 3), ("advance", 1), ("end",)]


def test_classify_reports_reading_computing_and_writing(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()

    @contextmanager
    def recording(console: Console, lang: str, show: bool) -> Iterator[Recorder]:
        assert show
        yield recorder

    monkeypatch.setattr("tiercli.cli.progress.progress_bars", recording)
    code, _, err = invoke("classify", "orders.csv", "-r", "rules.yaml", "-o", "out.csv", "--split-by", "tier", "l")
    assert code == 0, err
    phases = _phases(recorder.events)
    assert [name for name, _, _ in phases] == [READING, COMPUTING, WRITING]
    assert (phases[0][1], phases[2][1]) == (2, 4)  # one file and cleaning; writing: the 4 customers' rows


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=70, color_system="standard")


def shown(console: Console) -> str:
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


def test_a_phase_under_a_second_shows_no_bar() -> None:
    console, clock = terminal(), Clock()
    bars = TerminalProgress(console, "en", clock=clock)
    bars.start(READING, 2)
    clock.now += 0.5
    bars.tick()
    bars.advance(2)
    clock.now += 0.49
    bars.tick()
    bars.end()
    assert shown(console) == ""


def test_a_phase_over_a_second_shows_a_bar_that_never_goes_back_and_is_erased_at_the_end() -> None:
    console, clock = terminal(), Clock()
    bars = TerminalProgress(console, "en", clock=clock)
    bars.start(COMPUTING, 4)
    clock.now += 1.0
    bars.tick()
    first = ESCAPE.sub("", shown(console))
    assert "classifying the customers" in first and "0%" in first and "0:00:01" in first
    bars.advance()
    bars.partial(0.6)  # the running query is 60% done: 1.6 of 4 steps
    clock.now += 1.0
    bars.tick()
    assert ESCAPE.sub("", shown(console)).endswith("40% 0:00:02")
    bars.partial(0.2)  # a next query starts low: the bar stays
    bars.tick()
    assert ESCAPE.sub("", shown(console)).endswith("40% 0:00:02")
    bars.end()
    assert shown(console).endswith("\x1b[2K")  # the bar's line is erased: nothing is left above the summary


def test_the_writing_bar_has_no_percentage_and_bars_speak_chinese() -> None:
    console, clock = terminal(), Clock()
    bars = TerminalProgress(console, "zh", clock=clock)
    bars.start(WRITING)
    clock.now += 1.5
    bars.tick()
    bars.end()
    text = ESCAPE.sub("", shown(console))
    assert "写入文件" in text and "%" not in text and "0:00:01" in text


def _colours(text: str) -> set[int]:
    codes = {int(p) for seq in re.findall(r"\x1b\[([0-9;]*)m", text) for p in seq.split(";") if p}
    return {c for c in codes if 30 <= c <= 38 or 90 <= c <= 97}


def test_no_color_takes_the_colour_out_of_the_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    def draw() -> str:
        console, clock = terminal(), Clock()
        bars = TerminalProgress(console, "en", clock=clock)
        bars.start(READING, 2)
        bars.advance()
        clock.now += 2
        bars.tick()
        bars.end()
        return shown(console)

    assert _colours(draw())
    monkeypatch.setenv("NO_COLOR", "1")
    assert _colours(draw()) == set()


def test_bars_need_a_real_terminal_even_when_colour_is_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    console = Console(file=io.StringIO())
    assert console.is_terminal and not shows_bars(console)
    with progress_bars(console, "en", show=True) as progress:
        assert progress is NO_PROGRESS


def test_data_on_stdout_comes_after_every_warning_and_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    lines = "".join(f"c{i},{i},2024-01-{1 + i % 28:02d},{i}\n" for i in range(1, 20_000))
    orders = write(tmp_path, "orders.csv", "customer_id,order_id,order_date,amount\n,0,2024-01-01,5\n" + lines)
    for quiet in ([], ["-q"]):
        done = subprocess.run(f'"{sys.executable}" -m tiercli classify "{orders}" -o - {" ".join(quiet)} | head -1',
                              shell=True, capture_output=True, text=True, check=False, cwd=tmp_path,
                              executable="/bin/bash")
        assert done.stdout.startswith("customer_id,") and done.stdout.count("\n") == 1
        assert re.search(r"missing_customer.*: 1\b", done.stderr), done.stderr
        assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr, done.stderr
        status = subprocess.run(f'"{sys.executable}" -m tiercli classify "{orders}" -o - {" ".join(quiet)} | head -1'
                                '; exit ${PIPESTATUS[0]}', shell=True, capture_output=True, text=True, check=False,
                                cwd=tmp_path, executable="/bin/bash")
        assert status.returncode == 0, status.stderr


def test_output_that_is_not_a_terminal_is_not_wrapped(tmp_path: Path) -> None:
    name = "a_customer_column_whose_name_is_long_enough_to_pass_eighty_columns_by_itself"
    orders = write(tmp_path, "orders.csv", f"{name},order_id,order_date,amount\na,1,2024-01-01,5\n")
    rules = write(tmp_path, "rules.yaml", f"input: {{columns: {{customer: {name}}}}}\n"
                  "tiers: [{name: 一个名字很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的等级}]\n")
    result = runner.invoke(app, ["classify", str(orders), "-r", str(rules), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 0, result.output
    assert f"columns: customer ← {name}; order_id ← order_id;" in result.output
    assert "一个名字很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的等级 │" in result.output
