// Package sql will own the analysts' endpoint: a MySQL-wire-protocol server
// (go-mysql-server) over warehouse tables with partition pruning, and the
// Hive/Trino/Spark DDL printer.
//
// Nothing is implemented here yet; the SQL issue builds it.
package sql
