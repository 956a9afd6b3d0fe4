CREATE TEMPORARY TABLE raw_0 AS
SELECT
  "customer_id" AS c0,
  "order_id" AS c1,
  "order_date" AS c2,
  "amount" AS c3,
  CAST(NULL AS TEXT) AS c_extra,
  "__row" AS __row
FROM input_1;

CREATE FUNCTION pg_temp.tc_empty(y TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
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
END
$$;

CREATE FUNCTION pg_temp.is_marker(x TEXT) RETURNS BOOLEAN LANGUAGE SQL IMMUTABLE AS $$
  SELECT LENGTH(x) BETWEEN 2 AND 8
AND (
  x IN ('NA', 'N/A', '#N/A', 'NULL', 'null', 'None', 'nan', 'NaN', '<NA>')
  OR (
    (
      LEFT(x, 1) IN (CHR(  32), CHR(  9), CHR(  12288))
      OR RIGHT(x, 1) IN (CHR(  32), CHR(  9), CHR(  12288))
    )
    AND TRIM(CHR(  32) || CHR(  9) || CHR(  12288) FROM x) IN ('NA', 'N/A', '#N/A', 'NULL', 'null', 'None', 'nan', 'NaN', '<NA>')
  )
)
$$;

CREATE FUNCTION pg_temp.tc_slow(x TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE AS $$
  SELECT PG_TEMP.TC_EMPTY(
  TRIM(CHR(  32) || CHR(  9) || CHR(  12288) FROM REGEXP_REPLACE(
    REGEXP_REPLACE(
      TRIM(CHR(  32) || CHR(  9) || CHR(  12288) || CHR(  13) || CHR(  10) FROM x),
      '^="(.*)"$',
      '\1'
    ),
    '^[''\t]+',
    ''
  ))
)
$$;

CREATE FUNCTION pg_temp.tc(x TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN x IS NULL
  THEN NULL
  WHEN x <> ''
  AND POSITION(
    LEFT(x, 1) IN '=''' || CHR(  9) || CHR(  32) || CHR(  12288) || '"' || CHR(  13) || CHR(  10)
  ) = 0
  AND POSITION(
    RIGHT(x, 1) IN CHR(  32) || CHR(  9) || CHR(  12288) || '"' || CHR(  13) || CHR(  10)
  ) = 0
  THEN PG_TEMP.TC_EMPTY(x)
  WHEN STARTS_WITH(x, '="') AND ENDS_WITH(x, '"') AND NOT x ~ '^="[\s''"]|[\s"]"$'
  THEN PG_TEMP.TC_EMPTY(SUBSTRING(x FROM 3 FOR LENGTH(x) - 3))
  ELSE PG_TEMP.TC_SLOW(x)
END
$$;

CREATE FUNCTION pg_temp.tid(x TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE AS $$
  SELECT REGEXP_REPLACE(x, '^([0-9]+)\.0+$', '\1')
$$;

CREATE FUNCTION pg_temp.money_bare(x TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE AS $$
  SELECT REGEXP_REPLACE(
  REGEXP_REPLACE(x, '[¥￥$€£\s]|元|RMB|CNY|USD|GBP|EUR', '', 'g'),
  '^(-?[0-9][0-9.,]*)[(（].*[)）]$',
  '\1'
)
$$;

CREATE FUNCTION pg_temp.money_point(x TEXT) RETURNS TEXT LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN x ~ '^(?:\(?-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+),[0-9]{1,2}\)?)$'
  THEN REPLACE(REPLACE(x, '.', ''), ',', '.') /* a decimal comma, when it can't be a thousands one */
  ELSE REPLACE(x, ',', '')
END
$$;

CREATE FUNCTION pg_temp.money_slow(x TEXT) RETURNS DECIMAL(18, 4) LANGUAGE SQL IMMUTABLE AS $$
  SELECT COALESCE(
  CAST(x AS DECIMAL(18, 4)),
  CAST(REGEXP_REPLACE(
    REGEXP_REPLACE(PG_TEMP.MONEY_POINT(PG_TEMP.MONEY_BARE(x)), '^\((.*)\)$', '-\1'),
    '^(-?)[A-Z]{3}',
    '\1'
  ) AS DECIMAL(18, 4))
)
$$;

CREATE FUNCTION pg_temp.money(x TEXT) RETURNS DECIMAL(18, 4) LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN NOT CAST(x AS DECIMAL(18, 4)) IS NULL
  THEN CAST(x AS DECIMAL(18, 4))
  WHEN NOT x IS NULL
  THEN PG_TEMP.MONEY_SLOW(PG_TEMP.TC(x))
END
$$;

CREATE FUNCTION pg_temp.ts_slow(x TEXT) RETURNS TIMESTAMP LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN x ~ '^(?:[0-9]{5}(\.[0-9]+)?)$'
  THEN CAST('1899-12-30' AS TIMESTAMP) + (
    INTERVAL '1 MICROSECOND' * CAST(ROUND(CAST(x AS DOUBLE PRECISION) * 86400e6) AS BIGINT)
  )
  ELSE COALESCE(
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'YYYY/MM/DD HH24:MI:SS'
    ),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'YYYY/MM/DD HH24:MI'
    ),
    TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'YYYY/MM/DD'),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'YYYY.MM.DD HH24:MI:SS'
    ),
    TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'YYYY.MM.DD'),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'YYYY年MM月DD日 HH24:MI:SS'
    ),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'YYYY年MM月DD日 HH24:MI'
    ),
    TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'YYYY年MM月DD日'),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'MM/DD/YY HH24:MI'
    ),
    TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'MM/DD/YY'),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'MM/DD/YYYY HH24:MI:SS'
    ),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'MM/DD/YYYY HH24:MI'
    ),
    TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'MM/DD/YYYY'),
    TO_TIMESTAMP(
      REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
      'MM-DD-YYYY HH24:MI'
    ),
    TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'MM-DD-YYYY')
  )
END
$$;

CREATE FUNCTION pg_temp.ts(x TEXT) RETURNS TIMESTAMP LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN NOT CAST(x AS TIMESTAMP) IS NULL
  THEN CAST(x AS TIMESTAMP)
  WHEN NOT x IS NULL
  THEN PG_TEMP.TS_SLOW(PG_TEMP.TC(x))
END
$$;

CREATE FUNCTION pg_temp.ts_iso_slow(x TEXT) RETURNS TIMESTAMP LANGUAGE SQL IMMUTABLE AS $$
  SELECT COALESCE(
  CAST(x AS TIMESTAMP),
  CASE
    WHEN x ~ '^(?:[0-9]{5}(\.[0-9]+)?)$'
    THEN CAST('1899-12-30' AS TIMESTAMP) + (
      INTERVAL '1 MICROSECOND' * CAST(ROUND(CAST(x AS DOUBLE PRECISION) * 86400e6) AS BIGINT)
    )
    ELSE COALESCE(
      TO_TIMESTAMP(
        REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
        'YYYY/MM/DD HH24:MI:SS'
      ),
      TO_TIMESTAMP(
        REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
        'YYYY/MM/DD HH24:MI'
      ),
      TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'YYYY/MM/DD'),
      TO_TIMESTAMP(
        REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
        'YYYY.MM.DD HH24:MI:SS'
      ),
      TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'YYYY.MM.DD'),
      TO_TIMESTAMP(
        REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
        'YYYY年MM月DD日 HH24:MI:SS'
      ),
      TO_TIMESTAMP(
        REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''),
        'YYYY年MM月DD日 HH24:MI'
      ),
      TO_TIMESTAMP(REGEXP_REPLACE(x, '\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$', ''), 'YYYY年MM月DD日')
    )
  END
)
$$;

