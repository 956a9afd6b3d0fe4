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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tiercli.errors import InputError, Location, RulesError, TiercliError, closest, suggestion
from tiercli.messages import Said, as_is, listed, say
from tiercli.rules import options
from tiercli.rules.expressions import check_condition, check_metric
from tiercli.rules.model import (
    ClvSpec,
    Condition,
    CustomMetric,
    Grading,
    InputSpec,
    Level,
    LifecycleSpec,
    ReportSpec,
    RfmSpec,
    Rules,
    Tag,
)
from tiercli.rules.options import TEXT, describe, must_be
from tiercli.vocabulary.columns import FIXED_ZH, MATRIX_LABELS, grading_columns
from tiercli.vocabulary.events import EVENT_FIELDS, EVENT_TYPES
from tiercli.vocabulary.fields import FIELD_ALIASES, FIELDS, meaning_of
from tiercli.vocabulary.metrics import CLV_NAMES, ORDER_COLUMNS, ZH_NAMES, rule_names, rule_types

ARROW = " → "

TOP_KEYS: tuple[str, ...] = (
    "version", "name", "description", "preset", "input", "metrics", "rfm", "lifecycle", "clv", "report", "tiers",
    "tags", "gradings",
)
TIER_KEYS: tuple[str, ...] = ("name", "when", "description", "benefit", "discount")
TAG_KEYS: tuple[str, ...] = ("name", "when", "description")
GRADING_KEYS: tuple[str, ...] = ("name", "levels", "description", "sticky", "keep_rule", "grace_days")
INPUT_KEYS: tuple[str, ...] = ("columns", "platform", "sheet", "dayfirst", "statuses", "timezone", "events",
                               "event_columns", "events_year")
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
_YAML_HINTS: tuple[tuple[str, Said], ...] = (  # (text in PyYAML's message, the hint)
    ("mapping values are not allowed", say("rules.yaml_hint_colon")),
    ("'\\t'", say("rules.yaml_hint_tab")),
    ("never closed", say("rules.yaml_hint_close_quote")),
    ("<stream end>", say("rules.yaml_hint_bracket")),
    ("end of stream", say("rules.yaml_hint_quote_or_bracket")),
    ("cannot start any token", say("rules.yaml_hint_quote_whole", example=_QUOTED_WHEN)),
    ("block scalar", say("rules.yaml_hint_quote_start", example=_QUOTED_WHEN)),
    ("unexpected text", say("rules.yaml_hint_quote_or_indent", example=_QUOTED_WHEN)),
    ("<block end>", say("rules.yaml_hint_indent")),
    ("second document", say("rules.yaml_hint_one_document")),
    ("expected ','", say("rules.yaml_hint_commas")),
    ("could not find expected ':'", say("rules.yaml_hint_colon_missing")),
)

