"""Per-customer metrics: one definition each, as DuckDB SQL over the canonical `orders` table.

Every metric a rule can name is listed here with its definition; `tiercli metrics` prints this table and the
engine builds its aggregation query from it, so what users read is what runs.

`{as_of}` in a definition stands for the run's as_of timestamp literal.
Stage `order` aggregates one customer's orders: the rows of `per_order`, one per customer and order id, built
from the order lines (ORDER_ROW below): order_ts (the time of its first line), amount (net, all lines),
purchase (it has a line with amount >= 0), discounted, refund_amount,
quantity. Stage `line` aggregates one customer's order lines; `distinct` counts the different values of its SQL
over the lines; `most` is the value of its column on the most lines (ties: the first in name order);
`by_category` is the category with the highest value of its aggregate (ties: the first in name order);
`derived` is computed from the others (by name) in the same row. Each of `distinct`, `most` and `by_category`
is computed as plain groupings (no DISTINCT aggregate, no mode, no window), which spill to disk, so millions of
customers fit in any memory limit.
A purchase is an order line with amount >= 0: return lines (negative amounts, e.g. UCI `C…` invoices) reduce
spend but are not orders.

Counting orders per customer over `per_order` (not count(DISTINCT order_id) over lines) keeps one hash table per
query instead of one distinct-set per customer and metric, which is what makes millions of lines affordable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tiercli.messages import Said
from tiercli.sqltext import literal

Stage = Literal["order", "line", "distinct", "most", "derived", "by_category", "predicted", "event",
                "event_product"]

# One row per customer and order, from the order lines: what the `order` stage aggregates.
ORDER_ROW = """SELECT customer_id, order_id, min(order_ts) AS order_ts, coalesce(sum(amount), 0) AS amount,
        bool_or(amount >= 0) AS purchase,
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
    zh: str = ""  # its Chinese name, which a rule may use in place of `name` (`消费金额 >= 1000`)


def _window(days: int) -> str:
    return f"order_ts > {{as_of}} - INTERVAL {days} DAY"


