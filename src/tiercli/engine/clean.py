"""Map and clean: raw text cells become canonical order lines, and every row not used gets a reason.

One streaming SQL pass per input reads its file once and inserts into `lines` every row: the canonical columns,
typed, with `reason` NULL for rows that are used, and — for excluded rows only — the original cells. Row-shape
steps (carrying order fields to continuation lines) run inside that pass; sharing an order amount over its lines
and duplicates across files come after. `orders` is the view of used lines; `excluded_table` lists the others
with their original cells. Invariant, checked here: per file, rows read = rows used + rows excluded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tiercli.database import Database
from tiercli.engine.wording import said_sql
from tiercli.errors import DataError, Location
from tiercli.limits import DATE_RANGE, FIRST_DATE, LAST_DATE
from tiercli.messages import Catalogue, Said, listed, say
from tiercli.profiles.detect import ColumnMap
from tiercli.sources.readers import EXTRA, RawTable, is_data_error, unreadable
from tiercli.sqltext import literal, timestamp
from tiercli.vocabulary.fields import EMPTY_TEXTS, MISSING_MARKERS
from tiercli.vocabulary.labels import label

REASON_TEXTS = Catalogue("engine.reason")
REASONS: dict[str, str] = {slug: en for slug, (en, _) in REASON_TEXTS.items()}  # reason slug -> its meaning
REASONS_ZH: dict[str, str] = {slug: zh for slug, (_, zh) in REASON_TEXTS.items()}
# Rows left out because they could not be read as an order, as opposed to rows left out by design (unpaid,
# cancelled, refunded, duplicates, total rows, after as_of): worth a warning even with --quiet.
UNREADABLE = ("missing_customer", "bad_date", "bad_amount", "unknown_status", "extra_cells", "no_order")

# What pandas, R, Excel and databases write for a missing value: an empty cell in every field, on every platform.
# Compared as IN lists (no string is built per cell), after a length test most cells fail at once.
_EMPTY_IN = ", ".join(literal(t) for t in EMPTY_TEXTS)
_MARKER_IN = ", ".join(literal(t) for t in MISSING_MARKERS)
_MACROS = f"""
CREATE OR REPLACE MACRO tc_empty(y) AS CASE
    WHEN length(y) <= {max(map(len, EMPTY_TEXTS))} AND y IN ({_EMPTY_IN}) THEN NULL ELSE y END;
CREATE OR REPLACE MACRO is_marker(x) AS length(x) BETWEEN 2 AND 8 AND (x IN ({_MARKER_IN})
    OR ((left(x, 1) IN (chr(32), chr(9), chr(12288)) OR right(x, 1) IN (chr(32), chr(9), chr(12288)))
        AND trim(x, chr(32) || chr(9) || chr(12288)) IN ({_MARKER_IN})));
""" + r"""
CREATE OR REPLACE MACRO tc_slow(x) AS tc_empty(trim(regexp_replace(regexp_replace(
    trim(x, chr(32) || chr(9) || chr(12288) || chr(13) || chr(10)), '^="(.*)"$', '\1'), '^[''\t]+', ''),
    chr(32) || chr(9) || chr(12288)));
CREATE OR REPLACE MACRO tc(x) AS CASE
    WHEN x IS NULL THEN NULL
    WHEN x <> '' AND strpos('=''' || chr(9) || chr(32) || chr(12288) || '"' || chr(13) || chr(10), left(x, 1)) = 0
         AND strpos(chr(32) || chr(9) || chr(12288) || '"' || chr(13) || chr(10), right(x, 1)) = 0
        THEN tc_empty(x)
    WHEN starts_with(x, '="') AND ends_with(x, '"') AND NOT regexp_matches(x, '^="[\s''"]|[\s"]"$')
        THEN tc_empty(substring(x, 3, length(x) - 3))
    ELSE tc_slow(x) END;
CREATE OR REPLACE MACRO tid(x) AS regexp_replace(x, '^([0-9]+)\.0+$', '\1');
CREATE OR REPLACE MACRO money_bare(x) AS regexp_replace(
    regexp_replace(x, '[¥￥$€£\s]|元|RMB|CNY|USD|GBP|EUR', '', 'g'), '^(-?[0-9][0-9.,]*)[(（].*[)）]$', '\1');
CREATE OR REPLACE MACRO money_point(x) AS CASE
    WHEN regexp_full_match(x, '\(?-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+),[0-9]{1,2}\)?')
        THEN replace(replace(x, '.', ''), ',', '.')  -- a decimal comma, when it can't be a thousands one
    ELSE replace(x, ',', '') END;
CREATE OR REPLACE MACRO money_slow(x) AS coalesce(TRY_CAST(x AS DECIMAL(18, 4)), TRY_CAST(regexp_replace(
    regexp_replace(money_point(money_bare(x)), '^\((.*)\)$', '-\1'), '^(-?)[A-Z]{3}', '\1') AS DECIMAL(18, 4)));
CREATE OR REPLACE MACRO money(x) AS CASE WHEN TRY_CAST(x AS DECIMAL(18, 4)) IS NOT NULL
    THEN TRY_CAST(x AS DECIMAL(18, 4)) WHEN x IS NOT NULL THEN money_slow(tc(x)) END;
"""

_ISO_FORMATS = ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d",
                "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日"]
# two-digit years first: %Y would read the 10 of 2/20/10 as the year 10
_MDY = ["%m/%d/%y %H:%M", "%m/%d/%y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m-%d-%Y %H:%M",
        "%m-%d-%Y"]
_DMY = ["%d/%m/%y %H:%M", "%d/%m/%y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
_DMY_PATTERN = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})"
SUMMARY_LABELS = ("合计", "总计", "汇总", "小计", "Total", "Totals", "Grand Total")
_SCIENTIFIC = r"^[0-9](\.[0-9]+)?[eE]\+[0-9]+$"
_YEAR_FIRST = r"^[\s=\"']*\d{4}[-/.年]"
DATE_SAMPLE_ROWS = 100_000
# Why a row is left out, as the query writes it: (SQL condition, entry under "engine.excluded", each value of the
# entry as `said_sql` takes it: SQL over the row, or a `Said`)
Message = tuple[str, str, dict[str, str]]


@dataclass(frozen=True)
class Source:
    raw: RawTable
    mapping: ColumnMap
    index: int  # position among inputs, for "earlier file wins"


@dataclass(frozen=True)
class FileKeys:
    """What one file's customer keys and cells showed while cleaning."""

    masked: int = 0  # rows with a masked identifier (`****`, `密文`, per-order relay e-mails)
    relay: int = 0  # used rows identified by a stable marketplace relay e-mail
    conflicts: int = 0  # orders whose lines name two different customers (each went to its first line's)
    markers: dict[str, int] | None = None  # header -> cells holding a missing-value marker (NA, NULL, …)


@dataclass
class Cleaned:
    as_of: datetime
    excluded_by_reason: dict[str, int]
    per_file: dict[str, tuple[int, int, int]]  # name -> read, used, excluded
    keys: dict[str, FileKeys]  # name -> what its customer keys and cells showed
    statuses: list[tuple[str, str, str, int]]  # file, raw status, class, rows
    dayfirst: bool | None


