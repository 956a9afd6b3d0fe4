"""The words of the workbook besides its headers, in English and Chinese: labels of its small sheets and chart
titles (headers and sheet names: `tiercli.vocabulary.headers`)."""

from __future__ import annotations

from tiercli.i18n import Catalogue
from tiercli.outputs.report_sheets import ChartTitles

LABELS = Catalogue({
    "as_of": ("as_of", "统计截止时间"),
    "customers": ("customers", "客户数"),
    "rows read": ("rows read", "读取行数"),
    "rows used": ("rows used", "使用行数"),
    "rows excluded": ("rows excluded", "排除行数"),
    "excluded": ("excluded: {reason}", "排除：{reason}"),
    "note": ("note", "说明"),
    "Run": ("Run", "运行信息"),
    "Inputs": ("Inputs", "输入文件"),
    "Mapping": ("Mapping", "列对应"),
    "field": ("field", "字段"),
    "source header": ("source header", "原始列名"),
    "rf customers": ("customers by R score (rows) and F score (columns)", "客户数：R分（行）× F分（列）"),
    "rf spend": ("mean monetary by R score (rows) and F score (columns)", "平均消费金额：R分（行）× F分（列）"),
    "split": (
        "{rows} {what} are more than one Excel sheet holds ({limit} rows below the header), so they are on {sheets} "
        "sheets, '{first}' to '{last}'; write .csv or .parquet to get them in one table",
        "{rows} 条{what}超过了 Excel 单个工作表的容量（表头下 {limit} 行），因此分在 {sheets} 个工作表（'{first}' 至 "
        "'{last}'）；如需一张完整的表，请输出 .csv 或 .parquet",
    ),
    "customers noun": ("customers", "客户"),
    "manual": ("manual (overrides)", "人工（人工调整文件）"),
    "rules": ("rules", "规则"),
    "excluded noun": ("excluded rows", "排除行"),
    # the Run sheet's table of inputs
    "name": ("name", "名称"),
    "path": ("path", "路径"),
    "sha256": ("sha256", "sha256"),
    "kind": ("kind", "类型"),
    "sheet": ("sheet", "工作表"),
    "encoding": ("encoding", "编码"),
    "delimiter": ("delimiter", "分隔符"),
    "header_row": ("header_row", "表头行"),
    "platform": ("platform", "平台"),
    "rows_read": ("rows_read", "读取行数"),
    "rows_used": ("rows_used", "使用行数"),
    "rows_excluded": ("rows_excluded", "排除行数"),
})

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
