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
    """The figures of the `events` table (and `orders`, for the customers without an order)."""
    counts = ", ".join(f"count(*) FILTER (WHERE event = {literal(e)})" for e in EVENT_TYPES)
    people = ", ".join(f"count(DISTINCT customer_id) FILTER (WHERE event = {literal(e)})" for e in EVENT_TYPES)
    total = db.execute(f"SELECT {counts}, {people}, count(DISTINCT customer_id), min(event_ts), max(event_ts), "
                       "count(DISTINCT category) FROM events").fetchone()
    assert total is not None
    by_type = dict(zip(EVENT_TYPES, (int(v or 0) for v in total[:4]), strict=True))
    funnel = [_row(None, total[:8])]
    for row in db.execute(f"""SELECT category, {counts}, {people} FROM events WHERE category IS NOT NULL
            GROUP BY category ORDER BY count(*) FILTER (WHERE event = {literal("view")}) DESC, category
            LIMIT {int(categories)}""").fetchall():
        funnel.append(_row(str(row[0]), row[1:]))
    without = db.execute("""SELECT count(*) FROM (SELECT DISTINCT customer_id FROM events) AS e
        WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.customer_id = e.customer_id)""").fetchone()
    return BehaviourFigures(files=files, events_by_type=by_type, customers=int(total[8] or 0),
                            without_orders=int(without[0]) if without else 0, first_event=total[9],
                            last_event=total[10], funnel=funnel, categories=int(total[11] or 0))