def install_macros(con: Database, dayfirst: bool | None) -> None:
    con.script(_MACROS)
    formats = _ISO_FORMATS + (_DMY if dayfirst else _MDY)
    fmt = ", ".join(literal(f) for f in formats)
    iso = ", ".join(literal(f) for f in _ISO_FORMATS)
    con.script(
        rf"""CREATE OR REPLACE MACRO ts_slow(x) AS CASE
            WHEN regexp_full_match(x, '[0-9]{{5}}(\.[0-9]+)?')
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))
            ELSE try_strptime(regexp_replace(x, '\s*(Z|UTC|GMT|[+-][0-9]{{2}}:?[0-9]{{2}})$', ''), [{fmt}]) END;
        CREATE OR REPLACE MACRO ts(x) AS CASE WHEN TRY_CAST(x AS TIMESTAMP) IS NOT NULL THEN TRY_CAST(x AS TIMESTAMP)
            WHEN x IS NOT NULL THEN ts_slow(tc(x)) END;
        CREATE OR REPLACE MACRO ts_iso_slow(x) AS coalesce(TRY_CAST(x AS TIMESTAMP), CASE
            WHEN regexp_full_match(x, '[0-9]{{5}}(\.[0-9]+)?')
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))
            ELSE try_strptime(regexp_replace(x, '\s*(Z|UTC|GMT|[+-][0-9]{{2}}:?[0-9]{{2}})$', ''),
                              [{iso}]) END);
        CREATE OR REPLACE MACRO ts_iso(x) AS CASE WHEN TRY_CAST(x AS TIMESTAMP) IS NOT NULL
            THEN TRY_CAST(x AS TIMESTAMP) WHEN x IS NOT NULL THEN ts_iso_slow(tc(x)) END;
        CREATE OR REPLACE MACRO ts_tz(x, zone) AS CASE
            WHEN regexp_matches(tc(x), '{_OFFSET}') THEN timezone(zone, TRY_CAST(regexp_replace(regexp_replace(
                tc(x), '\s*(Z|UTC|GMT)\s*$', '+00:00'), '\s*([+-][0-9]{{2}}):?([0-9]{{2}})\s*$', '\1:\2')
                AS TIMESTAMPTZ))
            ELSE ts(x) END;"""
    )


def _col(src: Source, header: str) -> str:
    return f"c{src.raw.headers.index(header)}"


VALUE_FIELDS = frozenset({"paid_ts", "created_ts", "cancelled_ts", "amount", "unit_price", "quantity",
                          "refund_amount", "discount_amount"})
TIME_FIELDS = ("paid_ts", "created_ts", "cancelled_ts")
_OFFSET = r"[0-9]:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})\s*$"


@dataclass(frozen=True)
class DateColumn:
    """What the first values of a text date column show."""

    year_first: bool  # every sampled value starts with a 4-digit year
    offset: str | None  # the most common UTC offset written in the values (`+08:00`), None when there is none


@dataclass(frozen=True)
class Zones:
    """Time zones: `target` is the one zone times end up in (None: as written, offsets aside)."""

    target: str | None = None


def _text(src: Source, field: str) -> str:
    """The cleaned text of a field, as a column of `_texts` (a NULL literal when the field is unmapped)."""
    return f"t_{field}" if field in src.mapping.columns else "CAST(NULL AS VARCHAR)"


def _masked(src: Source, text: str) -> str:
    pattern = src.mapping.profile.masked_pattern
    return f"regexp_matches({text}, {literal(pattern)})" if pattern else "false"


def _texts(src: Source) -> str:
    """Cleaned text per mapped field, each macro applied to a plain column once (fallback chains coalesced);
    typed Parquet columns pass as text here and are used typed where it matters.

    A value field (time, money, quantity) read from one column passes through as it is: its parser tries the
    plain cast first and cleans the text (`tc`) only when that fails, which saves most of the pass's work.
    A masked customer identifier (`****`, `密文`) gives way to the next column of the customer chain."""
    profile = src.mapping.profile
    empties = ", ".join(literal(v) for v in profile.empty_values)
    cells = []
    emptied = []
    fields = []
    for field, headers in src.mapping.columns.items():
        names = []
        for k, header in enumerate(headers):
            col = _col(src, header)
            text = f"CAST({col} AS VARCHAR)" if col in src.raw.typed else col
            name = f"t_{field}_{k}"
            if field in VALUE_FIELDS and len(headers) == 1:
                cells.append(f"{text} AS {name}")
            else:  # cleaned once here; the profile's empty values are tested on the result, a step later
                cells.append(f"tc({text}) AS {name}")
            if empties and field not in VALUE_FIELDS:
                emptied.append(f"CASE WHEN {_one_of(name, profile.empty_values)} THEN NULL ELSE {name} END AS {name}")
            names.append(name)
        if field == "customer":
            written = names[0] if len(names) == 1 else f"coalesce({', '.join(names)})"
            usable = [f"CASE WHEN {_masked(src, n)} THEN NULL ELSE {n} END" for n in names]
            text = usable[0] if len(usable) == 1 else f"coalesce({', '.join(usable)})"
            fields.append(f"{written} AS customer_written")
            fields.append(f"coalesce({_masked(src, written)}, false) AS key_masked")
            ranks = " ".join(f"WHEN {u} IS NOT NULL THEN {k}" for k, u in enumerate(usable))
            fields.append(f"CASE {ranks} END AS key_rank")  # which column of the chain gave the key
            text = f"tid({text})"
        else:
            text = names[0] if len(names) == 1 else f"coalesce({', '.join(names)})"
            if field in ("order_id", "sku"):  # an id read from a number cell: 501.0 is 501, as events write it
                text = f"tid({text})"
        fields.append(f"{text} AS t_{field}")
    if "customer" not in src.mapping.columns:
        fields += ["CAST(NULL AS VARCHAR) AS customer_written", "false AS key_masked",
                   "CAST(NULL AS INTEGER) AS key_rank"]
    raw = "".join(f", {c}" for c in _carried_cells(src))
    marks = [f"CASE WHEN is_marker({'CAST(' + c + ' AS VARCHAR)' if c in src.raw.typed else c}) THEN {1 << j} "
             "ELSE 0 END" for j, c in enumerate(marked_columns(src))]
    mask = " + ".join(marks) if marks else "0"
    inner = f"SELECT __row{raw}, {', '.join(cells)}, {mask} AS marker_mask FROM {src.raw.table}"
    if emptied:
        inner = f"SELECT * REPLACE ({', '.join(emptied)}) FROM ({inner})"
    return f"SELECT __row{raw}, {', '.join(fields)}, marker_mask FROM ({inner})"


def marked_columns(src: Source) -> list[str]:
    """The mapped columns whose missing-value markers (NA, NULL, …) are counted, in the order of the bits of
    `marker_mask` (at most 62)."""
    return list(dict.fromkeys(_col(src, h) for headers in src.mapping.columns.values() for h in headers))[:62]


def _carried_cells(src: Source) -> list[str]:
    return [*src.raw.columns, *([EXTRA] if src.raw.extra else [])]