METRICS: tuple[Metric, ...] = (
    Metric(
        "recency_days",
        "date_diff('day', CAST(max(order_ts) FILTER (WHERE purchase) AS DATE), CAST({as_of} AS DATE))",
        Said(
            "Whole calendar days from the last order to as_of (0 = bought on the as_of day); returns are not orders.",
            "最近一单到统计截止时间的整天数（0 = 截止当天有购买）；退货不算订单。",
        ),
        "days", zh="最近购买天数"),
    Metric(
        "frequency",
        "count(*) FILTER (WHERE purchase)",
        Said("Number of distinct orders (return lines don't count as orders).", "不同订单的数量（退货行不算订单）。"),
        "count", zh="购买次数"),
    Metric(
        "monetary",
        "coalesce(sum(amount), 0)",
        Said("Net spend: amount paid minus refunds, over all orders.", "净消费：全部订单的实付金额减去退款。"),
        "money", zh="消费金额"),
    Metric(
        "aov",
        "monetary / nullif(frequency, 0)",
        Said("Average order value: monetary / frequency.", "客单价：消费金额 / 购买次数。"),
        "money",
        "derived", zh="客单价"),
    Metric("first_order", "min(order_ts) FILTER (WHERE purchase)",
           Said("Time of the first order (returns are not orders).", "第一单的时间（退货不算订单）。"), "date",
           zh="首次购买时间"),
    Metric("last_order", "max(order_ts) FILTER (WHERE purchase)",
           Said("Time of the last order (returns are not orders).", "最近一单的时间（退货不算订单）。"), "date",
           zh="最近购买时间"),
    Metric(
        "tenure_days",
        "date_diff('day', CAST(min(order_ts) FILTER (WHERE purchase) AS DATE), CAST({as_of} AS DATE))",
        Said("Whole calendar days from the first order to as_of.", "第一单到统计截止时间的整天数。"),
        "days", zh="首购至今天数"),
    *(
        Metric(
            f"orders_{d}d",
            f"count(*) FILTER (WHERE purchase AND {_window(d)})",
            Said(f"Distinct orders in the {d} days up to as_of.", f"截止时间前 {d} 天内的不同订单数。"),
            "count", zh=f"近{d}天订单数")
        for d in (30, 90, 365)
    ),
    *(
        Metric(
            f"spend_{d}d",
            f"coalesce(sum(amount) FILTER (WHERE {_window(d)}), 0)",
            Said(f"Net spend in the {d} days up to as_of: what orders in the window paid, minus returns and "
                 "refunds dated in it (like monetary, over the window).",
                 f"截止时间前 {d} 天内的净消费：窗口内订单的实付金额，减去窗口内的退货和退款"
                 "（与消费金额同义，只算窗口内）。"),
            "money", zh=f"近{d}天消费金额")
        for d in (30, 90, 365)
    ),
    Metric(
        "quantity",
        "coalesce(sum(quantity), 0)",
        Said("Items bought (sum of line quantities).", "购买件数（各行数量之和）。"),
        "quantity", zh="购买件数"),
    Metric(
        "distinct_products",
        "coalesce(sku, product)",
        Said("Different products bought (by SKU, else product name).", "买过的不同商品数（按 SKU，没有则按商品名）。"),
        "count",
        "distinct", zh="购买商品数"),
    Metric(
        "distinct_categories",
        "category",
        Said("Different categories bought.", "买过的不同类目数。"),
        "count",
        "distinct", zh="购买类目数"),
    Metric(
        "top_category",
        "sum(amount)",
        Said(
            "Category with the highest net spend (ties: the first in name order).",
            "净消费最高的类目（并列时取名称排序的第一个）。",
        ),
        "text",
        "by_category", zh="消费最多类目"),
    Metric(
        "refund_amount",
        "coalesce(sum(refund_amount), 0)",
        Said("Money refunded on partly refunded orders.", "部分退款订单上退回的金额。"),
        "money", zh="退款金额"),
    Metric(
        "refund_rate",
        "refund_amount / nullif(monetary + refund_amount, 0)",
        Said(
            "refund_amount / (monetary + refund_amount): share of what was paid that came back.",
            "退款金额 / (消费金额 + 退款金额)：已付金额中退回的比例。",
        ),
        "ratio",
        "derived", zh="退款率"),
    Metric(
        "discount_share",
        "count(*) FILTER (WHERE discounted) / nullif(count(*) FILTER (WHERE purchase), 0)",
        Said(
            "Share of orders that used a discount or coupon (0 when the data has no discount column).",
            "用了折扣或优惠券的订单占比（数据没有优惠列时为 0）。",
        ),
        "ratio", zh="用券订单占比"),
    Metric(
        "avg_days_between_orders",
        "CASE WHEN frequency > 1 THEN date_diff('second', first_order, last_order) / 86400.0 / (frequency - 1) END",
        Said(
            "Mean days between orders: (last − first) / (frequency − 1); empty for one-order customers.",
            "平均购买间隔天数：(最近一单 − 第一单) / (购买次数 − 1)；只买过一单的客户为空。",
        ),
        "days",
        "derived", zh="平均购买间隔天数"),
    Metric(
        "region",
        "region",
        Said("The region the customer ordered to most often (on the most order lines; ties: the first in name "
             "order).", "客户最常收货的地区（订单行最多的地区；并列时取名称排序的第一个）。"),
        "text",
        "most", zh="常用地区"),
)


