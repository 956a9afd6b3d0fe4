"""run(config) -> Result: read, map and clean, aggregate, score, classify, summarise (DESIGN §2)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import duckdb

from tiercli.engine.clean import Source, clean, excluded_table
from tiercli.engine.compute import classify, metrics_sql, score, summary
from tiercli.engine.metrics import METRICS
from tiercli.errors import UsageError
from tiercli.io.readers import RawTable, read_file
from tiercli.profiles.detect import ColumnMap, build_mapping, detect, header_score
from tiercli.result import InputFile, Result
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


def connect(temp_dir: str, threads: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": temp_dir, "preserve_insertion_order": False}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    return duckdb.connect(":memory:", config=config)


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """After the one pass over the files, no SQL may touch files again, and the setting can't be turned back."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def load(con: duckdb.DuckDBPyConnection, config: RunConfig, temp_dir: Path) -> list[Source]:
    if not config.files:
        raise UsageError("no input file given", slug="no_input")
    raws: list[RawTable] = []
    sheet = config.sheet or config.rules.input.sheet
    for index, path in enumerate(config.files):
        raws.extend(read_file(con, path, f"raw_{index}", sheet=sheet, header_score=header_score,
                              temp_dir=temp_dir))
    platform = config.platform or config.rules.input.platform
    sources = []
    for index, raw in enumerate(raws):
        profile, _ = detect(raw.headers, platform, raw.path)
        mapping = build_mapping(raw.headers, profile, config.rules.input.columns, raw.path)
        sources.append(Source(raw, mapping, index))
    return sources


def _mapping_summary(maps: Sequence[ColumnMap]) -> dict[str, str]:
    merged: dict[str, list[str]] = {}
    for m in maps:
        for field, text in m.describe().items():
            if text not in merged.setdefault(field, []):
                merged[field].append(text)
    return {f: " | ".join(v) for f, v in merged.items()}


def run(config: RunConfig) -> Result:
    rules = config.rules
    with tempfile.TemporaryDirectory(prefix="tiercli-") as temp:
        con = connect(temp, config.threads, config.memory_limit)
        try:
            sources = load(con, config, Path(temp))
            cleaned = clean(con, sources, as_of=config.as_of, dayfirst=rules.input.dayfirst,
                            extra_statuses=rules.input.statuses)
            lock_down(con)  # the files have been read; from here on no SQL can reach a file
            con.execute(f"CREATE TABLE customers AS {metrics_sql(cleaned.as_of)}")
            scores = score(con, rules.rfm.bins)
            columns = classify(con, rules)
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
            customers = con.sql(
                f"SELECT {select} FROM classified ORDER BY monetary DESC, customer_id").to_arrow_table()
            excluded = con.sql(excluded_table(sources)).to_arrow_table()
            per_tier = summary(con, rules)
        finally:
            con.close()

    inputs = [
        InputFile(
            path=s.raw.path, name=s.raw.name, sha256=s.raw.sha256, kind=s.raw.kind,
            rows_read=cleaned.per_file[s.raw.name][0], rows_used=cleaned.per_file[s.raw.name][1],
            rows_excluded=cleaned.per_file[s.raw.name][2], sheet=s.raw.sheet, encoding=s.raw.encoding,
            delimiter=s.raw.delimiter, header_row=s.raw.header_row, platform=s.mapping.profile.name,
        )
        for s in sources
    ]
    mapping = _mapping_summary([s.mapping for s in sources])
    units: dict[str, str] = {m.name: m.unit for m in METRICS}
    units.update({"r_score": "count", "f_score": "count", "m_score": "count", "rfm_score": "count"})
    run_rows = [
        ("tiercli version", version()),
        ("run at", datetime.now().isoformat(timespec="seconds")),
        ("as_of", cleaned.as_of.isoformat(sep=" ")),
        ("as_of from", "--as-of" if config.as_of else "latest order time in the data"),
        ("rules", rules.source),
        ("rules name", rules.name),
        ("rules sha256", rules.sha256 or ""),
        ("rfm", f"bins {rules.rfm.bins}, {rules.rfm.method}, segments {rules.rfm.segments}"),
        ("dates", {True: "day-first", False: "month-first", None: "ISO (year first)"}[cleaned.dayfirst]),
        ("customers", str(customers.num_rows)),
        ("rows read", str(sum(f.rows_read for f in inputs))),
        ("rows used", str(sum(f.rows_used for f in inputs))),
        ("rows excluded", str(sum(f.rows_excluded for f in inputs))),
        *((f"excluded: {k}", str(v)) for k, v in cleaned.excluded_by_reason.items()),
        ("threads", str(config.threads or os.cpu_count())),
    ]
    return Result(
        customers=customers, excluded=excluded, summary=per_tier, thresholds=scores.thresholds, run=run_rows,
        inputs=inputs, mapping=mapping, as_of=cleaned.as_of, excluded_by_reason=cleaned.excluded_by_reason,
        column_units=units, gradings=[g.name for g in rules.gradings], tags=[t.name for t in rules.tags],
        notes=scores.notes,
    )
