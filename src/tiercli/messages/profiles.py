"""What tiercli says about platform profiles and column detection.

key → (English, Chinese); keys are used as "profiles.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
    # profiles/detect.py
    "as_like": (" as like ", "，也像"),
    "or_platform": (" or --platform ", " 或 --platform "),
    "required_customer": ("the customer (who bought)", "客户（买家）"),
    "required_time": ("the order time", "订单时间"),
    "required_amount": ("the amount paid", "实付金额"),
    "detection": ("{name} ({how}{score:.0%} of its headers{runner_up})",
                  "{name}（{how}找到其表头的 {score:.0%}{runner_up}）"),
    "detection_forced": ("forced with --platform, ", "由 --platform 指定，"),
    "detection_next": ("; next: {name} {score:.0%}", "；其次：{name} {score:.0%}"),
    "unknown_platform": ("unknown platform '{name}'{hint}; give --platform one of: {platforms}",
                         "未知的平台 '{name}'{hint}；--platform 可用的平台：{platforms}"),
    "map_columns_yourself": ("map the columns yourself in the rules file: input: {{columns: {{customer: <column>, "
                             "order_id: <column>, paid_ts: <column>, amount: <column>}}}}",
                             "在规则文件中自己指定列：input: {{columns: {{customer: <列名>, order_id: <列名>, "
                             "paid_ts: <列名>, amount: <列名>}}}}"),
    "ambiguous_platform": ("looks as much like {candidates}; choose one with --platform {names}, or {hint}",
                           "看起来同样像{candidates}；请用 --platform {names} 选定一个，或者{hint}"),
    "and_more": (" and {count} more", " 等另外 {count} 个"),
    "weak_platform": ("looks only partly like {candidates}; '{name}' lacks {missing}{more}. {advice}",
                      "只有部分像{candidates}；'{name}' 缺少 {missing}{more}。{advice}"),
    "advice_platform": ("If it is that export, say so with --platform {name}.",
                        "如果确实是这种导出文件，请用 --platform {name} 指明。"),
    "advice_no_column": ("No column holds {what}, so customers can't be graded from this file; if one of its columns "
                         "does, map it in the rules file, e.g. input: {{columns: {{customer: <column name>}}}}",
                         "没有任何一列是{what}，因此无法用这个文件给客户分级；如果其中某列正是，请在规则文件中指定，"
                         "例如 input: {{columns: {{customer: <列名>}}}}"),
    "advice_map": ("Map its columns in the rules file: {snippet}", "请在规则文件中指定它的列：{snippet}"),
    "candidate": ("'{name}' ({title}: {found} of its {total} headers, {share:.0%})",
                  "'{name}'（{title}：它的 {total} 个表头中有 {found} 个，{share:.0%}）"),
    "explicit_column_missing": ("rules input.columns.{field} names '{header}', which is not a column of this "
                                "file{hint}; write one of its columns there. Columns found: {columns}",
                                "规则文件的 input.columns.{field} 写的是 '{header}'，但这个文件中没有这一列{hint}；"
                                "请改写为文件中的某一列。找到的列：{columns}"),
    "a_title": ("a {title}", "{title}"),
    "an_title": ("an {title}", "{title}"),
    "item_report_alone": ("looks like {title}, which lacks {missing}: give it together with the {orders} it belongs "
                          "to, e.g. `tiercli classify orders.csv items.csv`; the two are joined on '{join_key}'",
                          "看起来是{title}，缺少{missing}：请把它和所属的{orders}一起给出，例如 `tiercli classify "
                          "orders.csv items.csv`；两者按 '{join_key}' 关联"),
    "no_customer_key": ("looks like {title}, which has no column that identifies the buyer, so customers can't be "
                        "told apart: {hint}. If the file has such a column, map it in the rules file: input: "
                        "{{columns: {{customer: <column name>}}}}",
                        "看起来是{title}，其中没有能识别买家的列，因此无法区分客户：{hint}。如果文件中有这样的列，"
                        "请在规则文件中指定：input: {{columns: {{customer: <列名>}}}}"),
    "customer_table": ("looks like a table of customers, one row per customer with figures already computed "
                       "({columns}), not of orders: tiercli computes those figures itself from the orders. Give it "
                       "the order export they came from (one row per order or order line, with the customer, the "
                       "order time and the amount)",
                       "看起来是一张客户表（每个客户一行，已算好的指标：{columns}），而不是订单：tiercli "
                       "会从订单自己算出这些指标。请给出它们所来自的订单导出文件（每个订单或订单行一行，含客户、"
                       "下单时间和金额）"),
    "looked_for": (" (looked for: {aliases})", "（查找过：{aliases}）"),
    "closest_header": (" Closest: '{header}'.", "最接近的是 '{header}'。"),
    "no_column_for": ("no column for {what}{looked}. Columns found: {columns}.{closest} Map it in the rules file: "
                      "input: {{columns: {{{field}: <column name>}}}}",
                      "找不到{what}的列{looked}。找到的列：{columns}。{closest}请在规则文件中指定：input: "
                      "{{columns: {{{field}: <列名>}}}}"),
    "quantity_column": ("input: {{columns: {{quantity: <column name>}}}}",
                        "input: {{columns: {{quantity: <column name>}}}}"),
    "unit_price_alone": ("'{price}' was taken for a unit price (the price of one item), but no quantity column says "
                         "how many were bought. If '{price}' is what was paid for the row (an order or line total), "
                         "map it as the amount: {as_amount}. If it is the price of one item, map the quantity to "
                         "multiply it by: {per_item}. Columns found: {columns}",
                         "'{price}' 被当作单价（一件商品的价格），但没有说明买了几件的数量列。如果 '{price}' "
                         "是这一行实付的金额（订单或行的合计），请把它指定为金额："
                         "{as_amount}。如果它是一件商品的价格，请指定与之相乘的数量：{per_item}。找到的列：{columns}"),
}
