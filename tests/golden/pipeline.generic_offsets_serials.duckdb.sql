CREATE VIEW raw_0 AS
SELECT
  "customer_id" AS c0,
  "order_id" AS c1,
  "order_date" AS c2,
  "amount" AS c3,
  CAST(NULL AS TEXT) AS c_extra,
  "__row" AS __row
FROM input_1;

CREATE OR REPLACE MACRO tc_empty(
    y
) AS
CASE
  WHEN LENGTH(y) <= 4
  AND y IN (
    '',
    '-',
    '--',
    '无',
    'NA',
    'N/A',
    '#N/A',
    'NULL',
    'null',
    'None',
    'nan',
    'NaN',
    '<NA>'
  )
  THEN NULL
  ELSE y
END;

CREATE OR REPLACE MACRO is_marker(
    x
) AS
LENGTH(x) BETWEEN 2 AND 8
AND (
  x IN ('NA', 'N/A', '#N/A', 'NULL', 'null', 'None', 'nan', 'NaN', '<NA>')
  OR (
    (
      LEFT(x, 1) IN (CHR(32), CHR(9), CHR(12288))
      OR RIGHT(x, 1) IN (CHR(32), CHR(9), CHR(12288))
    )
    AND TRIM(x, CHR(32) || CHR(9) || CHR(12288)) IN ('NA', 'N/A', '#N/A', 'NULL', 'null', 'None', 'nan', 'NaN', '<NA>')
  )
);

CREATE OR REPLACE MACRO tc_slow(
    x
) AS
TC_EMPTY(
  TRIM(
    REGEXP_REPLACE(
      REGEXP_REPLACE(TRIM(x, CHR(32) || CHR(9) || CHR(12288) || CHR(13) || CHR(10)), '^="(.*)"$', '\1'),
      '^[''\t]+',
      ''
    ),
    CHR(32) || CHR(9) || CHR(12288)
  )
);

CREATE OR REPLACE MACRO tc(
    x
) AS
CASE
  WHEN x IS NULL
  THEN NULL
  WHEN x <> ''
  AND STRPOS('=''' || CHR(9) || CHR(32) || CHR(12288) || '"' || CHR(13) || CHR(10), LEFT(x, 1)) = 0
  AND STRPOS(CHR(32) || CHR(9) || CHR(12288) || '"' || CHR(13) || CHR(10), RIGHT(x, 1)) = 0
  THEN TC_EMPTY(x)
  WHEN STARTS_WITH(x, '="')
  AND ENDS_WITH(x, '"')
  AND NOT REGEXP_MATCHES(x, '^="[\s''"]|[\s"]"$')
  THEN TC_EMPTY(SUBSTRING(x, 3, LENGTH(x) - 3))
  ELSE TC_SLOW(x)
END;

CREATE OR REPLACE MACRO tid(
    x
) AS
REGEXP_REPLACE(x, '^([0-9]+)\.0+$', '\1');

CREATE OR REPLACE MACRO money_bare(
    x
) AS
REGEXP_REPLACE(
  REGEXP_REPLACE(x, '[¥￥$€£\s]|元|RMB|CNY|USD|GBP|EUR', '', 'g'),
  '^(-?[0-9][0-9.,]*)[(（].*[)）]$',
  '\1'
);

CREATE OR REPLACE MACRO money_point(
    x
) AS
CASE
  WHEN REGEXP_FULL_MATCH(x, '\(?-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+),[0-9]{1,2}\)?')
  THEN REPLACE(REPLACE(x, '.', ''), ',', '.') /* a decimal comma, when it can't be a thousands one */
  ELSE REPLACE(x, ',', '')
END;

CREATE OR REPLACE MACRO money_slow(
    x
) AS
COALESCE(
  TRY_CAST(x AS DECIMAL(18, 4)),
  TRY_CAST(REGEXP_REPLACE(
    REGEXP_REPLACE(MONEY_POINT(MONEY_BARE(x)), '^\((.*)\)$', '-\1'),
    '^(-?)[A-Z]{3}',
    '\1'
  ) AS DECIMAL(18, 4))
);

CREATE OR REPLACE MACRO money(
    x
) AS
CASE
  WHEN NOT TRY_CAST(x AS DECIMAL(18, 4)) IS NULL
  THEN TRY_CAST(x AS DECIMAL(18, 4))
  WHEN NOT x IS NULL
  THEN MONEY_SLOW(TC(x))
END;

