"""The command line: typer commands over the library; errors become exit codes in one place."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tiercli.errors import Location, TiercliError, UsageError
from tiercli.pipeline import RunConfig, run, version

app = typer.Typer(
    name="tiercli",
    help="Grade, tag and segment customers from order exports (Tmall/Taobao, Shopify, UCI, any CSV/XLSX/Parquet).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_STRICT, EXIT_BAD_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def exit_codes(ctx: typer.Context) -> Iterator[None]:
    """The one place where errors become messages and exit codes (DESIGN §10)."""
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    try:
        yield
    except TiercliError as exc:
        if debug:
            traceback.print_exc()
        _stderr().print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # the reader of our output went away (e.g. `| head`): stop quietly
        raise typer.Exit(EXIT_OK) from None
    except KeyboardInterrupt:
        _stderr().print("interrupted", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except typer.Exit:
        raise
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _stderr().print(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in tiercli; rerun with "
                        "--debug for the traceback and report it.", markup=False)
        raise typer.Exit(EXIT_BUG) from None


def _version(value: bool) -> None:
    if value:
        print(f"tiercli {version()}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = {"debug": debug}


def parse_as_of(text: str | None) -> datetime | None:
    """`2026-10-31` means the end of that day; a full timestamp is taken as is."""
    if text is None:
        return None
    try:
        if len(text.strip()) <= 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(23, 59, 59))
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--as-of '{text}' is not a date; write it as YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'",
                         slug="bad_as_of") from None


def default_output(first_input: str) -> str:
    return f"{Path(first_input).stem}.tiers.xlsx"


@app.command()
def classify(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Order exports: CSV, XLSX/XLS, Parquet. Read as one.")],
    rules: Annotated[str | None, typer.Option("--rules", "-r", help="Rules file (YAML). Default: the built-in "
                                              "tmall-5 starter (see `tiercli init`).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Where to write: .xlsx workbook, .csv, "
                                               ".parquet, .json, or - for CSV on stdout. Default: "
                                               "<first input>.tiers.xlsx")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the metrics are relative to (YYYY-MM-DD). "
                                              "Default: the latest order time in the data.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile instead of "
                                                 "detecting it.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    threads: Annotated[int | None, typer.Option("--threads", help="DuckDB threads (default: all cores).")] = None,
    memory_limit: Annotated[str | None, typer.Option("--memory-limit", help="DuckDB memory limit, e.g. 2GB; "
                                                     "larger data spills to disk.")] = None,
) -> None:
    """Classify customers: metrics, RFM scores and segments, tiers and tags, written as a workbook or table."""
    from tiercli.cli.render import print_summary
    from tiercli.io.writers import write_result
    from tiercli.rules.load import load_rules, parse_rules
    from tiercli.rules.starter import starter_text

    with exit_codes(ctx):
        loaded = load_rules(rules) if rules else parse_rules(starter_text("tmall-5"), source="built-in tmall-5")
        out = output or default_output(files[0])
        result = run(RunConfig(files=files, rules=loaded, as_of=parse_as_of(as_of), sheet=sheet,
                               platform=platform, threads=threads, memory_limit=memory_limit))
        written = write_result(result, out)
        if not quiet:
            console = Console(stderr=(out == "-"), highlight=False, soft_wrap=False)
            print_summary(console, result, written)


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Where to write the rules file.")] = "rules.yaml",
    preset: Annotated[str, typer.Option("--preset", help="Starter to write.")] = "tmall-5",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter rules file to edit."""
    from tiercli.rules.starter import starter_text

    with exit_codes(ctx):
        target = Path(path)
        if target.exists() and not force:
            raise UsageError("already exists; pick another path or add --force to overwrite it",
                             Location(file=path), slug="exists")
        text = starter_text(preset)
        target.write_text(text, encoding="utf-8")
        _stderr().print(f"wrote {path} (preset {preset}); check it with: tiercli validate {path}", markup=False)


@app.command()
def validate(
    ctx: typer.Context,
    rules: Annotated[str, typer.Argument(help="Rules file to check.")],
) -> None:
    """Check a rules file and report every problem with its line and rule path."""
    from tiercli.rules.load import check_rules_file, load_rules

    with exit_codes(ctx):
        problems = check_rules_file(rules)
        if problems:
            err = _stderr()
            for problem in problems:
                err.print(f"error: {problem}", markup=False)
            err.print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {rules}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        loaded = load_rules(rules)
        levels = ", ".join(f"{g.name}: {len(g.levels)} levels" for g in loaded.gradings)
        print(f"{rules}: OK ({levels}; {len(loaded.tags)} tags)")


@app.command()
def metrics(ctx: typer.Context) -> None:
    """List every name a rule can use, with its definition."""
    from tiercli.cli.render import print_metrics

    with exit_codes(ctx):
        print_metrics(Console(highlight=False, soft_wrap=True))


def main() -> None:
    app(prog_name="tiercli")


if __name__ == "__main__":  # pragma: no cover
    main()
