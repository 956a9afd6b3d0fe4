"""The HTML report: the same figures as the workbook's report sheets, charts per grading, escaping, no external
reference, English and Chinese, and an atomic write."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import classify, write
from tiercli.engine.clean import REASONS, reason_text
from tiercli.engine.movement import MOVEMENTS
from tiercli.errors import OutputError, UsageError
from tiercli.outputs.html import colour_scale, render_html, write_html
from tiercli.outputs.writers import write_result
from tiercli.result import Result

ORDERS = """
    customer_id,order_id,order_date,amount
    ana,1,2024-01-05,1500.50
    ana,2,2024-02-10,20
    bo,3,2024-02-01,35
    bo,4,2024-02-20,40
    cy,5,2023-05-01,12.5
    dee,6,2024-02-25,2400
    ,7,2024-02-25,9
    eve,8,not a date,5
    fay,9,2024-02-01,abc
"""

SCRIPT_TAG = "<script>alert(1)</script>"
RULES = f"""
version: 1
name: html report test
rfm: {{bins: 3, method: quantile, segments: default}}
lifecycle: {{}}
gradings:
  - name: value
    levels:
      - {{name: big, when: "monetary >= 1000"}}
      - {{name: repeat, when: "frequency >= 2"}}
      - {{name: base}}
  - name: 会员
    levels:
      - {{name: 金卡, when: "monetary >= 100"}}
      - {{name: 普卡}}
tags:
  - {{name: recent, when: "recency_days <= 30"}}
  - {{name: "{SCRIPT_TAG}", when: "frequency >= 2"}}
"""

HEAT = """
tiers:
  - {name: hot, when: "monetary >= 1000"}
  - {name: cold}
"""


VOID = frozenset({"meta", "link", "br", "img", "hr", "input", "source", "col", "wbr", "area", "base"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, tag: str, css_class: str | None = None, **attrs: str) -> list[Node]:
        return [
            n for n in self.walk()
            if n.tag == tag and (css_class is None or css_class in n.attrs.get("class", "").split())
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str, css_class: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, css_class, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={css_class} {attrs}>"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert tag in [n.tag for n in self.stack], f"</{tag}> closes nothing"
        while self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(document: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(document)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def chart_title(svg: Node) -> str:
    """The text of the chart's own <title>, its first element (bars carry titles of their own)."""
    first = next(child for child in svg.children if isinstance(child, Node))
    assert first.tag == "title" and svg.attrs["aria-labelledby"] == first.attrs["id"]
    return first.text()


def table_rows(table: Node) -> list[list[str]]:
    """The body rows of a table as the texts of their cells."""
    body = table.find("tbody")
    return [[cell.text().strip() for cell in row.children if isinstance(cell, Node)] for row in body.find_all("tr")]


def table_header(table: Node) -> list[str]:
    return [cell.text().strip() for cell in table.find("thead").find_all("th")]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    folder = tmp_path_factory.mktemp("html")
    return classify(write(folder, "orders.csv", ORDERS), rules=RULES)


@pytest.fixture(scope="module")
def page(result: Result) -> Node:
    return parse(render_html(result))


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def test_tier_tables_show_the_summary_formatted(result: Result, page: Node) -> None:
    sections = page.find_all("section", "grading")
    assert [s.attrs["data-grading"] for s in sections] == ["value", "会员"]
    for section in sections:
        levels = result.summary[result.summary["grading"] == section.attrs["data-grading"]]
        table = section.find("table", "tiers")
        assert table_header(table) == ["level", "customers", "share", "revenue", "revenue share", "AOV", "mean orders",
                                       "mean recency days"]
        assert table_rows(table) == [
            [r["level"], f"{r['customers']:,}", f"{r['share']:.1%}", f"{r['revenue']:,.2f}",
             f"{r['revenue_share']:.1%}", _money(r["aov"]), f"{r['mean_orders']:,.2f}",
             f"{r['mean_recency_days']:,.1f}"]
            for r in levels.to_dict("records")
        ]
    value_rows = table_rows(sections[0].find("table", "tiers"))
    assert value_rows[0][:4] == ["big", "2", "50.0%", "3,920.50"]  # ana and dee


