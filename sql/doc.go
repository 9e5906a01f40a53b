// Package sql holds the analysts' SQL over the warehouse, in subpackages:
//
//   - engine: read-only SQL (go-mysql-server) over warehouse tables, with
//     partition and row-group pruning (hetl sql query);
//   - server: the MySQL-protocol endpoint over an engine, with users,
//     per-user databases, TLS and limits (hetl sql serve);
//   - password: the endpoint's mysql_native_password hashes;
//   - ddl: the Hive, Trino and Spark DDL that declares a warehouse table
//     and registers its partitions (hetl sql ddl).
//
// engine and server link go-mysql-server, so only the companion program
// hetl-sql imports them; hetl itself stays lean.
package sql