CREATE FUNCTION pg_temp.ts_iso(x TEXT) RETURNS TIMESTAMP LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN NOT CAST(x AS TIMESTAMP) IS NULL
  THEN CAST(x AS TIMESTAMP)
  WHEN NOT x IS NULL
  THEN PG_TEMP.TS_ISO_SLOW(PG_TEMP.TC(x))
END
$$;

CREATE FUNCTION pg_temp.ts_tz(x TEXT, zone TEXT) RETURNS TIMESTAMP LANGUAGE SQL IMMUTABLE AS $$
  SELECT CASE
  WHEN PG_TEMP.TC(x) ~ '[0-9]:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})\s*$'
  THEN CAST(REGEXP_REPLACE(
    REGEXP_REPLACE(PG_TEMP.TC(x), '\s*(Z|UTC|GMT)\s*$', '+00:00'),
    '\s*([+-][0-9]{2}):?([0-9]{2})\s*$',
    '\1:\2'
  ) AS TIMESTAMPTZ) AT TIME ZONE zone
  ELSE PG_TEMP.TS(x)
END
$$;

CREATE TEMPORARY TABLE __inputs AS
SELECT
  CAST(q.__input AS INT) AS __input,
  CAST(q.source_file AS TEXT) AS source_file
FROM (
  SELECT
    __input,
    source_file
  FROM (VALUES
    (0, 'generic_offsets_serials.csv')) AS v(__input, source_file)
) AS q;

CREATE TEMPORARY TABLE lines AS
SELECT
  _8.__input AS __input,
  _8.source_row AS source_row,
  _8.customer_id AS customer_id,
  _8.key_masked AS key_masked,
  _8.key_rank AS key_rank,
  _8.marker_mask AS marker_mask,
  _8.order_id AS order_id,
  _8.cancelled_at AS cancelled_at,
  _8.gross AS gross,
  _8.refund_amount AS refund_amount,
  _8.discount_amount AS discount_amount,
  _8.quantity AS quantity,
  _8.unit_price AS unit_price,
  _8.status AS status,
  _8.refund_status AS refund_status,
  _8.product AS product,
  _8.sku AS sku,
  _8.category AS category,
  _8.region AS region,
  _8.channel AS channel,
  _8.currency AS currency,
  _8.status_class AS status_class,
  _8.order_ts AS order_ts,
  _8.reason AS reason,
  _8.key_conflict AS key_conflict,
  _8.reason_post AS reason_post,
  _8.message AS message,
  _8.message_zh AS message_zh,
  _8.message_post AS message_post,
  _8.message_post_zh AS message_post_zh,
  CASE
    WHEN NOT _8.reason IS NULL
    THEN ARRAY[
      CAST(_8.c0 AS TEXT),
      CAST(_8.c1 AS TEXT),
      CAST(_8.c2 AS TEXT),
      CAST(_8.c3 AS TEXT)
    ]
  END AS raw_cells
