CREATE TABLE IF NOT EXISTS "shop"."users" (
  "id" BIGINT,
  "email" VARCHAR,
  "country" VARCHAR,
  "created_at" TIMESTAMP(6),
  "updated_at" TIMESTAMP(6)
)
WITH (
  external_location = 'hdfs://namenode:8020/warehouse/shop/users',
  format = 'PARQUET'
);
