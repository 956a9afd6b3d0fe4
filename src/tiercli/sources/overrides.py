"""An overrides file (`--overrides FILE`): an operator's hand-set levels and tags, applied after the rules.

One row per change, CSV or XLSX, header in the first row:

| column | holds |
|---|---|
| customer | the customer id, as in the output's customer_id (required) |
| grading | which grading `level` sets; may be left empty when the rules have one grading |
| level | the level to give, one of the grading's levels |
| add_tags, remove_tags | tag names, separated by `,` `，` `;` or `；`: the rules' tags, or manual tags (人工标签) |
| reason | why, shown in the why column |
| expires | the last day the row applies (YYYY-MM-DD); empty: no end |

Reading checks each row against the rules (gradings, levels, tags, dates); a row that can't be used is a problem
with its row number and is left out. Whether the customer exists and whether the row has expired is decided by the
run (`tiercli.engine.movement`), which knows the data and as_of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from tiercli.errors import ColumnMappingError, Location, TiercliError, suggestion
from tiercli.messages import Said, listed, say
from tiercli.rules.load import name_faults, output_columns
from tiercli.rules.model import Rules
from tiercli.sources.sheets import read_sheets, sha256, suggest
from tiercli.vocabulary.fields import EMPTY_TEXTS

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customer_id", "客户", "客户id", "会员", "会员id", "买家会员名"),
    "grading": ("grading", "分级", "等级体系"),
    "level": ("level", "tier", "等级", "层级"),
    "add_tags": ("add_tags", "添加标签", "加标签"),
    "remove_tags": ("remove_tags", "移除标签", "删除标签"),
    "reason": ("reason", "原因", "备注"),
    "expires": ("expires", "expires_on", "到期", "到期日", "有效期至"),
}
_TAG_SPLIT = re.compile(r"[,，;；]")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _key(label: str) -> str:
    return "".join(ch for ch in label.casefold() if ch not in " _-\u3000")


_ALIASES = {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True)
class Override:
    """One usable row of the file."""

    row: int  # as a spreadsheet shows it
    customer: str
    grading: str | None  # None: the row sets no level
    level: str | None
    add_tags: tuple[str, ...]
    remove_tags: tuple[str, ...]
    reason: str | None
    expires: date | None

    def where(self, label: str, column: str | None = None) -> Location:
        return Location(file=label, row=self.row, column=column)


@dataclass(frozen=True)
class Overrides:
    path: str
    label: str  # the file (and sheet) as messages name it
    sha256: str
    rows: list[Override]
    problems: list[TiercliError]  # rows that can't be used, each with its row number and why
    manual_tags: tuple[str, ...] = ()  # tags the rules don't define, set by hand (人工标签), in order of appearance
    typos: list[TiercliError] = field(default_factory=list)  # manual tags that look like a rule tag misspelt


def read_overrides(path: str, rules: Rules) -> Overrides:
    """Read and check an overrides file. A missing customer column, or a column tiercli doesn't know, stops the
    run; a row that can't be used becomes a problem and is left out."""
    sheet = read_sheets(path, say("common.overrides_file"))[0][0]
    columns: dict[str, str] = {}
    for header in sheet.table.column_names:
        name = _ALIASES.get(_key(header))
        if name is None:
            hint = suggestion(header, COLUMNS) or say("sources.overrides_columns", columns=listed(COLUMNS))
            raise ColumnMappingError(say("sources.overrides_unknown_column", header=header, hint=hint),
                                     Location(file=sheet.label), slug="overrides_unknown_column")
        if name in columns:
            raise ColumnMappingError(say("sources.overrides_duplicate_column", first=columns[name], second=header,
                                         name=name),
                                     Location(file=sheet.label), slug="overrides_duplicate_column")
        columns[name] = header
    if "customer" not in columns:
        raise ColumnMappingError(say("sources.overrides_no_customer_column", columns=listed(COLUMNS)),
                                 Location(file=sheet.label), slug="overrides_no_customer")
    if not {"level", "add_tags", "remove_tags"} & set(columns):
        raise ColumnMappingError(say("sources.overrides_no_change_column"), Location(file=sheet.label),
                                 slug="overrides_nothing")
    checker = _Rows(sheet.label, rules, columns)
    records = sheet.table.to_pylist()
    for index, record in enumerate(records):
        checker.row(sheet.row(index), {name: _value(record[header]) for name, header in columns.items()})
    manual = tuple(dict.fromkeys(t for r in checker.rows for t in (*r.add_tags, *r.remove_tags)
                                 if t not in checker.tags))
    return Overrides(path, sheet.label, sha256(path), checker.rows, checker.problems, manual, checker.typos)


def _value(cell: str | None) -> str | None:
    """A cell's text, None when it is empty or a missing-value marker (NA, NULL, #N/A, …), as in orders."""
    return None if cell is None or cell.strip() in EMPTY_TEXTS else cell


