"""The behaviour figures a run with --events reports: events per type, customers with events (and those without
an order), and the view → favourite → cart → purchase funnel overall and per category, computed in SQL over
`events` for the workbook, the HTML report and the terminal alike."""

from __future__ import annotations

from collections.abc import Sequence

from tiercli.database import Database
from tiercli.result import BehaviourFigures, EventFile, FunnelRow
from tiercli.sqltext import literal
from tiercli.vocabulary.events import EVENT_TYPES

FUNNEL_CATEGORIES = 20  # categories in the funnel table: the most viewed


def _row(category: str | None, values: Sequence[object]) -> FunnelRow:
    numbers = [int(v or 0) for v in values]  # type: ignore[call-overload]
    return FunnelRow(category, *numbers)


def behaviour_figures(db: Database, files: list[EventFile], categories: int = FUNNEL_CATEGORIES) -> BehaviourFigures:
    """The figures of the `events` table (and `orders`, for the customers without an order). The events are
    grouped once per (category, event, customer): the funnel's counts are sums over those groups, its customers
    the number of groups, with no distinct-set over the events."""
    events = ", ".join(f"coalesce(sum(n) FILTER (WHERE event = {literal(e)}), 0)" for e in EVENT_TYPES)
    people = ", ".join(f"count(DISTINCT customer_id) FILTER (WHERE event = {literal(e)})" for e in EVENT_TYPES)
    db.execute("CREATE OR REPLACE TEMP TABLE funnel_groups AS SELECT category, event, customer_id, count(*) AS n "
               "FROM events GROUP BY ALL")
    try:
        total = db.execute(f"SELECT {events}, {people}, count(DISTINCT customer_id) FROM funnel_groups").fetchone()
        span = db.execute("SELECT min(event_ts), max(event_ts) FROM events").fetchone()
        assert total is not None and span is not None
        by_type = dict(zip(EVENT_TYPES, (int(v or 0) for v in total[:4]), strict=True))
        funnel = [_row(None, total[:8])]
        per_category = db.execute(f"""SELECT category, {events},
                {", ".join(f"count(*) FILTER (WHERE event = {literal(e)})" for e in EVENT_TYPES)}
            FROM funnel_groups WHERE category IS NOT NULL GROUP BY category
            ORDER BY sum(n) FILTER (WHERE event = {literal("view")}) DESC NULLS LAST, category""").fetchall()
        for row in per_category[:categories]:
            funnel.append(_row(str(row[0]), row[1:]))
        without = db.execute("""SELECT count(*) FROM (SELECT DISTINCT customer_id FROM funnel_groups) AS e
            WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = e.customer_id)""").fetchone()
    finally:
        db.execute("DROP TABLE IF EXISTS funnel_groups")
    return BehaviourFigures(files=files, events_by_type=by_type, customers=int(total[8] or 0),
                            without_orders=int(without[0]) if without else 0, first_event=span[0],
                            last_event=span[1], funnel=funnel, categories=len(per_category))
