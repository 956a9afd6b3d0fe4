"""The customers table's columns besides metrics and scores: their names in English and Chinese, and the columns
derived from each grading's name. Whatever a rules file names (a grading, a level, a tag, a custom metric) is
checked against these, so no rule can take the place of a column tiercli writes.
"""

from __future__ import annotations

# Columns of every run (or of runs with members, a previous run or overrides), in English → Chinese.
FIXED_ZH: dict[str, str] = {
    "customer_id": "客户ID",
    "tags": "标签",
    "movement": "变动",
    "overrides": "人工调整",
    "is_member": "是否会员",
    "member_level": "会员资料等级",  # not 会员等级: that is the name people give their own VIP grading
    "member_region": "会员地区",
    "member_channel": "会员渠道",
    "member_gender": "性别",
    "registered_at": "注册时间",
    "registered_days": "注册天数",
    "birthday": "生日",
    "age": "年龄",
    "birth_month": "生日月份",
}
# Columns derived from a grading's name: (English prefix, English suffix) → the Chinese suffix after the name.
DERIVED: tuple[tuple[tuple[str, str], str], ...] = (
    (("previous_", ""), "_上期"),
    (("movement_", ""), "_变动"),
    (("", "_why"), "_依据"),
    (("", "_grace_until"), "_保级截止"),
)


def grading_columns(grading: str) -> list[str]:
    """Every column a grading adds, in both languages: its own, then its why, previous, movement and grace
    columns."""
    found = [grading]
    for (prefix, suffix), zh_suffix in DERIVED:
        found += [f"{prefix}{grading}{suffix}", f"{grading}{zh_suffix}"]
    return found

# The movement matrix (previous level × current level) has a column per level, beside these: a level can't be one.
NEW_ROW = "(new)"
NOT_IN_DATA = "(not in this data)"
TOTAL = "total"
MATRIX_LABELS = (NEW_ROW, NOT_IN_DATA, TOTAL)
