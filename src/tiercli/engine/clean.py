"""Map and clean: raw text cells become canonical order lines, and every row not used gets a reason.

One streaming SQL pass per input reads its file once and inserts into `lines` every row: the canonical columns,
typed, with `reason` NULL for rows that are used, and — for excluded rows only — the original cells. Row-shape
steps (carrying order fields to continuation lines) run inside that pass; sharing an order amount over its lines
and duplicates across files come after. `orders` is the view of used lines; `excluded_table` lists the others
with their original cells. Invariant, checked here: per file, rows read = rows used + rows excluded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from tiercli.errors import DataError, InputError, Location
from tiercli.io.readers import RawTable
from tiercli.profiles.detect import ColumnMap

REASONS: dict[str, str] = {
    "unpaid": "the order was not paid",
    "cancelled": "the order was cancelled or closed",
    "refunded_in_full": "everything paid was refunded",
    "missing_customer": "no customer on the row",
    "bad_date": "no usable order time",
    "bad_amount": "the amount is not a number",
    "unknown_status": "a status tiercli doesn't know, without a payment time and a positive amount",
    "duplicate_order": "the same order was already read from an earlier file or row",
    "after_as_of": "the order is later than as_of",
}

_MACROS = r"""
CREATE OR REPLACE MACRO tc_slow(x) AS nullif(nullif(nullif(nullif(trim(regexp_replace(regexp_replace(
    trim(x, chr(32) || chr(9) || chr(12288) || chr(13) || chr(10)), '^="(.*)"$', '\1'), '^[''\t]+', ''),
    chr(32) || chr(9) || chr(12288)), ''), '-'), '--'), '无');
