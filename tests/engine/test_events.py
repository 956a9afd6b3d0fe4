"""Behaviour events (`--events`): each layout's fixture against tests/fixtures/events/EXPECTED.md; every behaviour
metric and event helper against a plain pandas computation on seeded logs written in every layout (the same events
in the four layouts give the same customers); row accounting under random bad rows; and the commands that take
--events (classify, validate, init, sql) as a user meets them."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import REPO, invoke, write
from tiercli.engine.query import EVENTS_DDL, ORDERS_DDL
from tiercli.pipeline import RunConfig, run
from tiercli.result import Result
from tiercli.rules.load import parse_rules

FIXTURES = REPO / "tests" / "fixtures" / "events"
ORDERS = FIXTURES / "orders.csv"
AS_OF = datetime(2024, 11, 11, 23, 59, 59)  # `--as-of 2024-11-11`, as EXPECTED.md's runs
RATIO = 6e-5  # ratios are written rounded to 4 places

COUNTS = [f"{plural}_{days}d" for plural in ("views", "carts", "favourites") for days in (30, 90, 365)]


def rules_with(*helpers: str, input_section: str = "") -> str:
    """Rules whose one tag uses each helper, so that each is a column of the customers table."""
    uses = " and ".join(f"{h} >= 0" for h in helpers) or "views_30d >= 0"
    return f"{input_section}\ntiers:\n  - {{name: all}}\ntags:\n  - {{name: uses, when: \"{uses}\"}}\n"


@contextmanager
def classified(events: Sequence[Path], rules: str, orders: Path = ORDERS,
               as_of: datetime | None = AS_OF) -> Iterator[tuple[Result, dict[str, dict[str, object]]]]:
    config = RunConfig(files=[str(orders)], rules=parse_rules(rules), as_of=as_of, events=[str(e) for e in events])
    with run(config) as result:
        yield result, {row["customer_id"]: row for row in result.customers.to_pylist()}


def counts(views: tuple[int, int, int], carts: tuple[int, int, int] = (0, 0, 0),
           favourites: tuple[int, int, int] = (0, 0, 0)) -> dict[str, int]:
    return dict(zip(COUNTS, (*views, *carts, *favourites), strict=True))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def check_customer(row: dict[str, object], expected: dict[str, object]) -> None:
    for name, value in expected.items():
        if name == "view_to_buy" and value is not None:
            assert row[name] == pytest.approx(value, abs=RATIO), name
        else:
            assert row[name] == value, name


def excluded_rows(result: Result, file: str) -> dict[int, str]:
    return {r["row"]: r["reason"] for r in result.excluded.to_pylist() if r["file"] == file}


# --- the fixtures, against EXPECTED.md ---------------------------------------------------------------------------

TMALL_HELPERS = ("viewed(category, '662')", "viewed(category, '662', 30)", "carted_not_bought(30)")
TMALL = {
    "1001": {**counts((3, 3, 4), (1, 2, 2), (1, 1, 1)), "last_view": at("2024-11-11"), "days_since_view": 0,
             "view_to_buy": 0.5, "carted_not_bought(30)": 1, TMALL_HELPERS[0]: 3, TMALL_HELPERS[1]: 2},
    "1002": {**counts((0, 0, 0)), "last_view": None, "days_since_view": None, "view_to_buy": None,
             "carted_not_bought(30)": 0, TMALL_HELPERS[0]: 0, TMALL_HELPERS[1]: 0},
    "1003": {**counts((0, 0, 1), (2, 2, 2)), "last_view": at("2024-02-29"), "days_since_view": 256,
             "view_to_buy": 0.5, "carted_not_bought(30)": 1, TMALL_HELPERS[0]: 1, TMALL_HELPERS[1]: 0},
    "1004": {**counts((3, 3, 3), (1, 1, 1)), "last_view": at("2024-11-11"), "days_since_view": 0,
             "view_to_buy": 0.5, "carted_not_bought(30)": 1, TMALL_HELPERS[0]: 2, TMALL_HELPERS[1]: 2},
}


def test_tmall_user_log_fixture() -> None:
    with classified([FIXTURES / "tmall_user_log.csv"], rules_with(*TMALL_HELPERS)) as (result, rows):
        assert result.behaviour is not None
        (log,) = result.behaviour.files
        assert (log.layout, log.rows_read, log.rows_used) == ("tmall-user-log", 20, 16)
        assert log.excluded_by_reason == {"missing_customer": 1, "bad_date": 1, "unknown_event": 1, "extra_cells": 1}
        assert excluded_rows(result, "tmall_user_log.csv") == {18: "missing_customer", 19: "bad_date",
                                                              20: "unknown_event", 21: "extra_cells"}
        assert result.behaviour.events_by_type == {"view": 9, "favourite": 1, "cart": 5, "purchase": 1}
        assert (result.behaviour.customers, result.behaviour.without_orders) == (3, 1)
        assert set(rows) == set(TMALL)
        for customer, expected in TMALL.items():
            check_customer(rows[customer], expected)
        browsed = rows["1004"]
        assert (browsed["frequency"], browsed["monetary"], browsed["lifecycle"]) == (0, 0, "potential")


def test_tmall_days_take_the_year_given_and_later_days_are_after_as_of() -> None:
    rules = rules_with(input_section="input: {events_year: 2024}")
    with classified([FIXTURES / "tmall_user_log.csv"], rules, as_of=None) as (result, rows):
        assert result.as_of == datetime(2024, 11, 10, 20, 0)  # the latest order
        assert result.behaviour is not None
        (log,) = result.behaviour.files
        assert (log.rows_read, log.rows_used) == (20, 12)
        assert log.excluded_by_reason == {"after_as_of": 4, "missing_customer": 1, "bad_date": 1,
                                          "unknown_event": 1, "extra_cells": 1}
        assert [r for r, why in excluded_rows(result, "tmall_user_log.csv").items() if why == "after_as_of"] == [
            2, 12, 13, 14]
        assert rows["1001"]["views_30d"] == 2


def test_tmall_days_without_a_year_are_the_latest_such_days_up_to_as_of(tmp_path: Path) -> None:
    """as_of 2025-03-01 12:00: 0301 is that day, 0302 a year before, 0229 the last leap day (2024-02-29, more than
    365 days before), 0230 no day."""
    path = write(tmp_path, "user_log.csv", "user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type\n"
                 + "".join(f"1001,501,662,1,1,{day},0\n" for day in ("301", "302", "229", "230")))
    with classified([path], rules_with(), as_of=datetime(2025, 3, 1, 12)) as (result, rows):
        assert result.behaviour is not None
        assert result.behaviour.files[0].excluded_by_reason == {"bad_date": 1}
        assert result.behaviour.first_event == datetime(2024, 2, 29)
        check_customer(rows["1001"], {**counts((1, 1, 2)), "last_view": datetime(2025, 3, 1)})


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_tmall_log_as_a_workbook_or_parquet_with_numbers(kind: str, tmp_path: Path) -> None:
    with (FIXTURES / "tmall_user_log.csv").open(encoding="utf-8") as f:
        header, *lines = list(csv.reader(f))
    lines = lines[:-1]  # row 21, the one with an extra cell, has no place in a typed table
    columns = [[int(line[k]) if line[k] else None for line in lines] for k in range(len(header))]
    path = tmp_path / f"user_log.{kind}"
    if kind == "parquet":
        pq.write_table(pa.table(dict(zip(header, columns, strict=True))), path)
    else:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        for line in lines:
            sheet.append([int(cell) if cell else None for cell in line])
        book.save(path)
    with classified([path], rules_with(*TMALL_HELPERS)) as (result, rows):
        assert result.behaviour is not None
        (log,) = result.behaviour.files
        assert (log.layout, log.rows_read, log.rows_used) == ("tmall-user-log", 19, 16)
        assert log.excluded_by_reason == {"missing_customer": 1, "bad_date": 1, "unknown_event": 1}
        for customer, expected in TMALL.items():
            check_customer(rows[customer], expected)


RR_HELPERS = ("viewed(category, '1000')", "viewed(category, '1000', 30)", "viewed(category, '2000')",
              "viewed(category, '3000')", "carted_not_bought(30)")
RETAILROCKET = {
    "1001": {**counts((3, 4, 4), (1, 1, 1)), "last_view": at("2024-11-05 10:00"), "days_since_view": 6,
             "view_to_buy": 0.5, "carted_not_bought(30)": 0, RR_HELPERS[0]: 3, RR_HELPERS[1]: 2, RR_HELPERS[2]: 1,
             RR_HELPERS[3]: 0},
    "1002": {**counts((0, 0, 0)), "last_view": None, "view_to_buy": None, "carted_not_bought(30)": 0},
    "1003": {**counts((1, 1, 1)), "last_view": at("2024-11-09 12:00"), "days_since_view": 2, "view_to_buy": 1.0,
             "carted_not_bought(30)": 0, RR_HELPERS[0]: 0},
    "1004": {**counts((2, 2, 2), (1, 1, 1)), "last_view": at("2024-11-11 16:30"), "days_since_view": 0,
             "view_to_buy": 0.0, "carted_not_bought(30)": 1, RR_HELPERS[3]: 2},
}
RR_FILES = [FIXTURES / "retailrocket_events.csv", FIXTURES / "retailrocket_item_properties.csv"]


def test_retailrocket_fixture_with_item_categories() -> None:
    with classified(RR_FILES, rules_with(*RR_HELPERS)) as (result, rows):
        assert result.behaviour is not None
        log, properties = result.behaviour.files
        assert (log.layout, log.rows_read, log.rows_used) == ("retailrocket", 15, 10)
        assert log.excluded_by_reason == {"after_as_of": 1, "missing_customer": 1, "bad_date": 1,
                                          "unknown_event": 1, "extra_cells": 1}
        assert excluded_rows(result, "retailrocket_events.csv") == {
            11: "after_as_of", 13: "missing_customer", 14: "bad_date", 15: "unknown_event", 16: "extra_cells"}
        assert (properties.layout, properties.rows_read, properties.rows_used, properties.not_used) == (
            "item-properties", 6, 4, 2)
        assert result.behaviour.events_by_type == {"view": 7, "favourite": 0, "cart": 2, "purchase": 1}
        assert (result.behaviour.customers, result.behaviour.without_orders) == (3, 1)
        for customer, expected in RETAILROCKET.items():
            check_customer(rows[customer], expected)


def test_retailrocket_log_as_parquet_with_float_columns(tmp_path: Path) -> None:
    """As pandas writes a column with a missing number: timestamp and visitorid as doubles (1731153600000.0)."""
    frame = pd.read_csv(RR_FILES[0], nrows=14, dtype={"event": str})
    frame["timestamp"] = pd.to_numeric(frame["timestamp"], errors="coerce")  # row 14's `2024-11-09`: missing
    assert frame["timestamp"].dtype == frame["visitorid"].dtype == "float64"
    path = tmp_path / "events.parquet"
    frame.to_parquet(path)
    with classified([path, RR_FILES[1]], rules_with(*RR_HELPERS)) as (result, rows):
        assert result.behaviour is not None
        log = result.behaviour.files[0]
        assert (log.rows_read, log.rows_used) == (14, 10)
        assert log.excluded_by_reason == {"after_as_of": 1, "missing_customer": 1, "bad_date": 1, "unknown_event": 1}
        for customer, expected in RETAILROCKET.items():
            check_customer(rows[customer], expected)


def test_retailrocket_epoch_times_in_the_rules_timezone() -> None:
    rules = rules_with(*RR_HELPERS, "viewed(category, '1000', 30)", input_section="input: {timezone: Asia/Shanghai}")
    with classified(RR_FILES, rules) as (result, rows):
        assert result.behaviour is not None
        assert result.behaviour.files[0].rows_used == 9
        assert result.behaviour.files[0].excluded_by_reason["after_as_of"] == 2
        check_customer(rows["1001"], {**counts((4, 4, 4), (1, 1, 1)), "last_view": at("2024-11-05 18:00"),
                                      RR_HELPERS[0]: 3, RR_HELPERS[1]: 3, RR_HELPERS[2]: 1})
        check_customer(rows["1004"], {**counts((1, 1, 1), (1, 1, 1)), "last_view": at("2024-11-10 16:00"),
                                      "days_since_view": 1})


GA4_HELPERS = ("viewed(category, 'Beauty')", "viewed(category, 'Beauty', 30)", "carted_not_bought(30)")
GA4 = {
    "1001": {**counts((1, 1, 1), (1, 1, 1), (1, 1, 1)), "last_view": at("2024-11-10 08:02"), "days_since_view": 1,
             "view_to_buy": 1.0, "carted_not_bought(30)": 1, GA4_HELPERS[0]: 1, GA4_HELPERS[1]: 1},
    "1002": {**counts((0, 0, 0)), "last_view": None, "view_to_buy": None, GA4_HELPERS[0]: 0},
    "1003": {**counts((1, 1, 1)), "last_view": at("2024-10-15 09:00"), "days_since_view": 27, "view_to_buy": 1.0,
             "carted_not_bought(30)": 0, GA4_HELPERS[0]: 0},
    "1004": {**counts((1, 2, 3)), "last_view": at("2024-10-12 23:59:59.000400"), "days_since_view": 30,
             "view_to_buy": 0.0, "carted_not_bought(30)": 0, GA4_HELPERS[0]: 2, GA4_HELPERS[1]: 1},
}


def test_ga4_flattened_export_fixture() -> None:
    with classified([FIXTURES / "ga4_events.csv"], rules_with(*GA4_HELPERS)) as (result, rows):
        assert result.behaviour is not None
        (log,) = result.behaviour.files
        assert (log.layout, log.rows_read, log.rows_used) == ("ga4", 16, 8)
        assert log.columns["customer"] == "user_id"
        assert log.excluded_by_reason == {"unknown_event": 3, "missing_customer": 2, "after_as_of": 1,
                                          "bad_date": 1, "extra_cells": 1}
        (late,) = [r["message"] for r in result.excluded.to_pylist() if r["reason"] == "after_as_of"]
        assert late == "the event at 2024-11-11 23:59:59.5 is after as_of 2024-11-11 23:59:59"
        assert excluded_rows(result, "ga4_events.csv") == {
            2: "unknown_event", 3: "unknown_event", 7: "missing_customer", 8: "missing_customer",
            13: "after_as_of", 15: "unknown_event", 16: "bad_date", 17: "extra_cells"}
        assert result.behaviour.events_by_type == {"view": 5, "favourite": 1, "cart": 1, "purchase": 1}
        for customer, expected in GA4.items():
            check_customer(rows[customer], expected)


def test_a_ga4_export_without_user_pseudo_id_is_still_ga4(tmp_path: Path) -> None:
    """The issue's flattened GA4 columns: user_id, event_name, event_timestamp (µs), item_category."""
    path = write(tmp_path, "ga4.csv", "user_id,event_name,event_timestamp,item_id,item_category\n"
                 "1004,view_item,1728777599000400,513,Beauty\n")
    with classified([path], rules_with("viewed(category, 'Beauty', 30)")) as (result, rows):
        assert result.behaviour is not None
        assert result.behaviour.files[0].layout == "ga4"
        check_customer(rows["1004"], {"views_30d": 1, "viewed(category, 'Beauty', 30)": 1,
                                      "last_view": at("2024-10-12 23:59:59.000400")})


