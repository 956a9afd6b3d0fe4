"""What tiercli says about input files (orders, members, previous runs, overrides).

key → (English, Chinese); keys are used as "sources.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
    # lists and rows, in every input file's messages
    "sheet_row": ("{sheet} row {row}", "{sheet} 第 {row} 行"),
    "not_a_date": ("'{value}' is not a date; write it as YYYY-MM-DD", "'{value}' 不是日期；请写成 YYYY-MM-DD"),
    # limits.py
    "date_range": ("{first:%Y-%m-%d} to {last:%Y-%m-%d}", "{first:%Y-%m-%d} 到 {last:%Y-%m-%d}"),
    # readers.py and sheets.py: the file itself
    "a_file": ("a file", "文件"),
    "order_export": ("order export", "订单导出文件"),
    "file_not_found": ("{what} not found; check the path", "找不到{what}；请检查路径"),
    "is_a_folder": ("is a folder, not {what}; give the {inside} inside it",
                    "这是一个文件夹，不是{what}；请给出其中的{inside}"),
    "export_orders_again": ("export the orders again", "请重新导出订单"),
    "export_it_again": ("export it again", "请重新导出"),
    "empty_file": ("the file is empty; {again}", "文件是空的；{again}"),
    # readers.py
    "blank_lines_only": ("has no rows (only blank lines); {again}", "没有数据行（只有空行）；{again}"),
    "no_sheets": ("has no sheets; {again}", "没有任何工作表；{again}"),
    "no_columns": ("has no columns; {again}", "没有任何列；{again}"),
    "binary_file": ("is not a text file (binary content); export it as CSV or XLSX",
                    "不是文本文件（内容是二进制）；请导出为 CSV 或 XLSX"),
    "no_header": ("has no header: every cell of its first rows is empty; export the table with its column names in "
                  "the first row",
                  "没有表头：前几行的单元格全是空的；请导出带列名（在第一行）的表格"),
    "bad_encoding": ("can't be read as {encoding} (byte {byte} is not valid); save it as UTF-8 and try again",
                     "无法按 {encoding} 读取（第 {byte} 个字节无效）；请另存为 UTF-8 后重试"),
    "line_too_long": ("has a line longer than {mb} MB; is it really a CSV export?",
                      "有一行超过 {mb} MB；它真的是 CSV 导出文件吗？"),
    "on_line": (" (line {line})", "（第 {line} 行）"),
    "bad_bytes_further_down": (
        "has bytes that are not text in its encoding further down{where}; save it again as UTF-8 and try again",
        "文件后面有不符合其编码的字节{where}；请重新另存为 UTF-8 后重试"),
    "not_a_table": ("can't be read as a table: {reason}", "无法按表格读取：{reason}"),
    "cant_be_read_as": ("can't be read as {kind}: {reason}", "无法按 {kind} 读取：{reason}"),
    "is_it_complete": ("; is the file complete?", "；文件是否完整？"),
    "parquet_kind": ("Parquet", "parquet"),
    # spark_inputs.py: what Spark can't read as tiercli reads it locally
    "spark.workbook": ("is a workbook, which Spark doesn't read; save the sheet as CSV (UTF-8) or Parquet, or run "
                       "without --engine spark",
                       "是工作簿文件，Spark 不能读取；请把工作表另存为 CSV（UTF-8）或 Parquet，或者不用 --engine spark "
                       "运行"),
    "spark.aligned_text": ("is text aligned in columns with spaces, which Spark can't split as tiercli does; save it "
                           "as CSV (comma- or tab-separated), or run without --engine spark",
                           "是用空格对齐各列的文本，Spark 不能像 tiercli 那样拆分；请另存为 CSV（逗号或制表符分隔），"
                           "或者不用 --engine spark 运行"),
    "spark.utf16_blank_lines": ("is UTF-16 text with blank lines between its rows, which Spark can't number as tiercli "
                                "does; save it as UTF-8 and try again",
                                "是行与行之间有空行的 UTF-16 文本，Spark 无法像 tiercli 那样给行编号；请另存为 UTF-8 "
                                "后重试"),
    "spark.no_delta": ("is a Delta table, and this Spark session can't read Delta; install delta-spark and start "
                       "Spark with it, or give the table's Parquet files",
                       "是 Delta 表，而当前 Spark 会话不能读取 Delta；请安装 delta-spark 并在启动 Spark 时启用它，"
                       "或者给出该表的 Parquet 文件"),
    "spark.nanosecond_timestamps": ("has times in nanoseconds, which Spark can't read; write it again with times in "
                                    "microseconds (pyarrow: coerce_timestamps='us'), or run without --engine spark",
                                    "含有以纳秒为单位的时间，Spark 不能读取；请以微秒为单位重新写出（pyarrow："
                                    "coerce_timestamps='us'），或者不用 --engine spark 运行"),
    "spark.no_such_table": ("no table '{name}' in the Spark catalog; check the name (table:database.name)",
                            "Spark 目录中没有表 '{name}'；请检查名称（table:数据库.表名）"),
    # events: the --events files
    "events.no_such_column": ("input.event_columns maps {field} to '{header}', which is not a column of this file; "
                              "its columns are {headers}",
                              "input.event_columns 把 {field} 对应到 '{header}'，但本文件没有这一列；本文件的列是 "
                              "{headers}"),
    "events.missing_field": ("no {field} column found in this events file (read as {layout}); its columns are "
                             "{headers}. Name it in the rules: input: {{event_columns: {{{field}: {example}}}}}",
                             "这个行为文件（按 {layout} 读取）中找不到 {field} 列；它的列是 {headers}。请在规则中指明："
                             "input: {{event_columns: {{{field}: {example}}}}}"),
    "events.missing_fields": ("no column found for {fields} in this events file (read as {layout}); its columns are "
                              "{headers}. Name them in the rules: input: {{event_columns: {{{mapping}}}}}",
                              "这个行为文件（按 {layout} 读取）中找不到 {fields} 这几列；它的列是 {headers}。请在规则"
                              "中指明：input: {{event_columns: {{{mapping}}}}}"),
    "unknown_sheet": ("has no sheet '{sheet}'; choose one of its sheets with --sheet: {sheets}",
                      "没有名为 '{sheet}' 的工作表；请用 --sheet 选择其中一个：{sheets}"),
    "empty_sheet": ("sheet '{sheet}' is empty; choose the sheet that holds the orders with --sheet",
                    "工作表 '{sheet}' 是空的；请用 --sheet 选择存放订单的工作表"),
    "sheet_no_header": (
        "sheet '{sheet}' has no header: every cell of its first rows is empty; put the column names in its first row, "
        "or choose another sheet with --sheet",
        "工作表 '{sheet}' 没有表头：前几行的单元格全是空的；请在第一行写上列名，或用 --sheet 选择别的工作表"),
    # workbooks.py
    "not_a_spreadsheet": (
        "can't be opened as a spreadsheet ({reason}); is it really a .{kind} file? Open it in its program and save it "
        "again as .xlsx or .csv",
        "无法作为电子表格打开（{reason}）；它真的是 .{kind} 文件吗？请用原程序打开并另存为 .xlsx 或 .csv"),
    "sheet_too_big": (
        "needs more than {limit} of memory to read{declared}: a sheet is read as one grid from its first to its last "
        "cell; {advice}",
        "读取它需要超过 {limit} 的内存{declared}：工作表会按从第一个到最后一个单元格的整块区域读取；{advice}"),
    "declared_cells": (" (its sheet declares cells {area}, {cells:,} cells)",
                       "（它的工作表声明的单元格范围是 {area}，共 {cells:,} 个单元格）"),
    "give_more_memory": ("give it more with --memory-limit {size}, or save the sheet as CSV and read that",
                         "请用 --memory-limit {size} 给它更多内存，或把工作表另存为 CSV 再读取"),
    "stray_cells": (
        "the sheet has cells far away from its data (a stray value or format); delete the empty rows and columns "
        "after the data, or save the sheet as CSV and read that",
        "工作表在数据之外很远的地方还有单元格（多余的值或格式）；请删除数据之后的空行和空列，"
        "或把工作表另存为 CSV 再读取"),
    "zip_bomb": (
        "its part {part!r} would unpack from {packed} to {unpacked} ({times:,} times its size), which no real export "
        "does; it is not read",
        "其中的部分 {part!r} 会从 {packed} 解压成 {unpacked}（{times:,} 倍），真实的导出文件不会这样；不读取它"),
    # sheets.py
    "unsupported_file": ("can't read {what} from a '{suffix}' file; give a workbook (.xlsx), .csv or .parquet",
                         "无法从 '{suffix}' 文件读取{what}；请提供工作簿（.xlsx）、.csv 或 .parquet 文件"),
    "cant_read_it_as": ("can't read it as {kind}: {reason}", "无法按 {kind} 读取：{reason}"),
    # members.py
    "member_field.registered_at": ("registration date", "注册时间"),
    "member_field.birthday": ("birthday", "生日"),
    "member_field.member_level": ("level", "会员等级"),
    "member_field.member_region": ("region", "地区"),
    "member_field.member_channel": ("channel", "渠道"),
    "member_field.member_gender": ("gender", "性别"),
    "members_no_id": (
        "no column for the member id (looked for: {aliases}, 会员ID, 客户ID, …). Columns found: {found}. Name the id "
        "column customer_id (the same ids as in the orders)",
        "找不到会员ID列（查找过：{aliases}、会员ID、客户ID 等）。找到的列：{found}。"
        "请把ID列命名为 customer_id（ID 与订单中的一致）"),
    "members_missing_column": (
        "the rules use {name}, which needs the members' {what}, but there is no such column (looked for: {aliases}, "
        "…). Columns found: {found}",
        "规则用到了 {name}，需要会员的{what}，但没有这样的列（查找过：{aliases} 等）。找到的列：{found}"),
    "members_not_a_date": ("'{value}' is not a date; write dates as YYYY-MM-DD",
                           "'{value}' 不是日期；日期请写成 YYYY-MM-DD"),
    "date_out_of_range": (
        "'{value}' is outside the dates a spreadsheet can show ({range}); write the real date, or leave the cell empty",
        "'{value}' 超出了电子表格能显示的日期范围（{range}）；请写真实的日期，或留空"),
    "members_duplicate": ("member '{member}' is listed more than once (rows {rows}); keep one row per member",
                          "会员 '{member}' 出现了不止一次（第 {rows} 行）；每位会员只保留一行"),
    # previous.py
    "and_more": (" and {more} more", " 等另外 {more} 列"),
    "run_no_customer_id": (
        "no customer_id column, so this is not a customers table tiercli wrote (the Customers sheet of its workbook, "
        "or its -o .csv/.parquet): give --previous such a file; columns found: {found}",
        "没有 customer_id 列，所以这不是 tiercli 写出的客户表（工作簿中的 Customers/客户 工作表，或用 -o "
        "写出的 .csv/.parquet）；找到的列：{found}"),
    "run_no_grading": (
        "no column '{grading}' for the grading '{grading}' of {whose}; columns found: {found}. The run was made with "
        "other rules: use those, or rename its column to the grading's name",
        "没有列 '{grading}'（{whose} 中分级 '{grading}' 的列）；找到的列：{found}。"
        "这份运行结果是用另一份规则文件生成的：请改用那份规则文件，或把它的列改名为该分级的名称"),
    "run_missing_id": ("has no customer_id; every row of a run is one customer",
                       "缺少 customer_id；运行结果的每一行都是一位客户"),
    "run_duplicate_id": ("customer '{customer}' is listed more than once ({rows}); a run has one row per customer",
                         "客户 '{customer}' 出现了不止一次（{rows}）；运行结果中每位客户只占一行"),
    "run_missing_level": ("customer '{customer}' has no level; every customer of a run has one",
                          "客户 '{customer}' 没有等级；运行结果中每位客户都应有一个等级"),
    "one_customer": ("{count:,} customer", "{count:,} 位客户"),
    "customers": ("{count:,} customers", "{count:,} 位客户"),
    "level_hint": ("; did you mean '{choice}'?", "；是否想写 '{choice}'？"),
    "unknown_level_found": ("'{level}' ({customers}, first at {first}{hint})",
                            "'{level}'（{customers}，首次出现在{first}{hint}）"),
    "run_unknown_level": (
        "the grading '{grading}' has a level that {whose} doesn't know: {found}; the levels there are {levels}. "
        "Rename them in the file, or use the rules the run was made with",
        "分级 '{grading}' 中有 {whose} 里没有的等级：{found}；那里的等级是 {levels}。"
        "请在文件中改名，或使用生成这份运行结果时的规则文件"),
    "run_unknown_levels": (
        "the grading '{grading}' has levels that {whose} doesn't know: {found}; the levels there are {levels}. "
        "Rename them in the file, or use the rules the run was made with",
        "分级 '{grading}' 中有 {whose} 里没有的等级：{found}；那里的等级是 {levels}。"
        "请在文件中改名，或使用生成这份运行结果时的规则文件"),
    # overrides.py
    "overrides_columns": (" (columns: {columns})", "（可用的列：{columns}）"),
    "overrides_unknown_column": ("unknown column '{header}'{hint}; rename or remove it",
                                 "未知的列 '{header}'{hint}；请改名或删除"),
    "overrides_duplicate_column": ("columns '{first}' and '{second}' both give {name}; keep one",
                                   "列 '{first}' 和 '{second}' 都表示 {name}；请只保留一个"),
    "overrides_no_customer_column": ("no customer column; add one (the columns are {columns})",
                                     "没有 customer 列；请加上（可用的列是 {columns}）"),
    "overrides_no_change_column": ("nothing to change: give a level, add_tags or remove_tags column",
                                   "没有要调整的内容：请提供 level、add_tags 或 remove_tags 列"),
    "overrides_tag_twice": ("adds and removes {tags}", "同时添加又移除了标签 {tags}"),
    "overrides_no_change": ("changes nothing: give a level, add_tags or remove_tags",
                            "这一行没有调整任何内容：请填写 level、add_tags 或 remove_tags"),
    "overrides_gradings": (" (the gradings are {gradings})", "（现有分级：{gradings}）"),
    "overrides_unknown_grading": ("unknown grading '{grading}'{hint}", "未知的分级 '{grading}'{hint}"),
    "overrides_which_grading": ("sets level '{level}' but names no grading, and the rules have {count} ({gradings})",
                                "设置了等级 '{level}' 但没有写明分级，而规则文件中有 {count} 个分级（{gradings}）"),
    "overrides_unknown_level": ("unknown level '{level}' of the grading '{grading}'{hint}; its levels are {levels}",
                                "分级 '{grading}' 中没有等级 '{level}'{hint}；它的等级有 {levels}"),
    "bad_tag": ("'{name}' can't be a tag: {why}", "'{name}' 不能作为标签：{why}"),
    "tag_is_a_column": ("it is the name of a column tiercli writes ({column}); choose another name",
                        "它是 tiercli 写出的一列（{column}）的名称；请换一个名称"),
    "overrides_tag_typo": (
        "manual tag '{name}' is close to the rules' tag '{tag}': a typo? It is set as a tag of its own",
        "人工标签 '{name}' 与规则中的标签 '{tag}' 很接近：是否写错了？它被当作一个独立的标签"),
}
