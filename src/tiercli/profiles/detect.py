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

from tiercli.errors import ColumnMappingError, Location, UsageError, did_you_mean, suggestion
from tiercli.messages import Said, listed, say
from tiercli.vocabulary.fields import FIELDS, meaning_of

STATUS_CLASSES = ("paid_done", "paid_in_progress", "unpaid", "cancelled", "refunded")
SHAPES = ("order", "line", "line_first")
AMOUNTS = ("order", "line", "order_repeated")
ORDER_ID_PREFIX_KINDS = ("return", "adjustment")

MIN_SCORE = 0.6  # a profile scoring at least this (share of its signature present) is a clear match
WEAK_SCORE = 0.25  # between this and MIN_SCORE a match is partial: stop and ask
WEAK_HITS = 2  # ... when at least this many of the signature headers found are not common names
TIE_MARGIN = 0.1  # a runner-up this close to a clear match makes it a tie
REQUIRED: tuple[tuple[tuple[str, ...], Said], ...] = (  # (fields, what they are)
    (("customer",), say("profiles.required_customer")),
    (("paid_ts", "created_ts"), say("profiles.required_time")),
    (("amount", "unit_price"), say("profiles.required_amount")),
)

_PROFILE_KEYS = ("title", "signature", "columns", "shape", "amount", "statuses", "status_prefixes",
                 "refund_statuses", "dayfirst", "timezone", "currency", "negative_quantity_is_return",
                 "region_from_address",
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
    currency: str | None = None  # ISO code of the amounts when the export has no currency column (CNY in China)
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

    def describe(self) -> Said:
        """e.g. `tmall-order-report (100% of its headers; next: qianniu-orders 73%)`."""
        how = say("profiles.detection_forced") if self.forced else ""
        runner_up = ("" if self.runner_up is None
                     else say("profiles.detection_next", name=self.runner_up.name, score=self.runner_up_score))
        return say("profiles.detection", name=self.profile.name, how=how, score=self.score, runner_up=runner_up)


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
        currency = spec.get("currency")
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", check.text(currency, f"{path} → currency")):
            raise check.fail(f"{path} → currency", f"'{currency}' is not a three-letter ISO code")
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
            currency=currency,
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
            raise UsageError(say("profiles.unknown_platform", name=forced, hint=suggestion(forced, table),
                                 platforms=listed(sorted(table))), slug="unknown_platform")
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
    if tie:
        close = [p for p, s in ranked if s > best_score - TIE_MARGIN]
        raise ColumnMappingError(
            say("profiles.ambiguous_platform", candidates=listed((_candidate(p, headers) for p in close),
                                                                  "profiles.as_like"),
                names=listed((p.name for p in close), "profiles.or_platform"),
                hint=say("profiles.map_columns_yourself")),
            location, slug="ambiguous_platform")
    partial = [p for p, s in ranked if _partial(p, s, headers)][:3]
    missing = [s for s in best.signature if s not in best.matched(headers)]
    more = say("profiles.and_more", count=len(missing) - 5) if len(missing) > 5 else ""
    raise ColumnMappingError(
        say("profiles.weak_platform", candidates=listed((_candidate(p, headers) for p in partial), "common.and"),
            name=best.name, missing=listed(missing[:5], quoted=True), more=more,
            advice=_weak_advice(best, headers, where)),
        location, slug="weak_platform")


def _weak_advice(best: Profile, headers: Sequence[str], where: str) -> Said:
    """What to do about a partial match, such that doing it runs: name the platform when its mapping has all a run
    needs; else map the columns, each chosen by its profile or by its name's meaning; else say what is missing, as
    there is nothing to run."""
    try:
        build_mapping(headers, best, {}, where)
    except ColumnMappingError:
        pass
    else:
        return say("profiles.advice_platform", name=best.name)
    guessed = guess_columns(headers, best)
    absent = [what for options, what in REQUIRED if not any(o in guessed for o in options)]
    if absent:
        return say("profiles.advice_no_column", what=listed(absent, "common.and"))
    return say("profiles.advice_map", snippet=columns_snippet(guessed))


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


def _candidate(profile: Profile, headers: Sequence[str]) -> Said:
    found = len(profile.matched(headers))
    return say("profiles.candidate", name=profile.name, title=profile.title, found=found,
               total=len(profile.signature), share=found / len(profile.signature))


def _covers_required(explicit: Mapping[str, str]) -> bool:
    return all(any(o in explicit for o in options) for options, _ in REQUIRED)


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
                say("profiles.explicit_column_missing", field=name, header=header, hint=suggestion(header, headers),
                    columns=listed(headers, quoted=True)),
                Location(file=where), slug="missing_column")
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
    missing = [what for options, what in REQUIRED if not any(o in columns for o in options)]
    if missing and profile.items_of is not None:
        orders = profiles()[profile.items_of]
        raise ColumnMappingError(
            say("profiles.item_report_alone", title=_a(profile.title), missing=listed(missing, "common.and"),
                orders=orders.title, join_key=profile.join_key), Location(file=where), slug="item_report_alone")
    if "customer" not in columns and profile.no_customer_key:
        raise ColumnMappingError(say("profiles.no_customer_key", title=_a(profile.title), hint=profile.hint),
                                 Location(file=where), slug="no_customer_key")
    summary = _customer_summary(headers)
    if summary and any(not any(o in columns for o in options) for options, _ in REQUIRED):
        raise ColumnMappingError(say("profiles.customer_table", columns=listed(summary, quoted=True)),
                                 Location(file=where), slug="customer_table")
    for options, what in REQUIRED:
        if any(o in columns for o in options):
            continue
        aliases = [a for o in options for a in profile.columns.get(o, ())]
        looked = say("profiles.looked_for", aliases=listed(aliases[:8])) if aliases else ""
        close = _closest_header(aliases, headers)
        raise ColumnMappingError(
            say("profiles.no_column_for", what=what, looked=looked, columns=listed(headers, quoted=True),
                field=options[0],
                closest=say("profiles.closest_header", header=close) if close else ""),
            Location(file=where), slug="missing_column")
    if "amount" not in columns and "quantity" not in columns:
        price = columns["unit_price"][0]
        quantity = next((h for h in headers if meaning_of(h) == "quantity"), None)
        per_item = columns_snippet({"quantity": quantity}) if quantity else say("profiles.quantity_column")
        raise ColumnMappingError(
            say("profiles.unit_price_alone", price=price, as_amount=columns_snippet({"amount": price}),
                per_item=per_item, columns=listed(headers, quoted=True)),
            Location(file=where), slug="missing_column")


