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

from tiercli.errors import ColumnMappingError, Location, TiercliError, did_you_mean
from tiercli.rules.load import name_problems, output_columns
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
    sheet = read_sheets(path, ("the overrides file", "人工调整文件"))[0][0]
    columns: dict[str, str] = {}
    for header in sheet.table.column_names:
        name = _ALIASES.get(_key(header))
        if name is None:
            hint = did_you_mean(header, list(COLUMNS)) or f" (columns: {', '.join(COLUMNS)})"
            hint_zh = did_you_mean(header, list(COLUMNS), "zh") or f"（可用的列：{'、'.join(COLUMNS)}）"
            raise ColumnMappingError(f"unknown column '{header}'{hint}; rename or remove it",
                                     Location(file=sheet.label), slug="overrides_unknown_column",
                                     zh=f"未知的列 '{header}'{hint_zh}；请改名或删除")
        if name in columns:
            raise ColumnMappingError(f"columns '{columns[name]}' and '{header}' both give {name}; keep one",
                                     Location(file=sheet.label), slug="overrides_duplicate_column",
                                     zh=f"列 '{columns[name]}' 和 '{header}' 都表示 {name}；请只保留一个")
        columns[name] = header
    if "customer" not in columns:
        raise ColumnMappingError(f"no customer column; add one (the columns are {', '.join(COLUMNS)})",
                                 Location(file=sheet.label), slug="overrides_no_customer",
                                 zh=f"没有 customer 列；请加上（可用的列是 {'、'.join(COLUMNS)}）")
    if not {"level", "add_tags", "remove_tags"} & set(columns):
        raise ColumnMappingError("nothing to change: give a level, add_tags or remove_tags column",
                                 Location(file=sheet.label), slug="overrides_nothing",
                                 zh="没有要调整的内容：请提供 level、add_tags 或 remove_tags 列")
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
    """A row that can't be used: why (in English and Chinese), and the field to blame."""

    def __init__(self, field: str | None, message: str, slug: str, *, zh: str) -> None:
        super().__init__(message)
        self.field, self.message, self.slug, self.zh = field, message, slug, zh


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
                                              slug=out.slug, zh=out.zh))

    def override(self, row: int, cells: dict[str, str | None]) -> Override:
        customer = cells.get("customer")
        if customer is None:
            raise _LeftOut("customer", "no customer", "overrides_no_customer", zh="没有客户")
        grading, level = self.level(cells.get("grading"), cells.get("level"))
        add = self.tag_list("add_tags", cells.get("add_tags"), row)
        remove = self.tag_list("remove_tags", cells.get("remove_tags"), row)
        both = [t for t in add if t in remove]
        if both:
            raise _LeftOut("add_tags", f"adds and removes {', '.join(both)}", "overrides_tag_twice",
                           zh=f"同时添加又移除了标签 {'、'.join(both)}")
        if level is None and not add and not remove:
            raise _LeftOut(None, "changes nothing: give a level, add_tags or remove_tags", "overrides_nothing",
                           zh="这一行没有调整任何内容：请填写 level、add_tags 或 remove_tags")
        expires = cells.get("expires")
        day = parse_date(expires) if expires is not None else None
        if expires is not None and day is None:
            raise _LeftOut("expires", f"'{expires}' is not a date; write it as YYYY-MM-DD", "overrides_bad_date",
                           zh=f"'{expires}' 不是日期；请写成 YYYY-MM-DD")
        return Override(row, customer, grading, level, add, remove, cells.get("reason"), day)

    def level(self, grading: str | None, level: str | None) -> tuple[str | None, str | None]:
        """(grading, level) of a row that sets a level, else (None, None)."""
        if grading is not None and grading not in self.levels:
            hint = suggest(grading, list(self.levels)) or f" (the gradings are {', '.join(self.levels)})"
            hint_zh = suggest(grading, list(self.levels), "zh") or f"（现有分级：{'、'.join(self.levels)}）"
            raise _LeftOut("grading", f"unknown grading '{grading}'{hint}", "overrides_unknown_grading",
                           zh=f"未知的分级 '{grading}'{hint_zh}")
        if level is None:
            return None, None
        if grading is None:
            if len(self.levels) > 1:
                raise _LeftOut("grading", f"sets level '{level}' but names no grading, and the rules have "
                               f"{len(self.levels)} ({', '.join(self.levels)})", "overrides_which_grading",
                               zh=f"设置了等级 '{level}' 但没有写明分级，而规则文件中有 {len(self.levels)} 个分级"
                                  f"（{'、'.join(self.levels)}）")
            grading = next(iter(self.levels))
        if level not in self.levels[grading]:
            hint = suggest(level, self.levels[grading])
            raise _LeftOut("level", f"unknown level '{level}' of the grading '{grading}'{hint}; its levels are "
                           f"{', '.join(self.levels[grading])}", "overrides_unknown_level",
                           zh=f"分级 '{grading}' 中没有等级 '{level}'{suggest(level, self.levels[grading], 'zh')}；"
                              f"它的等级有 {'、'.join(self.levels[grading])}")
        return grading, level

    def tag_list(self, field_name: str, text: str | None, row: int = 0) -> tuple[str, ...]:
        """The tags of a cell. A tag the rules don't define is a manual tag (人工标签), set by hand; one that can't
        be a tag (a comma, a formula's first character, a column tiercli writes) leaves the row out, and one
        within two edits of a rule tag is kept but reported as a probable typo."""
        names = tuple(dict.fromkeys(t.strip() for t in _TAG_SPLIT.split(text or "") if t.strip()))
        for name in names:
            if name in self.tags:
                continue
            wrong = name_problems(name)
            if wrong:
                raise _LeftOut(field_name, f"'{name}' can't be a tag: {wrong[0][0]}", "overrides_bad_tag",
                               zh=f"'{name}' 不能作为标签：{wrong[0][1]}")
            if name.casefold() in self.taken:
                raise _LeftOut(field_name, f"'{name}' can't be a tag: it is the name of a column tiercli writes "
                               f"({self.taken[name.casefold()]}); choose another name", "overrides_bad_tag",
                               zh=f"'{name}' 不能作为标签：它是 tiercli 写出的一列（{self.taken[name.casefold()]}）"
                                  "的名称；请换一个名称")
            near = [t for t in self.tags if edit_distance(name, t) <= 2]
            if near:
                self.typos.append(TiercliError(
                    f"manual tag '{name}' is close to the rules' tag '{near[0]}': a typo? It is set as a tag of its "
                    "own", Location(file=self.label, row=row, column=self.columns.get(field_name)),
                    slug="overrides_tag_typo",
                    zh=f"人工标签 '{name}' 与规则中的标签 '{near[0]}' 很接近：是否写错了？它被当作一个独立的标签"))
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
