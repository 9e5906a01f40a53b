// Package sql will own the analysts' endpoint: a MySQL-wire-protocol server
// (go-mysql-server) over warehouse tables with partition pruning.
//
// Its subpackage ddl prints the Hive, Trino and Spark SQL DDL that declares
// a warehouse table and registers its partitions; the server is not
// implemented yet.
package sql
