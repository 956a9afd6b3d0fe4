"""run(config) -> Result: read, map and clean, aggregate, score, classify, summarise."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tiercli.database import DEFAULT_MEMORY_LIMIT, Database, check_threads, memory_bytes, open_database
from tiercli.engine.clean import Cleaned, ExcludedFrom, Source, clean, excluded_rows, order_inputs
from tiercli.engine.compute import column_units, member_names, summary
from tiercli.engine.events import event_inputs, load_events
from tiercli.engine.figures import compute_figures, currencies, currency_of, kpis
from tiercli.engine.funnel import behaviour_figures
from tiercli.engine.movement import apply_history, read_history
from tiercli.engine.prediction import validate
from tiercli.engine.query import classify_orders
from tiercli.engine.script import InputTable, Recorder, Step, input_steps
from tiercli.errors import UsageError
from tiercli.messages import Said, listed, say
from tiercli.profiles.detect import ColumnMap, build_mapping, detect_platform, header_score
from tiercli.progress import COMPUTING, NO_PROGRESS, READING, Progress, phase, watch_queries
from tiercli.result import BehaviourFigures, ClvFigures, Holdout, InputFile, Inspection, Result, Rows, StatusCount
from tiercli.rules.model import ClvSpec, Rules
from tiercli.runfolder import RunFolder
from tiercli.sources.events import header_score as event_header_score
from tiercli.sources.events import open_events
from tiercli.sources.members import header_score as member_header_score
from tiercli.sources.members import load_members, open_members
from tiercli.sources.overrides import Overrides
from tiercli.sources.previous import Previous
from tiercli.sources.readers import ROW, Opened, is_workbook, open_file
from tiercli.sources.spark_inputs import open_spark_input
from tiercli.sqltext import identifier
from tiercli.version import version
from tiercli.vocabulary.labels import label


@dataclass(frozen=True)
class RunConfig:
    files: Sequence[str]
    rules: Rules
    as_of: datetime | None = None
    sheet: str | None = None
    platform: str | None = None
    threads: int | None = None
    memory_limit: str | None = None
    members: str | None = None  # a members file joined to the customers (tiercli.sources.members)
    previous: str | Previous | None = None  # an earlier run: levels kept, movement (tiercli.engine.movement)
    overrides: str | Overrides | None = None  # hand-set levels and tags, applied after the rules
    events: Sequence[str] = ()  # behaviour logs (tiercli.engine.events): views, favourites, carts, purchases
    strict: bool = False  # an override that can't be applied stops the run
    lang: str = "en"  # the language of the words the run writes into its data: excluded rows' messages, the why
    # and overrides columns, the thresholds' texts
    engine: str = "duckdb"  # or "spark": the same statements on a SparkSession (tiercli.engine.sparkdb)
    spark_master: str | None = None  # --spark-master: local[*] (the default), spark://…, yarn, k8s://…
    spark_remote: str | None = None  # --spark-remote (or $SPARK_REMOTE): a Spark Connect server, sc://…


@dataclass
class _Opened:
    """The inputs as far as Python reads them, before the database opens: orders files and the members file."""

    orders: list[Opened]
    members: Opened | None
    events: list[Opened]

    @property
    def readable(self) -> list[str]:
        found = [*self.orders, *([self.members] if self.members else []), *self.events]
        return [o.readable for o in found if o.readable]


def _open(config: RunConfig, folder: Path, progress: Progress = NO_PROGRESS, session: Any = None) -> _Opened:
    """Read every input file as far as Python reads it (advancing `progress` by one per file). With a Spark
    `session`, what Spark reads (CSV, Parquet, tables) is read by Spark; a workbook is read here."""
    if not config.files:
        raise UsageError(say("engine.no_input"), slug="no_input")
    memory = memory_bytes(config.memory_limit or DEFAULT_MEMORY_LIMIT)
    sheet = config.sheet or config.rules.input.sheet

    def opened(path: str) -> list[Opened]:
        if session is not None and not is_workbook(path):
            return [open_spark_input(path, session, header_score=header_score)]
        return open_file(path, folder, sheet=sheet, header_score=header_score, memory_limit=memory)

    orders: list[Opened] = []
    for path in config.files:
        orders.extend(opened(path))
        progress.advance()
    members = None
    if config.members and session is not None and not is_workbook(config.members):
        members = open_spark_input(config.members, session, header_score=member_header_score)
    elif config.members:
        members = open_members(config.members, folder, memory_limit=memory)
    events: list[Opened] = []
    for path in config.events:
        if session is not None and not is_workbook(path):
            events.append(open_spark_input(path, session, header_score=event_header_score))
        else:
            events.extend(open_events(path, folder, memory_limit=memory))
        progress.advance()
    return _Opened(orders, members, events)


def _database(config: RunConfig, folder: RunFolder, opened: _Opened, query_progress: bool = False) -> Database:
    return open_database(folder.sub("duckdb"), threads=config.threads, memory_limit=config.memory_limit,
                         readable=opened.readable, query_progress=query_progress)


def load(db: Database, config: RunConfig, opened: Sequence[Opened]) -> list[Source]:
    """Attach the opened files to the database and map their columns."""
    raws = [o.attach(db, f"raw_{index}") for index, o in enumerate(opened)]
    platform = config.platform or config.rules.input.platform
    explicit = config.rules.input.columns
    found = [detect_platform(raw.headers, platform, raw.path, explicit) for raw in raws]
    names = {d.profile.name for d in found}
    sources = []
    for index, (raw, detection) in enumerate(zip(raws, found, strict=True)):
        joined = detection.profile.items_of is not None and detection.profile.items_of in names
        mapping = build_mapping(raw.headers, detection.profile, explicit, raw.path, check=not joined,
                                detection=detection)
        sources.append(Source(raw, mapping, index))
    return sources


def _left_out(db: Database, inputs: Sequence[ExcludedFrom]) -> int:
    """How many rows of the order and events tables were left out (each with its reason)."""
    counted = 0
    for table in sorted({i.table for i in inputs}):
        found = db.execute(f"SELECT count(*) FROM {identifier(table)} WHERE reason IS NOT NULL").fetchone()
        counted += int(found[0]) if found else 0
    return counted


def _check_limits(config: RunConfig) -> None:
    """Bad --memory-limit or --threads stop the run before anything is read."""
    memory_bytes(config.memory_limit or DEFAULT_MEMORY_LIMIT)
    check_threads(config.threads)


def _inputs(sources: Sequence[Source], cleaned: Cleaned) -> list[InputFile]:
    out = []
    for s in sources:
        read, used, excluded = cleaned.per_file[s.raw.name]
        keys = cleaned.keys[s.raw.name]
        detection = s.mapping.detection.describe() if s.mapping.detection else s.mapping.profile.name
        out.append(InputFile(
            path=s.raw.path, name=s.raw.name, sha256=s.raw.sha256, kind=s.raw.kind, rows_read=read, rows_used=used,
            rows_excluded=excluded, sheet=s.raw.sheet, encoding=s.raw.encoding, delimiter=s.raw.delimiter,
            header_row=s.raw.header_row, platform=s.mapping.profile.name, detection=detection,
            masked_keys=keys.masked, relay_keys=keys.relay, key_conflicts=keys.conflicts,
            missing_markers=dict(keys.markers or {})))
    return out


def _statuses(cleaned: Cleaned) -> list[StatusCount]:
    return [StatusCount(*row) for row in cleaned.statuses]


DATES = {True: say("engine.dates.day_first"), False: say("engine.dates.month_first"), None: say("engine.dates.iso")}


@contextmanager
def _cleaned(config: RunConfig, require_orders: bool = True) -> Iterator[tuple[Database, list[Source], Cleaned]]:
    """The files read and cleaned as `run` reads them, in a database of a run folder removed afterwards."""
    rules = config.rules
    _check_limits(config)
    with RunFolder() as folder:
        opened = _open(config, folder.folder)
        with _database(config, folder, opened) as db:
            sources = load(db, config, opened.orders)
            yield db, sources, clean(db, sources, as_of=config.as_of, dayfirst=rules.input.dayfirst,
                                     extra_statuses=rules.input.statuses, timezone=rules.input.timezone,
                                     require_orders=require_orders)


@dataclass(frozen=True)
class RecordedCleaning:
    """The cleaning of the named files, statement by statement (`tiercli sql FILES…`)."""

    inputs: list[InputTable]
    steps: list[Step]  # the views over the input tables, then the cleaning's statements
    dayfirst: bool | None


def record_cleaning(config: RunConfig) -> RecordedCleaning:
    """Read and clean the files as `run` would, keeping every statement that changes a table (engine.script)."""
    _check_limits(config)
    with RunFolder() as folder:
        opened = _open(config, folder.folder)
        with _database(config, folder, opened) as db:
            sources = load(db, config, opened.orders)
            recorder = Recorder(db)
            cleaned = clean(recorder, sources, as_of=config.as_of, dayfirst=config.rules.input.dayfirst,
                            extra_statuses=config.rules.input.statuses, timezone=config.rules.input.timezone)
            inputs = [InputTable(f"input_{s.index + 1}", s.raw.name, s.raw.table,
                                 _input_columns(s.raw.headers, recorder.columns(s.raw.table))) for s in sources]
            return RecordedCleaning(inputs, [*input_steps(inputs), *recorder.steps], cleaned.dayfirst)


def _input_columns(headers: Sequence[str], raw: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(input table column, raw column, type) of each raw column: a cell column under its header as tiercli
    shows it (or `column_N` when that is not one name: empty, repeated, `__row`), the row number as `__row`; a
    cell beyond the header's width has no column (NULL)."""
    counts: dict[str, int] = {}
    for header in headers:
        counts[header] = counts.get(header, 0) + 1
    out = []
    for name, kind in raw:
        if name == ROW:
            out.append((ROW, name, kind))
        elif name.startswith("c") and name[1:].isdigit():
            header = headers[int(name[1:])]
            usable = header and counts[header] == 1 and header != ROW
            out.append((header if usable else f"column_{int(name[1:]) + 1}", name, kind))
        else:
            out.append(("", name, kind))
    return out


