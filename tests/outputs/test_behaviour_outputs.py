"""What a user sees of `--events`: the workbook's Behaviour sheet (events files, events and customers per type, the
customers without an order, the funnel per category, native charts) in English and Chinese, the HTML report's
Behaviour section with its funnel charts (also in a real browser, at desktop and phone widths), and the run
summary's lines. Every number is computed again here with plain pandas from the same hand-written files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from test_html_in_browser import DESKTOP, PHONE, browser  # noqa: F401  (browser: the fixture)

from conftest import classify, invoke, write
from tiercli.outputs.html import render_html
from tiercli.outputs.writers import write_result
from tiercli.result import Result

AS_OF = datetime(2024, 6, 30, 23, 59, 59)

ORDERS = """
    customer_id,order_id,order_date,amount
    ana,1,2024-05-01,120
    ana,2,2024-06-02,80
    bo,3,2024-06-10,45
    cy,4,2024-03-03,300
    dee,5,2024-06-20,60
"""

# generic columns; 浏览 is a view in the generic layout's words. zed and yu only browse (no order); the row without a
# customer, the unknown word and the event after as_of are excluded.
EVENTS = """
    user_id,time,event,product_id,category
    ana,2024-06-20 10:00,view,p1,美妆
    ana,2024-06-20 10:05,浏览,p1,美妆
    ana,2024-06-21 09:00,cart,p1,美妆
    ana,2024-06-21 09:30,purchase,p1,美妆
    ana,2024-06-22 12:00,view,p7,服饰
    bo,2024-06-05 10:00,view,p3,服饰
    bo,2024-06-05 10:02,favourite,p3,服饰
    bo,2024-06-06 10:00,cart,p3,服饰
    bo,2024-06-07 08:00,view,p2,美妆
    cy,2024-06-25 10:00,view,p1,美妆
    cy,2024-06-25 10:01,view,p1,美妆
    cy,2024-06-26 11:00,favourite,p8,数码
    zed,2024-06-27 10:00,view,p1,美妆
    zed,2024-06-27 10:03,cart,p1,美妆
    zed,2024-06-27 10:05,view,p9,数码
    yu,2024-06-28 16:00,view,p4,
    yu,2024-06-28 16:05,purchase,p4,
    ,2024-06-27 10:00,view,p1,美妆
    erin,2024-06-27 10:00,scroll,p1,美妆
    frank,2024-07-27 10:00,view,p1,美妆