GENERIC_HELPERS = ("viewed(category, '美妆')", "share(category, '美妆')", "carted_not_bought(30)")
GENERIC = {
    "1001": {**counts((2, 2, 2), (1, 1, 1), (1, 1, 1)), "last_view": at("2024-11-10 10:00"), "days_since_view": 1,
             "view_to_buy": 1.0, "carted_not_bought(30)": 1, GENERIC_HELPERS[0]: 1, GENERIC_HELPERS[1]: 0.6},
    "1002": {**counts((0, 0, 0)), "last_view": None, "view_to_buy": None, GENERIC_HELPERS[0]: 0,
             GENERIC_HELPERS[1]: 1.0},
    "1003": {**counts((0, 1, 1), (1, 1, 1)), "last_view": at("2024-09-20 12:00"), "days_since_view": 52,
             "view_to_buy": 1.0, "carted_not_bought(30)": 1, GENERIC_HELPERS[0]: 0, GENERIC_HELPERS[1]: 0.0},
    "王小美": {**counts((3, 3, 3), (1, 1, 1)), "last_view": at("2024-11-11 09:02"), "days_since_view": 0,
            "view_to_buy": 0.5, "carted_not_bought(30)": 0, GENERIC_HELPERS[0]: 3, GENERIC_HELPERS[1]: 0.0},
}


