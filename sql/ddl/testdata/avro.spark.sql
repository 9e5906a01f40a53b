CREATE EXTERNAL TABLE IF NOT EXISTS `shop`.`payments` (
  `id` BIGINT,
  `order_id` INT COMMENT 'MySQL column order-id',
  `amount` DECIMAL(10,2),
  `paid_at` BIGINT COMMENT 'microseconds since 1970-01-01 00:00:00 UTC (Avro timestamp-micros)',
  `booked_at` BIGINT COMMENT 'wall clock as microseconds since 1970-01-01 00:00:00 (Avro local-timestamp-micros)',
  `tags` ARRAY<STRING>
)
STORED AS AVRO
LOCATION 'hdfs://namenode:8020/warehouse/shop/payments';
