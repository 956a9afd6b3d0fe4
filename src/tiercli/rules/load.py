"""Read a rules file, check every part of it, and build `Rules`.

The YAML is composed (not constructed) so every node keeps its line; each problem found is collected with
a breadcrumb such as ``rules.yaml:14 tiers[1] '忠实客户' → when`` and a message that says what to do.
`check_rules` returns all of them (for `tiercli validate`); `parse_rules` and `load_rules` raise one
`RulesError` holding them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tiercli.errors import InputError, Location, RulesError, TiercliError, did_you_mean, meant
from tiercli.rules import options
from tiercli.rules.expressions import check_condition, check_metric
from tiercli.rules.model import Condition, CustomMetric, Grading, InputSpec, Level, LifecycleSpec, RfmSpec, Rules, Tag
from tiercli.rules.options import describe
from tiercli.vocabulary.columns import FIXED_ZH, MATRIX_LABELS, grading_columns
from tiercli.vocabulary.fields import FIELD_ALIASES, FIELDS, meaning_of
from tiercli.vocabulary.metrics import ORDER_COLUMNS, ZH_NAMES, rule_names, rule_types

ARROW = " → "

TOP_KEYS: tuple[str, ...] = (
    "version", "name", "description", "preset", "input", "metrics", "rfm", "lifecycle", "tiers", "tags",
    "gradings",
)
TIER_KEYS: tuple[str, ...] = ("name", "when", "description", "benefit", "discount")
TAG_KEYS: tuple[str, ...] = ("name", "when", "description")
GRADING_KEYS: tuple[str, ...] = ("name", "levels", "description", "sticky", "keep_rule", "grace_days")
INPUT_KEYS: tuple[str, ...] = ("columns", "platform", "sheet", "dayfirst", "statuses", "timezone")
STATUS_CLASSES: tuple[str, ...] = ("paid_done", "paid_in_progress", "unpaid", "cancelled", "refunded")
TIERS_GRADING = "tier"  # the `tiers:` shorthand is the grading with this name
RUN_COLUMNS: tuple[str, ...] = ("movement", "overrides")  # added with --previous / --overrides

_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_COLUMN_NAME = re.compile(r"\w+")
_METRIC_NAME = re.compile(r"[^\W\d]\w*")
_FORMULA_START = ("=", "+", "-", "@")

_QUOTED_WHEN = "when: \"top_category = '美妆'\""
_YAML_HINTS: tuple[tuple[str, str, str], ...] = (  # (text in PyYAML's message, hint, the hint in Chinese)
    ("mapping values are not allowed", "put text that contains ': ' in quotes", "含有 ': ' 的文本请加上引号"),
    ("'\\t'", "indent with spaces, not tabs", "请用空格缩进，不要用制表符"),
    ("never closed", "add the closing quote", "请补上结尾的引号"),
    ("<stream end>", "a [ or { is not closed", "有 [ 或 { 没有闭合"),
    ("end of stream", "a quote or bracket is not closed", "有引号或括号没有闭合"),
    ("cannot start any token", "a value that starts with a quote or a special character must be quoted as a "
                               f"whole, e.g. {_QUOTED_WHEN}",
     f"以引号或特殊字符开头的值必须整体加引号，例如 {_QUOTED_WHEN}"),
    ("block scalar", f"a value that starts with a quote must be quoted as a whole, e.g. {_QUOTED_WHEN}",
     f"以引号开头的值必须整体加引号，例如 {_QUOTED_WHEN}"),
    ("unexpected text", f"a value that starts with a quote must be quoted as a whole, e.g. {_QUOTED_WHEN}; "
                        "otherwise check the indentation",
     f"以引号开头的值必须整体加引号，例如 {_QUOTED_WHEN}；否则请检查缩进"),
    ("<block end>", "check the indentation of this line and the lines above", "请检查这一行及上面几行的缩进"),
    ("second document", "remove the '---' line: a rules file holds one document",
     "请删除 '---' 这一行：一个规则文件只能有一个文档"),
    ("expected ','", "check the brackets and commas in { } and [ ]", "请检查 { } 和 [ ] 中的括号和逗号"),
    ("could not find expected ':'", "check the indentation and that every key ends with ':'",
     "请检查缩进，并确认每个键都以 ':' 结尾"),
)
_YAML_PROBLEMS_ZH = {  # the problems tiercli words itself, in Chinese (PyYAML's own stay as it says them)
    "this quote is never closed": "这个引号没有闭合",
    "found a second document": "发现了第二个文档",
    "unexpected text": "出现了意外的文本",
}

_TIER_EXAMPLE = '{name: 重要客户, when: "monetary >= 5000"}'
_TAG_EXAMPLE = '{name: 高频购买者, when: "orders_90d >= 3"}'


@dataclass
class _Entry:
    """One key of a YAML mapping: the key node and the value node."""

    key: ScalarNode
    value: Node


@dataclass
class _Checker:
    source: str
    names: dict[str, str]  # every name a rule may use; custom metrics are added as they are read
    types: dict[str, str] | None = None  # the kind of each name, when known (None: no kind checks)
    problems: list[TiercliError] = field(default_factory=list)
    helpers: dict[str, CustomMetric] = field(default_factory=dict)  # order-level helpers the rules use
    constructor: SafeConstructor = field(default_factory=SafeConstructor)
    suggested: set[str] = field(default_factory=set)  # top-level keys a misspelt key was taken for
    preset: str | None = None  # the preset the file builds on

    # --- reporting ---

    def location(self, node: Node | None, path: str | None) -> Location:
        line = node.start_mark.line + 1 if node is not None else None
        return Location(file=options.preset_location(node) or self.source, line=line, path=path or None)

    def report(self, node: Node | None, path: str | None, message: str, slug: str, *, zh: str) -> None:
        self.problems.append(TiercliError(message, self.location(node, path), slug=slug, zh=zh))

    # --- generic shapes ---

    def mapping(
        self, node: Node, path: str | None, allowed: tuple[str, ...], example: str,
    ) -> dict[str, _Entry] | None:
        """The keys of a mapping node; reports a non-mapping and unknown or duplicate keys."""
        if not isinstance(node, MappingNode):
            self.report(node, path, f"must be a mapping such as {example}, found {describe(node)}",
                        "wrong_type", zh=f"应为键值映射，例如 {example}，实际是{describe(node, 'zh')}")
            return None
        entries: dict[str, _Entry] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.report(key, path, "keys must be plain words", "wrong_type", zh="键必须是普通的词")
                continue
            name = key.value
            if name in entries:
                self.report(key, path, f"'{name}' appears twice; keep one", "duplicate_key",
                            zh=f"'{name}' 出现了两次；请只保留一个")
            elif name not in allowed:
                suggestion = did_you_mean(name, allowed)
                if suggestion and path is None:
                    self.suggested.update(a for a in allowed if f"'{a}'" in suggestion)
                hint = suggestion or f" (allowed here: {', '.join(allowed)})"
                hint_zh = did_you_mean(name, allowed, "zh") or f"（这里可以用：{'、'.join(allowed)}）"
                self.report(key, path, f"unknown key '{name}'{hint}", "unknown_key", zh=f"未知的键 '{name}'{hint_zh}")
            else:
                entries[name] = _Entry(key, value)
        return entries

    def text(self, node: Node, path: str, what: tuple[str, str] = ("text", "文本")) -> str | None:
        """The text of a scalar; else reports that it must be `what` (English, Chinese)."""
        if isinstance(node, ScalarNode) and not _is_blank(node):
            return str(node.value)
        self.report(node, path, f"must be {what[0]}, found {describe(node)}", "wrong_type",
                    zh=f"应为{what[1]}，实际是{describe(node, 'zh')}")
        return None

    def optional_text(self, entry: _Entry | None, path: str) -> str | None:
        return self.text(entry.value, path) if entry is not None else None

    def extra_value(self, node: Node, path: str, key: str) -> Any:
        if key == "discount":
            return options.discount(self, node, path)
        return self.text(node, path)

    # --- top level ---

    def rules(self, root: Node | None, sha256: str | None) -> Rules | None:
        if root is None:
            self.report(None, None, "the rules file is empty; write one with `tiercli init`", "empty",
                        zh="规则文件是空的；可以用 `tiercli init` 生成一个")
            return None
        if not isinstance(root, MappingNode):
            self.report(root, None, "the rules file must be a mapping of keys such as version, name and "
                                    f"tiers, found {describe(root)}", "not_mapping",
                        zh=f"规则文件应为由 version、name、tiers 等键组成的键值映射，实际是{describe(root, 'zh')}")
            return None
        top = self.mapping(root, None, TOP_KEYS, "version: 1")
        if top is None:
            return None
        for optional in ("input", "metrics", "rfm", "lifecycle", "tags", "gradings"):
            if optional in top and _is_blank(top[optional].value):
                del top[optional]
        self.version(top.get("version"))
        name = self.text(top["name"].value, "name") if "name" in top else None
        if "description" in top:
            self.text(top["description"].value, "description")
        spec_input = self.input(top["input"].value) if "input" in top else InputSpec()
        metrics = self.metrics(top["metrics"].value) if "metrics" in top else ()
        rfm = options.rfm(self, top["rfm"].value) if "rfm" in top else RfmSpec()
        lifecycle = options.lifecycle(self, top["lifecycle"].value) if "lifecycle" in top else LifecycleSpec()
        gradings = self.gradings(top.get("tiers"), top.get("gradings"), root)
        tags = self.tags(top["tags"].value, gradings or ()) if "tags" in top else ()
        self.output_clashes(gradings or (), tags or (), metrics)
        if (self.problems or gradings is None or rfm is None or spec_input is None or tags is None
                or lifecycle is None):
            return None
        return Rules(
            name=name or Path(self.source).stem, gradings=gradings, tags=tags, rfm=rfm, input=spec_input,
            lifecycle=lifecycle, preset=self.preset,
            metrics=(*metrics, *self.helpers.values()), version=1, source=self.source, sha256=sha256,
        )

    def version(self, entry: _Entry | None) -> None:
        if entry is None:
            return
        node = entry.value
        if not (isinstance(node, ScalarNode) and node.tag == _INT_TAG
                and self.constructor.construct_object(node) == 1):
            self.report(node, "version", f"must be 1 (the only rules format so far), found {describe(node)}",
                        "bad_value", zh=f"应为 1（目前唯一的规则文件格式），实际是{describe(node, 'zh')}")

    # --- input ---

    def input(self, node: Node) -> InputSpec | None:
        entries = self.mapping(node, "input", INPUT_KEYS, "{columns: {customer: 买家会员名}}")
        if entries is None:
            return None
        columns = self.columns(entries["columns"].value) if "columns" in entries else {}
        statuses = self.statuses(entries["statuses"].value) if "statuses" in entries else {}
        platform = self.optional_text(entries.get("platform"), f"input{ARROW}platform")
        sheet = self.optional_text(entries.get("sheet"), f"input{ARROW}sheet")
        dayfirst = self.boolean(entries.get("dayfirst"), f"input{ARROW}dayfirst")
        timezone = self.timezone(entries.get("timezone"))
        if columns is None or statuses is None:
            return None
        return InputSpec(columns=columns, platform=platform, sheet=sheet, dayfirst=dayfirst,
                         statuses=statuses, timezone=timezone)

    def timezone(self, entry: _Entry | None) -> str | None:
        path = f"input{ARROW}timezone"
        text = self.optional_text(entry, path)
        if text is None or entry is None:
            return None
        if re.fullmatch(r"[+-](0[0-9]|1[0-4]):[0-5][0-9]", text):
            return text
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            self.report(entry.value, path, f"'{text}' is not a time zone; use a name such as Asia/Shanghai or "
                        "an offset such as +08:00", "bad_timezone",
                        zh=f"'{text}' 不是时区；请用 Asia/Shanghai 这样的名称，或 +08:00 这样的时差")
            return None
        return text

    def columns(self, node: Node) -> dict[str, str] | None:
        path = f"input{ARROW}columns"
        if not isinstance(node, MappingNode):
            self.report(node, path, "must be a mapping of field: header, e.g. {customer: 买家会员名, amount: "
                                    f"买家实际支付金额}}, found {describe(node)}", "wrong_type",
                        zh="应为“字段: 表头”的键值映射，例如 {customer: 买家会员名, amount: 买家实际支付金额}，"
                           f"实际是{describe(node, 'zh')}")
            return None
        columns: dict[str, str] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else ""
            name = FIELD_ALIASES.get(name, name)  # order_ts, order_date: the order time
            if name not in FIELDS:
                meant_field = meaning_of(name)  # by meaning first: purchase_time is a time, not an order id
                hint = (meant(meant_field) if meant_field else did_you_mean(name, FIELDS)) \
                    or f" (fields: {', '.join(FIELDS)})"
                hint_zh = (meant(meant_field, "zh") if meant_field else did_you_mean(name, FIELDS, "zh")) \
                    or f"（可用字段：{'、'.join(FIELDS)}）"
                self.report(key, path, f"unknown field '{name}'{hint}", "unknown_key",
                            zh=f"未知的字段 '{name}'{hint_zh}")
                continue
            if name in columns:
                self.report(key, path, f"'{name}' appears twice; keep one", "duplicate_key",
                            zh=f"'{name}' 出现了两次；请只保留一个")
                continue
            header = self.text(value, f"{path}{ARROW}{name}", ("the column header as the file shows it, e.g. "
                                                               "买家会员名", "文件中的表头原文，例如 买家会员名"))
            if header is not None:
                columns[name] = header
        return columns

    def statuses(self, node: Node) -> dict[str, str] | None:
        path = f"input{ARROW}statuses"
        if not isinstance(node, MappingNode):
            self.report(node, path, "must be a mapping of status: class, e.g. {交易成功: paid_done}, found "
                                    f"{describe(node)}", "wrong_type",
                        zh=f"应为“状态: 类别”的键值映射，例如 {{交易成功: paid_done}}，实际是{describe(node, 'zh')}")
            return None
        statuses: dict[str, str] = {}
        for key, value in node.value:
            raw = self.text(key, path, ("the status as the file shows it", "文件中的状态原文"))
            if raw is None:
                continue
            if raw in statuses:
                self.report(key, path, f"'{raw}' appears twice; keep one", "duplicate_key",
                            zh=f"'{raw}' 出现了两次；请只保留一个")
                continue
            item_path = f"{path}{ARROW}{raw}"
            klass = self.text(value, item_path, ("a status class", "一个状态类别"))
            if klass is None:
                continue
            if klass not in STATUS_CLASSES:
                hint = did_you_mean(klass, STATUS_CLASSES)
                self.report(value, item_path, f"unknown status class '{klass}'{hint}; use one of "
                                              f"{', '.join(STATUS_CLASSES)}", "bad_value",
                            zh=f"未知的状态类别 '{klass}'{did_you_mean(klass, STATUS_CLASSES, 'zh')}；"
                               f"请用 {'、'.join(STATUS_CLASSES)} 之一")
                continue
            statuses[raw] = klass
        return statuses

    def boolean(self, entry: _Entry | None, path: str) -> bool | None:
        if entry is None:
            return None
        node = entry.value
        if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
            return bool(self.constructor.construct_object(node))
        self.report(node, path, f"must be true or false, found {describe(node)}", "wrong_type",
                    zh=f"应为 true 或 false，实际是{describe(node, 'zh')}")
        return None

    # --- custom metrics ---

    def metrics(self, node: Node) -> tuple[CustomMetric, ...]:
        """`metrics:` — name: aggregate over order columns. Each name becomes usable in rules."""
        example = "{beauty_spend: \"sum(amount) filter (where category = '美妆')\"}"
        if not isinstance(node, MappingNode):
            self.report(node, "metrics", f"must be a mapping of name: aggregate, e.g. {example}, found "
                                         f"{describe(node)}", "wrong_type",
                        zh=f"应为“名称: 聚合”的键值映射，例如 {example}，实际是{describe(node, 'zh')}")
            return ()
        columns = {name: meaning for name, (_, meaning) in ORDER_COLUMNS.items()}
        column_kinds = {name: kind for name, (kind, _) in ORDER_COLUMNS.items()}
        taken = {n.casefold(): ("a built-in name (see `tiercli metrics`)", "内置名称（见 `tiercli metrics`）")
                 for n in self.names}
        taken.update({n: ("an output column of runs over time (--previous, --overrides)",
                          "跨期运行的输出列（--previous、--overrides）") for n in RUN_COLUMNS})
        result: list[CustomMetric] = []
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else ""
            path = f"metrics{ARROW}{name}" if name else "metrics"
            if not _METRIC_NAME.fullmatch(name):
                self.report(key, path, "must be a name of letters, digits and _ that doesn't start with a digit, "
                                       "e.g. beauty_spend", "bad_name",
                            zh="应为由字母、数字和 _ 组成、且不以数字开头的名称，例如 beauty_spend")
                continue
            if name.casefold() in taken:
                what, what_zh = taken[name.casefold()]
                self.report(key, path, f"'{name}' is already {what}; choose another name", "duplicate_name",
                            zh=f"'{name}' 已经是{what_zh}；请换一个名称")
                continue
            line = key.start_mark.line + 1
            taken[name.casefold()] = (f"the custom metric at line {line}", f"第 {line} 行的自定义指标")
            text = self.text(value, path, ("an aggregate written as text, e.g. sum(amount)",
                                           "写成文本的聚合，例如 sum(amount)"))
            if text is not None:
                metric, problems = check_metric(name, text, columns, column_kinds, self.location(value, path),
                                                self.names)
                self.problems.extend(problems)
                if metric is not None:
                    result.append(metric)
            self.names[name] = f"custom metric: {text}"
        if self.types is not None:
            self.types.update({m.name: m.kind for m in result if m.kind is not None})
        return tuple(result)

    # --- gradings and tiers ---

    def gradings(
        self, tiers: _Entry | None, gradings: _Entry | None, root: Node
    ) -> tuple[Grading, ...] | None:
        if tiers is None and gradings is None:
            if self.suggested & {"tiers", "gradings"}:
                return None
            self.report(root, None, "no tiers: add a `tiers:` list whose last tier has no `when`, e.g. "
                                    "- {name: 基础客户}", "missing",
                        zh="没有等级：请添加 `tiers:` 列表，且最后一个等级不写 `when`，例如 - {name: 基础客户}")
            return None
        result: list[Grading] = []
        taken: dict[str, tuple[str, str]] = {}  # grading name -> what has it (English, Chinese)
        if tiers is not None:
            levels = self.levels(tiers.value, "tiers", tiers.key)
            taken[TIERS_GRADING] = ("the `tiers:` list", "规则文件中的 `tiers:` 列表")
            if levels is not None:
                result.append(Grading(TIERS_GRADING, levels, self.location(tiers.key, "tiers")))
        if gradings is not None:
            result.extend(self.grading_list(gradings.value, taken))
        return tuple(result)

    def grading_list(self, node: Node, taken: dict[str, tuple[str, str]]) -> list[Grading]:
        if not isinstance(node, SequenceNode):
            self.report(node, "gradings", "must be a list of gradings, e.g. - {name: 会员等级, levels: […]}, "
                                          f"found {describe(node)}", "wrong_type",
                        zh=f"应为分级列表，例如 - {{name: 会员等级, levels: […]}}，实际是{describe(node, 'zh')}")
            return []
        result: list[Grading] = []
        for index, item in enumerate(node.value):
            path = f"gradings[{index}]"
            label = _label(path, item)
            entries = self.mapping(item, label, GRADING_KEYS, "{name: 会员等级, levels: […]}")
            if entries is None:
                continue
            name = self.grading_name(entries.get("name"), item, label, taken)
            if "description" in entries:
                self.text(entries["description"].value, f"{label}{ARROW}description")
            sticky = self.boolean(entries.get("sticky"), f"{label}{ARROW}sticky")
            if "levels" not in entries:
                self.report(item, label, "has no levels: add `levels:`, a list of tiers whose last one has "
                                         "no `when`", "missing",
                            zh="没有等级：请添加 `levels:`，即一个最后一项不写 `when` 的等级列表")
                continue
            keep_rule, grace_days = self.keeping(entries, label, bool(sticky))
            levels = self.levels(entries["levels"].value, f"{label}{ARROW}levels", entries["levels"].key)
            if name is not None and levels is not None:
                result.append(Grading(name, levels, self.location(item, label), sticky=bool(sticky),
                                      keep_rule=keep_rule, grace_days=grace_days))
        return result

    def keeping(self, entries: dict[str, _Entry], label: str, sticky: bool) -> tuple[Condition | None, int | None]:
        """`keep_rule` (保级: the condition a customer held at an earlier level must still meet) and `grace_days`
        (how long one who doesn't may stay held); both only mean something on a sticky grading."""
        keep_rule: Condition | None = None
        grace_days: int | None = None
        for key in ("keep_rule", "grace_days"):
            if key in entries and not sticky:
                self.report(entries[key].key, f"{label}{ARROW}{key}", "only applies to an upgrade-only grading; "
                            "add sticky: true or remove it", "needs_sticky",
                            zh="只适用于只升不降的分级；请加上 sticky: true，或删除它")
        if "keep_rule" in entries:
            keep_rule = self.condition(entries["keep_rule"].value, f"{label}{ARROW}keep_rule", tier=False)
        if "grace_days" in entries:
            node = entries["grace_days"].value
            value = (self.constructor.construct_object(node)
                     if isinstance(node, ScalarNode) and node.tag == _INT_TAG else None)
            if isinstance(value, int) and value >= 1:
                grace_days = value
            else:
                self.report(node, f"{label}{ARROW}grace_days", "must be a whole number of days, 1 or more, found "
                                                               f"{describe(node)}", "bad_value",
                            zh=f"应为不小于 1 的整数天数，实际是{describe(node, 'zh')}")
        return keep_rule, grace_days

    def grading_name(self, entry: _Entry | None, item: Node, path: str,
                     taken: dict[str, tuple[str, str]]) -> str | None:
        if entry is None:
            self.report(item, path, "has no name: add e.g. name: 会员等级 (it becomes the output column)",
                        "missing", zh="没有名称：请添加，例如 name: 会员等级（它会成为输出的列名）")
            return None
        name_path = f"{path}{ARROW}name"
        name = self.text(entry.value, name_path)
        if name is None:
            return None
        folded = {n.casefold(): n for n in self.names}
        if not _COLUMN_NAME.fullmatch(name):
            self.report(entry.value, name_path, "must be a column name of letters, digits and _ only, e.g. "
                                                "会员等级 or vip_level", "bad_name",
                        zh="应为只含字母、数字和 _ 的列名，例如 会员等级 或 vip_level")
        elif name.casefold() in folded:
            self.report(entry.value, name_path, f"'{name}' is already the name of a metric; choose another "
                                                "name", "bad_name", zh=f"'{name}' 已经是一个指标的名称；请换一个名称")
        elif name.casefold() in taken:
            what, what_zh = taken[name.casefold()]
            self.report(entry.value, name_path, f"'{name}' is already used by {what}; choose another name",
                        "duplicate_name", zh=f"'{name}' 已被{what_zh}使用；请换一个名称")
        else:
            line = entry.value.start_mark.line + 1
            taken[name.casefold()] = (f"the grading at line {line}", f"第 {line} 行的分级")
            return name
        return None

    def levels(self, node: Node, path: str, key: ScalarNode) -> tuple[Level, ...] | None:
        if not isinstance(node, SequenceNode):
            self.report(node, path, f"must be a list of tiers, e.g. - {_TIER_EXAMPLE}, found "
                                    f"{describe(node)}", "wrong_type",
                        zh=f"应为等级列表，例如 - {_TIER_EXAMPLE}，实际是{describe(node, 'zh')}")
            return None
        if not node.value:
            self.report(node, path, "has no tiers: add at least a default tier, e.g. - {name: 基础客户}",
                        "missing", zh="没有等级：请至少添加一个默认等级，例如 - {name: 基础客户}")
            return None
        levels: list[Level] = []
        labels: list[str] = []
        defaults: list[tuple[int, Node, str]] = []
        seen: dict[str, int] = {}
        broken: set[int] = set()
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            label = _label(item_path, item)
            entries = self.mapping(item, label, TIER_KEYS, "{name: 基础客户}")
            if entries is None:
                labels.append("")
                broken.add(index)
                continue
            name = self.item_name(entries.get("name"), item, label, "tier", seen)
            labels.append(name or "")
            when: Condition | None = None
            if "when" in entries:
                when = self.condition(entries["when"].value, f"{label}{ARROW}when", tier=True)
            else:
                defaults.append((index, item, label))
            extra = {k: self.extra_value(e.value, f"{label}{ARROW}{k}", k)
                     for k, e in entries.items() if k not in ("name", "when")}
            levels.append(Level(name or "", when, self.location(item, label), extra))
        self.defaults(defaults, labels, path, key, last_broken=len(labels) - 1 in broken)
        return tuple(levels)

    def defaults(self, defaults: list[tuple[int, Node, str]], labels: list[str], path: str,
                 key: ScalarNode, *, last_broken: bool) -> None:
        last = len(labels) - 1
        for index, item, label in defaults:
            if index == last:
                continue
            after = [n for n in labels[index + 1:] if n]
            which = f"the tiers after it ({', '.join(after)})" if after else "the tiers after it"
            which_zh = f"它后面的等级（{'、'.join(after)}）" if after else "它后面的等级"
            self.report(item, label, f"has no `when`, so it takes every customer left and {which} are never "
                                     "reached; add a `when`, or move it to the end as the default",
                        "unreachable_tier",
                        zh=f"没有 `when`，所以会拿走剩下的所有客户，{which_zh}永远轮不到；请加上 `when`，"
                           "或把它移到最后作为默认等级")
        if not defaults and not last_broken:
            self.report(key, path, "no default tier: the last tier must have no `when`; add e.g. "
                                   "- {name: 基础客户} at the end", "no_default",
                        zh="没有默认等级：最后一个等级不能有 `when`；请在末尾添加，例如 - {name: 基础客户}")

    def item_name(self, entry: _Entry | None, item: Node, path: str, kind: str,
                  seen: dict[str, int]) -> str | None:
        example = "优质客户" if kind == "tier" else "高频购买者"
        kind_zh = "等级" if kind == "tier" else "标签"
        if entry is None or _is_blank(entry.value):
            self.report(item if entry is None else entry.value, path, f"has no name: add e.g. name: {example}",
                        "missing", zh=f"没有名称：请添加，例如 name: {example}")
            return None
        name_path = f"{path}{ARROW}name"
        name = self.text(entry.value, name_path)
        if name is None:
            return None
        line = entry.value.start_mark.line + 1
        for message, message_zh in name_problems(name):
            self.report(entry.value, name_path, message, "bad_name", zh=message_zh)
        if name in seen:
            self.report(entry.value, name_path, f"'{name}' is already the name of the {kind} at line "
                                                f"{seen[name]}; give each {kind} its own name",
                        "duplicate_name",
                        zh=f"'{name}' 已经是第 {seen[name]} 行那个{kind_zh}的名称；每个{kind_zh}请用不同的名称")
        else:
            seen[name] = line
        return name

    def condition(self, node: Node, path: str, *, tier: bool) -> Condition | None:
        default_hint = ", or remove `when` to make this the default tier" if tier else ""
        default_hint_zh = "，或删除 `when` 让它成为默认等级" if tier else ""
        example = "monetary >= 1000" if tier else "orders_90d >= 3"
        if _is_blank(node):
            self.report(node, path, f"is empty; write a condition such as {example}{default_hint}",
                        "empty_when", zh=f"是空的；请写一个条件，例如 {example}{default_hint_zh}")
            return None
        if not isinstance(node, ScalarNode):
            self.report(node, path, f"must be a condition written as text, e.g. {example}, found "
                                    f"{describe(node)}", "wrong_type",
                        zh=f"应为写成文本的条件，例如 {example}，实际是{describe(node, 'zh')}")
            return None
        condition, problems = check_condition(str(node.value), self.names, self.location(node, path), self.types)
        self.problems.extend(problems)
        if condition is not None:
            for helper in condition.helpers:
                self.helpers.setdefault(helper.name, helper)
        return condition

    # --- names against the columns tiercli writes ---

    def output_clashes(self, gradings: tuple[Grading, ...], tags: tuple[Tag, ...],
                       metrics: tuple[CustomMetric, ...]) -> None:
        """Each grading, tag and custom metric is an output column (a grading brings its why, previous, movement
        and grace columns too), and each level a column of the movement table; none may be, in either language,
        a column tiercli writes beside it or another rule's column. The first owner keeps the name; each later
        one is a problem at its rule (unless a problem was already reported there)."""
        owner: dict[str, tuple[str, str]] = {}
        for name, zh in (*FIXED_ZH.items(), *ZH_NAMES.items()):
            for text in (name, zh):
                owner.setdefault(text.casefold(), (f"the column '{name}' tiercli writes",
                                                   f"tiercli 写出的列 '{name}'"))
        reported = {p.location.path for p in self.problems}
        matrix = {label.casefold(): (f"the movement table's column '{label}'", f"变动表的列 '{label}'")
                  for label in MATRIX_LABELS}
        created: list[tuple[str, str, Location, list[str]]] = [
            *(("grading", "分级", g.location, grading_columns(g.name)) for g in gradings),
            *(("level", "等级", lv.location, [lv.name]) for g in gradings for lv in g.levels),
            *(("tag", "标签", t.location, [t.name]) for t in tags),
            *(("custom metric", "自定义指标", m.location, [m.name]) for m in metrics if not m.helper)]
        for kind, kind_zh, location, columns in created:
            path = f"{location.path}{ARROW}name" if location.path and kind != "custom metric" else location.path
            taken = matrix if kind == "level" else owner  # a level is a column of the movement table only
            clash = next(((c, taken[c.casefold()]) for c in columns if c.casefold() in taken), None)
            if clash is not None and path not in reported:
                column, (what, what_zh) = clash
                mine = "" if column == columns[0] else f" (its column '{column}')"
                mine_zh = "" if column == columns[0] else f"（它的列 '{column}'）"
                self.problems.append(TiercliError(
                    f"the {kind} '{columns[0]}'{mine} has the name of {what}; choose another name",
                    replace(location, path=path), slug="name_taken_by_column",
                    zh=f"{kind_zh} '{columns[0]}'{mine_zh}与{what_zh}同名；请换一个名称"))
                reported.add(path)
            if kind != "level":
                for c in columns:
                    owner.setdefault(c.casefold(), (f"the {kind} '{c}'", f"{kind_zh} '{c}'") if c == columns[0] else
                                     (f"the column '{c}' of the {kind} '{columns[0]}'",
                                      f"{kind_zh} '{columns[0]}' 的列 '{c}'"))

    # --- tags ---

    def tags(self, node: Node, gradings: tuple[Grading, ...] = ()) -> tuple[Tag, ...] | None:
        """`tags:`. A tag's name is also its 0/1 output column, so it can't be a metric's or a grading's."""
        columns = {n.casefold(): ("a metric", "指标") for n in self.names}
        columns.update({n: ("an output column", "输出列") for n in ("customer_id", "tags", *RUN_COLUMNS)})
        for grading in gradings:
            columns[grading.name.casefold()] = ("a grading", "分级")
            columns[f"{grading.name}_why".casefold()] = ("a grading's why column", "分级的依据列")
            for prefix, suffix in (("previous_", ""), ("movement_", ""), ("", "_grace_until")):
                columns[f"{prefix}{grading.name}{suffix}".casefold()] = ("a column of runs over time", "跨期运行的列")
        if not isinstance(node, SequenceNode):
            self.report(node, "tags", f"must be a list of tags, e.g. - {_TAG_EXAMPLE}, found "
                                      f"{describe(node)}", "wrong_type",
                        zh=f"应为标签列表，例如 - {_TAG_EXAMPLE}，实际是{describe(node, 'zh')}")
            return None
        tags: list[Tag] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(node.value):
            path = f"tags[{index}]"
            label = _label(path, item)
            entries = self.mapping(item, label, TAG_KEYS, _TAG_EXAMPLE)
            if entries is None:
                continue
            name = self.item_name(entries.get("name"), item, label, "tag", seen)
            if name is not None and name.casefold() in columns:
                what, what_zh = columns[name.casefold()]
                self.report(entries["name"].value, f"{label}{ARROW}name", f"'{name}' is already the name of "
                            f"{what}, and each tag is an output column too; choose another name", "bad_name",
                            zh=f"'{name}' 已经是{what_zh}的名称，而每个标签也是一个输出列；请换一个名称")
                name = None
            description = (self.text(entries["description"].value, f"{label}{ARROW}description")
                           if "description" in entries else None)
            if "when" not in entries:
                self.report(item, label, "has no `when`: every tag needs a condition, e.g. "
                                         'when: "orders_90d >= 3"', "missing",
                            zh='没有 `when`：每个标签都需要一个条件，例如 when: "orders_90d >= 3"')
                continue
            when = self.condition(entries["when"].value, f"{label}{ARROW}when", tier=False)
            if name is not None and when is not None:
                tags.append(Tag(name, when, self.location(item, label), description))
        return tuple(tags)


def _label(path: str, item: Node) -> str:
    """`path` followed by the item's name when it has a usable one: tiers[1] '忠实客户'."""
    if isinstance(item, MappingNode):
        for key, value in item.value:
            if (isinstance(key, ScalarNode) and key.value == "name" and isinstance(value, ScalarNode)
                    and value.tag != _NULL_TAG and value.value.strip()):
                return f"{path} '{value.value}'"
    return path


def _is_blank(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (node.tag == _NULL_TAG or not str(node.value).strip())


def name_problems(name: str) -> list[tuple[str, str]]:
    """What is wrong with a tier's or tag's name, each in English and Chinese."""
    problems: list[tuple[str, str]] = []
    if "," in name:
        problems.append(("must not contain ','; use '、' or '/' instead (the output joins tags with ', ')",
                         "不能包含 ','；请改用 '、' 或 '/'（输出中用 ', ' 连接多个标签）"))
    if name.startswith(_FORMULA_START):
        problems.append((f"must not start with '{name[0]}' (a spreadsheet would read it as a formula)",
                         f"不能以 '{name[0]}' 开头（电子表格会把它当作公式）"))
    if any(c in name for c in "\t\r\n"):
        problems.append(("must be on one line, without tabs", "必须写在一行内，且不含制表符"))
    elif name != name.strip():
        problems.append(("has spaces at the start or end; remove them", "开头或结尾有空格；请删除"))
    return problems


def _character_problem(error: yaml.reader.ReaderError, text: str, source: str) -> TiercliError:
    """A character YAML doesn't accept (a control character such as NUL), located by line and column."""
    before = text[:error.position]
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    code = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(error.character)
    return TiercliError(f"YAML syntax error at line {line}, column {column}: the file holds a control character "
                        f"({code}) a rules file can't contain; remove it, or save the file again as plain text",
                        Location(file=source, line=line), slug="yaml_syntax",
                        zh=f"YAML 语法错误，第 {line} 行第 {column} 列：文件中有规则文件不能包含的控制字符（{code}）；"
                           "请删除它，或把文件重新保存为纯文本")


def _yaml_problem(error: yaml.YAMLError, source: str) -> TiercliError:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if "end of stream" in problem and "quoted scalar" in context:
        mark = getattr(error, "context_mark", None) or mark
        problem = "this quote is never closed"
    elif "another document" in problem:
        problem = "found a second document"
    elif "found '<scalar>'" in problem:
        problem = "unexpected text"
    hints = [(hint, hint_zh) for needle, hint, hint_zh in _YAML_HINTS if needle in problem or needle in str(error)]
    hint = f"; {hints[0][0]}" if hints else ""
    said_zh = _YAML_PROBLEMS_ZH.get(problem, problem) + (f"；{hints[0][1]}" if hints else "")
    if mark is None:
        return TiercliError(f"YAML syntax error: {problem}{hint}", Location(file=source), slug="yaml_syntax",
                            zh=f"YAML 语法错误：{said_zh}")
    line, column = mark.line + 1, mark.column + 1
    return TiercliError(f"YAML syntax error at line {line}, column {column}: {problem}{hint}",
                        Location(file=source, line=line), slug="yaml_syntax",
                        zh=f"YAML 语法错误，第 {line} 行第 {column} 列：{said_zh}")


def _check(
    text: str, source: str, names: Mapping[str, str] | None, sha256: str | None
) -> tuple[Rules | None, list[TiercliError]]:
    checker = _Checker(source=source, names=dict(rule_names() if names is None else names),
                       types=dict(rule_types()) if names is None else None)
    try:
        root = yaml.compose(text.removeprefix("\ufeff"), Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as error:
        return None, [_character_problem(error, text.removeprefix("\ufeff"), source)]
    except yaml.YAMLError as error:
        return None, [_yaml_problem(error, source)]
    except RecursionError:
        return None, [_too_deep(source)]
    not_text = _not_text(root, source)
    if not_text:
        return None, not_text
    try:
        root, checker.preset, preset_problems = options.apply_preset(root, source)
        if preset_problems:
            checker.problems.extend(preset_problems)
            checker.suggested.update({"tiers", "gradings"})  # the preset would have brought them
        rules = checker.rules(root, sha256)
    except RecursionError:
        return None, [_too_deep(source)]
    problems = sorted(checker.problems, key=lambda p: (p.location.file != source, p.location.line or 0))
    return (rules if not problems else None), problems


def output_columns(rules: Rules) -> dict[str, str]:
    """Every column a run of `rules` may write, in both languages (casefolded), with the tiercli name it is
    (a tag set by hand must not take one)."""
    taken: dict[str, str] = {}
    for name, zh in (*FIXED_ZH.items(), *ZH_NAMES.items()):
        taken.setdefault(name.casefold(), name)
        taken.setdefault(zh.casefold(), name)
    for grading in rules.gradings:
        for column in grading_columns(grading.name):
            taken.setdefault(column.casefold(), column)
    for metric in rules.metrics:
        taken.setdefault(metric.name.casefold(), metric.name)
    return taken


def _too_deep(source: str) -> TiercliError:
    return TiercliError("the rules file (or an expression in it) is nested too deeply to read; a rules file needs "
                        "lists and mappings a few levels deep and expressions with a few brackets",
                        Location(file=source), slug="too_deep",
                        zh="规则文件（或其中的表达式）嵌套太深，无法读取；规则文件只需要几层列表和映射，表达式只需要几层括号")


def _not_text(root: Node | None, source: str) -> list[TiercliError]:
    """Scalars holding a lone surrogate (a YAML escape such as "\\ud800"): not characters, so no name or text."""
    problems: list[TiercliError] = []
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, ScalarNode):
            bad = next((ch for ch in str(node.value) if 0xD800 <= ord(ch) <= 0xDFFF), None)
            if bad is not None:
                problems.append(TiercliError(
                    f"'\\u{ord(bad):04x}' is not a character (half of a UTF-16 pair); remove it or write the "
                    "character itself", Location(file=source, line=node.start_mark.line + 1), slug="not_text",
                    zh=f"'\\u{ord(bad):04x}' 不是一个字符（UTF-16 代理对的一半）；请删除它，或直接写出这个字符"))
        elif isinstance(node, SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, MappingNode):
            pending.extend(n for pair in node.value for n in pair)
    return sorted(problems, key=lambda p: p.location.line or 0)


def check_rules(
    text: str, source: str = "rules.yaml", names: Mapping[str, str] | None = None
) -> list[TiercliError]:
    """Every problem of a rules file's text, in line order; empty when the file is fine."""
    return _check(text, source, names, None)[1]


def parse_rules(text: str, source: str = "rules.yaml", names: Mapping[str, str] | None = None) -> Rules:
    """Checked `Rules` from a rules file's text; raises `RulesError` holding every problem."""
    rules, problems = _check(text, source, names, None)
    if rules is None:
        raise RulesError(problems)
    return rules


def read_rules_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """(text, sha256 of the bytes) of a rules file; `InputError` when it can't be read as UTF-8 text."""
    name = os.fspath(path)
    where = Location(file=name)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("rules file not found; create one with `tiercli init`", where,
                         slug="rules_not_found", zh="找不到规则文件；可以用 `tiercli init` 生成一个") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a rules file; give the YAML file inside it", where,
                         zh="这是一个文件夹，不是规则文件；请给出其中的 YAML 文件") from None
    except OSError as error:
        raise InputError(f"can't read the rules file: {error.strerror}", where,
                         zh=f"无法读取规则文件：{error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"the rules file is not UTF-8 text (byte {error.start + 1}); save it as UTF-8 "
                         "(Notepad: Save As → Encoding → UTF-8)", where,
                         zh=f"规则文件不是 UTF-8 文本（第 {error.start + 1} 个字节）；请另存为 UTF-8"
                            "（记事本：另存为 → 编码 → UTF-8）") from None
    return text, hashlib.sha256(data).hexdigest()


def examine_rules_file(
    path: str | os.PathLike[str], names: Mapping[str, str] | None = None
) -> tuple[Rules | None, list[TiercliError]]:
    """From one read of a rules file: its checked `Rules` (None when it has problems) and every problem;
    `InputError` when it can't be read."""
    text, sha256 = read_rules_text(path)
    return _check(text, os.fspath(path), names, sha256)


def check_rules_file(
    path: str | os.PathLike[str], names: Mapping[str, str] | None = None
) -> list[TiercliError]:
    """Every problem of a rules file; `InputError` when it can't be read."""
    return examine_rules_file(path, names)[1]


def load_rules(path: str | os.PathLike[str], names: Mapping[str, str] | None = None) -> Rules:
    """Checked `Rules` from a file (`source` = the path as given, `sha256` of its bytes)."""
    rules, problems = examine_rules_file(path, names)
    if rules is None:
        raise RulesError(problems)
    return rules
