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
