WITH customers AS (
  WITH per_order AS (
    SELECT
      customer_id,
      order_id,
      MIN(order_ts) AS order_ts,
      COALESCE(SUM(amount), 0) AS amount,
      LOGICAL_OR(amount >= 0) AS purchase,
      LOGICAL_OR(amount >= 0 AND discount_amount > 0) AS discounted,
      SUM(refund_amount) AS refund_amount,
      SUM(quantity) AS quantity
    FROM orders
    GROUP BY
      customer_id,
      order_id
  ), agg AS (
    SELECT
      customer_id,
      DATE_DIFF(
        CAST(CAST('2026-10-31 23:59:59' AS DATETIME) AS DATE),
        CAST(MAX(IF(purchase, order_ts, NULL)) AS DATE),
        DAY
      ) AS recency_days,
      COUNTIF(purchase) AS frequency,
      COALESCE(SUM(amount), 0) AS monetary,
      MIN(IF(purchase, order_ts, NULL)) AS first_order,
      MAX(IF(purchase, order_ts, NULL)) AS last_order,
      DATE_DIFF(
        CAST(CAST('2026-10-31 23:59:59' AS DATETIME) AS DATE),
        CAST(MIN(IF(purchase, order_ts, NULL)) AS DATE),
        DAY
      ) AS tenure_days,
      COUNTIF(
        purchase
        AND order_ts > CAST('2026-10-31 23:59:59' AS DATETIME) - INTERVAL '30' DAY
      ) AS orders_30d,
      COUNTIF(
        purchase
        AND order_ts > CAST('2026-10-31 23:59:59' AS DATETIME) - INTERVAL '90' DAY
      ) AS orders_90d,
      COUNTIF(
        purchase
        AND order_ts > CAST('2026-10-31 23:59:59' AS DATETIME) - INTERVAL '365' DAY
      ) AS orders_365d,
      COALESCE(
        SUM(
          IF(order_ts > CAST('2026-10-31 23:59:59' AS DATETIME) - INTERVAL '30' DAY, amount, NULL)
        ),
        0
      ) AS spend_30d,
      COALESCE(
        SUM(
          IF(order_ts > CAST('2026-10-31 23:59:59' AS DATETIME) - INTERVAL '90' DAY, amount, NULL)
        ),
        0
      ) AS spend_90d,
      COALESCE(
        SUM(
          IF(
            order_ts > CAST('2026-10-31 23:59:59' AS DATETIME) - INTERVAL '365' DAY,
            amount,
            NULL
          )
        ),
        0
      ) AS spend_365d,
      COALESCE(SUM(quantity), 0) AS quantity,
      COALESCE(SUM(refund_amount), 0) AS refund_amount,
      COUNTIF(discounted) / NULLIF(COUNTIF(purchase), 0) AS discount_share
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
      MIN_BY(value, STRUCT(-weight AS w, value AS v)) AS top_category
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
      MIN_BY(value, STRUCT(-weight AS w, value AS v)) AS region
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
      monetary / NULLIF(frequency, 0) AS aov,
      refund_amount / NULLIF(monetary + refund_amount, 0) AS refund_rate,
      CASE
        WHEN frequency > 1
        THEN DATE_DIFF(last_order, first_order, SECOND) / 86400.0 / (
          frequency - 1
        )
      END AS avg_days_between_orders
    FROM joined_3
  )
  SELECT
    customer_id,
    recency_days AS recency_days,
    frequency AS frequency,
    CAST(monetary AS NUMERIC) AS monetary,
    CAST(aov AS NUMERIC) AS aov,
    first_order AS first_order,
    last_order AS last_order,
    tenure_days AS tenure_days,
    orders_30d AS orders_30d,
    orders_90d AS orders_90d,
    orders_365d AS orders_365d,
    CAST(spend_30d AS NUMERIC) AS spend_30d,
    CAST(spend_90d AS NUMERIC) AS spend_90d,
    CAST(spend_365d AS NUMERIC) AS spend_365d,
    CAST(quantity AS FLOAT64) AS quantity,
    distinct_products AS distinct_products,
    distinct_categories AS distinct_categories,
    top_category AS top_category,
    CAST(refund_amount AS NUMERIC) AS refund_amount,
    ROUND(CAST(refund_rate AS FLOAT64), 4) AS refund_rate,
    ROUND(CAST(discount_share AS FLOAT64), 4) AS discount_share,
    ROUND(CAST(avg_days_between_orders AS FLOAT64), 1) AS avg_days_between_orders,
    region AS region
  FROM full_row
), score_inputs AS (
  SELECT
    customer_id,
    CAST(recency_days AS FLOAT64) AS `R`,
    CAST(frequency AS FLOAT64) AS `F`,
    CAST(monetary AS FLOAT64) AS `M`
  FROM customers
  WHERE
    NOT recency_days IS NULL
), cuts AS (
  SELECT
    PERCENTILE_CONT(`R`, 0.2) AS r_1,
    PERCENTILE_CONT(`R`, 0.4) AS r_2,
    PERCENTILE_CONT(`R`, 0.6) AS r_3,
    PERCENTILE_CONT(`R`, 0.8) AS r_4,
    PERCENTILE_CONT(`F`, 0.2) AS f_1,
    PERCENTILE_CONT(`F`, 0.4) AS f_2,
    PERCENTILE_CONT(`F`, 0.6) AS f_3,
    PERCENTILE_CONT(`F`, 0.8) AS f_4,
    PERCENTILE_CONT(`M`, 0.2) AS m_1,
    PERCENTILE_CONT(`M`, 0.4) AS m_2,
    PERCENTILE_CONT(`M`, 0.6) AS m_3,
    PERCENTILE_CONT(`M`, 0.8) AS m_4
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
        THEN 'Can\'t Lose Them'
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
          WHEN `R` IS NULL
          THEN NULL
          ELSE 5 - (
            CAST(`R` > cuts.r_1 AS INT64) + CAST(`R` > cuts.r_2 AS INT64) + CAST(`R` > cuts.r_3 AS INT64) + CAST(`R` > cuts.r_4 AS INT64)
          )
        END AS r_score,
        CASE
          WHEN `F` IS NULL
          THEN NULL
          ELSE 1 + CAST(`F` > cuts.f_1 AS INT64) + CAST(`F` > cuts.f_2 AS INT64) + CAST(`F` > cuts.f_3 AS INT64) + CAST(`F` > cuts.f_4 AS INT64)
        END AS f_score,
        CASE
          WHEN `M` IS NULL
          THEN NULL
          ELSE 1 + CAST(`M` > cuts.m_1 AS INT64) + CAST(`M` > cuts.m_2 AS INT64) + CAST(`M` > cuts.m_3 AS INT64) + CAST(`M` > cuts.m_4 AS INT64)
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
      WHEN COALESCE(`monetary` >= 5000 OR (
        `monetary` >= 2000 AND `frequency` >= 5
      ), FALSE)
      THEN '重要客户'
      WHEN COALESCE(`frequency` >= 4 AND `tenure_days` >= 180, FALSE)
      THEN '忠实客户'
      WHEN COALESCE(`monetary` >= 1000 AND `frequency` >= 2, FALSE)
      THEN '优质客户'
      WHEN COALESCE(`frequency` >= 2, FALSE)
      THEN '普通客户'
      ELSE '基础客户'
    END AS `tier`,
    CASE
      WHEN COALESCE(`monetary` >= 5000 OR (
        `monetary` >= 2000 AND `frequency` >= 5
      ), FALSE)
      THEN '重要客户: monetary >= 5000 or (monetary >= 2000 and frequency >= 5)'
      WHEN COALESCE(`frequency` >= 4 AND `tenure_days` >= 180, FALSE)
      THEN '忠实客户: frequency >= 4 and tenure_days >= 180'
      WHEN COALESCE(`monetary` >= 1000 AND `frequency` >= 2, FALSE)
      THEN '优质客户: monetary >= 1000 and frequency >= 2'
      WHEN COALESCE(`frequency` >= 2, FALSE)
      THEN '普通客户: frequency >= 2'
      ELSE '基础客户: no rule above matched'
    END AS `tier_why`,
    NULLIF(
      SUBSTRING(
        CONCAT(
          COALESCE(
            CASE
              WHEN CAST(COALESCE(`orders_90d` >= 3, FALSE) AS INT64) = 1
              THEN ', 高频购买者'
              ELSE ''
            END,
            ''
          ),
          COALESCE(
            CASE
              WHEN CAST(COALESCE(`discount_share` >= 0.5, FALSE) AS INT64) = 1
              THEN ', 价格敏感型'
              ELSE ''
            END,
            ''
          ),
          COALESCE(
            CASE
              WHEN CAST(COALESCE(`top_category` = '美妆', FALSE) AS INT64) = 1
              THEN ', 偏爱美妆'
              ELSE ''
            END,
            ''
          ),
          COALESCE(
            CASE
              WHEN CAST(COALESCE(`monetary` >= 1000 AND `recency_days` > 180, FALSE) AS INT64) = 1
              THEN ', 沉睡高价值'
              ELSE ''
            END,
            ''
          ),
          COALESCE(
            CASE
              WHEN CAST(COALESCE(`tenure_days` <= 30, FALSE) AS INT64) = 1
              THEN ', 新客'
              ELSE ''
            END,
            ''
          ),
          COALESCE(
            CASE
              WHEN CAST(COALESCE(`refund_rate` >= 0.3, FALSE) AS INT64) = 1
              THEN ', 退款较多'
              ELSE ''
            END,
            ''
          )
        ),
        3
      ),
      ''
    ) AS tags,
    CAST(COALESCE(`orders_90d` >= 3, FALSE) AS INT64) AS `高频购买者`,
    CAST(COALESCE(`discount_share` >= 0.5, FALSE) AS INT64) AS `价格敏感型`,
    CAST(COALESCE(`top_category` = '美妆', FALSE) AS INT64) AS `偏爱美妆`,
    CAST(COALESCE(`monetary` >= 1000 AND `recency_days` > 180, FALSE) AS INT64) AS `沉睡高价值`,
    CAST(COALESCE(`tenure_days` <= 30, FALSE) AS INT64) AS `新客`,
    CAST(COALESCE(`refund_rate` >= 0.3, FALSE) AS INT64) AS `退款较多`
  FROM scored
)
SELECT
  `customer_id`,
  `tier`,
  `tags`,
  `segment`,
  `lifecycle`,
  `r_score`,
  `f_score`,
  `m_score`,
  `rfm_score`,
  `recency_days`,
  `frequency`,
  `monetary`,
  `aov`,
  `first_order`,
  `last_order`,
  `tenure_days`,
  `orders_30d`,
  `orders_90d`,
  `orders_365d`,
  `spend_30d`,
  `spend_90d`,
  `spend_365d`,
  `quantity`,
  `distinct_products`,
  `distinct_categories`,
  `top_category`,
  `refund_amount`,
  `refund_rate`,
  `discount_share`,
  `avg_days_between_orders`,
  `region`,
  `tier_why`,
  `高频购买者`,
  `价格敏感型`,
  `偏爱美妆`,
  `沉睡高价值`,
  `新客`,
  `退款较多`
FROM classified
ORDER BY
  monetary DESC,
  customer_id NULLS LAST;
