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

from tiercli.errors import Location, TiercliError, did_you_mean
from tiercli.rules.model import DIMENSIONS, LifecycleSpec, RfmSpec, SegmentRow
from tiercli.rules.starter import presets, starter_text

ARROW = " → "
RFM_KEYS: tuple[str, ...] = ("bins", "method", "thresholds", "ties", "segments")
LIFECYCLE_KEYS: tuple[str, ...] = ("new_days", "at_risk_days", "churn_days")
SEGMENT_KEYS: tuple[str, ...] = ("name", "r", "f", "m", "description")
METHODS: tuple[str, ...] = ("quantile", "thresholds")
TIES: tuple[str, ...] = ("shared", "split")
SEGMENT_TABLES: tuple[str, ...] = ("default", "r-rfm", "pymc")
MERGED_KEYS: tuple[str, ...] = ("rfm", "lifecycle", "input")
PRESET_PREFIX = "preset "
PYMC_BINS = 4

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_DISCOUNT_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*折?\s*")
_THRESHOLDS_EXAMPLE = ("{recency: [30, 90, 180, 365], frequency: [2, 3, 5, 8], monetary: [200, 500, 1000, "
                       "3000]}")


class Entry(Protocol):
    """One key of a YAML mapping: the key node and the value node."""

    key: ScalarNode
    value: Node


class Checker(Protocol):
    constructor: SafeConstructor

    def report(self, node: Node | None, path: str | None, message: str, slug: str, *, zh: str) -> None: ...

    def mapping(
        self, node: Node, path: str | None, allowed: tuple[str, ...], example: str,
    ) -> dict[str, Any] | None: ...

    def text(self, node: Node, path: str, what: tuple[str, str] = ("text", "文本")) -> str | None: ...


