"""run(config) -> Result: read, map and clean, aggregate, score, classify, summarise (DESIGN §2)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import duckdb

from tiercli.engine.clean import Cleaned, Source, clean, excluded_table
from tiercli.engine.compute import column_units, member_names, summary
from tiercli.engine.movement import apply_history, read_history
from tiercli.engine.query import classify_orders
from tiercli.errors import UsageError
from tiercli.io.members import load_members
from tiercli.io.overrides import Overrides
from tiercli.io.previous import Previous
from tiercli.io.readers import RawTable, read_file
from tiercli.profiles.detect import ColumnMap, build_mapping, detect_platform, header_score
from tiercli.progress import COMPUTING, NO_PROGRESS, READING, Progress, phase, watch_queries
from tiercli.result import InputFile, Inspection, Result, StatusCount
from tiercli.rules.model import Rules


def version() -> str:
    try:
        return metadata.version("tiercli")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class RunConfig:
    files: Sequence[str]
    rules: Rules
    as_of: datetime | None = None
    sheet: str | None = None
    platform: str | None = None
    threads: int | None = None
    memory_limit: str | None = None
    members: str | None = None  # a members file joined to the customers (tiercli.io.members)
    previous: str | Previous | None = None  # an earlier run: levels kept, movement (tiercli.engine.movement)
    overrides: str | Overrides | None = None  # hand-set levels and tags, applied after the rules
    strict: bool = False  # an override that can't be applied stops the run


# DuckDB's own default is 80% of RAM; tiercli keeps to a laptop-friendly budget and spills to the run's temp
# folder beyond it (10M lines run as fast with 1GB as without, bench/README.md).
DEFAULT_MEMORY_LIMIT = "1GB"


def connect(temp_dir: str, threads: int | None, memory_limit: str | None,
            query_progress: bool = False) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database; with `query_progress`, DuckDB tracks how far each query is (without printing
    it) so that `tiercli.progress.watch_queries` can read it."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": temp_dir, "preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    config["memory_limit"] = memory_limit or DEFAULT_MEMORY_LIMIT
    con = duckdb.connect(":memory:", config=config)
    if query_progress:
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    return con


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """After the one pass over the files, no SQL may touch files again, and the setting can't be turned back."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def load(con: duckdb.DuckDBPyConnection, config: RunConfig, temp_dir: Path,
         progress: Progress = NO_PROGRESS) -> list[Source]:
    """Read every input file (advancing `progress` by one per file) and map its columns."""
    if not config.files:
        raise UsageError("no input file given", slug="no_input", zh="没有给出输入文件")
    raws: list[RawTable] = []
    sheet = config.sheet or config.rules.input.sheet
    for index, path in enumerate(config.files):
        raws.extend(read_file(con, path, f"raw_{index}", sheet=sheet, header_score=header_score,
                              temp_dir=temp_dir))
        progress.advance()
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


def _inputs(sources: Sequence[Source], cleaned: Cleaned) -> list[InputFile]:
    out = []
    for s in sources:
        read, used, excluded = cleaned.per_file[s.raw.name]
        masked, relay = cleaned.keys[s.raw.name]
        detection = s.mapping.detection.describe() if s.mapping.detection else s.mapping.profile.name
        out.append(InputFile(
            path=s.raw.path, name=s.raw.name, sha256=s.raw.sha256, kind=s.raw.kind, rows_read=read, rows_used=used,
            rows_excluded=excluded, sheet=s.raw.sheet, encoding=s.raw.encoding, delimiter=s.raw.delimiter,
            header_row=s.raw.header_row, platform=s.mapping.profile.name, detection=detection, masked_keys=masked,
            relay_keys=relay))
    return out


def _statuses(cleaned: Cleaned) -> list[StatusCount]:
    return [StatusCount(*row) for row in cleaned.statuses]


DATES = {True: "day-first", False: "month-first", None: "ISO (year first)"}


def inspect(config: RunConfig) -> Inspection:
    """Read and clean the files as `run` would, and report how they read; nothing is classified or written."""
    rules = config.rules
    with tempfile.TemporaryDirectory(prefix="tiercli-") as temp:
        con = connect(temp, config.threads, config.memory_limit)
        try:
            sources = load(con, config, Path(temp))
            cleaned = clean(con, sources, as_of=config.as_of, dayfirst=rules.input.dayfirst,
                            extra_statuses=rules.input.statuses, timezone=rules.input.timezone,
                            require_orders=False)
            first, last, customers = con.execute(
                "SELECT min(order_ts), max(order_ts), count(DISTINCT customer_id) FROM lines WHERE reason IS NULL"
            ).fetchone() or (None, None, 0)
        finally:
            con.close()
    return Inspection(
        inputs=_inputs(sources, cleaned), mapping=_mapping_summary([s.mapping for s in sources]),
        statuses=_statuses(cleaned), excluded_by_reason=cleaned.excluded_by_reason, first_order=first,
        last_order=last, customers=customers, dates=DATES[cleaned.dayfirst])


