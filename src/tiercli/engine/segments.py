"""The default RFM segment table: first match wins, and every R×F×M cell has a segment.

Conditions read scores on a 1–5 scale (`r`, `f`, `m`); with another number of bins a score s is read as
ceil(s × 5 / bins). The table is data: README documents it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    name: str
    when: str  # SQL over r, f, m (1–5)
    meaning: str


DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment("Champions", "r >= 4 AND f >= 4 AND m >= 4", "bought recently, buy often and spend the most"),
    Segment("Loyal", "r >= 3 AND f >= 4", "buy often and not long ago"),
    Segment("Can't Lose Them", "r <= 2 AND f >= 4 AND m >= 4", "were frequent big spenders, gone quiet"),
    Segment("At Risk", "r <= 2 AND f >= 3", "bought often, but long ago"),
    Segment("Potential Loyalist", "r >= 4 AND f BETWEEN 2 AND 3", "recent, with a few orders"),
    Segment("New", "r = 5 AND f = 1", "first order very recently"),
    Segment("Promising", "r = 4 AND f = 1", "one recent order"),
    Segment("Need Attention", "r = 3 AND f BETWEEN 2 AND 3", "some orders, recency slipping"),
    Segment("About To Sleep", "r = 3 AND f = 1", "one order, a while ago"),
    Segment("Hibernating", "r = 2 AND f <= 2", "few orders, long ago"),
    Segment("Lost", "r = 1 AND f <= 2", "few orders, longest ago"),
)


def scaled_sql(column: str, bins: int) -> str:
    """A score column read on the 1–5 scale the table uses."""
    return column if bins == 5 else f"CAST(ceil({column} * 5.0 / {bins}) AS INTEGER)"


def segment_sql(segments: tuple[Segment, ...] = DEFAULT_SEGMENTS) -> str:
    """CASE expression over columns r, f, m (1–5) giving the segment name."""
    cases = " ".join(f"WHEN {s.when} THEN '{s.name.replace(chr(39), chr(39) * 2)}'" for s in segments)
    return f"CASE {cases} END"
