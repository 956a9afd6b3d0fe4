"""The Thresholds sheet: per R/F/M dimension its metric, method, cut points and the customers per score; every
column as wide as its longest text. With `--lang zh` the metrics are named in Chinese, in their column and in the
ranges (`最近购买天数 > 552`, which a rule may also write)."""

from __future__ import annotations

import re

import pandas as pd

from tiercli.outputs.workbook.cells import write_grid
from tiercli.outputs.workbook.context import SheetContext, frame_rows
from tiercli.vocabulary.headers import SHEETS, header


def shown(thresholds: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The thresholds table in `lang`: each metric by its name in that language, in the ranges too."""
    if lang == "en" or not {"metric", "range"} <= set(thresholds.columns):
        return thresholds
    frame = thresholds.copy()
    names = {str(m): header(str(m), lang) for m in frame["metric"].dropna().unique()}
    frame["metric"] = [names.get(str(m), m) for m in frame["metric"]]
    frame["range"] = [
        _renamed(text, metric, names.get(str(metric), str(metric))) if isinstance(text, str) else text
        for text, metric in zip(frame["range"], thresholds["metric"], strict=True)
    ]
    return frame


def _renamed(text: str, metric: object, name: str) -> str:
    return re.sub(rf"(?<![\w]){re.escape(str(metric))}(?![\w])", name, text)


def write(ctx: SheetContext) -> None:
    thresholds = ctx.workbook.add_worksheet(SHEETS("Thresholds", ctx.lang))
    write_grid(thresholds, ctx.formats, frame_rows(shown(ctx.result.thresholds, ctx.lang), {}, ctx.lang))
    thresholds.freeze_panes(1, 0)