def test_generic_chinese_gb18030_fixture_and_the_issue_rule() -> None:
    rules = ("tiers:\n  - {name: all}\ntags:\n  - {name: 浏览美妆未购, when: \"viewed(category, '美妆') >= 3 and "
             "share(category, '美妆') = 0\"}\n  - {name: 加购未买, when: \"carted_not_bought(30) >= 1\"}\n")
    with classified([FIXTURES / "generic_zh.csv"], rules) as (result, rows):
        assert result.behaviour is not None
        (log,) = result.behaviour.files
        assert (log.layout, log.encoding, log.rows_read, log.rows_used) == ("generic", "GB18030", 16, 11)
        assert log.columns == {"customer": "会员", "time": "时间", "event": "行为", "product": "商品", "category": "类目"}
        assert excluded_rows(result, "generic_zh.csv") == {13: "missing_customer", 14: "bad_date",
                                                           15: "unknown_event", 16: "after_as_of", 17: "extra_cells"}
        assert result.behaviour.events_by_type == {"view": 6, "favourite": 1, "cart": 3, "purchase": 1}
        assert (result.behaviour.customers, result.behaviour.without_orders) == (3, 1)
        for customer, expected in GENERIC.items():
            check_customer(rows[customer], expected)
        assert {c for c, r in rows.items() if r["浏览美妆未购"]} == {"王小美"}
        assert {c for c, r in rows.items() if r["加购未买"]} == {"1001", "1003"}
        assert (rows["王小美"]["frequency"], rows["王小美"]["lifecycle"]) == (0, "potential")


