"""The command line: typer commands over the library; errors become exit codes in one place."""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from inspect import cleandoc
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from tiercli.cli.console import TerminalConsole, visible
from tiercli.errors import Interrupted, Location, TiercliError, UsageError, located
from tiercli.i18n import check_lang, default_lang
from tiercli.messages import in_lang, listed, say, text
from tiercli.outputs.staging import Named, Staging, check_outputs
from tiercli.progress import NO_PROGRESS, Progress
from tiercli.rules.model import Rules
from tiercli.runfolder import RunFolder
from tiercli.version import version

if TYPE_CHECKING:
    from tiercli.outputs.plan import OutputPlan, Written
    from tiercli.result import Result

# What a value is, as --help shows it after the option (a flag shows nothing), by parameter name; any other
# parameter shows its name in capitals.
_METAVARS = {
    "files": "FILE...", "customer": "CUSTOMER", "old": "OLD", "new": "NEW", "path": "PATH",
    "rules": "FILE", "output": "FILE", "members": "FILE", "events": "FILE", "previous": "FILE", "overrides": "FILE",
    "orders": "FILE", "as_of": "DATE", "start": "DATE", "end": "DATE", "calibration_end": "DATE", "sheet": "SHEET",
    "platform": "PLATFORM", "threads": "N", "holdout_days": "N", "memory_limit": "SIZE", "split_columns": "COLUMNS",
    "dialect": "DIALECT", "preset": "PRESET", "spark_master": "MASTER", "spark_remote": "URL",
}


class _Argument(TyperArgument):
    """An argument shown by its name alone (`FILE...`), in the usage line as in the help."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.metavar or self.name or ""
        return name if self.required else f"[{name}]"


def _plain(params: Sequence[Any]) -> None:
    """Metavars a reader understands: a flag shows none, a value its kind (FILE, DATE, N) instead of a type."""
    for param in params:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
            param.metavar = param.metavar or _METAVARS.get(param.name or "", (param.name or "").upper())
        elif isinstance(param, TyperOption):
            flag = param.is_flag or param.count
            param.metavar = "" if flag else param.metavar or _METAVARS.get(param.name or "", (param.name or "").upper())


def _reflowed(help: str | None) -> str | None:
    """A docstring as the terminal shows it well: each paragraph one line, wrapped by the help at the terminal's
    width, except an `Example:` paragraph, whose command lines are kept as written."""
    if help is None:
        return None
    paragraphs = cleandoc(help).split("\n\n")
    return "\n\n".join(p if p.startswith("Example:") else " ".join(line.strip() for line in p.splitlines())
                       for p in paragraphs)


class _PlainHelp:
    """The parameters of a command or of the app, and its --help, shown without type placeholders (`_plain`)."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        _plain([option])
        return option


class _Bounded(_PlainHelp, TyperCommand):
    """A command run inside the error boundary (`exit_codes`): every command of the app is one. Its help reads
    well at any width (`_plain`, `_reflowed`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["help"] = _reflowed(kwargs.get("help"))
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:  # the command-line library's context (typer.Context)
        with exit_codes(ctx):
            return super().invoke(ctx)


class _Group(_PlainHelp, TyperGroup):
    """The app's own options (--debug, --version, --help) shown as flags."""