def describe(node: Node, lang: str = "en") -> str:
    """What a YAML node holds, for 'found …' in messages."""
    if isinstance(node, MappingNode):
        return "一个键值映射" if lang == "zh" else "a mapping"
    if isinstance(node, SequenceNode):
        return "一个列表" if lang == "zh" else "a list"
    if is_blank(node):
        return "空值" if lang == "zh" else "nothing"
    return f"'{node.value}'"


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
    method = _word(checker, entries.get("method"), f"rfm{ARROW}method", ("method", "方法"), METHODS)
    ties = _word(checker, entries.get("ties"), f"rfm{ARROW}ties", ("tie policy", "并列处理方式"), TIES)
    ok &= method is not None and ties is not None
    segments_entry = entries.get("segments")
    segments = "default"
    if segments_entry is not None and isinstance(segments_entry.value, SequenceNode):
        segments = "custom"
    elif segments_entry is not None:
        found = _word(checker, segments_entry, f"rfm{ARROW}segments", ("segment table", "分群表"), SEGMENT_TABLES,
                      (" or a list of segments, e.g. - {name: 高价值, r: [4, 5], f: [4, 5], m: [4, 5]}",
                       "，或一个分群列表，例如 - {name: 高价值, r: [4, 5], f: [4, 5], m: [4, 5]}"))
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
            checker.report(entries["method"].value, f"{path}method", "thresholds needs cut points: add "
                           f"thresholds: {_THRESHOLDS_EXAMPLE}", "missing",
                           zh=f"thresholds 方法需要切分点：请添加 thresholds: {_THRESHOLDS_EXAMPLE}")
            return None
        lengths = {len(cuts) for cuts in thresholds.values()}
        if len(lengths) > 1:
            counts = ", ".join(f"{d} {len(c)}" for d, c in thresholds.items())
            counts_zh = "、".join(f"{d} {len(c)} 个" for d, c in thresholds.items())
            checker.report(entries["thresholds"].value, f"{path}thresholds", "every dimension needs the same "
                           f"number of cut points (bins - 1), found {counts}", "bad_value",
                           zh=f"每个维度的切分点数量必须相同（bins - 1），实际是 {counts_zh}")
            return None
        (length,) = lengths
        if bins is not None and length != bins - 1:
            checker.report(entries["thresholds"].value, f"{path}thresholds", f"bins is {bins}, so each "
                           f"dimension needs {bins - 1} cut points, found {length}", "bad_value",
                           zh=f"bins 是 {bins}，所以每个维度需要 {bins - 1} 个切分点，实际是 {length} 个")
            return None
        if bins is None and not 2 <= length <= 9:
            checker.report(entries["thresholds"].value, f"{path}thresholds", "each dimension needs 2 to 9 cut "
                           f"points (3 to 10 scores), found {length}", "bad_value",
                           zh=f"每个维度需要 2 到 9 个切分点（3 到 10 档分值），实际是 {length} 个")
            return None
        bins = length + 1
    elif "thresholds" in entries:
        checker.report(entries["thresholds"].key, f"{path}thresholds", "cut points are only used with method: "
                       "thresholds; add method: thresholds, or remove them to score by quantile", "bad_value",
                       zh="切分点只在 method: thresholds 时使用；请加上 method: thresholds，或删除切分点以按分位数打分")
        return None
    if ties == "split" and (method == "thresholds" or segments in ("r-rfm", "pymc")):
        why, why_zh = (("with method: thresholds the cut points decide every score",
                        "method: thresholds 时由切分点决定每个分值") if method == "thresholds"
                       else (f"segments {segments} scores the way that tool does: equal values share a score",
                             f"segments {segments} 按那个工具的方式打分：相同的值得到相同的分值"))
        checker.report(entries["ties"].value, f"{path}ties", f"split only applies to method: quantile ({why}); "
                       "remove it", "bad_value", zh=f"split 只适用于 method: quantile（{why_zh}）；请删除它")
        return None
    if segments == "pymc":
        if method == "thresholds":
            checker.report(entries["method"].value, f"{path}method", "segments pymc scores quartiles of the data "
                           "as pymc-marketing does; remove method: thresholds or choose another segment table",
                           "bad_value", zh="segments pymc 像 pymc-marketing 一样按数据的四分位打分；"
                                           "请删除 method: thresholds，或选择其他分群表")
            return None
        if bins is not None and bins != PYMC_BINS:
            bins_node = bins_entry.value if bins_entry else None
            fix = f"set bins: {PYMC_BINS}" + (" under rfm" if preset_location(bins_node) else " or leave it out")
            fix_zh = (f"请在 rfm 下设置 bins: {PYMC_BINS}" if preset_location(bins_node)
                      else f"请设置 bins: {PYMC_BINS}，或不写它")
            checker.report(bins_node, f"{path}bins", f"segments pymc scores quartiles, so bins must be {PYMC_BINS}; "
                           f"{fix}", "bad_value",
                           zh=f"segments pymc 按四分位打分，所以 bins 必须是 {PYMC_BINS}；{fix_zh}")
            return None
        bins = PYMC_BINS
    bins = bins or spec.bins
    table: tuple[SegmentRow, ...] = ()
    if segments == "custom" and segments_entry is not None:
        custom = _segment_table(checker, segments_entry.value, bins)
        if custom is None:
            return None
        table = custom
    return RfmSpec(bins=bins, method=method, segments=segments, ties=ties, thresholds=thresholds,
                   segment_table=table)


def _bins(checker: Checker, node: Node) -> int | None:
    value = _whole(checker, node)
    if value is not None and 3 <= value <= 10:
        return value
    checker.report(node, f"rfm{ARROW}bins", f"must be a whole number from 3 to 10, found {describe(node)}",
                   "bad_value", zh=f"应为 3 到 10 之间的整数，实际是{describe(node, 'zh')}")
    return None