"""

WORDS = {"view": "view", "浏览": "view", "favourite": "favourite", "cart": "cart", "purchase": "purchase"}
TYPES = ("view", "favourite", "cart", "purchase")
STAGES = ("viewers", "favouriters", "carters", "buyers")


@dataclass(frozen=True)
class Expected:
    """The Behaviour figures computed from the files with pandas."""

    rows_read: int
    rows_used: int
    per_type: dict[str, tuple[int, int]]  # event type -> (events, different customers)
    customers: int
    without_orders: int
    first: datetime
    last: datetime
    categories: int
    funnel: list[list[Any]]  # (category or None, views … purchases, viewers … buyers, cart rate, buy rate)


def expected(orders_csv: str, events_csv: str) -> Expected:
    orders = pd.read_csv(io.StringIO(_dedent(orders_csv)), dtype=str)
    raw = pd.read_csv(io.StringIO(_dedent(events_csv)), dtype=str, keep_default_na=False)
    events = raw.assign(event=raw["event"].map(WORDS), time=pd.to_datetime(raw["time"]))
    events = events[(events["user_id"] != "") & events["event"].notna() & (events["time"] <= AS_OF)]
    events = events.assign(category=events["category"].replace("", None))

    def funnel_row(frame: pd.DataFrame, category: str | None) -> list[Any]:
        counts = [int((frame["event"] == e).sum()) for e in TYPES]
        people = [frame.loc[frame["event"] == e, "user_id"].nunique() for e in TYPES]
        viewers = people[0]
        rates = [people[2] / viewers, people[3] / viewers] if viewers else [None, None]
        return [category, *counts, *people, *rates]

    by_category = [funnel_row(group, str(name)) for name, group in events.dropna(subset=["category"])
                   .groupby("category")]
    by_category.sort(key=lambda row: (-row[1], row[0]))  # most viewed first, then by name
    customers = set(events["user_id"])
    return Expected(
        rows_read=len(raw), rows_used=len(events),
        per_type={e: (int((events["event"] == e).sum()), events.loc[events["event"] == e, "user_id"].nunique())
                  for e in TYPES},
        customers=len(customers), without_orders=len(customers - set(orders["customer_id"])),
        first=events["time"].min().to_pydatetime(), last=events["time"].max().to_pydatetime(),
        categories=events["category"].nunique(), funnel=[funnel_row(events, None), *by_category[:20]],
    )


def _dedent(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines()) + "\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("behaviour")
    return write(folder, "orders.csv", ORDERS), write(folder, "events.csv", EVENTS)


@pytest.fixture(scope="module")
def result(files: tuple[Path, Path]) -> Iterator[Result]:
    orders, events = files
    with classify(orders, events=[str(events)], as_of=AS_OF) as found:
        yield found


def test_the_expected_figures_are_not_trivial() -> None:
    want = expected(ORDERS, EVENTS)
    assert want.rows_read - want.rows_used == 3 and want.without_orders == 2
    assert [row[0] for row in want.funnel] == [None, "美妆", "服饰", "数码"]
    assert all(want.per_type[e][0] > 0 for e in TYPES)


# --- the workbook -----------------------------------------------------------------------------------------------


def _rows(ws: Worksheet) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _row_of(rows: list[list[Any]], first: str) -> int:
    return next(i for i, row in enumerate(rows) if row and row[0] == first)


def _table_below(rows: list[list[Any]], header: int) -> list[list[Any]]:
    """The rows under `header` down to the first empty one, cut to the header's width."""
    width = sum(1 for cell in rows[header] if cell is not None)
    out = []
    for row in rows[header + 1:]:
        if row[0] is None:
            break
        out.append(row[:width])
    return out


def _value_of(rows: list[list[Any]], label: str) -> Any:
    return rows[_row_of(rows, label)][1]