def test_generic_epoch_numbers_are_seconds_milliseconds_or_microseconds(tmp_path: Path) -> None:
    """A generic log's time column holding epoch numbers; with input.timezone they are read in that zone, as are
    times written with a UTC offset."""
    path = write(tmp_path, "clicks.csv", "user,timestamp,event,product\n"
                 "1004,1731225600,view,508\n1004,1731225600000,view,508\n1004,1731225600000000,view,508\n"
                 "1004,1731225600000.0,view,508\n1004,2024-11-10T08:00:00Z,view,508\n"
                 "1004,173122560,view,508\n")  # 9 digits: no date
    for zone, hour in ((None, 8), ("Asia/Shanghai", 16)):
        section = f"input: {{timezone: {zone}}}" if zone else ""
        with classified([path], rules_with(input_section=section)) as (result, rows):
            assert result.behaviour is not None
            assert result.behaviour.files[0].excluded_by_reason == {"bad_date": 1}
            assert (result.behaviour.first_event, result.behaviour.last_event) == (
                datetime(2024, 11, 10, hour), datetime(2024, 11, 10, hour))
            assert rows["1004"]["views_30d"] == 5


# --- seeded logs in every layout, against plain pandas -----------------------------------------------------------

GEN_AS_OF = datetime(2024, 6, 30)  # midnight: day-precision events fall on the windows' edges
LAYOUTS = ("tmall", "retailrocket", "ga4", "generic")
CATEGORIES = ("662", "1208", "1505", "2010")
GEN_HELPERS = ("viewed(category, '662')", "viewed(category, '662', '1208', 30)", "carted(product, '501', '502', 90)",
               "favourited(category, '1505', 365)", "viewed(product, '503')", "carted_not_bought(30)",
               "carted_not_bought(7)")
# RetailRocket has no favourite event: its logs here say `wishlist`, mapped through input.events
GEN_RULES = rules_with(*GEN_HELPERS, input_section="input: {events: {wishlist: favourite}}")


@dataclass
class Log:
    events: pd.DataFrame  # customer, ts, event, product, category: what a correct reading gives
    since: dict[str, list[tuple[datetime, str]]]  # item -> (from when, category): RetailRocket's item_properties
    orders: pd.DataFrame  # customer_id, order_id, order_ts, amount, sku, product, category