_TIER_EXAMPLE = '{name: 重要客户, when: "monetary >= 5000"}'
_TAG_EXAMPLE = '{name: 高频购买者, when: "orders_90d >= 3"}'
_KINDS: dict[str, Said] = {  # what owns an output column, by its kind
    "grading": say("rules.kind_grading"), "level": say("common.level"), "tag": say("common.tag"),
    "custom metric": say("rules.kind_custom_metric"),
}


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

    def report(self, node: Node | None, path: str | None, message: Said, slug: str) -> None:
        self.problems.append(TiercliError(message, self.location(node, path), slug=slug))

    # --- generic shapes ---

    def mapping(
        self, node: Node, path: str | None, allowed: tuple[str, ...], example: str,
    ) -> dict[str, _Entry] | None:
        """The keys of a mapping node; reports a non-mapping and unknown or duplicate keys."""
        if not isinstance(node, MappingNode):
            self.report(node, path, must_be(say("rules.expected_mapping", example=example), node), "wrong_type")
            return None
        entries: dict[str, _Entry] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.report(key, path, say("rules.key_not_word"), "wrong_type")
                continue
            name = key.value
            if name in entries:
                self.report(key, path, say("rules.appears_twice", name=name), "duplicate_key")
            elif name not in allowed:
                choice = closest(name, allowed)
                if choice is not None and path is None:
                    self.suggested.add(choice)
                hint = (say("common.did_you_mean", choice=choice) if choice is not None
                        else say("rules.allowed_here", keys=listed(allowed)))
                self.report(key, path, say("rules.unknown_key", name=name, hint=hint), "unknown_key")
            else:
                entries[name] = _Entry(key, value)
        return entries

    def text(self, node: Node, path: str, what: Said = TEXT) -> str | None:
        """The text of a scalar; else reports that it must be `what`."""
        if isinstance(node, ScalarNode) and not _is_blank(node):
            return str(node.value)
        self.report(node, path, must_be(what, node), "wrong_type")
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
            self.report(None, None, say("rules.rules_empty"), "empty")
            return None
        if not isinstance(root, MappingNode):
            self.report(root, None, say("rules.rules_not_mapping", found=describe(root)), "not_mapping")
            return None
        top = self.mapping(root, None, TOP_KEYS, "version: 1")
        if top is None:
            return None
        clv_defaults = "clv" in top and _is_blank(top["clv"].value)  # `clv:` alone: the model with its defaults
        for optional in ("input", "metrics", "rfm", "lifecycle", "clv", "report", "tags", "gradings"):
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
        clv = options.clv(self, top["clv"].value) if "clv" in top else ClvSpec() if clv_defaults else None
        report = options.report(self, top["report"].value) if "report" in top else ReportSpec()
        gradings = self.gradings(top.get("tiers"), top.get("gradings"), root)
        tags = self.tags(top["tags"].value, gradings or ()) if "tags" in top else ()
        self.output_clashes(gradings or (), tags or (), metrics)
        if clv is None and "clv" not in top:
            self.needs_clv(gradings or (), tags or ())
        if (self.problems or gradings is None or rfm is None or spec_input is None or tags is None
                or lifecycle is None or report is None):
            return None
        return Rules(
            name=name or Path(self.source).stem, gradings=gradings, tags=tags, rfm=rfm, input=spec_input,
            lifecycle=lifecycle, clv=clv, report=report, preset=self.preset,
            metrics=(*metrics, *self.helpers.values()), version=1, source=self.source, sha256=sha256,
        )

    def needs_clv(self, gradings: tuple[Grading, ...], tags: tuple[Tag, ...]) -> None:
        """A rule that uses a predicted metric (p_alive, clv, …) in a file without `clv:`."""
        conditions = [c for g in gradings for c in (*(level.when for level in g.levels), g.keep_rule) if c]
        for condition in [*conditions, *(t.when for t in tags)]:
            used = sorted(condition.names & set(CLV_NAMES))
            if used:
                self.problems.append(TiercliError(say("rules.needs_clv", name=used[0]), condition.location,
                                                  slug="needs_clv"))

    def version(self, entry: _Entry | None) -> None:
        if entry is None:
            return
        node = entry.value
        if not (isinstance(node, ScalarNode) and node.tag == _INT_TAG
                and self.constructor.construct_object(node) == 1):
            self.report(node, "version", must_be(say("rules.expected_version"), node), "bad_value")

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
        events = self.event_words(entries["events"].value) if "events" in entries else {}
        event_columns = self.event_columns(entries["event_columns"].value) if "event_columns" in entries else {}
        year = self.events_year(entries.get("events_year"))
        if columns is None or statuses is None or events is None or event_columns is None:
            return None
        return InputSpec(columns=columns, platform=platform, sheet=sheet, dayfirst=dayfirst,
                         statuses=statuses, timezone=timezone, events=events, event_columns=event_columns,
                         events_year=year)

    def event_words(self, node: Node) -> dict[str, str] | None:
        """input.events: the events file's own words -> view, favourite, cart or purchase."""
        return self.word_map(node, f"input{ARROW}events", ("expected_event_words", "expected_event_word",
                             "expected_event_type"), EVENT_TYPES,
                             lambda name, hint: say("rules.unknown_event_type", name=name, hint=hint,
                                                    types=listed(EVENT_TYPES)))

    def word_map(self, node: Node, path: str, expected: tuple[str, str, str], choices: tuple[str, ...],
                 unknown: Callable[[str, Said], Said]) -> dict[str, str] | None:
        """A mapping of the user's words to one of `choices` (input.statuses, input.events); `expected` names the
        catalogue entries (rules.…) for the mapping, a key and a value."""
        if not isinstance(node, MappingNode):
            self.report(node, path, must_be(say(f"rules.{expected[0]}"), node), "wrong_type")
            return None
        found: dict[str, str] = {}
        for key, value in node.value:
            word = self.text(key, path, say(f"rules.{expected[1]}"))
            if word is None:
                continue
            if word in found:
                self.report(key, path, say("rules.appears_twice", name=word), "duplicate_key")
                continue
            item_path = f"{path}{ARROW}{word}"
            choice = self.text(value, item_path, say(f"rules.{expected[2]}"))
            if choice is None:
                continue
            if choice not in choices:
                self.report(value, item_path, unknown(choice, suggestion(choice, choices)), "bad_value")
                continue
            found[word] = choice
        return found

    def event_columns(self, node: Node) -> dict[str, str] | None:
        """input.event_columns: canonical event field -> the header of the events file that holds it."""
        path = f"input{ARROW}event_columns"
        if not isinstance(node, MappingNode):
            self.report(node, path, must_be(say("rules.expected_columns"), node), "wrong_type")
            return None
        columns: dict[str, str] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else ""
            if name not in EVENT_FIELDS:
                hint = suggestion(name, EVENT_FIELDS) or say("rules.fields_are", fields=listed(EVENT_FIELDS))
                self.report(key, path, say("rules.unknown_event_field", name=name, hint=hint), "unknown_key")
                continue
            if name in columns:
                self.report(key, path, say("rules.appears_twice", name=name), "duplicate_key")
                continue
            header = self.text(value, f"{path}{ARROW}{name}", say("rules.expected_header"))
            if header is not None:
                columns[name] = header
        return columns

    def events_year(self, entry: _Entry | None) -> int | None:
        """input.events_year: the year of events files whose times are month and day only (Tmall's mmdd)."""
        if entry is None:
            return None
        node = entry.value
        value = node.value if isinstance(node, ScalarNode) else None
        if not (isinstance(value, str) and re.fullmatch(r"(19|20)[0-9]{2}", value.strip())):
            self.report(node, f"input{ARROW}events_year", must_be(say("rules.expected_year"), node), "bad_value")
            return None
        return int(value)

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
            self.report(entry.value, path, say("rules.bad_timezone", zone=text), "bad_timezone")
            return None
        return text

    def columns(self, node: Node) -> dict[str, str] | None:
        path = f"input{ARROW}columns"
        if not isinstance(node, MappingNode):
            self.report(node, path, must_be(say("rules.expected_columns"), node), "wrong_type")
            return None
        columns: dict[str, str] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else ""
            name = FIELD_ALIASES.get(name, name)  # order_ts, order_date: the order time
            if name not in FIELDS:
                meant_field = meaning_of(name)  # by meaning first: purchase_time is a time, not an order id
                hint = (say("common.did_you_mean", choice=meant_field) if meant_field else suggestion(name, FIELDS)) \
                    or say("rules.fields_are", fields=listed(FIELDS))
                self.report(key, path, say("rules.unknown_field", name=name, hint=hint), "unknown_key")
                continue
            if name in columns:
                self.report(key, path, say("rules.appears_twice", name=name), "duplicate_key")
                continue
            header = self.text(value, f"{path}{ARROW}{name}", say("rules.expected_header"))
            if header is not None:
                columns[name] = header
        return columns

    def statuses(self, node: Node) -> dict[str, str] | None:
        return self.word_map(node, f"input{ARROW}statuses", ("expected_statuses", "expected_status",
                             "expected_status_class"), STATUS_CLASSES,
                             lambda name, hint: say("rules.unknown_status_class", name=name, hint=hint,
                                                    classes=listed(STATUS_CLASSES)))

    def boolean(self, entry: _Entry | None, path: str) -> bool | None:
        if entry is None:
            return None
        node = entry.value
        if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
            return bool(self.constructor.construct_object(node))
        self.report(node, path, must_be(say("rules.expected_bool"), node), "wrong_type")
        return None

    # --- custom metrics ---

    def metrics(self, node: Node) -> tuple[CustomMetric, ...]:
        """`metrics:` — name: aggregate over order columns. Each name becomes usable in rules."""
        example = "{beauty_spend: \"sum(amount) filter (where category = '美妆')\"}"
        if not isinstance(node, MappingNode):
            self.report(node, "metrics", must_be(say("rules.expected_metrics", example=example), node), "wrong_type")
            return ()
        columns = {name: meaning for name, (_, meaning) in ORDER_COLUMNS.items()}
        column_kinds = {name: kind for name, (kind, _) in ORDER_COLUMNS.items()}
        taken = {n.casefold(): say("rules.taken_builtin") for n in self.names}
        taken.update({n: say("rules.taken_run_column") for n in RUN_COLUMNS})
        result: list[CustomMetric] = []
        for key, value in node.value:
            name = str(key.value) if isinstance(key, ScalarNode) else ""
            path = f"metrics{ARROW}{name}" if name else "metrics"
            if not _METRIC_NAME.fullmatch(name):
                self.report(key, path, say("rules.metric_name"), "bad_name")
                continue
            if name.casefold() in taken:
                self.report(key, path, say("rules.already_is", name=name, what=taken[name.casefold()]),
                            "duplicate_name")
                continue
            taken[name.casefold()] = say("rules.custom_metric_at", line=key.start_mark.line + 1)
            text = self.text(value, path, say("rules.expected_aggregate"))
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
            self.report(root, None, say("rules.no_tiers"), "missing")
            return None
        result: list[Grading] = []
        taken: dict[str, Said] = {}  # grading name -> what has it
        if tiers is not None:
            levels = self.levels(tiers.value, "tiers", tiers.key)
            taken[TIERS_GRADING] = say("rules.taken_tiers_list")
            if levels is not None:
                result.append(Grading(TIERS_GRADING, levels, self.location(tiers.key, "tiers")))
        if gradings is not None:
            result.extend(self.grading_list(gradings.value, taken))
        return tuple(result)

    def grading_list(self, node: Node, taken: dict[str, Said]) -> list[Grading]:
        if not isinstance(node, SequenceNode):
            self.report(node, "gradings", must_be(say("rules.expected_gradings"), node), "wrong_type")
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
                self.report(item, label, say("rules.no_levels"), "missing")
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
                self.report(entries[key].key, f"{label}{ARROW}{key}", say("rules.needs_sticky"), "needs_sticky")
        if "keep_rule" in entries:
            keep_rule = self.condition(entries["keep_rule"].value, f"{label}{ARROW}keep_rule", tier=False)
        if "grace_days" in entries:
            node = entries["grace_days"].value
            value = (self.constructor.construct_object(node)
                     if isinstance(node, ScalarNode) and node.tag == _INT_TAG else None)
            if isinstance(value, int) and value >= 1:
                grace_days = value
            else:
                self.report(node, f"{label}{ARROW}grace_days", must_be(say("rules.whole_days"), node), "bad_value")
        return keep_rule, grace_days

    def grading_name(self, entry: _Entry | None, item: Node, path: str,
                     taken: dict[str, Said]) -> str | None:
        if entry is None:
            self.report(item, path, say("rules.no_name", example=say("rules.grading_name_example")), "missing")
            return None
        name_path = f"{path}{ARROW}name"
        name = self.text(entry.value, name_path)
        if name is None:
            return None
        folded = {n.casefold(): n for n in self.names}
        if not _COLUMN_NAME.fullmatch(name):
            self.report(entry.value, name_path, say("rules.grading_name_chars"), "bad_name")
        elif name.casefold() in folded:
            self.report(entry.value, name_path, say("rules.name_of_metric", name=name), "bad_name")
        elif name.casefold() in taken:
            self.report(entry.value, name_path, say("rules.already_used_by", name=name, what=taken[name.casefold()]),
                        "duplicate_name")
        else:
            taken[name.casefold()] = say("rules.grading_at", line=entry.value.start_mark.line + 1)
            return name
        return None

    def levels(self, node: Node, path: str, key: ScalarNode) -> tuple[Level, ...] | None:
        if not isinstance(node, SequenceNode):
            self.report(node, path, must_be(say("rules.expected_tiers", example=_TIER_EXAMPLE), node), "wrong_type")
            return None
        if not node.value:
            self.report(node, path, say("rules.no_tier_items"), "missing")
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
            which = (say("rules.tiers_after_named", names=listed(after)) if after
                     else say("rules.tiers_after"))
            self.report(item, label, say("rules.unreachable_tier", which=which), "unreachable_tier")
        if not defaults and not last_broken:
            self.report(key, path, say("rules.no_default_tier"), "no_default")

    def item_name(self, entry: _Entry | None, item: Node, path: str, kind: str,
                  seen: dict[str, int]) -> str | None:
        example = "优质客户" if kind == "tier" else "高频购买者"
        if entry is None or _is_blank(entry.value):
            self.report(item if entry is None else entry.value, path, say("rules.no_name", example=example),
                        "missing")
            return None
        name_path = f"{path}{ARROW}name"
        name = self.text(entry.value, name_path)
        if name is None:
            return None
        line = entry.value.start_mark.line + 1
        for message in name_faults(name):
            self.report(entry.value, name_path, message, "bad_name")
        if name in seen:
            what = say("rules.kind_tier") if kind == "tier" else say("common.tag")
            self.report(entry.value, name_path, say("rules.name_at_line", name=name, kind=what, line=seen[name]),
                        "duplicate_name")
        else:
            seen[name] = line
        return name

    def condition(self, node: Node, path: str, *, tier: bool) -> Condition | None:
        default_hint = say("rules.or_default_tier") if tier else ""
        example = "monetary >= 1000" if tier else "orders_90d >= 3"
        if _is_blank(node):
            self.report(node, path, say("rules.empty_condition", example=example, hint=default_hint), "empty_when")
            return None
        if not isinstance(node, ScalarNode):
            self.report(node, path, must_be(say("rules.expected_condition", example=example), node), "wrong_type")
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
        owner: dict[str, Said] = {}
        for name, zh in (*FIXED_ZH.items(), *ZH_NAMES.items()):
            for text in (name, zh):
                owner.setdefault(text.casefold(), say("rules.column_tiercli_writes", name=name))
        reported = {p.location.path for p in self.problems}
        matrix = {label.casefold(): say("rules.movement_column", name=label) for label in MATRIX_LABELS}
        created: list[tuple[str, Location, list[str]]] = [
            *(("grading", g.location, grading_columns(g.name)) for g in gradings),
            *(("level", lv.location, [lv.name]) for g in gradings for lv in g.levels),
            *(("tag", t.location, [t.name]) for t in tags),
            *(("custom metric", m.location, [m.name]) for m in metrics if not m.helper)]
        for kind, location, columns in created:
            path = f"{location.path}{ARROW}name" if location.path and kind != "custom metric" else location.path
            taken = matrix if kind == "level" else owner  # a level is a column of the movement table only
            clash = next(((c, taken[c.casefold()]) for c in columns if c.casefold() in taken), None)
            if clash is not None and path not in reported:
                column, what = clash
                mine = "" if column == columns[0] else say("rules.its_column", column=column)
                self.problems.append(TiercliError(
                    say("rules.name_taken_by_column", kind=_KINDS[kind], name=columns[0], column=mine, what=what),
                    replace(location, path=path), slug="name_taken_by_column"))
                reported.add(path)
            if kind != "level":
                for c in columns:
                    owner.setdefault(c.casefold(), say("rules.the_kind_named", kind=_KINDS[kind], name=c)
                                     if c == columns[0] else
                                     say("rules.column_of_kind", column=c, kind=_KINDS[kind], name=columns[0]))

    # --- tags ---

    def tags(self, node: Node, gradings: tuple[Grading, ...] = ()) -> tuple[Tag, ...] | None:
        """`tags:`. A tag's name is also its 0/1 output column, so it can't be a metric's or a grading's."""
        columns = {n.casefold(): say("rules.taken_metric") for n in self.names}
        columns.update({n: say("rules.taken_output_column") for n in ("customer_id", "tags", *RUN_COLUMNS)})
        for grading in gradings:
            columns[grading.name.casefold()] = say("rules.taken_grading")
            columns[f"{grading.name}_why".casefold()] = say("rules.taken_why_column")
            for prefix, suffix in (("previous_", ""), ("movement_", ""), ("", "_grace_until")):
                columns[f"{prefix}{grading.name}{suffix}".casefold()] = say("rules.taken_runs_column")
        if not isinstance(node, SequenceNode):
            self.report(node, "tags", must_be(say("rules.expected_tags", example=_TAG_EXAMPLE), node), "wrong_type")
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
                self.report(entries["name"].value, f"{label}{ARROW}name",
                            say("rules.tag_name_taken", name=name, what=columns[name.casefold()]), "bad_name")
                name = None
            description = (self.text(entries["description"].value, f"{label}{ARROW}description")
                           if "description" in entries else None)
            if "when" not in entries:
                self.report(item, label, say("rules.tag_no_when"), "missing")
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