def test_each_grading_has_a_customers_and_a_revenue_share_chart_with_a_bar_per_level(
    result: Result, page: Node
) -> None:
    for section in page.find_all("section", "grading"):
        levels = result.summary[result.summary["grading"] == section.attrs["data-grading"]].to_dict("records")
        customers = section.find("svg", "chart-customers")
        shares = section.find("svg", "chart-revenue-share")
        grading = section.attrs["data-grading"]
        assert chart_title(customers) == f"{grading}: customers per level"
        assert chart_title(shares) == f"{grading}: revenue share per level"
        for chart in (customers, shares):
            assert chart.attrs["role"] == "img"
            assert len(chart.find_all("rect", "bar")) == len(levels)
            assert [t.text() for t in chart.find_all("text", "label")] == [r["level"] for r in levels]
            assert len(chart.find_all("text", "axis-title")) == 2
        assert [t.text() for t in customers.find_all("text", "value")] == [f"{r['customers']:,}" for r in levels]
        assert [t.text() for t in shares.find_all("text", "value")] == [f"{r['revenue_share']:.1%}" for r in levels]
    ids = [svg.attrs["id"] for svg in page.find_all("svg")]
    assert len(ids) == len(set(ids))


def test_head_facts_count_rows_and_explain_excluded_ones(result: Result, page: Node) -> None:
    facts = {name: value for name, value in table_rows(page.find("table", "facts"))}
    assert facts == {"as_of": "2024-02-25 00:00:00", "customers": "4", "rows read": "9", "rows used": "6",
                     "rows excluded": "3"}
    assert sorted(table_rows(page.find("table", "excluded"))) == [
        [slug, "1", reason_text(slug)] for slug in ("bad_amount", "bad_date", "missing_customer")
    ]
    assert table_rows(page.find("table", "inputs")) == [["orders.csv", "generic", "9", "6", "3"]]
    assert [li.text() for li in page.find("section", id="notes").find_all("li")] == result.notes
    sections = [s.attrs["id"] for s in page.find("main").children if isinstance(s, Node) and s.tag == "section"]
    assert sections[0] == "kpis" and sections[-2:] == ["import", "notes"]  # the answer first, the details last


def test_pareto_curve_runs_from_the_origin_to_all_revenue(page: Node) -> None:
    chart = page.find("svg", "chart-pareto")
    assert chart.attrs["role"] == "img"
    assert chart_title(chart) == "Pareto: cumulative revenue share by customer rank"
    points = chart.find("polyline", "line").attrs["points"].split()
    assert len(points) == 5  # the origin, then the 4 customers
    assert {t.text() for t in chart.find_all("text", "axis-title")} == {
        "share of customers, top spenders first", "share of revenue"}
    assert chart.find("text", "callout").text() == "top 25% of customers: 60% of revenue"  # dee: 2,400 of 4,008


def test_tag_table_and_chart_match_the_tag_figures(result: Result, page: Node) -> None:
    figures = result.figures.tags
    assert table_rows(page.find("table", "tags")) == [
        [f.tag, f"{f.customers:,}", f"{f.share:.1%}", f"{f.revenue:,.2f}"] for f in figures
    ]
    chart = page.find("svg", "chart-tags")
    assert len(chart.find_all("rect", "bar")) == len(figures) == 2
    assert [t.text() for t in chart.find_all("text", "value")] == [str(f.customers) for f in figures]


def test_text_from_the_rules_is_escaped(result: Result) -> None:
    document = render_html(result)
    assert "<script" not in document.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    page = parse(document)
    assert [row[0] for row in table_rows(page.find("table", "tags"))] == ["recent", SCRIPT_TAG]