def _header(src: Source, field: str) -> str:
    return ", ".join(f"'{h}'" for h in src.mapping.columns.get(field, ()))


def date_columns(con: Database, sources: Sequence[Source]) -> dict[tuple[int, str], DateColumn]:
    """Text date columns, judged from their first values: written year first (2024-03-04, 2024/3/4, 2024年3月4日)
    or not, and with a UTC offset or not.

    Year-first columns are read with year-first formats only, so the day-first question needs no pass over the
    whole file; a later value written another way is not a date there, and its row is excluded as bad_date with
    its text. Columns with offsets are converted to one zone."""
    found = {}
    for src in sources:
        for field in TIME_FIELDS:
            for header in src.mapping.columns.get(field, ()):
                col = _col(src, header)
                if col in src.raw.typed:
                    continue
                sample = (f"SELECT {col} AS v, __row FROM {src.raw.table} WHERE {col} IS NOT NULL "
                          f"LIMIT {DATE_SAMPLE_ROWS}")
                row = reading(con, src, "SELECT count(*), count(*) FILTER (WHERE NOT regexp_matches(v, ?)) "
                              f"FROM ({sample})", [_YEAR_FIRST]).fetchone()
                if not row or not row[0]:
                    continue
                offset = reading(con, src,  # the most common offset; on a tie, the one met first
                                 f"""SELECT regexp_extract(v, ?, 1) AS o FROM ({sample}) WHERE regexp_matches(v, ?)
                                     GROUP BY o ORDER BY count(*) DESC, min(__row) LIMIT 1""",
                                 [_OFFSET, _OFFSET]).fetchone()
                found[(src.index, col)] = DateColumn(not row[1], _offset_text(offset[0] if offset else None))
    return found


def reading(con: Database, src: Source, sql: str, parameters: Sequence[object] | None = None) -> Any:
    """Execute `sql`, which reads `src`: what a file holds that can't be read (a Parquet file cut short or broken
    further down than its first rows) is an InputError naming the file. (A CSV file is read whole when it is
    opened, so its problems are found there.)"""
    try:
        return con.execute(sql, parameters)
    except duckdb.Error as exc:
        if is_data_error(exc):
            raise unreadable(exc, src.raw) from exc
        raise


def _offset_text(written: str | None) -> str | None:
    if written is None:
        return None
    if written in ("Z", "UTC", "GMT"):
        return "+00:00"
    digits = written.replace(":", "")
    return f"{digits[:3]}:{digits[3:]}"


def zone_name(zone: str) -> str:
    """A zone DuckDB's timezone() understands: IANA names as they are, `+08:00` as `GMT+08:00`."""
    return f"GMT{zone}" if zone[:1] in "+-" else zone


def _status_sql(src: Source, extra: Mapping[str, str]) -> str:
    profile = src.mapping.profile
    statuses = {**profile.statuses, **extra}
    if "status" not in src.mapping.columns:
        return "'paid_done'"
    cases = " ".join(f"WHEN status = {literal(k)} THEN {literal(v)}" for k, v in statuses.items())
    cases += " ".join(f" WHEN starts_with(status, {literal(k)}) THEN {literal(v)}"
                      for k, v in profile.status_prefixes.items())
    return f"CASE {cases} ELSE 'unknown' END"


def _refund_class_sql(src: Source) -> str:
    refunds = src.mapping.profile.refund_statuses
    if "refund_status" not in src.mapping.columns or not refunds:
        return "CAST(NULL AS VARCHAR)"
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in refunds.items())
    return f"CASE t_refund_status {cases} END"


def _prefix_test(src: Source, kind: str) -> str:
    prefixes = [p for p, k in src.mapping.profile.order_id_prefixes.items() if k == kind]
    if not prefixes or "order_id" not in src.mapping.columns:
        return "false"
    return "(" + " OR ".join(f"starts_with(t_order_id, {literal(p)})" for p in prefixes) + ")"


def _typed_select(src: Source, dates: Mapping[tuple[int, str], DateColumn], zones: Zones) -> str:
    cols = src.mapping.columns
    profile = src.mapping.profile
    amount = (f"money({_text(src, 'amount')})" if "amount" in cols
              else f"money({_text(src, 'quantity')}) * money({_text(src, 'unit_price')})")
    returned = _prefix_test(src, "return")
    if profile.negative_quantity_is_return and "quantity" in cols:
        returned = f"({returned} OR money({_text(src, 'quantity')}) < 0)"
    if returned != "false":
        amount = f"CASE WHEN {returned} THEN -abs({amount}) ELSE {amount} END"
    amount_raw = _text(src, "amount") if "amount" in cols else f"{_text(src, 'unit_price')}"
    order_id = _text(src, "order_id") if "order_id" in cols else f"{literal(src.raw.name)} || ':' || __row"
    region = _text(src, "region")
    if profile.region_from_address and "region" in cols:
        region = f"nullif(split_part({region}, ' ', 1), '')"
    ts_of = {f: _ts(src, f, dates, zones) for f in TIME_FIELDS}
    raw = "".join(f", {c}" for c in _carried_cells(src))
    return f"""
        SELECT {src.index} AS __input, __row AS source_row{raw},
            {_text(src, 'customer')} AS customer_id, customer_written, key_masked, key_rank, marker_mask,
            {order_id} AS order_id,
            {_prefix_test(src, 'adjustment')} AS is_adjustment,
            {ts_of['paid_ts']} AS paid_ts, {ts_of['created_ts']} AS created_ts,
            {ts_of['cancelled_ts']} AS cancelled_at,
            {_text(src, 'paid_ts')} AS paid_raw, {_text(src, 'created_ts')} AS created_raw,
            {amount} AS gross, {amount_raw} AS amount_raw,
            coalesce(money({_text(src, 'refund_amount')}), 0) AS refund_amount,
            coalesce(money({_text(src, 'discount_amount')}), 0) AS discount_amount,
            money({_text(src, 'quantity')}) AS quantity,
            money({_text(src, 'unit_price')}) AS unit_price,
            {_text(src, 'status')} AS status,
            {_text(src, 'refund_status')} AS refund_status, {_refund_class_sql(src)} AS refund_class,
            {_text(src, 'product')} AS product, {_text(src, 'sku')} AS sku, {_text(src, 'category')} AS category,
            {region} AS region, {_text(src, 'channel')} AS channel, {_text(src, 'currency')} AS currency
        FROM ({_texts(src)})"""


def _ts(src: Source, field: str, dates: Mapping[tuple[int, str], DateColumn], zones: Zones) -> str:
    headers = src.mapping.columns.get(field)
    if not headers:
        return "CAST(NULL AS TIMESTAMP)"
    col = _col(src, headers[0])
    if col in src.raw.typed:
        kind = src.raw.typed[col]
        if kind == "DATE" or (kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind):
            return f"TRY_CAST({col} AS TIMESTAMP)"  # a date beyond what a timestamp holds is no date
        if "TIME ZONE" in kind:
            return col
        return f"ts(CAST({col} AS VARCHAR))"  # numbers (Excel serials), text in another type: read as text
    judged = [dates.get((src.index, _col(src, h))) for h in headers]
    parse = "ts_iso" if all(j is not None and j.year_first for j in judged) else "ts"
    offsets = [j.offset for j in judged if j is not None and j.offset]
    naive_zone = src.mapping.profile.timezone
    if offsets:
        target = zone_name(zones.target or offsets[0])
        return f"ts_tz({_text(src, field)}, {literal(target)})"
    if naive_zone and zones.target:
        return (f"timezone({literal(zone_name(zones.target))}, "
                f"timezone({literal(naive_zone)}, {parse}({_text(src, field)})))")
    return f"{parse}({_text(src, field)})"