def inspect(config: RunConfig) -> Inspection:
    """Read and clean the files as `run` would, and report how they read; nothing is classified or written."""
    with _cleaned(config, require_orders=False) as (db, sources, cleaned):
        first, last, customers = db.execute(
            "SELECT min(order_ts), max(order_ts), count(DISTINCT customer_id) FROM lines WHERE reason IS NULL"
        ).fetchone() or (None, None, 0)
    return Inspection(
        inputs=_inputs(sources, cleaned), mapping=_mapping_summary([s.mapping for s in sources]),
        statuses=_statuses(cleaned), excluded_by_reason=cleaned.excluded_by_reason, first_order=first,
        last_order=last, customers=customers, dates=DATES[cleaned.dayfirst])


@dataclass(frozen=True)
class ClvValidation:
    """What `tiercli clv` shows: the model fitted on the calibration period and its holdout validation."""

    figures: ClvFigures
    holdout: Holdout
    inputs: list[InputFile]
    as_of: datetime


def validate_clv(config: RunConfig, spec: ClvSpec, *, holdout_days: int | None = None,
                 calibration_end: datetime | None = None) -> ClvValidation:
    """Read and clean the files as `run` would, fit the clv: model on the orders up to the calibration end
    (`calibration_end`, or `holdout_days` before as_of) and compare its predictions for the rest with what the
    customers did."""
    with _cleaned(config) as (db, sources, cleaned):
        end = cleaned.as_of
        cut = calibration_end if calibration_end is not None else end - timedelta(days=holdout_days or 0)
        if not cut.date() < end.date():
            raise UsageError(say("engine.clv.calibration_after_end", cut=f"{cut:%Y-%m-%d}", end=f"{end:%Y-%m-%d}"),
                             slug="bad_calibration_end")
        figures, holdout = validate(db, spec, cut, end)
    return ClvValidation(figures, holdout, _inputs(sources, cleaned), end)


