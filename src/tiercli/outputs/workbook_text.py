"""The words of the workbook besides its headers, in English and Chinese: labels of its small sheets and chart
titles (headers and sheet names: `tiercli.vocabulary.headers`)."""

from __future__ import annotations

from tiercli.messages import Catalogue
from tiercli.outputs.report_sheets import ChartTitles

LABELS = Catalogue("outputs.label")

_ZH_CHARTS = ChartTitles(
    customers="{grading}：客户数",
    revenue="{grading}：消费金额占比",
    pareto="帕累托曲线：按客户排名的消费金额",
    pareto_x="客户占比（消费最高者在前）",
    pareto_y="消费金额占比",
    pareto_series="累计消费金额占比",
    tags="各标签客户数",
    customers_series="客户数",
    revenue_series="消费金额",
)


def chart_titles(lang: str) -> ChartTitles:
    return _ZH_CHARTS if lang == "zh" else ChartTitles()
