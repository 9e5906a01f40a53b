CREATE TABLE IF NOT EXISTS `analytics`.`hourly_activity` (
  `window_start` TIMESTAMP,
  `country` STRING,
  `events` BIGINT,
  `revenue` DECIMAL(38,2),
  `latency_p95` DOUBLE,
  `users_sketch` BINARY,
  `dt` STRING,
  `hr` STRING
)
USING PARQUET
PARTITIONED BY (`dt`, `hr`)
LOCATION 'hdfs://namenode:8020/warehouse/analytics/hourly_activity';
ALTER TABLE `analytics`.`hourly_activity` ADD IF NOT EXISTS
  PARTITION (`dt`='2026-11-21', `hr`='10') LOCATION 'hdfs://namenode:8020/warehouse/analytics/hourly_activity/dt=2026-11-21/hr=10'
  PARTITION (`dt`='2026-11-21', `hr`='11') LOCATION 'hdfs://namenode:8020/warehouse/analytics/hourly_activity/dt=2026-11-21/hr=11';