def _data_notes(config: RunConfig, cleaned: Cleaned) -> list[str]:
    """What the data itself says that the user should check: as_of (the latest order) after today, as a
    placeholder date such as 9999-12-31 would make it."""
    if config.as_of is None and cleaned.as_of > datetime.now() + timedelta(days=1):
        return [say("engine.future_as_of", day=f"{cleaned.as_of:%Y-%m-%d}")]
    return []


def _mapping_summary(maps: Sequence[ColumnMap]) -> dict[str, str]:
    merged: dict[str, list[str]] = {}
    for m in maps:
        for field, text in m.describe().items():
            if text not in merged.setdefault(field, []):
                merged[field].append(text)
    return {f: " | ".join(v) for f, v in merged.items()}


def _event_run_rows(behaviour: BehaviourFigures) -> list[tuple[str, str]]:
    """The Run sheet's lines about the events files: each file's layout and rows, and the customers with events."""
    rows: list[tuple[str, str]] = []
    for f in behaviour.files:
        rows.append((say("engine.run.events_file", file=f.name),
                     say("engine.run.events_read", layout=f.layout, read=f.rows_read, used=f.rows_used,
                         excluded=f.rows_excluded + f.not_used)))
    rows.append((say("engine.run.event_customers"),
                 say("engine.run.event_customers_value", customers=behaviour.customers,
                     without=behaviour.without_orders)))
    return rows


