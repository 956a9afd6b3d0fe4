"""Platform profiles (data in platforms.yaml): detection by header overlap, and the column mapping."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from tiercli.errors import ColumnMappingError, Location, UsageError, did_you_mean
from tiercli.profiles.fields import FIELDS

STATUS_CLASSES = ("paid_done", "paid_in_progress", "unpaid", "cancelled", "refunded")
MIN_SCORE = 0.5


@dataclass(frozen=True)
class Profile:
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

    def score(self, headers: Sequence[str]) -> float:
        if not self.signature:
            return 0.0
        present = {_key(h) for h in headers}
        return sum(1 for s in self.signature if _key(s) in present) / len(self.signature)


@dataclass(frozen=True)
class ColumnMap:
    """Which headers feed each canonical field. `customer` may list several (a fallback chain)."""

    profile: Profile
    columns: dict[str, tuple[str, ...]]  # field -> headers, in fallback order

    def describe(self) -> dict[str, str]:
        return {f: " → ".join(h) for f, h in self.columns.items()}


def _key(label: str) -> str:
    return " ".join(label.replace("_", " ").split()).casefold()


@cache
def profiles() -> dict[str, Profile]:
    text = resources.files("tiercli.profiles").joinpath("platforms.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)["platforms"]
    out = {}
    for name, spec in data.items():
        out[name] = Profile(
            name=name,
            title=spec["title"],
            signature=tuple(spec.get("signature", ())),
            columns={k: tuple(v) for k, v in spec["columns"].items()},
            shape=spec.get("shape", "line"),
            amount=spec.get("amount", "line"),
            statuses=dict(spec.get("statuses", {})),
            dayfirst=spec.get("dayfirst"),
            negative_quantity_is_return=bool(spec.get("negative_quantity_is_return", False)),
            region_from_address=bool(spec.get("region_from_address", False)),
        )
    return out


def header_score(headers: Sequence[str]) -> float:
    """How much a row looks like a known header row (used to find the header below title rows)."""
    known = {_key(a) for p in profiles().values() for aliases in p.columns.values() for a in aliases}
    known |= {_key(s) for p in profiles().values() for s in p.signature}
    return float(sum(1 for h in headers if h and _key(h) in known))


def detect(headers: Sequence[str], forced: str | None = None, where: str = "") -> tuple[Profile, float]:
    """The profile whose signature best matches the headers; `generic` when none matches well."""
    table = profiles()
    if forced is not None:
        if forced not in table:
            raise UsageError(f"unknown platform '{forced}'{did_you_mean(forced, table)}; known: "
                             f"{', '.join(sorted(table))}", slug="unknown_platform")
        return table[forced], table[forced].score(headers)
    scored = sorted(((p.score(headers), p.name) for p in table.values() if p.signature), reverse=True)
    best_score, best = scored[0]
    if best_score < MIN_SCORE:
        return table["generic"], 0.0
    if len(scored) > 1 and scored[1][0] == best_score:
        raise ColumnMappingError(
            f"looks equally like '{best}' and '{scored[1][1]}' ({best_score:.0%} of each one's headers); "
            "choose one with --platform", Location(file=where or None), slug="ambiguous_platform")
    return table[best], best_score


def build_mapping(
    headers: Sequence[str],
    profile: Profile,
    explicit: Mapping[str, str],
    where: str,
) -> ColumnMap:
    """Map canonical fields to headers: explicit `input.columns` first, then the profile's aliases."""
    by_key = {_key(h): h for h in headers}
    columns: dict[str, tuple[str, ...]] = {}
    for name, header in explicit.items():
        if _key(header) not in by_key:
            raise ColumnMappingError(
                f"rules input.columns.{name} names '{header}', which is not a column of this file"
                f"{_closest(header, headers)}. Columns found: {_list(headers)}",
                Location(file=where), slug="missing_column")
        columns[name] = (by_key[_key(header)],)
    for name in FIELDS:
        if name in columns:
            continue
        found = tuple(dict.fromkeys(by_key[_key(a)] for a in profile.columns.get(name, ()) if _key(a) in by_key))
        if found:
            columns[name] = found if name == "customer" else found[:1]
    _require(columns, profile, headers, where)
    return ColumnMap(profile, columns)


def _require(columns: Mapping[str, tuple[str, ...]], profile: Profile, headers: Sequence[str],
             where: str) -> None:
    needs = [
        (("customer",), "the customer (who bought)"),
        (("paid_ts", "created_ts"), "the order time"),
        (("amount", "unit_price"), "the amount paid"),
    ]
    for options, what in needs:
        if any(o in columns for o in options):
            continue
        aliases = [a for o in options for a in profile.columns.get(o, ())]
        looked = f" (looked for: {', '.join(aliases[:8])})" if aliases else ""
        guess = _closest_any(aliases, headers)
        raise ColumnMappingError(
            f"no column for {what}{looked}. Columns found: {_list(headers)}.{guess} "
            f"Map it in the rules file: input: {{columns: {{{options[0]}: <column name>}}}}",
            Location(file=where), slug="missing_column")
    if "amount" not in columns and "quantity" not in columns:
        raise ColumnMappingError(
            f"has a unit price ('{columns['unit_price'][0]}') but no quantity column to multiply it by. "
            f"Columns found: {_list(headers)}. Map it: input: {{columns: {{quantity: <column name>}}}}",
            Location(file=where), slug="missing_column")


def _list(headers: Sequence[str]) -> str:
    return ", ".join(f"'{h}'" for h in headers)


def _closest(word: str, headers: Sequence[str]) -> str:
    return did_you_mean(word, headers)


def _closest_any(aliases: Sequence[str], headers: Sequence[str]) -> str:
    best: tuple[float, str] = (0.0, "")
    for header in headers:
        for alias in aliases:
            ratio = difflib.SequenceMatcher(None, _key(alias), _key(header)).ratio()
            if ratio > best[0]:
                best = (ratio, header)
    return f" Closest: '{best[1]}'." if best[0] >= 0.7 else ""