# Headers of a per-customer table (an RFM result, a CRM summary): figures computed from orders, not orders.
_SUMMARY_WORDS = ("recency", "frequency", "monetary", "numberoforders", "mostrecent", "rfmscore", "rfmcell",
                  "rscore", "fscore", "mscore", "lifetimevalue", "最近一次", "消费频次", "累计消费")


def _customer_summary(headers: Sequence[str]) -> list[str]:
    """The headers that make `headers` a table of customers rather than orders: two or more of them."""
    found = [h for h in headers if any(w in header_key(h).replace(" ", "") for w in _SUMMARY_WORDS)]
    return found if len(found) >= 2 else []


def _a(title: str) -> Said:
    """The title with its article ("an Amazon order report"; in Chinese the title alone)."""
    return say("profiles.an_title" if title[:1] in "AEIO" else "profiles.a_title", title=title)


def _closest_header(aliases: Sequence[str], headers: Sequence[str]) -> str | None:
    """The header most like one of `aliases`, when it is close enough to name."""
    best: tuple[float, str] = (0.0, "")
    for header in headers:
        for alias in aliases:
            ratio = difflib.SequenceMatcher(None, header_key(alias), header_key(header)).ratio()
            if ratio > best[0]:
                best = (ratio, header)
    return best[1] if best[0] >= 0.7 else None