COMPUTING_STEPS = 5  # classify, history, customers, excluded rows, summary


def _currency_notes(found: dict[str, int]) -> list[str]:
    """A note when the amounts are in more than one currency (they are added up as they are)."""
    if len(found) < 2:
        return []
    codes = listed(f"{code} {lines:,}" for code, lines in found.items())
    return [say("engine.mixed_currencies", codes=codes, currency=next(iter(found)))]


def run(config: RunConfig, progress: Progress = NO_PROGRESS) -> Result:
    """Classify the customers of `config.files`. `progress` hears of the reading phase (a unit per input file,
    one for the members file, one for cleaning) and the computing phase (COMPUTING_STEPS units), and, unless it
    is NO_PROGRESS, of how far each DuckDB query is."""
    rules = config.rules
    _check_limits(config)
    previous, overrides = read_history(config.previous, config.overrides, rules)
    spark = config.engine == "spark"
    watched = progress is not NO_PROGRESS and not spark
    folder = RunFolder()
    folder.open()  # it holds the customers and excluded rows until the result is closed
    cleanups = [folder.close]
    try:
        with ExitStack() as stack:
            with phase(progress, READING, len(config.files) + bool(config.members) + len(config.events) + 1):
                if spark:
                    from tiercli.engine.sparkdb import SparkDatabase, open_session

                    spark_db = SparkDatabase(open_session(config.spark_master, config.spark_remote))
                    cleanups.insert(0, spark_db.close)  # its tables are written after the run (ClusterTables)
                    opened = _open(config, folder.folder, progress, session=spark_db.session)
                    db: Any = spark_db
                else:
                    opened = _open(config, folder.folder, progress)
                    db = stack.enter_context(_database(config, folder, opened, query_progress=watched))
                if watched:
                    stack.enter_context(watch_queries(db, progress))
                sources = load(db, config, opened.orders)
                members = (load_members(db, opened.members, config.members or "", member_names(rules))
                           if opened.members is not None else None)
                if members is not None:
                    progress.advance()
                cleaned = clean(db, sources, as_of=config.as_of, dayfirst=rules.input.dayfirst,
                                extra_statuses=rules.input.statuses, timezone=rules.input.timezone)
                events = load_events(db, opened.events, rules.input, cleaned.as_of) if opened.events else None
                progress.advance()
            with phase(progress, COMPUTING, COMPUTING_STEPS):
                classified = classify_orders(db, rules, cleaned.as_of, members=members is not None,
                                             lang=config.lang, events=events is not None)
                scores, columns = classified.scores, classified.columns
                progress.advance()
                history = apply_history(db, rules, cleaned.as_of, columns, previous, overrides, config.strict,
                                        config.lang)
                progress.advance()
                excluded_from = order_inputs(sources) + (event_inputs(events.sources) if events else [])
                cluster = None
                if spark:
                    from tiercli.engine.sparktables import SparkTables

                    cluster = SparkTables(spark_db, history.columns, excluded_from, config.lang)
                    customers = Rows.elsewhere(cluster.schema("customers"), cluster.count("customers"))
                    progress.advance()
                    excluded = Rows.elsewhere(cluster.schema("excluded"), _left_out(db, excluded_from))
                    progress.advance()
                else:
                    select = ", ".join(identifier(c) for c in history.columns)
                    ordered = db.batches(f"SELECT {select} FROM classified ORDER BY monetary DESC, customer_id")
                    customers = Rows.write(folder.folder / "customers.arrow", ordered, ordered.schema)
                    progress.advance()
                    names, batches = excluded_rows(db, excluded_from, config.lang)
                    excluded = Rows.write(folder.folder / "excluded.arrow", batches, names)
                    progress.advance()
                per_tier = summary(db, rules)
                tags = [*(t.name for t in rules.tags), *history.manual_tags]
                figures = compute_figures(db, "classified", tags, manual=history.manual_tags)
                if isinstance(previous, Previous) and previous.metrics is not None:
                    db.register("previous_metrics", previous.metrics)
                    figures = replace(figures, previous_kpis=kpis(db, "previous_metrics"))
                    db.unregister("previous_metrics")
                behaviour = behaviour_figures(db, events.files) if events else None
                found_currencies = currencies(db)
                progress.advance()
    except BaseException:
        for cleanup in cleanups:
            cleanup()
        raise

    def close() -> None:
        for cleanup in cleanups:
            cleanup()

    inputs = _inputs(sources, cleaned)
    mapping = _mapping_summary([s.mapping for s in sources])
    units = column_units(rules)
    run_rows: list[tuple[str, str]] = [
        (say("engine.run.version"), version()),
        (say("engine.run.run_at"), datetime.now().isoformat(timespec="seconds")),
        (say("outputs.label.as_of"), cleaned.as_of.isoformat(sep=" ")),
        (say("engine.run.as_of_from"), "--as-of" if config.as_of else say("engine.run.as_of_latest")),
        (say("engine.run.rules"), rules.source),
        (say("engine.run.rules_name"), rules.name),
        (say("engine.run.rules_sha256"), rules.sha256 or ""),
        *scores.run_rows,
        (say("engine.run.dates"), DATES[cleaned.dayfirst]),
        (say("common.customers"), str(customers.num_rows)),
        (say("outputs.label.rows read"), str(sum(f.rows_read for f in inputs))),
        (say("outputs.label.rows used"), str(sum(f.rows_used for f in inputs))),
        (say("outputs.label.rows excluded"), str(sum(f.rows_excluded for f in inputs))),
        *((say("outputs.label.excluded", reason=Said(k, label("reason", k, "zh"))), str(v))
          for k, v in cleaned.excluded_by_reason.items()),
        *((say("engine.run.masked", file=f.name), str(f.masked_keys)) for f in inputs if f.masked_keys),
        *((say("engine.run.relay", file=f.name), str(f.relay_keys)) for f in inputs if f.relay_keys),
        *((say("engine.run.conflicts", file=f.name), str(f.key_conflicts)) for f in inputs if f.key_conflicts),
        *((say("engine.run.markers", file=f.name, column=h), str(n))
          for f in inputs for h, n in f.missing_markers.items()),
        *(() if members is None else ((say("engine.run.members"),
                                       say("engine.run.members_read", path=members.path, members=members.members,
                                           rows=members.rows, without_id=members.without_id)),)),
        *(() if behaviour is None else _event_run_rows(behaviour)),
        (say("engine.run.threads"), str(config.threads or os.cpu_count())),
    ]
    return Result(
        customers=customers, excluded=excluded, summary=per_tier, thresholds=scores.thresholds,
        run=run_rows + history.run_rows,
        inputs=inputs, mapping=mapping, as_of=cleaned.as_of, excluded_by_reason=cleaned.excluded_by_reason,
        column_units=units, gradings=[g.name for g in rules.gradings], tags=tags, manual_tags=history.manual_tags,
        notes=_data_notes(config, cleaned) + scores.notes + list(classified.clv.notes if classified.clv else ())
        + history.notes + _currency_notes(found_currencies), statuses=_statuses(cleaned),
        movement=history.movement, clv=classified.clv, behaviour=behaviour, figures=figures,
        currency=currency_of(found_currencies, [s.mapping.profile.currency for s in sources], rules.report.currency),
        currencies=found_currencies, cleanup=close, cluster=cluster,
    )
