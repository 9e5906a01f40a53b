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
//   - Nothing is ever written: the engine runs in go-mysql-server's
//     read-only mode, tables implement no write interface, a guard refuses
//     LOAD_FILE(), INTO OUTFILE/DUMPFILE and SET GLOBAL, and the server
//     grants SELECT only. CheckRead/IsRead tell reads from the rest before
//     a statement runs.
//   - SUM and AVG of DECIMAL columns are DECIMAL of MySQL's result types
//     (go-mysql-server would declare them DOUBLE).
package engine
