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
# The same work as hetl's run, as near as SQL gets: the cleansed rows
# anonymized (a SHA-256 of the key and the IP; emails and IPv4
# addresses in the message replaced) and written as Parquet, then the
# aggregation over them.
full = f"""
COPY (
  WITH clean AS (
    SELECT *, lower(trim(event_type)) AS et,
           row_number() OVER (PARTITION BY user_id, device_id, lower(trim(event_type)), created_at, message ORDER BY id DESC) AS rn
    FROM read_parquet('{wh}/events/dt=2026-11-21/hr=10/*.parquet')
    WHERE created_at >= TIMESTAMP '2026-11-21 10:00:00' AND created_at < TIMESTAMP '2026-11-21 11:00:00'
      AND user_id IS NOT NULL AND trim(event_type) <> '' AND ip IS NOT NULL AND ip <> ''
      AND (latency_ms IS NULL OR latency_ms >= 0) AND regexp_matches(ip, '^[0-9A-Fa-f:.*/x]+$')
  )
  SELECT c.id, c.user_id, c.device_id, c.et AS event_type, sha256('key' || c.ip) AS ip,
         regexp_replace(regexp_replace(c.message, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+', '<h>', 'g'), '[0-9]{{1,3}}(\.[0-9]{{1,3}}){{3}}', '<h>', 'g') AS message,
         c.latency_ms, c.status, c.created_at, u.country, u.plan, d.os
  FROM clean c JOIN read_parquet('{wh}/users/*.parquet') u ON u.id = c.user_id
  LEFT JOIN read_parquet('{wh}/devices/*.parquet') d ON d.id = c.device_id
  WHERE rn = 1
) TO '{wh}/duckdb_events_clean.parquet' (FORMAT parquet, COMPRESSION snappy)
"""
agg_clean = f"""
SELECT event_type, country, plan, os, count(*), count(DISTINCT user_id), approx_count_distinct(user_id),
       sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), avg(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
       avg(latency_ms), approx_quantile(latency_ms, 0.5), approx_quantile(latency_ms, 0.95)
FROM read_parquet('{wh}/duckdb_events_clean.parquet') GROUP BY ALL
"""
n = con.execute(f"SELECT count(*) FROM read_parquet('{wh}/events/dt=2026-11-21/hr=10/*.parquet')").fetchone()[0]
start = time.time()
rows = con.execute(q).fetchall()
secs = time.time() - start
start = time.time()
con.execute(full)
rows2 = con.execute(agg_clean).fetchall()
secs2 = time.time() - start
print(n, f"{secs:.3f}", f"{n / secs:.0f}", len(rows), f"{secs2:.3f}", f"{n / secs2:.0f}", len(rows2))
