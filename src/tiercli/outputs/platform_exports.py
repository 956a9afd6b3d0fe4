"""Re-import files for shop platforms: each customer's levels and tags in the form the platform's customer tools take.

What goes out: for every grading the customer's level, and every tag the customer holds (its 0/1 column is 1).
A level goes out under its own name; when that name is also a level of another grading or a tag's name, it goes
out as `grading:level` so that the labels stay apart. The rules loader refuses level and tag names with a comma or
starting like a formula, so no label splits a comma-separated cell or needs the formula guard. Rows follow the
order of the customers table.

`shopify-tags` follows the customer CSV of the Shopify admin (Shopify Help Center, "Importing and exporting
customer lists" and "Description of the customer CSV file"): headers are case-sensitive, the `Email` column must
be present though a value may be blank, `Phone` identifies a customer without e-mail, `Tags` is one
comma-separated cell, and a file may be at most 1 MB. The file holds only `Email,Phone,Tags`: a column that is
absent can't overwrite anything the shop already holds; import it with "Overwrite existing customers". Not
confirmed: whether that import replaces or adds to a customer's existing tags, and whether Shopify accepts a byte
order mark in front of the headers, so the file is plain UTF-8 without one. A customer id that looks like an
e-mail address goes to `Email`, one that looks like a phone number to `Phone`; other customers can't be matched
and are left out with a warning.

`youzan-tags` follows the Youzan customer import (客户 → 客户管理/客户查询 → 批量导入, as described in Youzan's
help pages and its 2018 product notice on the merchant forum): csv, xlsx or xls, at most 10 MB and 100,000 rows;
the mobile number (手机号) is the only required field and identifies the customer; a repeated import overwrites
the basic fields; files opened with Office older than 2010 may show garbled text. Not confirmed: the template's
exact headers and how it separates several tags in one cell. The file has `手机号`, one column per grading (its
level, headed by the grading's name) and `标签` (the tags held, separated by `,` as most Chinese customer tools
do); copy the columns into the template downloaded from the shop if the upload asks for it. Only 11-digit
mainland mobile numbers (a leading +86 or 86 is dropped) can be matched; other customers are left out with a
warning.

`taobao-groups` follows the Taobao/Tmall shop CRM (TOP API `taobao.crm.group.add` and
`taobao.crm.members.group.batchadd`): a shop has at most 100 customer groups, a group name is at most 15
characters, and members are added to groups by buyer nickname (买家会员名, the customer id of Taobao order reports).
Not confirmed: a file layout for the seller tools' group import, so the file has one row per customer and group,
`买家会员名,分组名称`, which filters by group in a spreadsheet and pastes into any tool that takes a list of
nicknames. Names longer than 15 characters (a CJK character counts as one) and more than 100 groups get a
warning, not a cut, so that the shop owner chooses the names.

Encoding: the Chinese formats are UTF-8 with a byte order mark, which Excel (2010 and later) and WPS open as
Chinese and which holds every character a nickname may use (GBK does not); Shopify's is UTF-8. A phone number
(`+1 384-555-0121`: a `+`, digits, spaces, dashes, dots and brackets only) goes as it is, so the platform matches
it; it holds nothing a spreadsheet could run. Every other cell gets the CSV formula guard: text starting with
`= + - @`, a tab or a carriage return gets a leading `'`. Only identifiers can start so; a warning says how many,
as the platform may not find them with the `'`.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.compute as pc

from tiercli.errors import Location, OutputError, UsageError, suggestion
from tiercli.messages import Said, as_is, listed, say
from tiercli.outputs.staging import Staging, atomic_path
from tiercli.outputs.values import formula_guard
from tiercli.result import Result

EXPORT_FORMATS = ("shopify-tags", "youzan-tags", "taobao-groups")

SHOPIFY_MAX_BYTES = 1_000_000  # "1 MB or smaller"
TAOBAO_MAX_GROUPS = 100
TAOBAO_MAX_GROUP_NAME = 15
EXAMPLES = 3  # ids quoted in a warning

_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_PHONE = re.compile(r"\+?[0-9(][0-9 ().\-]{5,22}")
_PHONE_DIGITS = (7, 15)
_CN_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")


@dataclass(frozen=True)
class PlatformExport:
    """What was written: the file, the customers in it, its data rows and what the user should know."""

    path: str
    customers: int
    rows: int
    warnings: list[str] = field(default_factory=list)


def check_export_format(fmt: str) -> None:
    """Before the run: `fmt` must be one of EXPORT_FORMATS."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(say("outputs.bad_export_format", formats=listed(EXPORT_FORMATS[:-1]), last=EXPORT_FORMATS[-1],
                             fmt=fmt, hint=suggestion(fmt, EXPORT_FORMATS)), slug="bad_export_format")