CREATE OR REPLACE MACRO ts_slow(
    x
) AS
CASE
  WHEN REGEXP_FULL_MATCH(x, '[0-9]{5}(\.[0-9]+)?')
  THEN CAST('1899-12-30' AS TIMESTAMP) + TO_MICROSECONDS(CAST(ROUND(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))
  ELSE TRY_STRPTIME(
    REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
    [
      '%Y/%m/%d %H:%M:%S',
      '%Y/%m/%d %H:%M',
      '%Y/%m/%d',
      '%Y.%m.%d %H:%M:%S',
      '%Y.%m.%d',
      '%Y年%m月%d日 %H:%M:%S',
      '%Y年%m月%d日 %H:%M',
      '%Y年%m月%d日',
      '%m/%d/%y %H:%M',
      '%m/%d/%y',
      '%m/%d/%Y %H:%M:%S',
      '%m/%d/%Y %H:%M',
      '%m/%d/%Y',
      '%m-%d-%Y %H:%M',
      '%m-%d-%Y'
    ]
  )
END;

CREATE OR REPLACE MACRO ts(
    x
) AS
CASE
  WHEN NOT TRY_CAST(x AS TIMESTAMP) IS NULL
  THEN TRY_CAST(x AS TIMESTAMP)
  WHEN NOT x IS NULL
  THEN TS_SLOW(TC(x))
END;

CREATE OR REPLACE MACRO ts_iso_slow(
    x
) AS
COALESCE(
  TRY_CAST(x AS TIMESTAMP),
  CASE
    WHEN REGEXP_FULL_MATCH(x, '[0-9]{5}(\.[0-9]+)?')
    THEN CAST('1899-12-30' AS TIMESTAMP) + TO_MICROSECONDS(CAST(ROUND(CAST(x AS DOUBLE) * 86400e6) AS BIGINT))
    ELSE TRY_STRPTIME(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      [
        '%Y/%m/%d %H:%M:%S',
        '%Y/%m/%d %H:%M',
        '%Y/%m/%d',
        '%Y.%m.%d %H:%M:%S',
        '%Y.%m.%d',
        '%Y年%m月%d日 %H:%M:%S',
        '%Y年%m月%d日 %H:%M',
        '%Y年%m月%d日'
      ]
    )
  END
);

CREATE OR REPLACE MACRO ts_iso(
    x
) AS
CASE
  WHEN NOT TRY_CAST(x AS TIMESTAMP) IS NULL
  THEN TRY_CAST(x AS TIMESTAMP)
  WHEN NOT x IS NULL
  THEN TS_ISO_SLOW(TC(x))
END;

CREATE OR REPLACE MACRO ts_tz(
    x,
    zone
) AS
CASE
  WHEN REGEXP_MATCHES(
    TC(x),
    '[0-9]:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})\s*$'
  )
  THEN TIMEZONE(
    zone,
    TRY_CAST(REGEXP_REPLACE(
      REGEXP_REPLACE(TC(x), '\s*(Z|UTC|GMT)\s*$', '+00:00'),
      '\s*([+-][0-9]{2}):?([0-9]{2})\s*$',
      '\1:\2'
    ) AS TIMESTAMPTZ)
  )
  ELSE TS(x)
END;

CREATE OR REPLACE TABLE __inputs (
  __input INT,
  source_file TEXT
);

INSERT INTO __inputs
VALUES
  (0, 'generic_offsets_serials.csv');

CREATE TABLE lines AS
SELECT
  *
  EXCLUDE (c0, c1, c2, c3, c_extra, paid_raw, created_raw, amount_raw, paid_ts, created_ts, customer_written, is_adjustment, refund_class),
  CASE
    WHEN NOT reason IS NULL
    THEN [CAST(c0 AS TEXT), CAST(c1 AS TEXT), CAST(c2 AS TEXT), CAST(c3 AS TEXT)]
  END AS raw_cells
FROM (
  SELECT
    *
    REPLACE (CASE
      WHEN reason = 'missing_customer'
      AND reason_post IS NULL
      AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'after_as_of'
      ELSE reason_post
    END AS reason_post, CASE
      WHEN reason = 'missing_customer'
      AND reason_post IS NULL
      AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'ordered ' || (
        CAST(order_ts AS TEXT)
      ) || ', after as_of ' || (
        '2026-10-31 23:59:59'
      )
      ELSE message_post
    END AS message_post, CASE
      WHEN reason = 'missing_customer'
      AND reason_post IS NULL
      AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN '下单时间 ' || (
        CAST(order_ts AS TEXT)
      ) || '，晚于统计截止时间 ' || (
        '2026-10-31 23:59:59'
      )
      ELSE message_post_zh
    END AS message_post_zh, CASE
      WHEN reason IS NULL AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'after_as_of'
      ELSE reason
    END AS reason, CASE
      WHEN reason IS NULL AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'ordered ' || (
        CAST(order_ts AS TEXT)
      ) || ', after as_of ' || (
        '2026-10-31 23:59:59'
      )
      ELSE message
    END AS message, CASE
      WHEN reason IS NULL AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN '下单时间 ' || (
        CAST(order_ts AS TEXT)
      ) || '，晚于统计截止时间 ' || (
        '2026-10-31 23:59:59'
      )
      ELSE message_zh
    END AS message_zh)
  FROM (
    SELECT
      *,
      CASE
        WHEN NOT reason IS NULL
        THEN CASE
          WHEN NOT TC(c_extra) IS NULL
          THEN 'the row has more cells than the header; the first extra one holds ''' || (
            TC(c_extra)
          ) || ''''
          WHEN (
            (
              LENGTH(order_id) <= 12
              AND STRPOS(
                '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                '|' || order_id || '|'
              ) > 0
            )
            OR (
              LENGTH(customer_written) <= 12
              AND STRPOS(
                '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                '|' || customer_written || '|'
              ) > 0
            )
            OR (
              LENGTH(TRIM(CAST(c0 AS TEXT))) <= 12
              AND STRPOS(
                '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                '|' || TRIM(CAST(c0 AS TEXT)) || '|'
              ) > 0
            )
          )
          THEN 'a total row of the export, not an order'
          WHEN is_adjustment
          THEN 'order id ''' || (
            order_id
          ) || ''' is an adjustment, not an order'
          WHEN (
            LENGTH(status_class) <= 9
            AND STRPOS('|unpaid|cancelled|refunded|unknown|', '|' || status_class || '|') > 0
          )
          AND NOT status IS NULL
          THEN 'status ''' || (
            status
          ) || ''''
          WHEN (
            LENGTH(refund_class) <= 9
            AND STRPOS('|refunded|cancelled|', '|' || refund_class || '|') > 0
          )
          THEN 'after-sale status ''' || (
            refund_status
          ) || ''''
          WHEN NOT cancelled_at IS NULL
          THEN 'cancelled at ' || (
            CAST(cancelled_at AS TEXT)
          )
          WHEN FALSE
          THEN 'no payment time in ' || (
            '''order_date'''
          )
          WHEN customer_id IS NULL AND NOT customer_written IS NULL
          THEN 'only a masked identifier: ''' || (
            customer_written
          ) || ''' in ' || (
            '''customer_id'''
          )
          WHEN customer_id IS NULL
          THEN 'no value in ' || (
            '''customer_id'''
          )
          WHEN (
            paid_ts IS NULL AND NOT TC(paid_raw) IS NULL
          )
          THEN '''' || (
            TC(paid_raw)
          ) || ''' in ' || (
            ''
          ) || ' is not a date'
          WHEN (
            paid_ts IS NULL AND created_ts IS NULL AND NOT TC(created_raw) IS NULL
          )
          THEN '''' || (
            TC(created_raw)
          ) || ''' in ' || (
            '''order_date'''
          ) || ' is not a date'
          WHEN COALESCE(paid_ts, created_ts) IS NULL
          THEN 'no value in ' || (
            '''order_date'''
          )
          WHEN (
            NOT COALESCE(paid_ts, created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN '''' || (
            COALESCE(TC(paid_raw), CAST(paid_ts AS TEXT), TC(created_raw), CAST(created_ts AS TEXT))
          ) || ''' in ' || (
            CASE WHEN NOT paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' is outside the dates a spreadsheet can show (' || '1900-01-01 to 9999-12-31' || ')'
          WHEN gross IS NULL AND TC(amount_raw) IS NULL
          THEN 'no value in ' || (
            '''amount'''
          )
          WHEN gross IS NULL
          THEN '''' || (
            TC(amount_raw)
          ) || ''' in ' || (
            '''amount'''
          ) || ' is not an amount'
          WHEN gross > 0 AND refund_amount >= gross
          THEN 'refund ' || (
            CAST(refund_amount AS TEXT)
          ) || ' of ' || (
            CAST(gross AS TEXT)
          )
        END
      END AS message,
      CASE
        WHEN NOT reason IS NULL
        THEN CASE
          WHEN NOT TC(c_extra) IS NULL
          THEN '这一行的单元格比表头多；多出的第一个是 ''' || (
            TC(c_extra)
          ) || ''''
          WHEN (
            (
              LENGTH(order_id) <= 12
              AND STRPOS(
                '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                '|' || order_id || '|'
              ) > 0
            )
            OR (
              LENGTH(customer_written) <= 12
              AND STRPOS(
                '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                '|' || customer_written || '|'
              ) > 0
            )
            OR (
              LENGTH(TRIM(CAST(c0 AS TEXT))) <= 12
              AND STRPOS(
                '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                '|' || TRIM(CAST(c0 AS TEXT)) || '|'
              ) > 0
            )
          )
          THEN '导出文件的合计行，不是订单'
          WHEN is_adjustment
          THEN '订单号 ''' || (
            order_id
          ) || ''' 是调整记录，不是订单'
          WHEN (
            LENGTH(status_class) <= 9
            AND STRPOS('|unpaid|cancelled|refunded|unknown|', '|' || status_class || '|') > 0
          )
          AND NOT status IS NULL
          THEN '订单状态 ''' || (
            status
          ) || ''''
          WHEN (
            LENGTH(refund_class) <= 9
            AND STRPOS('|refunded|cancelled|', '|' || refund_class || '|') > 0
          )
          THEN '售后状态 ''' || (
            refund_status
          ) || ''''
          WHEN NOT cancelled_at IS NULL
          THEN '取消时间 ' || (
            CAST(cancelled_at AS TEXT)
          )
          WHEN FALSE
          THEN (
            '''order_date'''
          ) || ' 中没有付款时间'
          WHEN customer_id IS NULL AND NOT customer_written IS NULL
          THEN (
            '''customer_id'''
          ) || ' 中只有打码的标识：''' || (
            customer_written
          ) || ''''
          WHEN customer_id IS NULL
          THEN (
            '''customer_id'''
          ) || ' 中没有值'
          WHEN (
            paid_ts IS NULL AND NOT TC(paid_raw) IS NULL
          )
          THEN (
            ''
          ) || ' 中的 ''' || (
            TC(paid_raw)
          ) || ''' 不是日期'
          WHEN (
            paid_ts IS NULL AND created_ts IS NULL AND NOT TC(created_raw) IS NULL
          )
          THEN (
            '''order_date'''
          ) || ' 中的 ''' || (
            TC(created_raw)
          ) || ''' 不是日期'
          WHEN COALESCE(paid_ts, created_ts) IS NULL
          THEN (
            '''order_date'''
          ) || ' 中没有值'
          WHEN (
            NOT COALESCE(paid_ts, created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN (
            CASE WHEN NOT paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' 中的 ''' || (
            COALESCE(TC(paid_raw), CAST(paid_ts AS TEXT), TC(created_raw), CAST(created_ts AS TEXT))
          ) || ''' 超出了电子表格能显示的日期范围（' || '1900-01-01 到 9999-12-31' || '）'
          WHEN gross IS NULL AND TC(amount_raw) IS NULL
          THEN (
            '''amount'''
          ) || ' 中没有值'
          WHEN gross IS NULL
          THEN (
            '''amount'''
          ) || ' 中的 ''' || (
            TC(amount_raw)
          ) || ''' 不是金额'
          WHEN gross > 0 AND refund_amount >= gross
          THEN '退款 ' || (
            CAST(refund_amount AS TEXT)
          ) || '，实付 ' || (
            CAST(gross AS TEXT)
          )
        END
      END AS message_zh,
      CASE
        WHEN NOT reason_post IS NULL
        THEN CASE
          WHEN (
            paid_ts IS NULL AND NOT TC(paid_raw) IS NULL
          )
          THEN '''' || (
            TC(paid_raw)
          ) || ''' in ' || (
            ''
          ) || ' is not a date'
          WHEN (
            paid_ts IS NULL AND created_ts IS NULL AND NOT TC(created_raw) IS NULL
          )
          THEN '''' || (
            TC(created_raw)
          ) || ''' in ' || (
            '''order_date'''
          ) || ' is not a date'
          WHEN COALESCE(paid_ts, created_ts) IS NULL
          THEN 'no value in ' || (
            '''order_date'''
          )
          WHEN (
            NOT COALESCE(paid_ts, created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN '''' || (
            COALESCE(TC(paid_raw), CAST(paid_ts AS TEXT), TC(created_raw), CAST(created_ts AS TEXT))
          ) || ''' in ' || (
            CASE WHEN NOT paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' is outside the dates a spreadsheet can show (' || '1900-01-01 to 9999-12-31' || ')'
          WHEN gross IS NULL AND TC(amount_raw) IS NULL
          THEN 'no value in ' || (
            '''amount'''
          )
          WHEN gross IS NULL
          THEN '''' || (
            TC(amount_raw)
          ) || ''' in ' || (
            '''amount'''
          ) || ' is not an amount'
          WHEN gross > 0 AND refund_amount >= gross
          THEN 'refund ' || (
            CAST(refund_amount AS TEXT)
          ) || ' of ' || (
            CAST(gross AS TEXT)
          )
        END
      END AS message_post,
      CASE
        WHEN NOT reason_post IS NULL
        THEN CASE
          WHEN (
            paid_ts IS NULL AND NOT TC(paid_raw) IS NULL
          )
          THEN (
            ''
          ) || ' 中的 ''' || (
            TC(paid_raw)
          ) || ''' 不是日期'
          WHEN (
            paid_ts IS NULL AND created_ts IS NULL AND NOT TC(created_raw) IS NULL
          )
          THEN (
            '''order_date'''
          ) || ' 中的 ''' || (
            TC(created_raw)
          ) || ''' 不是日期'
          WHEN COALESCE(paid_ts, created_ts) IS NULL
          THEN (
            '''order_date'''
          ) || ' 中没有值'
          WHEN (
            NOT COALESCE(paid_ts, created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN (
            CASE WHEN NOT paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' 中的 ''' || (
            COALESCE(TC(paid_raw), CAST(paid_ts AS TEXT), TC(created_raw), CAST(created_ts AS TEXT))
          ) || ''' 超出了电子表格能显示的日期范围（' || '1900-01-01 到 9999-12-31' || '）'
          WHEN gross IS NULL AND TC(amount_raw) IS NULL
          THEN (
            '''amount'''
          ) || ' 中没有值'
          WHEN gross IS NULL
          THEN (
            '''amount'''
          ) || ' 中的 ''' || (
            TC(amount_raw)
          ) || ''' 不是金额'
          WHEN gross > 0 AND refund_amount >= gross
          THEN '退款 ' || (
            CAST(refund_amount AS TEXT)
          ) || '，实付 ' || (
            CAST(gross AS TEXT)
          )
        END
      END AS message_post_zh
    FROM (
      SELECT
        *,
        CASE
          WHEN reason = 'missing_customer'
          THEN CASE
            WHEN (
              paid_ts IS NULL AND NOT TC(paid_raw) IS NULL
            )
            OR (
              paid_ts IS NULL AND created_ts IS NULL AND NOT TC(created_raw) IS NULL
            )
            OR COALESCE(paid_ts, created_ts) IS NULL
            OR (
              NOT COALESCE(paid_ts, created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
            )
            THEN 'bad_date'
            WHEN gross IS NULL
            THEN 'bad_amount'
            WHEN status_class = 'unknown' AND NOT (
              NOT paid_ts IS NULL AND gross > 0
            )
            THEN 'unknown_status'
            WHEN gross > 0 AND refund_amount >= gross
            THEN 'refunded_in_full'
          END
        END AS reason_post
      FROM (
        SELECT
          *,
          COALESCE(paid_ts, created_ts) AS order_ts,
          CASE
            WHEN NOT TC(c_extra) IS NULL
            THEN 'extra_cells'
            WHEN (
              (
                LENGTH(order_id) <= 12
                AND STRPOS(
                  '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                  '|' || order_id || '|'
                ) > 0
              )
              OR (
                LENGTH(customer_written) <= 12
                AND STRPOS(
                  '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                  '|' || customer_written || '|'
                ) > 0
              )
              OR (
                LENGTH(TRIM(CAST(c0 AS TEXT))) <= 12
                AND STRPOS(
                  '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|',
                  '|' || TRIM(CAST(c0 AS TEXT)) || '|'
                ) > 0
              )
            )
            THEN 'summary_row'
            WHEN is_adjustment
            THEN 'adjustment'
            WHEN status_class = 'unpaid'
            THEN 'unpaid'
            WHEN status_class = 'refunded' OR refund_class = 'refunded'
            THEN 'refunded_in_full'
            WHEN status_class = 'cancelled'
            OR refund_class = 'cancelled'
            OR NOT cancelled_at IS NULL
            THEN 'cancelled'
            WHEN FALSE
            THEN 'unpaid'
            WHEN FALSE
            THEN NULL /* the rest comes from the item's order, joined afterwards */
            WHEN customer_id IS NULL
            THEN 'missing_customer'
            ELSE CASE
              WHEN (
                paid_ts IS NULL AND NOT TC(paid_raw) IS NULL
              )
              OR (
                paid_ts IS NULL AND created_ts IS NULL AND NOT TC(created_raw) IS NULL
              )
              OR COALESCE(paid_ts, created_ts) IS NULL
              OR (
                NOT COALESCE(paid_ts, created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
              )
              THEN 'bad_date'
              WHEN gross IS NULL
              THEN 'bad_amount'
              WHEN status_class = 'unknown' AND NOT (
                NOT paid_ts IS NULL AND gross > 0
              )
              THEN 'unknown_status'
              WHEN gross > 0 AND refund_amount >= gross
              THEN 'refunded_in_full'
            END
          END AS reason,
          FALSE AS key_conflict
        FROM (
          SELECT
            *,
            'paid_done' AS status_class
          FROM (
            WITH typed AS (
              SELECT
                0 AS __input,
                __row AS source_row,
                c0,
                c1,
                c2,
                c3,
                c_extra,
                t_customer AS customer_id,
                customer_written,
                key_masked,
                key_rank,
                marker_mask,
                t_order_id AS order_id,
                FALSE AS is_adjustment,
                CAST(NULL AS TIMESTAMP) AS paid_ts,
                TS_TZ(t_created_ts, 'GMT+08:00') AS created_ts,
                CAST(NULL AS TIMESTAMP) AS cancelled_at,
                CAST(NULL AS TEXT) AS paid_raw,
                t_created_ts AS created_raw,
                MONEY(t_amount) AS gross,
                t_amount AS amount_raw,
                COALESCE(MONEY(CAST(NULL AS TEXT)), 0) AS refund_amount,
                COALESCE(MONEY(CAST(NULL AS TEXT)), 0) AS discount_amount,
                MONEY(CAST(NULL AS TEXT)) AS quantity,
                MONEY(CAST(NULL AS TEXT)) AS unit_price,
                CAST(NULL AS TEXT) AS status,
                CAST(NULL AS TEXT) AS refund_status,
                CAST(NULL AS TEXT) AS refund_class,
                CAST(NULL AS TEXT) AS product,
                CAST(NULL AS TEXT) AS sku,
                CAST(NULL AS TEXT) AS category,
                CAST(NULL AS TEXT) AS region,
                CAST(NULL AS TEXT) AS channel,
                CAST(NULL AS TEXT) AS currency
              FROM (
                SELECT
                  __row,
                  c0,
                  c1,
                  c2,
                  c3,
                  c_extra,
                  t_customer_0 AS customer_written,
                  COALESCE(REGEXP_MATCHES(t_customer_0, '(?:\*{3,})|(?:密文)'), FALSE) AS key_masked,
                  CASE
                    WHEN NOT CASE
                      WHEN REGEXP_MATCHES(t_customer_0, '(?:\*{3,})|(?:密文)')
                      THEN NULL
                      ELSE t_customer_0
                    END IS NULL
                    THEN 0
                  END AS key_rank,
                  TID(
                    CASE
                      WHEN REGEXP_MATCHES(t_customer_0, '(?:\*{3,})|(?:密文)')
                      THEN NULL
                      ELSE t_customer_0
                    END
                  ) AS t_customer,
                  TID(t_order_id_0) AS t_order_id,
                  t_created_ts_0 AS t_created_ts,
                  t_amount_0 AS t_amount,
                  marker_mask
                FROM (
                  SELECT
                    *
                    REPLACE (CASE
                      WHEN (
                        LENGTH(t_customer_0) <= 2 AND STRPOS('|-|--|无|', '|' || t_customer_0 || '|') > 0
                      )
                      THEN NULL
                      ELSE t_customer_0
                    END AS t_customer_0, CASE
                      WHEN (
                        LENGTH(t_order_id_0) <= 2 AND STRPOS('|-|--|无|', '|' || t_order_id_0 || '|') > 0
                      )
                      THEN NULL
                      ELSE t_order_id_0
                    END AS t_order_id_0)
                  FROM (
                    SELECT
                      __row,
                      c0,
                      c1,
                      c2,
                      c3,
                      c_extra,
                      TC(c0) AS t_customer_0,
                      TC(c1) AS t_order_id_0,
                      c2 AS t_created_ts_0,
                      c3 AS t_amount_0,
                      CASE WHEN IS_MARKER(c0) THEN 1 ELSE 0 END + CASE WHEN IS_MARKER(c1) THEN 2 ELSE 0 END + CASE WHEN IS_MARKER(c2) THEN 4 ELSE 0 END + CASE WHEN IS_MARKER(c3) THEN 8 ELSE 0 END AS marker_mask
                    FROM raw_0
                  )
                )
              )
            )
            SELECT
              *
            FROM typed
          )
        )
      )
    )
  )
);

CREATE OR REPLACE TEMPORARY TABLE __mixed AS
SELECT
  __input,
  order_id
FROM lines
WHERE
  __input IN (0) AND NOT order_id IS NULL
GROUP BY
  __input,
  order_id
HAVING
  MIN(COALESCE(customer_id, '')) <> MAX(COALESCE(customer_id, ''));

DROP TABLE __mixed;

CREATE VIEW orders AS
SELECT
  customer_id,
  order_id,
  order_ts,
  gross - refund_amount AS amount,
  refund_amount,
  discount_amount,
  quantity,
  product,
  sku,
  category,
  region,
  channel,
  status,
  currency,
  source_file,
  source_row
FROM lines
JOIN __inputs
  USING (__input)
WHERE
  reason IS NULL;

WITH customers AS (
    WITH per_order AS (
        SELECT customer_id, order_id, min(order_ts) AS order_ts, coalesce(sum(amount), 0) AS amount,
        bool_or(amount >= 0) AS purchase,
        bool_or(amount >= 0 AND discount_amount > 0) AS discounted, sum(refund_amount) AS refund_amount,
        sum(quantity) AS quantity
    FROM orders GROUP BY customer_id, order_id),
    agg AS (
        SELECT customer_id,
        date_diff('day', CAST(max(order_ts) FILTER (WHERE purchase) AS DATE), CAST(TIMESTAMP '2026-10-31 23:59:59' AS DATE)) AS recency_days,
        count(*) FILTER (WHERE purchase) AS frequency,
        coalesce(sum(amount), 0) AS monetary,
        min(order_ts) FILTER (WHERE purchase) AS first_order,
        max(order_ts) FILTER (WHERE purchase) AS last_order,
        date_diff('day', CAST(min(order_ts) FILTER (WHERE purchase) AS DATE), CAST(TIMESTAMP '2026-10-31 23:59:59' AS DATE)) AS tenure_days,
        count(*) FILTER (WHERE purchase AND order_ts > TIMESTAMP '2026-10-31 23:59:59' - INTERVAL 30 DAY) AS orders_30d,
        count(*) FILTER (WHERE purchase AND order_ts > TIMESTAMP '2026-10-31 23:59:59' - INTERVAL 90 DAY) AS orders_90d,
        count(*) FILTER (WHERE purchase AND order_ts > TIMESTAMP '2026-10-31 23:59:59' - INTERVAL 365 DAY) AS orders_365d,
        coalesce(sum(amount) FILTER (WHERE order_ts > TIMESTAMP '2026-10-31 23:59:59' - INTERVAL 30 DAY), 0) AS spend_30d,
        coalesce(sum(amount) FILTER (WHERE order_ts > TIMESTAMP '2026-10-31 23:59:59' - INTERVAL 90 DAY), 0) AS spend_90d,
        coalesce(sum(amount) FILTER (WHERE order_ts > TIMESTAMP '2026-10-31 23:59:59' - INTERVAL 365 DAY), 0) AS spend_365d,
        coalesce(sum(quantity), 0) AS quantity,
        coalesce(sum(refund_amount), 0) AS refund_amount,
        count(*) FILTER (WHERE discounted) / nullif(count(*) FILTER (WHERE purchase), 0) AS discount_share
        FROM per_order GROUP BY customer_id),
    metric_distinct_products AS (
        SELECT customer_id, count(value) AS distinct_products FROM (
            SELECT customer_id, coalesce(sku, product) AS value FROM orders GROUP BY ALL) GROUP BY customer_id),
    metric_distinct_categories AS (
        SELECT customer_id, count(value) AS distinct_categories FROM (
            SELECT customer_id, category AS value FROM orders GROUP BY ALL) GROUP BY customer_id),
    metric_top_category AS (
        SELECT customer_id,
            arg_min(value, struct_pack(w := -weight, v := value)) AS top_category
        FROM (SELECT customer_id, category AS value, sum(amount) AS weight FROM orders
              WHERE category IS NOT NULL GROUP BY ALL) GROUP BY customer_id),
    metric_region AS (
        SELECT customer_id,
            arg_min(value, struct_pack(w := -weight, v := value)) AS region
        FROM (SELECT customer_id, region AS value, count(*) AS weight FROM orders
              WHERE region IS NOT NULL GROUP BY ALL) GROUP BY customer_id),
    joined_0 AS (
        SELECT agg.*, coalesce(metric_distinct_products.distinct_products, 0) AS distinct_products
        FROM agg LEFT JOIN metric_distinct_products USING (customer_id)),
    joined_1 AS (
        SELECT joined_0.*, coalesce(metric_distinct_categories.distinct_categories, 0) AS distinct_categories
        FROM joined_0 LEFT JOIN metric_distinct_categories USING (customer_id)),
    joined_2 AS (
        SELECT joined_1.*, metric_top_category.top_category
        FROM joined_1 LEFT JOIN metric_top_category USING (customer_id)),
    joined_3 AS (
        SELECT joined_2.*, metric_region.region
        FROM joined_2 LEFT JOIN metric_region USING (customer_id)),
    full_row AS (
        SELECT *, monetary / nullif(frequency, 0) AS aov, refund_amount / nullif(monetary + refund_amount, 0) AS refund_rate, CASE WHEN frequency > 1 THEN date_diff('second', first_order, last_order) / 86400.0 / (frequency - 1) END AS avg_days_between_orders FROM joined_3)
    SELECT customer_id, recency_days AS recency_days, frequency AS frequency, CAST(monetary AS DECIMAL(18, 2)) AS monetary, CAST(aov AS DECIMAL(18, 2)) AS aov, first_order AS first_order, last_order AS last_order, tenure_days AS tenure_days, orders_30d AS orders_30d, orders_90d AS orders_90d, orders_365d AS orders_365d, CAST(spend_30d AS DECIMAL(18, 2)) AS spend_30d, CAST(spend_90d AS DECIMAL(18, 2)) AS spend_90d, CAST(spend_365d AS DECIMAL(18, 2)) AS spend_365d, CAST(quantity AS DOUBLE) AS quantity, distinct_products AS distinct_products, distinct_categories AS distinct_categories, top_category AS top_category, CAST(refund_amount AS DECIMAL(18, 2)) AS refund_amount, round(CAST(refund_rate AS DOUBLE), 4) AS refund_rate, round(CAST(discount_share AS DOUBLE), 4) AS discount_share, round(CAST(avg_days_between_orders AS DOUBLE), 1) AS avg_days_between_orders, region AS region FROM full_row),
score_inputs AS (
    SELECT customer_id, CAST(recency_days AS DOUBLE) AS "R", CAST(frequency AS DOUBLE) AS "F",
           CAST(monetary AS DOUBLE) AS "M"
    FROM customers WHERE recency_days IS NOT NULL),
cuts AS (SELECT quantile_cont("R", 0.2) AS r_1, quantile_cont("R", 0.4) AS r_2, quantile_cont("R", 0.6) AS r_3, quantile_cont("R", 0.8) AS r_4, quantile_cont("F", 0.2) AS f_1, quantile_cont("F", 0.4) AS f_2, quantile_cont("F", 0.6) AS f_3, quantile_cont("F", 0.8) AS f_4, quantile_cont("M", 0.2) AS m_1, quantile_cont("M", 0.4) AS m_2, quantile_cont("M", 0.6) AS m_3, quantile_cont("M", 0.8) AS m_4 FROM score_inputs),
scored AS (
        SELECT c.*, s.r_score, s.f_score, s.m_score, s.rfm_score, s.segment, CASE WHEN coalesce(frequency, 0) = 0 THEN 'potential' WHEN tenure_days <= 30 THEN 'new' WHEN recency_days >= 180 THEN 'churned' WHEN recency_days >= 90 THEN 'at_risk' ELSE 'active' END AS lifecycle
        FROM customers c LEFT JOIN (
            SELECT *, r_score * 100 + f_score * 10 + m_score AS rfm_score, CASE WHEN r_score IS NULL OR f_score IS NULL OR m_score IS NULL THEN NULL WHEN r_score BETWEEN 4 AND 5 AND f_score BETWEEN 4 AND 5 AND m_score BETWEEN 4 AND 5 THEN 'Champions' WHEN r_score BETWEEN 3 AND 5 AND f_score BETWEEN 4 AND 5 THEN 'Loyal' WHEN r_score BETWEEN 1 AND 2 AND f_score BETWEEN 4 AND 5 AND m_score BETWEEN 4 AND 5 THEN 'Can''t Lose Them' WHEN r_score BETWEEN 1 AND 2 AND f_score BETWEEN 3 AND 5 THEN 'At Risk' WHEN r_score BETWEEN 4 AND 5 AND f_score BETWEEN 2 AND 3 THEN 'Potential Loyalist' WHEN r_score = 5 AND f_score = 1 THEN 'New' WHEN r_score = 4 AND f_score = 1 THEN 'Promising' WHEN r_score = 3 AND f_score BETWEEN 2 AND 3 THEN 'Need Attention' WHEN r_score = 3 AND f_score = 1 THEN 'About To Sleep' WHEN r_score = 2 AND f_score BETWEEN 1 AND 2 THEN 'Hibernating' WHEN r_score = 1 AND f_score BETWEEN 1 AND 2 THEN 'Lost' ELSE NULL END AS segment
            FROM (SELECT customer_id, CASE WHEN "R" IS NULL THEN NULL ELSE 5 - (CAST("R" > cuts.r_1 AS INTEGER) + CAST("R" > cuts.r_2 AS INTEGER) + CAST("R" > cuts.r_3 AS INTEGER) + CAST("R" > cuts.r_4 AS INTEGER)) END AS r_score, CASE WHEN "F" IS NULL THEN NULL ELSE 1 + CAST("F" > cuts.f_1 AS INTEGER) + CAST("F" > cuts.f_2 AS INTEGER) + CAST("F" > cuts.f_3 AS INTEGER) + CAST("F" > cuts.f_4 AS INTEGER) END AS f_score, CASE WHEN "M" IS NULL THEN NULL ELSE 1 + CAST("M" > cuts.m_1 AS INTEGER) + CAST("M" > cuts.m_2 AS INTEGER) + CAST("M" > cuts.m_3 AS INTEGER) + CAST("M" > cuts.m_4 AS INTEGER) END AS m_score FROM score_inputs CROSS JOIN cuts) AS scores) s USING (customer_id)),
classified AS (SELECT *, CASE WHEN coalesce("monetary" >= 5000 OR ("monetary" >= 2000 AND "frequency" >= 5), FALSE) THEN '重要客户' WHEN coalesce("frequency" >= 4 AND "tenure_days" >= 180, FALSE) THEN '忠实客户' WHEN coalesce("monetary" >= 1000 AND "frequency" >= 2, FALSE) THEN '优质客户' WHEN coalesce("frequency" >= 2, FALSE) THEN '普通客户' ELSE '基础客户' END AS "tier", CASE WHEN coalesce("monetary" >= 5000 OR ("monetary" >= 2000 AND "frequency" >= 5), FALSE) THEN '重要客户: monetary >= 5000 or (monetary >= 2000 and frequency >= 5)' WHEN coalesce("frequency" >= 4 AND "tenure_days" >= 180, FALSE) THEN '忠实客户: frequency >= 4 and tenure_days >= 180' WHEN coalesce("monetary" >= 1000 AND "frequency" >= 2, FALSE) THEN '优质客户: monetary >= 1000 and frequency >= 2' WHEN coalesce("frequency" >= 2, FALSE) THEN '普通客户: frequency >= 2' ELSE '基础客户: no rule above matched' END AS "tier_why", nullif(substring(concat(CASE WHEN CAST(coalesce("orders_90d" >= 3, FALSE) AS INTEGER) = 1 THEN ', 高频购买者' ELSE '' END, CASE WHEN CAST(coalesce("discount_share" >= 0.5, FALSE) AS INTEGER) = 1 THEN ', 价格敏感型' ELSE '' END, CASE WHEN CAST(coalesce("top_category" = '美妆', FALSE) AS INTEGER) = 1 THEN ', 偏爱美妆' ELSE '' END, CASE WHEN CAST(coalesce("monetary" >= 1000 AND "recency_days" > 180, FALSE) AS INTEGER) = 1 THEN ', 沉睡高价值' ELSE '' END, CASE WHEN CAST(coalesce("tenure_days" <= 30, FALSE) AS INTEGER) = 1 THEN ', 新客' ELSE '' END, CASE WHEN CAST(coalesce("refund_rate" >= 0.3, FALSE) AS INTEGER) = 1 THEN ', 退款较多' ELSE '' END), 3), '') AS tags, CAST(coalesce("orders_90d" >= 3, FALSE) AS INTEGER) AS "高频购买者", CAST(coalesce("discount_share" >= 0.5, FALSE) AS INTEGER) AS "价格敏感型", CAST(coalesce("top_category" = '美妆', FALSE) AS INTEGER) AS "偏爱美妆", CAST(coalesce("monetary" >= 1000 AND "recency_days" > 180, FALSE) AS INTEGER) AS "沉睡高价值", CAST(coalesce("tenure_days" <= 30, FALSE) AS INTEGER) AS "新客", CAST(coalesce("refund_rate" >= 0.3, FALSE) AS INTEGER) AS "退款较多" FROM scored)
SELECT "customer_id", "tier", "tags", "segment", "lifecycle", "r_score", "f_score", "m_score", "rfm_score", "recency_days", "frequency", "monetary", "aov", "first_order", "last_order", "tenure_days", "orders_30d", "orders_90d", "orders_365d", "spend_30d", "spend_90d", "spend_365d", "quantity", "distinct_products", "distinct_categories", "top_category", "refund_amount", "refund_rate", "discount_share", "avg_days_between_orders", "region", "tier_why", "高频购买者", "价格敏感型", "偏爱美妆", "沉睡高价值", "新客", "退款较多" FROM classified ORDER BY monetary DESC, customer_id;