# What the `clv:` model predicts per customer (tiercli.engine.clv): computed after the metrics, from each
# customer's purchase days, only when the rules have `clv:`. Stage `predicted`; `sql` names the model's formula.
CLV_METRICS: tuple[Metric, ...] = (
    Metric("clv_x", "count(DISTINCT purchase day) - 1",
           Said("x of the clv: model: the customer's purchase days after the first (several orders on one day are "
                "one purchase).", "clv: 模型的 x：首个购买日之后的购买天数（同一天的多笔订单算一次购买）。"),
           "count", "predicted", zh="复购天数"),
    Metric("clv_t_x", "last purchase day - first purchase day",
           Said("t_x of the clv: model: from the first to the last purchase day, in the model's unit (days or weeks).",
                "clv: 模型的 t_x：首个到最后一个购买日的时长，单位同模型（天或周）。"),
           "quantity", "predicted", zh="首末购买间隔"),
    Metric("clv_age", "as_of day - first purchase day",
           Said("T of the clv: model: from the first purchase day to the as_of day, in the model's unit.",
                "clv: 模型的 T：首个购买日到统计截止日的时长，单位同模型。"),
           "quantity", "predicted", zh="观察期长度"),
    Metric("p_alive", "P(alive | x, t_x, T)",
           Said("Probability (0–1) the customer still buys, from the clv: model fitted on every customer's purchase "
                "days; empty when the model could not be fitted.",
                "客户仍会购买的概率（0–1），由 clv: 模型按全部客户的购买日拟合；模型无法拟合时为空。"),
           "ratio", "predicted", zh="存活概率"),
    Metric("expected_orders", "E[X(T, T + horizon) | x, t_x, T]",
           Said("Expected purchase days over the clv: horizon (horizon_days after as_of).",
                "clv: 预测期内（统计截止后 horizon_days 天）的预期购买天数。"),
           "quantity", "predicted", zh="预期购买次数"),
    Metric("expected_spend", "E[M | x, m] (Gamma-Gamma)",
           Said("Expected spend per purchase day (Gamma-Gamma): the customer's mean repeat spend shrunk toward "
                "everyone's; the population mean for a one-time buyer.",
                "预期每个购买日的消费（Gamma-Gamma）：客户的复购平均消费向整体收缩；只买过一次的客户取整体平均。"),
           "money", "predicted", zh="预期客单价"),
    Metric("clv", "Σ expected orders per month × expected_spend / (1 + discount_rate)^(days/365)",
           Said("Customer lifetime value over the horizon: expected orders month by month times expected_spend, "
                "discounted at the annual discount_rate.",
                "预测期内的客户终身价值：逐月预期购买次数乘以预期客单价，按年折现率 discount_rate 折现。"),
           "money", "predicted", zh="客户终身价值"),
)
CLV_NAMES: tuple[str, ...] = tuple(m.name for m in CLV_METRICS)


@dataclass(frozen=True)
class Score:
    """A name that exists after scoring and can be used in rules next to the metrics."""

    name: str
    description: str
    kind: Literal["number", "text"]
    zh: str  # its Chinese name, usable in rules like a metric's


SCORES: tuple[Score, ...] = (
    Score("r_score", Said("Recency score, 1 (longest ago) … bins (most recent).",
                          "R 得分，1（最久未购买）… 分档数（最近购买）。"), "number", "R分"),
    Score("f_score", Said("Frequency score, 1 (fewest orders) … bins (most orders).",
                          "F 得分，1（订单最少）… 分档数（订单最多）。"), "number", "F分"),
    Score("m_score", Said("Monetary score, 1 (least spend) … bins (most spend).",
                          "M 得分，1（消费最少）… 分档数（消费最多）。"), "number", "M分"),
    Score("rfm_score", Said("R·100 + F·10 + M, e.g. 545.", "R·100 + F·10 + M，例如 545。"), "number", "RFM分"),
    Score("segment", Said("The named RFM segment, e.g. 'Champions'.", "RFM 分群名称，例如 'Champions'。"), "text",
          "RFM分群"),
    Score("lifecycle", Said(
        "Lifecycle stage: 'potential' (no order), 'new', 'active', 'at_risk' or 'churned' (days set by lifecycle: in "
        "the rules file).",
        "生命周期阶段：'potential'（未下单）、'new'、'active'、'at_risk' 或 'churned'（天数由规则文件的 "
        "lifecycle: 设定）。"),
        "text", "生命周期"),
)
SCORE_NAMES: dict[str, str] = {score.name: score.description for score in SCORES}


