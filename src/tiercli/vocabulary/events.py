"""Behaviour events (`--events FILE`): the canonical event fields and the event types.

The metrics and helpers over events are in `tiercli.vocabulary.metrics` (EVENT_METRICS, EVENT_HELPERS), with the
other names rules can use.
"""

from __future__ import annotations

from tiercli.messages import Said

EVENT_TYPES: tuple[str, ...] = ("view", "favourite", "cart", "purchase")
EVENT_TYPE_NAMES: dict[str, Said] = {
    "view": Said("view", "浏览"), "favourite": Said("favourite", "收藏"), "cart": Said("cart", "加购"),
    "purchase": Said("purchase", "购买"),
}

# canonical event field -> what it means
EVENT_FIELDS: dict[str, Said] = {
    "customer": Said("Who did it: the same customer id as in the orders (kept as text).",
                     "谁的行为：与订单中相同的客户标识（按文本保存）。"),
    "time": Said("When it happened.", "发生时间。"),
    "event": Said("What happened: view, favourite, cart or purchase, or the file's own word mapped through "
                  "input.events.", "行为：浏览、收藏、加购或购买，或文件自己的说法（用 input.events 对应）。"),
    "product": Said("The product or SKU id it was about.", "涉及的商品或 SKU 编号。"),
    "category": Said("The product's category.", "商品类目。"),
}
