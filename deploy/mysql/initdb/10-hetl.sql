-- Run once by the mysql image on an empty data volume, after it has created
-- the app database and the hetl user (MYSQL_DATABASE, MYSQL_USER).

-- hetl's metastore (metastore.url in deploy/hetl.compose.yaml).
CREATE DATABASE IF NOT EXISTS hetl_meta;
GRANT ALL PRIVILEGES ON hetl_meta.* TO 'hetl'@'%';

-- Consistent imports: a brief backup lock to line readers up on one
-- snapshot, and the binlog/GTID position recorded as the import's watermark.
GRANT RELOAD, REPLICATION CLIENT ON *.* TO 'hetl'@'%';
