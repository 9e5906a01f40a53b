// Package ddl prints the SQL that lets analysts query hetl's warehouse
// tables from Hive, Trino (its Hive connector) or Spark SQL over the same
// files: a CREATE statement for the table, and the statements that register
// its existing partitions with the metastore.
//
// Describe reads what hetl published in a table's directory, an import's or
// a pipeline output's, from its _SUCCESS manifest (and, for a pipeline, its
// partitions' manifests): the exact Arrow schema of the files, the format
// (Parquet, delimited text with its recorded delimiters, or Avro), and the
// partitions. A Dialect then prints a Table; it does no I/O.
//
// Invariants callers rely on:
//   - The columns declared are the files' columns, in the files' order, with
//     a type each engine reads the stored values into exactly: no declared
//     type narrows, rounds or reinterprets what hetl wrote. Where an engine
//     cannot do that for a column the printer says so with an error (see
//     the sentinels) instead of printing a table that reads wrong values.
//   - Partitioned tables are partitioned by dt (and hr), both strings,
//     exactly the directory names hetl writes (dt=2026-11-21/hr=10, and
//     Hive's __HIVE_DEFAULT_PARTITION__ for NULL times); a data column of
//     the same name is refused.
//   - Identifiers are quoted (backticks for Hive and Spark, double quotes
//     for Trino, embedded quote characters doubled) and string literals
//     escaped for the dialect; names the metastore cannot hold are refused.
//   - Every statement is idempotent (IF NOT EXISTS, ADD IF NOT EXISTS,
//     Trino's sync in ADD mode), so a script can be run again after new
//     partitions were published.
//
// # Choices per dialect
//
// Hive: CREATE EXTERNAL TABLE ... PARTITIONED BY (dt STRING, hr STRING)
// STORED AS PARQUET|AVRO or ROW FORMAT DELIMITED ... STORED AS TEXTFILE,
// LOCATION. Partitions are added by ALTER TABLE ... ADD IF NOT EXISTS with
// one PARTITION ... LOCATION clause per partition, Options.PartitionsPerStatement
// of them per statement: one metastore call per batch, the exact partitions
// the manifest lists, and no listing of the table's directory (MSCK REPAIR
// lists every directory of the table on every run). The one exception is
// the partition of NULL event times, __HIVE_DEFAULT_PARTITION__, whose name
// Hive refuses as a value in ADD PARTITION: when a table has one, MSCK
// REPAIR TABLE follows and registers it.
//
// Spark: Parquet tables are data source tables, CREATE TABLE ... USING
// PARQUET PARTITIONED BY (dt, hr) LOCATION, with dt and hr declared last
// in the column list: Spark's own vectorised reader, no Hive support needed,
// and TIMESTAMP_NTZ (Spark 3.4+) for zoneless timestamps. Text and Avro
// tables use Hive's syntax (Spark with Hive support), because only Hive's
// LazySimpleSerDe reads hetl's text exactly as Hive does, and USING AVRO
// needs the separate spark-avro module. Partitions are added as for Hive
// (Spark accepts the same statement, also for data source tables).
//
// Trino: CREATE TABLE ... WITH (external_location, format, partitioned_by)
// with dt and hr as the last columns, as the Hive connector requires.
// Partitions are registered with CALL system.sync_partition_metadata(schema,
// table, 'ADD'): it is always enabled, whereas system.register_partition
// needs hive.allow-register-partition-procedure=true; hetl's partition
// directories are the only ones named dt=..., so the sync finds exactly the
// published partitions. Timestamps are declared TIMESTAMP(6) by default, the
// precision hetl writes: the connector refuses a precision other than its
// hive.timestamp-precision (default MILLISECONDS), so on such a catalog
// either set hive.timestamp-precision=MICROSECONDS or pass
// Options.TrinoTimestampPrecision = 3 to accept truncation to milliseconds.
//
// # Types
//
// See columnType for the table. In short: integers map to the smallest
// signed type holding their range (uint64 to DECIMAL(20,0), as Spark infers
// it), decimals keep precision and scale (more than 38 digits is refused;
// hetl writes wider MySQL decimals as exact text, a STRING), strings and
// bytes to STRING/VARCHAR and BINARY/VARBINARY, MySQL SETs to arrays of
// strings, TIME to BIGINT microseconds and YEAR to SMALLINT. Parquet
// timestamps are written with isAdjustedToUTC=false for DATETIME (a wall
// clock) and true for TIMESTAMP (an instant, in UTC): Hive and Trino declare
// both TIMESTAMP and show the stored UTC wall clock (run Hive with its
// session time zone UTC, since Hive converts adjusted values to it); Spark
// declares DATETIME as TIMESTAMP_NTZ and TIMESTAMP as TIMESTAMP.
//
// Text and Avro tables declare what those files hold: a text table's SETs,
// bytes and TIMEs are STRINGs (hetl writes them as MySQL prints them) and its
// booleans TINYINT (written 1/0); Avro timestamps are BIGINT microseconds
// since the epoch, because Hive's AvroSerDe reads any Avro long as
// milliseconds, and Avro columns are named as the Avro files name them.
//
// # Caveats
//
//   - The statements are checked to parse with sqlglot's Hive, Trino and
//     Spark grammars (see the tests), not run against the engines here. How
//     each engine's Parquet reader treats what the declarations rely on
//     (unsigned integer annotations read into the wider signed types and
//     DECIMAL(20,0), isAdjustedToUTC timestamps in Trino) follows their
//     documentation and sources, and is worth a check on the versions a
//     site runs.
//   - Text tables with an enclosing character, a line terminator other than
//     '\n', or different NULL texts for strings and other columns cannot be
//     declared for Hive's text reader and are refused.
//   - A table whose files were written with schemas giving one column two
//     different types is refused (the engines would fail reading some files).
//   - A partitioned import with no rows yet has no partition directory to
//     learn the granularity from; it is taken as hourly (the importer's
//     default).
package ddl
