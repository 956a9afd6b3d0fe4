"""The report's figures, computed once from the customers table in the database: the Pareto curve, per tag, per
lifecycle stage and per segment figures, and the R×F grid. The workbook, the HTML report and the terminal all
show these; none of them reads the customers again to make them, so a run of millions of customers holds only
these few numbers in memory.

Definitions (as the tests state them): an empty monetary counts as 0 in sums and means; medians are over the
non-empty values, halfway between the middle two for an even count; a share is of all customers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tiercli.database import Database
from tiercli.result import Figures, Kpis, RfGrid, SegmentFigures, StageFigures, TagFigures
from tiercli.sqltext import identifier

PARETO_POINTS = 200
LIFECYCLE_ORDER = ("potential", "new", "active", "at_risk", "churned")
SEGMENT_COLUMNS = ("segment", "r_score", "f_score", "monetary", "frequency", "recency_days")
_SPEND = "coalesce(CAST(monetary AS DOUBLE), 0)"
ACTIVE_DAYS = 90
KPI_DEFINITIONS = {  # how each headline figure is counted (the tests state the same)
    "customers": "every customer of the output, with or without an order",
    "revenue": "the sum of monetary (net spend; empty counts as 0)",
    "orders": "the sum of frequency",
    "repeat_rate": "customers with frequency >= 2 / customers with frequency >= 1",
    "aov": "revenue / orders",
    "active_90d": f"customers with an order and recency_days <= {ACTIVE_DAYS}",
}


def compute_figures(db: Database, table: str, tags: Sequence[str], max_points: int = PARETO_POINTS,
                    manual: Sequence[str] = ()) -> Figures:
    """Every figure of the report from the customers table `table` (a name tiercli chose); `manual`: which of
    the tags were set by hand."""
    columns = {str(row[0]) for row in db.execute(f"DESCRIBE {table}").fetchall()}
    total = int((db.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,))[0])
    return Figures(
        customers=total,
        pareto=_pareto(db, table, total, max_points) if "monetary" in columns else [],
        tags=_tags(db, table, [t for t in tags if t in columns], total, "monetary" in columns, manual),
        lifecycle=_lifecycle(db, table, total, columns) if "lifecycle" in columns else [],
        segments=_segments(db, table, total) if set(SEGMENT_COLUMNS) <= columns else [],
        grid=_grid(db, table) if set(SEGMENT_COLUMNS) <= columns else None,
        kpis=kpis(db, table),
    )


def currencies(db: Database) -> dict[str, int]:
    """Currency code -> used order lines, from the data's currency column (codes of three letters only)."""
    rows = db.execute("""SELECT upper(trim(currency)) AS code, count(*) FROM lines
        WHERE reason IS NULL AND regexp_full_match(trim(currency), '[A-Za-z]{3}') GROUP BY 1 ORDER BY 2 DESC, 1""")
    return {str(code): int(n) for code, n in rows.fetchall()}


def currency_of(found: dict[str, int], platforms: Sequence[str | None], report: str | None) -> str | None:
    """The currency the report shows money in: the data's most used code, else the platforms' (when all the
    inputs' platforms name the same one), else the rules' `report.currency`; None when nothing says."""
    if found:
        return next(iter(found))
    named = set(platforms)
    if len(named) == 1 and None not in named:
        return named.pop()
    return report


def kpis(db: Database, table: str) -> Kpis:
    """The headline figures of a customers table (`KPI_DEFINITIONS`). Its columns may be text (a previous run
    read back): numbers are cast, and a value that is not one counts as empty."""
    columns = {str(row[0]) for row in db.execute(f"DESCRIBE {table}").fetchall()}

    def num(name: str) -> str:
        return f"TRY_CAST({identifier(name)} AS DOUBLE)"

    money, freq, recency = ("monetary" in columns, "frequency" in columns, "recency_days" in columns)
    parts = [
        "count(*)",
        f"sum(coalesce({num('monetary')}, 0))" if money else "NULL",
        f"sum(coalesce({num('frequency')}, 0))" if freq else "NULL",
        f"count(*) FILTER (WHERE {num('frequency')} >= 1)" if freq else "NULL",
        f"count(*) FILTER (WHERE {num('frequency')} >= 2)" if freq else "NULL",
        (f"count(*) FILTER (WHERE {num('frequency')} >= 1 AND {num('recency_days')} <= {ACTIVE_DAYS})"
         if freq and recency else "NULL"),
    ]
    [(customers, revenue, orders, buyers, repeaters, active)] = db.execute(
        f"SELECT {', '.join(parts)} FROM {table}").fetchall()
    revenue = round(float(revenue), 2) if revenue is not None else None
    orders = int(orders) if orders is not None else None
    return Kpis(
        customers=int(customers),
        revenue=revenue,
        orders=orders,
        repeat_rate=int(repeaters) / int(buyers) if buyers else None,
        aov=round(revenue / orders, 2) if revenue is not None and orders else None,
        active_90d=int(active) if active is not None else None,
    )