# What kind of value a name holds, for checking rule expressions before they run.
Kind = Literal["number", "text", "time", "bool"]
UNIT_KINDS: dict[str, Kind] = {
    "days": "number", "count": "number", "money": "number", "ratio": "number", "quantity": "number",
    "date": "time", "text": "text", "bool": "bool",
}
SCORE_KINDS: dict[str, Kind] = {score.name: score.kind for score in SCORES}

# Columns of the canonical `orders` table a custom metric (`metrics:` in the rules file) may aggregate.
# `days_ago` is computed per order line from as_of.
DAYS_AGO_SQL = "date_diff('day', CAST(order_ts AS DATE), CAST({as_of} AS DATE))"
ORDER_COLUMNS: dict[str, tuple[Kind, str]] = {
    "order_id": ("text", Said("The order's id (several lines can share one).", "订单号（多行可以同属一单）。")),
    "order_ts": ("time", Said("When the order was paid (else created).", "订单付款时间（没有则为创建时间）。")),
    "amount": (
        "number",
        Said(
            "Net amount of the line: paid minus refunded; negative for return lines.",
            "该行净金额：实付减退款；退货行为负数。",
        ),
    ),
    "refund_amount": ("number", Said("Amount refunded on the line (0 when none).", "该行退款金额（没有为 0）。")),
    "discount_amount": (
        "number",
        Said("Discount or coupon on the line (0 or empty when none).", "该行折扣或优惠券金额（没有为 0 或空）。"),
    ),
    "quantity": ("number", Said("Items on the line.", "该行件数。")),
    "product": ("text", Said("Product name.", "商品名称。")),
    "sku": ("text", Said("SKU or product code.", "SKU 或商品编码。")),
    "category": ("text", Said("Product category.", "商品类目。")),
    "region": ("text", Said("Region (province/state) the order went to.", "订单收货地区（省/州）。")),
    "channel": ("text", Said("Sales channel.", "销售渠道。")),
    "status": ("text", Said("The order status as the export wrote it.", "导出文件中写的订单状态。")),
    "currency": ("text", Said("Currency code.", "币种代码。")),
    "days_ago": (
        "number",
        Said(
            "Whole days from the line's order time to as_of (0 = on the as_of day).",
            "该行下单时间到统计截止时间的整天数（0 = 截止当天）。",
        ),
    ),
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
    Helper(
        "spend",
        "coalesce(sum(amount) FILTER (WHERE {match}), 0)",
        Said("Net spend on the lines whose COLUMN is one of the values.", "COLUMN 为所列值之一的订单行上的净消费。"),
        "money",
    ),
    Helper(
        "share",
        "CASE WHEN coalesce(sum(amount), 0) = 0 THEN 0 ELSE coalesce(sum(amount) FILTER (WHERE {match}), 0) "
        "/ sum(amount) END",
        Said("That spend as a share of monetary (0–1); 0 for a customer with no net spend (no order, e.g. one who "
             "only browsed).", "该消费占消费金额的比例（0–1）；没有净消费的客户（没有订单，例如只浏览过的）为 0。"),
        "ratio",
    ),
    Helper(
        "orders",
        "count(DISTINCT order_id) FILTER (WHERE amount >= 0 AND {match})",
        Said("Distinct orders with at least one such line.", "至少含一行这样商品的不同订单数。"),
        "count",
    ),
    Helper(
        "bought",
        "count(*) FILTER (WHERE amount >= 0 AND {match}) > 0",
        Said("True when the customer ever bought such a line.", "客户买过这样的商品时为真。"),
        "bool",
    ),
)


# What the behaviour events (`--events FILE`, tiercli.sources.events) give per customer. The canonical `events` table
# has one row per used event: customer_id, event_ts, event (view, favourite, cart or purchase), product, category;
# the metrics see it with age_days, the fractional days from the event to as_of computed in the query (so
# `age_days < 30` is the window `event_ts > as_of - INTERVAL 30 DAY` of orders_30d). `event_products` has one row
# per customer and product they
# had an event on: when they last viewed it, last put it in the cart (cart_age_days: how many days before as_of),
# and last bought it (a purchase event of that product, or an order line whose sku or product is that product).
# Stage `event` aggregates `events`, stage `event_product` aggregates `event_products`.
def _count(event: str, days: int) -> str:
    return f"count(*) FILTER (WHERE event = {literal(event)} AND event_ts > {{as_of}} - INTERVAL {days} DAY)"


