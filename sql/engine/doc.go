// Package engine is hetl's SQL engine over the warehouse: the tables
// hetl publishes (imports and pipeline outputs) served read-only through
// go-mysql-server, to `hetl sql query` and the MySQL-protocol endpoint
// `hetl sql serve`.
//
// What callers rely on:
//   - A table is a warehouse directory with a root _SUCCESS manifest; its
//     schema is the manifest's (exact Arrow types mapped to MySQL's), plus
//     one VARCHAR column per Hive partition key (dt, hr) of a partitioned
//     table. Tables and their files are read from the manifest at each
//     query (cached by the manifest's size and modification time), so a
//     partition published a moment ago is visible to the next query, and
//     a query never sees a half-published one.
//   - Reads are pruned, never filtered: a filter's comparisons with
//     literals (=, <, <=, >, >=, BETWEEN, IN, on the partition keys, the
//     partition time column and any integer, decimal, string or time
//     column) skip the partitions and Parquet row groups that cannot hold
//     a matching row; the engine still applies the whole filter, so
//     pruning can only save work, never change a result.
//   - A GROUP BY straight over one table (under a WHERE, with COUNT, SUM,
//     AVG, MIN, MAX of integer, float and time columns and grouped
//     columns) is computed from the Parquet pages by the engine's own
//     aggregation (aggregate.go) instead of go-mysql-server's
//     row-at-a-time GroupBy: the same rows, values, Go types and order
//     (tested query by query against go-mysql-server). Filter terms on
//     dt/hr alone are evaluated once per file. Anything else (DECIMAL
//     sums among them) is left to go-mysql-server.
//   - Parsed Parquet footers are kept (format.FooterCache) and used only
//     for the very same footer bytes, so a file replaced in place is
//     read anew.
//   - Nothing is ever written: the engine runs in go-mysql-server's
//     read-only mode, tables implement no write interface, a guard refuses
//     LOAD_FILE(), INTO OUTFILE/DUMPFILE and SET GLOBAL, and the server
//     grants SELECT only. CheckRead/IsRead tell reads from the rest before
//     a statement runs.
//   - SUM and AVG of DECIMAL columns are DECIMAL of MySQL's result types
//     (go-mysql-server would declare them DOUBLE).
package engine
