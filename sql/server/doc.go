// Package server is hetl's MySQL-protocol endpoint (`hetl sql serve`):
// go-mysql-server's server over a read-only sql/engine.Engine, for the
// mysql client, BI tools and drivers.
//
// What callers rely on:
//   - No anonymous access: Start refuses to run without users. Users log
//     in with mysql_native_password against the hash MySQL would store;
//     each may read (SELECT) only the databases it is given, and sees only
//     those in SHOW DATABASES and information_schema.
//   - Read-only: any statement other than reads (SELECT, SHOW, DESCRIBE,
//     EXPLAIN, SET SESSION, USE, transactions, prepared statements of
//     those) fails with MySQL error 1290 (ER_OPTION_PREVENTS_STATEMENT)
//     before it runs; the engine's own read-only mode and guard stand
//     behind that check. KILL works only on the user's own connections.
//   - Limits: at most MaxConnections connections (the next gets MySQL
//     error 1040, "Too many connections"); each statement runs at most
//     QueryTimeout (error 3024, ER_QUERY_TIMEOUT); a result with more
//     than MaxRows rows fails with error 1104 (ER_TOO_BIG_SELECT) — no
//     silent truncation. A client that streams rows (rather than reading
//     the whole result first, as the mysql client does) may have received
//     the first MaxRows rows before the error.
//   - TLS when configured, optionally required; passwords never travel in
//     clear text (the clear-text plugin is off).
//   - Shutdown stops accepting, refuses new statements (error 1053), lets
//     running ones finish until its context ends, then closes every
//     connection.
package server
