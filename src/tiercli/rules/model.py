"""What a loaded, checked rules file is. Built by `tiercli.rules.load`, consumed by the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tiercli.errors import Location


@dataclass(frozen=True)
class Condition:
    """A checked rule expression."""

    text: str  # as the user wrote it
    sql: str  # DuckDB SQL over the customer table, identifiers quoted
    names: frozenset[str]  # metric/score names it reads
    location: Location


@dataclass(frozen=True)
class Level:
    """One tier of a grading. `when is None` marks the default (last) level."""

    name: str
    when: Condition | None
    location: Location
    extra: dict[str, Any] = field(default_factory=dict)  # benefit, discount, description … shown, not evaluated


@dataclass(frozen=True)
class Grading:
    name: str  # output column name; the `tiers:` shorthand is the grading named "tier"
    levels: tuple[Level, ...]
    location: Location


@dataclass(frozen=True)
class Tag:
    name: str
    when: Condition
    location: Location
    description: str | None = None


@dataclass(frozen=True)
class RfmSpec:
    bins: int = 5
    method: str = "quantile"
    segments: str = "default"


@dataclass(frozen=True)
class InputSpec:
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header in the file
    platform: str | None = None
    sheet: str | None = None
    dayfirst: bool | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # raw status -> class, on top of the profile's


@dataclass(frozen=True)
class Rules:
    name: str
    gradings: tuple[Grading, ...]
    tags: tuple[Tag, ...] = ()
    rfm: RfmSpec = field(default_factory=RfmSpec)
    input: InputSpec = field(default_factory=InputSpec)
    version: int = 1
    source: str = "<built-in>"  # file name as given
    sha256: str | None = None
