"""Segment tables: named ranges of R, F and M scores, first match wins.

- `default`: tiercli's table on a 1–5 scale (with another number of bins a score s is read as
  1 + round((s − 1) × 4 / (bins − 1)), so the lowest score stays 1 and the highest 5); every cell has a segment.
- `r-rfm`: the R rfm package's `rfm_segment()` table, on the raw scores; a customer no row matches is "Others".
- `pymc`: pymc-marketing's default `segment_config` (lists of R·F·M codes); any other code is "Other".
- `custom`: the rows of the rules file, on the raw scores; the last row has no ranges and takes everyone left.
- `cn-8`: the eight classes of the Chinese RFM model (`CN8_CLASSES`), not on scores but on the metrics
  themselves: each of recency_days, frequency and monetary is high or low against a comparison value (the mean of
  the customers with orders by default, the median, or a value the rules give). R high means recent: recency_days
  at or below the comparison; F and M high mean frequency and monetary at or above it. A value equal to the
  comparison is high in all three (the better side). Customers without orders have no class, as they have no
  scores under the other tables.

  Source: the comparison with the mean or a given value is how Alibaba Cloud Quick Audience builds its RFM model
  ("Create a new RFM model", help.aliyun.com/document_detail/134842.html, which then sorts customers into these
  user types); the eight names and their high/low patterns are the table published Chinese RFM analyses use (two
  independent pandas write-ups map HHH 重要价值, HLH 重要发展, LHH 重要保持, LLH 重要挽留, HHL 一般价值, HLL 一般发展,
  LHL 一般保持, LLL 一般挽留 in R·F·M order). One CRM template put 重要挽留 at R低F高M低; the majority's table is
  kept: 保持 = not recent but frequent, 发展 = recent but infrequent. The English labels (`CN8_LABELS_EN`) are the
  usual translations; the segment column holds the Chinese names as stable codes.

The tables are data: README documents them from here, and a test keeps the two in step.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from tiercli.messages import say
from tiercli.rules.model import RfmSpec, SegmentRow
from tiercli.sqltext import identifier, literal
from tiercli.vocabulary.labels import label


def five_point(score: int, bins: int) -> int:
    """A score of 1..bins on the 1–5 scale: 1 + round((score − 1) × 4 / (bins − 1)), halves rounded up."""
    return 1 + math.floor((score - 1) * 4 / (bins - 1) + 0.5)


@dataclass(frozen=True)
class SegmentTable:
    name: str  # default | r-rfm | pymc | custom
    rows: tuple[SegmentRow, ...]
    fallback: str | None  # the segment of a customer no row matches
    five_scale: bool = False  # rows read scores on the 1–5 scale whatever the number of bins

    def raw_range(self, span: tuple[int, int] | None, bins: int) -> tuple[int, int] | None:
        """The raw scores a row's range covers; None when it covers none."""
        if span is None:
            return 1, bins
        if not self.five_scale:
            return span
        raw = [s for s in range(1, bins + 1) if span[0] <= five_point(s, bins) <= span[1]]
        return (raw[0], raw[-1]) if raw else None

    def segment_of(self, r: int, f: int, m: int, bins: int) -> str | None:
        """The segment of one cell (raw scores), as the SQL of `segment_sql` gives it."""
        for row in self.rows:
            spans = [self.raw_range(span, bins) for span in (row.r, row.f, row.m)]
            if all(s is not None and s[0] <= v <= s[1] for s, v in zip(spans, (r, f, m), strict=True)):
                return row.name
        return self.fallback

    def names(self) -> tuple[str, ...]:
        if self.name == CN8:
            return tuple(name for _, name in CN8_CLASSES)
        found = dict.fromkeys(row.name for row in self.rows)
        if self.fallback is not None:
            found[self.fallback] = None
        return tuple(found)