def check_export_path(path: str) -> None:
    """Before the run: `path` must be a .csv file name in a folder that exists."""
    target = Path(path)
    where = Location(file=path)
    if target.suffix.lower() != ".csv":
        raise UsageError(say("outputs.export_not_csv"), where, slug="bad_export_path")
    if target.is_dir():
        raise UsageError(say("outputs.export_is_folder"), where, slug="bad_export_path")
    if not target.parent.is_dir():
        raise UsageError(say("outputs.export_folder_missing", folder=target.parent), where, slug="bad_export_path")


def write_platform_export(result: Result, fmt: str, path: str, staging: Staging | None = None) -> PlatformExport:
    """Write the customers' levels and tags to `path` in the re-import form of `fmt` (one of EXPORT_FORMATS),
    streaming the customers: only the counts and a few examples for the warnings are kept."""
    check_export_format(fmt)
    path = os.fspath(path)
    check_export_path(path)
    form = {"shopify-tags": _shopify, "youzan-tags": _youzan, "taobao-groups": _taobao}[fmt](result)
    location = Location(file=path)
    seen = _Seen()
    try:
        with atomic_path(Path(path), location, staging) as temp:
            with open(temp, "w", encoding=form.encoding, newline="") as stream:
                out = csv.writer(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
                out.writerow([_cell(name) for name in form.header])
                for customer in _customers(result):
                    rows = form.rows(customer)
                    if rows is None:
                        seen.unmatched += 1
                        if len(seen.examples) < EXAMPLES:
                            seen.examples.append(customer.id)
                        continue
                    if rows:
                        seen.keys += 1
                        key = rows[0][0] or rows[0][1]  # the customer's key
                        seen.guarded += _cell(key) != key
                        seen.rows += len(rows)
                        if form.groups is not None:
                            form.groups.update(dict.fromkeys(row[1] for row in rows))
                    out.writerows([_cell(cell) for cell in row] for row in rows)
            size = os.path.getsize(temp)
    except OSError as exc:
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.export"), reason=exc.strerror or exc),
                          location) from exc
    warnings = _left_out(form.platform, form.key, seen.unmatched, seen.examples)
    if form.groups is not None:
        warnings += _taobao_limits(list(form.groups))
    if seen.guarded:
        warnings.append(say("outputs.export.guarded", guarded=seen.guarded, path=path, platform=form.platform))
    if fmt == "shopify-tags" and size > SHOPIFY_MAX_BYTES:
        warnings.append(say("outputs.export.shopify_too_large", path=path, megabytes=size / 1_000_000))
    return PlatformExport(path=path, customers=seen.keys, rows=seen.rows, warnings=warnings)


@dataclass
class _Seen:
    """What writing an export counted: customers written, their rows, ids guarded, customers left out."""

    keys: int = 0
    rows: int = 0
    guarded: int = 0
    unmatched: int = 0
    examples: list[str] = field(default_factory=list)


# --- labels ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Form:
    """A platform's file: its header, and the rows of one customer (None: the platform can't match them)."""

    platform: Said  # the platform's name, as a sentence names it
    encoding: str
    header: list[str]
    key: Said  # what identifies a customer there, for the warning
    rows: Callable[[_Customer], list[list[str]] | None]
    groups: dict[str, None] | None = None  # Taobao: the group names written, in order


@dataclass(frozen=True)
class _Customer:
    id: str
    levels: dict[str, str]  # grading -> level
    labels: list[str]  # the level labels, then the tags held, in rules order
    tags: list[str]


def _levels(result: Result, grading: str) -> list[str]:
    """The grading's levels: those of the rules (the summary lists them all), then any other value in the data."""
    summary = result.summary
    known: list[str] = []
    if {"grading", "level"} <= set(summary.columns):
        known = [str(level) for level in summary[summary["grading"] == grading]["level"]]
    present: dict[str, None] = {}
    for batch in result.customers.batches([grading]):
        present.update(dict.fromkeys(str(v) for v in pc.unique(batch.column(0)).to_pylist() if v is not None))
    return list(dict.fromkeys([*known, *present]))