def _mapping_summary(maps: Sequence[ColumnMap]) -> dict[str, str]:
    merged: dict[str, list[str]] = {}
    for m in maps:
        for field, text in m.describe().items():
            if text not in merged.setdefault(field, []):
                merged[field].append(text)
    return {f: " | ".join(v) for f, v in merged.items()}


COMPUTING_STEPS = 5  # classify, history, customers, excluded rows, summary


def run(config: RunConfig, progress: Progress = NO_PROGRESS) -> Result:
    """Classify the customers of `config.files`. `progress` hears of the reading phase (a unit per input file,
    one for the members file, one for cleaning) and the computing phase (COMPUTING_STEPS units), and, unless it
    is NO_PROGRESS, of how far each DuckDB query is."""
    rules = config.rules
    previous, overrides = read_history(config.previous, config.overrides, rules)
    watched = progress is not NO_PROGRESS
    with tempfile.TemporaryDirectory(prefix="tiercli-") as temp:
        con = connect(temp, config.threads, config.memory_limit, query_progress=watched)
        try:
            with watch_queries(con, progress) if watched else nullcontext():
                with phase(progress, READING, len(config.files) + bool(config.members) + 1):
                    sources = load(con, config, Path(temp), progress)
                    members = (load_members(con, config.members, member_names(rules), Path(temp))
                               if config.members else None)
                    if members is not None:
                        progress.advance()
                    cleaned = clean(con, sources, as_of=config.as_of, dayfirst=rules.input.dayfirst,
                                    extra_statuses=rules.input.statuses, timezone=rules.input.timezone)
                    progress.advance()
                lock_down(con)  # the files have been read; from here on no SQL can reach a file
                with phase(progress, COMPUTING, COMPUTING_STEPS):
                    scores, columns = classify_orders(con, rules, cleaned.as_of, members=members is not None)
                    progress.advance()
                    history = apply_history(con, rules, cleaned.as_of, columns, previous, overrides,
                                            config.strict)
                    progress.advance()
                    columns = history.columns
                    select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
                    customers = con.sql(
                        f"SELECT {select} FROM classified ORDER BY monetary DESC, customer_id").to_arrow_table()
                    progress.advance()
                    excluded = con.sql(excluded_table(sources)).to_arrow_table()
                    progress.advance()
                    per_tier = summary(con, rules)
                    progress.advance()
        finally:
            con.close()

    inputs = _inputs(sources, cleaned)
    mapping = _mapping_summary([s.mapping for s in sources])
    units = column_units(rules)
    run_rows = [
        ("tiercli version", version()),
        ("run at", datetime.now().isoformat(timespec="seconds")),
        ("as_of", cleaned.as_of.isoformat(sep=" ")),
        ("as_of from", "--as-of" if config.as_of else "latest order time in the data"),
        ("rules", rules.source),
        ("rules name", rules.name),
        ("rules sha256", rules.sha256 or ""),
        *scores.run_rows,
        ("dates", DATES[cleaned.dayfirst]),
        ("customers", str(customers.num_rows)),
        ("rows read", str(sum(f.rows_read for f in inputs))),
        ("rows used", str(sum(f.rows_used for f in inputs))),
        ("rows excluded", str(sum(f.rows_excluded for f in inputs))),
        *((f"excluded: {k}", str(v)) for k, v in cleaned.excluded_by_reason.items()),
        *((f"masked buyer ids in {f.name}", str(f.masked_keys)) for f in inputs if f.masked_keys),
        *((f"relay e-mails as buyer ids in {f.name}", str(f.relay_keys)) for f in inputs if f.relay_keys),
        *(() if members is None else (("members", f"{members.path}: {members.members} members from "
                                                  f"{members.rows} rows ({members.without_id} without an id)"),)),
        ("threads", str(config.threads or os.cpu_count())),
    ]
    return Result(
        customers=customers, excluded=excluded, summary=per_tier, thresholds=scores.thresholds,
        run=run_rows + history.run_rows,
        inputs=inputs, mapping=mapping, as_of=cleaned.as_of, excluded_by_reason=cleaned.excluded_by_reason,
        column_units=units, gradings=[g.name for g in rules.gradings], tags=[t.name for t in rules.tags],
        notes=scores.notes + history.notes, statuses=_statuses(cleaned), movement=history.movement,
    )
