CREATE TABLE IF NOT EXISTS `shop`.`users` (
  `id` BIGINT,
  `email` STRING,
  `country` STRING,
  `created_at` TIMESTAMP_NTZ,
  `updated_at` TIMESTAMP
)
USING PARQUET
LOCATION 'hdfs://namenode:8020/warehouse/shop/users';