def _pareto(db: Database, table: str, count: int, max_points: int) -> list[tuple[float, float]]:
    """(share of customers, share of revenue they bring), customers ranked by monetary from the top, from (0, 0)
    to (1, 1), at most `max_points` points after the origin; empty when the total revenue is not positive."""
    if count == 0:
        return []
    total = float((db.execute(f"SELECT sum({_SPEND}) FROM {table}").fetchone() or (0,))[0] or 0)
    if total <= 0:
        return []
    ranks = [int(r) for r in np.unique(np.rint(np.linspace(1, count, min(count, max_points))).astype(np.int64))]
    rows = db.execute(
        f"""SELECT rank, spent FROM (
                SELECT row_number() OVER (ORDER BY spend DESC) AS rank,
                       sum(spend) OVER (ORDER BY spend DESC ROWS UNBOUNDED PRECEDING) AS spent
                FROM (SELECT {_SPEND} AS spend FROM {table}))
            WHERE list_contains(?, rank) ORDER BY rank""", [ranks]).fetchall()
    return [(0.0, 0.0)] + [(int(rank) / count, float(spent) / total) for rank, spent in rows]


def _tags(db: Database, table: str, tags: Sequence[str], total: int, money: bool,
          manual: Sequence[str] = ()) -> list[TagFigures]:
    """Per tag (in rules order): customers carrying it, their share of all customers and their revenue."""
    if not tags:
        return []
    spend = _SPEND if money else "0"
    parts = ", ".join(f"count(*) FILTER (WHERE {identifier(t)} <> 0), "
                      f"coalesce(sum({spend}) FILTER (WHERE {identifier(t)} <> 0), 0)" for t in tags)
    row = db.execute(f"SELECT {parts} FROM {table}").fetchone() or ()
    out = []
    for i, tag in enumerate(tags):
        tagged = int(row[2 * i])
        out.append(TagFigures(tag, tagged, tagged / total if total else 0.0, round(float(row[2 * i + 1]), 2),
                              tag in manual))
    return out


def _median(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _lifecycle(db: Database, table: str, total: int, columns: set[str]) -> list[StageFigures]:
    """Per lifecycle stage present (in lifecycle order, then any other by name): customers, share, revenue,
    revenue share and median recency."""
    spend = _SPEND if "monetary" in columns else "0"
    recency = "median(CAST(recency_days AS DOUBLE))" if "recency_days" in columns else "NULL"
    rows = db.execute(f"""SELECT lifecycle, count(*), sum({spend}), {recency} FROM {table}
                          WHERE lifecycle IS NOT NULL GROUP BY lifecycle""").fetchall()
    revenue = float((db.execute(f"SELECT sum({spend}) FROM {table}").fetchone() or (0,))[0] or 0)
    found = {str(r[0]): r for r in rows}
    ordered = [s for s in LIFECYCLE_ORDER if s in found] + sorted(s for s in found if s not in LIFECYCLE_ORDER)
    out = []
    for stage in ordered:
        _, count, spent, median = found[stage]
        stage_spend = round(float(spent or 0), 2)
        out.append(StageFigures(stage, int(count), int(count) / total, stage_spend,
                                stage_spend / revenue if revenue else None, _median(median)))
    return out


def _segments(db: Database, table: str, total: int) -> list[SegmentFigures]:
    """Per segment, most customers first (a tie by name): customers, share, orders, revenue, AOV and the median
    recency days, frequency and monetary. Customers without a segment are left out."""
    rows = db.execute(
        f"""SELECT segment, count(*), coalesce(sum(frequency), 0), coalesce(sum(CAST(monetary AS DOUBLE)), 0),
                   median(CAST(recency_days AS DOUBLE)), median(CAST(frequency AS DOUBLE)),
                   median(CAST(monetary AS DOUBLE))
            FROM {table} WHERE segment IS NOT NULL GROUP BY segment ORDER BY count(*) DESC, segment""").fetchall()
    out = []
    for name, count, orders, spent, recency, frequency, monetary in rows:
        revenue = round(float(spent), 2)
        orders = int(orders)
        out.append(SegmentFigures(str(name), int(count), int(count) / total, orders, revenue,
                                  round(revenue / orders, 2) if orders else None, _median(recency),
                                  _median(frequency), _median(monetary)))
    return out


def _grid(db: Database, table: str) -> RfGrid:
    """The R×F grid from the lowest to the highest score present; customers without both scores are left out."""
    low_r, high_r, low_f, high_f = db.execute(
        f"SELECT min(r_score), max(r_score), min(f_score), max(f_score) FROM {table}").fetchone() or (None,) * 4
    r_scores = list(range(int(high_r), int(low_r) - 1, -1)) if high_r is not None else []
    f_scores = list(range(int(low_f), int(high_f) + 1)) if high_f is not None else []
    cells = {(int(r), int(f)): (int(n), float(s)) for r, f, n, s in db.execute(
        f"""SELECT r_score, f_score, count(*), sum({_SPEND}) FROM {table}
            WHERE r_score IS NOT NULL AND f_score IS NOT NULL GROUP BY 1, 2""").fetchall()}
    return RfGrid(
        r_scores, f_scores,
        [[cells.get((r, f), (0, 0.0))[0] for f in f_scores] for r in r_scores],
        [[cells[r, f][1] / cells[r, f][0] if (r, f) in cells else None for f in f_scores] for r in r_scores],
    )
