"""The scoring and lifecycle parts of a rules file, level discounts, and `preset:` merging.

Checked the same way as the rest of the file (see `load`): every problem is reported with its line and path,
through the checker passed in.

A file that starts from a preset (`preset: tmall-5`) is the preset's file with the file's keys on top: a key
the file gives replaces the preset's, except `rfm`, `lifecycle` and `input`, which are merged key by key (a key
inside them replaces the preset's key of the same name). Lists — `tiers`, `tags`, `gradings` — are replaced
whole: the order of tiers decides who lands where, so they are never mixed.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Protocol

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tiercli.errors import Location, TiercliError, suggestion
from tiercli.messages import Said, as_is, listed, say
from tiercli.rules.model import DIMENSIONS, ClvSpec, LifecycleSpec, ReportSpec, RfmSpec, SegmentRow
from tiercli.rules.starter import presets, starter_text

ARROW = " → "
RFM_KEYS: tuple[str, ...] = ("bins", "method", "thresholds", "ties", "segments", "compare")
LIFECYCLE_KEYS: tuple[str, ...] = ("new_days", "at_risk_days", "churn_days")
CLV_KEYS: tuple[str, ...] = ("model", "unit", "horizon_days", "discount_rate")
CLV_MODELS: tuple[str, ...] = ("bgnbd", "paretonbd")
CLV_UNITS: tuple[str, ...] = ("weeks", "days")
MAX_HORIZON_DAYS = 3650
SEGMENT_KEYS: tuple[str, ...] = ("name", "r", "f", "m", "description")
METHODS: tuple[str, ...] = ("quantile", "thresholds")
TIES: tuple[str, ...] = ("shared", "split")
SEGMENT_TABLES: tuple[str, ...] = ("default", "r-rfm", "pymc", "cn-8")
COMPARES: tuple[str, ...] = ("mean", "median")
COMPARE_METRICS: tuple[str, ...] = ("recency_days", "frequency", "monetary")
MERGED_KEYS: tuple[str, ...] = ("rfm", "lifecycle", "input")
PRESET_PREFIX = "preset "
PYMC_BINS = 4

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_DISCOUNT_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*折?\s*")
_THRESHOLDS_EXAMPLE = ("{recency: [30, 90, 180, 365], frequency: [2, 3, 5, 8], monetary: [200, 500, 1000, "
                       "3000]}")
_SEGMENT_EXAMPLE = "{name: 高价值, r: [4, 5], f: [4, 5], m: [4, 5]}"
_COMPARE_EXAMPLE = "{recency_days: 30, frequency: 2, monetary: 500}"
TEXT: Said = say("common.unit.text")  # what a setting must be unless told otherwise


class Entry(Protocol):
    """One key of a YAML mapping: the key node and the value node."""

    key: ScalarNode
    value: Node


class Checker(Protocol):
    constructor: SafeConstructor

    def report(self, node: Node | None, path: str | None, message: Said, slug: str) -> None: ...

    def mapping(
        self, node: Node, path: str | None, allowed: tuple[str, ...], example: str,
    ) -> dict[str, Any] | None: ...

    def text(self, node: Node, path: str, what: Said = TEXT) -> str | None: ...


def describe(node: Node) -> Said:
    """What a YAML node holds, for 'found …' in messages."""
    if isinstance(node, MappingNode):
        return say("rules.found_mapping")
    if isinstance(node, SequenceNode):
        return say("rules.found_list")
    if is_blank(node):
        return say("rules.found_nothing")
    return as_is(f"'{node.value}'")


def must_be(what: Said, node: Node) -> Said:
    """'must be `what`, found …' for a node that isn't."""
    return say("rules.must_be", what=what, found=describe(node))


def is_blank(node: Node) -> bool:
    return isinstance(node, ScalarNode) and (node.tag == _NULL_TAG or not str(node.value).strip())


def _number(checker: Checker, node: Node) -> float | None:
    if isinstance(node, ScalarNode) and node.tag in (_INT_TAG, _FLOAT_TAG):
        value = checker.constructor.construct_object(node)
        if isinstance(value, int | float) and value == value and abs(value) != float("inf"):
            return float(value)
    return None