_PLURAL = {"view": ("views", "浏览"), "cart": ("carts", "加购"), "favourite": ("favourites", "收藏")}

EVENT_METRICS: tuple[Metric, ...] = (
    *(
        Metric(f"{plural}_{d}d", _count(event, d),
               Said(f"{event.capitalize()} events in the {d} days up to as_of (needs --events).",
                    f"截止时间前 {d} 天内的{zh}次数（需要 --events）。"),
               "count", "event", zh=f"近{d}天{zh}次数")
        for event, (plural, zh) in _PLURAL.items() for d in (30, 90, 365)
    ),
    Metric("last_view", "max(event_ts) FILTER (WHERE event = 'view')",
           Said("Time of the last view event (needs --events).", "最近一次浏览的时间（需要 --events）。"),
           "date", "event", zh="最近浏览时间"),
    Metric("days_since_view",
           "date_diff('day', CAST(max(event_ts) FILTER (WHERE event = 'view') AS DATE), CAST({as_of} AS DATE))",
           Said("Whole calendar days from the last view to as_of; empty without a view (needs --events).",
                "最近一次浏览到统计截止时间的整天数；没有浏览时为空（需要 --events）。"),
           "days", "event", zh="最近浏览天数"),
    Metric("view_to_buy",
           "count(*) FILTER (WHERE last_view IS NOT NULL AND last_bought IS NOT NULL) "
           "/ nullif(count(*) FILTER (WHERE last_view IS NOT NULL), 0)",
           Said("Of the different products the customer viewed, the share they bought (a purchase event, or an order "
                "line whose sku or product is that product), 0–1; empty without a view (needs --events).",
                "客户浏览过的不同商品中买过的比例（有购买行为，或订单行的 SKU 或商品就是它），0–1；没有浏览时为空"
                "（需要 --events）。"),
           "ratio", "event_product", zh="浏览购买率"),
)
EVENT_NAMES: tuple[str, ...] = tuple(m.name for m in EVENT_METRICS)


@dataclass(frozen=True)
class EventHelper:
    """A helper over the events usable in rules, e.g. viewed(category, '美妆'). `table` is what it aggregates:
    `events` (then `{match}` stands for `COLUMN IN (values)` and `{window}` for the days window, TRUE without
    one) or `event_products` (then its one argument is a number of days, `{days}`)."""

    name: str
    sql: str
    description: Said
    unit: Literal["count"]
    table: Literal["events", "event_products"]
    usage: str


EVENT_HELPERS: tuple[EventHelper, ...] = (
    *(
        EventHelper(name, f"count(*) FILTER (WHERE event = {literal(event)} AND {{match}} AND {{window}})",
                    Said(f"{event.capitalize()} events whose COLUMN (product or category) is one of the values; with a "
                         "number of days last, only those in that many days up to as_of (needs --events).",
                         f"COLUMN（product 或 category）为所列值之一的{zh}次数；最后写天数时只算截止时间前这么多天内的"
                         "（需要 --events）。"),
                    "count", "events", f"{name}(category, '美妆') or {name}(category, '美妆', 30)")
        for name, event, zh in (("viewed", "view", "浏览"), ("carted", "cart", "加购"),
                                ("favourited", "favourite", "收藏"))
    ),
    EventHelper("carted_not_bought",
                "count(*) FILTER (WHERE cart_age_days < {days} AND (last_bought IS NULL OR last_bought < last_cart))",
                Said("Different products put in the cart in the last DAYS days up to as_of and not bought since (no "
                     "purchase event or order line of that product at or after the last cart event) (needs --events).",
                     "截止时间前 DAYS 天内加购、此后没有买的不同商品数（最后一次加购之后没有该商品的购买行为或订单行）"
                     "（需要 --events）。"),
                "count", "event_products", "carted_not_bought(30)"),
)
EVENT_HELPER_NAMES: tuple[str, ...] = tuple(h.name for h in EVENT_HELPERS)
EVENT_COLUMNS: tuple[str, ...] = ("product", "category")  # what the event helpers match values in


