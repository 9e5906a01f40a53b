CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" BIGINT,
  "tiny" TINYINT,
  "flag" TINYINT,
  "small" SMALLINT,
  "medium" INTEGER,
  "qty" INTEGER,
  "tiny_u" SMALLINT,
  "small_u" INTEGER,
  "int_u" BIGINT,
  "big_u" DECIMAL(20,0),
  "price" DECIMAL(12,2),
  "huge" VARCHAR COMMENT 'MySQL DECIMAL wider than 38 digits, as its exact text',
  "ratio" REAL,
  "score" DOUBLE,
  "bits" DECIMAL(20,0) COMMENT 'MySQL BIT as an unsigned integer',
  "yr" SMALLINT COMMENT 'MySQL YEAR',
  "day" DATE,
  "created_at" TIMESTAMP(6),
  "updated_at" TIMESTAMP(6),
  "dur" BIGINT COMMENT 'MySQL TIME as signed microseconds',
  "name" VARCHAR,
  "status" VARCHAR,
  "doc" VARCHAR COMMENT 'MySQL JSON text',
  "tags" ARRAY(VARCHAR),
  "raw" VARBINARY,
  "geom" VARBINARY COMMENT 'MySQL GEOMETRY as WKB, without the SRID',
  "it's a `quoted` ""name""" VARCHAR,
  "dt" VARCHAR,
  "hr" VARCHAR
)
WITH (
  external_location = 'hdfs://namenode:8020/warehouse/shop/orders',
  format = 'PARQUET',
  partitioned_by = ARRAY['dt', 'hr']
);
CALL system.sync_partition_metadata('shop', 'orders', 'ADD');
