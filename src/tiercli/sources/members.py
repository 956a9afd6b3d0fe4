"""A members file (`--members FILE`): customer attributes from a CRM or member export, joined to the customers.

The file is read with the same readers as orders (CSV in any supported encoding, XLSX/XLS, Parquet). Its columns
are found by header (English or Chinese, case and spacing ignored); only the member id is required. The result is
the canonical DuckDB table `members` (customer_id, registered_at, birthday, member_level, member_region,
member_channel, member_gender), one row per member. Members without orders then appear among the customers with
frequency 0 (see `tiercli.engine.compute.metrics_sql`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tiercli.database import Database
from tiercli.errors import ColumnMappingError, DataError, Location
from tiercli.limits import DATE_RANGE, FIRST_DATE, LAST_DATE
from tiercli.messages import Catalogue, listed, say
from tiercli.sources.readers import Opened, clean_header, open_file
from tiercli.sqltext import literal, literal_list, timestamp
from tiercli.vocabulary.fields import EMPTY_TEXTS

TABLE = "members"
RAW = "raw_members"

# canonical column -> header aliases, compared after lower-casing and dropping spaces, '_' and '-'
FIELDS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "member_id", "customer", "member", "id", "user_id", "buyer_id", "buyer", "email",
                    "会员id", "会员编号", "会员卡号", "会员号", "客户id", "客户编号", "客户", "买家会员名", "会员名",
                    "用户id", "买家id"),
    "registered_at": ("registered_at", "registration_date", "registered", "signup_date", "signed_up_at", "join_date",
                      "joined_at", "created_at", "注册时间", "注册日期", "入会时间", "入会日期", "开卡时间",
                      "成为会员时间"),
    "birthday": ("birthday", "birth_date", "date_of_birth", "dob", "生日", "出生日期"),
    "member_level": ("member_level", "level", "tier", "grade", "membership", "会员等级", "等级", "会员级别"),
    "member_region": ("member_region", "region", "province", "state", "地区", "省份", "所在地区", "所在地", "省"),
    "member_channel": ("member_channel", "channel", "source", "signup_channel", "渠道", "来源", "注册渠道",
                       "会员来源"),
    "member_gender": ("member_gender", "gender", "sex", "性别"),
}
# the member attributes a rule can use -> the columns of the file they need
NEEDS: dict[str, str] = {
    "member_level": "member_level", "member_region": "member_region", "member_channel": "member_channel",
    "member_gender": "member_gender", "registered_at": "registered_at", "registered_days": "registered_at",
    "birthday": "birthday", "age": "birthday", "birth_month": "birthday",
}
MEMBER_FIELDS = Catalogue("sources.member_field")  # what a member column holds, as messages name it
_DATE_FORMATS = ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日 %H:%M:%S",
                 "%Y年%m月%d日", "%Y%m%d"]


@dataclass(frozen=True)
class Members:
    """What was read from a members file."""

    path: str
    rows: int  # data rows read
    members: int  # rows loaded (one per member)
    without_id: int  # rows skipped because their id cell is empty
    columns: dict[str, str]  # canonical column -> header used


def _key(label: str) -> str:
    return "".join(ch for ch in label.casefold() if ch not in " _-\u3000")


_ALIASES = {_key(alias): field for field, aliases in FIELDS.items() for alias in aliases}


def header_score(headers: Sequence[str]) -> float:
    """How many headers look like member columns (for finding the header row below title rows)."""
    return float(len({_ALIASES[_key(h)] for h in headers if _key(h) in _ALIASES}))


def find_columns(headers: Sequence[str]) -> dict[str, str]:
    """Canonical column -> the first header that names it."""
    found: dict[str, str] = {}
    for header in headers:
        field = _ALIASES.get(_key(clean_header(header)))
        if field is not None and field not in found:
            found[field] = header
    return found


def _text_sql(column: str) -> str:
    """A cell as clean text: no `="…"` wrapper, leading quote or outer spaces; '', '-', '--', '无' and the
    missing-value markers (NA, NULL, #N/A, …) are empty, as in orders."""
    cleaned = (f"trim(regexp_replace(regexp_replace(CAST({column} AS VARCHAR), '^=\"(.*)\"$', '\\1'), "
               "'^[''\\t]+', ''), ' \t\u3000')")
    return f"CASE WHEN list_contains({literal_list(EMPTY_TEXTS)}, {cleaned}) THEN NULL ELSE {cleaned} END"


def _id_sql(column: str) -> str:
    text = _text_sql(column)
    return (f"CASE WHEN regexp_full_match({text}, '[0-9]+\\.0+') THEN regexp_extract({text}, '^([0-9]+)', 1) "
            f"ELSE {text} END")


def _time_sql(column: str) -> str:
    text = _text_sql(column)
    formats = "[" + ", ".join(literal(f) for f in _DATE_FORMATS) + "]"
    serial = (f"CASE WHEN regexp_full_match({text}, '[0-9]{{5}}(\\.[0-9]+)?') THEN TIMESTAMP '1899-12-30' + "
              f"to_microseconds(CAST(round(CAST({text} AS DOUBLE) * 86400000000) AS BIGINT)) END")
    return f"coalesce(TRY_CAST({text} AS TIMESTAMP), try_strptime({text}, {formats}), {serial})"


def open_members(path: str, folder: Path, sheet: str | None = None, memory_limit: int | None = None) -> Opened:
    """The members file read as far as Python reads it (see `tiercli.sources.readers.open_file`)."""
    return open_file(path, folder, sheet=sheet, header_score=header_score, memory_limit=memory_limit)[0]


def load_members(con: Database, opened: Opened, path: str, needed: Iterable[str] = ()) -> Members:
    """Read the opened members file `path` into the table `members`. `needed`: the member attributes the rules
    use; a file without the column one of them needs is an error naming it. Rows without an id are skipped (and
    counted); a member listed twice or a date that can't be read stops with the row."""
    raw = opened.attach(con, RAW)
    where = Location(file=path)
    columns = find_columns(raw.headers)
    found = listed(raw.headers, quoted=True)
    if "customer_id" not in columns:
        raise ColumnMappingError(say("sources.members_no_id", aliases=listed(FIELDS["customer_id"][:6]), found=found),
                                 where, slug="members_no_id")
    for name in dict.fromkeys(needed):
        column = NEEDS.get(name)
        if column is not None and column not in columns:
            raise ColumnMappingError(say("sources.members_missing_column", name=name, what=MEMBER_FIELDS.said(column),
                                         aliases=listed(FIELDS[column][:5]), found=found),
                                     where, slug="members_missing_column")
    cells = {field: f"c{raw.headers.index(header)}" for field, header in columns.items()}
    selects = []
    for field in FIELDS:
        cell = cells.get(field)
        if cell is None:
            kind = "TIMESTAMP" if field == "registered_at" else "DATE" if field == "birthday" else "VARCHAR"
            selects.append(f"CAST(NULL AS {kind}) AS {field}")
        elif field == "customer_id":
            selects.append(f"{_id_sql(cell)} AS {field}")
        elif field == "registered_at":
            selects.append(f"{_time_sql(cell)} AS {field}")
        elif field == "birthday":
            selects.append(f"CAST({_time_sql(cell)} AS DATE) AS {field}")
        else:
            selects.append(f"{_text_sql(cell)} AS {field}")
    raw_cells = ", ".join(f"{_text_sql(c)} AS raw_{f}" for f, c in cells.items() if f in ("registered_at", "birthday"))
    con.execute(f"CREATE TEMP TABLE members_read AS SELECT __row, {', '.join(selects)}"
                f"{', ' + raw_cells if raw_cells else ''} FROM {raw.table}")
    for field in ("registered_at", "birthday"):
        if field in cells:
            bad = con.execute(
                f"""SELECT __row, raw_{field}, {field} IS NULL FROM members_read
                    WHERE ({field} IS NULL AND raw_{field} IS NOT NULL)
                       OR CAST({field} AS TIMESTAMP) NOT BETWEEN {timestamp(FIRST_DATE)} AND {timestamp(LAST_DATE)}
                    ORDER BY __row LIMIT 1""").fetchone()
            if bad:
                where = Location(file=path, row=int(bad[0]), column=columns[field])
                if bad[2]:
                    raise DataError(say("sources.members_not_a_date", value=bad[1]), where, slug="members_bad_date")
                raise DataError(say("sources.date_out_of_range", value=bad[1], range=DATE_RANGE), where,
                                slug="members_bad_date")
    twice = con.execute("""SELECT customer_id, found FROM (
                               SELECT customer_id, list(__row ORDER BY __row) AS found, min(__row) AS first,
                                      count(*) AS n
                               FROM members_read WHERE customer_id IS NOT NULL GROUP BY customer_id)
                           WHERE n > 1 ORDER BY first LIMIT 1""").fetchone()
    if twice:
        rows = listed(str(r) for r in twice[1][:5])
        raise DataError(say("sources.members_duplicate", member=twice[0], rows=rows),
                        Location(file=path, column=columns["customer_id"]), slug="members_duplicate")
    con.execute(f"CREATE TABLE {TABLE} AS SELECT {', '.join(FIELDS)} FROM members_read WHERE customer_id IS NOT NULL")
    counts = con.execute("SELECT count(*), count(customer_id) FROM members_read").fetchone()
    con.execute("DROP TABLE members_read")
    read, with_id = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    return Members(path=path, rows=read, members=with_id, without_id=read - with_id, columns=columns)
