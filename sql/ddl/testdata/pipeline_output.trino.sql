CREATE TABLE IF NOT EXISTS "analytics"."hourly_activity" (
  "window_start" TIMESTAMP(6),
  "country" VARCHAR,
  "events" BIGINT,
  "revenue" DECIMAL(38,2),
  "latency_p95" DOUBLE,
  "users_sketch" VARBINARY,
  "dt" VARCHAR,
  "hr" VARCHAR
)
WITH (
  external_location = 'hdfs://namenode:8020/warehouse/analytics/hourly_activity',
  format = 'PARQUET',
  partitioned_by = ARRAY['dt', 'hr']
);
CALL system.sync_partition_metadata('analytics', 'hourly_activity', 'ADD');
