"""Per-customer metrics: one definition each, as DuckDB SQL over the canonical `orders` table.

Every metric a rule can name is listed here with its definition; `tiercli metrics` prints this table and the
engine builds its aggregation query from it, so what users read is what runs.

`{as_of}` in a definition stands for the run's as_of timestamp literal.
Stage `order` aggregates one customer's orders: the rows of `per_order`, one per customer and order id, built
from the order lines (ORDER_ROW below): order_ts (the time of its first line), amount (net, all lines),
purchase (it has a line with amount >= 0), purchase_amount (the sum of those lines), discounted, refund_amount,
quantity. Stage `line` aggregates one customer's order lines; `by_category` picks the customer's first category
in the order its SQL gives (an ORDER BY over per-category aggregates); `derived` is computed from the others (by
name) in the same row.
A purchase is an order line with amount >= 0: return lines (negative amounts, e.g. UCI `C…` invoices) reduce
spend but are not orders.

Counting orders per customer over `per_order` (not count(DISTINCT order_id) over lines) keeps one hash table per
query instead of one distinct-set per customer and metric, which is what makes millions of lines affordable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Stage = Literal["order", "line", "derived", "by_category"]

# One row per customer and order, from the order lines: what the `order` stage aggregates.
ORDER_ROW = """SELECT customer_id, order_id, min(order_ts) AS order_ts, coalesce(sum(amount), 0) AS amount,
        bool_or(amount >= 0) AS purchase, sum(amount) FILTER (WHERE amount >= 0) AS purchase_amount,
        bool_or(amount >= 0 AND discount_amount > 0) AS discounted, sum(refund_amount) AS refund_amount,
        sum(quantity) AS quantity
    FROM {lines} GROUP BY customer_id, order_id"""


@dataclass(frozen=True)
class Metric:
    name: str
    sql: str
    description: str
    unit: Literal["days", "count", "money", "ratio", "date", "text", "quantity"]
    stage: Stage = "order"


def _window(days: int) -> str:
    return f"order_ts > {{as_of}} - INTERVAL {days} DAY"


METRICS: tuple[Metric, ...] = (
    Metric(
        "recency_days",
        "date_diff('day', CAST(max(order_ts) AS DATE), CAST({as_of} AS DATE))",
        "Whole calendar days from the last order to as_of (0 = bought on the as_of day).",
        "days",
    ),
    Metric("frequency", "count(*) FILTER (WHERE purchase)",
           "Number of distinct orders (return lines don't count as orders).", "count"),
    Metric("monetary", "coalesce(sum(amount), 0)", "Net spend: amount paid minus refunds, over all orders.",
           "money"),
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
        Metric(f"orders_{d}d", f"count(*) FILTER (WHERE purchase AND {_window(d)})",
               f"Distinct orders in the {d} days up to as_of.", "count")
        for d in (30, 90, 365)
    ),
    *(
        Metric(f"spend_{d}d", f"coalesce(sum(purchase_amount) FILTER (WHERE {_window(d)}), 0)",
               f"Net spend in the {d} days up to as_of.", "money")
        for d in (30, 90, 365)
    ),
    Metric("quantity", "coalesce(sum(quantity), 0)", "Items bought (sum of line quantities).", "quantity"),
    Metric("distinct_products", "count(DISTINCT coalesce(sku, product))",
           "Different products bought (by SKU, else product name).", "count", "line"),
    Metric("distinct_categories", "count(DISTINCT category)", "Different categories bought.", "count", "line"),
    Metric("top_category", "sum(amount) DESC, category",
           "Category with the highest net spend (ties: the first in name order).", "text", "by_category"),
    Metric("refund_amount", "coalesce(sum(refund_amount), 0)", "Money refunded on partly refunded orders.",
           "money"),
    Metric("refund_rate", "refund_amount / nullif(monetary + refund_amount, 0)",
           "refund_amount / (monetary + refund_amount): share of what was paid that came back.", "ratio",
           "derived"),
    Metric("discount_share",
           "count(*) FILTER (WHERE discounted) / nullif(count(*) FILTER (WHERE purchase), 0)",
           "Share of orders that used a discount or coupon (0 when the data has no discount column).",
           "ratio"),
    Metric("avg_days_between_orders",
           "CASE WHEN frequency > 1 THEN date_diff('second', first_order, last_order) / 86400.0"
           " / (frequency - 1) END",
           "Mean days between orders: (last − first) / (frequency − 1); empty for one-order customers.",
           "days", "derived"),
    Metric("region", "mode(region)", "The region the customer ordered to most often.", "text", "line"),
)

METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)

# Names that exist after scoring and can be used in rules next to the metrics.
SCORE_NAMES: dict[str, str] = {
    "r_score": "Recency score, 1 (longest ago) … bins (most recent).",
    "f_score": "Frequency score, 1 (fewest orders) … bins (most orders).",
    "m_score": "Monetary score, 1 (least spend) … bins (most spend).",
    "rfm_score": "R·100 + F·10 + M, e.g. 545.",
    "segment": "The named RFM segment, e.g. 'Champions'.",
    "lifecycle": "Lifecycle stage: 'potential' (no order), 'new', 'active', 'at_risk' or 'churned' (days set by "
                 "lifecycle: in the rules file).",
}


# What kind of value a name holds, for checking rule expressions before they run.
Kind = Literal["number", "text", "time", "bool"]
UNIT_KINDS: dict[str, Kind] = {
    "days": "number", "count": "number", "money": "number", "ratio": "number", "quantity": "number",
    "date": "time", "text": "text", "bool": "bool",
}
SCORE_KINDS: dict[str, Kind] = {
    "r_score": "number", "f_score": "number", "m_score": "number", "rfm_score": "number", "segment": "text",
    "lifecycle": "text",
}

# Columns of the canonical `orders` table a custom metric (`metrics:` in the rules file) may aggregate.
# `days_ago` is computed per order line from as_of.
DAYS_AGO_SQL = "date_diff('day', CAST(order_ts AS DATE), CAST({as_of} AS DATE))"
ORDER_COLUMNS: dict[str, tuple[Kind, str]] = {
    "order_id": ("text", "The order's id (several lines can share one)."),
    "order_ts": ("time", "When the order was paid (else created)."),
    "amount": ("number", "Net amount of the line: paid minus refunded; negative for return lines."),
    "refund_amount": ("number", "Amount refunded on the line (0 when none)."),
    "discount_amount": ("number", "Discount or coupon on the line (0 or empty when none)."),
    "quantity": ("number", "Items on the line."),
    "product": ("text", "Product name."),
    "sku": ("text", "SKU or product code."),
    "category": ("text", "Product category."),
    "region": ("text", "Region (province/state) the order went to."),
    "channel": ("text", "Sales channel."),
    "status": ("text", "The order status as the export wrote it."),
    "currency": ("text", "Currency code."),
    "days_ago": ("number", "Whole days from the line's order time to as_of (0 = on the as_of day)."),
}
# Columns the order-level helpers (share, spend, orders, bought) can match values in.
HELPER_COLUMNS: tuple[str, ...] = ("product", "sku", "category", "region", "channel", "status", "currency")


@dataclass(frozen=True)
class Helper:
    """An order-level helper usable in rules, e.g. spend(category, '美妆'): an aggregate over the customer's
    order lines whose COLUMN is one of the values; `{match}` in `sql` stands for that test."""

    name: str
    sql: str
    description: str
    unit: Literal["money", "ratio", "count", "bool"]


HELPERS: tuple[Helper, ...] = (
    Helper("spend", "coalesce(sum(amount) FILTER (WHERE {match}), 0)",
           "Net spend on the lines whose COLUMN is one of the values.", "money"),
    Helper("share", "coalesce(sum(amount) FILTER (WHERE {match}), 0) / nullif(sum(amount), 0)",
           "That spend as a share of monetary (0–1).", "ratio"),
    Helper("orders", "count(DISTINCT order_id) FILTER (WHERE amount >= 0 AND {match})",
           "Distinct orders with at least one such line.", "count"),
    Helper("bought", "count(*) FILTER (WHERE amount >= 0 AND {match}) > 0",
           "True when the customer ever bought such a line.", "bool"),
)


@dataclass(frozen=True)
class MemberAttribute:
    """A customer attribute from a members file (`--members FILE`). `sql` is set for the ones computed from
    others (relative to `{as_of}`); the rest are columns of the canonical `members` table."""

    name: str
    kind: Kind
    description: str
    sql: str | None = None


MEMBER_ATTRIBUTES: tuple[MemberAttribute, ...] = (
    MemberAttribute("is_member", "bool", "True for customers listed in the members file."),
    MemberAttribute("member_level", "text", "Level from the members file, e.g. 'gold' or 'VIP会员'."),
    MemberAttribute("member_region", "text", "Region from the members file."),
    MemberAttribute("member_channel", "text", "Sign-up channel from the members file."),
    MemberAttribute("member_gender", "text", "Gender from the members file."),
    MemberAttribute("registered_at", "time", "Registration time from the members file."),
    MemberAttribute("registered_days", "number", "Whole days from registration to as_of.",
                    "date_diff('day', CAST(registered_at AS DATE), CAST({as_of} AS DATE))"),
    MemberAttribute("birthday", "time", "Birthday from the members file."),
    MemberAttribute("age", "number", "Age in whole years at as_of.",
                    "year({as_of}) - year(birthday) - CASE WHEN month({as_of}) * 100 + day({as_of})"
                    " < month(birthday) * 100 + day(birthday) THEN 1 ELSE 0 END"),
    MemberAttribute("birth_month", "number", "Month of the birthday, 1–12.", "month(birthday)"),
)
MEMBER_NAMES: tuple[str, ...] = tuple(a.name for a in MEMBER_ATTRIBUTES)


# Chinese names for the built-in metrics and scores, usable in rules in place of the English ones
# (`消费金额 >= 1000` reads monetary) and listed by `tiercli metrics --lang zh`.
ZH_NAMES: dict[str, str] = {
    "recency_days": "最近购买天数", "frequency": "购买次数", "monetary": "消费金额", "aov": "客单价",
    "first_order": "首次购买时间", "last_order": "最近购买时间", "tenure_days": "首购至今天数",
    "orders_30d": "近30天订单数", "orders_90d": "近90天订单数", "orders_365d": "近365天订单数",
    "spend_30d": "近30天消费金额", "spend_90d": "近90天消费金额", "spend_365d": "近365天消费金额",
    "quantity": "购买件数", "distinct_products": "购买商品数", "distinct_categories": "购买类目数",
    "top_category": "消费最多类目", "refund_amount": "退款金额", "refund_rate": "退款率",
    "discount_share": "用券订单占比", "avg_days_between_orders": "平均购买间隔天数", "region": "常用地区",
    "r_score": "R分", "f_score": "F分", "m_score": "M分", "rfm_score": "RFM分", "segment": "RFM分群",
    "lifecycle": "生命周期",
}
NAME_OF_ZH: dict[str, str] = {zh: name for name, zh in ZH_NAMES.items()}


def rule_names() -> dict[str, str]:
    """Every name a rule expression may use, with its definition (custom metrics come from the rules file)."""
    names = {m.name: m.description for m in METRICS}
    names.update(SCORE_NAMES)
    names.update({a.name: f"{a.description} (needs --members)" for a in MEMBER_ATTRIBUTES})
    return names


def rule_types() -> dict[str, Kind]:
    """The kind of value behind each name of `rule_names()` that has a known kind."""
    kinds: dict[str, Kind] = {m.name: UNIT_KINDS[m.unit] for m in METRICS}
    kinds.update(SCORE_KINDS)
    kinds.update({a.name: a.kind for a in MEMBER_ATTRIBUTES})
    return kinds