def test_the_page_references_nothing_outside_itself(result: Result) -> None:
    for lang in ("en", "zh"):
        document = render_html(result, lang)
        for reference in ("http://", "https://", "src=", "<link", "<script", "url(", "@import", "<img", "<iframe"):
            assert reference not in document.lower()
        page = parse(document)
        assert page.find("meta", name="viewport").attrs["content"] == "width=device-width, initial-scale=1"
        assert page.find("meta", http_equiv="Content-Security-Policy").attrs["content"].startswith("default-src 'none'")


def test_segments_grids_and_lifecycle_match_the_report_figures(result: Result, page: Node) -> None:
    figures = result.figures.segments
    rows = table_rows(page.find("table", "segments"))
    assert [row[:3] for row in rows] == [[f.segment, f"{f.customers:,}", f"{f.share:.1%}"] for f in figures]
    assert [row[4] for row in rows] == [f"{f.revenue:,.2f}" for f in figures]
    grid = result.figures.grid
    customers = page.find("table", "rf-customers")
    assert table_header(customers) == ["R \\ F", *(str(f) for f in grid.f_scores)]
    assert table_rows(customers) == [[str(r), *(str(n) for n in line)] for r, line in
                                     zip(grid.r_scores, grid.customers, strict=True)]
    cells = {(row_index, td.text()): td.attrs.get("style", "") for row_index, tr in
             enumerate(customers.find("tbody").find_all("tr")) for td in tr.find_all("td")}
    most = max(n for line in grid.customers for n in line)
    assert all(style == "background-color:#63be7b" for (_, text), style in cells.items() if text == str(most))
    spend = table_rows(page.find("table", "rf-spend"))
    assert [row[1:] for row in spend] == [[_money(v) for v in line] for line in grid.mean_spend]
    assert table_rows(page.find("table", "lifecycle")) == [
        [f.stage, f"{f.customers:,}", f"{f.share:.1%}", f"{f.revenue:,.2f}",
         "" if f.revenue_share is None else f"{f.revenue_share:.1%}",
         "" if f.median_recency_days is None else f"{f.median_recency_days:,.1f}"]
        for f in result.figures.lifecycle
    ]
    thresholds = page.find("table", "thresholds")
    assert table_header(thresholds)[:3] == ["dimension", "metric", "score"]
    assert [row[:3] for row in table_rows(thresholds)] == [
        [r["dimension"], r["metric"], str(r["score"])] for r in result.thresholds.to_dict("records")
    ]


def test_sections_without_data_are_left_out(tmp_path: Path) -> None:
    result = classify(write(tmp_path, "o.csv", ORDERS), rules=HEAT)
    page = parse(render_html(result))
    assert page.find_all("section", id="tags") == []
    assert page.find_all("section", id="movement") == []
    assert len(page.find_all("section", "grading")) == 1


def test_chinese_report_translates_fixed_words_and_keeps_the_users_names(result: Result) -> None:
    page = parse(render_html(result, "zh"))
    assert page.find("html").attrs["lang"] == "zh-CN"
    headings = [h.text() for h in page.find_all("h2")]
    assert headings == ["核心指标", "分级", "消费集中度", "标签", "RFM分群", "生命周期", "分段阈值", "数据与导入", "提示"]
    section = page.find("section", "grading", data_grading="会员")
    assert section.find("h3").text() == "分级：会员"
    table = section.find("table", "tiers")
    assert table_header(table)[:3] == ["等级", "客户数", "客户占比"]
    assert [row[0] for row in table_rows(table)] == ["金卡", "普卡"]
    assert ["缺少客户", "1", "该行没有客户"] in table_rows(page.find("table", "excluded"))
    assert chart_title(section.find("svg", "chart-customers")) == "会员：各等级客户数"
    stages = {"potential": "潜在客户", "new": "新客户", "active": "活跃客户", "at_risk": "流失风险", "churned": "已流失"}
    assert [row[0] for row in table_rows(page.find("table", "lifecycle"))] == [
        stages[f.stage] for f in result.figures.lifecycle]