class _App(typer.Typer):
    """The app whose every command runs inside the error boundary."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", _Bounded)
        return super().command(*args, **kwargs)


app = _App(
    name="tiercli",
    cls=_Group,
    help="Grade, tag and segment customers from order exports (Tmall/Taobao, Shopify, UCI, any CSV/XLSX/Parquet).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_STRICT, EXIT_BAD_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _stderr() -> TerminalConsole:
    return TerminalConsole(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def exit_codes(ctx: typer.Context) -> Iterator[None]:
    """The one place where errors become messages and exit codes."""
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    try:
        yield
    except TiercliError as exc:
        if debug:
            traceback.print_exc()
        lang = _lang_of(ctx)
        _stderr().print(text("cli.error", lang, text=exc.text(lang)), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # the reader of our output went away (e.g. `| head`): stop quietly
        raise typer.Exit(EXIT_OK) from None
    except KeyboardInterrupt as exc:  # `tiercli.cli.entry` says "interrupted", whoever caught the signal
        number = exc.signal if isinstance(exc, Interrupted) else signal.SIGINT
        raise typer.Exit(EXIT_INTERRUPTED if number == signal.SIGINT else 128 + number) from None
    except typer.Exit:
        raise
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _stderr().print(text("cli.internal_error", _lang_of(ctx), kind=type(exc).__name__, error=exc), markup=False)
        raise typer.Exit(EXIT_BUG) from None


def _lang_of(ctx: typer.Context) -> str:
    """The language of the command's messages: its --lang when it has one and it is valid, else the locale's."""
    try:
        return check_lang(ctx.params.get("lang"))
    except TiercliError:
        return default_lang()


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
        raise UsageError(say("cli.bad_date_option", option="--as-of", text=text), slug="bad_as_of") from None


def default_output(first_input: str, folder: bool = False) -> str:
    """`<first input>.tiers.xlsx`, or with `folder` (a Spark run) the folder `<first input>.tiers`; a catalog
    table `table:db.name` gives `db.name.tiers`."""
    if folder:
        name = first_input.removeprefix("table:") if first_input.startswith("table:") else Path(first_input).stem
        return f"{name}.tiers"
    return f"{Path(first_input).stem}.tiers.xlsx"


ENGINES = ("duckdb", "spark")


def _spark(engine: str, master: str | None, remote: str | None, threads: int | None) -> bool:
    """Whether the run is on Spark; the Spark options only with --engine spark, --threads (DuckDB's) only
    without."""
    from tiercli.errors import suggestion

    if engine not in ENGINES:
        raise UsageError(say("cli.bad_engine", engine=engine, hint=suggestion(engine, ENGINES)), slug="bad_engine")
    if engine != "spark":
        for option, value in (("--spark-master", master), ("--spark-remote", remote)):
            if value is not None:
                raise UsageError(say("cli.spark_option", option=option), slug="spark_option")
        return False
    if threads is not None:
        raise UsageError(say("cli.spark_threads"), slug="spark_threads")
    return True


MEMBERS_HELP = ("Members file (CSV/XLSX): member id plus any of registration date, birthday, level, region, "
                "channel, gender; members without orders are classified too (frequency 0).")
RULES_HELP = "Rules file (YAML). Default: the built-in tmall-5 starter (see `tiercli init`)."
EVENTS_HELP = ("Behaviour log beside the orders (CSV/XLSX/Parquet: customer, time, event — view, favourite, cart, "
               "purchase — product, category; Tmall user_log, RetailRocket and GA4 exports are recognised). Repeat "
               "for several files; a RetailRocket item_properties file adds the categories. Enables the behaviour "
               "metrics (tiercli metrics) and, with the built-in rules, the behaviour tags.")
PREVIOUS_HELP = ("An earlier output of tiercli (workbook, or its CSV/Parquet): adds previous_<grading> and movement, "
                 "keeps upgrade-only levels, and writes a Movement sheet.")
OVERRIDES_HELP = ("Hand-set levels and tags (CSV/XLSX: customer, grading, level, add_tags, remove_tags, reason, "
                  "expires), applied after the rules.")
LANG_HELP = ("Language of the summary and of the output's sheet names and headers: en or zh. Rule, level and tag "
             "names stay as written. Default: zh when the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE) is Chinese, "
             "else en.")
PRINT_LANG_HELP = ("Language of what the command prints, errors included: en or zh. Rule, level and tag names stay "
                   "as written. Default: zh when the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE) is Chinese, else en.")
REPORT_HELP = ("Also write the report as one self-contained HTML page (tiers, charts, tags, segments, lifecycle, "
               "thresholds, movement), viewable offline and on a phone.")
EXPORT_HELP = ("Also write a file to re-import the levels and tags into a shop: shopify-tags (Email, Phone, Tags), "
               "youzan-tags (手机号, levels and 标签) or taobao-groups (买家会员名, 分组名称).")
ENGINE_HELP = ("Where the classification runs: duckdb (on this machine) or spark (on a SparkSession, for data "
               "that lives on a cluster: the same rules and results; pip install 'tiercli[spark]'). With spark, -o "
               "names a folder: Spark writes customers/ and excluded/ in it as Parquet, and summary.xlsx holds the "
               "figures; --events, clv:, --split-by and --export-format are not available.")
SPARK_MASTER_HELP = ("The Spark master of --engine spark: local[*] (every core of this machine, the default), "
                     "local[N], spark://host:7077, yarn, k8s://…")
SPARK_REMOTE_HELP = ("A Spark Connect server for --engine spark, sc://host:15002. Default: $SPARK_REMOTE; when "
                     "neither is set, Spark starts here with --spark-master.")
QUIET_HELP = ("Print only errors, plus one warning per kind of row left out because it could not be read as an "
              "order (no customer, no usable date, an amount that is not a number, an unknown status, extra cells, "
              "an item without its order), so that a scheduled run still tells of data it lost. No summary, no "
              "progress bars; the exit code says whether the run worked.")


def _rules(path: str | None, events: bool = False) -> Rules:
    """The rules file, else the built-in starter (with its behaviour tags when events are given)."""
    from tiercli.rules.load import load_rules, parse_rules
    from tiercli.rules.starter import starter_text

    return load_rules(path) if path else parse_rules(starter_text("tmall-5", events=events),
                                                     source="built-in tmall-5")


@app.command()
def classify(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Order exports: CSV, XLSX/XLS, Parquet. Read as one.")],
    rules: Annotated[str | None, typer.Option("--rules", "-r", help="Rules file (YAML). Default: the built-in "
                                              "tmall-5 starter (see `tiercli init`).")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Where to write: .xlsx workbook, .csv, "
                                               ".parquet, .json, or - for CSV on stdout; with --engine spark, a "
                                               "new folder. Default: <first input>.tiers.xlsx (with --engine spark, "
                                               "the folder <first input>.tiers)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the metrics are relative to (YYYY-MM-DD). "
                                              "Default: the latest order time in the data.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile instead of "
                                                 "detecting it.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=LANG_HELP)] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="DuckDB threads (default: all cores).")] = None,
    memory_limit: Annotated[str | None, typer.Option("--memory-limit", help="DuckDB memory limit, e.g. 4GB "
                                                     "(default 1GB); larger data spills to disk.")] = None,
    members: Annotated[str | None, typer.Option("--members", help=MEMBERS_HELP)] = None,
    events: Annotated[list[str] | None, typer.Option("--events", help=EVENTS_HELP)] = None,
    previous: Annotated[str | None, typer.Option("--previous", help=PREVIOUS_HELP)] = None,
    overrides: Annotated[str | None, typer.Option("--overrides", help=OVERRIDES_HELP)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Stop with exit code 2 when an override can't be "
                                         "applied (unknown customer, grading, level or tag).")] = False,
    split_by: Annotated[tuple[str, str] | None, typer.Option(
        "--split-by", metavar="GROUP DIR", help="Also write one CSV per group into DIR, named after the group: "
        "GROUP is tier, tag, segment, lifecycle, a grading's name, or with --previous movement or "
        "previous_<grading>. Customers without a value are in no list.")] = None,
    split_columns: Annotated[str | None, typer.Option("--split-columns", help="Columns of those CSVs besides "
                                                      "customer_id, comma-separated. Default: monetary, frequency, "
                                                      "recency_days, segment, tags.")] = None,
    report: Annotated[str | None, typer.Option("--report", metavar="PATH.html", help=REPORT_HELP)] = None,
    export_format: Annotated[tuple[str, str] | None, typer.Option(
        "--export-format", metavar="FORMAT PATH.csv", help=EXPORT_HELP)] = None,
    engine: Annotated[str, typer.Option("--engine", metavar="[duckdb|spark]", help=ENGINE_HELP)] = "duckdb",
    spark_master: Annotated[str | None, typer.Option("--spark-master", help=SPARK_MASTER_HELP)] = None,
    spark_remote: Annotated[str | None, typer.Option("--spark-remote", help=SPARK_REMOTE_HELP)] = None,
) -> None:
    """Classify customers: metrics, RFM scores and segments, tiers and tags, written as a workbook or table.

    On a terminal, a phase (reading, classifying, writing) that takes more than a second shows a progress bar on
    stderr, gone when the phase is done.

    Example:
    tiercli classify sample_data/tmall_orders.xlsx -o customers.xlsx"""
    from tiercli.cli.progress import progress_bars
    from tiercli.engine.compute import require_events, require_members
    from tiercli.outputs.plan import STDOUT, Export, OutputPlan, Split, check_plan, write_outputs
    from tiercli.outputs.split import DEFAULT_COLUMNS
    from tiercli.pipeline import RunConfig, run

    chosen = check_lang(lang)
    spark = _spark(engine, spark_master, spark_remote, threads)
    loaded = _rules(rules, bool(events))
    require_members(loaded, members is not None)
    require_events(loaded, bool(events))
    split = None
    if split_by and split_by[0] is not None:
        columns = [c.strip() for c in split_columns.split(",") if c.strip()] if split_columns else DEFAULT_COLUMNS
        split = Split(split_by[0], split_by[1], tuple(columns))
    export = Export(*export_format) if export_format and export_format[0] is not None else None
    plan = OutputPlan(output or default_output(files[0], spark), chosen, split, report, export, folder=spark)
    inputs = _inputs(files, rules, members, previous, overrides, events)
    check_plan(plan, [g.name for g in loaded.gradings], inputs)
    data_on_terminal = plan.out == STDOUT and sys.stdout.isatty()  # bars would land between the rows
    with progress_bars(_stderr(), chosen, show=not quiet and not data_on_terminal) as progress, \
            run(RunConfig(files=files, rules=loaded, as_of=parse_as_of(as_of), sheet=sheet, platform=platform,
                          threads=threads, memory_limit=memory_limit, members=members, previous=previous,
                          overrides=overrides, strict=strict, lang=chosen, events=events or (), engine=engine,
                          spark_master=spark_master, spark_remote=spark_remote),
                progress) as result:
        written = write_outputs(result, plan, inputs, progress)
        _finish(result, plan, written, quiet, progress)


def _finish(result: Result, plan: OutputPlan, written: Written, quiet: bool,
            progress: Progress = NO_PROGRESS) -> None:
    """The summary and the warnings, after the files are in place. With the data on stdout they go to stderr
    first and the data last, so that a reader which stops early (`| head -1`) has every warning already, and the
    run then ends quietly."""
    from tiercli.cli.render import written_lines
    from tiercli.outputs.plan import STDOUT, write_stdout

    _report(result, plan.out, written_lines(plan, written), quiet, plan.lang, written.notes)
    _print_warnings(written.warnings, plan.lang)
    if plan.out == STDOUT:
        sys.stderr.flush()
        write_stdout(result, plan, progress)


def _inputs(files: Sequence[str], rules: str | None = None, members: str | None = None,
            previous: str | None = None, overrides: str | None = None,
            events: Sequence[str] | None = None) -> list[Named]:
    """The files a command reads, named as messages name them."""
    found = [Named(f, say("cli.file.input")) for f in files]
    found += [Named(f, say("cli.file.events")) for f in events or ()]
    for path, what in ((rules, say("cli.file.rules")), (members, say("cli.file.members")),
                       (previous, say("common.previous_run")), (overrides, say("common.overrides_file"))):
        if path is not None:
            found.append(Named(path, what))
    return found


def _print_warnings(warnings: Sequence[str], lang: str) -> None:
    """What the re-import file can't carry (ids the platform can't match, names too long…): on stderr, even with
    --quiet, as the user would otherwise find out on the platform."""
    from tiercli.cli.render import print_warnings

    print_warnings(_stderr(), warnings, lang)


def _report(result: Result, out: str, written: list[tuple[str, str]], quiet: bool, lang: str,
            notes: Sequence[str] = ()) -> None:
    """The summary (and movement), on stderr when the data went to stdout; with `quiet`, only the warnings of
    rows that could not be read, on stderr."""
    from tiercli.cli.render import print_data_warnings, print_movement, print_summary

    if quiet:
        print_data_warnings(_stderr(), result, lang)
        return
    console = TerminalConsole(stderr=(out == "-"), highlight=False, soft_wrap=False)
    print_summary(console, result, written, lang, notes)
    if result.movement is not None:
        print_movement(console, result.movement, lang=lang)


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Where to write the rules file.")] = "rules.yaml",
    preset: Annotated[str | None, typer.Option("--preset", help="Starter to write: tmall-5 (five Tmall tiers, the "
                                               "default), taobao-vip (member levels 店铺客户 … 至尊VIP), us-value "
                                               "(VIP … At risk in English, US dollars), rfm (the RFM segment as the "
                                               "tier), lifecycle (lifecycle stages as the tier).")] = None,
    from_file: Annotated[str | None, typer.Option("--from", metavar="ORDERS", help="An order export to choose the "
                                                  "preset by: a Chinese platform or CNY gives tmall-5, another "
                                                  "platform or currency us-value; --preset wins.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    events: Annotated[bool, typer.Option("--events", help="Add the behaviour tags (浏览未购, 加购未买, 高兴趣低转化, "
                                         "浏览美妆未购) for runs with --events FILE.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=PRINT_LANG_HELP)] = None,
) -> None:
    """Write a commented starter rules file to edit; with --from, the preset that suits the export.

    Example:
    tiercli init rules.yaml --preset rfm"""
    from tiercli.rules.starter import CHINESE_PRESET, starter_text, suggest_preset

    chosen = check_lang(lang)
    if preset is not None:
        starter_text(preset)  # an unknown preset stops before anything is read
    target = Path(path)
    if target.exists() and not force:
        raise UsageError(say("cli.file_exists"), Location(file=path), slug="exists")
    if from_file is not None:
        from tiercli.names import readable_name
        from tiercli.sources.peek import peek

        looked = peek(from_file)
        suggested, why = suggest_preset(looked.platform, looked.currency, looked.chinese)
        platform = looked.platform or text("cli.init.no_platform", chosen)
        file = readable_name(from_file)
        _stderr().print(text("cli.init.from", chosen, file=file, platform=platform, preset=suggested,
                             why=in_lang(why, chosen)) if preset is None
                        else text("cli.init.from_kept", chosen, file=file, platform=platform, preset=preset,
                                  suggested=suggested, why=in_lang(why, chosen)), markup=False)
        preset = preset or suggested
    preset = preset or CHINESE_PRESET
    starter = starter_text(preset, events=events)
    target.write_text(starter, encoding="utf-8")
    _stderr().print(text("cli.init.wrote", chosen, path=path, preset=preset), markup=False)


@app.command()
def validate(
    ctx: typer.Context,
    rules: Annotated[str, typer.Argument(help="Rules file to check.")],
    orders: Annotated[list[str] | None, typer.Option("--orders", help="Order exports to check the rules against "
                                                     "(repeat for several files).")] = None,
    members: Annotated[str | None, typer.Option("--members", help=MEMBERS_HELP)] = None,
    events: Annotated[list[str] | None, typer.Option("--events", help=EVENTS_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the metrics are relative to (YYYY-MM-DD).")]
    = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors (exit code 1).")] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=PRINT_LANG_HELP)] = None,
) -> None:
    """Check a rules file: errors stop it from running (exit 2); warnings (exit 0, or 1 with --strict) are rules
    that run but can't do what they say — with --orders, also tiers that match nobody or are shadowed, tags that
    match everyone or nobody, and segments nobody can reach.

    Example:
    tiercli init rules.yaml
    tiercli validate rules.yaml --orders sample_data/tmall_orders.xlsx"""
    from tiercli.engine.compute import require_events, require_members
    from tiercli.engine.lint import data_findings, dry_run, static_findings
    from tiercli.rules.load import examine_rules_file

    chosen = check_lang(lang)
    err = _stderr()
    loaded, problems = examine_rules_file(rules)
    if loaded is not None:
        problems = dry_run(loaded)
    if problems or loaded is None:
        for problem in problems:
            err.print(text("cli.error", chosen, text=problem.text(chosen)), markup=False)
        err.print(text("cli.validate.one_problem", chosen, rules=rules) if len(problems) == 1
                  else text("cli.validate.problems", chosen, count=len(problems), rules=rules), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    findings = static_findings(loaded)
    checked = ""
    if orders:
        from tiercli.pipeline import RunConfig, run

        require_members(loaded, members is not None)
        require_events(loaded, bool(events))
        with run(RunConfig(files=orders, rules=loaded, as_of=parse_as_of(as_of), sheet=sheet,
                           platform=platform, members=members, events=events or ())) as result:
            findings = sorted([*findings, *data_findings(loaded, result)], key=lambda f: f.location.line or 0)
        checked = text("cli.validate.checked", chosen, customers=f"{result.customers.num_rows:,}")
    label = "cli.error" if strict else "cli.render.warning"
    for finding in findings:
        err.print(text(label, chosen, text=located(finding.location, finding.message, chosen)), markup=False)
    levels = in_lang(listed(text("cli.validate.levels", chosen, grading=g.name, levels=len(g.levels))
                         for g in loaded.gradings), chosen)
    if findings:
        count = (text("cli.validate.one_warning", chosen) if len(findings) == 1
                 else text("cli.validate.warnings", chosen, count=len(findings)))
        err.print(text("cli.validate.warned", chosen, rules=rules, count=count, levels=levels, tags=len(loaded.tags),
                       checked=checked), markup=False)
        if strict:
            raise typer.Exit(EXIT_STRICT)
        return
    print(visible(text("cli.validate.ok", chosen, rules=rules, levels=levels, tags=len(loaded.tags),
                       checked=checked)))


@app.command()
def explain(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="The customer id, as in the customer_id column of the output.")],
    files: Annotated[list[str], typer.Argument(help="Order exports: CSV, XLSX/XLS, Parquet. Read as one.")],
    rules: Annotated[str | None, typer.Option("--rules", "-r", help=RULES_HELP)] = None,
    members: Annotated[str | None, typer.Option("--members", help=MEMBERS_HELP)] = None,
    events: Annotated[list[str] | None, typer.Option("--events", help=EVENTS_HELP)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the metrics are relative to (YYYY-MM-DD).")]
    = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=PRINT_LANG_HELP)] = None,
) -> None:
    """Why one customer got its tiers and tags: its metrics, then each tier in order and each tag, with every
    comparison's values and whether it held.

    Example:
    tiercli explain chenxi671 sample_data/tmall_orders.xlsx"""
    from tiercli.cli.render import print_explanation
    from tiercli.engine.compute import require_events, require_members
    from tiercli.engine.explain import explain as explain_customer
    from tiercli.pipeline import RunConfig, run

    chosen = check_lang(lang)
    loaded = _rules(rules, bool(events))
    require_members(loaded, members is not None)
    require_events(loaded, bool(events))
    with run(RunConfig(files=files, rules=loaded, as_of=parse_as_of(as_of), sheet=sheet, platform=platform,
                       members=members, events=events or ())) as result:
        explained = explain_customer(result, loaded, customer)
    print_explanation(TerminalConsole(highlight=False, soft_wrap=True), explained, chosen)


@app.command()
def sql(
    ctx: typer.Context,
    files: Annotated[list[str] | None, typer.Argument(help="Order exports whose layout the script cleans (the "
                                                      "cleaning starts from their columns). Without: the query "
                                                      "starts from a canonical `orders` table.")] = None,
    rules: Annotated[str | None, typer.Option("--rules", "-r", help=RULES_HELP)] = None,
    dialect: Annotated[str, typer.Option("--dialect", help="duckdb (exactly what tiercli runs), spark, bigquery, "
                                         "snowflake or postgres (transpiled by sqlglot).")] = "duckdb",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date the metrics are relative to (YYYY-MM-DD). "
                                              "Default: the latest order time, computed in the query.")] = None,
    members: Annotated[bool, typer.Option("--members", help="Also read a `members` table (customers without "
                                          "orders get a row; member attributes are joined).")] = False,
    events: Annotated[bool, typer.Option("--events", help="Also read an `events` table (the behaviour metrics; "
                                         "customers with events but no order get a row).")] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=PRINT_LANG_HELP)] = None,
) -> None:
    """Print the classification as SQL: one query over a canonical `orders` table or, given order exports, the
    whole pipeline (their cleaning, then the query) as a script of statements.

    Example:
    tiercli sql --dialect spark > classify.sql
    tiercli sql sample_data/tmall_orders.xlsx --dialect spark > all.sql"""
    from tiercli.engine.query import DIALECTS, EVENTS_DDL, MEMBERS_DDL, ORDERS_DDL, export_sql
    from tiercli.errors import suggestion

    chosen = check_lang(lang)
    if dialect not in DIALECTS:
        raise UsageError(say("cli.bad_dialect", dialect=dialect, hint=suggestion(dialect, DIALECTS),
                             choices=listed(DIALECTS)), slug="bad_dialect")
    loaded = _rules(rules)
    header = [text("cli.sql.header", chosen, version=version(), source=loaded.source, name=loaded.name,
                   dialect=dialect)]
    cleaning = None
    if files:
        from tiercli.pipeline import DATES, RunConfig, record_cleaning

        recorded = record_cleaning(RunConfig(files=files, rules=loaded, as_of=parse_as_of(as_of), sheet=sheet,
                                             platform=platform, lang=chosen))
        cleaning = recorded.steps
        header.append(text("cli.sql.inputs", chosen))
        header += [text("cli.sql.input", chosen, table=t.name, file=t.file,
                        columns=sum(1 for given, _, _ in t.columns if given and given != "__row"))
                   for t in recorded.inputs]
        header.append(text("cli.sql.cleaning", chosen, dates=in_lang(DATES[recorded.dayfirst], chosen)))
    exported = export_sql(loaded, dialect, parse_as_of(as_of), members, chosen, events, cleaning)
    if files:
        header.append(text("cli.sql.left_out", chosen, lines=exported.tables["lines"],
                           inputs=exported.tables["__inputs"]))
    tables = [*([] if files else [ORDERS_DDL]), *([MEMBERS_DDL] if members else []),
              *([EVENTS_DDL] if events else [])]
    if tables:
        header.append(text("cli.sql.tables", chosen))
        header += [f"--   {line.strip()}" for ddl in tables for line in ddl.splitlines()]
    sys.stdout.write("\n".join(header) + "\n" + exported.sql)
    for note in exported.notes:
        _stderr().print(text("common.note", chosen, note=in_lang(note, chosen)), markup=False)


@app.command()
def inspect(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Order exports: CSV, XLSX/XLS, Parquet. Read as one.")],
    rules: Annotated[str | None, typer.Option("--rules", "-r", help="Rules file whose input: section (columns, "
                                              "platform, dayfirst, statuses, timezone) applies.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=PRINT_LANG_HELP)] = None,
) -> None:
    """Show how the files read — platform, encoding, columns, statuses, exclusions, dates, customers — and write
    nothing.

    Example:
    tiercli inspect sample_data/shopify_orders_export.csv"""
    from tiercli.cli.render import print_inspection
    from tiercli.pipeline import RunConfig
    from tiercli.pipeline import inspect as inspect_files

    chosen = check_lang(lang)
    found = inspect_files(RunConfig(files=files, rules=_rules(rules), sheet=sheet, platform=platform))
    print_inspection(TerminalConsole(highlight=False, soft_wrap=False), found, chosen)


@app.command()
def metrics(
    ctx: typer.Context,
    rules: Annotated[str | None, typer.Option("--rules", "-r", help="Also list this rules file's custom metrics "
                                              "and helpers.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help="en, or zh for the list in Chinese "
                                             "with each built-in name's Chinese name (usable in rules: 消费金额 >= "
                                             "1000). Default: zh when the locale is Chinese, else en.")] = None,
) -> None:
    """List every name a rule can use, with its definition.

    Example:
    tiercli metrics --lang zh"""
    from tiercli.cli.render import print_metrics

    chosen = check_lang(lang)
    loaded = _rules(rules) if rules else None
    print_metrics(TerminalConsole(highlight=False, soft_wrap=True), loaded, lang=chosen)


def _date_option(option: str, text: str) -> datetime:
    """A required date option read as --as-of is (a bare date means the end of that day)."""
    try:
        value = parse_as_of(text)
    except UsageError:
        raise UsageError(say("cli.bad_date_option", option=option, text=text), slug="bad_date_option") from None
    assert value is not None
    return value


@app.command()
def compare(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Order exports: CSV, XLSX/XLS, Parquet. Read as one.")],
    start: Annotated[str, typer.Option("--from", help="The earlier as_of (YYYY-MM-DD): the previous run.")],
    end: Annotated[str, typer.Option("--to", help="The later as_of (YYYY-MM-DD): the run written.")],
    rules: Annotated[str | None, typer.Option("--rules", "-r", help=RULES_HELP)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Where to write the later run (.xlsx with its "
                                               "Movement sheet, .csv, .parquet, .json). Default: "
                                               "<first input>.compare.xlsx")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile.")] = None,
    members: Annotated[str | None, typer.Option("--members", help=MEMBERS_HELP)] = None,
    events: Annotated[list[str] | None, typer.Option("--events", help=EVENTS_HELP)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=LANG_HELP)] = None,
) -> None:
    """Backtest without a previous file: classify the same orders as of two dates, the earlier run being the
    later one's previous run, and write the later run with its Movement sheet.

    Example:
    tiercli compare sample_data/tmall_orders.xlsx --from 2026-04-30 \\
      --to 2026-10-31 -o compare.xlsx"""
    from dataclasses import replace

    from tiercli.engine.compute import require_events, require_members
    from tiercli.engine.movement import previous_of
    from tiercli.outputs.plan import OutputPlan, check_plan, write_outputs
    from tiercli.pipeline import RunConfig, run

    chosen = check_lang(lang)
    loaded = _rules(rules, bool(events))
    require_members(loaded, members is not None)
    require_events(loaded, bool(events))
    earlier, later = _date_option("--from", start), _date_option("--to", end)
    if earlier >= later:
        raise UsageError(say("cli.bad_compare_dates", start=start, end=end), slug="bad_compare_dates")
    config = RunConfig(files=files, rules=loaded, sheet=sheet, platform=platform, members=members, lang=chosen,
                       events=events or ())
    plan = OutputPlan(output or f"{Path(files[0]).stem}.compare.xlsx", chosen)
    check_plan(plan, [g.name for g in loaded.gradings], _inputs(files, rules, members, events=events))
    source = text("cli.compare_source", chosen, as_of=f"{earlier:%Y-%m-%d %H:%M:%S}")
    with run(replace(config, as_of=earlier)) as before:
        earlier_run = previous_of(before, loaded, source)
    with run(replace(config, as_of=later, previous=earlier_run)) as result:
        _finish(result, plan, write_outputs(result, plan), quiet)


@app.command()
def clv(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Order exports: CSV, XLSX/XLS, Parquet. Read as one.")],
    holdout_days: Annotated[int | None, typer.Option("--holdout-days", min=1, help="Validate on the last N days: "
                                                     "fit on the orders before them.")] = None,
    calibration_end: Annotated[str | None, typer.Option("--calibration-end", help="Validate on the days after this "
                                                        "date (YYYY-MM-DD): fit on the orders up to it.")] = None,
    rules: Annotated[str | None, typer.Option("--rules", "-r", help="Rules file whose clv: section sets the model, "
                                              "unit, horizon and discount rate, and whose input: maps the "
                                              "columns. Default: clv: {model: bgnbd, unit: weeks}.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Also write the parameters, the holdout "
                                               "table and charts to this .xlsx workbook.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The end of the holdout (YYYY-MM-DD). Default: the "
                                              "latest order time in the data.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet to read from workbooks.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Force a platform profile.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help=PRINT_LANG_HELP)] = None,
) -> None:
    """Fit the clv: model (BG/NBD or Pareto/NBD, and Gamma-Gamma) on the orders before a holdout period and
    compare its predicted purchases with what the customers did, as Fader, Hardie & Lee (2005) validate it.

    Example:
    tiercli clv sample_data/tmall_orders.xlsx --holdout-days 90"""
    from dataclasses import replace

    from tiercli.cli.render import print_clv, written_line
    from tiercli.outputs.workbook.clv import write_clv_workbook
    from tiercli.pipeline import RunConfig, validate_clv
    from tiercli.rules.model import ClvSpec

    chosen = check_lang(lang)
    if (holdout_days is None) == (calibration_end is None):
        raise UsageError(say("cli.clv_period"), slug="clv_period")
    loaded = _rules(rules)
    spec = loaded.clv or ClvSpec()
    if output:
        check_outputs([Named(output, say("outputs.named.output"))], _inputs(files, rules))
    config = RunConfig(files=files, rules=replace(loaded, clv=spec), as_of=parse_as_of(as_of), sheet=sheet,
                       platform=platform, lang=chosen)
    cut = _date_option("--calibration-end", calibration_end) if calibration_end else None
    found = validate_clv(config, spec, holdout_days=holdout_days, calibration_end=cut)
    if output:
        with RunFolder() as folder, Staging(folder) as staging:
            write_clv_workbook(found.figures, found.holdout, output, chosen, staging)
    console = TerminalConsole(highlight=False, soft_wrap=False)
    print_clv(console, found.figures, found.holdout, chosen)
    if output:
        console.print(written_line(output, chosen), markup=False)


@app.command()
def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The earlier output of tiercli (workbook, or its CSV/Parquet).")],
    new: Annotated[str, typer.Argument(help="The later output of tiercli.")],
    rules: Annotated[str | None, typer.Option("--rules", "-r", help="Rules file giving each grading's levels in "
                                              "order. Default: the NEW workbook's Summary sheet.")] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Also write the Movement sheet to this "
                                               ".xlsx workbook.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="[en|zh]", help="Language of the printed movement "
                                             "and of the -o workbook: en or zh. Default: zh when the locale is "
                                             "Chinese, else en.")] = None,
) -> None:
    """Compare two outputs of tiercli: per grading, customers per movement (new, up, down, same, returned,
    lapsed) and the previous × current table.

    Example:
    tiercli classify sample_data/tmall_orders.xlsx --as-of 2026-04-30 -o apr.xlsx
    tiercli classify sample_data/tmall_orders.xlsx -o oct.xlsx
    tiercli diff apr.xlsx oct.xlsx"""
    from tiercli.cli.render import print_movement, written_line
    from tiercli.engine.movement import diff_runs
    from tiercli.outputs.workbook.movement import write_movement_workbook
    from tiercli.rules.load import load_rules

    chosen = check_lang(lang)
    if output:
        check_outputs([Named(output, say("outputs.named.output"))],
                      [Named(old, say("engine.diff.old_run")), Named(new, say("engine.diff.new_run")),
                       *_inputs((), rules)])
    report = diff_runs(old, new, load_rules(rules) if rules else None, chosen)
    if output:
        with RunFolder() as folder, Staging(folder) as staging:
            write_movement_workbook(report, output, chosen, staging)
    console = TerminalConsole(highlight=False, soft_wrap=False)
    print_movement(console, report, matrix=True, lang=chosen)
    if output:
        console.print(written_line(output, chosen), markup=False)


def main() -> None:
    """The command line (signal handlers are set by `tiercli.cli.entry`, the installed command)."""
    app(prog_name="tiercli")


if __name__ == "__main__":  # pragma: no cover
    main()
