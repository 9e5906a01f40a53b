// Package export moves a table hetl imported (a published directory with a
// _SUCCESS manifest, Parquet) back into a MySQL table, like Sqoop's export:
// parallel writers, multi-row INSERTs with placeholders, update and upsert
// modes, and an optional staging table that makes the move into the target
// one transaction. Values go as the text MySQL itself prints for them
// (ingest/format.MySQLText), which it parses back into the same value, so
// an import followed by an export round-trips exactly (docs/export.md).
package export