DEFAULT_TABLE = SegmentTable("default", (
    SegmentRow("Champions", (4, 5), (4, 5), (4, 5), say("engine.segment.champions")),
    SegmentRow("Loyal", (3, 5), (4, 5), None, say("engine.segment.loyal")),
    SegmentRow("Can't Lose Them", (1, 2), (4, 5), (4, 5), say("engine.segment.cant_lose_them")),
    SegmentRow("At Risk", (1, 2), (3, 5), None, say("engine.segment.at_risk")),
    SegmentRow("Potential Loyalist", (4, 5), (2, 3), None, say("engine.segment.potential_loyalist")),
    SegmentRow("New", (5, 5), (1, 1), None, say("engine.segment.new")),
    SegmentRow("Promising", (4, 4), (1, 1), None, say("engine.segment.promising")),
    SegmentRow("Need Attention", (3, 3), (2, 3), None, say("engine.segment.need_attention")),
    SegmentRow("About To Sleep", (3, 3), (1, 1), None, say("engine.segment.about_to_sleep")),
    SegmentRow("Hibernating", (2, 2), (1, 2), None, say("engine.segment.hibernating")),
    SegmentRow("Lost", (1, 1), (1, 2), None, say("engine.segment.lost")),
), fallback=None, five_scale=True)

# rfm_segment() example table of the R rfm package (v0.3.0), in its order; ranges inclusive on both ends.
R_RFM_TABLE = SegmentTable("r-rfm", (
    SegmentRow("Champions", (5, 5), (5, 5), (5, 5)),
    SegmentRow("Potential Loyalist", (3, 5), (3, 5), (2, 5)),
    SegmentRow("Loyal Customers", (2, 4), (2, 4), (2, 4)),
    SegmentRow("Promising", (3, 4), (1, 3), (3, 5)),
    SegmentRow("New Customers", (4, 5), (1, 3), (1, 5)),
    SegmentRow("Can't Lose Them", (1, 2), (3, 4), (4, 5)),
    SegmentRow("At Risk", (1, 2), (2, 5), (4, 5)),
    SegmentRow("Need Attention", (1, 3), (3, 5), (3, 5)),
    SegmentRow("About To Sleep", (2, 3), (1, 3), (1, 4)),
    SegmentRow("Lost", (1, 1), (1, 5), (1, 5)),
), fallback="Others")

# pymc_marketing.clv.utils._default_rfm_segment_config: segment -> R·F·M codes (the lists don't overlap).
PYMC_CODES: dict[str, tuple[str, ...]] = {
    "Premium Customer": ("334", "443", "444", "344", "434", "433", "343", "333"),
    "Repeat Customer": ("244", "234", "232", "332", "143", "233", "243"),
    "Top Spender": ("424", "414", "144", "314", "324", "124", "224", "423", "413", "133", "323", "313", "134"),
    "At Risk Customer": ("422", "223", "212", "122", "222", "132", "322", "312", "412", "123", "214"),
    "Inactive Customer": ("411", "111", "113", "114", "112", "211", "311"),
}

PYMC_TABLE = SegmentTable("pymc", tuple(
    SegmentRow(name, (int(code[0]),) * 2, (int(code[1]),) * 2, (int(code[2]),) * 2)
    for name, codes in PYMC_CODES.items() for code in codes
), fallback="Other")

CN8 = "cn-8"

# (R high, F high, M high) -> class, in the order the classes are usually listed.
CN8_CLASSES: tuple[tuple[tuple[bool, bool, bool], str], ...] = (
    ((True, True, True), "重要价值客户"),
    ((False, True, True), "重要保持客户"),
    ((True, False, True), "重要发展客户"),
    ((False, False, True), "重要挽留客户"),
    ((True, True, False), "一般价值客户"),
    ((False, True, False), "一般保持客户"),
    ((True, False, False), "一般发展客户"),
    ((False, False, False), "一般挽留客户"),
)

CN8_NAMES = ("重要价值客户", "重要保持客户", "重要发展客户", "重要挽留客户",
             "一般价值客户", "一般保持客户", "一般发展客户", "一般挽留客户")
CN8_LABELS_EN: dict[str, str] = {name: label("segment", name, "en") for name in CN8_NAMES}  # messages/labels.py

