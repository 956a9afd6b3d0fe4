"""The workbook as a user opens it: the Summary sheet as a dashboard (headline figures, the first grading's level
table and its charts on the first screen, no long columns), columns as wide as what they hold, money in the data's
currency, and with `--lang zh` labels instead of codes. Figures are checked against pandas over the Customers sheet."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from conftest import REPO, classify, write
from tiercli.outputs.writers import write_result
from tiercli.pipeline import RunConfig, run
from tiercli.rules.load import load_rules
from tiercli.sources.previous import read_run
from tiercli.vocabulary.labels import label

TMALL = REPO / "sample_data" / "tmall_orders.xlsx"
SHOPIFY = REPO / "sample_data" / "shopify_orders_export.csv"
RULES = REPO / "rules.example.yaml"
SCREEN_ROWS, SCREEN_COLS = 30, 14  # A1:N30, the first screen at 100% zoom
KPI_LABELS = {"en": ["customers", "revenue (net)", "orders", "repeat-purchase rate", "average order value",
                     "active customers (last 90 days)"],
              "zh": ["客户总数", "消费金额合计（净额）", "订单总数", "复购率", "客单价", "近 90 天活跃客户数"]}


def _workbook(source: Path, out: Path, lang: str, previous: Path | None = None) -> openpyxl.Workbook:
    result = run(RunConfig(files=[str(source)], rules=load_rules(RULES),
                           previous=str(previous) if previous else None))
    write_result(result, str(out), lang=lang)
    return openpyxl.load_workbook(out)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("dashboard")
    return {
        "tmall": _workbook(TMALL, folder / "tmall.xlsx", "en"),
        "tmall_zh": _workbook(TMALL, folder / "tmall_zh.xlsx", "zh", previous=folder / "tmall.xlsx"),
        "shopify": _workbook(SHOPIFY, folder / "shopify.xlsx", "en"),
        "folder": folder,
    }


def customers_frame(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, dtype={"customer_id": str, "客户ID": str})


def expected_kpis(frame: pd.DataFrame, lang: str) -> list[float]:
    """The headline figures by hand: customers, revenue, orders, repeat rate, AOV, active in 90 days."""
    money, freq, recency = (("monetary", "frequency", "recency_days") if lang == "en"
                            else ("消费金额", "购买次数", "最近购买天数"))
    spend = frame[money].fillna(0)
    orders = frame[freq].fillna(0)
    buyers = frame[orders >= 1]
    return [len(frame), spend.sum(), orders.sum(), (orders >= 2).sum() / (orders >= 1).sum(),
            spend.sum() / orders.sum(), int((buyers[recency] <= 90).sum())]


def kpi_block(ws: Worksheet) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=7, max_col=4)]


def widths(ws: Worksheet) -> dict[int, float]:
    """Column index (1-based) → width as the file sets it (xlsxwriter adds its padding of 0.71)."""
    found: dict[int, float] = {}
    for dimension in ws.column_dimensions.values():
        if dimension.width and dimension.min:
            for col in range(dimension.min, (dimension.max or dimension.min) + 1):
                found[col] = dimension.width
    return found


def shown_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_summary_opens_with_the_headline_figures_counted_as_pandas_counts_them(books: dict[str, Any]) -> None:
    block = kpi_block(books["tmall"]["Summary"])
    assert block[0][:2] == ["headline figures", "this run"]
    assert [row[0] for row in block[1:]] == KPI_LABELS["en"]
    expected = expected_kpis(customers_frame(books["folder"] / "tmall.xlsx", "Customers"), "en")
    assert [row[1] for row in block[1:]] == pytest.approx(expected, abs=0.006)


def test_with_a_previous_run_the_figures_show_it_and_the_change(books: dict[str, Any]) -> None:
    block = kpi_block(books["tmall_zh"]["汇总"])
    assert block[0] == ["核心指标", "本期", "上期", "变化"]
    assert [row[0] for row in block[1:]] == KPI_LABELS["zh"]
    now = expected_kpis(customers_frame(books["folder"] / "tmall_zh.xlsx", "客户"), "zh")
    before = expected_kpis(customers_frame(books["folder"] / "tmall.xlsx", "Customers"), "en")
    assert [row[1] for row in block[1:]] == pytest.approx(now, abs=0.006)
    assert [row[2] for row in block[1:]] == pytest.approx(before, abs=0.006)
    assert [row[3] for row in block[1:]] == pytest.approx([a - b for a, b in zip(now, before, strict=True)],
                                                          abs=0.01)
    ws = books["tmall_zh"]["汇总"]
    assert ws["D2"].number_format.startswith("+") and "¥" in ws["D3"].number_format


def test_the_level_table_and_charts_are_on_the_first_screen(books: dict[str, Any]) -> None:
    ws = books["tmall"]["Summary"]
    rules = load_rules(RULES)
    first = rules.gradings[0]
    header = next(r for r in range(1, SCREEN_ROWS + 1) if ws.cell(r, 1).value == "grading")
    levels = [ws.cell(r, 2).value for r in range(header + 1, header + 1 + len(first.levels))]
    assert levels == [level.name for level in first.levels]
    assert header + len(first.levels) <= SCREEN_ROWS
    assert max(c.column for c in ws[header] if c.value is not None) <= SCREEN_COLS
    assert len(ws._charts) == 3  # customers per level, revenue share, the Pareto curve
    for chart in ws._charts:
        assert chart.anchor._from.row < SCREEN_ROWS and chart.anchor._from.col < SCREEN_COLS
        assert chart.anchor._from.row > header + len(first.levels) - 1  # below the table, not over it


def test_no_summary_column_runs_long_and_the_curve_points_are_on_a_hidden_sheet(books: dict[str, Any]) -> None:
    book = books["tmall"]
    ws = book["Summary"]
    for col in range(1, ws.max_column + 1):
        filled = sum(1 for row in range(1, ws.max_row + 1) if ws.cell(row, col).value is not None)
        assert filled <= 40, get_column_letter(col)
    data = book["ChartData"]
    assert data.sheet_state == "hidden"
    assert data.max_row > 100  # the sample's Pareto points (up to 200 after the origin)
    pareto = ws._charts[2]
    assert pareto.series[0].yVal.numRef.f == f"ChartData!$B$2:$B${data.max_row}"


def test_the_summary_level_table_reads_back_for_diff_and_previous(books: dict[str, Any]) -> None:
    rules = load_rules(RULES)
    expected = {g.name: [level.name for level in g.levels] for g in rules.gradings}
    for name in ("tmall.xlsx", "tmall_zh.xlsx"):
        assert read_run(str(books["folder"] / name)).summary_levels == expected


@pytest.mark.parametrize(("book", "sheet"), [("tmall", "Thresholds"), ("tmall_zh", "分段阈值")])
def test_threshold_columns_are_as_wide_as_their_text(books: dict[str, Any], book: str, sheet: str) -> None:
    ws = books[book][sheet]
    set_widths = widths(ws)
    for col in range(1, ws.max_column + 1):
        texts = [str(ws.cell(r, col).value) for r in range(1, ws.max_row + 1) if ws.cell(r, col).value is not None]
        assert set_widths.get(col, 8.43) >= max(map(shown_width, texts)), (sheet, get_column_letter(col))


def _money_formats(book: openpyxl.Workbook, lang: str) -> list[str]:
    names = {"en": ("Customers", "Summary", "Tags", "Segments", "Lifecycle"),
             "zh": ("客户", "汇总", "标签", "RFM分群", "生命周期")}[lang]
    customers, summary, tags, segments, lifecycle = (book[n] for n in names)
    header = [c.value for c in customers[1]]
    money = header.index("monetary" if lang == "en" else "消费金额") + 1
    level_header = next(r for r in range(1, 30) if summary.cell(r, 1).value in ("grading", "分级"))
    return [customers.cell(2, money).number_format, summary["B3"].number_format,
            summary.cell(level_header + 1, 5).number_format, tags["D2"].number_format,
            segments["E2"].number_format, lifecycle["D2"].number_format]


@pytest.mark.parametrize(("book", "lang", "sign"), [("tmall", "en", "¥"), ("tmall_zh", "zh", "¥"),
                                                    ("shopify", "en", "$")])
def test_money_shows_the_data_currency(books: dict[str, Any], book: str, lang: str, sign: str) -> None:
    formats = _money_formats(books[book], lang)
    assert all(sign in f for f in formats), formats


def test_movement_money_shows_the_currency(books: dict[str, Any]) -> None:
    ws = books["tmall_zh"]["变动"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "变动")
    assert "¥" in ws.cell(header + 1, 3).number_format


def test_more_than_one_currency_is_a_note_of_the_summary(tmp_path: Path) -> None:
    text = ("order_id,customer_id,paid_at,amount,currency\n"
            "o1,a,2026-01-05 10:00:00,100,CNY\no2,a,2026-01-06 10:00:00,50,CNY\n"
            "o3,b,2026-01-07 10:00:00,20,USD\no4,c,2026-01-08 10:00:00,80,CNY\n")
    orders = write(tmp_path, "orders.csv", text)
    lines = pd.read_csv(orders)["currency"].value_counts()
    out = tmp_path / "out.xlsx"
    write_result(classify(orders, rules="version: 1\ntiers: [{name: all}]\n"), str(out))
    ws = openpyxl.load_workbook(out)["Summary"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    notes_at = cells.index("notes")
    notes = [c for c in cells[notes_at + 1:] if "USD" in c]  # the run's note, among the Summary's notes
    assert len(notes) == 1 and f"CNY {lines['CNY']}, USD {lines['USD']}" in notes[0]
    assert "¥" in ws["B3"].number_format  # money in the most used currency


def _column(ws: Worksheet, col: int, start: int = 2) -> list[Any]:
    return [ws.cell(r, col).value for r in range(start, ws.max_row + 1) if ws.cell(r, col).value is not None]


def _first_table(ws: Worksheet) -> list[Any]:
    """Column A of the sheet's first table: from row 2 to the first empty row."""
    values = []
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value is None:
            break
        values.append(ws.cell(row, 1).value)
    return values


