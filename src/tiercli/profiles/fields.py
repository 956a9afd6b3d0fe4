"""The canonical order fields every export is mapped onto (DESIGN §4)."""

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