def _whole(checker: Checker, node: Node) -> int | None:
    if isinstance(node, ScalarNode) and node.tag == _INT_TAG:
        value = checker.constructor.construct_object(node)
        if isinstance(value, int):
            return value
    return None


# --- rfm ---

def rfm(checker: Checker, node: Node) -> RfmSpec | None:
    """`rfm:` — bins, method, thresholds, ties and segments, checked together."""
    entries = checker.mapping(node, "rfm", RFM_KEYS, "{bins: 5, method: quantile, segments: default}")
    if entries is None:
        return None
    spec = RfmSpec()
    ok = True
    bins_entry = entries.get("bins")
    bins = _bins(checker, bins_entry.value) if bins_entry else None
    ok &= bins_entry is None or bins is not None
    method = _word(checker, entries.get("method"), f"rfm{ARROW}method", say("common.method"), METHODS)
    ties = _word(checker, entries.get("ties"), f"rfm{ARROW}ties", say("rules.setting_ties"), TIES)
    ok &= method is not None and ties is not None
    segments_entry = entries.get("segments")
    segments = "default"
    if segments_entry is not None and isinstance(segments_entry.value, SequenceNode):
        segments = "custom"
    elif segments_entry is not None:
        found = _word(checker, segments_entry, f"rfm{ARROW}segments", say("rules.setting_segments"),
                      SEGMENT_TABLES, say("rules.or_segment_list"))
        ok &= found is not None
        segments = found or segments
    thresholds: dict[str, tuple[float, ...]] = {}
    if "thresholds" in entries:
        found_cuts = _thresholds(checker, entries["thresholds"].value)
        ok &= found_cuts is not None
        thresholds = found_cuts or {}
    if not ok or method is None or ties is None:
        return None
    path = f"rfm{ARROW}"
    if method == "thresholds":
        if "thresholds" not in entries:
            checker.report(entries["method"].value, f"{path}method",
                           say("rules.thresholds_missing", example=_THRESHOLDS_EXAMPLE), "missing")
            return None
        lengths = {len(cuts) for cuts in thresholds.values()}
        if len(lengths) > 1:
            counts = listed((say("rules.cut_count", dimension=d, count=len(c)) for d, c in thresholds.items()))
            checker.report(entries["thresholds"].value, f"{path}thresholds", say("rules.cuts_differ", counts=counts),
                           "bad_value")
            return None
        (length,) = lengths
        if bins is not None and length != bins - 1:
            checker.report(entries["thresholds"].value, f"{path}thresholds",
                           say("rules.cuts_for_bins", bins=bins, cuts=bins - 1, found=length), "bad_value")
            return None
        if bins is None and not 2 <= length <= 9:
            checker.report(entries["thresholds"].value, f"{path}thresholds", say("rules.cuts_count", found=length),
                           "bad_value")
            return None
        bins = length + 1
    elif "thresholds" in entries:
        checker.report(entries["thresholds"].key, f"{path}thresholds", say("rules.thresholds_unused"), "bad_value")
        return None
    if ties == "split" and (method == "thresholds" or segments in ("r-rfm", "pymc")):
        why = (say("rules.split_why_thresholds") if method == "thresholds"
               else say("rules.split_why_table", table=segments))
        checker.report(entries["ties"].value, f"{path}ties", say("rules.split_needs_quantile", why=why), "bad_value")
        return None
    if segments == "pymc":
        if method == "thresholds":
            checker.report(entries["method"].value, f"{path}method", say("rules.pymc_thresholds"), "bad_value")
            return None
        if bins is not None and bins != PYMC_BINS:
            bins_node = bins_entry.value if bins_entry else None
            fix = (say("rules.pymc_bins_in_preset", bins=PYMC_BINS) if preset_location(bins_node)
                   else say("rules.pymc_bins_fix", bins=PYMC_BINS))
            checker.report(bins_node, f"{path}bins", say("rules.pymc_bins", bins=PYMC_BINS, fix=fix), "bad_value")
            return None
        bins = PYMC_BINS
    compare, compare_values = spec.compare, dict(spec.compare_values)
    if "compare" in entries:
        if segments != "cn-8":
            checker.report(entries["compare"].key, f"{path}compare", say("rules.compare_needs_cn8"), "bad_value")
            return None
        found_compare = _compare(checker, entries["compare"].value)
        if found_compare is None:
            return None
        compare, compare_values = found_compare
    bins = bins or spec.bins
    table: tuple[SegmentRow, ...] = ()
    if segments == "custom" and segments_entry is not None:
        custom = _segment_table(checker, segments_entry.value, bins)
        if custom is None:
            return None
        table = custom
    return RfmSpec(bins=bins, method=method, segments=segments, ties=ties, thresholds=thresholds,
                   segment_table=table, compare=compare, compare_values=compare_values)