def _word(
    checker: Checker, entry: Entry | None, path: str, what: tuple[str, str], allowed: tuple[str, ...],
    more: tuple[str, str] = ("", ""),
) -> str | None:
    """One of `allowed` (the first when the key is absent). `what` names the setting and `more` adds to the advice,
    in English and Chinese."""
    if entry is None:
        return allowed[0]
    options = " or ".join(allowed) if len(allowed) == 2 else ", ".join(allowed)
    options_zh = " 或 ".join(allowed) if len(allowed) == 2 else "、".join(allowed)
    value = checker.text(entry.value, path, (f"one of {options}", f"以下之一：{options_zh}"))
    if value is None or value in allowed:
        return value
    hint = did_you_mean(value, allowed)
    checker.report(entry.value, path, f"unknown {what[0]} '{value}'{hint}; use {options}{more[0]}", "bad_value",
                   zh=f"未知的{what[1]} '{value}'{did_you_mean(value, allowed, 'zh')}；请用 {options_zh}{more[1]}")
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
        checker.report(node, path, f"needs cut points for {' and '.join(missing)} too, e.g. "
                       f"{_THRESHOLDS_EXAMPLE}", "missing",
                       zh=f"还需要 {' 和 '.join(missing)} 的切分点，例如 {_THRESHOLDS_EXAMPLE}")
    for dimension in DIMENSIONS:
        if dimension not in entries:
            continue
        value = entries[dimension].value
        item_path = f"{path}{ARROW}{dimension}"
        numbers = [_number(checker, item) for item in value.value] if isinstance(value, SequenceNode) else []
        if not numbers or any(n is None for n in numbers):
            checker.report(value, item_path, f"must be a list of numbers in increasing order, e.g. [2, 3, 5, 8], "
                           f"found {describe(value)}", "wrong_type",
                           zh=f"应为从小到大排列的数字列表，例如 [2, 3, 5, 8]，实际是{describe(value, 'zh')}")
            ok = False
            continue
        cuts = tuple(n for n in numbers if n is not None)
        if any(b <= a for a, b in itertools.pairwise(cuts)):
            shown = ", ".join(f"{c:g}" for c in cuts)
            checker.report(value, item_path, "cut points must increase from left to right, each larger than the "
                           f"one before, found {shown}", "bad_value",
                           zh=f"切分点必须从左到右递增，每个都比前一个大，实际是 {shown}")
            ok = False
            continue
        result[dimension] = cuts
    return result if ok else None