@dataclass(frozen=True)
class MemberAttribute:
    """A customer attribute from a members file (`--members FILE`). `sql` is set for the ones computed from
    others (relative to `{as_of}`); the rest are columns of the canonical `members` table."""

    name: str
    kind: Kind
    description: str
    sql: str | None = None


MEMBER_ATTRIBUTES: tuple[MemberAttribute, ...] = (
    MemberAttribute(
        "is_member", "bool", Said("True for customers listed in the members file.", "会员文件中列出的客户为真。")
    ),
    MemberAttribute(
        "member_level",
        "text",
        Said("Level from the members file, e.g. 'gold' or 'VIP会员'.", "会员文件中的等级，例如 'gold' 或 'VIP会员'。"),
    ),
    MemberAttribute("member_region", "text", Said("Region from the members file.", "会员文件中的地区。")),
    MemberAttribute("member_channel", "text", Said("Sign-up channel from the members file.", "会员文件中的注册渠道。")),
    MemberAttribute("member_gender", "text", Said("Gender from the members file.", "会员文件中的性别。")),
    MemberAttribute(
        "registered_at", "time", Said("Registration time from the members file.", "会员文件中的注册时间。")
    ),
    MemberAttribute(
        "registered_days",
        "number",
        Said("Whole days from registration to as_of.", "注册到统计截止时间的整天数。"),
        "date_diff('day', CAST(registered_at AS DATE), CAST({as_of} AS DATE))",
    ),
    MemberAttribute("birthday", "time", Said("Birthday from the members file.", "会员文件中的生日。")),
    MemberAttribute(
        "age",
        "number",
        Said("Age in whole years at as_of.", "统计截止时间的周岁年龄。"),
        "year({as_of}) - year(birthday) - CASE WHEN month({as_of}) * 100 + day({as_of})"
        " < month(birthday) * 100 + day(birthday) THEN 1 ELSE 0 END",
    ),
    MemberAttribute(
        "birth_month", "number", Said("Month of the birthday, 1–12.", "生日所在月份，1–12。"), "month(birthday)"
    ),
)
MEMBER_NAMES: tuple[str, ...] = tuple(a.name for a in MEMBER_ATTRIBUTES)


# Chinese names for the built-in metrics and scores, usable in rules in place of the English ones
# (`消费金额 >= 1000` reads monetary) and listed by `tiercli metrics --lang zh`.
ZH_NAMES: dict[str, str] = {**{m.name: m.zh for m in (*METRICS, *CLV_METRICS, *EVENT_METRICS)},
                            **{score.name: score.zh for score in SCORES}}
NAME_OF_ZH: dict[str, str] = {zh: name for name, zh in ZH_NAMES.items()}


def rule_names() -> dict[str, str]:
    """Every name a rule expression may use, with its definition (custom metrics come from the rules file)."""
    names = {m.name: m.description for m in METRICS}
    names.update(SCORE_NAMES)
    names.update({a.name: f"{a.description} (needs --members)" for a in MEMBER_ATTRIBUTES})
    names.update({m.name: f"{m.description} (needs clv: in the rules)" for m in CLV_METRICS})
    names.update({m.name: m.description for m in EVENT_METRICS})
    return names


def rule_types() -> dict[str, Kind]:
    """The kind of value behind each name of `rule_names()` that has a known kind."""
    kinds: dict[str, Kind] = {m.name: UNIT_KINDS[m.unit] for m in METRICS}
    kinds.update(SCORE_KINDS)
    kinds.update({a.name: a.kind for a in MEMBER_ATTRIBUTES})
    kinds.update({m.name: UNIT_KINDS[m.unit] for m in CLV_METRICS})
    kinds.update({m.name: UNIT_KINDS[m.unit] for m in EVENT_METRICS})
    return kinds