def _compare(checker: Checker, node: Node) -> tuple[str, dict[str, float]] | None:
    """`rfm: compare:` of cn-8 — mean, median, or values for some of recency_days, frequency and monetary (the
    others compared with the mean)."""
    path = f"rfm{ARROW}compare"
    if not isinstance(node, MappingNode):
        choices = listed(COMPARES, "rules.or")
        value = checker.text(node, path, say("rules.expected_compare", choices=choices, example=_COMPARE_EXAMPLE))
        if value is None:
            return None
        if value not in COMPARES:
            checker.report(node, path, say("rules.unknown_compare", name=value, hint=suggestion(value, COMPARES),
                                           choices=choices, example=_COMPARE_EXAMPLE), "bad_value")
            return None
        return value, {}
    entries = checker.mapping(node, path, COMPARE_METRICS, _COMPARE_EXAMPLE)
    if entries is None:
        return None
    values: dict[str, float] = {}
    for metric in COMPARE_METRICS:
        if metric not in entries:
            continue
        found = _number(checker, entries[metric].value)
        if found is None or found < 0:
            checker.report(entries[metric].value, f"{path}{ARROW}{metric}",
                           must_be(say("rules.expected_compare_value"), entries[metric].value), "bad_value")
            return None
        values[metric] = found
    if not values:
        checker.report(node, path, say("rules.compare_empty", example=_COMPARE_EXAMPLE), "missing")
        return None
    return "mean", values


def _bins(checker: Checker, node: Node) -> int | None:
    value = _whole(checker, node)
    if value is not None and 3 <= value <= 10:
        return value
    checker.report(node, f"rfm{ARROW}bins", must_be(say("rules.expected_bins"), node), "bad_value")
    return None


def _word(
    checker: Checker, entry: Entry | None, path: str, what: Said, allowed: tuple[str, ...], more: str = "",
) -> str | None:
    """One of `allowed` (the first when the key is absent). `what` names the setting and `more` adds to the
    advice."""
    if entry is None:
        return allowed[0]
    choices = listed(allowed, "rules.or" if len(allowed) == 2 else "common.comma")
    value = checker.text(entry.value, path, say("rules.expected_one_of", choices=choices))
    if value is None or value in allowed:
        return value
    checker.report(entry.value, path, say("rules.unknown_setting", what=what, name=value,
                                          hint=suggestion(value, allowed), choices=choices, more=more), "bad_value")
    return None


def _thresholds(checker: Checker, node: Node) -> dict[str, tuple[float, ...]] | None:
    path = f"rfm{ARROW}thresholds"
    entries = checker.mapping(node, path, DIMENSIONS, _THRESHOLDS_EXAMPLE)
    if entries is None:
        return None
    missing = [d for d in DIMENSIONS if d not in entries]
    result: dict[str, tuple[float, ...]] = {}
    ok = not missing
    if missing:
        checker.report(node, path, say("rules.cuts_missing", dimensions=listed(missing, "rules.and"),
                                       example=_THRESHOLDS_EXAMPLE), "missing")
    for dimension in DIMENSIONS:
        if dimension not in entries:
            continue
        value = entries[dimension].value
        item_path = f"{path}{ARROW}{dimension}"
        numbers = [_number(checker, item) for item in value.value] if isinstance(value, SequenceNode) else []
        if not numbers or any(n is None for n in numbers):
            checker.report(value, item_path, must_be(say("rules.expected_cuts"), value), "wrong_type")
            ok = False
            continue
        cuts = tuple(n for n in numbers if n is not None)
        if any(b <= a for a, b in itertools.pairwise(cuts)):
            shown = ", ".join(f"{c:g}" for c in cuts)
            checker.report(value, item_path, say("rules.cuts_not_increasing", cuts=shown), "bad_value")
            ok = False
            continue
        result[dimension] = cuts
    return result if ok else None


