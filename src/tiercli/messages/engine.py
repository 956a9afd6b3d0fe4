"""What tiercli says while it cleans, computes, scores and explains (notes, warnings, why text, errors).

key → (English, Chinese); keys are used as "engine.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
    # engine/clean.py: why a row is left out (the reason slugs), then each excluded row's message
    "reason.unpaid": ("the order was not paid", "订单未付款"),
    "reason.cancelled": ("the order was cancelled or closed", "订单已取消或关闭"),
    "reason.refunded_in_full": ("everything paid was refunded", "已付款项全部退款"),
    "reason.missing_customer": ("no customer on the row", "该行没有客户"),
    "reason.bad_date": ("no usable order time", "没有可用的下单时间"),
    "reason.bad_amount": ("the amount is not a number", "金额不是数字"),
    "reason.unknown_status": ("a status tiercli doesn't know, without a payment time and a positive amount",
                              "tiercli 不认识的订单状态，且没有付款时间和正数金额"),
    "reason.duplicate_order": ("the same order was already read from an earlier file or row",
                               "同一订单已在之前的文件或行中读取过"),
    "reason.extra_cells": ("the row has more cells than the header, so its values can't be placed",
                           "该行的单元格多于表头，无法对应到列"),
    "reason.summary_row": ("a total row of the export (合计, 总计, Total), not an order",
                           "导出文件的合计行（合计、总计、Total），不是订单"),
    "reason.adjustment": ("an accounting adjustment (e.g. UCI 'A…' invoices), not an order",
                          "会计调整（如 UCI 的 'A…' 发票），不是订单"),
    "reason.no_order": ("an item row whose order is not in the order report given with it",
                        "明细行所属的订单不在一同提供的订单报表中"),
    "reason.after_as_of": ("the order is later than as_of", "订单晚于统计截止时间"),
    "mixed_currencies": ("the amounts are in several currencies (order lines: {codes}); they are added up as they "
                         "are and shown in {currency}, the one most lines use",
                         "金额含多种币种（订单行：{codes}）；按原值相加，并以最多行使用的 {currency} 显示"),
    "reason.unknown_event": ("an event word that is not view, favourite, cart or purchase (map it in input.events)",
                             "不是浏览、收藏、加购或购买的行为（可在 input.events 中对应）"),
    "excluded.extra_cells": ("the row has more cells than the header; the first extra one holds '{cell}'",
                             "这一行的单元格比表头多；多出的第一个是 '{cell}'"),
    "excluded.summary_row": ("a total row of the export, not an order", "导出文件的合计行，不是订单"),
    "excluded.adjustment": ("order id '{order}' is an adjustment, not an order",
                            "订单号 '{order}' 是调整记录，不是订单"),
    "excluded.status": ("status '{status}'", "订单状态 '{status}'"),
    "excluded.after_sale": ("after-sale status '{status}'", "售后状态 '{status}'"),
    "excluded.cancelled_at": ("cancelled at {time}", "取消时间 {time}"),
    "excluded.no_payment_time": ("no payment time in {columns}", "{columns} 中没有付款时间"),
    "excluded.masked": ("only a masked identifier: '{value}' in {columns}", "{columns} 中只有打码的标识：'{value}'"),
    "excluded.empty": ("no value in {columns}", "{columns} 中没有值"),
    "excluded.not_a_date": ("'{value}' in {columns} is not a date", "{columns} 中的 '{value}' 不是日期"),
    "excluded.out_of_range": ("'{value}' in {columns} is outside the dates a spreadsheet can show ({range})",
                              "{columns} 中的 '{value}' 超出了电子表格能显示的日期范围（{range}）"),
    "excluded.not_an_amount": ("'{value}' in {columns} is not an amount", "{columns} 中的 '{value}' 不是金额"),
    "excluded.refunded": ("refund {refund} of {paid}", "退款 {refund}，实付 {paid}"),
    "excluded.after_as_of": ("ordered {time}, after as_of {as_of}", "下单时间 {time}，晚于统计截止时间 {as_of}"),
    "excluded.unknown_event": ("'{value}' in {columns} is not view, favourite, cart or purchase; to use it, map it "
                               "in the rules: input: {{events: {{{word}: view}}}}",
                               "{columns} 中的 '{value}' 不是浏览、收藏、加购或购买；要使用它，请在规则中对应："
                               "input: {{events: {{{word}: view}}}}"),
    "excluded.event_after_as_of": ("the event at {time} is after as_of {as_of}",
                                   "行为时间 {time}，晚于统计截止时间 {as_of}"),
    "events.only_properties": ("the --events files are all item properties (timestamp, itemid, property, value); "
                               "give the events file too (e.g. RetailRocket's events.csv)",
                               "--events 给出的都是商品属性文件（timestamp、itemid、property、value）；请同时给出行为"
                               "文件（例如 RetailRocket 的 events.csv）"),
    "needs_events": ("uses {name}, which comes from behaviour events: add --events FILE",
                     "用到了 {name}，它来自行为数据：请加上 --events 文件"),
    "excluded.duplicate_order": ("order '{order}' was read first from {file} row {row}",
                                 "订单 '{order}' 已先从 {file} 第 {row} 行读入"),
    "excluded.no_order": ("order '{order}' is not in the order report", "订单 '{order}' 不在订单报表中"),
    "excluded.order_excluded": ("its order ({file} row {row}) is excluded: {reason}",
                                "所属订单（{file} 第 {row} 行）已排除：{reason}"),
    # engine/clean.py: how dates are written
    "date_example": ("'{value}' in '{header}' of {file}", "{file} 的 '{header}' 列中的 '{value}'"),
    "day": ("day", "日"),
    "month": ("month", "月"),
    "mixed_date_order": ("dates are written both day-first and month-first ({examples}); export them in one format",
                         "日期有的是日在前、有的是月在前（{examples}）；请统一成一种格式后再导出"),
    "dayfirst_conflict": ("input.dayfirst is {configured} but the data has dates that only read {order}-first, "
                          "e.g. {example}",
                          "input.dayfirst 设为 {configured}，但数据中有只能按{order}在前读取的日期，例如{example}"),
    "ambiguous_dates": ("dates such as {example} could be day-first or month-first and no value tells which; set it "
                        "in the rules file: input: {{dayfirst: true}} (or false)",
                        "像{example}这样的日期既可能是日在前，也可能是月在前，数据中没有能区分的值；"
                        "请在规则文件中设置：input: {{dayfirst: true}}（或 false）"),
    "scientific_id": ("holds ids in scientific notation, such as '{value}': their digits are lost. Export the file "
                      "again with that column formatted as text (or read the original CSV, not a copy saved by Excel)",
                      "其中的ID是科学计数法，例如 '{value}'：数字已经丢失。请把该列设为文本格式后重新导出"
                      "（或读取原始 CSV，而不是用 Excel 另存过的副本）"),
    # engine/clean.py: every row excluded
    "no_orders": ("no order is left to classify: all {total:,} rows of {names} are excluded ({counts}); {fix}",
                  "没有剩下可以分级的订单：{names} 的全部 {total:,} 行都被排除了（{counts}）；{fix}"),
    "no_orders_one": ("no order is left to classify: the only row of {names} is excluded ({counts}); {fix}",
                      "没有剩下可以分级的订单：{names} 的全部 1 行都被排除了（{counts}）；{fix}"),
    "reason_rows": ("{reason} {rows:,}", "{reason} {rows:,} 行"),
    "fix_inspect": ("run `tiercli inspect` on the file to see how its rows read",
                    "可用 `tiercli inspect` 查看各行是怎样读取的"),
    "fix_status": ("{rows:,} rows have the status '{status}'; if such orders are sales (e.g. cash on delivery not "
                   "yet collected), say so in the rules file: {snippet}",
                   "有 {rows:,} 行的状态是 '{status}'；如果这样的订单也算成交（例如尚未收款的货到付款），"
                   "请在规则文件中说明：{snippet}"),
    "fix_status_one": ("1 row has the status '{status}'; if such orders are sales (e.g. cash on delivery not yet "
                       "collected), say so in the rules file: {snippet}",
                       "有 1 行的状态是 '{status}'；如果这样的订单也算成交（例如尚未收款的货到付款），"
                       "请在规则文件中说明：{snippet}"),
    "fix_after_as_of": ("every order is later than --as-of {as_of}; give a later date, or leave --as-of out",
                        "所有订单都晚于 --as-of {as_of}；请给一个更晚的日期，或者不写 --as-of"),
    "fix_column": ("the column read for it ({shown}) has nothing usable; if another column holds it, map that one in "
                   "the rules file: input: {{columns: {{{field}: <column name>}}}}",
                   "用来读取它的列（{shown}）中没有可用的值；如果另一列才是，请在规则文件中指定："
                   "input: {{columns: {{{field}: <列名>}}}}"),
    # engine/compute.py
    "needs_members": ("uses {name}, which comes from a members file: add --members FILE",
                      "用到了 {name}，它来自会员文件：请加上 --members FILE"),
    "cannot_compute": ("can't be computed on this data: {failure}", "无法在这份数据上计算：{failure}"),
    "cannot_evaluate": ("can't be evaluated on this data: {failure}", "无法在这份数据上判断：{failure}"),
    # engine/prediction.py: the clv: model
    "clv.model.bgnbd": ("BG/NBD", "BG/NBD"),
    "clv.model.paretonbd": ("Pareto/NBD", "Pareto/NBD"),
    "clv.model.gammagamma": ("Gamma-Gamma", "Gamma-Gamma"),
    "clv.few_repeat_buyers": ("{model} was not fitted: {found} customers bought on more than one day, it needs at "
                              "least {least}; p_alive, expected_orders, expected_spend and clv are empty",
                              "{model} 未拟合：只有 {found} 位客户在不止一天购买过，至少需要 {least} 位；"
                              "p_alive、expected_orders、expected_spend 和 clv 为空"),
    "clv.short_history": ("{model} was not fitted: the orders cover {history} days, shorter than the horizon of "
                          "{horizon} days it would predict; shorten clv: horizon_days or give more history. "
                          "p_alive, expected_orders, expected_spend and clv are empty",
                          "{model} 未拟合：订单只覆盖 {history} 天，短于要预测的 {horizon} 天；请缩短 clv: "
                          "horizon_days 或提供更长的历史。p_alive、expected_orders、expected_spend 和 clv 为空"),
    "clv.not_converged": ("{model} was not fitted: the search for its parameters found no proper maximum, so "
                          "its predictions are empty (the optimizer's report: {why})",
                          "{model} 未拟合：参数搜索没有找到真正的最大值，因此其预测值为空（优化器的报告：{why}）"),
    "clv.few_spenders": ("Gamma-Gamma was not fitted: {found} repeat buyers with a positive spend, it needs at "
                         "least {least}; expected_spend and clv are empty",
                         "Gamma-Gamma 未拟合：复购且消费为正的客户只有 {found} 位，至少需要 {least} 位；"
                         "expected_spend 和 clv 为空"),
    "clv.calibration_after_end": ("the calibration end {cut} is not before the last order day {end}: nothing is "
                                  "left to validate on; give an earlier --calibration-end or a smaller "
                                  "--holdout-days", "校准期结束日 {cut} 不早于最后一个订单日 {end}：没有可用于验证的"
                                  "数据；请给出更早的 --calibration-end 或更小的 --holdout-days"),
    "clv.rule_unfitted": ("{name} is empty on these orders, so this rule compares nothing: {why}",
                          "{name} 在这些订单上为空，这条规则比较不到任何值：{why}"),
    "clv.not_in_sql": ("{name} is predicted by the clv: model, which is fitted in Python, not in SQL: tiercli sql "
                       "can't export a rule that uses it; run tiercli classify instead",
                       "{name} 由 clv: 模型预测，该模型在 Python 中拟合而不在 SQL 中：tiercli sql 无法导出使用它的"
                       "规则；请改用 tiercli classify"),
    "spark.not_installed": ("--engine spark needs PySpark, which is not installed: pip install 'tiercli[spark]'",
                            "--engine spark 需要 PySpark，但尚未安装：pip install 'tiercli[spark]'"),
    "spark.no_java": ("--engine spark runs Spark on this machine, which needs Java 17 or 21 (`java` is not on "
                      "PATH): install a JDK, or give a cluster with --spark-remote sc://host:15002",
                      "--engine spark 在本机运行 Spark，需要 Java 17 或 21（PATH 上没有 `java`）：请安装 JDK，"
                      "或用 --spark-remote sc://主机:15002 指定集群"),
    "spark.session_failed": ("Spark could not start a session ({reason}): check --spark-master / --spark-remote",
                             "Spark 无法启动会话（{reason}）：请检查 --spark-master / --spark-remote"),
    "sql.not_run": ("tiercli's tests parse this {dialect} query but don't run it on {dialect}: rounding, quantiles "
                    "and date differences may differ from DuckDB's in edge cases",
                    "tiercli 的测试解析这条 {dialect} 查询，但不在 {dialect} 上运行：舍入、分位数和日期差在边界情况下"
                    "可能与 DuckDB 不同"),
    "sql.duckdb_functions": ("{dialect} has no function sqlglot renders DuckDB's {functions} as: define them (same "
                             "names and meaning) or rewrite their calls before running the script",
                             "{dialect} 没有 sqlglot 可对应 DuckDB 的 {functions} 的函数："
                             "运行脚本前请定义同名同义的函数，或改写这些调用"),
    "sql.postgres_try_cast": ("PostgreSQL has no TRY_CAST and its TO_TIMESTAMP doesn't fail softly: sqlglot writes "
                              "CAST and TO_TIMESTAMP, so a cell that doesn't convert stops the script where tiercli "
                              "would leave it empty",
                              "PostgreSQL 没有 TRY_CAST，其 TO_TIMESTAMP 出错时也不返回空值：sqlglot 写成 CAST 和 "
                              "TO_TIMESTAMP，无法转换的单元格会使脚本出错，而 tiercli 会将其视为空"),
    "sql.bigquery_quantiles": ("BigQuery's PERCENTILE_CONT is an analytic function (OVER …), not an aggregate: the "
                               "cut points of the quantile scores need rewriting before this query runs there",
                               "BigQuery 的 PERCENTILE_CONT 是分析函数（OVER …）而不是聚合函数："
                               "分位数打分的切分点需要改写后这条查询才能在 BigQuery 上运行"),
    "sql.sqlglot": ("sqlglot: {warning}", "sqlglot：{warning}"),
    "sql.spark_order": ("{function} adds doubles in the order Spark's partitions give: its last binary digit may "
                        "differ from DuckDB's, which changes a result only where a value equals it to that digit",
                        "{function} 按 Spark 分区给出的顺序累加双精度数：最后一个二进制位可能与 DuckDB 不同，只有某个值"
                        "与它相等到这一位时结果才会不同"),
    "sql.spark_ties": ("{function} of a custom metric: Spark picks among equal candidates and positions otherwise "
                       "than DuckDB; the value may differ",
                       "自定义指标的 {function}：Spark 在相同候选值和位置上的取法与 DuckDB 不同，结果可能不同"),
    "why.rule": ("{title}: {rule}", "{title}：{rule}"),
    "why.default": ("{title}: no rule above matched", "{title}：上面的规则都不符合"),
    # engine/scoring.py: how the scores were made, for the Run and Thresholds sheets
    "run.rfm_scoring": ("rfm scoring", "RFM 打分"),
    "run.rfm_ties": ("rfm ties", "RFM 并列处理"),
    "run.rfm_segments": ("rfm segments", "RFM 分群"),
    "run.lifecycle": ("lifecycle", "生命周期"),
    "run.rules_preset": ("rules preset", "规则预设"),
    "scoring": ("{bins} bins; {method}", "{bins} 档；{method}"),
    "method.pymc": ("pymc-marketing quartiles: pandas qcut(q=4) edges, duplicate edges dropped, value > edge passes it",
                    "pymc-marketing 四分位：pandas qcut(q=4) 的切分点，去掉重复的切分点，值大于切分点即越过它"),
    "method.thresholds": ("thresholds from the rules file: a value at or above a cut point passes it",
                          "规则文件中的阈值：值大于或等于切分点即越过它"),
    "method.r_rfm": ("R rfm package bins(): type-7 quantiles at 1/{bins} steps plus 1, a value at or above a cut "
                     "point passes it",
                     "R rfm 包的 bins()：按 1/{bins} 的步长取第 7 类分位数再加 1，值大于或等于切分点即越过它"),
    "method.split": ("quantile: customers ranked by value into {bins} equal groups",
                     "分位数：客户按数值排名，分成 {bins} 个人数相等的组"),
    "method.quantile": ("quantile: type-7 quantiles at 1/{bins} steps, a value above a cut point passes it",
                        "分位数：按 1/{bins} 的步长取第 7 类分位数，值大于切分点即越过它"),
    "ties.split": ("split: equal values are ranked by customer_id, so they may get different scores",
                   "split（拆分）：相同的值按 customer_id 排名，因此可能得到不同的分数"),
    "ties.shared": ("shared: equal values always get the same score, so some scores may be empty",
                    "shared（共享）：相同的值总是得到相同的分数，因此有些得分档可能没有客户"),
    "segments.default": ("default: tiercli's table, first match wins{scale}",
                         "default：tiercli 的分群表，取第一个符合的行{scale}"),
    "segments.scale": (" (scores read on a 1–5 scale: 1 + round((score − 1) × 4 / {steps}))",
                       "（得分按 1–5 分制读取：1 + round((得分 − 1) × 4 / {steps})）"),
    "segments.r_rfm": ("r-rfm: the R rfm package's rfm_segment() table, first match wins, unmatched → Others",
                       "r-rfm：R rfm 包的 rfm_segment() 分群表，取第一个符合的行，都不符合 → Others"),
    "segments.pymc": ("pymc: pymc-marketing's segment codes, any other code → Other",
                      "pymc：pymc-marketing 的分群代码，其他代码 → Other"),
    "segments.custom": ("custom: {rows} rows from the rules file, first match wins, unmatched → {fallback}",
                        "custom：规则文件中的 {rows} 行，取第一个符合的行，都不符合 → {fallback}"),
    "segments.cn8": ("cn-8: the eight classes of the Chinese RFM model (重要价值客户 … 一般挽留客户), each of "
                     "recency_days, frequency and monetary high or low against a comparison value; customers "
                     "without orders have no class",
                     "cn-8：中国常用的 RFM 八类客户（重要价值客户 … 一般挽留客户），recency_days、frequency、"
                     "monetary 各自与对比值比较分高低；没有订单的客户不分类"),
    "run.cn8_compare": ("cn-8 comparison", "cn-8 对比值"),
    "cn8.compare": ("high = recency_days ≤ {r}; frequency ≥ {f}; monetary ≥ {m}",
                    "高 = recency_days ≤ {r}；frequency ≥ {f}；monetary ≥ {m}"),
    "cn8.value": ("{value} ({how})", "{value}（{how}）"),
    "cn8.mean": ("the mean", "平均值"),
    "cn8.median": ("the median", "中位数"),
    "cn8.given": ("given", "给定值"),
    "cn8.none": ("none: no customer with orders", "无：没有有订单的客户"),
    "cn8_note": ("cn-8 segments: {compare}", "cn-8 分群：{compare}"),
    "cn8.high": ("high", "高"),
    "cn8.low": ("low", "低"),
    "cn8.explain": ("{level}: {metric} {value} {op} {compare}", "{level}：{metric} {value} {op} {compare}"),
    "lifecycle": ("potential: no order; new: first order ≤ {new_days} days ago; churned: last order ≥ {churn_days} "
                  "days ago; at_risk: last order ≥ {at_risk_days} days ago; active: the rest",
                  "potential（潜在）：没有订单；new（新客）：首次下单距今 ≤ {new_days} 天；"
                  "churned（流失）：最近一次下单距今 ≥ {churn_days} 天；"
                  "at_risk（有流失风险）：最近一次下单距今 ≥ {at_risk_days} 天；active（活跃）：其余客户"),
    "range.empty": ("empty: no value lies between its cut points", "空：两个切分点之间没有值"),
    "range.any": ("any {metric}", "任意 {metric}"),
    "range.unused": ("not used: the quartile edges collapsed", "未使用：四分位切分点合并了"),
    "range.ranked": ("ranked: {low} … {high}", "排名：{low} … {high}"),
    # engine/scoring.py: notes
    "unreachable_segments": ("segments no customer can reach with these scores: {segments}",
                             "在这些得分下没有客户能落入的分群：{segments}"),
    "none": ("none", "无"),
    "pymc_one_bin": ("pymc: every {metric} value falls in one quartile bin (inner edges: {edges}); pymc-marketing "
                     "stops with an error here, tiercli gives everyone {dimension} = 1",
                     "pymc：所有 {metric} 值都落在同一个四分位区间（内部切分点：{edges}）；"
                     "pymc-marketing 在此会报错停止，tiercli 给所有客户 {dimension} = 1"),
    "pymc_collapsed": ("pymc: the {metric} quartile edges collapsed to {top} bins (inner edges: {edges}), so "
                       "{dimension} scores run 1–{top}, as pymc-marketing labels them",
                       "pymc：{metric} 的四分位切分点合并成了 {top} 个区间（内部切分点：{edges}），"
                       "所以 {dimension} 得分为 1–{top}，与 pymc-marketing 的标法一致"),
    "empty_scores": ("{dimension} scores {scores} are empty", "{dimension} 得分 {scores} 没有客户"),
    "empty_scores_why": ("{empty}: {why}", "{empty}：{why}"),
    "empty.thresholds": ("no customer's {metric} falls in their ranges (see the Thresholds sheet)",
                         "没有客户的 {metric} 落在这些区间内（见“分段阈值”表）"),
    "empty.split": ("there are fewer customers than scores", "客户数少于得分档数"),
    "empty.one_value": ("the customers have only 1 different {metric} value for {top} scores, and equal values always "
                        "get the same score",
                        "客户的 {metric} 只有 1 个不同的值，却有 {top} 档得分，而相同的值总是得到相同的分数"),
    "empty.few_values": ("the customers have only {distinct} different {metric} values for {top} scores, and equal "
                         "values always get the same score",
                         "客户的 {metric} 只有 {distinct} 个不同的值，却有 {top} 档得分，而相同的值总是得到相同的分数"),
    "empty.shared": ("many customers share the same {metric} value, and equal values always get the same score",
                     "很多客户的 {metric} 值相同，而相同的值总是得到相同的分数"),
    "split_shared": ("{dimension}: {shared:,} customers share a {metric} value with customers in another score "
                     "(ties: split ranks equal values by customer_id)",
                     "{dimension}：{shared:,} 位客户与其他得分档的客户 {metric} 值相同"
                     "（ties: split 按 customer_id 给相同的值排名）"),
    # engine/segments.py: what the default table's segments are
    "segment.champions": ("bought recently, buy often and spend the most", "最近买过，买得勤，花得最多"),
    "segment.loyal": ("buy often and not long ago", "买得勤，上次购买不久"),
    "segment.cant_lose_them": ("were frequent big spenders, gone quiet", "曾经常买、花得多，已沉寂"),
    "segment.at_risk": ("bought often, but long ago", "曾经常买，但已是很久以前"),
    "segment.potential_loyalist": ("recent, with a few orders", "最近买过，有几笔订单"),
    "segment.new": ("first order very recently", "首次下单就在最近"),
    "segment.promising": ("one recent order", "最近有一笔订单"),
    "segment.need_attention": ("some orders, recency slipping", "有一些订单，最近购买渐远"),
    "segment.about_to_sleep": ("one order, a while ago", "一笔订单，已有一段时间"),
    "segment.hibernating": ("few orders, long ago", "订单少，很久以前"),
    "segment.lost": ("few orders, longest ago", "订单少，最久以前"),
    # engine/movement.py: what a movement value means
    "movement.new": ("not in the previous run", "不在上期结果中"),
    "movement.up": ("in both runs' data, now at a higher level (one listed earlier in the rules)",
                    "两期数据中都有，现在等级更高（规则中排在前面的等级）"),
    "movement.down": ("in both runs' data, now at a lower level (one listed later in the rules)",
                      "两期数据中都有，现在等级更低（规则中排在后面的等级）"),
    "movement.same": ("in both runs' data, at the same level", "两期数据中都有，等级不变"),
    "movement.returned": ("in the previous run only as kept from an earlier run (not in its data), and in this data "
                          "again", "上期结果中只是沿用更早一期的等级（不在上期数据中），本期数据中再次出现"),
    "movement.lapsed": ("in the previous run, not in this data: kept with its previous level",
                        "在上期结果中，不在本期数据中：保留上期等级"),
    "previous_current": ("previous \\ current", "上期 \\ 本期"),
    # engine/movement.py: the why column and the overrides column
    "why.kept": ("{title}: kept from the previous run (not in this data)", "{title}：沿用上期等级（不在本期数据中）"),
    "why.held": ("{title}: held ({because}); this data gives {why}",
                 "{title}：保持上期等级（{because}）；本期数据给出 {why}"),
    "why.grace": ("{title}: held in a grace period until {until} ({because}); this data gives {why}",
                  "{title}：在宽限期内保持上期等级，直到 {until}（{because}）；本期数据给出 {why}"),
    "why.dropped": ("{why} (dropped from {previous}: {because})", "{why}（从 {previous} 降级：{because}）"),
    "why.override": ("{title}: override, {reason} ({where})", "{title}：人工调整，{reason}（{where}）"),
    "why.no_reason": ("no reason given", "未写原因"),
    "why.without_override": ("{override}; without it: {why}", "{override}；若无人工调整：{why}"),
    "why.not_in_new_run": ("not in the new run", "不在新的运行结果中"),
    "upgrade_only": ("upgrade-only", "只升不降"),
    "keep_met": ("upgrade-only, keep_rule met: {rule}", "只升不降，满足 keep_rule：{rule}"),
    "keep_not_met": ("keep_rule not met: {rule}", "未满足 keep_rule：{rule}"),
    "grace_ended": ("the grace period ended on {date}", "宽限期已于 {date} 结束"),
    "keep_not_met_grace_ended": ("keep_rule not met: {rule} and the grace period ended on {date}",
                                 "未满足 keep_rule：{rule}，且宽限期已于 {date} 结束"),
    "grace_over": ("grace period over", "宽限期已过"),
    "row_of": ("{label} row {row}", "{label} 第 {row} 行"),
    "until": ("until {date}", "有效期至 {date}"),
    "in_brackets": ("{text} ({inside})", "{text}（{inside}）"),
    # engine/movement.py: the Run sheet and notes
    "run.previous": ("previous run", "上期运行结果"),
    "run.previous_sha256": ("previous run sha256", "上期运行结果 sha256"),
    "run.previous_customers": ("previous run customers", "上期客户数"),
    "run.overrides": ("overrides", "人工调整文件"),
    "run.overrides_sha256": ("overrides sha256", "人工调整文件 sha256"),
    "run.overrides_applied": ("overrides applied", "已应用的人工调整"),
    "run.overrides_expired": ("overrides expired", "已过期的人工调整"),
    "run.overrides_left_out": ("overrides left out", "未应用的人工调整"),
    "run.kept": ("kept from the previous run (not in this data)", "沿用上期（不在本期数据中）"),
    "overrides_problems": ("{count} override rows can't be applied (--strict):\n{lines}",
                           "有 {count} 行人工调整无法应用（--strict）：\n{lines}"),
    "overrides_problems_one": ("1 override row can't be applied (--strict):\n{lines}",
                               "有 1 行人工调整无法应用（--strict）：\n{lines}"),
    "overrides_unknown_customer": ("no customer '{customer}' in this run", "本次运行中没有客户 '{customer}'"),
    "overrides_twice": ("sets {grading} of '{customer}' again (row {row} does too)",
                        "再次设置了客户 '{customer}' 的 {grading}（第 {row} 行也设置了）"),
    "check_spelling": ("{problem}; check the spelling", "{problem}；请检查拼写"),
    "later_row_wins": ("{problem}; the later row wins", "{problem}；以后一行为准"),
    "row_left_out": ("{problem}; the row is left out", "{problem}；该行未采用"),
    "overrides_note": ("overrides: {applied:,} applied from {label}", "人工调整：从 {label} 应用了 {applied:,} 行"),
    "overrides_note_expired": (", {expired:,} expired", "，{expired:,} 行已过期"),
    "overrides_note_left_out": (", {left_out:,} left out", "，{left_out:,} 行未采用"),
    "override_expired": ("{label} row {row}: expired on {expires} (as_of is {as_of}); ignored",
                         "{label} 第 {row} 行：已于 {expires} 过期（统计截止时间为 {as_of}）；已忽略"),
    "overrides_hidden": ("{label}: {hidden:,} more expired or left-out rows not listed here",
                         "{label}：另有 {hidden:,} 行过期或未采用的行未在此列出"),
    "sticky_no_previous": ("upgrade-only: no previous run given; levels come from this data alone",
                           "只升不降：没有给出上期结果；等级只依据本次数据"),
    "sticky_without_previous": ("{grading} is upgrade-only (sticky: true), but no previous run was given (--previous): "
                                "levels here come from this data alone",
                                "{grading} 只升不降（sticky: true），但没有给出上期结果（--previous）："
                                "这里的等级只依据本次数据"),
    "held": ("upgrade-only: {held:,} held at their previous level", "只升不降：{held:,} 位保持上期等级"),
    "held_grace": ("{grace:,} of them in a grace period of {days} days", "其中 {grace:,} 位在 {days} 天的宽限期内"),
    "held_dropped": ("{dropped:,} dropped ({because})", "{dropped:,} 位降级（{because}）"),
    "named": ("{name}: {text}", "{name}：{text}"),
    "lapsed": ("{count:,} customers of the previous run are not in this data: kept with their previous level, "
               "movement 'lapsed'", "上期的 {count:,} 位客户不在本次数据中：保留其上期等级，变动记为 'lapsed'"),
    "lapsed_one": ("1 customer of the previous run is not in this data: kept with its previous level, movement "
                   "'lapsed'", "上期的 1 位客户不在本次数据中：保留其上期等级，变动记为 'lapsed'"),
    "movers_cut": ("the movers list shows the first {shown:,}; filter the Customers sheet's movement columns for all "
                   "of them", "变动客户名单只列出前 {shown:,} 位；要看全部，请筛选“客户”表的变动列"),
    "lapsed_cut": ("the list of customers not in this data shows the first {shown:,}; filter the Customers sheet's "
                   "movement column for 'lapsed' for all of them",
                   "不在本次数据中的客户名单只列出前 {shown:,} 位；要看全部，请在“客户”表的变动列中筛选 'lapsed'"),
    # engine/movement.py: tiercli diff
    "diff.old_run": ("the old run", "旧的运行结果"),
    "diff.new_run": ("the new run", "新的运行结果"),
    "diff.summary_of": ("the Summary sheet of {path}", "{path} 的 Summary/汇总 工作表"),
    "diff_needs_rules": ("has no Summary sheet listing each grading's levels in order (it is not a workbook tiercli "
                         "wrote), so up can't be told from down; give the rules with -r RULES",
                         "没有按顺序列出各分级等级的 Summary/汇总 工作表（它不是 tiercli 写出的工作簿），"
                         "因此分不清升级和降级；请用 -r RULES 指定规则文件"),
    # engine/explain.py
    "unknown_customer": ("customer '{customer}' is not in the data{hint}; the ids are as in the customer_id column of "
                         "`tiercli classify`'s output: use one of those",
                         "数据中没有客户 '{customer}'{hint}；请使用 `tiercli classify` 输出中 customer_id 列里的写法"),
    "empty_value": ("empty", "空"),
    # engine/lint.py: warnings of tiercli validate
    "never_matches": ("never matches: '{earlier}' (line {line}) has the same condition and comes first, so it takes "
                      "everyone this tier would; change one condition or remove this tier",
                      "永远不会匹配：'{earlier}'（第 {line} 行）的条件相同且排在前面，会先拿走这个等级的所有客户；"
                      "请修改其中一个条件，或删除这个等级"),
    "nobody_highest": ("matches nobody: no customer has {comparison} (the highest {subject} is {value}); lower the "
                       "threshold or {remove}",
                       "没有客户符合：没有客户满足 {comparison}（{subject} 的最大值是 {value}）；"
                       "请降低阈值，或{remove}"),
    "nobody_lowest": ("matches nobody: no customer has {comparison} (the lowest {subject} is {value}); raise the "
                      "threshold or {remove}",
                      "没有客户符合：没有客户满足 {comparison}（{subject} 的最小值是 {value}）；"
                      "请提高阈值，或{remove}"),
    "nobody_comparison": ("matches nobody: no customer has {comparison}; change that comparison or {remove}",
                          "没有客户符合：没有客户满足 {comparison}；请修改这个比较，或{remove}"),
    "nobody_together": ("matches nobody: each comparison matches some customers, but none meets them together; "
                        "loosen one or {remove}",
                        "没有客户符合：每个比较单独都有客户满足，但没有客户同时满足全部比较；请放宽其中一个，或{remove}"),
    "remove_tier": ("remove the tier", "删除这个等级"),
    "remove_tag": ("remove the tag", "删除这个标签"),
    "shadowed": ("is shadowed: the {total:,} customers it matches all get an earlier tier ({shares}); move it up or "
                 "narrow the tiers above it",
                 "被前面的等级挡住：它符合的 {total:,} 位客户都落入了更靠前的等级（{shares}）；"
                 "请把它上移，或收窄它上面的等级"),
    "level_customers": ("'{level}' {customers:,}", "'{level}' {customers:,} 位"),
    "unreachable_with_data": ("segments nobody can reach with this data: {names} ({why}); try `ties: split`, fewer "
                              "bins or explicit thresholds",
                              "用这份数据没有客户能落入的分群：{names}（{why}）；可以试试 `ties: split`、减少分档数，"
                              "或写明阈值"),
    "earlier_rows": ("earlier rows take their cells", "它们的得分组合被前面的行占用了"),
    "matches_everyone": ("matches every customer ({total:,}): a tag on everyone tells nobody apart; tighten the "
                         "condition", "符合所有客户（{total:,} 位）：人人都有的标签区分不了任何人；请收紧条件"),
    # pipeline.py
    "no_input": ("no input file given; name the order export to read", "没有给出输入文件；请给出要读取的订单导出文件"),
    "dates.day_first": ("day-first", "日在前"),
    "dates.month_first": ("month-first", "月在前"),
    "dates.iso": ("ISO (year first)", "ISO（年在前）"),
    "future_as_of": ("the latest order time, {day}, is after today, and as_of is that time, so every customer looks "
                     "long inactive; look for placeholder dates in the data, or give --as-of",
                     "最晚的订单时间 {day} 晚于今天，统计截止时间就取了它，所以所有客户看起来都很久没有购买；"
                     "请检查数据中的占位日期，或用 --as-of 指定截止时间"),
    "run.version": ("tiercli version", "tiercli 版本"),
    "run.run_at": ("run at", "运行时间"),
    "run.as_of_from": ("as_of from", "截止时间来源"),
    "run.as_of_latest": ("latest order time in the data", "数据中最晚的下单时间"),
    "run.rules": ("rules", "规则文件"),
    "run.rules_name": ("rules name", "规则名称"),
    "run.rules_sha256": ("rules sha256", "规则文件 sha256"),
    "run.dates": ("dates", "日期写法"),
    "run.masked": ("masked buyer ids in {file}", "{file} 中打码的买家标识"),
    "run.relay": ("relay e-mails as buyer ids in {file}", "{file} 中用作买家标识的中转邮箱"),
    "run.conflicts": ("orders naming two customers in {file} (each went to its first line's)",
                      "{file} 中写了两个客户的订单（各归其第一行的客户）"),
    "run.markers": ("missing-value markers (NA, NULL, …) in {file} column '{column}'",
                    "{file} 的 '{column}' 列中的缺失值标记（NA、NULL 等）"),
    "run.members": ("members", "会员文件"),
    "run.events_file": ("events {file}", "行为文件 {file}"),
    "run.events_read": ("{layout}: {read:,} rows read, {used:,} used, {excluded:,} not used",
                        "{layout}：读取 {read:,} 行，使用 {used:,} 行，未使用 {excluded:,} 行"),
    "run.event_customers": ("customers with events", "有行为的客户"),
    "run.event_customers_value": ("{customers:,} ({without:,} of them without an order)",
                                  "{customers:,}（其中 {without:,} 位没有订单）"),
    "run.members_read": ("{path}: {members} members from {rows} rows ({without_id} without an id)",
                         "{path}：{rows} 行中的 {members} 位会员（{without_id} 行没有会员ID）"),
    "run.threads": ("threads", "线程数"),
}