def make_log(seed: int, unit: str) -> Log:
    """A seeded behaviour log and orders; event times are whole `unit`s (day, ms, us) before GEN_AS_OF, some
    exactly on the 7/30/90/365-day edges, within the 366 days a Tmall mmdd can say."""
    rng = np.random.default_rng(seed)
    customers = [str(20_000 + k) for k in range(40)]
    items = [str(501 + k) for k in range(24)]
    since = {}
    for item in items:
        changes = [(datetime(2000, 1, 1), str(rng.choice(CATEGORIES)))]
        if rng.random() < 0.4:  # the item moves to another category on some day of the year
            changes.append((GEN_AS_OF - timedelta(days=int(rng.integers(1, 300))), str(rng.choice(CATEGORIES))))
        since[item] = changes
    step = {"day": 86_400_000_000, "ms": 1000, "us": 1}[unit]
    year_us = 365 * 86_400_000_000
    rows = []
    for _ in range(700):
        if rng.random() < 0.1:  # on an edge, or one step inside it
            age = int(rng.choice([7, 30, 90, 365])) * 86_400_000_000 - step * int(rng.integers(0, 2))
        else:
            age = int(rng.integers(0, year_us // step + 1)) * step
        ts = GEN_AS_OF - timedelta(microseconds=age)
        item = None if rng.random() < 0.04 else str(rng.choice(items))
        category = None if item is None else next(c for t, c in reversed(since[item]) if t <= ts)
        event = str(rng.choice(["view", "cart", "favourite", "purchase"], p=[0.6, 0.17, 0.08, 0.15]))
        customer = customers[min(int(rng.exponential(10)), len(customers) - 1)]
        rows.append((customer, ts, event, item, category))
    events = pd.DataFrame(rows, columns=["customer", "ts", "event", "product", "category"])
    lines = []
    for k, customer in enumerate([*customers[::2], "29999"]):  # half the customers, and one with no event
        for n in range(int(rng.integers(1, 4))):
            item = str(rng.choice(items))
            by_sku = rng.random() < 0.5  # the item's id as the sku (product: its title), or as the product
            amount = -12.5 if rng.random() < 0.12 else round(float(rng.uniform(5, 500)), 2)
            when = GEN_AS_OF - timedelta(minutes=int(rng.integers(0, 400 * 1440)))
            lines.append((customer, f"o{k}-{n}", when, amount, item if by_sku else None,
                          f"商品{item}" if by_sku else item, since[item][0][1]))
    orders = pd.DataFrame(lines, columns=["customer_id", "order_id", "order_ts", "amount", "sku", "product",
                                          "category"])
    return Log(events, since, orders)


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def _epoch(ts: datetime, per_second: int) -> int:
    delta = ts.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * per_second + delta.microseconds * per_second // 1_000_000


def write_layout(log: Log, layout: str, folder: Path) -> list[Path]:
    """The log's events as that layout writes them (with the RetailRocket item_properties beside its events)."""
    e = log.events
    if layout == "tmall":
        codes = {"view": 0, "cart": 1, "purchase": 2, "favourite": 3}
        rows = [(c, p, cat, 4000 + i % 7, 8000 + i % 5, f"{t.month}{t.day:02d}", codes[ev])
                for i, (c, t, ev, p, cat) in enumerate(e.itertuples(index=False))]
        text = _csv(["user_id", "item_id", "cat_id", "seller_id", "brand_id", "time_stamp", "action_type"], rows)
        files = {"user_log.csv": text}
    elif layout == "retailrocket":
        words = {"view": "view", "cart": "addtocart", "purchase": "transaction", "favourite": "wishlist"}
        rows = [(_epoch(t, 1000), c, words[ev], p, 7000 + i if ev == "purchase" else None)
                for i, (c, t, ev, p, _) in enumerate(e.itertuples(index=False))]
        props = [(_epoch(t, 1000), item, "categoryid", cat) for item, changes in log.since.items()
                 for t, cat in changes] + [(_epoch(GEN_AS_OF, 1000), item, "available", 1) for item in log.since]
        files = {"events.csv": _csv(["timestamp", "visitorid", "event", "itemid", "transactionid"], rows),
                 "item_properties.csv": _csv(["timestamp", "itemid", "property", "value"], props)}
    elif layout == "ga4":
        words = {"view": "view_item", "cart": "add_to_cart", "purchase": "purchase", "favourite": "add_to_wishlist"}
        rows = [(f"{t:%Y%m%d}", _epoch(t, 1_000_000), words[ev], f"ps{c}", c, p, cat)
                for c, t, ev, p, cat in e.itertuples(index=False)]
        rows += [(f"{t:%Y%m%d}", _epoch(t, 1_000_000), "page_view", f"ps{c}", c, None, None)
                 for c, t, *_ in e.head(40).itertuples(index=False)]  # not one of the four: excluded
        files = {"ga4.csv": _csv(["event_date", "event_timestamp", "event_name", "user_pseudo_id", "user_id",
                                  "item_id", "item_category"], rows)}
    else:
        words = {"view": "浏览", "cart": "加购", "purchase": "购买", "favourite": "收藏"}
        rows = [(c, f"{t:%Y-%m-%d %H:%M:%S.%f}", words[ev], p, cat) for c, t, ev, p, cat in e.itertuples(index=False)]
        files = {"行为.csv": _csv(["客户", "时间", "行为", "商品", "类目"], rows)}
    paths = []
    for name, text in files.items():
        path = folder / layout / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_orders(log: Log, folder: Path) -> Path:
    o = log.orders
    path = folder / "orders.csv"
    path.write_text(_csv(list(o.columns), [(c, n, f"{t:%Y-%m-%d %H:%M:%S}", f"{a:.2f}", s, p, cat)
                                           for c, n, t, a, s, p, cat in o.itertuples(index=False)]), encoding="utf-8")
    return path


def expected_metrics(log: Log, as_of: datetime) -> dict[str, dict[str, object]]:
    """Every behaviour metric and GEN_HELPERS column per customer, from the definitions, in plain pandas."""
    e, o = log.events, log.orders
    paid = o[o.amount >= 0]
    bought = pd.concat([  # (customer, product, when): purchase events, and order lines by sku or by product
        e[e.event == "purchase"][["customer", "product", "ts"]],
        paid[["customer_id", "sku", "order_ts"]].set_axis(["customer", "product", "ts"], axis=1),
        paid[["customer_id", "product", "order_ts"]].set_axis(["customer", "product", "ts"], axis=1),
    ]).dropna(subset=["product"])

    def window(frame: pd.DataFrame, days: int) -> pd.DataFrame:
        return frame[frame.ts > as_of - timedelta(days=days)]

    def carted_not_bought(mine: pd.DataFrame, theirs: pd.DataFrame, days: int) -> int:
        last_cart = mine[mine.event == "cart"].dropna(subset=["product"]).groupby("product").ts.max()
        return sum(1 for product, cart in last_cart.items() if cart > as_of - timedelta(days=days)
                   and not ((theirs["product"] == product) & (theirs.ts >= cart)).any())

    expected = {}
    for customer in sorted(set(o.customer_id) | set(e.customer)):
        mine = e[e.customer == customer]
        row: dict[str, object] = {}
        for event, plural in (("view", "views"), ("cart", "carts"), ("favourite", "favourites")):
            for days in (30, 90, 365):
                row[f"{plural}_{days}d"] = len(window(mine[mine.event == event], days))
        views = mine[mine.event == "view"]
        last = views.ts.max() if len(views) else None
        row["last_view"] = None if last is None else last.to_pydatetime()
        row["days_since_view"] = None if last is None else (as_of.date() - last.date()).days
        viewed = set(views["product"].dropna())
        theirs = bought[bought.customer == customer]
        row["view_to_buy"] = len(viewed & set(theirs["product"])) / len(viewed) if viewed else None
        row["viewed(category, '662')"] = int((views.category == "662").sum())
        row["viewed(category, '662', '1208', 30)"] = int(window(views, 30).category.isin(["662", "1208"]).sum())
        carts = mine[mine.event == "cart"]
        row["carted(product, '501', '502', 90)"] = int(window(carts, 90)["product"].isin(["501", "502"]).sum())
        favourites = mine[mine.event == "favourite"]
        row["favourited(category, '1505', 365)"] = int((window(favourites, 365).category == "1505").sum())
        row["viewed(product, '503')"] = int((views["product"] == "503").sum())
        row["carted_not_bought(30)"] = carted_not_bought(mine, theirs, 30)
        row["carted_not_bought(7)"] = carted_not_bought(mine, theirs, 7)
        expected[customer] = row
    return expected


def compare_with_pandas(log: Log, layout: str, folder: Path,
                        expected: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """Run the layout's files of `log` and check every customer's behaviour metrics against `expected`; the
    customers table."""
    with classified(write_layout(log, layout, folder), GEN_RULES, orders=write_orders(log, folder),
                    as_of=GEN_AS_OF) as (result, rows):
        assert set(rows) == set(expected)
        for customer, metrics in expected.items():
            check_customer(rows[customer], metrics)
        browsed = set(log.events.customer) - set(log.orders.customer_id)
        assert browsed
        assert {(rows[c]["frequency"], rows[c]["monetary"], rows[c]["lifecycle"]) for c in browsed} == {
            (0, 0, "potential")}
        assert result.behaviour is not None
        assert (result.behaviour.customers, result.behaviour.without_orders) == (
            log.events.customer.nunique(), len(browsed))
        assert sum(result.behaviour.events_by_type.values()) == len(log.events)
        return rows


def test_the_same_events_in_the_four_layouts_give_the_same_customers(tmp_path: Path) -> None:
    log = make_log(19, "day")
    expected = expected_metrics(log, GEN_AS_OF)
    tables = {layout: compare_with_pandas(log, layout, tmp_path, expected) for layout in LAYOUTS}
    for layout in LAYOUTS[1:]:
        assert tables[layout] == tables["tmall"], layout


@pytest.mark.parametrize(("layout", "unit", "seed"), [("retailrocket", "ms", 3), ("ga4", "us", 4),
                                                      ("generic", "us", 5)])
def test_behaviour_metrics_to_the_layouts_precision(layout: str, unit: str, seed: int, tmp_path: Path) -> None:
    log = make_log(seed, unit)
    compare_with_pandas(log, layout, tmp_path, expected_metrics(log, GEN_AS_OF))


# --- row accounting under random bad rows ------------------------------------------------------------------------

PRECEDENCE = ("extra_cells", "missing_customer", "bad_date", "unknown_event", "after_as_of")  # the first one wins
HEADERS = {
    "tmall": ["user_id", "item_id", "cat_id", "seller_id", "brand_id", "time_stamp", "action_type"],
    "retailrocket": ["timestamp", "visitorid", "event", "itemid", "transactionid"],
    "ga4": ["event_date", "event_timestamp", "event_name", "user_pseudo_id", "user_id", "item_id", "item_category"],
    "generic": ["会员", "时间", "行为", "商品", "类目"],
}
GOOD_WORDS = {"tmall": ["0", "1", "2", "3"], "retailrocket": ["view", "addtocart", "transaction"],
              "ga4": ["view_item", "add_to_cart", "add_to_wishlist", "purchase"],
              "generic": ["浏览", "收藏", "加购", "购买", " view ", "Add_To_Cart"]}
BAD_WORDS = {"tmall": ["4", "9", "click"], "retailrocket": ["removefromcart", "view_item"],
             "ga4": ["page_view", "session_start"], "generic": ["分享", "评论"]}
BAD_TIMES = {"tmall": ["1131", "0230", "13", "5.5", "abc", ""],
             "retailrocket": ["2024-11-09", "1.7e12", "abc", "", "99999999999999999"],
             "ga4": ["", "-5", "1731225600000000x", "9999999999999999999"], "generic": ["不是日期", "2024-13-45", ""]}
NO_CUSTOMER = ["", " ", "NULL", "-", "\u3000"]
LAYOUT_NAMES = {"tmall": "tmall-user-log", "retailrocket": "retailrocket", "ga4": "ga4", "generic": "generic"}

bad_rows = st.lists(st.tuples(
    st.sets(st.sampled_from(PRECEDENCE), max_size=2),  # what is wrong with the row
    st.integers(min_value=0, max_value=3),  # customer
    st.integers(min_value=0, max_value=300),  # days before as_of (or after it, for after_as_of)
    st.integers(min_value=0, max_value=5),  # which word, bad time, missing customer
), min_size=1, max_size=30)


def _row(layout: str, faults: set[str], customer: int, days: int, pick: int) -> list[str]:
    who = NO_CUSTOMER[pick % len(NO_CUSTOMER)] if "missing_customer" in faults else str(1001 + customer)
    words = BAD_WORDS[layout] if "unknown_event" in faults else GOOD_WORDS[layout]
    word = words[pick % len(words)]
    late = "after_as_of" in faults
    when = AS_OF + (timedelta(days=days, microseconds=1) if late else -timedelta(days=days))
    if layout == "tmall":  # the run says events_year 2024, so a day after 11-11 is after as_of
        when = datetime(2024, 11, 12) + timedelta(days=min(days, 49)) if late else when
        time = f"{when.month}{when.day:02d}"
    elif layout == "retailrocket":
        time = str(_epoch(when + timedelta(microseconds=999) if late else when, 1000))
    elif layout == "ga4":
        time = str(_epoch(when, 1_000_000))
    else:
        time = f"{when:%Y-%m-%d %H:%M:%S.%f}"
    if "bad_date" in faults:
        time = BAD_TIMES[layout][pick % len(BAD_TIMES[layout])]
    cells = {"tmall": [who, "501", "662", "1", "2", time, word], "retailrocket": [time, who, word, "501", ""],
             "ga4": ["20241111", time, word, "p", who, "501", "美妆"], "generic": [who, time, word, "501", "美妆"]}
    return cells[layout] + (["多余"] if "extra_cells" in faults else [])


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(logs=st.fixed_dictionaries({layout: bad_rows for layout in LAYOUTS}))
def test_every_event_row_is_used_or_excluded_with_its_reason(logs: dict[str, list[tuple[set[str], int, int, int]]],
                                                             tmp_path: Path) -> None:
    """One file per layout in one run, each with random rows, some broken in one or two ways."""
    paths = {layout: tmp_path / f"{layout}.csv" for layout in LAYOUTS}
    for layout, rows in logs.items():
        paths[layout].write_text(_csv(HEADERS[layout], [_row(layout, *r) for r in rows]), encoding="utf-8")
    with classified(list(paths.values()), rules_with(input_section="input: {events_year: 2024}")) as (result, _):
        assert result.behaviour is not None
        files = {f.name: f for f in result.behaviour.files}
        for layout, rows in logs.items():
            reasons = {k + 2: next((f for f in PRECEDENCE if f in faults), None) for k, (faults, *_) in enumerate(rows)}
            log = files[paths[layout].name]
            assert log.layout == LAYOUT_NAMES[layout]
            assert log.rows_read == len(rows) == log.rows_used + log.rows_excluded
            assert log.rows_used == sum(1 for why in reasons.values() if why is None), layout
            assert Counter(log.excluded_by_reason) == Counter(why for why in reasons.values() if why is not None)
            assert excluded_rows(result, log.name) == {row: why for row, why in reasons.items() if why is not None}
        assert sum(result.behaviour.events_by_type.values()) == sum(f.rows_used for f in files.values())


# --- what a user meets on the command line -----------------------------------------------------------------------

def _classify(tmp_path: Path, events: Path, rules: str, *more: str) -> tuple[int, str, str]:
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    return invoke("classify", str(ORDERS), "--events", str(events), *more, "-r", str(tmp_path / "rules.yaml"),
                  "-o", str(tmp_path / "out.csv"), "--as-of", "2024-11-11")


def _snippet(text: str) -> str:
    """The `input: {…}` a message proposes."""
    found = re.search(r"input: \{.*\}\}", " ".join(text.split()))
    assert found, text
    return found.group(0)


MAPPED = {"customer": "1001", "time": "2024-11-10 10:00:00", "event": "浏览", "product": "501"}


@pytest.mark.parametrize(("header", "said"), [
    (["会员号", "时间", "行为", "商品"], "no customer column found"),
    (["会员", "发生日期", "行为", "商品"], "no time column found"),
    (["会员", "时间", "动作类别", "商品"], "no event column found"),
    (["商品", "会员号", "发生日期", "行为"], "no column found for customer, time")])
def test_a_file_without_a_field_says_which_and_its_proposal_works(header: list[str], said: str,
                                                                  tmp_path: Path) -> None:
    fields = {"会员号": "customer", "会员": "customer", "时间": "time", "发生日期": "time", "行为": "event",
              "动作类别": "event", "商品": "product"}
    line = [MAPPED[fields[h]] for h in header]
    events = write(tmp_path, "我的行为.csv", _csv(header, [line]))
    code, _, err = _classify(tmp_path, events, rules_with())
    assert code == 2
    assert "我的行为.csv" in err and said in err, err
    snippet = _snippet(err)
    assert snippet.startswith("input: {event_columns: {")
    code, _, err = _classify(tmp_path, events, rules_with(input_section=snippet))
    assert code == 0, err
    rows = {r["customer_id"]: r for r in csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig"))}
    assert rows["1001"]["views_30d"] == "1"


def test_an_unknown_event_word_proposes_input_events_and_following_it_uses_the_row() -> None:
    with classified([FIXTURES / "generic_zh.csv"], rules_with()) as (result, rows):
        (message,) = [r["message"] for r in result.excluded.to_pylist() if r["reason"] == "unknown_event"]
        before = rows["1001"]["views_30d"]
    snippet = _snippet(message)
    assert snippet == 'input: {events: {"分享": view}}'
    with classified([FIXTURES / "generic_zh.csv"], rules_with(input_section=snippet)) as (result, rows):
        assert result.behaviour is not None
        assert "unknown_event" not in result.behaviour.files[0].excluded_by_reason
        assert result.behaviour.files[0].rows_used == 12
        assert rows["1001"]["views_30d"] == before + 1


def test_customer_ids_in_scientific_notation_stop_the_run(tmp_path: Path) -> None:
    events = write(tmp_path, "行为.csv", "会员,时间,行为\n1.23457E+18,2024-11-10 10:00:00,浏览\n")
    code, _, err = _classify(tmp_path, events, rules_with())
    assert code == 2
    assert "行为.csv" in err and "会员" in err and "1.23457E+18" in err and "scientific notation" in err, err


def test_rules_with_behaviour_metrics_need_events(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("tiers:\n  - {name: all}\ntags:\n  - {name: 常逛, when: \"views_30d >= 3\"}\n", encoding="utf-8")
    for command in (["classify", str(ORDERS), "-r", str(rules), "-o", str(tmp_path / "out.csv")],
                    ["validate", str(rules), "--orders", str(ORDERS)]):
        code, _, err = invoke(*command)
        assert code == 2, command
        assert "rules.yaml:4" in err and "常逛" in err and "views_30d" in err and "--events" in err, err


def test_validate_lints_behaviour_rules_against_orders_and_events(tmp_path: Path) -> None:
    rules = ("tiers:\n  - {name: all}\ntags:\n  - {name: 常逛, when: \"views_30d >= 3\"}\n"
             "  - {name: 从不, when: \"views_30d > 1000\"}\n")
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    code, _, err = invoke("validate", str(tmp_path / "rules.yaml"), "--orders", str(ORDERS), "--events",
                          str(FIXTURES / "generic_zh.csv"), "--as-of", "2024-11-11")
    assert code == 0, err
    tags = [line for line in err.splitlines() if line.startswith("warning") and "tags[" in line]
    assert len(tags) == 1 and "'从不'" in tags[0] and "matches nobody" in tags[0] and "views_30d" in tags[0], err
    assert "checked against 4 customers" in err  # 王小美, who only browsed, is one
    code, _, err = invoke("validate", str(tmp_path / "rules.yaml"), "--orders", str(ORDERS), "--events",
                          str(FIXTURES / "generic_zh.csv"), "--as-of", "2024-11-11", "--strict")
    assert code == 1


def test_init_events_writes_behaviour_tags_that_validate_and_run(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    code, _, err = invoke("init", str(rules), "--events")
    assert code == 0, err
    text = rules.read_text(encoding="utf-8")
    tags = ("浏览未购", "加购未买", "高兴趣低转化", "浏览美妆未购")
    assert all(f"name: {tag}" in text for tag in tags)
    code, out, err = invoke("validate", str(rules))
    assert code == 0 and "ok" in (out + err).lower(), err
    code, _, err = invoke("classify", str(ORDERS), "--events", str(FIXTURES / "generic_zh.csv"), "-r", str(rules),
                          "-o", str(tmp_path / "out.csv"), "--as-of", "2024-11-11")
    assert code == 0, err
    rows = {r["customer_id"]: r for r in csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig"))}
    assert all(tag in rows["王小美"] for tag in tags)
    assert rows["王小美"]["浏览美妆未购"] == "1"
    assert {c for c, r in rows.items() if r["加购未买"] == "1"} == {"1001", "1003"}


# --- `tiercli sql --events`: the query on canonical tables gives the local run's metrics -------------------------

SQL_RULES = ("tiers:\n  - {name: 常逛, when: \"views_30d >= 2 or viewed(category, '美妆', 30) >= 3\"}\n"
             "  - {name: 其他}\ntags:\n  - {name: 加购未买, when: \"carted_not_bought(30) >= 1\"}\n"
             "  - {name: 低转化, when: \"view_to_buy < 0.6\"}\n")


def _canonical(con: duckdb.DuckDBPyConnection, as_of: datetime) -> None:
    """ORDERS_DDL and EVENTS_DDL tables holding what the fixtures hold as cleaning leaves them: the orders, and the
    generic log's rows used up to `as_of` (by hand, from EXPECTED.md)."""
    con.execute(ORDERS_DDL)
    con.execute(EVENTS_DDL)
    for c, o, t, a, p, cat in csv.reader(ORDERS.read_text(encoding="utf-8").splitlines()[1:]):
        con.execute("INSERT INTO orders (customer_id, order_id, order_ts, amount, refund_amount, product, category) "
                    "VALUES (?, ?, ?, ?, 0, ?, ?)", [c, o, t, a, p, cat])
    used = [("1001", "2024-11-10 10:00:00", "view", "501", "美妆"), ("1001", "2024-11-09 09:30:00", "view", "502", "服饰"),
            ("1001", "2024-11-10 10:05:00", "cart", "501", "美妆"),
            ("1001", "2024-11-01 08:00:00", "favourite", "515", "美妆"),
            ("王小美", "2024-11-11 09:00:00", "view", "516", "美妆"), ("王小美", "2024-11-11 09:01:00", "view", "516", "美妆"),
            ("王小美", "2024-11-11 09:02:00", "view", "517", "美妆"), ("王小美", "2024-11-11 09:05:00", "cart", "516", "美妆"),
            ("王小美", "2024-11-11 09:10:00", "purchase", "516", "美妆"),
            ("1003", "2024-09-20 12:00:00", "view", "504", "食品"), ("1003", "2024-11-09 10:00:00", "cart", "505", "食品")]
    for c, t, e, p, cat in used:
        if datetime.fromisoformat(t) > as_of:
            continue
        con.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)", [c, t, e, p, cat])


@pytest.mark.parametrize("as_of", ["2024-11-11", None], ids=["as_of", "latest_order"])
def test_the_exported_query_gives_the_local_runs_behaviour_metrics(as_of: str | None, tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(SQL_RULES, encoding="utf-8")
    code, query, err = invoke("sql", "-r", str(tmp_path / "rules.yaml"), "--events",
                              *(["--as-of", as_of] if as_of else []))
    assert code == 0, err
    when = AS_OF if as_of else None
    con = duckdb.connect()
    _canonical(con, when or datetime(2024, 11, 10, 20, 0))
    exported = con.sql(query).to_arrow_table().to_pylist()
    with classified([FIXTURES / "generic_zh.csv"], SQL_RULES, as_of=when) as (result, local):
        columns = [c for c in result.customers.column_names if c in exported[0]]
        assert {"views_30d", "view_to_buy", "carted_not_bought(30)", "viewed(category, '美妆', 30)", "tier",
                "加购未买"} <= set(columns)
        assert {r["customer_id"]: {c: r[c] for c in columns} for r in exported} == {
            c: {k: r[k] for k in columns} for c, r in local.items()}
        # 王小美 only browsed, on 2024-11-11: a customer of frequency 0 up to that day, none before it
        assert set(local) == {"1001", "1002", "1003", *(["王小美"] if when else [])}


def test_proposals_quote_words_and_headers_so_that_pasting_them_works(tmp_path: Path) -> None:
    """A word or header with a quote or a colon in it: the proposed snippet is still YAML that reads it back."""
    events = write(tmp_path, "log.csv", "会员,时间,\"it's: act\",商品\n1001,2024-11-10 10:00:00,don't: know,501\n")
    code, _, err = _classify(tmp_path, events, rules_with())
    assert code == 2
    snippet = _snippet(err)
    code, _, err = _classify(tmp_path, events, rules_with(input_section=snippet))
    assert code == 0, err
    with classified([events], rules_with(input_section=snippet)) as (result, _):
        (message,) = [r["message"] for r in result.excluded.to_pylist() if r["reason"] == "unknown_event"]
    words = _snippet(message)
    with classified([events], rules_with(input_section=snippet.replace("}}", "}, ") + words[len("input: {"):]
                                         )) as (result, rows):
        assert result.behaviour is not None and result.behaviour.files[0].rows_used == 1
        assert rows["1001"]["views_30d"] == 1


def test_a_sku_read_from_a_number_cell_matches_the_event_product(tmp_path: Path) -> None:
    """Orders from a spreadsheet or Parquet file hold a numeric SKU as 501.0; the events write 501. Both are the
    same product, so viewing it and buying it makes view_to_buy 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    orders = tmp_path / "orders.parquet"
    pq.write_table(pa.table({"customer_id": ["1001"], "order_id": ["A1"], "order_date": ["2024-11-10 12:00:00"],
                             "amount": [50.0], "sku": [501.0]}), orders)
    events = write(tmp_path, "log.csv", "会员,时间,行为,商品\n1001,2024-11-10 10:00:00,浏览,501\n")
    with classified([events], rules_with(), orders=orders) as (_, rows):
        assert rows["1001"]["view_to_buy"] == 1.0