def _segment_table(checker: Checker, node: SequenceNode, bins: int) -> tuple[SegmentRow, ...] | None:
    path = f"rfm{ARROW}segments"
    if not node.value:
        checker.report(node, path, say("rules.no_segments"), "missing")
        return None
    rows: list[SegmentRow] = []
    nodes: list[Node] = []
    labels: list[str] = []
    ok = True
    for index, item in enumerate(node.value):
        label = _label(f"{path}[{index}]", item)
        entries = checker.mapping(item, label, SEGMENT_KEYS, _SEGMENT_EXAMPLE)
        if entries is None:
            ok = False
            continue
        name = checker.text(entries["name"].value, f"{label}{ARROW}name") if "name" in entries else None
        if "name" not in entries:
            checker.report(item, label, say("rules.no_name", example="高价值"), "missing")
        elif name is not None and name.startswith(("=", "+", "-", "@")):
            checker.report(entries["name"].value, f"{label}{ARROW}name", say("rules.name_formula", char=name[0]),
                           "bad_name")
            name = None
        description = (checker.text(entries["description"].value, f"{label}{ARROW}description")
                       if "description" in entries else "")
        spans = {d: _span(checker, entries[d].value, f"{label}{ARROW}{d}", bins) if d in entries else None
                 for d in ("r", "f", "m")}
        if name is None or any(d in entries and spans[d] is None for d in spans):
            ok = False
            continue
        rows.append(SegmentRow(name, spans["r"], spans["f"], spans["m"], description or ""))
        nodes.append(item)
        labels.append(label)
    if not ok:
        return None
    return tuple(rows) if _reachable(checker, rows, nodes, labels, bins) else None


def _span(checker: Checker, node: Node, path: str, bins: int) -> tuple[int, int] | None:
    example = say("rules.span_example", bins=bins)
    single = _whole(checker, node)
    if single is not None:
        values = [single]
    elif isinstance(node, SequenceNode) and len(node.value) == 2:
        values = [v for v in (_whole(checker, item) for item in node.value) if v is not None]
    else:
        values = []
    if len(values) not in (1, 2) or (isinstance(node, SequenceNode) and len(values) != 2):
        checker.report(node, path, must_be(say("rules.expected_span", example=example), node), "wrong_type")
        return None
    low, high = values[0], values[-1]
    if not 1 <= low <= high <= bins:
        to = say("rules.span_to", high=high) if high != low else ""
        checker.report(node, path, say("rules.span_out_of_range", bins=bins, example=example, low=low, high=to),
                       "bad_value")
        return None
    return low, high


def _cells(row: SegmentRow, bins: int) -> set[tuple[int, int, int]]:
    r, f, m = (range(s[0], s[1] + 1) if s else range(1, bins + 1) for s in (row.r, row.f, row.m))
    return set(itertools.product(r, f, m))


def _reachable(checker: Checker, rows: list[SegmentRow], nodes: list[Node], labels: list[str], bins: int) -> bool:
    """The last row is the default (no ranges) and every row takes at least one cell."""
    ok = True
    taken: dict[tuple[int, int, int], str] = {}
    last = len(rows) - 1
    for index, (row, node, label) in enumerate(zip(rows, nodes, labels, strict=True)):
        is_default = row.r is None and row.f is None and row.m is None
        if is_default and index != last:
            after = list(dict.fromkeys(r.name for r in rows[index + 1:]))
            checker.report(node, label, say("rules.unreachable_segment", names=listed(after)),
                           "unreachable_segment")
            ok = False
            continue
        cells = _cells(row, bins)
        free = [c for c in cells if c not in taken]
        if not free and index != last:
            before = list(dict.fromkeys(taken[c] for c in cells))
            checker.report(node, label, say("rules.segment_never_matches", names=listed(before)),
                           "unreachable_segment")
            ok = False
        for cell in free:
            taken[cell] = row.name
    default = rows[last]
    if default.r is not None or default.f is not None or default.m is not None:
        checker.report(nodes[last], labels[last], say("rules.no_default_segment"), "no_default")
        ok = False
    return ok


