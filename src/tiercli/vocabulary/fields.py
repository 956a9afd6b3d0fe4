"""The canonical order fields every export is mapped onto."""

from __future__ import annotations

# field -> what it means; the order is the order `tiercli inspect` and the Run sheet show.
FIELDS: dict[str, str] = {
    "customer": "Who bought: member name, account, e-mail, phone or customer id (kept as text).",
    "order_id": "Order number; lines sharing it are one order. Without it, each row is one order.",
    "paid_ts": "Payment time (preferred as the order time).",
    "created_ts": "Order creation time (used when there is no payment time).",
    "amount": "Money paid for the row (order or line), before refunds.",
    "unit_price": "Price per unit; amount = quantity × unit_price when there is no amount column.",
    "quantity": "Items on the row.",
    "refund_amount": "Money refunded on the row.",
    "discount_amount": "Coupon or discount money on the row.",
    "status": "Order status as the platform writes it.",
    "refund_status": "After-sale or refund status (e.g. 售后状态 退款成功); a full refund excludes the order.",
    "cancelled_ts": "Cancellation time; a value means the order was cancelled.",
    "product": "Product title.",
    "sku": "SKU or product code.",
    "category": "Product category.",
    "region": "Region, province or country.",
    "channel": "Sales channel.",
    "currency": "Currency code.",
}

# Other names people give a field in `input.columns`: the order time is the payment time (the one preferred).
FIELD_ALIASES: dict[str, str] = {"order_ts": "paid_ts", "order_date": "paid_ts", "order_time": "paid_ts"}

# Words that tell what a column or field name means, most telling first (a time before money: 付款时间).
_MEANINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paid_ts", ("time", "date", "_ts", "datetime", "timestamp", "时间", "日期")),
    ("amount", ("amount", "total", "price", "paid", "revenue", "sales", "spend", "value", "sum", "金额", "价", "实付",
                "销售额")),
    ("customer", ("customer", "buyer", "member", "client", "user", "email", "e-mail", "phone", "mobile", "客户",
                  "买家", "会员", "用户", "手机")),
    ("order_id", ("order", "invoice", "receipt", "订单", "发票")),
    ("quantity", ("quantity", "qty", "count", "pieces", "units", "数量", "件数")),
)


def meaning_of(name: str) -> str | None:
    """The canonical field a name looks like by its meaning (`purchase_time` → paid_ts, `TotalPrice` → amount,
    `CustomerID` → customer), or None."""
    key = name.casefold()
    for field, words in _MEANINGS:
        if any(word in key for word in words):
            return field
    return None

# Cell texts that mean "no value" in every field of every export: what spreadsheets and exports write for empty,
# and the missing-value markers pandas, R, Excel and databases write (counted per column when found).
MISSING_MARKERS: tuple[str, ...] = ("NA", "N/A", "#N/A", "NULL", "null", "None", "nan", "NaN", "<NA>")
EMPTY_TEXTS: tuple[str, ...] = ("", "-", "--", "无", *MISSING_MARKERS)
