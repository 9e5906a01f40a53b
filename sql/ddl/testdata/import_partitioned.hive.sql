CREATE EXTERNAL TABLE IF NOT EXISTS `shop`.`orders` (
  `id` BIGINT,
  `tiny` TINYINT,
  `flag` TINYINT,
  `small` SMALLINT,
  `medium` INT,
  `qty` INT,
  `tiny_u` SMALLINT,
  `small_u` INT,
  `int_u` BIGINT,
  `big_u` DECIMAL(20,0),
  `price` DECIMAL(12,2),
  `huge` STRING COMMENT 'MySQL DECIMAL wider than 38 digits, as its exact text',
  `ratio` FLOAT,
  `score` DOUBLE,
  `bits` DECIMAL(20,0) COMMENT 'MySQL BIT as an unsigned integer',
  `yr` SMALLINT COMMENT 'MySQL YEAR',
  `day` DATE,
  `created_at` TIMESTAMP,
  `updated_at` TIMESTAMP,
  `dur` BIGINT COMMENT 'MySQL TIME as signed microseconds',
  `name` STRING,
  `status` STRING,
  `doc` STRING COMMENT 'MySQL JSON text',
  `tags` ARRAY<STRING>,
  `raw` BINARY,
  `geom` BINARY COMMENT 'MySQL GEOMETRY as WKB, without the SRID',
  `it's a ``quoted`` "name"` STRING
)
PARTITIONED BY (`dt` STRING, `hr` STRING)
STORED AS PARQUET
LOCATION 'hdfs://namenode:8020/warehouse/shop/orders';
ALTER TABLE `shop`.`orders` ADD IF NOT EXISTS
  PARTITION (`dt`='2026-11-21', `hr`='10') LOCATION 'hdfs://namenode:8020/warehouse/shop/orders/dt=2026-11-21/hr=10'
  PARTITION (`dt`='2026-11-21', `hr`='11') LOCATION 'hdfs://namenode:8020/warehouse/shop/orders/dt=2026-11-21/hr=11'
  PARTITION (`dt`='2026-11-22', `hr`='00') LOCATION 'hdfs://namenode:8020/warehouse/shop/orders/dt=2026-11-22/hr=00';
MSCK REPAIR TABLE `shop`.`orders`;
