"""The CLV sheet: the clv: model's settings, fitted parameters with standard errors, fit quality, totals and the
distribution of P(alive) with a chart; and, for `tiercli clv`, the holdout validation beside it."""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tiercli.messages import say
from tiercli.outputs.staging import Staging
from tiercli.outputs.workbook.cells import INTEGER, MONEY, SPILL, TWO_DECIMALS, Formats, write_grid
from tiercli.outputs.workbook.charts import CHART_ROWS
from tiercli.outputs.workbook.context import Grid, SheetContext
from tiercli.outputs.workbook.single import write_single_sheet
from tiercli.outputs.workbook_text import CHARTS, CLV_TEXT
from tiercli.result import ClvFigures, Holdout, ModelFit
from tiercli.vocabulary.headers import SHEETS

FOUR_DECIMALS = "0.0000"


def write(ctx: SheetContext) -> None:
    figures = ctx.result.clv
    if figures is None:
        return
    ws = ctx.workbook.add_worksheet(SHEETS("CLV", ctx.lang))
    write_clv(ctx.workbook, ws, ctx.formats, figures, None, ctx.lang)


def _grid(figures: ClvFigures, holdout: Holdout | None, lang: str) -> tuple[Grid, int | None, int | None]:
    """The sheet's rows; the row of the P(alive) table's first bin and of the holdout table's first count."""
    t = CLV_TEXT
    rows: Grid = [
        [(t("title", lang), "bold")],
        [(t("model", lang), None), (t(f"model.{figures.model}", lang), None)],
        [(t("time_unit", lang), None), (t(f"unit.{figures.unit}", lang), None)],
        [(t("horizon_days", lang), None), (figures.horizon_days, INTEGER)],
        [(t("discount_rate", lang), None), (figures.discount_rate, "0.0%")],
        [(t("buyers", lang), None), (figures.buyers, INTEGER)],
        [(t("repeat_buyers", lang), None), (figures.repeat_buyers, INTEGER)],
        [(t("history_days", lang), None), (figures.history_days, INTEGER)],
        [],
    ]
    for note in figures.notes:
        rows.append([(t("note", lang, note=note), SPILL)])
    if figures.notes:
        rows.append([])
    for fit in (figures.purchase, figures.spend):
        if fit is not None:
            rows.extend(_fit_rows(fit, lang))
            rows.append([])
    if figures.purchase is not None:
        rows.append([(t("expected_orders_total", lang, days=figures.horizon_days), None),
                     (figures.expected_orders, TWO_DECIMALS)])
    if figures.spend is not None:
        rows.append([(t("clv_total", lang, days=figures.horizon_days), None), (figures.clv_total, MONEY)])
    if figures.correlation is not None:
        rows.append([(t("correlation", lang), None), (figures.correlation, FOUR_DECIMALS)])
        rows.append([(t("correlation_meaning", lang), SPILL)])
    alive_row = None
    if figures.p_alive_counts:
        rows += [[], [(t("p_alive_range", lang), "bold"), (t("customers", lang), "bold")]]
        alive_row = len(rows)
        rows.extend([(label, None), (count, INTEGER)] for label, count in figures.p_alive_tenths())
    holdout_row = None
    if holdout is not None:
        rows += [[], [(t("holdout_title", lang, start=holdout.calibration_end, end=holdout.holdout_end), "bold")],
                 [(t(h, lang), "bold") for h in ("repeat_purchases", "customers", "actual", "predicted")]]
        holdout_row = len(rows)
        for label, customers, actual, predicted in holdout.rows:
            rows.append([(label, None), (customers, INTEGER), (actual, TWO_DECIMALS), (predicted, TWO_DECIMALS)])
        rows += [[(t("total", lang), "bold"), (holdout.customers, INTEGER),
                  (holdout.actual_total, TWO_DECIMALS), (holdout.predicted_total, TWO_DECIMALS)],
                 [(t("mae", lang), None), (holdout.mean_absolute_error, FOUR_DECIMALS)]]
    return rows, alive_row, holdout_row


def _fit_rows(fit: ModelFit, lang: str) -> Grid:
    t = CLV_TEXT
    rows: Grid = [[(t(f"model.{fit.model}", lang), "bold"), (t("estimate", lang), "bold"),
                   (t("std_error", lang), "bold")]]
    for name, value, error in zip(fit.names, fit.params, fit.std_errors, strict=True):
        rows.append([(name, None), (value, FOUR_DECIMALS), (error, FOUR_DECIMALS)])
    rows.append([(t("log_likelihood", lang), None), (fit.log_likelihood, TWO_DECIMALS)])
    rows.append([(t("fitted_on", lang), None), (fit.customers, INTEGER)])
    return rows


def write_clv(workbook: Workbook, ws: Worksheet, formats: Formats, figures: ClvFigures, holdout: Holdout | None,
              lang: str) -> None:
    """The CLV table on `ws`, a chart of P(alive) and, with a holdout, a chart of actual vs predicted."""
    rows, alive_row, holdout_row = _grid(figures, holdout, lang)
    write_grid(ws, formats, rows)
    sheet = ws.get_name()
    anchor = 0
    if alive_row is not None:
        chart = workbook.add_chart({"type": "column"})
        last = alive_row + len(figures.p_alive_counts) - 1
        chart.add_series({"name": CLV_TEXT("customers", lang), "categories": [sheet, alive_row, 0, last, 0],
                          "values": [sheet, alive_row, 1, last, 1]})
        chart.set_title({"name": CHARTS("p_alive", lang)})
        chart.set_legend({"none": True})
        ws.insert_chart(anchor, 5, chart)
        anchor += CHART_ROWS
    if holdout is not None and holdout_row is not None:
        chart = workbook.add_chart({"type": "column"})
        last = holdout_row + len(holdout.rows) - 1
        for col, key in ((2, "actual"), (3, "predicted")):
            chart.add_series({"name": CLV_TEXT(key, lang), "categories": [sheet, holdout_row, 0, last, 0],
                              "values": [sheet, holdout_row, col, last, col]})
        chart.set_title({"name": CHARTS("holdout", lang)})
        ws.insert_chart(anchor, 5, chart)


def write_clv_workbook(figures: ClvFigures, holdout: Holdout, out: str, lang: str = "en",
                       staging: Staging | None = None) -> None:
    """`tiercli clv -o`: a workbook holding the CLV sheet with its holdout validation."""

    def sheet(workbook: Workbook, formats: Formats) -> None:
        write_clv(workbook, workbook.add_worksheet(SHEETS("CLV", lang)), formats, figures, holdout, lang)

    write_single_sheet(out, say("outputs.clv_not_xlsx"), sheet, staging)
