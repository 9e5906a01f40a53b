// Package source talks to the MySQL (or MariaDB) server an import reads
// from: it opens sessions with the settings every read relies on, reads
// table metadata from information_schema, quotes identifiers, and opens the
// consistent-snapshot transactions parallel readers share.
//
// Every session hetl opens runs with time_zone '+00:00' (TIMESTAMP values
// arrive as UTC instants), character set utf8mb4 (text in any column
// charset arrives as UTF-8, converted by the server) and a sql_mode without
// NO_BACKSLASH_ESCAPES. Identifiers are always quoted with QuoteIdent and
// checked against information_schema before use, so a table or column that
// does not exist is a clear error, never an injection.
package source