FROM (
  SELECT
    _7.__input AS __input,
    _7.source_row AS source_row,
    _7.c0 AS c0,
    _7.c1 AS c1,
    _7.c2 AS c2,
    _7.c3 AS c3,
    _7.c_extra AS c_extra,
    _7.customer_id AS customer_id,
    _7.customer_written AS customer_written,
    _7.key_masked AS key_masked,
    _7.key_rank AS key_rank,
    _7.marker_mask AS marker_mask,
    _7.order_id AS order_id,
    _7.is_adjustment AS is_adjustment,
    _7.paid_ts AS paid_ts,
    _7.created_ts AS created_ts,
    _7.cancelled_at AS cancelled_at,
    _7.paid_raw AS paid_raw,
    _7.created_raw AS created_raw,
    _7.gross AS gross,
    _7.amount_raw AS amount_raw,
    _7.refund_amount AS refund_amount,
    _7.discount_amount AS discount_amount,
    _7.quantity AS quantity,
    _7.unit_price AS unit_price,
    _7.status AS status,
    _7.refund_status AS refund_status,
    _7.refund_class AS refund_class,
    _7.product AS product,
    _7.sku AS sku,
    _7.category AS category,
    _7.region AS region,
    _7.channel AS channel,
    _7.currency AS currency,
    _7.status_class AS status_class,
    _7.order_ts AS order_ts,
    CASE
      WHEN _7.reason IS NULL AND _7.order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'after_as_of'
      ELSE _7.reason
    END AS reason,
    _7.key_conflict AS key_conflict,
    CASE
      WHEN _7.reason = 'missing_customer'
      AND _7.reason_post IS NULL
      AND _7.order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'after_as_of'
      ELSE _7.reason_post
    END AS reason_post,
    CASE
      WHEN _7.reason IS NULL AND _7.order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'ordered ' || (
        CAST(_7.order_ts AS TEXT)
      ) || ', after as_of ' || (
        '2026-10-31 23:59:59'
      )
      ELSE _7.message
    END AS message,
    CASE
      WHEN _7.reason IS NULL AND _7.order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN '下单时间 ' || (
        CAST(_7.order_ts AS TEXT)
      ) || '，晚于统计截止时间 ' || (
        '2026-10-31 23:59:59'
      )
      ELSE _7.message_zh
    END AS message_zh,
    CASE
      WHEN _7.reason = 'missing_customer'
      AND _7.reason_post IS NULL
      AND _7.order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN 'ordered ' || (
        CAST(_7.order_ts AS TEXT)
      ) || ', after as_of ' || (
        '2026-10-31 23:59:59'
      )
      ELSE _7.message_post
    END AS message_post,
    CASE
      WHEN _7.reason = 'missing_customer'
      AND _7.reason_post IS NULL
      AND _7.order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP)
      THEN '下单时间 ' || (
        CAST(_7.order_ts AS TEXT)
      ) || '，晚于统计截止时间 ' || (
        '2026-10-31 23:59:59'
      )
      ELSE _7.message_post_zh
    END AS message_post_zh
  FROM (
    SELECT
      _6.__input AS __input,
      _6.source_row AS source_row,
      _6.c0 AS c0,
      _6.c1 AS c1,
      _6.c2 AS c2,
      _6.c3 AS c3,
      _6.c_extra AS c_extra,
      _6.customer_id AS customer_id,
      _6.customer_written AS customer_written,
      _6.key_masked AS key_masked,
      _6.key_rank AS key_rank,
      _6.marker_mask AS marker_mask,
      _6.order_id AS order_id,
      _6.is_adjustment AS is_adjustment,
      _6.paid_ts AS paid_ts,
      _6.created_ts AS created_ts,
      _6.cancelled_at AS cancelled_at,
      _6.paid_raw AS paid_raw,
      _6.created_raw AS created_raw,
      _6.gross AS gross,
      _6.amount_raw AS amount_raw,
      _6.refund_amount AS refund_amount,
      _6.discount_amount AS discount_amount,
      _6.quantity AS quantity,
      _6.unit_price AS unit_price,
      _6.status AS status,
      _6.refund_status AS refund_status,
      _6.refund_class AS refund_class,
      _6.product AS product,
      _6.sku AS sku,
      _6.category AS category,
      _6.region AS region,
      _6.channel AS channel,
      _6.currency AS currency,
      _6.status_class AS status_class,
      _6.order_ts AS order_ts,
      _6.reason AS reason,
      _6.key_conflict AS key_conflict,
      _6.reason_post AS reason_post,
      CASE
        WHEN NOT _6.reason IS NULL
        THEN CASE
          WHEN NOT PG_TEMP.TC(_6.c_extra) IS NULL
          THEN 'the row has more cells than the header; the first extra one holds ''' || (
            PG_TEMP.TC(_6.c_extra)
          ) || ''''
          WHEN (
            (
              LENGTH(_6.order_id) <= 12
              AND POSITION(
                '|' || _6.order_id || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
              ) > 0
            )
            OR (
              LENGTH(_6.customer_written) <= 12
              AND POSITION(
                '|' || _6.customer_written || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
              ) > 0
            )
            OR (
              LENGTH(TRIM(CAST(_6.c0 AS TEXT))) <= 12
              AND POSITION(
                '|' || TRIM(CAST(_6.c0 AS TEXT)) || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
              ) > 0
            )
          )
          THEN 'a total row of the export, not an order'
          WHEN _6.is_adjustment
          THEN 'order id ''' || (
            _6.order_id
          ) || ''' is an adjustment, not an order'
          WHEN (
            LENGTH(_6.status_class) <= 9
            AND POSITION('|' || _6.status_class || '|' IN '|unpaid|cancelled|refunded|unknown|') > 0
          )
          AND NOT _6.status IS NULL
          THEN 'status ''' || (
            _6.status
          ) || ''''
          WHEN (
            LENGTH(_6.refund_class) <= 9
            AND POSITION('|' || _6.refund_class || '|' IN '|refunded|cancelled|') > 0
          )
          THEN 'after-sale status ''' || (
            _6.refund_status
          ) || ''''
          WHEN NOT _6.cancelled_at IS NULL
          THEN 'cancelled at ' || (
            CAST(_6.cancelled_at AS TEXT)
          )
          WHEN FALSE
          THEN 'no payment time in ' || (
            '''order_date'''
          )
          WHEN _6.customer_id IS NULL AND NOT _6.customer_written IS NULL
          THEN 'only a masked identifier: ''' || (
            _6.customer_written
          ) || ''' in ' || (
            '''customer_id'''
          )
          WHEN _6.customer_id IS NULL
          THEN 'no value in ' || (
            '''customer_id'''
          )
          WHEN (
            _6.paid_ts IS NULL AND NOT PG_TEMP.TC(_6.paid_raw) IS NULL
          )
          THEN '''' || (
            PG_TEMP.TC(_6.paid_raw)
          ) || ''' in ' || (
            ''
          ) || ' is not a date'
          WHEN (
            _6.paid_ts IS NULL
            AND _6.created_ts IS NULL
            AND NOT PG_TEMP.TC(_6.created_raw) IS NULL
          )
          THEN '''' || (
            PG_TEMP.TC(_6.created_raw)
          ) || ''' in ' || (
            '''order_date'''
          ) || ' is not a date'
          WHEN COALESCE(_6.paid_ts, _6.created_ts) IS NULL
          THEN 'no value in ' || (
            '''order_date'''
          )
          WHEN (
            NOT COALESCE(_6.paid_ts, _6.created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN '''' || (
            COALESCE(
              PG_TEMP.TC(_6.paid_raw),
              CAST(_6.paid_ts AS TEXT),
              PG_TEMP.TC(_6.created_raw),
              CAST(_6.created_ts AS TEXT)
            )
          ) || ''' in ' || (
            CASE WHEN NOT _6.paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' is outside the dates a spreadsheet can show (' || '1900-01-01 to 9999-12-31' || ')'
          WHEN _6.gross IS NULL AND PG_TEMP.TC(_6.amount_raw) IS NULL
          THEN 'no value in ' || (
            '''amount'''
          )
          WHEN _6.gross IS NULL
          THEN '''' || (
            PG_TEMP.TC(_6.amount_raw)
          ) || ''' in ' || (
            '''amount'''
          ) || ' is not an amount'
          WHEN _6.gross > 0 AND _6.refund_amount >= _6.gross
          THEN 'refund ' || (
            CAST(_6.refund_amount AS TEXT)
          ) || ' of ' || (
            CAST(_6.gross AS TEXT)
          )
        END
      END AS message,
      CASE
        WHEN NOT _6.reason IS NULL
        THEN CASE
          WHEN NOT PG_TEMP.TC(_6.c_extra) IS NULL
          THEN '这一行的单元格比表头多；多出的第一个是 ''' || (
            PG_TEMP.TC(_6.c_extra)
          ) || ''''
          WHEN (
            (
              LENGTH(_6.order_id) <= 12
              AND POSITION(
                '|' || _6.order_id || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
              ) > 0
            )
            OR (
              LENGTH(_6.customer_written) <= 12
              AND POSITION(
                '|' || _6.customer_written || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
              ) > 0
            )
            OR (
              LENGTH(TRIM(CAST(_6.c0 AS TEXT))) <= 12
              AND POSITION(
                '|' || TRIM(CAST(_6.c0 AS TEXT)) || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
              ) > 0
            )
          )
          THEN '导出文件的合计行，不是订单'
          WHEN _6.is_adjustment
          THEN '订单号 ''' || (
            _6.order_id
          ) || ''' 是调整记录，不是订单'
          WHEN (
            LENGTH(_6.status_class) <= 9
            AND POSITION('|' || _6.status_class || '|' IN '|unpaid|cancelled|refunded|unknown|') > 0
          )
          AND NOT _6.status IS NULL
          THEN '订单状态 ''' || (
            _6.status
          ) || ''''
          WHEN (
            LENGTH(_6.refund_class) <= 9
            AND POSITION('|' || _6.refund_class || '|' IN '|refunded|cancelled|') > 0
          )
          THEN '售后状态 ''' || (
            _6.refund_status
          ) || ''''
          WHEN NOT _6.cancelled_at IS NULL
          THEN '取消时间 ' || (
            CAST(_6.cancelled_at AS TEXT)
          )
          WHEN FALSE
          THEN (
            '''order_date'''
          ) || ' 中没有付款时间'
          WHEN _6.customer_id IS NULL AND NOT _6.customer_written IS NULL
          THEN (
            '''customer_id'''
          ) || ' 中只有打码的标识：''' || (
            _6.customer_written
          ) || ''''
          WHEN _6.customer_id IS NULL
          THEN (
            '''customer_id'''
          ) || ' 中没有值'
          WHEN (
            _6.paid_ts IS NULL AND NOT PG_TEMP.TC(_6.paid_raw) IS NULL
          )
          THEN (
            ''
          ) || ' 中的 ''' || (
            PG_TEMP.TC(_6.paid_raw)
          ) || ''' 不是日期'
          WHEN (
            _6.paid_ts IS NULL
            AND _6.created_ts IS NULL
            AND NOT PG_TEMP.TC(_6.created_raw) IS NULL
          )
          THEN (
            '''order_date'''
          ) || ' 中的 ''' || (
            PG_TEMP.TC(_6.created_raw)
          ) || ''' 不是日期'
          WHEN COALESCE(_6.paid_ts, _6.created_ts) IS NULL
          THEN (
            '''order_date'''
          ) || ' 中没有值'
          WHEN (
            NOT COALESCE(_6.paid_ts, _6.created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN (
            CASE WHEN NOT _6.paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' 中的 ''' || (
            COALESCE(
              PG_TEMP.TC(_6.paid_raw),
              CAST(_6.paid_ts AS TEXT),
              PG_TEMP.TC(_6.created_raw),
              CAST(_6.created_ts AS TEXT)
            )
          ) || ''' 超出了电子表格能显示的日期范围（' || '1900-01-01 到 9999-12-31' || '）'
          WHEN _6.gross IS NULL AND PG_TEMP.TC(_6.amount_raw) IS NULL
          THEN (
            '''amount'''
          ) || ' 中没有值'
          WHEN _6.gross IS NULL
          THEN (
            '''amount'''
          ) || ' 中的 ''' || (
            PG_TEMP.TC(_6.amount_raw)
          ) || ''' 不是金额'
          WHEN _6.gross > 0 AND _6.refund_amount >= _6.gross
          THEN '退款 ' || (
            CAST(_6.refund_amount AS TEXT)
          ) || '，实付 ' || (
            CAST(_6.gross AS TEXT)
          )
        END
      END AS message_zh,
      CASE
        WHEN NOT _6.reason_post IS NULL
        THEN CASE
          WHEN (
            _6.paid_ts IS NULL AND NOT PG_TEMP.TC(_6.paid_raw) IS NULL
          )
          THEN '''' || (
            PG_TEMP.TC(_6.paid_raw)
          ) || ''' in ' || (
            ''
          ) || ' is not a date'
          WHEN (
            _6.paid_ts IS NULL
            AND _6.created_ts IS NULL
            AND NOT PG_TEMP.TC(_6.created_raw) IS NULL
          )
          THEN '''' || (
            PG_TEMP.TC(_6.created_raw)
          ) || ''' in ' || (
            '''order_date'''
          ) || ' is not a date'
          WHEN COALESCE(_6.paid_ts, _6.created_ts) IS NULL
          THEN 'no value in ' || (
            '''order_date'''
          )
          WHEN (
            NOT COALESCE(_6.paid_ts, _6.created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN '''' || (
            COALESCE(
              PG_TEMP.TC(_6.paid_raw),
              CAST(_6.paid_ts AS TEXT),
              PG_TEMP.TC(_6.created_raw),
              CAST(_6.created_ts AS TEXT)
            )
          ) || ''' in ' || (
            CASE WHEN NOT _6.paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' is outside the dates a spreadsheet can show (' || '1900-01-01 to 9999-12-31' || ')'
          WHEN _6.gross IS NULL AND PG_TEMP.TC(_6.amount_raw) IS NULL
          THEN 'no value in ' || (
            '''amount'''
          )
          WHEN _6.gross IS NULL
          THEN '''' || (
            PG_TEMP.TC(_6.amount_raw)
          ) || ''' in ' || (
            '''amount'''
          ) || ' is not an amount'
          WHEN _6.gross > 0 AND _6.refund_amount >= _6.gross
          THEN 'refund ' || (
            CAST(_6.refund_amount AS TEXT)
          ) || ' of ' || (
            CAST(_6.gross AS TEXT)
          )
        END
      END AS message_post,
      CASE
        WHEN NOT _6.reason_post IS NULL
        THEN CASE
          WHEN (
            _6.paid_ts IS NULL AND NOT PG_TEMP.TC(_6.paid_raw) IS NULL
          )
          THEN (
            ''
          ) || ' 中的 ''' || (
            PG_TEMP.TC(_6.paid_raw)
          ) || ''' 不是日期'
          WHEN (
            _6.paid_ts IS NULL
            AND _6.created_ts IS NULL
            AND NOT PG_TEMP.TC(_6.created_raw) IS NULL
          )
          THEN (
            '''order_date'''
          ) || ' 中的 ''' || (
            PG_TEMP.TC(_6.created_raw)
          ) || ''' 不是日期'
          WHEN COALESCE(_6.paid_ts, _6.created_ts) IS NULL
          THEN (
            '''order_date'''
          ) || ' 中没有值'
          WHEN (
            NOT COALESCE(_6.paid_ts, _6.created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
          )
          THEN (
            CASE WHEN NOT _6.paid_ts IS NULL THEN '''order_date''' ELSE '''order_date''' END
          ) || ' 中的 ''' || (
            COALESCE(
              PG_TEMP.TC(_6.paid_raw),
              CAST(_6.paid_ts AS TEXT),
              PG_TEMP.TC(_6.created_raw),
              CAST(_6.created_ts AS TEXT)
            )
          ) || ''' 超出了电子表格能显示的日期范围（' || '1900-01-01 到 9999-12-31' || '）'
          WHEN _6.gross IS NULL AND PG_TEMP.TC(_6.amount_raw) IS NULL
          THEN (
            '''amount'''
          ) || ' 中没有值'
          WHEN _6.gross IS NULL
          THEN (
            '''amount'''
          ) || ' 中的 ''' || (
            PG_TEMP.TC(_6.amount_raw)
          ) || ''' 不是金额'
          WHEN _6.gross > 0 AND _6.refund_amount >= _6.gross
          THEN '退款 ' || (
            CAST(_6.refund_amount AS TEXT)
          ) || '，实付 ' || (
            CAST(_6.gross AS TEXT)
          )
        END
      END AS message_post_zh
    FROM (
      SELECT
        _5.__input AS __input,
        _5.source_row AS source_row,
        _5.c0 AS c0,
        _5.c1 AS c1,
        _5.c2 AS c2,
        _5.c3 AS c3,
        _5.c_extra AS c_extra,
        _5.customer_id AS customer_id,
        _5.customer_written AS customer_written,
        _5.key_masked AS key_masked,
        _5.key_rank AS key_rank,
        _5.marker_mask AS marker_mask,
        _5.order_id AS order_id,
        _5.is_adjustment AS is_adjustment,
        _5.paid_ts AS paid_ts,
        _5.created_ts AS created_ts,
        _5.cancelled_at AS cancelled_at,
        _5.paid_raw AS paid_raw,
        _5.created_raw AS created_raw,
        _5.gross AS gross,
        _5.amount_raw AS amount_raw,
        _5.refund_amount AS refund_amount,
        _5.discount_amount AS discount_amount,
        _5.quantity AS quantity,
        _5.unit_price AS unit_price,
        _5.status AS status,
        _5.refund_status AS refund_status,
        _5.refund_class AS refund_class,
        _5.product AS product,
        _5.sku AS sku,
        _5.category AS category,
        _5.region AS region,
        _5.channel AS channel,
        _5.currency AS currency,
        _5.status_class AS status_class,
        _5.order_ts AS order_ts,
        _5.reason AS reason,
        _5.key_conflict AS key_conflict,
        CASE
          WHEN _5.reason = 'missing_customer'
          THEN CASE
            WHEN (
              _5.paid_ts IS NULL AND NOT PG_TEMP.TC(_5.paid_raw) IS NULL
            )
            OR (
              _5.paid_ts IS NULL
              AND _5.created_ts IS NULL
              AND NOT PG_TEMP.TC(_5.created_raw) IS NULL
            )
            OR COALESCE(_5.paid_ts, _5.created_ts) IS NULL
            OR (
              NOT COALESCE(_5.paid_ts, _5.created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
            )
            THEN 'bad_date'
            WHEN _5.gross IS NULL
            THEN 'bad_amount'
            WHEN _5.status_class = 'unknown' AND NOT (
              NOT _5.paid_ts IS NULL AND _5.gross > 0
            )
            THEN 'unknown_status'
            WHEN _5.gross > 0 AND _5.refund_amount >= _5.gross
            THEN 'refunded_in_full'
          END
        END AS reason_post
      FROM (
        SELECT
          _4.__input AS __input,
          _4.source_row AS source_row,
          _4.c0 AS c0,
          _4.c1 AS c1,
          _4.c2 AS c2,
          _4.c3 AS c3,
          _4.c_extra AS c_extra,
          _4.customer_id AS customer_id,
          _4.customer_written AS customer_written,
          _4.key_masked AS key_masked,
          _4.key_rank AS key_rank,
          _4.marker_mask AS marker_mask,
          _4.order_id AS order_id,
          _4.is_adjustment AS is_adjustment,
          _4.paid_ts AS paid_ts,
          _4.created_ts AS created_ts,
          _4.cancelled_at AS cancelled_at,
          _4.paid_raw AS paid_raw,
          _4.created_raw AS created_raw,
          _4.gross AS gross,
          _4.amount_raw AS amount_raw,
          _4.refund_amount AS refund_amount,
          _4.discount_amount AS discount_amount,
          _4.quantity AS quantity,
          _4.unit_price AS unit_price,
          _4.status AS status,
          _4.refund_status AS refund_status,
          _4.refund_class AS refund_class,
          _4.product AS product,
          _4.sku AS sku,
          _4.category AS category,
          _4.region AS region,
          _4.channel AS channel,
          _4.currency AS currency,
          _4.status_class AS status_class,
          COALESCE(_4.paid_ts, _4.created_ts) AS order_ts,
          CASE
            WHEN NOT PG_TEMP.TC(_4.c_extra) IS NULL
            THEN 'extra_cells'
            WHEN (
              (
                LENGTH(_4.order_id) <= 12
                AND POSITION(
                  '|' || _4.order_id || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
                ) > 0
              )
              OR (
                LENGTH(_4.customer_written) <= 12
                AND POSITION(
                  '|' || _4.customer_written || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
                ) > 0
              )
              OR (
                LENGTH(TRIM(CAST(_4.c0 AS TEXT))) <= 12
                AND POSITION(
                  '|' || TRIM(CAST(_4.c0 AS TEXT)) || '|' IN '|合计|合计:|合计：|总计|总计:|总计：|汇总|汇总:|汇总：|小计|小计:|小计：|Total|Total:|Total：|Totals|Totals:|Totals：|Grand Total|Grand Total:|Grand Total：|'
                ) > 0
              )
            )
            THEN 'summary_row'
            WHEN _4.is_adjustment
            THEN 'adjustment'
            WHEN _4.status_class = 'unpaid'
            THEN 'unpaid'
            WHEN _4.status_class = 'refunded' OR _4.refund_class = 'refunded'
            THEN 'refunded_in_full'
            WHEN _4.status_class = 'cancelled'
            OR _4.refund_class = 'cancelled'
            OR NOT _4.cancelled_at IS NULL
            THEN 'cancelled'
            WHEN FALSE
            THEN 'unpaid'
            WHEN FALSE
            THEN NULL /* the rest comes from the item's order, joined afterwards */
            WHEN _4.customer_id IS NULL
            THEN 'missing_customer'
            ELSE CASE
              WHEN (
                _4.paid_ts IS NULL AND NOT PG_TEMP.TC(_4.paid_raw) IS NULL
              )
              OR (
                _4.paid_ts IS NULL
                AND _4.created_ts IS NULL
                AND NOT PG_TEMP.TC(_4.created_raw) IS NULL
              )
              OR COALESCE(_4.paid_ts, _4.created_ts) IS NULL
              OR (
                NOT COALESCE(_4.paid_ts, _4.created_ts) BETWEEN CAST('1900-01-01 00:00:00' AS TIMESTAMP) AND CAST('9999-12-31 23:59:59.999999' AS TIMESTAMP)
              )
              THEN 'bad_date'
              WHEN _4.gross IS NULL
              THEN 'bad_amount'
              WHEN _4.status_class = 'unknown' AND NOT (
                NOT _4.paid_ts IS NULL AND _4.gross > 0
              )
              THEN 'unknown_status'
              WHEN _4.gross > 0 AND _4.refund_amount >= _4.gross
              THEN 'refunded_in_full'
            END
          END AS reason,
          FALSE AS key_conflict
        FROM (
          SELECT
            _3.__input AS __input,
            _3.source_row AS source_row,
            _3.c0 AS c0,
            _3.c1 AS c1,
            _3.c2 AS c2,
            _3.c3 AS c3,
            _3.c_extra AS c_extra,
            _3.customer_id AS customer_id,
            _3.customer_written AS customer_written,
            _3.key_masked AS key_masked,
            _3.key_rank AS key_rank,
            _3.marker_mask AS marker_mask,
            _3.order_id AS order_id,
            _3.is_adjustment AS is_adjustment,
            _3.paid_ts AS paid_ts,
            _3.created_ts AS created_ts,
            _3.cancelled_at AS cancelled_at,
            _3.paid_raw AS paid_raw,
            _3.created_raw AS created_raw,
            _3.gross AS gross,
            _3.amount_raw AS amount_raw,
            _3.refund_amount AS refund_amount,
            _3.discount_amount AS discount_amount,
            _3.quantity AS quantity,
            _3.unit_price AS unit_price,
            _3.status AS status,
            _3.refund_status AS refund_status,
            _3.refund_class AS refund_class,
            _3.product AS product,
            _3.sku AS sku,
            _3.category AS category,
            _3.region AS region,
            _3.channel AS channel,
            _3.currency AS currency,
            'paid_done' AS status_class
          FROM (
            WITH typed AS (
              SELECT
                0 AS __input,
                _2.__row AS source_row,
                _2.c0 AS c0,
                _2.c1 AS c1,
                _2.c2 AS c2,
                _2.c3 AS c3,
                _2.c_extra AS c_extra,
                _2.t_customer AS customer_id,
                _2.customer_written AS customer_written,
                _2.key_masked AS key_masked,
                _2.key_rank AS key_rank,
                _2.marker_mask AS marker_mask,
                _2.t_order_id AS order_id,
                FALSE AS is_adjustment,
                CAST(NULL AS TIMESTAMP) AS paid_ts,
                PG_TEMP.TS_TZ(_2.t_created_ts, 'GMT+08:00') AS created_ts,
                CAST(NULL AS TIMESTAMP) AS cancelled_at,
                CAST(NULL AS TEXT) AS paid_raw,
                _2.t_created_ts AS created_raw,
                PG_TEMP.MONEY(_2.t_amount) AS gross,
                _2.t_amount AS amount_raw,
                COALESCE(PG_TEMP.MONEY(CAST(NULL AS TEXT)), 0) AS refund_amount,
                COALESCE(PG_TEMP.MONEY(CAST(NULL AS TEXT)), 0) AS discount_amount,
                PG_TEMP.MONEY(CAST(NULL AS TEXT)) AS quantity,
                PG_TEMP.MONEY(CAST(NULL AS TEXT)) AS unit_price,
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
                  _1.__row AS __row,
                  _1.c0 AS c0,
                  _1.c1 AS c1,
                  _1.c2 AS c2,
                  _1.c3 AS c3,
                  _1.c_extra AS c_extra,
                  _1.t_customer_0 AS customer_written,
                  COALESCE(_1.t_customer_0 ~ '(?:\*{3,})|(?:密文)', FALSE) AS key_masked,
                  CASE
                    WHEN NOT CASE WHEN _1.t_customer_0 ~ '(?:\*{3,})|(?:密文)' THEN NULL ELSE _1.t_customer_0 END IS NULL
                    THEN 0
                  END AS key_rank,
                  PG_TEMP.TID(
                    CASE WHEN _1.t_customer_0 ~ '(?:\*{3,})|(?:密文)' THEN NULL ELSE _1.t_customer_0 END
                  ) AS t_customer,
                  PG_TEMP.TID(_1.t_order_id_0) AS t_order_id,
                  _1.t_created_ts_0 AS t_created_ts,
                  _1.t_amount_0 AS t_amount,
                  _1.marker_mask AS marker_mask
                FROM (
                  SELECT
                    _0.__row AS __row,
                    _0.c0 AS c0,
                    _0.c1 AS c1,
                    _0.c2 AS c2,
                    _0.c3 AS c3,
                    _0.c_extra AS c_extra,
                    CASE
                      WHEN (
                        LENGTH(_0.t_customer_0) <= 2
                        AND POSITION('|' || _0.t_customer_0 || '|' IN '|-|--|无|') > 0
                      )
                      THEN NULL
                      ELSE _0.t_customer_0
                    END AS t_customer_0,
                    CASE
                      WHEN (
                        LENGTH(_0.t_order_id_0) <= 2
                        AND POSITION('|' || _0.t_order_id_0 || '|' IN '|-|--|无|') > 0
                      )
                      THEN NULL
                      ELSE _0.t_order_id_0
                    END AS t_order_id_0,
                    _0.t_created_ts_0 AS t_created_ts_0,
                    _0.t_amount_0 AS t_amount_0,
                    _0.marker_mask AS marker_mask
                  FROM (
                    SELECT
                      raw_0.__row AS __row,
                      raw_0.c0 AS c0,
                      raw_0.c1 AS c1,
                      raw_0.c2 AS c2,
                      raw_0.c3 AS c3,
                      raw_0.c_extra AS c_extra,
                      PG_TEMP.TC(raw_0.c0) AS t_customer_0,
                      PG_TEMP.TC(raw_0.c1) AS t_order_id_0,
                      raw_0.c2 AS t_created_ts_0,
                      raw_0.c3 AS t_amount_0,
                      CASE WHEN PG_TEMP.IS_MARKER(raw_0.c0) THEN 1 ELSE 0 END + CASE WHEN PG_TEMP.IS_MARKER(raw_0.c1) THEN 2 ELSE 0 END + CASE WHEN PG_TEMP.IS_MARKER(raw_0.c2) THEN 4 ELSE 0 END + CASE WHEN PG_TEMP.IS_MARKER(raw_0.c3) THEN 8 ELSE 0 END AS marker_mask
                    FROM raw_0 AS raw_0
                  ) AS _0
                ) AS _1
              ) AS _2
            )
            SELECT
              typed.__input AS __input,
              typed.source_row AS source_row,
              typed.c0 AS c0,
              typed.c1 AS c1,
              typed.c2 AS c2,
              typed.c3 AS c3,
              typed.c_extra AS c_extra,
              typed.customer_id AS customer_id,
              typed.customer_written AS customer_written,
              typed.key_masked AS key_masked,
              typed.key_rank AS key_rank,
              typed.marker_mask AS marker_mask,
              typed.order_id AS order_id,
              typed.is_adjustment AS is_adjustment,
              typed.paid_ts AS paid_ts,
              typed.created_ts AS created_ts,
              typed.cancelled_at AS cancelled_at,
              typed.paid_raw AS paid_raw,
              typed.created_raw AS created_raw,
              typed.gross AS gross,
              typed.amount_raw AS amount_raw,
              typed.refund_amount AS refund_amount,
              typed.discount_amount AS discount_amount,
              typed.quantity AS quantity,
              typed.unit_price AS unit_price,
              typed.status AS status,
              typed.refund_status AS refund_status,
              typed.refund_class AS refund_class,
              typed.product AS product,
              typed.sku AS sku,
              typed.category AS category,
              typed.region AS region,
              typed.channel AS channel,
              typed.currency AS currency
            FROM typed AS typed
          ) AS _3
        ) AS _4
      ) AS _5
    ) AS _6
  ) AS _7
) AS _8;

CREATE TEMPORARY TABLE __mixed AS
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

CREATE TEMPORARY TABLE orders AS
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
    SELECT
      customer_id,
      order_id,
      MIN(order_ts) AS order_ts,
      COALESCE(SUM(amount), 0) AS amount,
      BOOL_OR(amount >= 0) AS purchase,
      BOOL_OR(amount >= 0 AND discount_amount > 0) AS discounted,
      SUM(refund_amount) AS refund_amount,
      SUM(quantity) AS quantity
    FROM orders
    GROUP BY
      customer_id,
      order_id
  ), agg AS (
    SELECT
      customer_id,
      (
        CAST(CAST('2026-10-31 23:59:59' AS TIMESTAMP) AS DATE) - CAST(MAX(order_ts) FILTER(WHERE
          purchase) AS DATE)
      ) AS recency_days,
      COUNT(*) FILTER(WHERE
        purchase) AS frequency,
      COALESCE(SUM(amount), 0) AS monetary,
      MIN(order_ts) FILTER(WHERE
        purchase) AS first_order,
      MAX(order_ts) FILTER(WHERE
        purchase) AS last_order,
      (
        CAST(CAST('2026-10-31 23:59:59' AS TIMESTAMP) AS DATE) - CAST(MIN(order_ts) FILTER(WHERE
          purchase) AS DATE)
      ) AS tenure_days,
      COUNT(*) FILTER(WHERE
        purchase
        AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP) - INTERVAL '30 DAY') AS orders_30d,
      COUNT(*) FILTER(WHERE
        purchase
        AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP) - INTERVAL '90 DAY') AS orders_90d,
      COUNT(*) FILTER(WHERE
        purchase
        AND order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP) - INTERVAL '365 DAY') AS orders_365d,
      COALESCE(
        SUM(amount) FILTER(WHERE
          order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP) - INTERVAL '30 DAY'),
        0
      ) AS spend_30d,
      COALESCE(
        SUM(amount) FILTER(WHERE
          order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP) - INTERVAL '90 DAY'),
        0
      ) AS spend_90d,
      COALESCE(
        SUM(amount) FILTER(WHERE
          order_ts > CAST('2026-10-31 23:59:59' AS TIMESTAMP) - INTERVAL '365 DAY'),
        0
      ) AS spend_365d,
      COALESCE(SUM(quantity), 0) AS quantity,
      COALESCE(SUM(refund_amount), 0) AS refund_amount,
      CAST(COUNT(*) FILTER(WHERE
        discounted) AS DOUBLE PRECISION) / NULLIF(COUNT(*) FILTER(WHERE
        purchase), 0) AS discount_share
    FROM per_order
    GROUP BY
      customer_id
  ), metric_distinct_products AS (
    SELECT
      customer_id,
      COUNT(value) AS distinct_products
    FROM (
      SELECT
        customer_id,
        COALESCE(sku, product) AS value
      FROM orders
      GROUP BY ALL
    )
    GROUP BY
      customer_id
  ), metric_distinct_categories AS (
    SELECT
      customer_id,
      COUNT(value) AS distinct_categories
    FROM (
      SELECT
        customer_id,
        category AS value
      FROM orders
      GROUP BY ALL
    )
    GROUP BY
      customer_id
  ), metric_top_category AS (
    SELECT
      customer_id,
      ARG_MIN(value, STRUCT(-weight AS w, value AS v)) AS top_category
    FROM (
      SELECT
        customer_id,
        category AS value,
        SUM(amount) AS weight
      FROM orders
      WHERE
        NOT category IS NULL
      GROUP BY ALL
    )
    GROUP BY
      customer_id
  ), metric_region AS (
    SELECT
      customer_id,
      ARG_MIN(value, STRUCT(-weight AS w, value AS v)) AS region
    FROM (
      SELECT
        customer_id,
        region AS value,
        COUNT(*) AS weight
      FROM orders
      WHERE
        NOT region IS NULL
      GROUP BY ALL
    )
    GROUP BY
      customer_id
  ), joined_0 AS (
    SELECT
      agg.*,
      COALESCE(metric_distinct_products.distinct_products, 0) AS distinct_products
    FROM agg
    LEFT JOIN metric_distinct_products
      USING (customer_id)
  ), joined_1 AS (
    SELECT
      joined_0.*,
      COALESCE(metric_distinct_categories.distinct_categories, 0) AS distinct_categories
    FROM joined_0
    LEFT JOIN metric_distinct_categories
      USING (customer_id)
  ), joined_2 AS (
    SELECT
      joined_1.*,
      metric_top_category.top_category
    FROM joined_1
    LEFT JOIN metric_top_category
      USING (customer_id)
  ), joined_3 AS (
    SELECT
      joined_2.*,
      metric_region.region
    FROM joined_2
    LEFT JOIN metric_region
      USING (customer_id)
  ), full_row AS (
    SELECT
      *,
      CAST(monetary AS DOUBLE PRECISION) / NULLIF(frequency, 0) AS aov,
      CAST(refund_amount AS DOUBLE PRECISION) / NULLIF(monetary + refund_amount, 0) AS refund_rate,
      CASE
        WHEN frequency > 1
        THEN CAST(CAST(CAST(EXTRACT(epoch FROM DATE_TRUNC('SECOND', CAST(last_order AS TIMESTAMP)) - DATE_TRUNC('SECOND', CAST(first_order AS TIMESTAMP))) AS BIGINT) AS DOUBLE PRECISION) / 86400.0 AS DOUBLE PRECISION) / (
          frequency - 1
        )
      END AS avg_days_between_orders
    FROM joined_3
  )
  SELECT
    customer_id,
    recency_days AS recency_days,
    frequency AS frequency,
    CAST(monetary AS DECIMAL(18, 2)) AS monetary,
    CAST(aov AS DECIMAL(18, 2)) AS aov,
    first_order AS first_order,
    last_order AS last_order,
    tenure_days AS tenure_days,
    orders_30d AS orders_30d,
    orders_90d AS orders_90d,
    orders_365d AS orders_365d,
    CAST(spend_30d AS DECIMAL(18, 2)) AS spend_30d,
    CAST(spend_90d AS DECIMAL(18, 2)) AS spend_90d,
    CAST(spend_365d AS DECIMAL(18, 2)) AS spend_365d,
    CAST(quantity AS DOUBLE PRECISION) AS quantity,
    distinct_products AS distinct_products,
    distinct_categories AS distinct_categories,
    top_category AS top_category,
    CAST(refund_amount AS DECIMAL(18, 2)) AS refund_amount,
    ROUND(CAST(CAST(refund_rate AS DOUBLE PRECISION) AS DECIMAL), 4) AS refund_rate,
    ROUND(CAST(CAST(discount_share AS DOUBLE PRECISION) AS DECIMAL), 4) AS discount_share,
    ROUND(CAST(CAST(avg_days_between_orders AS DOUBLE PRECISION) AS DECIMAL), 1) AS avg_days_between_orders,
    region AS region
  FROM full_row
), score_inputs AS (
  SELECT
    customer_id,
    CAST(recency_days AS DOUBLE PRECISION) AS "R",
    CAST(frequency AS DOUBLE PRECISION) AS "F",
    CAST(monetary AS DOUBLE PRECISION) AS "M"
  FROM customers
  WHERE
    NOT recency_days IS NULL
), cuts AS (
  SELECT
    PERCENTILE_CONT(0.2) WITHIN GROUP (ORDER BY
      "R") AS r_1,
    PERCENTILE_CONT(0.4) WITHIN GROUP (ORDER BY
      "R") AS r_2,
    PERCENTILE_CONT(0.6) WITHIN GROUP (ORDER BY
      "R") AS r_3,
    PERCENTILE_CONT(0.8) WITHIN GROUP (ORDER BY
      "R") AS r_4,
    PERCENTILE_CONT(0.2) WITHIN GROUP (ORDER BY
      "F") AS f_1,
    PERCENTILE_CONT(0.4) WITHIN GROUP (ORDER BY
      "F") AS f_2,
    PERCENTILE_CONT(0.6) WITHIN GROUP (ORDER BY
      "F") AS f_3,
    PERCENTILE_CONT(0.8) WITHIN GROUP (ORDER BY
      "F") AS f_4,
    PERCENTILE_CONT(0.2) WITHIN GROUP (ORDER BY
      "M") AS m_1,
    PERCENTILE_CONT(0.4) WITHIN GROUP (ORDER BY
      "M") AS m_2,
    PERCENTILE_CONT(0.6) WITHIN GROUP (ORDER BY
      "M") AS m_3,
    PERCENTILE_CONT(0.8) WITHIN GROUP (ORDER BY
      "M") AS m_4
  FROM score_inputs
), scored AS (
  SELECT
    c.*,
    s.r_score,
    s.f_score,
    s.m_score,
    s.rfm_score,
    s.segment,
    CASE
      WHEN COALESCE(frequency, 0) = 0
      THEN 'potential'
      WHEN tenure_days <= 30
      THEN 'new'
      WHEN recency_days >= 180
      THEN 'churned'
      WHEN recency_days >= 90
      THEN 'at_risk'
      ELSE 'active'
    END AS lifecycle
  FROM customers AS c
  LEFT JOIN (
    SELECT
      *,
      r_score * 100 + f_score * 10 + m_score AS rfm_score,
      CASE
        WHEN r_score IS NULL OR f_score IS NULL OR m_score IS NULL
        THEN NULL
        WHEN r_score BETWEEN 4 AND 5 AND f_score BETWEEN 4 AND 5 AND m_score BETWEEN 4 AND 5
        THEN 'Champions'
        WHEN r_score BETWEEN 3 AND 5 AND f_score BETWEEN 4 AND 5
        THEN 'Loyal'
        WHEN r_score BETWEEN 1 AND 2 AND f_score BETWEEN 4 AND 5 AND m_score BETWEEN 4 AND 5
        THEN 'Can''t Lose Them'
        WHEN r_score BETWEEN 1 AND 2 AND f_score BETWEEN 3 AND 5
        THEN 'At Risk'
        WHEN r_score BETWEEN 4 AND 5 AND f_score BETWEEN 2 AND 3
        THEN 'Potential Loyalist'
        WHEN r_score = 5 AND f_score = 1
        THEN 'New'
        WHEN r_score = 4 AND f_score = 1
        THEN 'Promising'
        WHEN r_score = 3 AND f_score BETWEEN 2 AND 3
        THEN 'Need Attention'
        WHEN r_score = 3 AND f_score = 1
        THEN 'About To Sleep'
        WHEN r_score = 2 AND f_score BETWEEN 1 AND 2
        THEN 'Hibernating'
        WHEN r_score = 1 AND f_score BETWEEN 1 AND 2
        THEN 'Lost'
        ELSE NULL
      END AS segment
    FROM (
      SELECT
        customer_id,
        CASE
          WHEN "R" IS NULL
          THEN NULL
          ELSE 5 - (
            CAST("R" > cuts.r_1 AS INT) + CAST("R" > cuts.r_2 AS INT) + CAST("R" > cuts.r_3 AS INT) + CAST("R" > cuts.r_4 AS INT)
          )
        END AS r_score,
        CASE
          WHEN "F" IS NULL
          THEN NULL
          ELSE 1 + CAST("F" > cuts.f_1 AS INT) + CAST("F" > cuts.f_2 AS INT) + CAST("F" > cuts.f_3 AS INT) + CAST("F" > cuts.f_4 AS INT)
        END AS f_score,
        CASE
          WHEN "M" IS NULL
          THEN NULL
          ELSE 1 + CAST("M" > cuts.m_1 AS INT) + CAST("M" > cuts.m_2 AS INT) + CAST("M" > cuts.m_3 AS INT) + CAST("M" > cuts.m_4 AS INT)
        END AS m_score
      FROM score_inputs
      CROSS JOIN cuts
    ) AS scores
  ) AS s
    USING (customer_id)
), classified AS (
  SELECT
    *,
    CASE
      WHEN COALESCE("monetary" >= 5000 OR (
        "monetary" >= 2000 AND "frequency" >= 5
      ), FALSE)
      THEN '重要客户'
      WHEN COALESCE("frequency" >= 4 AND "tenure_days" >= 180, FALSE)
      THEN '忠实客户'
      WHEN COALESCE("monetary" >= 1000 AND "frequency" >= 2, FALSE)
      THEN '优质客户'
      WHEN COALESCE("frequency" >= 2, FALSE)
      THEN '普通客户'
      ELSE '基础客户'
    END AS "tier",
    CASE
      WHEN COALESCE("monetary" >= 5000 OR (
        "monetary" >= 2000 AND "frequency" >= 5
      ), FALSE)
      THEN '重要客户: monetary >= 5000 or (monetary >= 2000 and frequency >= 5)'
      WHEN COALESCE("frequency" >= 4 AND "tenure_days" >= 180, FALSE)
      THEN '忠实客户: frequency >= 4 and tenure_days >= 180'
      WHEN COALESCE("monetary" >= 1000 AND "frequency" >= 2, FALSE)
      THEN '优质客户: monetary >= 1000 and frequency >= 2'
      WHEN COALESCE("frequency" >= 2, FALSE)
      THEN '普通客户: frequency >= 2'
      ELSE '基础客户: no rule above matched'
    END AS "tier_why",
    NULLIF(
      SUBSTRING(CONCAT(
        CASE
          WHEN CAST(COALESCE("orders_90d" >= 3, FALSE) AS INT) = 1
          THEN ', 高频购买者'
          ELSE ''
        END,
        CASE
          WHEN CAST(COALESCE("discount_share" >= 0.5, FALSE) AS INT) = 1
          THEN ', 价格敏感型'
          ELSE ''
        END,
        CASE
          WHEN CAST(COALESCE("top_category" = '美妆', FALSE) AS INT) = 1
          THEN ', 偏爱美妆'
          ELSE ''
        END,
        CASE
          WHEN CAST(COALESCE("monetary" >= 1000 AND "recency_days" > 180, FALSE) AS INT) = 1
          THEN ', 沉睡高价值'
          ELSE ''
        END,
        CASE
          WHEN CAST(COALESCE("tenure_days" <= 30, FALSE) AS INT) = 1
          THEN ', 新客'
          ELSE ''
        END,
        CASE
          WHEN CAST(COALESCE("refund_rate" >= 0.3, FALSE) AS INT) = 1
          THEN ', 退款较多'
          ELSE ''
        END
      ) FROM 3),
      ''
    ) AS tags,
    CAST(COALESCE("orders_90d" >= 3, FALSE) AS INT) AS "高频购买者",
    CAST(COALESCE("discount_share" >= 0.5, FALSE) AS INT) AS "价格敏感型",
    CAST(COALESCE("top_category" = '美妆', FALSE) AS INT) AS "偏爱美妆",
    CAST(COALESCE("monetary" >= 1000 AND "recency_days" > 180, FALSE) AS INT) AS "沉睡高价值",
    CAST(COALESCE("tenure_days" <= 30, FALSE) AS INT) AS "新客",
    CAST(COALESCE("refund_rate" >= 0.3, FALSE) AS INT) AS "退款较多"
  FROM scored
)
SELECT
  "customer_id",
  "tier",
  "tags",
  "segment",
  "lifecycle",
  "r_score",
  "f_score",
  "m_score",
  "rfm_score",
  "recency_days",
  "frequency",
  "monetary",
  "aov",
  "first_order",
  "last_order",
  "tenure_days",
  "orders_30d",
  "orders_90d",
  "orders_365d",
  "spend_30d",
  "spend_90d",
  "spend_365d",
  "quantity",
  "distinct_products",
  "distinct_categories",
  "top_category",
  "refund_amount",
  "refund_rate",
  "discount_share",
  "avg_days_between_orders",
  "region",
  "tier_why",
  "高频购买者",
  "价格敏感型",
  "偏爱美妆",
  "沉睡高价值",
  "新客",
  "退款较多"
FROM classified
ORDER BY
  monetary DESC NULLS LAST,
  customer_id;

