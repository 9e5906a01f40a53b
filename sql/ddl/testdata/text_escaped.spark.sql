CREATE EXTERNAL TABLE IF NOT EXISTS `shop`.`notes` (
  `id` BIGINT,
  `note` STRING
)
ROW FORMAT DELIMITED
  FIELDS TERMINATED BY '|'
  ESCAPED BY '\\'
  LINES TERMINATED BY '\n'
  NULL DEFINED AS 'null'
STORED AS TEXTFILE
LOCATION 'hdfs://namenode:8020/warehouse/shop/notes'
TBLPROPERTIES ('serialization.escape.crlf'='true');
