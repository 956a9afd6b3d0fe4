"""The HTML report in a real browser (Debian's headless Chromium through playwright): tables and charts show,
nothing fails, and on a phone the page never scrolls sideways.

Skipped when Chromium or the playwright package is missing, except under CI (the CI variable set), where it
fails instead: CI installs both (see .ci/run and the `test` extra).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_html_report import ORDERS, RULES

from conftest import classify, write
from tiercli.outputs.html import write_html
from tiercli.result import Result

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _missing() -> str | None:
    """Why the browser test can't run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Result:
    return classify(write(tmp_path_factory.mktemp("browser"), "orders.csv", ORDERS), rules=RULES)


def _open(browser: Any, report: Path, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    """A page showing `report`, and the list its console errors and uncaught page errors are collected in."""
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(report.as_uri())
    return page, problems


def test_tables_and_charts_show_without_errors(browser: Any, result: Result, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    write_html(result, str(report))
    page, problems = _open(browser, report, DESKTOP)
    try:
        tables = page.locator("table.tiers")
        assert tables.count() == 2
        for index, grading in enumerate(("value", "会员")):
            table = tables.nth(index)
            assert table.is_visible()
            levels = result.summary[result.summary["grading"] == grading]["level"].tolist()
            assert page.locator("section.grading").nth(index).get_attribute("data-grading") == grading
            assert table.locator("tbody th").all_inner_texts() == levels
        charts = page.locator("svg.chart")
        assert charts.count() == 6  # two per grading, the Pareto curve, the tags
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            assert chart.is_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0, chart.get_attribute("id")
        assert page.locator("table.tags tbody th").all_inner_texts() == ["recent", "<script>alert(1)</script>"]
        assert problems == []
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_phone_never_scrolls_sideways(browser: Any, result: Result, tmp_path: Path, lang: str) -> None:
    report = tmp_path / f"report-{lang}.html"
    write_html(result, str(report), lang=lang)
    page, problems = _open(browser, report, PHONE)
    try:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page is {width[0]}px wide on a {width[1]}px screen"
        for index in range(page.locator("svg.chart").count()):
            box = page.locator("svg.chart").nth(index).bounding_box()
            assert box is not None and 0 < box["width"] <= PHONE["width"]
        assert problems == []
    finally:
        page.close()