def _label(path: str, item: Node) -> str:
    if isinstance(item, MappingNode):
        for key, value in item.value:
            if (isinstance(key, ScalarNode) and key.value == "name" and isinstance(value, ScalarNode)
                    and not is_blank(value)):
                return f"{path} '{value.value}'"
    return path


# --- lifecycle ---

REPORT_KEYS: tuple[str, ...] = ("currency",)


def report(checker: Checker, node: Node) -> ReportSpec | None:
    """`report:` — currency: an ISO 4217 code (CNY, USD, EUR, …), used when the data has no currency column and
    the platform does not say."""
    entries = checker.mapping(node, "report", REPORT_KEYS, "{currency: USD}")
    if entries is None:
        return None
    if "currency" not in entries:
        return ReportSpec()
    value = entries["currency"].value
    code = checker.text(value, f"report{ARROW}currency", say("rules.expected_currency"))
    if code is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", code.strip()):
        checker.report(value, f"report{ARROW}currency", must_be(say("rules.expected_currency"), value), "bad_value")
        return None
    return ReportSpec(currency=code.strip().upper())


def lifecycle(checker: Checker, node: Node) -> LifecycleSpec | None:
    """`lifecycle:` — new_days < at_risk_days < churn_days, whole days."""
    entries = checker.mapping(node, "lifecycle", LIFECYCLE_KEYS,
                              "{new_days: 30, at_risk_days: 90, churn_days: 180}")
    if entries is None:
        return None
    spec = LifecycleSpec()
    values: dict[str, int] = {}
    ok = True
    for key in LIFECYCLE_KEYS:
        if key not in entries:
            values[key] = getattr(spec, key)
            continue
        value = _whole(checker, entries[key].value)
        if value is None or value < 1:
            checker.report(entries[key].value, f"lifecycle{ARROW}{key}",
                           must_be(say("rules.whole_days"), entries[key].value), "bad_value")
            ok = False
        else:
            values[key] = value
    if not ok:
        return None
    for lower, upper in itertools.pairwise(LIFECYCLE_KEYS):
        if values[upper] <= values[lower]:
            blame = entries.get(upper) or entries.get(lower)
            where = blame.key.value if blame else upper
            checker.report(blame.value if blame else node, f"lifecycle{ARROW}{where}",
                           say("rules.lifecycle_order", upper=upper, upper_days=values[upper], lower=lower,
                               lower_days=values[lower]), "bad_value")
            return None
    return LifecycleSpec(**values)


# --- clv ---

def clv(checker: Checker, node: Node) -> ClvSpec | None:
    """`clv:` — model, time unit, horizon in days (1–3650) and annual discount rate (0 to 1)."""
    entries = checker.mapping(node, "clv", CLV_KEYS, "{model: bgnbd, unit: weeks, horizon_days: 365, "
                                                     "discount_rate: 0.1}")
    if entries is None:
        return None
    spec = ClvSpec()
    model = _word(checker, entries.get("model"), f"clv{ARROW}model", say("rules.setting_clv_model"), CLV_MODELS)
    unit = _word(checker, entries.get("unit"), f"clv{ARROW}unit", say("common.time_unit"), CLV_UNITS)
    horizon = spec.horizon_days
    if "horizon_days" in entries:
        node_h = entries["horizon_days"].value
        found = _whole(checker, node_h)
        if found is None or not 1 <= found <= MAX_HORIZON_DAYS:
            checker.report(node_h, f"clv{ARROW}horizon_days",
                           must_be(say("rules.expected_horizon", most=MAX_HORIZON_DAYS), node_h), "bad_value")
            return None
        horizon = found
    rate = spec.discount_rate
    if "discount_rate" in entries:
        node_r = entries["discount_rate"].value
        found_rate = _number(checker, node_r)
        if found_rate is None or not 0 <= found_rate < 1:
            checker.report(node_r, f"clv{ARROW}discount_rate", must_be(say("rules.expected_rate"), node_r),
                           "bad_value")
            return None
        rate = found_rate
    if model is None or unit is None:
        return None
    return ClvSpec(model=model, unit=unit, horizon_days=horizon, discount_rate=rate)