def _carry_order_fields(src: Source) -> str:
    """SQL over `typed` for line_first shapes: order fields from the order's first line onto every line."""
    carried = ["customer_id", "customer_written", "key_masked", "paid_ts", "created_ts", "cancelled_at", "paid_raw",
               "created_raw", "gross", "amount_raw", "refund_amount", "discount_amount", "status", "refund_status",
               "refund_class", "region", "channel", "currency"]
    window = "OVER (PARTITION BY order_id ORDER BY source_row ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    # a line without an order id is an order of its own: it borrows nothing
    exprs = ", ".join(f"CASE WHEN order_id IS NULL THEN {c} ELSE coalesce({c}, first_value({c} IGNORE NULLS) "
                      f"{window}) END AS {c}" for c in carried)
    return f"SELECT * REPLACE ({exprs}) FROM typed"


def _one_of(expr: str, values: Sequence[str]) -> str:
    """`expr` is one of `values` — written with strpos, because DuckDB plans an IN list (and list_contains on
    a constant list) as a join over every row, even where a CASE would evaluate it for a few."""
    longest = max((len(v) for v in values), default=0)
    joined = "|" + "|".join(values) + "|"
    return f"(length({expr}) <= {longest} AND strpos({literal(joined)}, '|' || {expr} || '|') > 0)"


def _summary_test(src: Source) -> str:
    labels = src.mapping.profile.summary_labels or SUMMARY_LABELS
    first = src.raw.columns[0] if src.raw.columns else "NULL"
    variants = [v for label in labels for v in (label, label + ":", label + "：")]
    return (f"({_one_of('order_id', variants)} OR {_one_of('customer_written', variants)} "
            f"OR {_one_of(f'trim(CAST({first} AS VARCHAR))', variants)})")


def _reason_sql(src: Source, item: bool = False) -> tuple[str, str, list[Message], list[Message]]:
    """The reason a row is not used (NULL: used); the reason it would have if it had a customer (the tests after
    the customer's); the messages saying why (see `Message`), all and those after the customer's."""
    cust = _header(src, "customer")
    paid_cols, created_cols = _header(src, "paid_ts"), _header(src, "created_ts")
    time_cols = ", ".join(x for x in (paid_cols, created_cols) if x)
    amount_cols = _header(src, "amount") or _header(src, "unit_price")
    bad_paid = "(paid_ts IS NULL AND tc(paid_raw) IS NOT NULL)"
    bad_created = "(paid_ts IS NULL AND created_ts IS NULL AND tc(created_raw) IS NOT NULL)"
    out_of_range = f"(coalesce(paid_ts, created_ts) NOT BETWEEN {timestamp(FIRST_DATE)} AND {timestamp(LAST_DATE)})"
    written = "coalesce(tc(paid_raw), CAST(paid_ts AS VARCHAR), tc(created_raw), CAST(created_ts AS VARCHAR))"
    written_in = (f"CASE WHEN paid_ts IS NOT NULL THEN {literal(paid_cols or time_cols)} "
                  f"ELSE {literal(created_cols or time_cols)} END")
    extra = f"tc({EXTRA}) IS NOT NULL" if src.raw.extra else "false"
    # Without a status, a file with both a payment time and an order time says an order is unpaid by an empty
    # payment time (a Tmall 订单报表 without 订单状态: 订单付款时间 is empty, 买家实际支付金额 0).
    never_paid = ("(paid_ts IS NULL AND tc(paid_raw) IS NULL AND created_ts IS NOT NULL)"
                  if paid_cols and created_cols and not _header(src, "status") and not item else "false")
    after_customer = f"""CASE
            WHEN {bad_paid} OR {bad_created} OR coalesce(paid_ts, created_ts) IS NULL OR {out_of_range}
                THEN 'bad_date'
            WHEN gross IS NULL THEN 'bad_amount'
            WHEN status_class = 'unknown' AND NOT (paid_ts IS NOT NULL AND gross > 0) THEN 'unknown_status'
            WHEN gross > 0 AND refund_amount >= gross THEN 'refunded_in_full'
        END"""
    status_reason = _one_of('status_class', ('unpaid', 'cancelled', 'refunded', 'unknown'))
    extra_cell = f"tc({EXTRA if src.raw.extra else 'NULL'})"
    messages: list[Message] = [
        (extra, "extra_cells", {"cell": extra_cell}),
        (_summary_test(src), "summary_row", {}),
        ("is_adjustment", "adjustment", {"order": "order_id"}),
        (f"{status_reason} AND status IS NOT NULL", "status", {"status": "status"}),
        (_one_of('refund_class', ('refunded', 'cancelled')), "after_sale", {"status": "refund_status"}),
        ("cancelled_at IS NOT NULL", "cancelled_at", {"time": "CAST(cancelled_at AS VARCHAR)"}),
        (never_paid, "no_payment_time", {"columns": literal(paid_cols or time_cols)}),
        ("customer_id IS NULL AND customer_written IS NOT NULL", "masked",
         {"value": "customer_written", "columns": literal(cust)}),
        ("customer_id IS NULL", "empty", {"columns": literal(cust)}),
        (bad_paid, "not_a_date", {"value": "tc(paid_raw)", "columns": literal(paid_cols)}),
        (bad_created, "not_a_date", {"value": "tc(created_raw)", "columns": literal(created_cols)}),
        ("coalesce(paid_ts, created_ts) IS NULL", "empty", {"columns": literal(time_cols)}),
        (out_of_range, "out_of_range", {"value": written, "columns": written_in, "range": DATE_RANGE}),
        ("gross IS NULL AND tc(amount_raw) IS NULL", "empty", {"columns": literal(amount_cols)}),
        ("gross IS NULL", "not_an_amount", {"value": "tc(amount_raw)", "columns": literal(amount_cols)}),
        ("gross > 0 AND refund_amount >= gross", "refunded",
         {"refund": "CAST(refund_amount AS VARCHAR)", "paid": "CAST(gross AS VARCHAR)"}),
    ]
    return f"""
        CASE
            WHEN {extra} THEN 'extra_cells'
            WHEN {_summary_test(src)} THEN 'summary_row'
            WHEN is_adjustment THEN 'adjustment'
            WHEN status_class = 'unpaid' THEN 'unpaid'
            WHEN status_class = 'refunded' OR refund_class = 'refunded' THEN 'refunded_in_full'
            WHEN status_class = 'cancelled' OR refund_class = 'cancelled' OR cancelled_at IS NOT NULL
                THEN 'cancelled'
            WHEN {never_paid} THEN 'unpaid'
            WHEN {str(item).lower()} THEN NULL  -- the rest comes from the item's order, joined afterwards
            WHEN customer_id IS NULL THEN 'missing_customer'
            ELSE {after_customer}
        END""", after_customer, messages, messages[[m[0] for m in messages].index(bad_paid):]


