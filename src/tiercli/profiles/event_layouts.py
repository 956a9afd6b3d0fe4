"""Behaviour-log layouts (`--events FILE`), as data: how to recognise each and how its columns, times and event
words map onto the canonical event fields (tiercli.vocabulary.events), and the detection.

A layout with a signature is taken when every header of it is in the file (compared case-blind, spaces, `_`, `-`
and `.` ignored); the first such layout wins, most specific first. Otherwise the generic layout finds each field
by the names people give it. An explicit `input.event_columns` mapping always wins over a layout's names.

Times: `text` (dates as orders have them; a number of 10, 13 or 16 digits there is epoch seconds, milliseconds or
microseconds), `mmdd` (month and day as one number, 1111 = 11 November, the year from `input.events_year` or else
the latest such day not after as_of), `epoch_ms` and `epoch_us` (milliseconds or microseconds since 1970-01-01
UTC).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tiercli.errors import ColumnMappingError, Location
from tiercli.messages import Said, listed, say

TIME_FORMATS = ("text", "mmdd", "epoch_ms", "epoch_us")
REQUIRED_FIELDS = ("customer", "time", "event")

# Words people write for each event type, compared case-blind after trimming.
GENERIC_WORDS: dict[str, str] = {
    **dict.fromkeys(("view", "views", "pv", "click", "clicks", "view_item", "item_view", "product_view",
                     "viewed_product", "浏览", "点击", "查看", "访问商品"), "view"),
    **dict.fromkeys(("favourite", "favorite", "fav", "collect", "wishlist", "add_to_wishlist", "like", "收藏",
                     "关注", "加收藏"), "favourite"),
    **dict.fromkeys(("cart", "add_to_cart", "addtocart", "add-to-cart", "add to cart", "added_to_cart", "加购",
                     "加入购物车", "加购物车", "购物车"), "cart"),
    **dict.fromkeys(("purchase", "buy", "order", "transaction", "checkout_completed", "购买", "下单", "成交", "支付",
                     "付款"), "purchase"),
}


@dataclass(frozen=True)
class EventLayout:
    name: str
    title: str
    signature: tuple[str, ...]  # headers that must all be present; empty for the generic layout
    columns: dict[str, tuple[str, ...]]  # canonical field -> header names, the first present wins
    time: str = "text"
    words: dict[str, str] = field(default_factory=dict)  # event value (case-blind) -> event type


LAYOUTS: tuple[EventLayout, ...] = (
    EventLayout(
        "tmall-user-log", "Tmall repeat-buyer user_log",
        ("user_id", "item_id", "cat_id", "seller_id", "brand_id", "time_stamp", "action_type"),
        {"customer": ("user_id",), "time": ("time_stamp",), "event": ("action_type",), "product": ("item_id",),
         "category": ("cat_id",)},
        time="mmdd", words={"0": "view", "1": "cart", "2": "purchase", "3": "favourite"}),
    EventLayout(
        "retailrocket", "RetailRocket events",
        ("timestamp", "visitorid", "event", "itemid", "transactionid"),
        {"customer": ("visitorid",), "time": ("timestamp",), "event": ("event",), "product": ("itemid",)},
        time="epoch_ms", words={"view": "view", "addtocart": "cart", "transaction": "purchase"}),
    EventLayout(
        "ga4", "Google Analytics 4 export (flattened)",
        ("event_name", "event_timestamp"),
        {"customer": ("user_id",), "time": ("event_timestamp",), "event": ("event_name",),
         "product": ("item_id", "items.item_id", "item_name", "items.item_name"),
         "category": ("item_category", "items.item_category")},
        time="epoch_us", words={"view_item": "view", "add_to_wishlist": "favourite", "add_to_cart": "cart",
                                "purchase": "purchase"}),
    EventLayout(
        "generic", "columns by name", (),
        {"customer": ("customer_id", "customer", "user_id", "userid", "user", "member_id", "member", "buyer_id",
                      "buyer", "visitor_id", "visitorid", "客户", "客户id", "客户编号", "会员", "会员id", "会员名",
                      "会员编号", "用户", "用户id", "买家", "买家id", "买家会员名"),
         "time": ("time", "event_time", "event_ts", "timestamp", "datetime", "date", "时间", "行为时间", "发生时间",
                  "访问时间", "日期"),
         "event": ("event", "event_type", "event_name", "action", "action_type", "behavior", "behaviour",
                   "behavior_type", "behaviour_type", "行为", "行为类型", "事件", "事件类型", "动作"),
         "product": ("product_id", "product", "item_id", "item", "sku", "sku_id", "goods_id", "商品", "商品id",
                     "商品编号", "商品编码", "商品名称", "宝贝", "sku编码"),
         "category": ("category", "category_id", "cat_id", "item_category", "类目", "品类", "商品类目", "分类")},
        words=GENERIC_WORDS),
)
GENERIC = LAYOUTS[-1]
# Parts of a header's name that hint at the field it holds, for proposing input.event_columns.
_HINTS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "user", "member", "buyer", "visitor", "client", "shopper", "客户", "会员", "用户", "买家",
                 "顾客"),
    "time": ("time", "date", "when", "时间", "日期", "时刻"),
    "event": ("event", "action", "behav", "type", "kind", "行为", "事件", "动作", "类型"),
}
# RetailRocket's item_properties: (timestamp, itemid, property, value); the `categoryid` property gives the category.
PROPERTIES_SIGNATURE = ("timestamp", "itemid", "property", "value")


def header_key(header: str) -> str:
    """A header as layouts compare it: case-blind, without spaces, `_`, `-` and `.`."""
    return "".join(ch for ch in header.casefold() if ch not in " _-.\u3000")


@dataclass(frozen=True)
class EventMapping:
    """How one events file maps: its layout, canonical field -> header, the time format and the event words."""

    layout: EventLayout
    columns: dict[str, str]
    time: str
    words: dict[str, str]
    explicit: bool = False  # the columns come from input.event_columns


def is_properties(headers: Sequence[str]) -> bool:
    """An item-properties file (RetailRocket's item_properties): categories of items, not events."""
    keys = {header_key(h) for h in headers}
    return all(header_key(s) in keys for s in PROPERTIES_SIGNATURE)


def event_mapping(headers: Sequence[str], path: str, explicit: Mapping[str, str] | None = None,
                  words: Mapping[str, str] | None = None) -> EventMapping:
    """The mapping of an events file with `headers`: the first layout whose signature is all there, else the
    generic names; `explicit` (input.event_columns) wins field by field; `words` (input.events) adds to and
    overrides the layout's event words. A file without a customer, time or event column is a ColumnMappingError
    naming the field, the headers and the fix."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    layout = next((lay for lay in LAYOUTS if lay.signature and all(header_key(s) in by_key for s in lay.signature)),
                  GENERIC)
    columns: dict[str, str] = {}
    for name, names in layout.columns.items():
        found = next((by_key[header_key(n)] for n in names if header_key(n) in by_key), None)
        if found is not None:
            columns[name] = found
    for name, header in (explicit or {}).items():
        if header not in headers:
            raise ColumnMappingError(
                say("sources.events.no_such_column", field=name, header=header, headers=listed(headers, quoted=True)),
                Location(file=path), slug="events_column")
        columns[name] = header
    time = layout.time if columns.get("time") == _layout_header(layout, headers, "time") else "text"
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ColumnMappingError(_missing(missing, layout, headers, columns), Location(file=path),
                                 slug="events_missing_field")
    merged = {**layout.words, **{k.strip().lower(): v for k, v in (words or {}).items()}}
    return EventMapping(layout, columns, time, merged, explicit=bool(explicit))


def _missing(missing: Sequence[str], layout: EventLayout, headers: Sequence[str], columns: Mapping[str, str]) -> Said:
    """What to say when `missing` fields have no column: the headers, and an input.event_columns snippet proposing
    for each field a column not mapped yet, the first whose name hints at the field, else the first left."""
    left = [h for h in headers if h not in columns.values()]
    proposal: dict[str, str] = {}
    for name in missing:
        hinted = [h for h in left if any(word in h.casefold() for word in _HINTS[name])]
        header = (hinted or left or ["…"])[0]
        proposal[name] = header
        if header in left:
            left.remove(header)
    shown = listed(headers, quoted=True)
    if len(missing) == 1:
        return say("sources.events.missing_field", field=missing[0], layout=layout.title, headers=shown,
                   example=_yaml_text(proposal[missing[0]]))
    return say("sources.events.missing_fields", fields=listed(missing), layout=layout.title, headers=shown,
               mapping=", ".join(f"{name}: {_yaml_text(header)}" for name, header in proposal.items()))


def _yaml_text(value: str) -> str:
    """A header as a quoted YAML scalar that reads back as written, quotes and colons included."""
    return json.dumps(value, ensure_ascii=False)


def _layout_header(layout: EventLayout, headers: Sequence[str], name: str) -> str | None:
    """The header the layout itself takes for `name`, when the file has it."""
    keys = {header_key(h): h for h in headers}
    return next((keys[header_key(n)] for n in layout.columns.get(name, ()) if header_key(n) in keys), None)
