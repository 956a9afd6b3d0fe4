"""Seeded generator of a synthetic behaviour log (views, favourites, carts, purchases) beside gen_orders.py's orders.

    python bench/gen_events.py N OUT.csv [--orders-lines M] [--seed 7] [--layout generic|tmall|retailrocket|ga4]

Writes exactly N event rows (plus a header) in chunks, for the orders `gen_orders.py M … --seed S` writes: the
same customer ids (`C0001234`) and the same products and categories (`美妆商品0583` in `美妆`), so the events join
to the orders' customers and products. `--orders-lines` defaults to N/10 (a log ten times the orders).

- about 80% of the orders' customers browse, the heavier buyers more; about 10% of the customers in the log have
  no order (browse-only, ids after the orders' last one);
- events come in sessions on one product (the customer's favourite category 60% of the time, else any, popular
  products more often): a few views, then maybe a favourite, a cart, a purchase, a minute or so apart; about 87%
  views, 3% favourites, 7% carts, 3% purchases;
- over the 365 days up to 2026-10-31 23:59:59, the orders' last day.

Layouts (header, times, event words):

- generic: customer_id,time,event,product,category; `2026-05-23 18:49:38`; view/favourite/cart/purchase;
- tmall: the Tmall repeat-buyer user_log: user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type; the day
  as `mmdd` without leading zero (`511`, `1031`), action_type 0 click / 1 cart / 2 purchase / 3 favourite;
- retailrocket: timestamp,visitorid,event,itemid,transactionid; epoch milliseconds, view/addtocart/transaction
  (RetailRocket has no favourite: those are written as views), a transaction id on transactions only;
- ga4: event_date,event_timestamp,event_name,user_pseudo_id,user_id,item_id,item_category; `20260523`, epoch
  microseconds, view_item/add_to_wishlist/add_to_cart/purchase, and a tenth of the views as `page_view` without an
  item (no event tiercli knows: excluded as unknown_event).

Epoch times are the generic layout's times read as UTC. The same N, orders lines, seed, chunk and layout always
give the same file; the layouts of the same arguments hold the same events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from gen_orders import (
    CATEGORIES,
    END,
    LINES_P,
    N_PRODUCTS,
    REGION_WEIGHTS,
    REGIONS,
    customer_orders,
    parse_count,
)

LAYOUTS = ("generic", "tmall", "retailrocket", "ga4")
EVENTS = ("view", "favourite", "cart", "purchase")
VIEW, FAVOURITE, CART, PURCHASE = range(4)
SPAN_S = 365 * 86400
END_S = int((END - dt.datetime(1970, 1, 1)).total_seconds())
START_S = END_S - SPAN_S + 1  # 2025-11-01 00:00:00: a year of mmdd days, none ambiguous
BROWSING = 0.8  # share of the orders' customers in the log
BROWSE_ONLY = 0.1  # share of the log's customers without an order
FROM_FAVOURITE = 0.6  # sessions on a product of the customer's favourite category
VIEWS_P = 0.35  # views per session: geometric, 1/0.35 ≈ 2.9 on average
FAVOURITE_P, CART_P, BUY_CARTED_P, BUY_UNCARTED_P = 0.1, 0.22, 0.45, 0.02
GAP_S = 60.0  # mean seconds between the events of a session
PAGE_VIEW_P = 0.1  # ga4: views written as page_view without an item
SESSION_EVENTS = 1 / VIEWS_P + FAVOURITE_P + CART_P + CART_P * BUY_CARTED_P + (1 - CART_P) * BUY_UNCARTED_P

TMALL_ACTION = np.array([0, 3, 1, 2], dtype=np.int8)  # view, favourite, cart, purchase → action_type
RETAILROCKET_EVENTS = ("view", "view", "addtocart", "transaction")
GA4_EVENTS = ("view_item", "add_to_wishlist", "add_to_cart", "purchase", "page_view")
HEADERS = {
    "generic": ("customer_id", "time", "event", "product", "category"),
    "tmall": ("user_id", "item_id", "cat_id", "seller_id", "brand_id", "time_stamp", "action_type"),
    "retailrocket": ("timestamp", "visitorid", "event", "itemid", "transactionid"),
    "ga4": ("event_date", "event_timestamp", "event_name", "user_pseudo_id", "user_id", "item_id", "item_category"),
}


class Log:
    """What the events are drawn from: the orders' customers and products (replayed from gen_orders' seed) and the
    log's own customers, their activity and favourite categories."""

    def __init__(self, orders_lines: int, seed: int) -> None:
        # gen_orders.generic_batches draws, in this order, the products' categories, their prices, the customers'
        # regions and the orders per customer: replayed here so the ids, products and buyers are the orders' own.
        rng = np.random.default_rng(seed)
        n_customers = max(1, orders_lines // 10)
        self.product_cat = rng.integers(0, len(CATEGORIES), N_PRODUCTS).astype(np.int8)
        rng.lognormal(0.0, 0.5, N_PRODUCTS)
        rng.choice(len(REGIONS), n_customers, p=REGION_WEIGHTS / REGION_WEIGHTS.sum())
        mean_lines = float(np.dot(LINES_P, (1, 2, 3)))
        orders = customer_orders(rng, n_customers, int(orders_lines / mean_lines * 1.02))

        self.rng = rng = np.random.default_rng([seed, 0xE7E7])  # the events' own stream
        self.layout_rng = np.random.default_rng([seed, 0x1A70])  # what a layout adds, so all hold the same events
        buyers = np.flatnonzero(rng.random(n_customers) < BROWSING)
        n_browse = round(len(buyers) * BROWSE_ONLY / (1 - BROWSE_ONLY))
        self.customers = np.concatenate([buyers, n_customers + np.arange(n_browse)])
        self.buyers = len(buyers)
        activity = np.concatenate([orders[buyers] ** 0.8, np.full(n_browse, 1.5)])
        activity *= rng.lognormal(0.0, 0.8, len(activity))
        self.cdf = np.cumsum(activity) / activity.sum()
        self.favourite = self.product_cat[self.popular(len(self.customers))]
        width = max(7, len(str(n_customers - 1)))
        self.customer_dict = pa.array(np.char.add("C", np.char.zfill(self.customers.astype(str), width)))
        self.product_dict = pa.array([f"{CATEGORIES[c]}商品{i:04d}" for i, c in enumerate(self.product_cat)])
        self.category_dict = pa.array(CATEGORIES)
        by_cat = np.argsort(self.product_cat, kind="stable")  # products of each category, most popular first
        self.by_cat = by_cat.astype(np.int32)
        self.cat_size = np.bincount(self.product_cat, minlength=len(CATEGORIES))
        self.cat_start = np.concatenate([[0], np.cumsum(self.cat_size)[:-1]])

    def popular(self, n: int) -> np.ndarray:
        """n products with the orders' skew (low numbers sell most)."""
        return np.minimum((N_PRODUCTS * self.rng.random(n) ** 2.2).astype(np.int32), N_PRODUCTS - 1)

    def sessions(self, m: int) -> dict[str, np.ndarray]:
        """m sessions: customer (index into self.customers), product, start, views and the other events."""
        rng = self.rng
        cust = np.minimum(np.searchsorted(self.cdf, rng.random(m)), len(self.cdf) - 1).astype(np.int32)
        fav_cat = self.favourite[cust]
        in_cat = (self.cat_size[fav_cat] * rng.random(m) ** 2.0).astype(np.int64)
        product = np.where(rng.random(m) < FROM_FAVOURITE, self.by_cat[self.cat_start[fav_cat] + in_cat],
                           self.popular(m))
        cart = rng.random(m) < CART_P
        return {
            "customer": cust, "product": product.astype(np.int32),
            "start": START_S + rng.integers(0, SPAN_S, m),
            "views": rng.geometric(VIEWS_P, m), "favourite": rng.random(m) < FAVOURITE_P, "cart": cart,
            "purchase": np.where(cart, rng.random(m) < BUY_CARTED_P, rng.random(m) < BUY_UNCARTED_P),
        }

    def chunks(self, n_rows: int, chunk: int) -> Iterator[dict[str, np.ndarray]]:
        """The events, `chunk` rows at a time (the last chunk shorter): customer, product, event, ts (epoch s)."""
        written = 0
        while written < n_rows:
            target = min(chunk, n_rows - written)
            s = self.sessions(int(target / SESSION_EVENTS * 1.1) + 10)
            fav, cart, buy = (s[k].astype(np.int64) for k in ("favourite", "cart", "purchase"))
            per = s["views"] + fav + cart + buy
            keep = int(np.searchsorted(np.cumsum(per), target, side="left")) + 1
            if keep > len(per):  # not enough sessions drawn (very unlikely): draw again
                continue
            per = per[:keep]
            per[-1] -= int(per.sum()) - target  # the last session may lose events to hit N exactly
            session = np.repeat(np.arange(keep), per)
            first = np.cumsum(per) - per
            pos = np.arange(target) - first[session]
            extra = pos - s["views"][session]  # 0, 1, 2 for the events after the views
            f, c = fav[session], cart[session]
            event = np.select([extra < 0, (f == 1) & (extra == 0), (c == 1) & (extra == f)],
                              [VIEW, FAVOURITE, CART], PURCHASE).astype(np.int8)
            gaps = np.maximum(1, self.rng.exponential(GAP_S, target)).astype(np.int64)
            gaps[first] = 0
            offset = np.cumsum(gaps)
            offset -= offset[first][session]
            ts = np.minimum(s["start"][session] + offset, END_S)
            yield {"customer": s["customer"][session], "product": s["product"][session], "event": event, "ts": ts}
            written += target


def _dict(indices: np.ndarray, dictionary: pa.Array, mask: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(indices, mask=mask), dictionary)


def _batch(layout: str, log: Log, ev: dict[str, np.ndarray], row0: int) -> pa.RecordBatch:
    """One chunk of events as the layout's columns."""
    customer = _dict(ev["customer"], log.customer_dict)
    product = _dict(ev["product"], log.product_dict)
    category = _dict(log.product_cat[ev["product"]], log.category_dict)
    ts, event = ev["ts"], ev["event"]
    if layout == "generic":
        return pa.record_batch([customer, pa.array(ts.astype("datetime64[s]")), _dict(event, pa.array(EVENTS)),
                                product, category], names=list(HEADERS[layout]))
    days = ts.astype("datetime64[s]").astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    day_of_month = (days - months).astype(np.int64) + 1
    if layout == "tmall":
        mmdd = (months.astype(np.int64) % 12 + 1) * 100 + day_of_month
        return pa.record_batch([customer, product, category, pa.array(ev["product"] % 97 + 1),
                                pa.array(ev["product"] % 450 + 1001), pa.array(mmdd),
                                pa.array(TMALL_ACTION[event])], names=list(HEADERS[layout]))
    within = log.layout_rng.integers(0, 1000, len(ts))  # the sub-second part
    if layout == "retailrocket":
        bought = event == PURCHASE
        transaction = pa.array(100_000 + row0 + np.arange(len(ts)), mask=~bought)
        return pa.record_batch([pa.array(ts * 1000 + within), customer, _dict(event, pa.array(RETAILROCKET_EVENTS)),
                                product, transaction], names=list(HEADERS[layout]))
    page_view = (event == VIEW) & (log.layout_rng.random(len(ts)) < PAGE_VIEW_P)
    years = months.astype("datetime64[Y]")
    date = ((years.astype(np.int64) + 1970) * 10_000 + ((months - years).astype(np.int64) + 1) * 100
            + day_of_month)
    pseudo = pc.binary_join_element_wise(
        pa.array(((ev["customer"].astype(np.int64) * 2_654_435_761) % 2_000_000_000 + 100_000_000).astype(str)),
        pa.array((1_700_000_000 + ev["customer"].astype(np.int64) * 37 % 50_000_000).astype(str)), ".")
    return pa.record_batch([
        pa.array(date), pa.array(ts * 1_000_000 + within * 1000 + log.layout_rng.integers(0, 1000, len(ts))),
        _dict(np.where(page_view, len(GA4_EVENTS) - 1, event), pa.array(GA4_EVENTS)), pseudo, customer,
        _dict(ev["product"], log.product_dict, page_view), _dict(log.product_cat[ev["product"]], log.category_dict,
                                                                  page_view),
    ], names=list(HEADERS[layout]))


def generate(n_rows: int, out: Path, orders_lines: int, seed: int = 7, layout: str = "generic",
             chunk: int = 250_000) -> dict[str, int]:
    """Write the log; returns the rows written, per event type, the customers in it and those without an order."""
    log = Log(orders_lines, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    stats = {"rows": 0, **dict.fromkeys(EVENTS, 0)}
    seen = np.zeros(len(log.customers), dtype=bool)
    writer = None
    with out.open("wb") as fh:
        fh.write((",".join(HEADERS[layout]) + "\n").encode())
        try:
            for ev in log.chunks(n_rows, chunk):
                batch = _batch(layout, log, ev, stats["rows"])
                if writer is None:
                    opts = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=chunk)
                    writer = pacsv.CSVWriter(fh, batch.schema, write_options=opts)
                writer.write_batch(batch)
                stats["rows"] += batch.num_rows
                for k, name in enumerate(EVENTS):
                    stats[name] += int((ev["event"] == k).sum())
                seen[ev["customer"]] = True
        finally:
            if writer is not None:
                writer.close()
    stats["customers"] = int(seen.sum())
    stats["browse_only"] = int(seen[log.buyers:].sum())
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic behaviour events beside gen_orders.py's orders.")
    parser.add_argument("lines", type=parse_count, help="number of event rows, e.g. 10000000, 1e7 or 10M")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--orders-lines", type=parse_count,
                        help="order lines of the gen_orders.py file the events go with (default: N/10)")
    parser.add_argument("--seed", type=int, default=7, help="the orders' seed (default 7)")
    parser.add_argument("--layout", choices=LAYOUTS, default="generic")
    parser.add_argument("--chunk", type=parse_count, default=250_000, help="rows per chunk (memory bound)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    orders_lines = args.orders_lines or max(1, args.lines // 10)
    stats = generate(args.lines, args.out, orders_lines, args.seed, args.layout, args.chunk)
    secs = time.perf_counter() - t0
    size = args.out.stat().st_size / 2**20
    mix = ", ".join(f"{name} {stats[name] / stats['rows']:.1%}" for name in EVENTS)
    print(f"{args.out}: {stats['rows']:,} events ({mix}), {stats['customers']:,} customers of whom "
          f"{stats['browse_only']:,} without an order, {size:,.0f} MiB in {secs:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
