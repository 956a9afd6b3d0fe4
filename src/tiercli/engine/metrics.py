"""Per-customer metrics: one definition each, as DuckDB SQL over the canonical `orders` table.

Every metric a rule can name is listed here with its definition; `tiercli metrics` prints this table and the
engine builds its aggregation query from it, so what users read is what runs.

`{as_of}` in a definition stands for the run's as_of timestamp literal.
Stage `agg` is an aggregate over one customer's order lines; `by_category` an aggregate over the customer's
per-category spend (`category`, `category_spend`); `derived` is computed from the others (by name) in the same row.
A purchase is an order line with amount >= 0: return lines (negative amounts, e.g. UCI `C…` invoices) reduce
spend but are not orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stage = Literal["agg", "derived", "by_category"]


@dataclass(frozen=True)
class Metric:
    name: str
    sql: str
    description: str
    unit: Literal["days", "count", "money", "ratio", "date", "text", "quantity"]
    stage: Stage = "agg"


def _window(days: int) -> str:
    return f"amount >= 0 AND order_ts > {{as_of}} - INTERVAL {days} DAY"


METRICS: tuple[Metric, ...] = (
    Metric(
        "recency_days",
        "date_diff('day', CAST(max(order_ts) AS DATE), CAST({as_of} AS DATE))",
        "Whole calendar days from the last order to as_of (0 = bought on the as_of day).",
        "days",
    ),
    Metric("frequency", "count(DISTINCT order_id) FILTER (WHERE amount >= 0)",
           "Number of distinct orders (return lines don't count as orders).", "count"),
    Metric("monetary", "sum(amount)", "Net spend: amount paid minus refunds, over all orders.", "money"),
    Metric("aov", "monetary / nullif(frequency, 0)", "Average order value: monetary / frequency.", "money",
           "derived"),
    Metric("first_order", "min(order_ts)", "Time of the first order.", "date"),
    Metric("last_order", "max(order_ts)", "Time of the last order.", "date"),
    Metric(
        "tenure_days",
        "date_diff('day', CAST(min(order_ts) AS DATE), CAST({as_of} AS DATE))",
        "Whole calendar days from the first order to as_of.",
        "days",
    ),
    *(
        Metric(f"orders_{d}d", f"count(DISTINCT order_id) FILTER (WHERE {_window(d)})",
               f"Distinct orders in the {d} days up to as_of.", "count")
        for d in (30, 90, 365)
    ),
    *(
        Metric(f"spend_{d}d", f"coalesce(sum(amount) FILTER (WHERE {_window(d)}), 0)",
               f"Net spend in the {d} days up to as_of.", "money")
        for d in (30, 90, 365)
    ),
    Metric("quantity", "coalesce(sum(quantity), 0)", "Items bought (sum of line quantities).", "quantity"),
    Metric("distinct_products", "count(DISTINCT coalesce(sku, product))",
           "Different products bought (by SKU, else product name).", "count"),
    Metric("distinct_categories", "count(DISTINCT category)", "Different categories bought.", "count"),
    Metric("top_category", "first(category ORDER BY category_spend DESC, category)",
           "Category with the highest net spend (ties: the first in name order).", "text", "by_category"),
    Metric("refund_amount", "coalesce(sum(refund_amount), 0)", "Money refunded on partly refunded orders.",
           "money"),
    Metric("refund_rate", "refund_amount / nullif(monetary + refund_amount, 0)",
           "refund_amount / (monetary + refund_amount): share of what was paid that came back.", "ratio",
           "derived"),
    Metric("discount_share",
           "count(DISTINCT order_id) FILTER (WHERE amount >= 0 AND discount_amount > 0)"
           " / nullif(count(DISTINCT order_id) FILTER (WHERE amount >= 0), 0)",
           "Share of orders that used a discount or coupon (0 when the data has no discount column).",
           "ratio"),
    Metric("avg_days_between_orders",
           "CASE WHEN frequency > 1 THEN date_diff('second', first_order, last_order) / 86400.0"
           " / (frequency - 1) END",
           "Mean days between orders: (last − first) / (frequency − 1); empty for one-order customers.",
           "days", "derived"),
    Metric("region", "mode(region)", "The region the customer ordered to most often.", "text"),
)

METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)

# Names that exist after scoring and can be used in rules next to the metrics.
SCORE_NAMES: dict[str, str] = {
    "r_score": "Recency score, 1 (longest ago) … bins (most recent).",
    "f_score": "Frequency score, 1 (fewest orders) … bins (most orders).",
    "m_score": "Monetary score, 1 (least spend) … bins (most spend).",
    "rfm_score": "R·100 + F·10 + M, e.g. 545.",
    "segment": "The named RFM segment, e.g. 'Champions'.",
}


def rule_names() -> dict[str, str]:
    """Every name a rule expression may use, with its definition."""
    names = {m.name: m.description for m in METRICS}
    names.update(SCORE_NAMES)
    return names
