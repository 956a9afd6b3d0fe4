"""Platform profiles (data in platforms.yaml): loading and checking them, detection by header overlap, and the
column mapping.

Detection scores each profile by the share of its signature headers present in the file. A clear winner is
used; a tie, or a best match that is only partial, stops with the candidates and their scores named, because
guessing a platform wrongly reads statuses and amounts wrongly. `--platform NAME` forces a profile and an
explicit `input.columns` mapping always wins over a profile's aliases.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from tiercli.errors import ColumnMappingError, Location, UsageError, did_you_mean
from tiercli.vocabulary.fields import FIELDS, meaning_of

STATUS_CLASSES = ("paid_done", "paid_in_progress", "unpaid", "cancelled", "refunded")
SHAPES = ("order", "line", "line_first")
AMOUNTS = ("order", "line", "order_repeated")
ORDER_ID_PREFIX_KINDS = ("return", "adjustment")

MIN_SCORE = 0.6  # a profile scoring at least this (share of its signature present) is a clear match
WEAK_SCORE = 0.25  # between this and MIN_SCORE a match is partial: stop and ask
WEAK_HITS = 2  # ... when at least this many of the signature headers found are not common names
TIE_MARGIN = 0.1  # a runner-up this close to a clear match makes it a tie
REQUIRED: tuple[tuple[tuple[str, ...], str, str], ...] = (  # (fields, what they are, the same in Chinese)
    (("customer",), "the customer (who bought)", "客户（买家）"),
    (("paid_ts", "created_ts"), "the order time", "订单时间"),
    (("amount", "unit_price"), "the amount paid", "实付金额"),
)

_PROFILE_KEYS = ("title", "signature", "columns", "shape", "amount", "statuses", "status_prefixes",
                 "refund_statuses", "dayfirst", "timezone", "negative_quantity_is_return", "region_from_address",
                 "no_customer_key", "hint", "masked", "relay", "items_of", "join_key", "order_id_prefixes",
                 "empty_values")
_DEFAULT_KEYS = ("masked", "relay", "empty_values", "summary_labels")
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_HALF_TO_FULL = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"})


class ProfileFileError(ValueError):
    """platforms.yaml is broken: a bug in tiercli's packaged data, never the user's input."""


@dataclass(frozen=True)
class Profile:
    """One platform's export: how to recognise it and how its columns and values map onto canonical orders.

    shape:  order (one row per order), line (one row per order line, each complete) or line_first (one row
            per line, order fields only on an order's first line).
    amount: line (the amount belongs to the row), order (the order's total, on the first line of a
            line_first order) or order_repeated (the order's total repeated on every line: count it once).
    statuses: raw status -> class; status_prefixes: a raw status starting with the key -> class;
    refund_statuses: raw after-sale/refund status -> class (`refunded` means refunded in full).
    masked: regexes for identifiers that hide the person (`****`, `密文`, per-order relay e-mails): counted,
            and a masked value gives way to the next column of the customer chain.
    relay:  regexes for stable pseudonymous identifiers (marketplace relay e-mails): usable, counted.
    items_of / join_key: an item report that belongs to another profile's order report, joined on join_key.
    order_id_prefixes: order id prefix -> `return` (nets against the customer's spend) or `adjustment`
            (not an order: excluded).
    """

    name: str
    title: str
    signature: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    shape: str = "line"
    amount: str = "line"
    statuses: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None
    negative_quantity_is_return: bool = False
    region_from_address: bool = False
    status_prefixes: dict[str, str] = field(default_factory=dict)
    refund_statuses: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None
    no_customer_key: bool = False
    hint: str = ""
    masked: tuple[str, ...] = ()
    relay: tuple[str, ...] = ()
    items_of: str | None = None
    join_key: str | None = None
    order_id_prefixes: dict[str, str] = field(default_factory=dict)
    empty_values: tuple[str, ...] = ()
    summary_labels: tuple[str, ...] = ()

    def matched(self, headers: Sequence[str]) -> tuple[str, ...]:
        """The signature headers present in `headers` (compared as people read them)."""
        present = {header_key(h) for h in headers}
        return tuple(s for s in self.signature if header_key(s) in present)

    def score(self, headers: Sequence[str]) -> float:
        if not self.signature:
            return 0.0
        return len(self.matched(headers)) / len(self.signature)

    @property
    def customer_chain(self) -> tuple[str, ...]:
        """Headers that can identify the customer, in fallback order."""
        return self.columns.get("customer", ())

    @property
    def masked_pattern(self) -> str | None:
        """One regex (Python `re` and DuckDB/RE2 alike) matching any masked identifier, or None."""
        return _alternation(self.masked)

    @property
    def relay_pattern(self) -> str | None:
        return _alternation(self.relay)


@dataclass(frozen=True)
class Detection:
    """What detection decided, for the run and for `tiercli inspect`."""

    profile: Profile
    score: float  # share of the chosen profile's signature found (1.0 when forced and all present)
    matched: tuple[str, ...]  # the chosen profile's signature headers that were found
    runner_up: Profile | None = None
    runner_up_score: float = 0.0
    forced: bool = False

    def describe(self) -> str:
        """e.g. `tmall-order-report (100% of its headers; next: qianniu-orders 73%)`."""
        how = "forced with --platform, " if self.forced else ""
        text = f"{self.profile.name} ({how}{self.score:.0%} of its headers"
        if self.runner_up is not None:
            text += f"; next: {self.runner_up.name} {self.runner_up_score:.0%}"
        return text + ")"


@dataclass(frozen=True)
class ColumnMap:
    """Which headers feed each canonical field. `customer` may list several (a fallback chain)."""

    profile: Profile
    columns: dict[str, tuple[str, ...]]  # field -> headers, in fallback order
    detection: Detection | None = None

    def describe(self) -> dict[str, str]:
        return {f: " → ".join(h) for f, h in self.columns.items()}


def header_key(label: str) -> str:
    """A header as people read it, for comparing: no BOM, `="…"` wrapper, quotes or outer whitespace (incl.
    U+3000); full-width forms folded; case, `_` and `-` ignored; inner runs of spaces as one."""
    text = unicodedata.normalize("NFKC", str(label).replace("\ufeff", "")).strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.strip().strip("\"'").replace("_", " ").replace("-", " ")
    return " ".join(text.split()).casefold()


def _alternation(patterns: Sequence[str]) -> str | None:
    return "|".join(f"(?:{p})" for p in patterns) if patterns else None


def width_variants(text: str) -> set[str]:
    """A status as written with half-width and with full-width punctuation (exports use both)."""
    half = unicodedata.normalize("NFKC", text)
    return {text, half, half.translate(_HALF_TO_FULL)}


# --- loading and checking platforms.yaml -------------------------------------------------------------------

class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ProfileFileError(f"platforms.yaml:{key_node.start_mark.line + 1}: key '{key}' is given twice")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> ProfileFileError:
        return ProfileFileError(f"{self.source}: {path}: {message}")

    def mapping(self, value: object, path: str, keys: Sequence[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, found {type(value).__name__}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"key {key!r} must be text")
            if keys is not None and key not in keys:
                raise self.fail(path, f"unknown key '{key}'{did_you_mean(key, keys)}; known: {', '.join(keys)}")
        return value

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be non-empty text, found {value!r}")
        return value

    def texts(self, value: object, path: str, headers: bool = False) -> tuple[str, ...]:
        """A list of texts, none twice (headers compared as people read them)."""
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, found {type(value).__name__}")
        items = tuple(self.text(v, f"{path}[{i}]") for i, v in enumerate(value))
        keys = [header_key(v) if headers else v for v in items]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                raise self.fail(path, f"'{items[i]}' is listed twice")
        return items

    def flag(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, found {value!r}")
        return value

    def choice(self, value: object, path: str, choices: Sequence[str]) -> str:
        if value not in choices:
            raise self.fail(path, f"'{value}' is not one of {', '.join(choices)}{did_you_mean(str(value), choices)}")
        return str(value)

    def classes(self, value: object, path: str, choices: Sequence[str], variants: bool) -> dict[str, str]:
        out: dict[str, str] = {}
        for raw, klass in self.mapping(value, path).items():
            self.text(raw, f"{path} → {raw}")
            if raw != raw.strip():
                raise self.fail(path, f"'{raw}' has spaces around it; cells are compared trimmed")
            klass = self.choice(klass, f"{path} → {raw}", choices)
            for form in (width_variants(raw) if variants else {raw}):
                if out.get(form, klass) != klass:
                    raise self.fail(path, f"'{raw}' maps to both {out[form]} and {klass}")
                out[form] = klass
        return out

    def patterns(self, value: object, path: str) -> tuple[str, ...]:
        items = self.texts(value, path)
        for item in items:
            try:
                re.compile(item)
            except re.error as exc:
                raise self.fail(path, f"'{item}' is not a regular expression ({exc})") from exc
        return items


def load_profiles(text: str, source: str = "platforms.yaml") -> dict[str, Profile]:
    """Parse and check platforms.yaml; any unknown key, value or reference is an error naming it."""
    check = _Checker(source)
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ProfileFileError(f"{source}: not valid YAML: {exc}") from exc
    root = check.mapping(data, "top level", ("defaults", "platforms"))
    defaults = check.mapping(root.get("defaults", {}), "defaults", _DEFAULT_KEYS)
    default_masked = check.patterns(defaults.get("masked", []), "defaults → masked")
    default_relay = check.patterns(defaults.get("relay", []), "defaults → relay")
    default_empty = check.texts(defaults.get("empty_values", []), "defaults → empty_values")
    summary_labels = check.texts(defaults.get("summary_labels", []), "defaults → summary_labels")
    out: dict[str, Profile] = {}
    for name, raw in check.mapping(root.get("platforms"), "platforms").items():
        path = f"platforms → {name}"
        if not _NAME.fullmatch(name):
            raise check.fail(path, "a profile name is lower-case words joined by '-'")
        spec = check.mapping(raw, path, _PROFILE_KEYS)
        for key in ("title", "columns"):
            if key not in spec:
                raise check.fail(path, f"'{key}' is missing")
        columns: dict[str, tuple[str, ...]] = {}
        for fld, aliases in check.mapping(spec["columns"], f"{path} → columns").items():
            if fld not in FIELDS:
                raise check.fail(f"{path} → columns", f"unknown field '{fld}'{did_you_mean(fld, FIELDS)}")
            columns[fld] = check.texts(aliases, f"{path} → columns → {fld}", headers=True)
            if not columns[fld]:
                raise check.fail(f"{path} → columns → {fld}", "lists no header")
        signature = check.texts(spec.get("signature", []), f"{path} → signature", headers=True)
        if not signature and name != "generic":
            raise check.fail(path, "'signature' is missing: detection needs the headers that identify the export")
        no_key = check.flag(spec.get("no_customer_key", False), f"{path} → no_customer_key")
        hint = check.text(spec["hint"], f"{path} → hint") if "hint" in spec else ""
        if no_key and not hint:
            raise check.fail(path, "no_customer_key needs a 'hint' saying which column could identify buyers")
        shape = check.choice(spec.get("shape", "line"), f"{path} → shape", SHAPES)
        amount = check.choice(spec.get("amount", "line"), f"{path} → amount", AMOUNTS)
        if amount == "order_repeated" and shape != "line":
            raise check.fail(f"{path} → amount", "order_repeated needs shape: line (the amount is on every line)")
        dayfirst = spec.get("dayfirst")
        if dayfirst is not None:
            check.flag(dayfirst, f"{path} → dayfirst")
        timezone = spec.get("timezone")
        if timezone is not None and not _known_zone(check.text(timezone, f"{path} → timezone")):
            raise check.fail(f"{path} → timezone", f"unknown time zone '{timezone}'{did_you_mean(timezone, _zones())}")
        items_of, join_key = spec.get("items_of"), spec.get("join_key")
        if (items_of is None) != (join_key is None):
            raise check.fail(path, "an item report needs both 'items_of' and 'join_key'")
        if join_key is not None and header_key(check.text(join_key, f"{path} → join_key")) not in {
                header_key(a) for a in columns.get("order_id", ())}:
            raise check.fail(f"{path} → join_key", f"'{join_key}' is not one of columns → order_id")
        out[name] = Profile(
            name=name,
            title=check.text(spec["title"], f"{path} → title"),
            signature=signature,
            columns=columns,
            shape=shape,
            amount=amount,
            statuses=check.classes(spec.get("statuses", {}), f"{path} → statuses", STATUS_CLASSES, True),
            status_prefixes=check.classes(spec.get("status_prefixes", {}), f"{path} → status_prefixes",
                                          STATUS_CLASSES, True),
            refund_statuses=check.classes(spec.get("refund_statuses", {}), f"{path} → refund_statuses",
                                          STATUS_CLASSES, True),
            dayfirst=dayfirst,
            timezone=timezone,
            negative_quantity_is_return=check.flag(spec.get("negative_quantity_is_return", False),
                                                   f"{path} → negative_quantity_is_return"),
            region_from_address=check.flag(spec.get("region_from_address", False), f"{path} → region_from_address"),
            no_customer_key=no_key,
            hint=hint,
            masked=default_masked + check.patterns(spec.get("masked", []), f"{path} → masked"),
            relay=default_relay + check.patterns(spec.get("relay", []), f"{path} → relay"),
            items_of=items_of,
            join_key=join_key,
            order_id_prefixes=check.classes(spec.get("order_id_prefixes", {}), f"{path} → order_id_prefixes",
                                            ORDER_ID_PREFIX_KINDS, False),
            empty_values=default_empty + check.texts(spec.get("empty_values", []), f"{path} → empty_values"),
            summary_labels=summary_labels,
        )
    if "generic" not in out:
        raise check.fail("platforms", "the 'generic' profile is missing")
    for profile in out.values():
        if profile.items_of is not None and profile.items_of not in out:
            raise check.fail(f"platforms → {profile.name} → items_of",
                             f"unknown profile '{profile.items_of}'{did_you_mean(profile.items_of, out)}")
        if profile.items_of is not None and out[profile.items_of].items_of is not None:
            raise check.fail(f"platforms → {profile.name} → items_of", f"'{profile.items_of}' is itself an item report")
    return out


def _known_zone(name: str) -> bool:
    if name == "UTC":
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return not _zones()  # without a time zone database (Windows without tzdata) names can't be checked
    return True


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def profiles() -> dict[str, Profile]:
    text = resources.files("tiercli.profiles").joinpath("platforms.yaml").read_text(encoding="utf-8")
    return load_profiles(text)


# --- detection ---------------------------------------------------------------------------------------------

def header_score(headers: Sequence[str]) -> float:
    """How much a row looks like a known header row (used to find the header below title rows)."""
    return float(sum(1 for h in headers if h and header_key(h) in _known_headers()))


@cache
def _known_headers() -> frozenset[str]:
    known = {header_key(a) for p in profiles().values() for aliases in p.columns.values() for a in aliases}
    return frozenset(known | {header_key(s) for p in profiles().values() for s in p.signature})


def rank(headers: Sequence[str]) -> list[tuple[Profile, float]]:
    """Every profile with a signature and its score, best first (equal scores by name)."""
    scored = [(p, p.score(headers)) for p in profiles().values() if p.signature]
    return sorted(scored, key=lambda item: (-item[1], item[0].name))


def detect_platform(
    headers: Sequence[str],
    forced: str | None = None,
    where: str = "",
    explicit: Mapping[str, str] | None = None,
) -> Detection:
    """Choose the profile for a file's headers.

    `forced` (from --platform or input.platform) wins. Otherwise the best-scoring profile is used when it is
    a clear match; a tie or a partial match stops with the candidates named, unless `explicit`
    (input.columns) maps everything a run needs, in which case the generic profile carries that mapping.
    Nothing close at all gives the generic profile, whose aliases are common English/Chinese names.
    """
    table = profiles()
    ranked = rank(headers)
    if forced is not None:
        if forced not in table:
            raise UsageError(f"unknown platform '{forced}'{did_you_mean(forced, table)}; give --platform one of: "
                             f"{', '.join(sorted(table))}", slug="unknown_platform",
                             zh=f"未知的平台 '{forced}'{did_you_mean(forced, table, 'zh')}；--platform 可用的平台："
                                f"{'、'.join(sorted(table))}")
        chosen = table[forced]
        others = [(p, s) for p, s in ranked if p.name != forced and s > 0]
        other, other_score = others[0] if others else (None, 0.0)
        return Detection(chosen, chosen.score(headers), chosen.matched(headers), other, other_score, forced=True)
    best, best_score = ranked[0]
    runner, runner_score = ranked[1] if len(ranked) > 1 else (None, 0.0)
    clear = best_score >= MIN_SCORE
    tie = clear and runner is not None and runner_score > best_score - TIE_MARGIN
    weak = not clear and _partial(best, best_score, headers)
    generic = Detection(table["generic"], 0.0, (), best if best_score else None, best_score)
    if clear and not tie:
        return Detection(best, best_score, best.matched(headers), runner, runner_score)
    if not (tie or weak):
        return generic
    if explicit and _covers_required(explicit):
        return generic
    location = Location(file=where or None)
    mapping_hint = ("map the columns yourself in the rules file: input: {columns: {customer: <column>, "
                    "order_id: <column>, paid_ts: <column>, amount: <column>}}")
    mapping_hint_zh = ("在规则文件中自己指定列：input: {columns: {customer: <列名>, order_id: <列名>, "
                       "paid_ts: <列名>, amount: <列名>}}")
    if tie:
        close = [p for p, s in ranked if s > best_score - TIE_MARGIN]
        raise ColumnMappingError(
            f"looks as much like {' as like '.join(_candidate(p, headers) for p in close)}; choose one with "
            f"--platform {' or --platform '.join(p.name for p in close)}, or {mapping_hint}",
            location, slug="ambiguous_platform",
            zh=f"看起来同样像{'，也像'.join(_candidate(p, headers, 'zh') for p in close)}；请用 --platform "
               f"{' 或 --platform '.join(p.name for p in close)} 选定一个，或者{mapping_hint_zh}")
    partial = [p for p, s in ranked if _partial(p, s, headers)][:3]
    missing = [s for s in best.signature if s not in best.matched(headers)]
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    more_zh = f" 等另外 {len(missing) - 5} 个" if len(missing) > 5 else ""
    advice, advice_zh = _weak_advice(best, headers, where)
    raise ColumnMappingError(
        f"looks only partly like {' and '.join(_candidate(p, headers) for p in partial)}; '{best.name}' lacks "
        f"{_list(missing[:5])}{more}. {advice}", location, slug="weak_platform",
        zh=f"只有部分像{'和'.join(_candidate(p, headers, 'zh') for p in partial)}；'{best.name}' 缺少 "
           f"{_list(missing[:5], 'zh')}{more_zh}。{advice_zh}")


def _weak_advice(best: Profile, headers: Sequence[str], where: str) -> tuple[str, str]:
    """What to do about a partial match, in English and Chinese, such that doing it runs: name the platform when
    its mapping has all a run needs; else map the columns, each chosen by its profile or by its name's meaning;
    else say what is missing, as there is nothing to run."""
    try:
        build_mapping(headers, best, {}, where)
    except ColumnMappingError:
        pass
    else:
        return (f"If it is that export, say so with --platform {best.name}.",
                f"如果确实是这种导出文件，请用 --platform {best.name} 指明。")
    guessed = guess_columns(headers, best)
    absent = [(what, zh) for options, what, zh in REQUIRED if not any(o in guessed for o in options)]
    if absent:
        what = " and ".join(en for en, _ in absent)
        what_zh = "和".join(zh for _, zh in absent)
        return (f"No column holds {what}, so customers can't be graded from this file; if one of its columns does, "
                "map it in the rules file, e.g. input: {columns: {customer: <column name>}}",
                f"没有任何一列是{what_zh}，因此无法用这个文件给客户分级；如果其中某列正是，请在规则文件中指定，"
                "例如 input: {columns: {customer: <列名>}}")
    snippet = columns_snippet(guessed)
    return (f"Map its columns in the rules file: {snippet}", f"请在规则文件中指定它的列：{snippet}")


def guess_columns(headers: Sequence[str], profile: Profile) -> dict[str, str]:
    """The columns a run needs (customer, order id, order time, amount), each found by `profile`'s aliases, the
    generic profile's, or the meaning of its header (`TotalPrice` is money, `InvoiceDate` a time)."""
    by_key = {header_key(h): h for h in headers}
    found: dict[str, str] = {}
    for name in ("customer", "order_id", "paid_ts", "created_ts", "amount"):
        for source in (profile, profiles()["generic"]):
            hit = next((by_key[header_key(a)] for a in source.columns.get(name, ()) if header_key(a) in by_key),
                       None)
            if hit is not None and hit not in found.values():
                found[name] = hit
                break
    if "created_ts" in found and "paid_ts" not in found:
        found["paid_ts"] = found.pop("created_ts")
    found.pop("created_ts", None)
    for header in headers:
        meaning = meaning_of(header)
        if meaning in ("customer", "order_id", "paid_ts", "amount") and meaning not in found \
                and header not in found.values():
            found[meaning] = header
    return {f: found[f] for f in ("customer", "order_id", "paid_ts", "amount") if f in found}


def columns_snippet(columns: Mapping[str, str]) -> str:
    """`input: {columns: {field: "header", …}}` as a rules file takes it (headers quoted, so any text works)."""
    pairs = ", ".join(f"{field}: {json.dumps(header, ensure_ascii=False)}" for field, header in columns.items())
    return f"input: {{columns: {{{pairs}}}}}"


def _partial(profile: Profile, score: float, headers: Sequence[str]) -> bool:
    """A partial match: enough of the signature, and enough of it beyond names any order table may have (a file
    with `customer_id`, `quantity` and `country` is no evidence of UCI Online Retail)."""
    common = {header_key(a) for aliases in profiles()["generic"].columns.values() for a in aliases}
    telling = [h for h in profile.matched(headers) if header_key(h) not in common]
    return score >= WEAK_SCORE and len(telling) >= WEAK_HITS


def _candidate(profile: Profile, headers: Sequence[str], lang: str = "en") -> str:
    found = len(profile.matched(headers))
    if lang == "zh":
        return f"'{profile.name}'（{profile.title}：它的 {len(profile.signature)} 个表头中有 {found} 个，" \
               f"{found / len(profile.signature):.0%}）"
    return f"'{profile.name}' ({profile.title}: {found} of its {len(profile.signature)} headers, " \
           f"{found / len(profile.signature):.0%})"


def _covers_required(explicit: Mapping[str, str]) -> bool:
    return all(any(o in explicit for o in options) for options, _, _ in REQUIRED)


def detect(
    headers: Sequence[str],
    forced: str | None = None,
    where: str = "",
    explicit: Mapping[str, str] | None = None,
) -> tuple[Profile, float]:
    """The chosen profile and its score (see `detect_platform`, which also names the runner-up)."""
    found = detect_platform(headers, forced, where, explicit)
    return found.profile, found.score


# --- mapping -----------------------------------------------------------------------------------------------

def build_mapping(
    headers: Sequence[str],
    profile: Profile,
    explicit: Mapping[str, str],
    where: str,
    *,
    check: bool = True,
    detection: Detection | None = None,
) -> ColumnMap:
    """Map canonical fields to headers: explicit `input.columns` first, then the profile's aliases for the
    fields and columns left.

    With `check`, a missing customer, order time or amount is an error that says what to map; pass
    `check=False` for an item report that will be joined onto its order report (which supplies those).
    """
    by_key = {header_key(h): h for h in headers}
    columns: dict[str, tuple[str, ...]] = {}
    for name, header in explicit.items():
        if header_key(header) not in by_key:
            raise ColumnMappingError(
                f"rules input.columns.{name} names '{header}', which is not a column of this file"
                f"{did_you_mean(header, headers)}; write one of its columns there. Columns found: {_list(headers)}",
                Location(file=where), slug="missing_column",
                zh=f"规则文件的 input.columns.{name} 写的是 '{header}'，但这个文件中没有这一列"
                   f"{did_you_mean(header, headers, 'zh')}；请改写为文件中的某一列。找到的列：{_list(headers, 'zh')}")
        columns[name] = (by_key[header_key(header)],)
    mapped = {h for chosen in columns.values() for h in chosen}  # a column the rules map is not taken again
    for name in FIELDS:
        if name in columns:
            continue
        found = tuple(dict.fromkeys(by_key[header_key(a)] for a in profile.columns.get(name, ())
                                    if header_key(a) in by_key and by_key[header_key(a)] not in mapped))
        if found:
            columns[name] = found if name == "customer" else found[:1]
    if check:
        _require(columns, profile, headers, where)
    return ColumnMap(profile, columns, detection)


def _require(columns: Mapping[str, tuple[str, ...]], profile: Profile, headers: Sequence[str],
             where: str) -> None:
    missing = [(what, zh) for options, what, zh in REQUIRED if not any(o in columns for o in options)]
    if missing and profile.items_of is not None:
        orders = profiles()[profile.items_of]
        raise ColumnMappingError(
            f"looks like {_a(profile.title)}, which lacks {' and '.join(en for en, _ in missing)}: give it together "
            f"with the {orders.title} it belongs to, e.g. `tiercli classify orders.csv items.csv`; the two are joined "
            f"on '{profile.join_key}'", Location(file=where), slug="item_report_alone",
            zh=f"看起来是{profile.title}，缺少{'和'.join(zh for _, zh in missing)}：请把它和所属的{orders.title}一起"
               f"给出，例如 `tiercli classify orders.csv items.csv`；两者按 '{profile.join_key}' 关联")
    if "customer" not in columns and profile.no_customer_key:
        raise ColumnMappingError(
            f"looks like {_a(profile.title)}, which has no column that identifies the buyer, so customers can't "
            f"be told apart: {profile.hint}. If the file has such a column, map it in the rules file: "
            "input: {columns: {customer: <column name>}}", Location(file=where), slug="no_customer_key",
            zh=f"看起来是{profile.title}，其中没有能识别买家的列，因此无法区分客户：{profile.hint}。"
               "如果文件中有这样的列，请在规则文件中指定：input: {columns: {customer: <列名>}}")
    summary = _customer_summary(headers)
    if summary and any(not any(o in columns for o in options) for options, _, _ in REQUIRED):
        raise ColumnMappingError(
            f"looks like a table of customers, one row per customer with figures already computed "
            f"({_list(summary)}), not of orders: tiercli computes those figures itself from the orders. Give it "
            "the order export they came from (one row per order or order line, with the customer, the order time "
            "and the amount)", Location(file=where), slug="customer_table",
            zh=f"看起来是一张客户表（每个客户一行，已算好的指标：{_list(summary, 'zh')}），而不是订单：tiercli 会从订单"
               "自己算出这些指标。请给出它们所来自的订单导出文件（每个订单或订单行一行，含客户、下单时间和金额）")
    for options, what, what_zh in REQUIRED:
        if any(o in columns for o in options):
            continue
        aliases = [a for o in options for a in profile.columns.get(o, ())]
        looked = f" (looked for: {', '.join(aliases[:8])})" if aliases else ""
        looked_zh = f"（查找过：{'、'.join(aliases[:8])}）" if aliases else ""
        close = _closest_header(aliases, headers)
        guess = f" Closest: '{close}'." if close else ""
        guess_zh = f"最接近的是 '{close}'。" if close else ""
        raise ColumnMappingError(
            f"no column for {what}{looked}. Columns found: {_list(headers)}.{guess} "
            f"Map it in the rules file: input: {{columns: {{{options[0]}: <column name>}}}}",
            Location(file=where), slug="missing_column",
            zh=f"找不到{what_zh}的列{looked_zh}。找到的列：{_list(headers, 'zh')}。{guess_zh}"
               f"请在规则文件中指定：input: {{columns: {{{options[0]}: <列名>}}}}")
    if "amount" not in columns and "quantity" not in columns:
        price = columns["unit_price"][0]
        quantity = next((h for h in headers if meaning_of(h) == "quantity"), None)
        per_item = (columns_snippet({"quantity": quantity}) if quantity
                    else "input: {columns: {quantity: <column name>}}")
        as_amount = columns_snippet({"amount": price})
        raise ColumnMappingError(
            f"'{price}' was taken for a unit price (the price of one item), but no quantity column says how many "
            f"were bought. If '{price}' is what was paid for the row (an order or line total), map it as the "
            f"amount: {as_amount}. If it is the price of one item, map the quantity to multiply it by: {per_item}. "
            f"Columns found: {_list(headers)}",
            Location(file=where), slug="missing_column",
            zh=f"'{price}' 被当作单价（一件商品的价格），但没有说明买了几件的数量列。如果 '{price}' 是这一行实付的金额"
               f"（订单或行的合计），请把它指定为金额：{as_amount}。如果它是一件商品的价格，请指定与之相乘的数量："
               f"{per_item}。找到的列：{_list(headers, 'zh')}")


# Headers of a per-customer table (an RFM result, a CRM summary): figures computed from orders, not orders.
_SUMMARY_WORDS = ("recency", "frequency", "monetary", "numberoforders", "mostrecent", "rfmscore", "rfmcell",
                  "rscore", "fscore", "mscore", "lifetimevalue", "最近一次", "消费频次", "累计消费")


def _customer_summary(headers: Sequence[str]) -> list[str]:
    """The headers that make `headers` a table of customers rather than orders: two or more of them."""
    found = [h for h in headers if any(w in header_key(h).replace(" ", "") for w in _SUMMARY_WORDS)]
    return found if len(found) >= 2 else []


def _a(title: str) -> str:
    return f"{'an' if title[:1] in 'AEIO' else 'a'} {title}"


def _list(headers: Sequence[str], lang: str = "en") -> str:
    return ("、" if lang == "zh" else ", ").join(f"'{h}'" for h in headers)


def _closest_header(aliases: Sequence[str], headers: Sequence[str]) -> str | None:
    """The header most like one of `aliases`, when it is close enough to name."""
    best: tuple[float, str] = (0.0, "")
    for header in headers:
        for alias in aliases:
            ratio = difflib.SequenceMatcher(None, header_key(alias), header_key(header)).ratio()
            if ratio > best[0]:
                best = (ratio, header)
    return best[1] if best[0] >= 0.7 else None
