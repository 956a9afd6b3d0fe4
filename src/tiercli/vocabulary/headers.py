"""The headers of the tables tiercli writes, in English and Chinese, and the sheet names.

Column headers of the customers table are tiercli's own names (`monetary`, `previous_<grading>`, …) in English,
and their Chinese names (消费金额, `<grading>_上期`, …) with `--lang zh`. Grading, level and tag names are the
user's own and stay as written. `canonical_header` turns a Chinese header back into tiercli's name, so that an
output written in either language can be read back (`--previous`, `tiercli diff`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pyarrow as pa

from tiercli.messages import Catalogue
from tiercli.vocabulary.columns import DERIVED, FIXED_ZH
from tiercli.vocabulary.metrics import ZH_NAMES

SHEETS = Catalogue("outputs.sheet")

# Fixed column names of the tables tiercli writes, beyond the metric and score names of ZH_NAMES.
_FIXED_ZH: dict[str, str] = {
    **ZH_NAMES,
    **FIXED_ZH,
    # the Summary, Tags, Segments, Lifecycle and Thresholds tables
    "grading": "分级",
    "level": "等级",
    "customers": "客户数",
    "share": "占比",
    "revenue": "消费金额合计",
    "revenue_share": "消费金额占比",
    "revenue share": "消费金额占比",
    "mean_orders": "平均订单数",
    "mean_recency_days": "平均最近购买天数",
    "benefit": "权益",
    "tag": "标签",
    "set by": "设置方式",
    "orders": "订单数",
    "median recency_days": "最近购买天数中位数",
    "median frequency": "购买次数中位数",
    "median monetary": "消费金额中位数",
    "stage": "阶段",
    "dimension": "维度",
    "metric": "指标",
    "score": "分值",
    "min": "最小值",
    "max": "最大值",
    "range": "范围",
    "cut_points": "切分点",
    "method": "方法",
    "ties": "并列处理",
    # the Excluded table's own columns (the original cells follow under their own headers)
    "file": "文件",
    "row": "行号",
    "reason": "原因",
    "message": "说明",
    # the Movement sheet's movers table
    "previous": "上期等级",
    "current": "本期等级",
    "why": "依据",
    "customer share": "客户占比",
}
_NAME_OF_ZH: dict[str, str] = {}
for _name, _zh in _FIXED_ZH.items():  # where two names share a Chinese one, the customers table's (listed first) wins
    _NAME_OF_ZH.setdefault(_zh, _name)


def header(name: str, lang: str, gradings: Sequence[str] = (), own: Collection[str] = ()) -> str:
    """The header a column is written under: tiercli's name in English, its Chinese name with `zh`. Names the
    user chose (`gradings`, and `own`: tags and the like) stay as they are."""
    if lang != "zh" or name in own or name in gradings:
        return name
    if name in _FIXED_ZH:
        return _FIXED_ZH[name]
    for grading in gradings:
        for (en_prefix, en_suffix), zh_suffix in DERIVED:
            if name == f"{en_prefix}{grading}{en_suffix}":
                return f"{grading}{zh_suffix}"
    return name


def canonical_header(name: str) -> str:
    """tiercli's name for a header written in either language (the inverse of `header`)."""
    if name in _NAME_OF_ZH:
        return _NAME_OF_ZH[name]
    for (en_prefix, en_suffix), zh_suffix in DERIVED:
        if name.endswith(zh_suffix) and len(name) > len(zh_suffix):
            return f"{en_prefix}{name[: -len(zh_suffix)]}{en_suffix}"
    return name


def canonical_table(table: pa.Table) -> pa.Table:
    """`table` with Chinese headers renamed to tiercli's names, unless that would give two columns one name."""
    names = [canonical_header(n) for n in table.column_names]
    if names == table.column_names or len(set(names)) != len(names):
        return table
    return table.rename_columns(names)


def translated_names(names: Sequence[str], lang: str, gradings: Sequence[str] = (),
                     own: Collection[str] = ()) -> list[str]:
    """The headers `names` in `lang`; as they are for English, or when two headers would collide."""
    translated = [header(n, lang, gradings, own) for n in names]
    return list(names) if len(set(translated)) != len(translated) else translated