class _LeftOut(Exception):
    """A row that can't be used: why, and the field to blame."""

    def __init__(self, field: str | None, message: Said, slug: str) -> None:
        super().__init__(message)
        self.field, self.message, self.slug = field, message, slug


@dataclass
class _Rows:
    label: str
    rules: Rules
    columns: dict[str, str]  # field -> header
    rows: list[Override] = field(default_factory=list)
    problems: list[TiercliError] = field(default_factory=list)

    typos: list[TiercliError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.levels = {g.name: [lv.name for lv in g.levels] for g in self.rules.gradings}
        self.tags = [t.name for t in self.rules.tags]
        self.taken = output_columns(self.rules)

    def row(self, row: int, cells: dict[str, str | None]) -> None:
        if not any(cells.values()):
            return  # an empty line
        try:
            self.rows.append(self.override(row, cells))
        except _LeftOut as out:
            column = self.columns.get(out.field) if out.field else None
            self.problems.append(TiercliError(out.message, Location(file=self.label, row=row, column=column),
                                              slug=out.slug))

    def override(self, row: int, cells: dict[str, str | None]) -> Override:
        customer = cells.get("customer")
        if customer is None:
            raise _LeftOut("customer", say("common.no_customer"), "overrides_no_customer")
        grading, level = self.level(cells.get("grading"), cells.get("level"))
        add = self.tag_list("add_tags", cells.get("add_tags"), row)
        remove = self.tag_list("remove_tags", cells.get("remove_tags"), row)
        both = [t for t in add if t in remove]
        if both:
            raise _LeftOut("add_tags", say("sources.overrides_tag_twice", tags=listed(both)), "overrides_tag_twice")
        if level is None and not add and not remove:
            raise _LeftOut(None, say("sources.overrides_no_change"), "overrides_nothing")
        expires = cells.get("expires")
        day = parse_date(expires) if expires is not None else None
        if expires is not None and day is None:
            raise _LeftOut("expires", say("sources.not_a_date", value=expires), "overrides_bad_date")
        return Override(row, customer, grading, level, add, remove, cells.get("reason"), day)

    def level(self, grading: str | None, level: str | None) -> tuple[str | None, str | None]:
        """(grading, level) of a row that sets a level, else (None, None)."""
        if grading is not None and grading not in self.levels:
            gradings = say("sources.overrides_gradings", gradings=listed(self.levels))
            hint = suggest(grading, list(self.levels)) or gradings
            raise _LeftOut("grading", say("sources.overrides_unknown_grading", grading=grading, hint=hint),
                           "overrides_unknown_grading")
        if level is None:
            return None, None
        if grading is None:
            if len(self.levels) > 1:
                raise _LeftOut("grading", say("sources.overrides_which_grading", level=level, count=len(self.levels),
                                              gradings=listed(self.levels)), "overrides_which_grading")
            grading = next(iter(self.levels))
        if level not in self.levels[grading]:
            raise _LeftOut("level", say("sources.overrides_unknown_level", level=level, grading=grading,
                                        hint=suggest(level, self.levels[grading]),
                                        levels=listed(self.levels[grading])), "overrides_unknown_level")
        return grading, level

    def tag_list(self, field_name: str, text: str | None, row: int = 0) -> tuple[str, ...]:
        """The tags of a cell. A tag the rules don't define is a manual tag (人工标签), set by hand; one that can't
        be a tag (a comma, a formula's first character, a column tiercli writes) leaves the row out, and one
        within two edits of a rule tag is kept but reported as a probable typo."""
        names = tuple(dict.fromkeys(t.strip() for t in _TAG_SPLIT.split(text or "") if t.strip()))
        for name in names:
            if name in self.tags:
                continue
            wrong = name_faults(name)
            if wrong:
                raise _LeftOut(field_name, say("sources.bad_tag", name=name, why=wrong[0]),
                               "overrides_bad_tag")
            if name.casefold() in self.taken:
                why = say("sources.tag_is_a_column", column=self.taken[name.casefold()])
                raise _LeftOut(field_name, say("sources.bad_tag", name=name, why=why), "overrides_bad_tag")
            near = [t for t in self.tags if edit_distance(name, t) <= 2]
            if near:
                self.typos.append(TiercliError(say("sources.overrides_tag_typo", name=name, tag=near[0]),
                                               Location(file=self.label, row=row, column=self.columns.get(field_name)),
                                               slug="overrides_tag_typo"))
        return names


def edit_distance(a: str, b: str) -> int:
    """The number of single-character insertions, deletions and substitutions that turn `a` into `b`."""
    before = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        now = [i]
        for j, cb in enumerate(b, 1):
            now.append(min(before[j] + 1, now[j - 1] + 1, before[j - 1] + (ca != cb)))
        before = now
    return before[-1]


def parse_date(text: str) -> date | None:
    """A date written as people write them in a sheet (a time of day after it is ignored)."""
    day = text.strip().split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(day, fmt).date()
        except ValueError:
            continue
    return None
