"""Short labels for the stable codes tiercli writes in its outputs: exclusion reasons, status classes, lifecycle
stages, movement values and the segment names of the packaged tables. The data keeps the code; the workbook,
CSV, HTML report and terminal show the label of the run's language (`tiercli.vocabulary.labels.label`).

key → (English, Chinese); keys are "labels.<kind>.<code>", the code with every run of non-letters as `_`, lower
case. The English label is the code as written (English outputs show the codes), except for cn-8's segments,
whose codes are the Chinese names."""

ENTRIES: dict[str, tuple[str, str]] = {
    # exclusion reasons (orders and events)
    "reason.unpaid": ("unpaid", "未付款"),
    "reason.cancelled": ("cancelled", "已取消"),
    "reason.refunded_in_full": ("refunded_in_full", "全额退款"),
    "reason.missing_customer": ("missing_customer", "缺少客户"),
    "reason.bad_date": ("bad_date", "时间无效"),
    "reason.bad_amount": ("bad_amount", "金额无效"),
    "reason.unknown_status": ("unknown_status", "未知状态"),
    "reason.duplicate_order": ("duplicate_order", "重复订单"),
    "reason.extra_cells": ("extra_cells", "多余单元格"),
    "reason.summary_row": ("summary_row", "合计行"),
    "reason.adjustment": ("adjustment", "调整记录"),
    "reason.no_order": ("no_order", "无对应订单"),
    "reason.after_as_of": ("after_as_of", "晚于截止时间"),
    "reason.unknown_event": ("unknown_event", "未知行为"),
    # status classes (unpaid and cancelled: as the reasons)
    "status.paid_done": ("paid_done", "已付款完成"),
    "status.paid_in_progress": ("paid_in_progress", "已付款进行中"),
    "status.refunded": ("refunded", "已退款"),
    "status.unknown": ("unknown", "未知"),
    # lifecycle stages
    "lifecycle.potential": ("potential", "潜在客户"),
    "lifecycle.new": ("new", "新客户"),
    "lifecycle.active": ("active", "活跃客户"),
    "lifecycle.at_risk": ("at_risk", "流失预警"),
    "lifecycle.churned": ("churned", "已流失"),
    # movement values
    "movement.new": ("new", "新进"),
    "movement.up": ("up", "升级"),
    "movement.down": ("down", "降级"),
    "movement.same": ("same", "不变"),
    "movement.returned": ("returned", "回归"),
    "movement.lapsed": ("lapsed", "本期未出现"),
    # segment names of the packaged tables (default, r-rfm, pymc), as the rfm preset names its levels
    "segment.champions": ("Champions", "冠军客户"),
    "segment.loyal": ("Loyal", "忠诚客户"),
    "segment.loyal_customers": ("Loyal Customers", "忠诚客户"),
    "segment.can_t_lose_them": ("Can't Lose Them", "不能流失"),
    "segment.at_risk": ("At Risk", "流失风险"),
    "segment.potential_loyalist": ("Potential Loyalist", "潜力客户"),
    "segment.new": ("New", "新客户"),
    "segment.new_customers": ("New Customers", "新客户"),
    "segment.promising": ("Promising", "有潜力"),
    "segment.need_attention": ("Need Attention", "需要关注"),
    "segment.about_to_sleep": ("About To Sleep", "即将沉睡"),
    "segment.hibernating": ("Hibernating", "休眠客户"),
    "segment.lost": ("Lost", "已流失"),
    "segment.others": ("Others", "其他"),
    "segment.premium_customer": ("Premium Customer", "高端客户"),
    "segment.repeat_customer": ("Repeat Customer", "复购客户"),
    "segment.top_spender": ("Top Spender", "高消费客户"),
    "segment.at_risk_customer": ("At Risk Customer", "流失风险客户"),
    "segment.inactive_customer": ("Inactive Customer", "不活跃客户"),
    "segment.other": ("Other", "其他"),
    # cn-8: the code is the Chinese name, the English label its usual translation
    "segment.重要价值客户": ("Important value", "重要价值客户"),
    "segment.重要保持客户": ("Important retention", "重要保持客户"),
    "segment.重要发展客户": ("Important development", "重要发展客户"),
    "segment.重要挽留客户": ("Important win-back", "重要挽留客户"),
    "segment.一般价值客户": ("General value", "一般价值客户"),
    "segment.一般保持客户": ("General retention", "一般保持客户"),
    "segment.一般发展客户": ("General development", "一般发展客户"),
    "segment.一般挽留客户": ("General win-back", "一般挽留客户"),
}