def _customers(result: Result) -> Iterator[_Customer]:
    """Every customer with their levels and labels, in the order of the customers table. A level's label is its
    name, or `grading:level` when the name is also another grading's level or a tag."""
    names: Counter[str] = Counter(result.tags)
    for grading in result.gradings:
        names.update(_levels(result, grading))
    wanted = ["customer_id", *result.gradings, *result.tags]
    for batch in result.customers.batches(wanted):
        ids = batch.column(0).to_pylist()
        gradings = {g: batch.column(1 + k).to_pylist() for k, g in enumerate(result.gradings)}
        held = {t: batch.column(1 + len(result.gradings) + k).to_pylist() for k, t in enumerate(result.tags)}
        for i, customer in enumerate(ids):
            levels = {g: str(values[i]) for g, values in gradings.items() if values[i] is not None}
            tags = [t for t, values in held.items() if values[i]]
            labels = [level if names[level] == 1 else f"{g}:{level}" for g, level in levels.items()]
            yield _Customer(str(customer), levels, [*labels, *tags], tags)


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _left_out(platform: Said, key: Said, n: int, examples: Sequence[str]) -> list[str]:
    """The warning for the `n` customers the platform can't match, which are not written; `key` is what the
    platform finds customers by."""
    if not n:
        return []
    more = say("outputs.export.more", more=n - EXAMPLES) if n > EXAMPLES else as_is("")
    return [say("outputs.export.left_out_one" if n == 1 else "outputs.export.left_out", customers=n,
                platform=platform, identifier=key, examples=_quoted(examples), more=more)]


# --- formats ---------------------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """A cell of a re-import file: a phone number (+1 384-555-0121) goes as it is, which the platform matches
    and which holds nothing a spreadsheet could run; any other text gets the formula guard."""
    return value if _is_phone(value) else formula_guard(value)


def _is_phone(text: str) -> bool:
    return _PHONE.fullmatch(text) is not None and _PHONE_DIGITS[0] <= sum(c.isdigit() for c in text) <= \
        _PHONE_DIGITS[1]


def _shopify(result: Result) -> _Form:
    def rows(customer: _Customer) -> list[list[str]] | None:
        if _EMAIL.fullmatch(customer.id):
            return [[customer.id, "", ", ".join(customer.labels)]]
        if _is_phone(customer.id):
            return [["", customer.id, ", ".join(customer.labels)]]
        return None

    return _Form(say("outputs.export.shopify"), "utf-8", ["Email", "Phone", "Tags"],
                 say("outputs.export.shopify_key"), rows)


def _youzan(result: Result) -> _Form:
    def rows(customer: _Customer) -> list[list[str]] | None:
        mobile = _CN_MOBILE.fullmatch(re.sub(r"[\s-]", "", customer.id))
        if mobile is None:
            return None
        levels = [customer.levels.get(g, "") for g in result.gradings]
        return [[mobile.group(1), *levels, ",".join(customer.tags)]]

    return _Form(say("outputs.export.youzan"), "utf-8-sig", ["手机号", *result.gradings, "标签"],
                 say("outputs.export.youzan_key"), rows)


def _taobao(result: Result) -> _Form:
    def rows(customer: _Customer) -> list[list[str]]:
        return [[customer.id, group] for group in customer.labels]

    return _Form(say("outputs.export.taobao"), "utf-8-sig", ["买家会员名", "分组名称"],
                 say("outputs.export.taobao_key"), rows, groups={})


def _taobao_limits(groups: Sequence[str]) -> list[str]:
    """Taobao's limits on groups (how many, how long a name), as warnings."""
    warnings: list[str] = []
    long_names = [g for g in groups if len(g) > TAOBAO_MAX_GROUP_NAME]
    if long_names:
        named = ", ".join(f"'{g}' ({len(g)})" for g in long_names)
        warnings.append(say("outputs.export.long_group_names", limit=TAOBAO_MAX_GROUP_NAME, names=named))
    if len(groups) > TAOBAO_MAX_GROUPS:
        warnings.append(say("outputs.export.too_many_groups", limit=TAOBAO_MAX_GROUPS, groups=len(groups)))
    return warnings
