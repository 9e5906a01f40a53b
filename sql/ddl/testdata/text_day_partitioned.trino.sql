CREATE TABLE IF NOT EXISTS "shop"."events_text" (
  "id" BIGINT,
  "event_type" VARCHAR,
  "amount" DECIMAL(10,2),
  "created_at" TIMESTAMP(6),
  "dur" VARCHAR COMMENT 'MySQL TIME text, e.g. -838:59:59.000000',
  "tags" VARCHAR COMMENT 'MySQL SET text: members joined by '',''',
  "payload" VARCHAR COMMENT 'bytes written raw',
  "dt" VARCHAR
)
WITH (
  external_location = 'hdfs://namenode:8020/warehouse/shop/events_text',
  format = 'TEXTFILE',
  textfile_field_separator = U&'\0001',
  null_format = '\N',
  partitioned_by = ARRAY['dt']
);
CALL system.sync_partition_metadata('shop', 'events_text', 'ADD');