def _message_case(messages: Sequence[Message], lang: str) -> str:
    """CASE over the messages (condition, catalogue entry, SQL expression of each of its values), in `lang`."""
    whens = "\n            ".join(f"WHEN {condition} THEN {said_sql(f'engine.excluded.{key}', lang, **values)}"
                                   for condition, key, values in messages)
    return f"CASE\n            {whens}\n        END"


def _order_keys(con: Database, sources: Sequence[Source], items: Mapping[int, list[int]]) -> None:
    """The customer is a property of the order: every line of an order gets one key, the first usable key of the
    customer chain over all its lines (the chain's first column before its second; within a column, the first
    line first), so that a line that lacks an e-mail its order's first line has (a Shopify continuation line
    with only a phone) is not another customer. Two different values of that key in one order are a conflict
    (`key_conflict`, counted and reported); the order goes to its first line's value.

    Done on the `lines` table once it is written, over its narrow key columns and only for the orders whose lines
    don't all name the same customer: a line that gets its order's customer takes the reason it would have with
    one (`reason_post`, kept beside it)."""
    keyed = [s.index for s in sources
             if "order_id" in s.mapping.columns and s.mapping.profile.shape != "order" and s.index not in items]
    if not keyed:
        return
    inputs = ", ".join(str(int(i)) for i in keyed)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __mixed AS
        SELECT __input, order_id FROM lines WHERE __input IN ({inputs}) AND order_id IS NOT NULL
        GROUP BY __input, order_id
        HAVING min(coalesce(customer_id, '')) <> max(coalesce(customer_id, ''))""")
    found = con.execute("SELECT count(*) FROM __mixed").fetchone()
    if found and found[0]:
        have = "CASE WHEN customer_id IS NOT NULL AND key_rank IS NOT NULL THEN"
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE __keys AS
            SELECT __input, source_row, key, conflict FROM (
                SELECT __input, source_row, customer_id,
                    arg_min(customer_id, {have} struct_pack(r := key_rank, s := source_row) END) OVER o AS key,
                    coalesce((min({have} struct_pack(r := key_rank, c := customer_id) END) OVER o).c
                             <> (max({have} struct_pack(r := -key_rank, c := customer_id) END) OVER o).c,
                             false) AS conflict
                FROM lines JOIN __mixed USING (__input, order_id)
                WINDOW o AS (PARTITION BY __input, order_id))
            WHERE key IS NOT NULL AND (customer_id IS DISTINCT FROM key OR conflict)""")
        gains = "lines.reason = 'missing_customer'"
        con.execute(f"""
            UPDATE lines SET customer_id = k.key, key_conflict = k.conflict,
                reason = CASE WHEN {gains} THEN lines.reason_post ELSE lines.reason END,
                message = CASE WHEN {gains} THEN lines.message_post ELSE lines.message END,
                message_zh = CASE WHEN {gains} THEN lines.message_post_zh ELSE lines.message_zh END,
                raw_cells = CASE WHEN {gains} AND lines.reason_post IS NULL THEN NULL ELSE lines.raw_cells END
            FROM __keys k WHERE lines.__input = k.__input AND lines.source_row = k.source_row""")
        con.execute("DROP TABLE __keys")
    con.execute("DROP TABLE __mixed")


def _row_select(src: Source, extra_statuses: Mapping[str, str], dates: Mapping[tuple[int, str], DateColumn],
                zones: Zones, as_of: datetime | None, item: bool = False) -> str:
    """One input's rows as `lines` rows: canonical columns, reason and message, original cells if excluded."""
    body = f"WITH typed AS ({_typed_select(src, dates, zones)}) "
    body += _carry_order_fields(src) if src.mapping.profile.shape == "line_first" else "SELECT * FROM typed"
    reason, after_customer, messages, later = _reason_sql(src, item)
    # A row without a customer may get its order's (`order_keys`): what it would then be is kept beside it.
    # The messages are made only for the rows left out: most rows are used and need none.
    reasoned = f"""
        SELECT *, CASE WHEN reason IS NOT NULL THEN {_message_case(messages, "en")} END AS message,
                  CASE WHEN reason IS NOT NULL THEN {_message_case(messages, "zh")} END AS message_zh,
                  CASE WHEN reason_post IS NOT NULL THEN {_message_case(later, "en")} END AS message_post,
                  CASE WHEN reason_post IS NOT NULL THEN {_message_case(later, "zh")} END AS message_post_zh
        FROM (SELECT *, CASE WHEN reason = 'missing_customer' THEN {after_customer} END AS reason_post
              FROM (SELECT *, coalesce(paid_ts, created_ts) AS order_ts, {reason} AS reason, false AS key_conflict
                    FROM (SELECT *, {_status_sql(src, extra_statuses)} AS status_class FROM ({body}))))"""
    if as_of is not None:
        late = f"reason IS NULL AND order_ts > {timestamp(as_of)}"
        late_post = f"reason = 'missing_customer' AND reason_post IS NULL AND order_ts > {timestamp(as_of)}"
        ordered = {"time": "CAST(order_ts AS VARCHAR)", "as_of": literal(str(as_of))}
        en, zh = (said_sql("engine.excluded.after_as_of", lang, **ordered) for lang in ("en", "zh"))
        reasoned = f"""SELECT * REPLACE (
            CASE WHEN {late_post} THEN 'after_as_of' ELSE reason_post END AS reason_post,
            CASE WHEN {late_post} THEN {en} ELSE message_post END AS message_post,
            CASE WHEN {late_post} THEN {zh} ELSE message_post_zh END AS message_post_zh,
            CASE WHEN {late} THEN 'after_as_of' ELSE reason END AS reason,
            CASE WHEN {late} THEN {en} ELSE message END AS message,
            CASE WHEN {late} THEN {zh} ELSE message_zh END AS message_zh)
            FROM ({reasoned})"""
    cells = ", ".join(f"CAST({c} AS VARCHAR)" for c in src.raw.columns)
    dropped = ", ".join([*_carried_cells(src), "paid_raw", "created_raw", "amount_raw", "paid_ts", "created_ts",
                         "customer_written", "is_adjustment", "refund_class"])
    return f"""
        SELECT * EXCLUDE ({dropped}), CASE WHEN reason IS NOT NULL THEN [{cells}] END AS raw_cells
        FROM ({reasoned})"""