# --- level discounts ---

def discount(checker: Checker, node: Node, path: str) -> str | None:
    """A level discount as 折 text: 0.95, 9.5, '9.5折' and '95折' all become '9.5折'."""
    value = _number(checker, node)
    if value is None and isinstance(node, ScalarNode) and not is_blank(node):
        match = _DISCOUNT_TEXT.fullmatch(str(node.value))
        value = float(match.group(1)) if match else None
    if value is not None and 10 < value < 100 and value.is_integer():
        value /= 10  # 95折 is 9.5折
    if value is not None and 1 < value <= 10:
        zhe = value
    elif value is not None and 0 < value <= 1:
        zhe = round(value * 10, 4)
    else:
        checker.report(node, path, must_be(say("rules.expected_discount"), node), "bad_value")
        return None
    return f"{zhe:g}折"


# --- presets ---

def _rename(node: Node, name: str) -> None:
    """Mark every node under `node` as coming from `name`."""
    stack = [node]
    while stack:
        current = stack.pop()
        current.start_mark.name = name
        current.end_mark.name = name
        if isinstance(current, MappingNode):
            stack.extend(n for pair in current.value for n in pair)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)


def preset_location(node: Node | None) -> str | None:
    """The preset a node comes from, as a location's file (`preset tmall-5`); None for the file's own."""
    if node is not None and str(node.start_mark.name).startswith(PRESET_PREFIX):
        return str(node.start_mark.name)
    return None


def apply_preset(root: Node | None, source: str) -> tuple[Node | None, str | None, list[TiercliError]]:
    """The file's root with its preset (if any) underneath, the preset's name, and the problems found."""
    if not isinstance(root, MappingNode):
        return root, None, []
    pairs = [(k, v) for k, v in root.value if not (isinstance(k, ScalarNode) and k.value == "preset")]
    given = [(k, v) for k, v in root.value if isinstance(k, ScalarNode) and k.value == "preset"]
    if not given:
        return root, None, []
    stripped = MappingNode(root.tag, pairs, root.start_mark, root.end_mark, root.flow_style)
    key, node = given[-1]
    where = Location(file=source, line=node.start_mark.line + 1, path="preset")
    available = presets()
    name = str(node.value) if isinstance(node, ScalarNode) and not is_blank(node) else ""
    if len(given) > 1:
        return stripped, None, [TiercliError(say("rules.appears_twice", name="preset"),
                                             Location(file=source, line=key.start_mark.line + 1), "duplicate_key")]
    if name not in available:
        shown = f"'{name}'" if name else describe(node)
        hint = suggestion(name, available) if name else ""
        return stripped, None, [TiercliError(say("rules.unknown_preset", name=shown, hint=hint,
                                                 presets=listed(available)), where, "unknown_preset")]
    base = yaml.compose(starter_text(name), Loader=yaml.SafeLoader)
    assert isinstance(base, MappingNode), f"preset {name} is not a mapping"
    _rename(base, PRESET_PREFIX + name)
    return merge(base, stripped), name, []


def merge(base: MappingNode, top: MappingNode) -> MappingNode:
    """`top`'s keys over `base`'s; rfm, lifecycle and input are merged one level deep."""
    top_values = {k.value: v for k, v in top.value if isinstance(k, ScalarNode)}
    pairs: list[tuple[Node, Node]] = []
    merged_into: dict[str, MappingNode] = {}
    for key, value in base.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name not in top_values:
            pairs.append((key, value))
            continue
        mine = top_values[name]
        if name in MERGED_KEYS and isinstance(value, MappingNode) and isinstance(mine, MappingNode):
            inner = {k.value for k, _ in mine.value if isinstance(k, ScalarNode)}
            kept = [(k, v) for k, v in value.value if not (isinstance(k, ScalarNode) and k.value in inner)]
            merged_into[name] = MappingNode(mine.tag, kept + list(mine.value), mine.start_mark, mine.end_mark,
                                            mine.flow_style)
    for key, value in top.value:
        name = key.value if isinstance(key, ScalarNode) else None
        pairs.append((key, merged_into.pop(name, value) if name is not None else value))
    return MappingNode(top.tag, pairs, top.start_mark, top.end_mark, top.flow_style)