def name_faults(name: str) -> list[Said]:
    """What is wrong with a tier's or tag's name."""
    problems: list[Said] = []
    if "," in name:
        problems.append(say("rules.name_comma"))
    if name.startswith(_FORMULA_START):
        problems.append(say("rules.name_formula", char=name[0]))
    if any(c in name for c in "\t\r\n"):
        problems.append(say("rules.name_lines"))
    elif name != name.strip():
        problems.append(say("rules.name_spaces"))
    return problems


def _character_problem(error: yaml.reader.ReaderError, text: str, source: str) -> TiercliError:
    """A character YAML doesn't accept (a control character such as NUL), located by line and column."""
    before = text[:error.position]
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    code = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(error.character)
    return TiercliError(say("rules.yaml_syntax_at", line=line, column=column,
                            problem=say("rules.control_character", code=code)),
                        Location(file=source, line=line), slug="yaml_syntax")


def _yaml_problem(error: yaml.YAMLError, source: str) -> TiercliError:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    said = as_is(problem)  # PyYAML's own words stay as it says them
    if "end of stream" in problem and "quoted scalar" in context:
        mark = getattr(error, "context_mark", None) or mark
        said = say("rules.yaml_quote_not_closed")
    elif "another document" in problem:
        said = say("rules.yaml_second_document")
    elif "found '<scalar>'" in problem:
        said = say("rules.yaml_unexpected_text")
    hints = [hint for needle, hint in _YAML_HINTS if needle in said or needle in str(error)]
    if hints:
        said += say("rules.and_then", text=hints[0])
    if mark is None:
        return TiercliError(say("rules.yaml_syntax", problem=said), Location(file=source), slug="yaml_syntax")
    return TiercliError(say("rules.yaml_syntax_at", line=mark.line + 1, column=mark.column + 1, problem=said),
                        Location(file=source, line=mark.line + 1), slug="yaml_syntax")


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
    return TiercliError(say("rules.too_deep"), Location(file=source), slug="too_deep")


def _not_text(root: Node | None, source: str) -> list[TiercliError]:
    """Scalars holding a lone surrogate (a YAML escape such as "\\ud800"): not characters, so no name or text."""
    problems: list[TiercliError] = []
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, ScalarNode):
            bad = next((ch for ch in str(node.value) if 0xD800 <= ord(ch) <= 0xDFFF), None)
            if bad is not None:
                problems.append(TiercliError(say("rules.not_a_character", code=f"\\u{ord(bad):04x}"),
                                             Location(file=source, line=node.start_mark.line + 1), slug="not_text"))
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
        raise InputError(say("rules.rules_not_found"), where, slug="rules_not_found") from None
    except IsADirectoryError:
        raise InputError(say("rules.rules_is_folder"), where) from None
    except OSError as error:
        raise InputError(say("rules.rules_unreadable", reason=error.strerror), where) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(say("rules.rules_not_utf8", byte=error.start + 1), where) from None
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