SHEET_WORDS = {
    "en": {"sheet": "Behaviour", "file": "file", "event": "event", "category": "category", "all": "(all events)",
           "types": ["view", "favourite", "cart", "purchase"], "with": "customers with events",
           "without": "of them without an order (browse only)", "first": "first event", "last": "last event",
           "categories": "categories with events",
           "funnel": ["category", "views", "favourites", "carts", "purchases", "viewers", "favouriters", "carters",
                      "buyers", "cart rate", "buy rate"],
           "every": "Funnel view → favourite → cart → purchase: all events, then each of the 3 categories, most "
                    "viewed first"},
    "zh": {"sheet": "行为", "file": "文件", "event": "行为", "category": "类目", "all": "（全部行为）",
           "types": ["浏览", "收藏", "加购", "购买"], "with": "有行为的客户", "without": "其中没有订单的（只浏览）",
           "first": "最早行为时间", "last": "最晚行为时间", "categories": "有行为的类目数",
           "funnel": ["类目", "浏览次数", "收藏次数", "加购次数", "购买次数", "浏览人数", "收藏人数", "加购人数",
                      "购买人数", "加购率", "购买率"],
           "every": "转化漏斗 浏览 → 收藏 → 加购 → 购买：全部行为，以及全部 3 个类目（浏览多的在前）"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_behaviour_sheet_shows_the_events_and_the_funnel(result: Result, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "out.xlsx"
    write_result(result, str(out), lang=lang)
    words = SHEET_WORDS[lang]
    book = openpyxl.load_workbook(out)
    names = book.sheetnames
    at = names.index(words["sheet"])
    assert names[at - 1:at + 2] == (["生命周期", "行为", "分段阈值"] if lang == "zh"
                                    else ["Lifecycle", "Behaviour", "Thresholds"])  # no CLV here
    rows = _rows(book[words["sheet"]])
    want = expected(ORDERS, EVENTS)

    files = _table_below(rows, _row_of(rows, words["file"]))
    assert files == [["events.csv", "generic", want.rows_read, want.rows_used, want.rows_read - want.rows_used, 0]]

    types = _table_below(rows, _row_of(rows, words["event"]))
    assert types == [[name, *want.per_type[e]] for name, e in zip(words["types"], TYPES, strict=True)]

    assert _value_of(rows, words["with"]) == want.customers
    assert _value_of(rows, words["without"]) == want.without_orders
    assert _value_of(rows, words["first"]) == want.first
    assert _value_of(rows, words["last"]) == want.last
    assert _value_of(rows, words["categories"]) == want.categories

    header = _row_of(rows, words["category"])
    assert rows[header][:11] == words["funnel"]
    assert rows[header - 1][0] == words["every"]
    funnel = _table_below(rows, header)
    shown = [[words["all"] if row[0] is None else row[0], *row[1:]] for row in want.funnel]
    assert [row[:9] for row in funnel] == [row[:9] for row in shown]
    for got, row in zip(funnel, shown, strict=True):
        assert got[9:] == [pytest.approx(r) if r is not None else None for r in row[9:]]


def test_the_behaviour_sheet_has_native_charts_of_the_funnel(result: Result, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    write_result(result, str(out))
    assert len(openpyxl.load_workbook(out)["Behaviour"]._charts) == 2
    with zipfile.ZipFile(out) as archive:
        charts = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/charts/chart")]
    funnel = [chart for chart in charts if "Behaviour!" in chart]
    assert len(funnel) == 2
    assert any("funnel: customers per stage" in chart for chart in funnel)


def test_without_events_there_is_no_behaviour_sheet_nor_section(files: tuple[Path, Path], tmp_path: Path) -> None:
    orders, _ = files
    with classify(orders, as_of=AS_OF) as plain:
        assert plain.behaviour is None
        out = tmp_path / "out.xlsx"
        write_result(plain, str(out))
        assert "Behaviour" not in openpyxl.load_workbook(out, read_only=True).sheetnames
        assert 'id="behaviour"' not in render_html(plain)


def test_the_funnel_lists_the_twenty_most_viewed_categories(tmp_path: Path) -> None:
    lines = ["user_id,time,event,product_id,category"]
    for k in range(23):  # category k: k + 1 views, by customers v0 … vk; a cart of each by v0
        lines += [f"v{n},2024-06-{1 + n % 28:02d} 10:00,view,p{k},cat{k:02d}" for n in range(k + 1)]
        lines.append(f"v0,2024-06-29 10:00,cart,p{k},cat{k:02d}")
    events = write(tmp_path, "events.csv", "\n".join(lines) + "\n")
    log = pd.read_csv(events, dtype=str)
    views = log[log["event"] == "view"].groupby("category").size()
    top = sorted(views.index, key=lambda c: (-views[c], c))[:20]
    with classify(write(tmp_path, "orders.csv", ORDERS), events=[str(events)], as_of=AS_OF) as found:
        out = tmp_path / "out.xlsx"
        write_result(found, str(out))
        page = render_html(found)
    rows = _rows(openpyxl.load_workbook(out)["Behaviour"])
    header = _row_of(rows, "category")
    heading = f"Funnel view → favourite → cart → purchase: all events, then the 20 most viewed of {len(views)} categories"
    assert rows[header - 1][0] == heading
    funnel = _table_below(rows, header)
    assert [row[0] for row in funnel] == ["(all events)", *top]
    assert [row[1] for row in funnel[1:]] == [int(views[c]) for c in top]
    assert [row[7] for row in funnel[1:]] == [1] * 20  # carters
    section = _section(page)
    assert heading in section.headings
    assert [row[0] for row in section.tables["funnel"][1:]] == ["(all events)", *top]
    start = page.index('id="chart-funnel-categories"')
    bars = re.findall(r'<text class="label"[^>]*>([^<]*)</text>', page[start:page.index("</svg>", start)])
    assert bars == top[:10]


# --- a RetailRocket log with its item properties ---------------------------------------------------------------

RR_EVENTS = """
    timestamp,visitorid,event,itemid,transactionid
    1717243200000,11,view,501,
    1717243260000,11,addtocart,501,
    1717243320000,11,transaction,501,9001
    1717329600000,12,view,502,
    1717329660000,12,view,501,
    1717416000000,13,view,503,
    1717416060000,13,bogus,503,
"""
RR_PROPERTIES = """
    timestamp,itemid,property,value
    1704067200000,501,categoryid,1338
    1704067200000,501,790,n500.000
    1704067200000,502,categoryid,1338
    1704067200000,503,categoryid,491
    1704067200000,503,available,1
"""
RR_ORDERS = """
    customer_id,order_id,order_date,amount
    11,1,2024-06-01,50
"""


def test_a_retailrocket_log_shows_both_files_and_its_categories(tmp_path: Path) -> None:
    orders = write(tmp_path, "orders.csv", RR_ORDERS)
    events = write(tmp_path, "events.csv", RR_EVENTS)
    properties = write(tmp_path, "item_properties.csv", RR_PROPERTIES)
    log = pd.read_csv(io.StringIO(_dedent(RR_EVENTS)), dtype=str)
    props = pd.read_csv(io.StringIO(_dedent(RR_PROPERTIES)), dtype=str)
    used = log[log["event"].isin(["view", "addtocart", "transaction"])]
    category = props[props["property"] == "categoryid"].set_index("itemid")["value"]
    views = used[used["event"] == "view"].assign(category=lambda f: f["itemid"].map(category))
    most_viewed = views.groupby("category").size().sort_values(ascending=False)
    with classify(orders, events=[str(events), str(properties)], as_of=AS_OF) as found:
        out = tmp_path / "out.xlsx"
        write_result(found, str(out))
    rows = _rows(openpyxl.load_workbook(out)["Behaviour"])
    files = _table_below(rows, _row_of(rows, "file"))
    is_category = int((props["property"] == "categoryid").sum())
    assert files == [
        ["events.csv", "retailrocket", len(log), len(used), len(log) - len(used), 0],
        ["item_properties.csv", "item-properties", len(props), is_category, 0, len(props) - is_category],
    ]
    funnel = _table_below(rows, _row_of(rows, "category"))
    assert [row[0] for row in funnel[1:]] == list(most_viewed.index)
    assert [row[1] for row in funnel[1:]] == most_viewed.tolist()
    assert _value_of(rows, "of them without an order (browse only)") == used["visitorid"].nunique() - 1


# --- the HTML report ------------------------------------------------------------------------------------------


@dataclass
class Section(HTMLParser):
    """The tables (by class: rows of cell texts), chart ids and headings inside <section id="behaviour">."""

    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    charts: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    depth: int = 0
    table: str | None = None
    cell: list[str] | None = None
    heading: list[str] | None = None

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self.depth += 1 if self.depth or found.get("id") == "behaviour" else 0
        if not self.depth:
            return
        if tag == "table":
            self.table = str(found.get("class"))
            self.tables[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.tables[self.table].append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
        elif tag == "svg":
            self.charts.append(str(found.get("id")))
        elif tag in ("h2", "h3"):
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "section":
            self.depth -= 1
        elif tag == "table":
            self.table = None
        elif tag in ("td", "th") and self.cell is not None and self.table is not None:
            self.tables[self.table][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag in ("h2", "h3") and self.heading is not None:
            self.headings.append("".join(self.heading).strip())
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.heading is not None:
            self.heading.append(data)


def _section(page: str) -> Section:
    parser = Section()
    parser.feed(page)
    return parser


def _count(n: int) -> str:
    return f"{n:,}"


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_report_shows_the_behaviour_section(result: Result, lang: str) -> None:
    page = render_html(result, lang)
    section = _section(page)
    words = SHEET_WORDS[lang]
    want = expected(ORDERS, EVENTS)
    assert section.headings[0] == words["sheet"]
    sections = re.findall(r'<section id="([a-z]+)"', page)
    assert sections[sections.index("behaviour") - 1:][:3] == ["lifecycle", "behaviour", "thresholds"]
    facts = dict((row[0], row[1]) for row in section.tables["behaviour-facts"][1:])
    assert facts[words["with"]] == _count(want.customers)
    assert facts[words["without"]] == _count(want.without_orders)
    assert facts[words["first"]] == f"{want.first:%Y-%m-%d %H:%M:%S}"
    assert section.tables["behaviour-files"][1:] == [
        ["events.csv", "generic", *map(_count, (want.rows_read, want.rows_used, want.rows_read - want.rows_used, 0))]]
    assert section.tables["behaviour-types"][1:] == [
        [name, _count(want.per_type[e][0]), _count(want.per_type[e][1])]
        for name, e in zip(words["types"], TYPES, strict=True)]
    funnel = section.tables["funnel"]
    assert funnel[0] == words["funnel"]
    assert funnel[1:] == [[words["all"] if row[0] is None else row[0], *map(_count, row[1:9]), *map(_rate, row[9:])]
                          for row in want.funnel]
    assert section.charts == ["chart-funnel", "chart-funnel-categories"]


def test_the_funnel_chart_shows_the_customers_per_stage(result: Result) -> None:
    page = render_html(result)
    chart = page[page.index('id="chart-funnel"'):page.index("</svg>", page.index('id="chart-funnel"'))]
    overall = expected(ORDERS, EVENTS).funnel[0]
    viewers = overall[5]
    for i, stage in enumerate(STAGES):
        n = overall[5 + i]
        shown = _count(n) if i == 0 else f"{_count(n)} · {n / viewers:.1%}"
        assert f"<title>{stage}: {shown}</title>" in chart


# --- in a browser ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "viewport"), [("en", DESKTOP), ("zh", DESKTOP), ("en", PHONE), ("zh", PHONE)])
def test_the_section_fits_the_screen(browser: Any, result: Result, tmp_path: Path,  # noqa: F811
                                     lang: str, viewport: dict[str, int]) -> None:
    report = tmp_path / "report.html"
    report.write_text(render_html(result, lang), encoding="utf-8")
    page = browser.new_page(viewport=viewport)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(report.as_uri())
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"
        section = page.locator("#behaviour")
        box = section.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        charts = section.locator("svg.chart")
        assert charts.count() == 2
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            assert chart.is_visible()
            found = chart.bounding_box()
            assert found is not None and 0 < found["width"] <= viewport["width"]
        scroller = section.locator(".table-wrap", has=page.locator("table.funnel"))
        wrap = scroller.bounding_box()
        assert wrap is not None and wrap["x"] + wrap["width"] <= viewport["width"]
        assert problems == []
    finally:
        page.close()


# --- the run summary ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_run_summary_says_what_the_events_gave(files: tuple[Path, Path], tmp_path: Path, lang: str) -> None:
    orders, events = files
    code, out, _ = invoke("classify", str(orders), "--events", str(events), "--as-of", "2024-06-30",
                          "-o", str(tmp_path / "out.xlsx"), "--lang", lang)
    assert code == 0
    want = expected(ORDERS, EVENTS)
    excluded = want.rows_read - want.rows_used
    counts = [want.per_type[e][0] for e in TYPES]
    if lang == "en":
        assert (f"read events events.csv (generic): {want.rows_read} rows = {want.rows_used} used + {excluded} "
                "excluded (") in out
        assert (f"customers with events: {want.customers}, {want.without_orders} of them without an order (browse "
                f"only); events: view {counts[0]}, favourite {counts[1]}, cart {counts[2]}, purchase {counts[3]}") in out
    else:
        assert f"读取行为文件 events.csv（generic）：{want.rows_read} 行 = 使用 {want.rows_used} 行 + 排除 {excluded} 行（" in out
        assert (f"有行为的客户：{want.customers}，其中 {want.without_orders} 位没有订单（只浏览）；行为：浏览 {counts[0]}，"
                f"收藏 {counts[1]}，加购 {counts[2]}，购买 {counts[3]}") in out
