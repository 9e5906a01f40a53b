CREATE EXTERNAL TABLE IF NOT EXISTS `shop`.`events_text` (
  `id` BIGINT,
  `event_type` STRING,
  `amount` DECIMAL(10,2),
  `created_at` TIMESTAMP,
  `dur` STRING COMMENT 'MySQL TIME text, e.g. -838:59:59.000000',
  `tags` STRING COMMENT 'MySQL SET text: members joined by \',\'',
  `payload` STRING COMMENT 'bytes written raw'
)
PARTITIONED BY (`dt` STRING)
ROW FORMAT DELIMITED
  FIELDS TERMINATED BY '\001'
  LINES TERMINATED BY '\n'
  NULL DEFINED AS '\\N'
STORED AS TEXTFILE
LOCATION 'hdfs://namenode:8020/warehouse/shop/events_text';
ALTER TABLE `shop`.`events_text` ADD IF NOT EXISTS
  PARTITION (`dt`='2026-11-21') LOCATION 'hdfs://namenode:8020/warehouse/shop/events_text/dt=2026-11-21'
  PARTITION (`dt`='2026-11-22') LOCATION 'hdfs://namenode:8020/warehouse/shop/events_text/dt=2026-11-22';
