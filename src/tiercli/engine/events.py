"""Behaviour events (`--events FILE`): raw cells become canonical events, and every row not used gets a reason.

One SQL pass per events file inserts every row into `event_rows`: customer_id (cleaned as order keys are), event_ts,
event (view, favourite, cart or purchase, through the layout's words and `input.events`), product, category, and
`reason` NULL for used rows; excluded rows keep their original cells and a message in both languages. `events` is
the table of used events (customer_id, event_ts, event, product, category; for a RetailRocket log given with its
item_properties, the category of each item at the event's time). Invariant, checked here: per file, rows read =
rows used + rows excluded.

Reasons: `missing_customer` (no usable customer id), `bad_date` (no readable time), `unknown_event` (a word that is
not one of the four types: map it in `input.events`), `extra_cells` (more cells than the header),
`after_as_of` (later than the run's as_of, which the orders set). Rows of an item-properties file are not events:
its `categoryid` rows give categories, the other properties are counted as not used.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from tiercli.database import Database
from tiercli.engine.clean import ExcludedFrom, zone_name
from tiercli.engine.wording import said_sql
from tiercli.errors import DataError, Location
from tiercli.messages import say
from tiercli.profiles.event_layouts import EventMapping, event_mapping, header_key, is_properties
from tiercli.result import EventFile
from tiercli.rules.model import InputSpec
from tiercli.sources.readers import EXTRA, Opened, RawTable, is_data_error, unreadable
from tiercli.sqltext import literal, timestamp
from tiercli.vocabulary.events import EVENT_TYPES

EVENT_REASONS = ("missing_customer", "bad_date", "unknown_event", "extra_cells", "after_as_of")
ROWS = "event_rows"
EVENTS = "events"
CATEGORIES = "item_categories"
_SCIENTIFIC = r"^[0-9](\.[0-9]+)?[eE]\+[0-9]+$"


@dataclass(frozen=True)
class EventSource:
    raw: RawTable
    mapping: EventMapping
    index: int  # position among the events files


@dataclass(frozen=True)
class LoadedEvents:
    """What reading the events files gave: the event logs (with their mappings), the item-properties files, and
    the accounting of each file."""

    sources: list[EventSource]
    files: list[EventFile]


def _cell(raw: RawTable, header: str) -> str:
    """The cell of `header` as text, by position (headers are never written into SQL)."""
    column = raw.columns[raw.headers.index(header)]
    return f"CAST({column} AS VARCHAR)" if column in raw.typed else column


def _text(raw: RawTable, header: str | None) -> str:
    return "CAST(NULL AS VARCHAR)" if header is None else f"tc({_cell(raw, header)})"


def _epoch(text: str, unit: str, zone: str | None) -> str:
    """A time written as a whole number of `unit` (s, ms or us) since 1970-01-01 UTC, in `zone` when given; a number
    read from a workbook or a Parquet double column (`1731225600000.0`) is the same number. A number too long for
    a time (one that would overflow as microseconds) is no date, not an error."""
    scale, most = {"s": (1_000_000, 12), "ms": (1000, 15), "us": (1, 18)}[unit]
    number = (f"CASE WHEN regexp_full_match({text}, '[0-9]{{1,{most}}}(\\.0+)?') "
              f"THEN CAST(split_part({text}, '.', 1) AS BIGINT) * {scale} END")
    utc = f"make_timestamp({number})"
    return utc if zone is None else f"timezone({literal(zone_name(zone))}, timezone('UTC', {utc}))"


def _mmdd(text: str, as_of: datetime, year: int | None) -> str:
    """A day written as month and day (`511`, `1111`), in `year`, else the latest such day not after as_of (for
    29 February, the latest leap year's). Anything but three or four digits is no date."""
    digits = f"lpad(split_part({text}, '.', 1), 4, '0')"
    valid = f"regexp_full_match({text}, '[0-9]{{3,4}}(\\.0+)?')"

    def on(year_sql: str) -> str:
        return f"try_strptime({digits} || '-' || CAST({year_sql} AS VARCHAR), '%m%d-%Y')"

    if year is not None:
        return f"CASE WHEN {valid} THEN {on(str(int(year)))} END"
    leap = next(y for y in range(as_of.year, as_of.year - 9, -1)
                if calendar.isleap(y) and datetime(y, 2, 29) <= as_of)
    this = str(as_of.year)
    return (f"CASE WHEN NOT {valid} THEN NULL WHEN {digits} = '0229' THEN {timestamp(datetime(leap, 2, 29))} "
            f"WHEN {on(this)} > {timestamp(as_of)} THEN {on(str(as_of.year - 1))} ELSE {on(this)} END")


def _id(raw: RawTable, header: str | None) -> str:
    """A product or category id: text, and a whole number read from a number column (`501.0` from a workbook or a
    Parquet double column) as the number written (`501`), as customer ids are."""
    return "CAST(NULL AS VARCHAR)" if header is None else f"tid({_text(raw, header)})"


def _time_sql(src: EventSource, as_of: datetime, year: int | None, zone: str | None) -> str:
    """The event time from its cell, by the layout's time format. Epoch times are UTC, and text times with a UTC
    offset are that moment: both in `zone` (input.timezone) when it is given; times without an offset are taken
    as written. In a text time column, a number of 10, 13 or 16 digits is epoch seconds, milliseconds or
    microseconds (no date is written that way)."""
    text = _text(src.raw, src.mapping.columns["time"])
    kind = src.mapping.time
    if kind == "mmdd":
        return _mmdd(text, as_of, year)
    if kind in ("epoch_ms", "epoch_us"):
        return _epoch(text, kind.removeprefix("epoch_"), zone)
    written = f"ts({text})" if zone is None else f"ts_tz({text}, {literal(zone_name(zone))})"
    digits = f"length(split_part({text}, '.', 1))"
    cast = f"TRY_CAST({text} AS TIMESTAMP)"  # most times are ISO text: taken as they are, before any pattern
    fast = "" if zone is not None else f"WHEN {cast} IS NOT NULL THEN {cast} "
    return (f"CASE {fast}WHEN NOT regexp_full_match({text}, '[0-9]{{10}}([0-9]{{3}}){{0,2}}(\\.0+)?') THEN {written} "
            f"WHEN {digits} = 10 THEN {_epoch(text, 's', zone)} WHEN {digits} = 13 THEN {_epoch(text, 'ms', zone)} "
            f"ELSE {_epoch(text, 'us', zone)} END")


def _event_sql(src: EventSource) -> str:
    """The event type from its cell: the layout's words and input.events, compared case-blind."""
    word = f"lower(trim({_text(src.raw, src.mapping.columns['event'])}))"
    whens = " ".join(f"WHEN {literal(value)} THEN {literal(kind)}"  # one comparison per row and word, no lists
                     for value, kind in sorted(src.mapping.words.items()) if kind in EVENT_TYPES)
    return f"CASE {word} {whens} END" if whens else "CAST(NULL AS VARCHAR)"


def _insert_sql(src: EventSource, as_of: datetime, spec: InputSpec) -> str:
    raw, columns = src.raw, src.mapping.columns
    customer_cell = _text(raw, columns["customer"])
    customer = f"CASE WHEN strpos({customer_cell}, '.') = 0 THEN {customer_cell} ELSE tid({customer_cell}) END"
    time_cell = _text(raw, columns["time"])
    event_cell = _text(raw, columns["event"])
    extra = f"{EXTRA} IS NOT NULL" if raw.extra else "FALSE"
    q = {field: literal(header) for field, header in columns.items()}
    reasons = [
        (extra, "extra_cells", "engine.excluded.extra_cells", {"cell": EXTRA if raw.extra else "''"}),
        ("customer_id IS NULL", "missing_customer",
         "engine.excluded.empty", {"columns": q["customer"]}),
        ("event_ts IS NULL", "bad_date", "engine.excluded.not_a_date",
         {"value": "coalesce(time_text, '')", "columns": q["time"]}),
        ("event IS NULL", "unknown_event", "engine.excluded.unknown_event",
         {"value": "coalesce(event_text, '')", "columns": q["event"],
          "word": "CAST(to_json(lower(trim(coalesce(event_text, '')))) AS VARCHAR)"}),
        (f"event_ts > {timestamp(as_of)}", "after_as_of", "engine.excluded.event_after_as_of",
         {"time": "CAST(event_ts AS VARCHAR)", "as_of": literal(as_of.strftime("%Y-%m-%d %H:%M:%S"))}),
    ]
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {literal(slug)}" for cond, slug, _, _ in reasons) + " END"

    def message(language: str) -> str:  # by the reason found once: only excluded rows build their text
        whens = " ".join(f"WHEN {literal(slug)} THEN {said_sql(key, language, **values)}"
                         for _, slug, key, values in reasons)
        return f"CASE reason {whens} END"

    cells = ", ".join(_cell(raw, h) for h in raw.headers)
    return f"""INSERT INTO {ROWS}
        SELECT {src.index} AS __input, source_row, customer_id, event_ts, event, product, category, reason,
               {message('en')} AS message, {message('zh')} AS message_zh,
               CASE WHEN reason IS NOT NULL THEN [{cells}] END AS raw_cells
        FROM (SELECT *, {reason} AS reason FROM (
              SELECT *, __row AS source_row, {customer} AS customer_id,
                     {_time_sql(src, as_of, spec.events_year, spec.timezone)} AS event_ts,
                     {_event_sql(src)} AS event, {_id(raw, columns.get('product'))} AS product,
                     {_id(raw, columns.get('category'))} AS category,
                     {time_cell} AS time_text, {event_cell} AS event_text
              FROM {raw.table}))"""


def load_events(db: Database, opened: Sequence[Opened], spec: InputSpec, as_of: datetime) -> LoadedEvents:
    """Attach the opened events files, map them, and write `event_rows` and `events` (see the module); both
    languages' messages are written, the run shows the one it is in."""
    raws = [o.attach(db, f"raw_events_{i}") for i, o in enumerate(opened)]
    logs = [raw for raw in raws if not is_properties(raw.headers)]
    properties = [raw for raw in raws if is_properties(raw.headers)]
    if not logs:
        raise DataError(say("engine.events.only_properties"), Location(file=properties[0].path),
                        slug="events_only_properties")
    sources = [EventSource(raw, event_mapping(raw.headers, raw.path, spec.event_columns, spec.events), k)
               for k, raw in enumerate(logs)]
    db.execute(f"""CREATE OR REPLACE TABLE {ROWS} (__input INTEGER, source_row BIGINT, customer_id VARCHAR,
        event_ts TIMESTAMP, event VARCHAR, product VARCHAR, category VARCHAR, reason VARCHAR, message VARCHAR,
        message_zh VARCHAR, raw_cells VARCHAR[])""")
    for src in sources:
        try:
            db.execute(_insert_sql(src, as_of, spec))
        except duckdb.Error as exc:
            if is_data_error(exc):
                raise unreadable(exc, src.raw) from exc
            raise
    _check_ids(db, sources)
    category_rows = _categories(db, properties, spec.timezone)
    without_category = [src.index for src in sources if "category" not in src.mapping.columns]
    join = ""
    category = "e.category"
    if category_rows and without_category:
        join = (f"ASOF LEFT JOIN {CATEGORIES} AS c ON e.product = c.item AND e.event_ts >= c.since "
                f"LEFT JOIN (SELECT item, arg_min(category, since) AS category FROM {CATEGORIES} GROUP BY item) "
                "AS f ON e.product = f.item")
        listed_inputs = ", ".join(str(i) for i in without_category)
        category = f"CASE WHEN e.__input IN ({listed_inputs}) THEN coalesce(c.category, f.category) ELSE e.category END"
    kind = "TABLE" if join else "VIEW"  # the used rows as they are: a view; with categories joined, a table
    db.execute(f"""CREATE OR REPLACE {kind} {EVENTS} AS
        SELECT e.customer_id, e.event_ts, e.event, e.product, {category} AS category
        FROM {ROWS} AS e {join} WHERE e.reason IS NULL""")
    files = _accounting(db, sources) + [_properties_file(raw, read, used)
                                          for raw, (read, used) in zip(properties, category_rows, strict=True)]
    return LoadedEvents(sources, files)


def _check_ids(db: Database, sources: Sequence[EventSource]) -> None:
    """Customer ids written in scientific notation (1.23457E+18) have lost their digits already: stop, naming the
    file and column, as for orders."""
    row = db.execute(f"""SELECT __input, customer_id FROM {ROWS}
        WHERE contains(upper(customer_id), 'E+') AND regexp_matches(customer_id, ?) LIMIT 1""",
                     [_SCIENTIFIC]).fetchone()
    if row:
        src = next(s for s in sources if s.index == row[0])
        raise DataError(say("engine.scientific_id", value=row[1]),
                        Location(file=src.raw.path, column=src.mapping.columns["customer"]), slug="scientific_id")


def _categories(db: Database, properties: Sequence[RawTable], zone: str | None) -> list[tuple[int, int]]:
    """`item_categories` (item, since, category) from the item-properties files' `categoryid` rows, their times
    (epoch milliseconds) in `zone` like the events'; per file, (rows read, category rows)."""
    if not properties:
        return []
    selects = []
    for raw in properties:
        by_key = {header_key(h): h for h in raw.headers}
        item, prop, value, time = (_text(raw, by_key[k]) for k in ("itemid", "property", "value", "timestamp"))
        selects.append(f"""SELECT tid({item}) AS item, {_epoch(time, "ms", zone)} AS since,
            tid({value}) AS category FROM {raw.table} WHERE {prop} = 'categoryid' AND {item} IS NOT NULL""")
    # one category per item and time (the greatest, when a file gives two), so that the events' join finds one
    db.execute(f"CREATE OR REPLACE TABLE {CATEGORIES} AS SELECT item, since, max(category) AS category FROM ("
               + " UNION ALL ".join(selects) + ") GROUP BY item, since")
    counts = []
    for raw in properties:
        by_key = {header_key(h): h for h in raw.headers}
        row = db.execute(f"SELECT count(*), count(*) FILTER (WHERE {_text(raw, by_key['property'])} = 'categoryid' "
                         f"AND {_text(raw, by_key['itemid'])} IS NOT NULL) FROM {raw.table}").fetchone()
        counts.append((int(row[0]), int(row[1])) if row else (0, 0))
    return counts


def _accounting(db: Database, sources: Sequence[EventSource]) -> list[EventFile]:
    rows = db.execute(f"""SELECT __input, sum(n), coalesce(sum(n) FILTER (WHERE reason IS NULL), 0),
        map_from_entries(list(struct_pack(k := reason, v := n)) FILTER (WHERE reason IS NOT NULL))
        FROM (SELECT __input, reason, count(*) AS n FROM {ROWS} GROUP BY ALL) GROUP BY __input""").fetchall()
    by_input = {int(r[0]): r for r in rows}
    files = []
    for src in sources:
        _, read, used, reasons = by_input.get(src.index, (src.index, 0, 0, {}))
        excluded = dict(sorted(((str(k), int(v)) for k, v in (reasons or {}).items()),
                               key=lambda kv: (-kv[1], kv[0])))  # most rows first, as the orders' reasons
        read, used = int(read), int(used)
        if src.raw.rows is not None and src.raw.rows != read:
            raise AssertionError(f"{src.raw.name}: {src.raw.rows} rows in the file, {read} accounted for")
        assert read == used + sum(excluded.values()), (src.raw.name, read, used, excluded)
        files.append(EventFile(
            path=src.raw.path, name=src.raw.name, layout=src.mapping.layout.name, rows_read=read, rows_used=used,
            excluded_by_reason=excluded, columns=dict(src.mapping.columns), encoding=src.raw.encoding,
            sheet=src.raw.sheet, header_row=src.raw.header_row))
    return files


def _properties_file(raw: RawTable, read: int, used: int) -> EventFile:
    return EventFile(path=raw.path, name=raw.name, layout="item-properties", rows_read=read, rows_used=used,
                     excluded_by_reason={}, columns={}, encoding=raw.encoding, sheet=raw.sheet,
                     header_row=raw.header_row, not_used=read - used)


def event_inputs(sources: Sequence[EventSource]) -> list[ExcludedFrom]:
    """Where the events files' excluded rows are, for the Excluded table."""
    return [ExcludedFrom(s.raw.name, s.raw.headers, ROWS, s.index) for s in sources]
