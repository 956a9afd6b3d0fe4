"""The Behaviour sheet (with --events): the events files and how they read, events and customers per event type,
the customers with events (those without an order apart), the time span, and the view → favourite → cart →
purchase funnel overall and per category, with native charts of the funnel."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tiercli.messages import in_lang, text
from tiercli.outputs.workbook.cells import INTEGER, RATIO, SPILL, write_grid
from tiercli.outputs.workbook.charts import CHART_ROWS
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.outputs.workbook_text import BEHAVIOUR_TEXT, CHARTS
from tiercli.result import BehaviourFigures, FunnelRow
from tiercli.vocabulary.events import EVENT_TYPE_NAMES, EVENT_TYPES
from tiercli.vocabulary.headers import SHEETS

# The funnel table's columns after the category: events per type, then the different customers with one.
FUNNEL_EVENTS = ("views", "favourites", "carts", "purchases")
FUNNEL_CUSTOMERS = ("viewers", "favouriters", "carters", "buyers")
FUNNEL_RATES = ("cart_rate", "buy_rate")
CHART_CATEGORIES = 10  # categories in the per-category chart: the most viewed


def funnel_rates(row: FunnelRow) -> tuple[float | None, float | None]:
    """Carters and buyers as a share of viewers (None without viewers)."""
    if not row.viewers:
        return None, None
    return row.carters / row.viewers, row.buyers / row.viewers


def category_name(row: FunnelRow, lang: str) -> str:
    """The funnel row's category, or the words for all events."""
    return BEHAVIOUR_TEXT("all", lang) if row.category is None else row.category


def funnel_heading(figures: BehaviourFigures, lang: str) -> str:
    """What the funnel table shows: all events, then the most viewed categories (every category when all fit)."""
    shown = len(figures.funnel) - 1
    if shown == figures.categories:
        return BEHAVIOUR_TEXT("funnel_every", lang, categories=figures.categories)
    return BEHAVIOUR_TEXT("funnel", lang, shown=shown, categories=figures.categories)


def customers_of_type(figures: BehaviourFigures) -> dict[str, int]:
    """The different customers with an event of each type (the overall funnel row's)."""
    overall = figures.funnel[0] if figures.funnel else None
    return {event: getattr(overall, people) if overall is not None else 0
            for event, people in zip(EVENT_TYPES, FUNNEL_CUSTOMERS, strict=True)}


def write(ctx: SheetContext) -> None:
    figures = ctx.result.behaviour
    if figures is None:
        return
    ws = ctx.workbook.add_worksheet(SHEETS("Behaviour", ctx.lang))
    rows, header_row = _grid(figures, ctx.lang)
    write_grid(ws, ctx.formats, rows)
    if figures.funnel:
        _charts(ctx.workbook, ws, figures, header_row, len(rows[header_row]) + 1, ctx.lang)


def _grid(figures: BehaviourFigures, lang: str) -> tuple[Grid, int]:
    """The sheet's rows, and the row of the funnel table's header."""
    t = BEHAVIOUR_TEXT
    rows: Grid = [
        [(t("title", lang), "bold")],
        [],
        [(t("files", lang), "bold")],
        [(t(key, lang), "bold") for key in ("file", "layout", "rows read", "rows used", "rows excluded", "not_used")],
    ]
    rows.extend([(f.name, None), (f.layout, None), (f.rows_read, INTEGER), (f.rows_used, INTEGER),
                 (f.rows_excluded, INTEGER), (f.not_used, INTEGER)] for f in figures.files)
    people = customers_of_type(figures)
    rows += [[], [(t("per_type", lang), "bold")],
             [(t("event", lang), "bold"), (t("events", lang), "bold"), (t("customers", lang), "bold")]]
    rows.extend([(in_lang(EVENT_TYPE_NAMES[event], lang), None), (figures.events_by_type.get(event, 0), INTEGER),
                 (people[event], INTEGER)] for event in EVENT_TYPES)
    rows += [
        [],
        [(text("engine.run.event_customers", lang), "bold"), (figures.customers, INTEGER)],
        [(t("without_orders", lang), "bold"), (figures.without_orders, INTEGER)],
        [(t("first_event", lang), "bold"), (figures.first_event, None)],
        [(t("last_event", lang), "bold"), (figures.last_event, None)],
        [(t("categories", lang), "bold"), (figures.categories, INTEGER)],
        [],
        [(funnel_heading(figures, lang), SPILL)],
    ]
    header_row = len(rows)
    rows.append([(t(key, lang), "bold") for key in ("category", *FUNNEL_EVENTS, *FUNNEL_CUSTOMERS, *FUNNEL_RATES)])
    for row in figures.funnel:
        counts = [getattr(row, name) for name in (*FUNNEL_EVENTS, *FUNNEL_CUSTOMERS)]
        rows.append([(category_name(row, lang), "bold" if row.category is None else None),
                     *((n, INTEGER) for n in counts), *((rate, RATIO) for rate in funnel_rates(row))])
    rows += [[], [(t("rates_meaning", lang), SPILL)]]
    return rows, header_row


def _charts(workbook: Workbook, ws: Worksheet, figures: BehaviourFigures, header_row: int, anchor_col: int,
            lang: str) -> None:
    """Beside the funnel table: the overall funnel (customers per stage), then viewers, carters and buyers of the
    most viewed categories."""
    sheet = ws.get_name()
    first_people = 1 + len(FUNNEL_EVENTS)
    last_people = first_people + len(FUNNEL_CUSTOMERS) - 1
    overall = header_row + 1
    funnel = workbook.add_chart({"type": "column"})
    funnel.add_series({"name": BEHAVIOUR_TEXT("customers", lang),
                       "categories": [sheet, header_row, first_people, header_row, last_people],
                       "values": [sheet, overall, first_people, overall, last_people],
                       "data_labels": {"value": True}})
    funnel.set_title({"name": CHARTS("funnel", lang)})
    funnel.set_x_axis({"name": CHARTS("funnel_stage", lang)})
    funnel.set_legend({"none": True})
    ws.insert_chart(0, anchor_col, funnel)
    shown = min(len(figures.funnel) - 1, CHART_CATEGORIES)
    if shown < 1:
        return
    per_category = workbook.add_chart({"type": "column"})
    for name in ("viewers", "carters", "buyers"):
        col = 1 + len(FUNNEL_EVENTS) + FUNNEL_CUSTOMERS.index(name)
        per_category.add_series({"name": [sheet, header_row, col],
                                 "categories": [sheet, overall + 1, 0, overall + shown, 0],
                                 "values": [sheet, overall + 1, col, overall + shown, col]})
    per_category.set_title({"name": CHARTS("funnel_categories", lang, shown=shown)})
    per_category.set_legend({"position": "bottom"})
    ws.insert_chart(CHART_ROWS, anchor_col, per_category, {"x_scale": 1.5})