def decide_dayfirst(con: Database, sources: Sequence[Source], configured: bool | None,
                    dates: Mapping[tuple[int, str], DateColumn] | None = None) -> bool | None:
    """Read dates like 03/04/2024 day-first or month-first, from what the data shows."""
    firsts: list[int] = []
    seconds: list[int] = []
    examples: list[Said] = []
    for src in sources:
        for field in ("paid_ts", "created_ts"):
            for header in src.mapping.columns.get(field, ()):
                col = _col(src, header)
                judged = (dates or {}).get((src.index, col))
                if col in src.raw.typed or (judged is not None and judged.year_first):
                    continue
                row = reading(
                    con, src, f"""SELECT max(TRY_CAST(regexp_extract({col}, ?, 1) AS INTEGER)),
                               max(TRY_CAST(regexp_extract({col}, ?, 2) AS INTEGER)),
                               any_value({col}) FILTER (WHERE regexp_matches({col}, ?))
                        FROM {src.raw.table} WHERE {col} IS NOT NULL AND NOT regexp_matches({col}, '^\\s*\\d{{4}}')""",
                    [_DMY_PATTERN, _DMY_PATTERN, _DMY_PATTERN],
                ).fetchone()
                if row and row[0] is not None:
                    firsts.append(row[0])
                    seconds.append(row[1])
                    examples.append(say("engine.date_example", value=row[2], header=header, file=src.raw.name))
    if not firsts:
        return configured
    day_first_seen = max(firsts) > 12
    month_first_seen = max(seconds) > 12
    if day_first_seen and month_first_seen:
        raise DataError(say("engine.mixed_date_order", examples=listed(examples, "common.semicolon")),
                        slug="mixed_date_order")
    if day_first_seen or month_first_seen:
        found = day_first_seen
        if configured is not None and configured != found:
            raise DataError(say("engine.dayfirst_conflict", configured=str(configured).lower(),
                                order=say("engine.day" if found else "engine.month"), example=examples[0]),
                            slug="dayfirst")
        return found
    if configured is None:
        defaults = {s.mapping.profile.dayfirst for s in sources} - {None}
        if len(defaults) == 1:
            return defaults.pop()
        raise DataError(say("engine.ambiguous_dates", example=examples[0]), slug="ambiguous_dates")
    return configured


def build_lines(
    con: Database,
    sources: Sequence[Source],
    extra_statuses: Mapping[str, str],
    dates: Mapping[tuple[int, str], DateColumn] | None = None,
    zones: Zones | None = None,
    as_of: datetime | None = None,
) -> None:
    """Create table `lines`: every input row, typed, with `reason` NULL for rows that will be used.

    Each input is scanned once, in its own statement, so a file that can't be parsed is named in the error."""
    con.execute("CREATE OR REPLACE TABLE __inputs (__input INTEGER, source_file VARCHAR)")
    con.executemany("INSERT INTO __inputs VALUES (?, ?)", [(s.index, s.raw.name) for s in sources])
    items = item_sources(sources)
    for position, src in enumerate(sources):
        select = _row_select(src, extra_statuses, dates or {}, zones or Zones(), as_of,
                             item=src.index in items)
        statement = (f"CREATE TABLE lines AS {select}" if position == 0
                     else f"INSERT INTO lines BY NAME {select}")
        reading(con, src, statement)
    _order_keys(con, sources, items)


def _check_ids(con: Database, sources: Sequence[Source]) -> None:
    """Ids written in scientific notation (1.23457E+18) have lost their digits already: stop, naming the column."""
    for field, column in (("customer", "customer_id"), ("order_id", "order_id")):
        row = con.execute(
            f"""SELECT __input, {column} FROM lines
                WHERE contains(upper({column}), 'E+') AND regexp_matches({column}, ?) LIMIT 1""",
            [_SCIENTIFIC]).fetchone()
        if row:
            src = next(s for s in sources if s.index == row[0])
            header = " / ".join(src.mapping.columns.get(field, ()))
            raise DataError(say("engine.scientific_id", value=row[1]), Location(file=src.raw.path, column=header),
                            slug="scientific_id")


def _late_exclusions(con: Database, sources: Sequence[Source]) -> None:
    """Duplicates: an order read before, from an earlier file or (order-per-row exports) an earlier row."""
    items = item_sources(sources)
    sources = [s for s in sources if s.index not in items]
    order_shape = any(s.mapping.profile.shape == "order" for s in sources)
    has_ids = any("order_id" in s.mapping.columns for s in sources)
    if not (has_ids and (len(sources) > 1 or order_shape)):
        return
    considered = ", ".join(str(s.index) for s in sources)
    # a row with a negative amount under a paid order's id is its refund or return (Square, Stripe): it nets
    candidates = (f"reason IS NULL AND order_id IS NOT NULL AND l.__input IN ({considered}) "
                  "AND NOT coalesce(gross < 0, false)")
    dup = con.execute(
        f"""SELECT count(*) FROM (SELECT order_id FROM lines l WHERE {candidates}
           GROUP BY order_id HAVING count(DISTINCT __input) > 1 OR count(*) > 1)""").fetchone()
    if not dup or not dup[0]:
        return
    first = {"order": "lines.order_id", "file": "d.first_file", "row": "CAST(d.first_row AS VARCHAR)"}
    con.execute(f"""
        UPDATE lines SET reason = 'duplicate_order',
            message = {said_sql("engine.excluded.duplicate_order", "en", **first)},
            message_zh = {said_sql("engine.excluded.duplicate_order", "zh", **first)}
        FROM (SELECT l.__input, source_row, order_id,
                     first_value(f.source_file) OVER w AS first_file,
                     first_value(source_row) OVER w AS first_row,
                     first_value(l.__input) OVER w AS first_input
              FROM lines l JOIN __inputs f USING (__input) WHERE {candidates}
              WINDOW w AS (PARTITION BY order_id ORDER BY l.__input, source_row)) d
        WHERE lines.__input = d.__input AND lines.source_row = d.source_row
          AND (d.__input <> d.first_input OR ({str(order_shape).lower()} AND (d.source_row <> d.first_row)))""")
    for src in sources:  # their original cells, read again from the file for just these rows
        cells = ", ".join(f"CAST(r.{c} AS VARCHAR)" for c in src.raw.columns)
        reading(con, src, f"""
            UPDATE lines SET raw_cells = [{cells}] FROM {src.raw.table} r
            WHERE lines.__input = {src.index} AND lines.reason = 'duplicate_order' AND lines.source_row = r.__row""")


def item_sources(sources: Sequence[Source]) -> dict[int, list[int]]:
    """Item reports given together with their order report: item input -> the order report inputs."""
    out = {}
    for src in sources:
        owner = src.mapping.profile.items_of
        orders = [o.index for o in sources if owner is not None and o.mapping.profile.name == owner]
        if orders:
            out[src.index] = orders
    return out


