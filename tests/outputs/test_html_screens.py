"""The HTML report of the sample exports as a person sees it: in Chromium at 1280 and 390 px, in English and
Chinese, the headline figures first and equal to a computation over the customers CSV written here with pandas,
money with the shop's currency sign, nothing wider than the screen but inside a scroll box, no cell cut, a Chinese
level name on one line; and, against a previous run, the migration matrix and the top movers counted from the
two customer outputs. Screenshots are kept in the test's folder (PNG, the page's width)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from test_html_in_browser import DESKTOP, PHONE, _open, browser  # noqa: F401  (browser: the fixture)
from test_html_report import Node, parse, table_header, table_rows

from conftest import REPO, invoke

TMALL = REPO / "sample_data" / "tmall_orders.xlsx"
SHOPIFY = REPO / "sample_data" / "shopify_orders_export.csv"
RULES = REPO / "rules.example.yaml"
SAMPLES = {"tmall": (TMALL, ("-r", str(RULES)), "¥"), "shopify": (SHOPIFY, (), "$")}
ACTIVE_DAYS = 90
TOP_MOVERS = 20


def _classify(folder: Path, sample: str, lang: str, *extra: str) -> tuple[Path, Path]:
    """`tiercli classify` of a sample: (the customers CSV, the HTML report)."""
    source, rules, _ = SAMPLES[sample]
    customers, report = folder / f"{sample}-{lang}.csv", folder / f"{sample}-{lang}.html"
    code, _, err = invoke("classify", str(source), *rules, "-o", str(customers), "--report", str(report),
                          "--lang", lang, "-q", *extra)
    assert code == 0, err
    return customers, report


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("screens")
    return {(sample, lang): _classify(folder, sample, lang) for sample in SAMPLES for lang in ("en", "zh")}


def expected_kpis(customers_csv: Path, sign: str) -> dict[str, str]:
    """The headline figures computed from the customers CSV (English headers), as the cards show them."""
    frame = pd.read_csv(customers_csv, dtype={"customer_id": str})
    monetary = frame["monetary"].fillna(0)
    frequency = frame["frequency"].fillna(0)
    revenue = round(float(monetary.sum()), 2)
    orders = int(frequency.sum())
    buyers = int((frequency >= 1).sum())
    repeaters = int((frequency >= 2).sum())
    active = int(((frequency >= 1) & (frame["recency_days"] <= ACTIVE_DAYS)).sum())
    return {
        "customers": f"{len(frame):,}",
        "revenue": f"{sign}{revenue:,.0f}",
        "repeat_rate": f"{repeaters / buyers:.1%}",
        "aov": f"{sign}{round(revenue / orders, 2):,.2f}",
        "active_90d": f"{active:,}",
    }


# what the page must hold, checked in the page itself
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX; if (x === 'auto' || x === 'scroll') return true; } return false; };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && !scrolls(el))
      out.push(`${el.tagName}.${el.getAttribute('class')} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return out;
}"""
CUT_CELLS = """(desktop) => {
  const out = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.scrollWidth > cell.clientWidth + 1) out.push(`cell ${cell.textContent}`);
  }
  for (const table of document.querySelectorAll('table')) {
    const wrap = table.parentElement;
    const scrolls = getComputedStyle(wrap).overflowX === 'auto';
    if (!scrolls) out.push(`table ${table.className} outside a scroll box`);
    if (desktop && wrap.scrollWidth > wrap.clientWidth + 1) out.push(`table ${table.className} wider than the page`);
  }
  return out;
}"""
LINES_OF_NAMES = """(selector) => [...document.querySelectorAll(selector)].map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return [cell.textContent, tops.size, range.getBoundingClientRect().height,
          parseFloat(getComputedStyle(cell).lineHeight)];
})"""


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("sample", list(SAMPLES))
def test_the_report_reads_at_a_glance_on_a_desktop_and_a_phone(
    browser: Any, reports: dict[tuple[str, str], tuple[Path, Path]], tmp_path: Path, sample: str,  # noqa: F811
    lang: str, viewport: dict[str, int],
) -> None:
    _, report = reports[sample, lang]
    sign = SAMPLES[sample][2]
    page, problems = _open(browser, report, viewport)
    try:
        first = page.evaluate("[...document.querySelector('main').children].find((e) => e.tagName === 'SECTION').id")
        assert first == "kpis"
        shown = {page.locator(".kpi").nth(i).get_attribute("data-kpi"): page.locator(".kpi-value").nth(i).inner_text()
                 for i in range(page.locator(".kpi").count())}
        assert shown == expected_kpis(reports[sample, "en"][0], sign)

        for column in (3, 5):  # revenue and AOV of each level
            cells = page.locator(f"table.tiers tbody tr td:nth-child({column + 1})").all_inner_texts()
            assert cells and all(text.startswith(sign) for text in cells), cells
        assert page.locator("table.tags tbody td:nth-child(4)").all_inner_texts() == [] or all(
            text.startswith(sign) for text in page.locator("table.tags tbody td:nth-child(4)").all_inner_texts())

        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate(CUT_CELLS, viewport is DESKTOP) == []
        names = page.evaluate(LINES_OF_NAMES, "table.tiers tbody th, table.segments tbody th, table.tags tbody th")
        assert names
        for name, lines, height, line_height in names:
            assert lines == 1 and height <= line_height + 0.5, f"{name!r} takes {lines} lines ({height}px)"
        if sample == "tmall":
            assert any(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name, *_ in names)

        shot = tmp_path / f"{sample}-{lang}-{viewport['width']}.png"
        page.screenshot(path=str(shot), full_page=True)
        width, height = png_size(shot)
        assert shot.stat().st_size > 10_000 and width == viewport["width"] and height > viewport["height"]
        assert problems == []
    finally:
        page.close()


