"""Segment tables: named ranges of R, F and M scores, first match wins.

- `default`: tiercli's table on a 1–5 scale (with another number of bins a score s is read as
  1 + round((s − 1) × 4 / (bins − 1)), so the lowest score stays 1 and the highest 5); every cell has a segment.
- `r-rfm`: the R rfm package's `rfm_segment()` table, on the raw scores; a customer no row matches is "Others".
- `pymc`: pymc-marketing's default `segment_config` (lists of R·F·M codes); any other code is "Other".
- `custom`: the rows of the rules file, on the raw scores; the last row has no ranges and takes everyone left.

The tables are data: README documents them from here, and a test keeps the two in step.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from tiercli.messages import say
from tiercli.rules.model import RfmSpec, SegmentRow
from tiercli.sqltext import literal


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

TABLES: dict[str, SegmentTable] = {t.name: t for t in (DEFAULT_TABLE, R_RFM_TABLE, PYMC_TABLE)}


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
    """Segments of `table` no combination of the given score values leads to, in table order."""
    reached = {table.segment_of(*cell, bins) for cell in itertools.product(sorted(r), sorted(f), sorted(m))}
    return [name for name in table.names() if name not in reached]
