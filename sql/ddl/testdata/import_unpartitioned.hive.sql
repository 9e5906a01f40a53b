CREATE EXTERNAL TABLE IF NOT EXISTS `shop`.`users` (
  `id` BIGINT,
  `email` STRING,
  `country` STRING,
  `created_at` TIMESTAMP,
  `updated_at` TIMESTAMP
)
STORED AS PARQUET
LOCATION 'hdfs://namenode:8020/warehouse/shop/users';