def _join_items(con: Database, sources: Sequence[Source]) -> None:
    """Item rows take customer, time and status from their order's row in the order report, and share its amount
    by line value (the first item takes the rounding remainder); the order's row stays used, as the order, with
    nothing left to add. An item whose order is excluded is excluded for the same reason; an item whose order is
    not in the order report is excluded as `no_order`."""
    for item, orders in item_sources(sources).items():
        owner = ", ".join(str(i) for i in orders)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE __items AS
            WITH o AS (
                SELECT DISTINCT ON (order_id) * FROM lines WHERE __input IN ({owner})
                ORDER BY order_id, reason IS NOT NULL, __input, source_row),
            i AS (
                SELECT i.__input, i.source_row, i.order_id,
                       coalesce(nullif(abs(CAST(coalesce(i.unit_price, 0) * coalesce(i.quantity, 1) AS DOUBLE)), 0),
                                1.0) AS w,
                       o.__input AS o_input, o.source_row AS o_row, o.reason AS o_reason, o.customer_id,
                       o.key_masked, o.order_ts, o.status AS o_status, o.status_class AS o_class, o.region,
                       o.channel, o.currency, o.gross, o.refund_amount, o.discount_amount
                FROM lines i LEFT JOIN o USING (order_id)
                WHERE i.__input = {item} AND i.reason IS NULL)
            SELECT *, sum(w) OVER o AS tw, row_number() OVER (PARTITION BY order_id ORDER BY source_row) AS rn
            FROM i WINDOW o AS (PARTITION BY order_id)""")
        shares = ", ".join(_share_sql(c) for c in ("gross", "refund_amount", "discount_amount"))
        con.execute(f"""
            UPDATE lines SET customer_id = s.customer_id, key_masked = s.key_masked, order_ts = s.order_ts,
                status = coalesce(lines.status, s.o_status),
                status_class = CASE WHEN lines.status IS NULL THEN s.o_class ELSE lines.status_class END,
                region = coalesce(lines.region, s.region), channel = coalesce(lines.channel, s.channel),
                currency = coalesce(lines.currency, s.currency),
                gross = s.gross, refund_amount = s.refund_amount, discount_amount = s.discount_amount
            FROM (SELECT __input, source_row, customer_id, key_masked, order_ts, o_status, o_class, region, channel,
                         currency, {shares}
                  FROM __items WHERE o_input IS NOT NULL AND o_reason IS NULL
                  WINDOW o AS (PARTITION BY order_id)) s
            WHERE lines.__input = s.__input AND lines.source_row = s.source_row""")
        excluded = {"file": "f.source_file", "row": "CAST(i.o_row AS VARCHAR)", "reason": "i.o_reason"}
        message = {lang: f"""CASE WHEN i.o_input IS NULL
                    THEN {said_sql("engine.excluded.no_order", lang, order="i.order_id")}
                    ELSE {said_sql("engine.excluded.order_excluded", lang, **excluded)} END"""
                   for lang in ("en", "zh")}
        con.execute(f"""
            UPDATE lines SET reason = CASE WHEN i.o_input IS NULL THEN 'no_order' ELSE i.o_reason END,
                message = {message["en"]},
                message_zh = {message["zh"]}
            FROM __items i LEFT JOIN __inputs f ON f.__input = i.o_input
            WHERE lines.__input = i.__input AND lines.source_row = i.source_row
              AND (i.o_input IS NULL OR i.o_reason IS NOT NULL)""")
        con.execute("""
            UPDATE lines SET gross = 0, refund_amount = 0, discount_amount = 0, quantity = NULL, product = NULL,
                sku = NULL, category = NULL
            FROM (SELECT DISTINCT o_input, o_row FROM __items WHERE o_reason IS NULL) h
            WHERE lines.__input = h.o_input AND lines.source_row = h.o_row""")
        con.execute("DROP TABLE __items")


def _share_order_amounts(con: Database, sources: Sequence[Source]) -> None:
    """An order-level amount on several lines is shared over them by line value (the first line takes the
    rounding remainder), so an order's lines add up to exactly what was paid."""
    shared = [s.index for s in sources if s.mapping.profile.shape != "order"
              and s.mapping.profile.amount in ("order", "order_repeated")]
    if not shared:
        return
    inputs = ", ".join(str(i) for i in shared)
    weight = "coalesce(nullif(abs(CAST(coalesce(unit_price, 0) * coalesce(quantity, 1) AS DOUBLE)), 0), 1.0)"
    _share_with_window(con, inputs, weight)


def _share_sql(column: str) -> str:
    """The line's part of an order-level value; the order's first line takes the rounding remainder."""
    part = f"CAST(CAST({column} AS DOUBLE) * w / tw AS DECIMAL(18, 4))"
    return f"CASE WHEN rn = 1 THEN {column} - (sum({part}) OVER o - {part}) ELSE {part} END AS {column}"


