"""make bench-pipeline's reference: the aggregation of hourly_activity,
written in SQL for DuckDB, over the same Parquet files. Prints rows in,
seconds and result rows."""
import sys
import time

import duckdb

wh = sys.argv[1]
con = duckdb.connect()
q = f"""
WITH clean AS (
  SELECT *, lower(trim(event_type)) AS et,
         row_number() OVER (PARTITION BY user_id, device_id, lower(trim(event_type)), created_at, message ORDER BY id DESC) AS rn
  FROM read_parquet('{wh}/events/dt=2026-11-21/hr=10/*.parquet')
  WHERE created_at >= TIMESTAMP '2026-11-21 10:00:00' AND created_at < TIMESTAMP '2026-11-21 11:00:00'
    AND user_id IS NOT NULL AND trim(event_type) <> '' AND ip IS NOT NULL AND ip <> ''
    AND (latency_ms IS NULL OR latency_ms >= 0) AND regexp_matches(ip, '^[0-9A-Fa-f:.*/x]+$')
), j AS (
  SELECT c.*, u.country, u.plan, d.os
  FROM clean c JOIN read_parquet('{wh}/users/*.parquet') u ON u.id = c.user_id
  LEFT JOIN read_parquet('{wh}/devices/*.parquet') d ON d.id = c.device_id
  WHERE rn = 1
)
SELECT et, country, plan, os, count(*), count(DISTINCT user_id), approx_count_distinct(user_id),
       sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
       avg(latency_ms), approx_quantile(latency_ms, 0.5), approx_quantile(latency_ms, 0.95)
FROM j GROUP BY ALL
"""
n = con.execute(f"SELECT count(*) FROM read_parquet('{wh}/events/dt=2026-11-21/hr=10/*.parquet')").fetchone()[0]
start = time.time()
rows = con.execute(q).fetchall()
secs = time.time() - start
print(n, f"{secs:.3f}", f"{n / secs:.0f}", len(rows))