def _segment_table(checker: Checker, node: SequenceNode, bins: int) -> tuple[SegmentRow, ...] | None:
    path = f"rfm{ARROW}segments"
    if not node.value:
        checker.report(node, path, "has no segments: add at least a default, e.g. - {name: 其他}", "missing",
                       zh="没有分群：请至少添加一个默认分群，例如 - {name: 其他}")
        return None
    rows: list[SegmentRow] = []
    nodes: list[Node] = []
    labels: list[str] = []
    ok = True
    for index, item in enumerate(node.value):
        label = _label(f"{path}[{index}]", item)
        entries = checker.mapping(item, label, SEGMENT_KEYS, "{name: 高价值, r: [4, 5], f: [4, 5], m: [4, 5]}")
        if entries is None:
            ok = False
            continue
        name = checker.text(entries["name"].value, f"{label}{ARROW}name") if "name" in entries else None
        if "name" not in entries:
            checker.report(item, label, "has no name: add e.g. name: 高价值", "missing",
                           zh="没有名称：请添加，例如 name: 高价值")
        elif name is not None and name.startswith(("=", "+", "-", "@")):
            checker.report(entries["name"].value, f"{label}{ARROW}name", f"must not start with '{name[0]}' (a "
                           "spreadsheet would read it as a formula)", "bad_name",
                           zh=f"不能以 '{name[0]}' 开头（电子表格会把它当作公式）")
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
    example = f"[2, {bins}] for scores 2 to {bins}, or one score such as {bins}"
    example_zh = f"[2, {bins}] 表示 2 到 {bins} 分，或单个分值如 {bins}"
    single = _whole(checker, node)
    if single is not None:
        values = [single]
    elif isinstance(node, SequenceNode) and len(node.value) == 2:
        values = [v for v in (_whole(checker, item) for item in node.value) if v is not None]
    else:
        values = []
    if len(values) not in (1, 2) or (isinstance(node, SequenceNode) and len(values) != 2):
        checker.report(node, path, f"must be a score range such as {example}, found {describe(node)}",
                       "wrong_type", zh=f"应为分值范围，例如 {example_zh}，实际是{describe(node, 'zh')}")
        return None
    low, high = values[0], values[-1]
    if not 1 <= low <= high <= bins:
        checker.report(node, path, f"must be scores from 1 to {bins} (bins), lowest first, e.g. {example}; found "
                       f"{low}" + (f" to {high}" if high != low else ""), "bad_value",
                       zh=f"应为 1 到 {bins}（bins）之间的分值，小的在前，例如 {example_zh}；实际是 {low}"
                          + (f" 到 {high}" if high != low else ""))
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
            checker.report(node, label, f"has no r, f or m, so it takes every customer left and the segments "
                           f"after it ({', '.join(after)}) are never reached; give it ranges, or move it to the end "
                           "as the default", "unreachable_segment",
                           zh=f"没有 r、f 或 m，所以会拿走剩下的所有客户，它后面的分群（{'、'.join(after)}）"
                              "永远轮不到；请给它设定范围，或把它移到最后作为默认分群")
            ok = False
            continue
        cells = _cells(row, bins)
        free = [c for c in cells if c not in taken]
        if not free and index != last:
            before = list(dict.fromkeys(taken[c] for c in cells))
            checker.report(node, label, f"never matches: every score combination it covers is taken by the "
                           f"segments above it ({', '.join(before)}); widen it or move it up", "unreachable_segment",
                           zh=f"永远匹配不到：它覆盖的每种分值组合都已被上面的分群（{'、'.join(before)}）占用；"
                              "请扩大范围或把它往上移")
            ok = False
        for cell in free:
            taken[cell] = row.name
    default = rows[last]
    if default.r is not None or default.f is not None or default.m is not None:
        checker.report(nodes[last], labels[last], "no default segment: the last segment must have no r, f or m "
                       "and takes everyone left; add e.g. - {name: 其他} after it", "no_default",
                       zh="没有默认分群：最后一个分群不能有 r、f 或 m，用来接住剩下的所有客户；"
                          "请在它后面添加，例如 - {name: 其他}")
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
            checker.report(entries[key].value, f"lifecycle{ARROW}{key}", "must be a whole number of days, 1 or "
                           f"more, found {describe(entries[key].value)}", "bad_value",
                           zh=f"应为不小于 1 的整数天数，实际是{describe(entries[key].value, 'zh')}")
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
                           f"{upper} ({values[upper]}) must be more than {lower} ({values[lower]}): the stages "
                           "go new → active → at_risk → churned", "bad_value",
                           zh=f"{upper}（{values[upper]}）必须大于 {lower}（{values[lower]}）："
                              "阶段依次是 new → active → at_risk → churned")
            return None
    return LifecycleSpec(**values)


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
        checker.report(node, path, "must be a discount such as 9.5 or 0.95 (both mean 9.5折, 95% of the price) "
                       f"or 9.5折, found {describe(node)}", "bad_value",
                       zh="应为折扣，例如 9.5 或 0.95（都表示 9.5折，即原价的 95%），或写成 9.5折，"
                          f"实际是{describe(node, 'zh')}")
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
        return stripped, None, [TiercliError("'preset' appears twice; keep one",
                                             Location(file=source, line=key.start_mark.line + 1), "duplicate_key",
                                             zh="'preset' 出现了两次；请只保留一个")]
    if name not in available:
        shown, shown_zh = (f"'{name}'", f"'{name}'") if name else (describe(node), describe(node, "zh"))
        hint, hint_zh = (did_you_mean(name, available), did_you_mean(name, available, "zh")) if name else ("", "")
        return stripped, None, [TiercliError(f"unknown preset {shown}{hint}; available: {', '.join(available)}",
                                             where, "unknown_preset",
                                             zh=f"未知的预设 {shown_zh}{hint_zh}；可用的预设：{'、'.join(available)}")]
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