def test_chinese_segments_and_lifecycle_show_labels_not_codes(books: dict[str, Any]) -> None:
    en, zh = books["tmall"], books["tmall_zh"]
    segments = _first_table(en["Segments"])
    assert _first_table(zh["RFM分群"]) == [label("segment", s, "zh") for s in segments]
    assert "冠军客户" in _first_table(zh["RFM分群"])
    stages = _first_table(en["Lifecycle"])
    assert _first_table(zh["生命周期"]) == [label("lifecycle", s, "zh") for s in stages]
    assert not (set(segments) | set(stages)) & (set(_first_table(zh["RFM分群"])) | set(_first_table(zh["生命周期"])))


def test_chinese_excluded_sheet_shows_the_reason_label_and_keeps_the_code(books: dict[str, Any]) -> None:
    ws = books["tmall_zh"]["排除行"]
    assert [c.value for c in ws[1]][2:5] == ["原因", "原因代码", "说明"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    codes = list(pd.read_excel(books["folder"] / "tmall.xlsx", sheet_name="Excluded")["reason"])
    assert [r[3] for r in rows] == codes  # the code column holds the English sheet's reasons, row by row
    assert [r[2] for r in rows] == [label("reason", code, "zh") for code in codes]
    assert "已取消" in {r[2] for r in rows}
    assert not {r[2] for r in rows} & set(codes)


def test_chinese_movement_and_run_sheets_show_labels(books: dict[str, Any]) -> None:
    movement = books["tmall_zh"]["变动"]
    first = _column(movement, 1, start=1)
    codes = ("new", "up", "down", "same", "returned", "lapsed")
    assert [label("movement", m, "zh") for m in codes] == [v for v in first if v in
                                                           {label("movement", m, "zh") for m in codes}][:6]
    assert not set(codes) & set(first)
    run_sheet = books["tmall_zh"]["运行信息"]
    values = [[c.value for c in row] for row in run_sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[:4] == ["文件", "状态", "归类", "所在行数"])
    classes = [row[2] for row in values[header + 1:] if row[0] and row[1] and isinstance(row[3], int)]
    statuses = pd.read_excel(TMALL)["订单状态"].value_counts()
    assert len(classes) == len(statuses)
    assert {label("status", c, "zh") for c in ("paid_done", "cancelled", "unpaid")} <= set(classes)