def test_every_excluded_reason_and_movement_has_its_chinese_meaning() -> None:
    from tiercli.engine.clean import REASONS_ZH
    from tiercli.engine.movement import MOVEMENTS_ZH

    assert set(REASONS_ZH) == set(REASONS)
    assert set(MOVEMENTS_ZH) == set(MOVEMENTS)


def test_an_unknown_language_is_refused(result: Result) -> None:
    with pytest.raises(UsageError, match="--lang 'fr'"):
        render_html(result, "fr")


STICKY = """
gradings:
  - name: heat
    sticky: true
    levels:
      - {name: hot, when: "monetary >= 1000"}
      - {name: cold}
"""


def test_movement_counts_per_grading_against_the_previous_run(tmp_path: Path) -> None:
    header = "customer_id,order_id,order_date,amount\n"
    first = classify(write(tmp_path, "q1.csv", header + "a,1,2024-01-01,50\nb,2,2024-01-02,2000\n"), rules=STICKY)
    previous = tmp_path / "q1.xlsx"
    write_result(first, str(previous))
    orders = write(tmp_path, "q2.csv", header + "a,3,2024-03-01,1500\nb,4,2024-03-01,10\nc,5,2024-03-02,10\n")
    second = classify(orders, rules=STICKY, previous=str(previous))
    section = parse(render_html(second)).find("section", id="movement")
    assert section.find("h2").text() == f"Movement against {previous}"
    assert section.find("h3").text() == "heat"
    rows = table_rows(section.find("table", "movement"))
    assert {row[0]: row[1] for row in rows} == {"new": "1", "up": "1", "down": "0", "same": "1", "returned": "0",
                                                 "lapsed": "0"}
    assert ["up", "1", "1,500.00", MOVEMENTS["up"]] in rows
    assert section.find("p", "held").text() == "held at the previous level: 1, in a grace period: 0, dropped: 0"
    chinese = parse(render_html(second, "zh")).find("section", id="movement")
    assert chinese.find("h2").text() == f"与上期对比：{previous}"
    assert ["新进", "1", "10.00", "不在上期结果中"] in table_rows(chinese.find("table", "movement"))


def test_colour_scale_runs_red_yellow_green_like_the_workbook() -> None:
    assert colour_scale([0.0, 5.0, 10.0, None]) == ["#f8696b", "#ffeb84", "#63be7b", None]
    assert colour_scale([2.5, 0.0, 10.0, 5.0, 7.5]) == ["#fcaa78", "#f8696b", "#63be7b", "#ffeb84", "#b1d480"]
    assert colour_scale([0.0, 1.0, 1.0]) == ["#f8696b", "#63be7b", "#63be7b"]  # the median is the highest
    assert colour_scale([3.0, 3.0]) == ["#ffeb84", "#ffeb84"]
    assert colour_scale([None]) == [None]


def test_write_html_writes_the_page_as_utf8(result: Result, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_html(result, str(out), lang="zh")
    assert out.read_bytes().decode("utf-8") == render_html(result, "zh")
    assert os.listdir(tmp_path) == ["report.html"]


def test_write_html_names_a_missing_directory(result: Result, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "report.html"
    with pytest.raises(OutputError) as caught:
        write_html(result, str(out))
    assert str(caught.value) == (f"{out}: the report's directory '{out.parent}' does not exist; give --report a path in an "
                                  "existing folder")


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(
    result: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.html"
    out.write_text("old report", encoding="utf-8")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match=r"can't replace the output: Permission denied; is it open in another program\?") as caught:
        write_html(result, str(out))
    assert str(out) in str(caught.value)
    assert os.listdir(tmp_path) == ["report.html"]
    assert out.read_text(encoding="utf-8") == "old report"