def _share_with_window(con: Database, inputs: str, weight: str) -> None:
    shares = ", ".join(_share_sql(c) for c in ("gross", "refund_amount", "discount_amount"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __shares AS
        SELECT __input, source_row, {shares}
        FROM (SELECT *, sum(w) OVER o AS tw,
                     row_number() OVER (PARTITION BY __input, order_id ORDER BY source_row) AS rn
              FROM (SELECT *, {weight} AS w FROM lines
                    WHERE __input IN ({inputs}) AND reason IS NULL AND order_id IS NOT NULL)
              WINDOW o AS (PARTITION BY __input, order_id))
        WINDOW o AS (PARTITION BY __input, order_id)""")
    con.execute("""
        UPDATE lines SET gross = s.gross, refund_amount = s.refund_amount, discount_amount = s.discount_amount
        FROM __shares s WHERE lines.__input = s.__input AND lines.source_row = s.source_row""")
    con.execute("DROP TABLE __shares")


def clean(
    con: Database,
    sources: Sequence[Source],
    *,
    as_of: datetime | None,
    dayfirst: bool | None,
    extra_statuses: Mapping[str, str],
    timezone: str | None = None,
    require_orders: bool = True,
) -> Cleaned:
    """Everything that reads the input files; afterwards only `lines` and `__inputs` are needed."""
    dates = date_columns(con, sources)
    decided = decide_dayfirst(con, sources, dayfirst, dates)
    install_macros(con, decided)
    build_lines(con, sources, extra_statuses, dates, Zones(timezone), as_of)
    _check_ids(con, sources)
    _late_exclusions(con, sources)
    _join_items(con, sources)
    _share_order_amounts(con, sources)
    con.execute("""
        CREATE VIEW orders AS SELECT customer_id, order_id, order_ts, gross - refund_amount AS amount,
            refund_amount, discount_amount, quantity, product, sku, category, region, channel, status, currency,
            source_file, source_row
        FROM lines JOIN __inputs USING (__input) WHERE reason IS NULL""")
    stats = con.execute("SELECT count(*), max(order_ts) FROM lines WHERE reason IS NULL").fetchone()
    if (not stats or not stats[0]) and require_orders:
        raise _nothing_left(con, sources, as_of)
    final_as_of: datetime = as_of or (stats[1] if stats and stats[1] else datetime(1970, 1, 1))
    by_reason = dict(con.execute(
        "SELECT reason, count(*) FROM lines WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    counts = {row[0]: row[1:] for row in con.execute(
        """SELECT __input, count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL),
                  count(*), count(*) FILTER (WHERE key_masked)
           FROM lines GROUP BY __input""").fetchall()}
    conflicts = dict(con.execute("""SELECT __input, count(*) FROM (
        SELECT DISTINCT __input, order_id FROM lines WHERE key_conflict) GROUP BY __input""").fetchall())
    # no row may be there twice (a grouping, not count(DISTINCT), so that millions of rows spill to disk)
    twice = con.execute("SELECT __input, source_row FROM lines GROUP BY ALL HAVING count(*) > 1 LIMIT 1").fetchone()
    per_file = {}
    keys = {}
    for src in sources:
        used, excluded, total, masked = counts.get(src.index, (0, 0, 0, 0))
        if src.raw.rows is None:  # a CSV: its rows were counted by the pass itself
            src.raw.rows = total
        if used + excluded != src.raw.rows or (twice is not None and twice[0] == src.index):
            raise AssertionError(f"row accounting broke for {src.raw.name}: read {src.raw.rows}, "
                                 f"used {used}, excluded {excluded}, of {total} (row {twice and twice[1]} twice?)")
        per_file[src.raw.name] = (src.raw.rows, used, excluded)
        relay = src.mapping.profile.relay_pattern
        relayed = con.execute(
            "SELECT count(*) FROM lines WHERE __input = ? AND reason IS NULL AND regexp_matches(customer_id, ?)",
            [src.index, relay]).fetchone() if relay else None
        marked = marked_columns(src)
        bits = ", ".join(f"sum((marker_mask >> {j}) & 1)" for j in range(len(marked))) or "0"
        found = con.execute(f"SELECT {bits} FROM lines WHERE __input = ?", [src.index]).fetchone() or ()
        markers = {src.raw.headers[int(c[1:])]: int(n) for c, n in zip(marked, found, strict=False) if n}
        keys[src.raw.name] = FileKeys(masked, relayed[0] if relayed else 0, conflicts.get(src.index, 0), markers)
    statuses = [(file, say("common.none") if none else status, kind, rows)
                for file, status, kind, rows, none in con.execute(
                    """SELECT source_file, coalesce(status, ''), status_class, count(*), bool_or(status IS NULL)
                       FROM lines JOIN __inputs USING (__input) GROUP BY ALL ORDER BY 1, 4 DESC, 2""").fetchall()]
    return Cleaned(final_as_of, by_reason, per_file, keys, statuses, decided)


EXCLUDED_OWN = ("file", "row", "reason", "message")  # the Excluded table's own columns; the input's cells follow


def _nothing_left(con: Database, sources: Sequence[Source], as_of: datetime | None) -> DataError:
    """Every row was excluded: say how, per reason, and what to do about the most common one."""
    reasons = con.execute("SELECT reason, count(*) FROM lines GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    total = sum(n for _, n in reasons)
    counts = listed((say("engine.reason_rows", reason=Said(reason, label("reason", reason, "zh")), rows=n)
                     for reason, n in reasons), "common.clause")
    top = reasons[0][0] if reasons else ""
    where = Location(file=sources[0].raw.path) if len(sources) == 1 else Location()
    names = ", ".join(s.raw.name for s in sources)
    fix = say("engine.fix_inspect")
    if top in ("unpaid", "cancelled", "unknown_status"):
        found = con.execute("""SELECT status, count(*) FROM lines WHERE reason = ? AND status IS NOT NULL
                               GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""", [top]).fetchone()
        if found:
            snippet = f"input: {{statuses: {{{json.dumps(found[0], ensure_ascii=False)}: paid_in_progress}}}}"
            fix = (say("engine.fix_status_one", status=found[0], snippet=snippet) if found[1] == 1
                   else say("engine.fix_status", rows=found[1], status=found[0], snippet=snippet))
    elif top == "after_as_of" and as_of is not None:
        fix = say("engine.fix_after_as_of", as_of=f"{as_of:%Y-%m-%d}")
    elif top in ("missing_customer", "bad_date", "bad_amount"):
        field = {"missing_customer": "customer", "bad_date": "paid_ts", "bad_amount": "amount"}[top]
        shown = "; ".join(f"{s.raw.name}: {', '.join(s.mapping.columns.get(field, ())) or '-'}" for s in sources)
        fix = say("engine.fix_column", shown=shown, field=field)
    message = (say("engine.no_orders_one", names=names, counts=counts, fix=fix) if total == 1
               else say("engine.no_orders", total=total, names=names, counts=counts, fix=fix))
    return DataError(message, where, slug="no_orders")


@dataclass(frozen=True)
class ExcludedFrom:
    """Where one input's excluded rows are: its file name and headers as the Excluded table shows them, the
    table that holds its rows (`lines` for orders, `event_rows` for events) and its `__input` there."""

    name: str
    headers: Sequence[str]
    table: str
    index: int


def order_inputs(sources: Sequence[Source]) -> list[ExcludedFrom]:
    return [ExcludedFrom(s.raw.name, s.raw.headers, "lines", s.index) for s in sources]


def excluded_names(inputs: Sequence[ExcludedFrom]) -> tuple[list[str], list[list[int]]]:
    """The Excluded table's column names and, per input, the position of each of its cells among them.

    The cells keep their file's header as written; one header in several files is one column. A header that
    differs from one of the table's own columns, or from an earlier header, only in case gets a number
    (`Reason (2)`), so every name is one column in any tool, case-sensitive or not."""
    names = list(EXCLUDED_OWN)
    taken = {n.casefold() for n in names}
    by_header: dict[str, int] = {}
    positions = []
    for src in inputs:
        where = []
        for header in src.headers:
            if header not in by_header:
                name, k = header, 1
                while name.casefold() in taken:
                    k += 1
                    name = f"{header} ({k})"
                taken.add(name.casefold())
                by_header[header] = len(names)
                names.append(name)
            where.append(by_header[header])
        positions.append(where)
    return names, positions


def excluded_rows(db: Database, inputs: Sequence[ExcludedFrom], lang: str = "en",
                  ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The Excluded sheet, a batch at a time: file, row, reason, message (in `lang`), then each input's original
    cells under its header (headers are never named in SQL: the cells come by position and are named here)."""
    message = "message_zh" if lang == "zh" else "message"
    names, positions = excluded_names(inputs)
    schema = pa.schema([pa.field(n, pa.int64() if n == "row" else pa.string()) for n in names])

    def batches() -> Iterator[pa.RecordBatch]:
        for src, where in sorted(zip(inputs, positions, strict=True), key=lambda p: (p[0].table != "lines",
                                                                                      p[0].name)):
            rows = db.batches(f"SELECT source_row, reason, {message}, raw_cells FROM {src.table} WHERE __input = "
                              f"{int(src.index)} AND reason IS NOT NULL ORDER BY source_row")
            for batch in rows:
                n = batch.num_rows
                columns: list[pa.Array] = [pa.nulls(n, pa.string())] * len(names)
                columns[0] = pa.array([src.name] * n, pa.string())
                columns[1] = pc.cast(batch.column(0), pa.int64())
                columns[2], columns[3] = (pc.cast(batch.column(k), pa.string()) for k in (1, 2))
                cells = batch.column(3)
                for i, position in enumerate(where):
                    columns[position] = (pc.cast(pc.list_element(cells, i), pa.string()) if n
                                         else pa.nulls(0, pa.string()))
                yield pa.RecordBatch.from_arrays(columns, schema=schema)

    return schema, batches()


def reason_text(slug: str, lang: str = "en") -> str:
    """What an exclusion reason means, in English or Chinese (`zh`); an unknown slug as it is."""
    return REASON_TEXTS(slug, lang) if slug in REASON_TEXTS else slug
