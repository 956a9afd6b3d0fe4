"""What a loaded, checked rules file is. Built by `tiercli.rules.load`, consumed by the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tiercli.errors import Location


@dataclass(frozen=True)
class CustomMetric:
    """A per-customer aggregate over order lines: a `metrics:` entry of the rules file, or an order-level helper
    such as spend(category, '美妆') that a rule uses (then `helper` is true and `name` is the call as written)."""

    name: str
    text: str  # as the user wrote it
    sql: str  # DuckDB aggregate over the canonical `orders` columns, identifiers quoted
    kind: str | None  # number | text | time | bool; None when it can't be told
    location: Location
    unit: str = ""  # money | ratio | count | bool for helpers; "" = as the aggregate gives it
    helper: bool = False
    reads: frozenset[str] = frozenset()  # order columns it reads
    table: str = "orders"  # what it aggregates: orders (the order lines), events or event_products


@dataclass(frozen=True)
class Condition:
    """A checked rule expression."""

    text: str  # as the user wrote it
    sql: str  # DuckDB SQL over the customer table, identifiers quoted
    names: frozenset[str]  # metric/score names it reads
    location: Location
    helpers: tuple[CustomMetric, ...] = ()  # order-level helpers it uses, computed as customer columns


@dataclass(frozen=True)
class Level:
    """One tier of a grading. `when is None` marks the default (last) level."""

    name: str
    when: Condition | None
    location: Location
    extra: dict[str, Any] = field(default_factory=dict)  # benefit, discount, description … shown, not evaluated

    @property
    def title(self) -> str:
        """The name as the why column shows it, with the level's discount: 'VIP会员 (9折)'."""
        discount = self.extra.get("discount")
        return f"{self.name} ({discount})" if discount else self.name


@dataclass(frozen=True)
class Grading:
    name: str  # output column name; the `tiers:` shorthand is the grading named "tier"
    levels: tuple[Level, ...]
    location: Location
    sticky: bool = False  # upgrade-only: with a previous run, nobody drops below their previous level
    keep_rule: Condition | None = None  # 保级: with sticky, a customer held up who doesn't meet it may drop
    grace_days: int | None = None  # with sticky: days a customer may stay held while not meeting keep_rule


@dataclass(frozen=True)
class Tag:
    name: str
    when: Condition
    location: Location
    description: str | None = None


@dataclass(frozen=True)
class SegmentRow:
    """One row of a segment table: R, F and M score ranges (inclusive; None = any score)."""

    name: str
    r: tuple[int, int] | None = None
    f: tuple[int, int] | None = None
    m: tuple[int, int] | None = None
    meaning: str = ""


DIMENSIONS: tuple[str, ...] = ("recency", "frequency", "monetary")


@dataclass(frozen=True)
class RfmSpec:
    """How R/F/M are scored and which segment table names the cells.

    `method` is quantile (cut points from the data) or thresholds (`thresholds` per dimension, bins - 1
    increasing cut points each); `ties` is shared (equal values get the same score) or split (equal values are
    ranked by customer_id so every score gets its share). `segments` is the table's name: default, r-rfm,
    pymc, custom (then `segment_table` holds the rows, the last one without ranges being the default) or cn-8
    (the eight Chinese classes, each of recency_days, frequency and monetary high or low against a comparison
    value: `compare` is mean or median, `compare_values` the values given for some of the three metrics).
    """

    bins: int = 5
    method: str = "quantile"
    segments: str = "default"
    ties: str = "shared"
    thresholds: dict[str, tuple[float, ...]] = field(default_factory=dict)  # dimension -> cut points
    segment_table: tuple[SegmentRow, ...] = ()
    compare: str = "mean"  # cn-8: what recency_days, frequency and monetary are compared with (mean | median)
    compare_values: dict[str, float] = field(default_factory=dict)  # cn-8: metric -> the value given instead


@dataclass(frozen=True)
class ReportSpec:
    """`report:` — how the outputs present the figures."""

    currency: str | None = None  # ISO 4217 code of the money when neither the data nor the platform says it


@dataclass(frozen=True)
class LifecycleSpec:
    """Lifecycle stage parameters, in whole days relative to as_of."""

    new_days: int = 30  # first order at most this many days ago -> new
    at_risk_days: int = 90  # no order for at least this many days -> at_risk
    churn_days: int = 180  # no order for at least this many days -> churned


@dataclass(frozen=True)
class ClvSpec:
    """`clv:` — the buy-till-you-die model that predicts each customer's future (tiercli.engine.clv).

    `model` is bgnbd (Fader, Hardie & Lee 2005) or paretonbd (Schmittlein, Morrison & Colombo 1987); the spend
    model is always Gamma-Gamma. `unit` is the time unit of the fit (days or weeks); `horizon_days` the future the
    expected orders and value cover; `discount_rate` the annual rate future value is discounted at."""

    model: str = "bgnbd"
    unit: str = "weeks"
    horizon_days: int = 365
    discount_rate: float = 0.10


@dataclass(frozen=True)
class InputSpec:
    columns: dict[str, str] = field(default_factory=dict)  # canonical field -> header in the file
    platform: str | None = None
    sheet: str | None = None
    dayfirst: bool | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # raw status -> class, on top of the profile's
    timezone: str | None = None  # the one zone times are normalised to (IANA name or +08:00)
    events: dict[str, str] = field(default_factory=dict)  # an events file's own word -> view|favourite|cart|purchase
    event_columns: dict[str, str] = field(default_factory=dict)  # canonical event field -> header
    events_year: int | None = None  # the year of event times written as month and day only (mmdd)


@dataclass(frozen=True)
class Rules:
    name: str
    gradings: tuple[Grading, ...]
    tags: tuple[Tag, ...] = ()
    rfm: RfmSpec = field(default_factory=RfmSpec)
    input: InputSpec = field(default_factory=InputSpec)
    lifecycle: LifecycleSpec = field(default_factory=LifecycleSpec)
    clv: ClvSpec | None = None  # without `clv:` no prediction runs and its metrics can't be used
    report: ReportSpec = field(default_factory=ReportSpec)
    metrics: tuple[CustomMetric, ...] = ()  # custom metrics, then the helpers the rules use
    version: int = 1
    source: str = "<built-in>"  # file name as given
    sha256: str | None = None
    preset: str | None = None  # the packaged preset the file builds on