def test_the_movement_shows_the_migration_matrix_and_the_top_movers(tmp_path: Path) -> None:
    before = tmp_path / "before.csv"
    code, _, err = invoke("classify", str(TMALL), "-r", str(RULES), "--as-of", "2026-04-30", "-o", str(before), "-q")
    assert code == 0, err
    customers, report = _classify(tmp_path, "tmall", "en", "--previous", str(before))

    levels = [tier["name"] for tier in yaml.safe_load(RULES.read_text(encoding="utf-8"))["tiers"]]
    previous = pd.read_csv(before, dtype={"customer_id": str})[["customer_id", "tier"]]
    now = pd.read_csv(customers, dtype={"customer_id": str})[["customer_id", "tier", "monetary"]]
    both = now.merge(previous.rename(columns={"tier": "before"}), on="customer_id", how="left")
    both["before"] = both["before"].fillna("(new)")
    expected = pd.crosstab(both["before"], both["tier"])

    page = parse(report.read_text(encoding="utf-8"))
    section = page.find("section", "movement-grading", data_grading="tier")
    matrix = section.find("table", "matrix")
    header = table_header(matrix)
    assert header[1:] == [*levels, "(not in this data)", "total"]
    rows = {row[0]: row[1:] for row in table_rows(matrix)}
    assert list(rows) == ["(new)", *levels, "total"]
    for before_level in ["(new)", *levels]:
        for i, level in enumerate(levels):
            count = int(expected.loc[before_level, level]) if before_level in expected.index else 0
            assert rows[before_level][i] == f"{count:,}", (before_level, level)
    assert rows["total"][-1] == f"{len(now):,}"

    rank = {level: i for i, level in enumerate(levels)}
    moved = both[both["before"].isin(levels)]
    moved = moved[moved["before"].map(rank) != moved["tier"].map(rank)]
    counts = {row[0]: row[1] for row in table_rows(section.find("table", "movement"))}
    assert counts["up"] == f"{int((moved['tier'].map(rank) < moved['before'].map(rank)).sum()):,}"
    assert counts["down"] == f"{int((moved['tier'].map(rank) > moved['before'].map(rank)).sum()):,}"
    assert counts["new"] == f"{int((both['before'] == '(new)').sum()):,}"

    top = moved.sort_values(["monetary", "customer_id"], ascending=[False, True]).head(TOP_MOVERS)
    movers = section.find("table", "movers")
    caption = next(p for p in section.find_all("p", "caption") if "movers" in p.text())
    assert caption.text() == f"Top {len(top)} of {len(moved)} movers by monetary (up, down, returned)"
    assert table_rows(movers) == [
        [r.customer_id, r.before, r.tier, "up" if rank[r.tier] < rank[r.before] else "down", f"¥{r.monetary:,.2f}"]
        for r in top.itertuples()
    ]


def test_an_empty_score_shows_a_dash_with_its_reason(reports: dict[tuple[str, str], tuple[Path, Path]]) -> None:
    for lang in ("en", "zh"):
        report = reports["tmall", lang][1]
        frame = pd.read_csv(reports["tmall", "en"][0], dtype={"customer_id": str})
        page = parse(report.read_text(encoding="utf-8"))
        grid = page.find("table", "rf-customers")
        scores = [int(s) for s in table_header(grid)[1:]]
        missing = [s for s in scores if not (frame["f_score"] == s).any()]
        assert missing  # the sample's frequencies leave an F score without customers
        for row in grid.find("tbody").find_all("tr"):
            cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td"]
            for score, cell in zip(scores, cells, strict=True):
                if score in missing:
                    assert cell.text() == "—" and "style" not in cell.attrs and cell.attrs["title"]
                else:
                    assert cell.text() != "—"
        note = page.find("p", "empty-note").text()
        assert note.startswith("— no customer has this score: F scores" if lang == "en" else "— 表示没有客户得到该分：F 得分")