# The metrics cn-8 compares, the score-input column holding each, and the side that is high.
CN8_METRICS: tuple[tuple[str, str, str], ...] = (("recency_days", "R", "<="), ("frequency", "F", ">="),
                                                 ("monetary", "M", ">="))

CN8_TABLE = SegmentTable(CN8, (), fallback=None)

TABLES: dict[str, SegmentTable] = {t.name: t for t in (DEFAULT_TABLE, R_RFM_TABLE, PYMC_TABLE, CN8_TABLE)}


def table_for(rfm: RfmSpec) -> SegmentTable:
    """The segment table the rules ask for."""
    if rfm.segments == "custom":
        *rows, default = rfm.segment_table
        return SegmentTable("custom", tuple(rows), fallback=default.name)
    return TABLES[rfm.segments]


def segment_sql(table: SegmentTable, bins: int) -> str:
    """CASE expression over the columns r_score, f_score, m_score giving the segment name."""
    cases = []
    for row in table.rows:
        parts = []
        for column, span in (("r_score", row.r), ("f_score", row.f), ("m_score", row.m)):
            raw = table.raw_range(span, bins)
            if raw is None:
                parts = ["FALSE"]
                break
            if span is None:
                continue
            parts.append(f"{column} = {raw[0]}" if raw[0] == raw[1] else f"{column} BETWEEN {raw[0]} AND {raw[1]}")
        cases.append(f"WHEN {' AND '.join(parts) or 'TRUE'} THEN {literal(row.name)}")
    fallback = literal(table.fallback) if table.fallback is not None else "NULL"
    return f"CASE WHEN r_score IS NULL OR f_score IS NULL OR m_score IS NULL THEN NULL {' '.join(cases)} " \
           f"ELSE {fallback} END"


def unreachable(table: SegmentTable, bins: int, r: set[int], f: set[int], m: set[int]) -> list[str]:
    """Segments of `table` no combination of the given score values leads to, in table order (none for cn-8,
    whose classes don't follow the scores)."""
    if table.name == CN8:
        return []
    reached = {table.segment_of(*cell, bins) for cell in itertools.product(sorted(r), sorted(f), sorted(m))}
    return [name for name in table.names() if name not in reached]


def cn8_high(metric: str, value: float, compare: float) -> bool:
    """Whether `value` of `metric` is high against `compare` (recency: at or below; the others: at or above)."""
    op = next(o for m, _, o in CN8_METRICS if m == metric)
    return value <= compare if op == "<=" else value >= compare


def cn8_class(r_high: bool, f_high: bool, m_high: bool) -> str:
    return dict(CN8_CLASSES)[(r_high, f_high, m_high)]


def cn8_compare_sql(rfm: RfmSpec, column: str) -> str | None:
    """The aggregate giving the comparison value of a score-input column (R, F or M), or None when the rules give
    the value."""
    metric = next(m for m, c, _ in CN8_METRICS if c == column)
    if metric in rfm.compare_values:
        return None
    return f"avg({identifier(column)})" if rfm.compare == "mean" else f"quantile_cont({identifier(column)}, 0.5)"


def cn8_sql(compare: dict[str, str]) -> str:
    """CASE expression over the score-input columns R, F and M giving the cn-8 class; `compare` maps each column to
    the SQL of its comparison value (a number, or a column of the cut points)."""
    highs = {c: f"{identifier(c)} {op} {compare[c]}" for _, c, op in CN8_METRICS}
    cases = []
    for (r, f, m), name in CN8_CLASSES:
        parts = [highs[c] if high else f"NOT ({highs[c]})" for c, high in zip("RFM", (r, f, m), strict=True)]
        cases.append(f"WHEN {' AND '.join(parts)} THEN {literal(name)}")
    missing = " OR ".join(f"{identifier(c)} IS NULL OR {compare[c]} IS NULL" for c in "RFM")
    return f"CASE WHEN {missing} THEN NULL {' '.join(cases)} END"