CREATE OR REPLACE MACRO tc(x) AS CASE
    WHEN x IS NULL THEN NULL
    WHEN x[1] NOT IN ('=', '''', chr(9), chr(32), chr(12288), '"', chr(13), chr(10), '')
         AND x[-1] NOT IN (chr(32), chr(9), chr(12288), '"', chr(13), chr(10))
        THEN CASE WHEN x IN ('-', '--', '无') THEN NULL ELSE x END
    ELSE tc_slow(x) END;
CREATE OR REPLACE MACRO tid(x) AS CASE WHEN x LIKE '%.0' AND regexp_full_match(x, '[0-9]+\.0+')
    THEN regexp_extract(x, '^([0-9]+)', 1) ELSE x END;
CREATE OR REPLACE MACRO money_slow(x) AS coalesce(TRY_CAST(x AS DECIMAL(18, 4)), TRY_CAST(regexp_replace(
    regexp_replace(regexp_replace(x, '[¥￥$€£,\s]|元|RMB|CNY|USD|GBP|EUR', '', 'g'), '^\((.*)\)$', '-\1'),
    '^(-?)[A-Z]{3}', '\1') AS DECIMAL(18, 4)));
CREATE OR REPLACE MACRO money(x) AS coalesce(TRY_CAST(x AS DECIMAL(18, 4)), money_slow(tc(x)));
"""

_ISO_FORMATS = ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d",
                "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日"]
_MDY = ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%y", "%m-%d-%Y %H:%M",
        "%m-%d-%Y"]
_DMY = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%y %H:%M", "%d/%m/%y", "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y"]
_DMY_PATTERN = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})"
_YEAR_FIRST = r"^[\s=\"']*\d{4}[-/.年]"
DATE_SAMPLE_ROWS = 100_000


@dataclass(frozen=True)
class Source:
    raw: RawTable
    mapping: ColumnMap
    index: int  # position among inputs, for "earlier file wins"


@dataclass
class Cleaned:
    as_of: datetime
    excluded_by_reason: dict[str, int]
    per_file: dict[str, tuple[int, int, int]]  # name -> read, used, excluded
    statuses: list[tuple[str, str, str, int]]  # file, raw status, class, rows
    dayfirst: bool | None


def install_macros(con: duckdb.DuckDBPyConnection, dayfirst: bool | None) -> None:
    con.execute(_MACROS)
    formats = _ISO_FORMATS + (_DMY if dayfirst else _MDY)
    fmt = ", ".join(f"'{f}'" for f in formats)
    iso = ", ".join(f"'{f}'" for f in _ISO_FORMATS)
    con.execute(
        rf"""CREATE OR REPLACE MACRO ts_slow(x) AS CASE
            WHEN regexp_full_match(x, '[0-9]{{5}}(\.[0-9]+)?')
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))
            ELSE try_strptime(regexp_replace(x, '\s*(Z|UTC|GMT|[+-][0-9]{{2}}:?[0-9]{{2}})$', ''), [{fmt}]) END;
        CREATE OR REPLACE MACRO ts(x) AS coalesce(TRY_CAST(x AS TIMESTAMP), ts_slow(tc(x)));
        CREATE OR REPLACE MACRO ts_iso_slow(x) AS coalesce(TRY_CAST(x AS TIMESTAMP), CASE
            WHEN regexp_full_match(x, '[0-9]{{5}}(\.[0-9]+)?')
                THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))
            ELSE try_strptime(regexp_replace(x, '\s*(Z|UTC|GMT|[+-][0-9]{{2}}:?[0-9]{{2}})$', ''),
                              [{iso}]) END);
        CREATE OR REPLACE MACRO ts_iso(x) AS coalesce(TRY_CAST(x AS TIMESTAMP), ts_iso_slow(tc(x)));"""
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _col(src: Source, header: str) -> str:
    return f"c{src.raw.headers.index(header)}"


VALUE_FIELDS = frozenset({"paid_ts", "created_ts", "cancelled_ts", "amount", "unit_price", "quantity",
                          "refund_amount", "discount_amount"})


def _text(src: Source, field: str) -> str:
    """The cleaned text of a field, as a column of `_texts` (a NULL literal when the field is unmapped)."""
    return f"t_{field}" if field in src.mapping.columns else "CAST(NULL AS VARCHAR)"


def _texts(src: Source) -> str:
    """Cleaned text per mapped field, each macro applied to a plain column once (fallback chains coalesced);
    typed Parquet columns pass as text here and are used typed where it matters.

    A value field (time, money, quantity) read from one column passes through as it is: its parser tries the
    plain cast first and cleans the text (`tc`) only when that fails, which saves most of the pass's work."""
    cells = []
    fields = []
    for field, headers in src.mapping.columns.items():
        names = []
        for k, header in enumerate(headers):
            col = _col(src, header)
            text = f"CAST({col} AS VARCHAR)" if col in src.raw.typed else col
            cells.append(f"{text} AS t_{field}_{k}" if field in VALUE_FIELDS and len(headers) == 1
                         else f"tc({text}) AS t_{field}_{k}")
            names.append(f"t_{field}_{k}")
        text = names[0] if len(names) == 1 else f"coalesce({', '.join(names)})"
        if field in ("customer", "order_id"):
            text = f"tid({text})"
        fields.append(f"{text} AS t_{field}")
    raw = "".join(f", {c}" for c in src.raw.columns)
    inner = f"SELECT __row{raw}, {', '.join(cells)} FROM {src.raw.table}"
    return f"SELECT __row{raw}, {', '.join(fields)} FROM ({inner})"


def _header(src: Source, field: str) -> str:
    return ", ".join(f"'{h}'" for h in src.mapping.columns.get(field, ()))


def iso_columns(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> set[tuple[int, str]]:
    """Text date columns whose first values are all written year first (2024-03-04, 2024/3/4, 2024年3月4日).

    Those are read with year-first formats only, so the day-first question needs no pass over the whole file;
    a later value written another way is not a date there, and its row is excluded as bad_date with its text.
    """
    found = set()
    for src in sources:
        for field in ("paid_ts", "created_ts"):
            for header in src.mapping.columns.get(field, ()):
                col = _col(src, header)
                if col in src.raw.typed:
                    continue
                row = con.execute(
                    f"""SELECT count(*), count(*) FILTER (WHERE NOT regexp_matches({col}, ?))
                        FROM (SELECT {col} FROM {src.raw.table} WHERE {col} IS NOT NULL LIMIT {DATE_SAMPLE_ROWS})""",
                    [_YEAR_FIRST]).fetchone()
                if row and row[0] and not row[1]:
                    found.add((src.index, col))
    return found


def decide_dayfirst(con: duckdb.DuckDBPyConnection, sources: Sequence[Source], configured: bool | None,
                    iso: set[tuple[int, str]] | None = None) -> bool | None:
    """Read dates like 03/04/2024 day-first or month-first, from what the data shows."""
    firsts: list[int] = []
    seconds: list[int] = []
    examples: list[str] = []
    for src in sources:
        for field in ("paid_ts", "created_ts"):
            for header in src.mapping.columns.get(field, ()):
                col = _col(src, header)
                if col in src.raw.typed or (src.index, col) in (iso or set()):
                    continue
                row = con.execute(
                    f"""SELECT max(TRY_CAST(regexp_extract({col}, ?, 1) AS INTEGER)),
                               max(TRY_CAST(regexp_extract({col}, ?, 2) AS INTEGER)),
                               any_value({col}) FILTER (WHERE regexp_matches({col}, ?))
                        FROM {src.raw.table} WHERE {col} IS NOT NULL AND NOT regexp_matches({col}, '^\\s*\\d{{4}}')""",
                    [_DMY_PATTERN, _DMY_PATTERN, _DMY_PATTERN],
                ).fetchone()
                if row and row[0] is not None:
                    firsts.append(row[0])
                    seconds.append(row[1])
                    examples.append(f"'{row[2]}' in '{header}' of {src.raw.name}")
    if not firsts:
        return configured
    day_first_seen = max(firsts) > 12
    month_first_seen = max(seconds) > 12
    if day_first_seen and month_first_seen:
        raise DataError(f"dates are written both day-first and month-first ({'; '.join(examples)}); "
                        "export them in one format", slug="mixed_date_order")
    if day_first_seen or month_first_seen:
        found = day_first_seen
        if configured is not None and configured != found:
            raise DataError(f"input.dayfirst is {str(configured).lower()} but the data has dates that only "
                            f"read {'day' if found else 'month'}-first, e.g. {examples[0]}", slug="dayfirst")
        return found
    if configured is None:
        defaults = {s.mapping.profile.dayfirst for s in sources} - {None}
        if len(defaults) == 1:
            return defaults.pop()
        raise DataError(f"dates such as {examples[0]} could be day-first or month-first and no value tells "
                        "which; set it in the rules file: input: {dayfirst: true} (or false)",
                        slug="ambiguous_dates")
    return configured


def _status_sql(src: Source, extra: Mapping[str, str]) -> str:
    statuses = {**src.mapping.profile.statuses, **extra}
    if "status" not in src.mapping.columns:
        return "'paid_done'"
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in statuses.items())
    return f"CASE status {cases} ELSE 'unknown' END"


def _typed_select(src: Source, iso: set[tuple[int, str]]) -> str:
    cols = src.mapping.columns
    amount = (f"money({_text(src, 'amount')})" if "amount" in cols
              else f"money({_text(src, 'quantity')}) * money({_text(src, 'unit_price')})")
    amount_raw = _text(src, "amount") if "amount" in cols else f"{_text(src, 'unit_price')}"
    order_id = _text(src, "order_id") if "order_id" in cols else f"{_lit(src.raw.name)} || ':' || __row"
    region = _text(src, "region")
    if src.mapping.profile.region_from_address and "region" in cols:
        region = f"nullif(split_part({region}, ' ', 1), '')"
    ts_of = {f: _ts(src, f, iso) for f in ("paid_ts", "created_ts", "cancelled_ts")}
    raw = "".join(f", {c}" for c in src.raw.columns)
    return f"""
        SELECT {src.index} AS __input, __row AS source_row{raw},
            {_text(src, 'customer')} AS customer_id,
            {order_id} AS order_id,
            {ts_of['paid_ts']} AS paid_ts, {ts_of['created_ts']} AS created_ts,
            {ts_of['cancelled_ts']} AS cancelled_at,
            {_text(src, 'paid_ts')} AS paid_raw, {_text(src, 'created_ts')} AS created_raw,
            {amount} AS gross, {amount_raw} AS amount_raw,
            coalesce(money({_text(src, 'refund_amount')}), 0) AS refund_amount,
            coalesce(money({_text(src, 'discount_amount')}), 0) AS discount_amount,
            money({_text(src, 'quantity')}) AS quantity,
            money({_text(src, 'unit_price')}) AS unit_price,
            {_text(src, 'status')} AS status,
            {_text(src, 'product')} AS product, {_text(src, 'sku')} AS sku, {_text(src, 'category')} AS category,
            {region} AS region, {_text(src, 'channel')} AS channel, {_text(src, 'currency')} AS currency
        FROM ({_texts(src)})"""


def _ts(src: Source, field: str, iso: set[tuple[int, str]]) -> str:
    headers = src.mapping.columns.get(field)
    if not headers:
        return "CAST(NULL AS TIMESTAMP)"
    col = _col(src, headers[0])
    if col in src.raw.typed:
        return col
    iso_only = all((src.index, _col(src, h)) in iso for h in headers)
    return f"{'ts_iso' if iso_only else 'ts'}({_text(src, field)})"


def _carry_order_fields(src: Source) -> str:
    """SQL over `typed` for line_first shapes: order fields from the order's first line onto every line."""
    carried = ["customer_id", "paid_ts", "created_ts", "cancelled_at", "paid_raw", "created_raw", "gross", "amount_raw",
               "refund_amount", "discount_amount", "status", "region", "channel", "currency"]
    window = "OVER (PARTITION BY order_id ORDER BY source_row ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    exprs = ", ".join(f"coalesce({c}, first_value({c} IGNORE NULLS) {window}) AS {c}" for c in carried)
    return f"SELECT * REPLACE ({exprs}) FROM typed"


def _reason_sql(src: Source) -> str:
    cust = _header(src, "customer")
    paid_cols, created_cols = _header(src, "paid_ts"), _header(src, "created_ts")
    time_cols = ", ".join(x for x in (paid_cols, created_cols) if x)
    amount_cols = _header(src, "amount") or _header(src, "unit_price")
    bad_paid = "(paid_ts IS NULL AND tc(paid_raw) IS NOT NULL)"
    bad_created = "(paid_ts IS NULL AND created_ts IS NULL AND tc(created_raw) IS NOT NULL)"
    quote = "''''"
    return f"""
        CASE
            WHEN status_class = 'unpaid' THEN 'unpaid'
            WHEN status_class = 'refunded' THEN 'refunded_in_full'
            WHEN status_class = 'cancelled' OR cancelled_at IS NOT NULL THEN 'cancelled'
            WHEN customer_id IS NULL THEN 'missing_customer'
            WHEN {bad_paid} OR {bad_created} OR coalesce(paid_ts, created_ts) IS NULL THEN 'bad_date'
            WHEN gross IS NULL THEN 'bad_amount'
            WHEN status_class = 'unknown' AND NOT (paid_ts IS NOT NULL AND gross > 0) THEN 'unknown_status'
            WHEN gross > 0 AND refund_amount >= gross THEN 'refunded_in_full'
        END AS reason,
        CASE
            WHEN status_class IN ('unpaid', 'cancelled', 'refunded', 'unknown') AND status IS NOT NULL
                THEN 'status ' || {quote} || status || {quote}
            WHEN cancelled_at IS NOT NULL THEN 'cancelled at ' || CAST(cancelled_at AS VARCHAR)
            WHEN customer_id IS NULL THEN 'no value in ' || {_lit(cust)}
            WHEN {bad_paid} THEN {quote} || tc(paid_raw) || {quote} || ' in ' || {_lit(paid_cols)} || ' is not a date'
            WHEN {bad_created}
                THEN {quote} || tc(created_raw) || {quote} || ' in ' || {_lit(created_cols)} || ' is not a date'
            WHEN coalesce(paid_ts, created_ts) IS NULL THEN 'no value in ' || {_lit(time_cols)}
            WHEN gross IS NULL AND tc(amount_raw) IS NULL THEN 'no value in ' || {_lit(amount_cols)}
            WHEN gross IS NULL
                THEN {quote} || tc(amount_raw) || {quote} || ' in ' || {_lit(amount_cols)} || ' is not an amount'
            ELSE 'refund ' || CAST(refund_amount AS VARCHAR) || ' of ' || CAST(gross AS VARCHAR)
        END AS message"""


def _row_select(src: Source, extra_statuses: Mapping[str, str], iso: set[tuple[int, str]],
                as_of: datetime | None) -> str:
    """One input's rows as `lines` rows: canonical columns, reason and message, original cells if excluded."""
    body = f"WITH typed AS ({_typed_select(src, iso)}) "
    body += _carry_order_fields(src) if src.mapping.profile.shape == "line_first" else "SELECT * FROM typed"
    reasoned = f"""
        SELECT *, coalesce(paid_ts, created_ts) AS order_ts, {_reason_sql(src)}
        FROM (SELECT *, {_status_sql(src, extra_statuses)} AS status_class FROM ({body}))"""
    if as_of is not None:
        late = f"reason IS NULL AND order_ts > {_ts_lit(as_of)}"
        reasoned = f"""SELECT * REPLACE (
            CASE WHEN {late} THEN 'after_as_of' ELSE reason END AS reason,
            CASE WHEN {late} THEN 'ordered ' || CAST(order_ts AS VARCHAR) || ', after as_of ' || {_lit(str(as_of))}
                 ELSE message END AS message)
            FROM ({reasoned})"""
    cells = ", ".join(f"CAST({c} AS VARCHAR)" for c in src.raw.columns)
    dropped = ", ".join([*src.raw.columns, "paid_raw", "created_raw", "amount_raw", "paid_ts", "created_ts"])
    return f"""
        SELECT * EXCLUDE ({dropped}), CASE WHEN reason IS NOT NULL THEN [{cells}] END AS raw_cells
        FROM ({reasoned})"""


def _ts_lit(value: datetime) -> str:
    return f"TIMESTAMP '{value.isoformat(sep=' ')}'"


def build_lines(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[Source],
    extra_statuses: Mapping[str, str],
    iso: set[tuple[int, str]] | None = None,
    as_of: datetime | None = None,
) -> None:
    """Create table `lines`: every input row, typed, with `reason` NULL for rows that will be used.

    Each input is scanned once, in its own statement, so a file that can't be parsed is named in the error."""
    con.execute("CREATE OR REPLACE TABLE __inputs (__input INTEGER, source_file VARCHAR)")
    con.executemany("INSERT INTO __inputs VALUES (?, ?)", [(s.index, s.raw.name) for s in sources])
    for position, src in enumerate(sources):
        select = _row_select(src, extra_statuses, iso or set(), as_of)
        statement = (f"CREATE TABLE lines AS {select}" if position == 0
                     else f"INSERT INTO lines BY NAME {select}")
        try:
            con.execute(statement)
        except duckdb.Error as exc:
            if src.raw.single_thread_sql is None or "parallel" not in str(exc):
                raise InputError(f"can't be read as a table: {_first_line(exc)}", Location(file=src.raw.path),
                                 slug="bad_csv") from exc
            con.execute(src.raw.single_thread_sql)  # quoted line breaks: the single-threaded scanner reads them
            con.execute(statement)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _late_exclusions(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> None:
    """Duplicates: an order read before, from an earlier file or (order-per-row exports) an earlier row."""
    order_shape = any(s.mapping.profile.shape == "order" for s in sources)
    has_ids = any("order_id" in s.mapping.columns for s in sources)
    if not (has_ids and (len(sources) > 1 or order_shape)):
        return
    dup = con.execute(
        """SELECT count(*) FROM (SELECT order_id FROM lines WHERE reason IS NULL
           GROUP BY order_id HAVING count(DISTINCT __input) > 1 OR count(*) > 1)""").fetchone()
    if not dup or not dup[0]:
        return
    con.execute(f"""
        UPDATE lines SET reason = 'duplicate_order',
            message = 'order ''' || lines.order_id || ''' was read first from ' || d.first_file
                || ' row ' || CAST(d.first_row AS VARCHAR)
        FROM (SELECT l.__input, source_row, order_id,
                     first_value(f.source_file) OVER w AS first_file,
                     first_value(source_row) OVER w AS first_row,
                     first_value(l.__input) OVER w AS first_input
              FROM lines l JOIN __inputs f USING (__input) WHERE reason IS NULL
              WINDOW w AS (PARTITION BY order_id ORDER BY l.__input, source_row)) d
        WHERE lines.__input = d.__input AND lines.source_row = d.source_row
          AND (d.__input <> d.first_input OR ({str(order_shape).lower()} AND (d.source_row <> d.first_row)))""")
    for src in sources:  # their original cells, read again from the file for just these rows
        cells = ", ".join(f"CAST(r.{c} AS VARCHAR)" for c in src.raw.columns)
        con.execute(f"""
            UPDATE lines SET raw_cells = [{cells}] FROM {src.raw.table} r
            WHERE lines.__input = {src.index} AND lines.reason = 'duplicate_order' AND lines.source_row = r.__row""")


def _share_order_amounts(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> None:
    """An order-level amount on several lines is shared over them by line value (the first line takes the
    rounding remainder), so an order's lines add up to exactly what was paid."""
    shared = [s.index for s in sources if s.mapping.profile.amount == "order" and s.mapping.profile.shape != "order"]
    if not shared:
        return
    inputs = ", ".join(str(i) for i in shared)
    weight = "coalesce(nullif(abs(CAST(coalesce(unit_price, 0) * coalesce(quantity, 1) AS DOUBLE)), 0), 1.0)"
    _share_with_window(con, inputs, weight)


def _share_sql(column: str) -> str:
    """The line's part of an order-level value; the order's first line takes the rounding remainder."""
    part = f"CAST(CAST({column} AS DOUBLE) * w / tw AS DECIMAL(18, 4))"
    return f"CASE WHEN rn = 1 THEN {column} - (sum({part}) OVER o - {part}) ELSE {part} END AS {column}"


def _share_with_window(con: duckdb.DuckDBPyConnection, inputs: str, weight: str) -> None:
    shares = ", ".join(_share_sql(c) for c in ("gross", "refund_amount", "discount_amount"))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __shares AS
        SELECT __input, source_row, {shares}
        FROM (SELECT *, sum(w) OVER o AS tw,
                     row_number() OVER (PARTITION BY __input, order_id ORDER BY source_row) AS rn
              FROM (SELECT *, {weight} AS w FROM lines WHERE __input IN ({inputs}) AND reason IS NULL)
              WINDOW o AS (PARTITION BY __input, order_id))
        WINDOW o AS (PARTITION BY __input, order_id)""")
    con.execute("""
        UPDATE lines SET gross = s.gross, refund_amount = s.refund_amount, discount_amount = s.discount_amount
        FROM __shares s WHERE lines.__input = s.__input AND lines.source_row = s.source_row""")
    con.execute("DROP TABLE __shares")


def clean(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[Source],
    *,
    as_of: datetime | None,
    dayfirst: bool | None,
    extra_statuses: Mapping[str, str],
) -> Cleaned:
    """Everything that reads the input files; afterwards only `lines` and `__inputs` are needed."""
    iso = iso_columns(con, sources)
    decided = decide_dayfirst(con, sources, dayfirst, iso)
    install_macros(con, decided)
    build_lines(con, sources, extra_statuses, iso, as_of)
    _late_exclusions(con, sources)
    _share_order_amounts(con, sources)
    con.execute("""
        CREATE VIEW orders AS SELECT customer_id, order_id, order_ts, gross - refund_amount AS amount,
            refund_amount, discount_amount, quantity, product, sku, category, region, channel, status, currency,
            source_file, source_row
        FROM lines JOIN __inputs USING (__input) WHERE reason IS NULL""")
    stats = con.execute("SELECT count(*), max(order_ts) FROM lines WHERE reason IS NULL").fetchone()
    if not stats or not stats[0]:
        reasons = dict(con.execute("SELECT reason, count(*) FROM lines GROUP BY 1 ORDER BY 2 DESC").fetchall())
        raise DataError("no order is left to classify after excluding rows: "
                        + ", ".join(f"{k} {v}" for k, v in reasons.items()), slug="no_orders")
    final_as_of: datetime = as_of if as_of is not None else stats[1]
    by_reason = dict(con.execute(
        "SELECT reason, count(*) FROM lines WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1").fetchall())
    counts = {row[0]: row[1:] for row in con.execute(
        """SELECT __input, count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL),
                  count(*), count(DISTINCT source_row), coalesce(max(source_row) - min(source_row) + 1, 0)
           FROM lines GROUP BY __input""").fetchall()}
    per_file = {}
    for src in sources:
        used, excluded, total, distinct, span = counts.get(src.index, (0, 0, 0, 0, 0))
        if src.raw.rows is None:  # a CSV: its rows were counted by the pass itself, numbered without gaps
            src.raw.rows = span
        if used + excluded != src.raw.rows or distinct != total:
            raise AssertionError(f"row accounting broke for {src.raw.name}: read {src.raw.rows}, "
                                 f"used {used}, excluded {excluded}, distinct rows {distinct} of {total}")
        per_file[src.raw.name] = (src.raw.rows, used, excluded)
    statuses = con.execute("""SELECT source_file, coalesce(status, '(none)'), status_class, count(*)
                              FROM lines JOIN __inputs USING (__input) GROUP BY ALL ORDER BY 1, 4 DESC""").fetchall()
    return Cleaned(final_as_of, by_reason, per_file, [tuple(r) for r in statuses], decided)


def excluded_table(sources: Sequence[Source]) -> str:
    """SQL for the Excluded sheet: file, row, reason, message, then each input's original cells by header."""
    parts = []
    for src in sources:
        picks = ", ".join(f"raw_cells[{i + 1}] AS {_q(h)}" for i, h in enumerate(src.raw.headers))
        parts.append(f"""SELECT {_lit(src.raw.name)} AS file, source_row AS "row", reason, message, {picks}
            FROM lines WHERE __input = {src.index} AND reason IS NOT NULL""")
    return " UNION ALL BY NAME ".join(parts) + ' ORDER BY file, "row"'


def reason_text(slug: str) -> str:
    return REASONS.get(slug, slug)
