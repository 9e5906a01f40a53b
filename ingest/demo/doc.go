// Package demo creates hetl's demo data set — users, devices and a day of
// application events with realistic skew, late rows, duplicates, bad rows
// and injected anomalies — in any MySQL-compatible database, and can start
// an embedded MySQL-compatible server (dolthub/go-mysql-server, in memory)
// so the demo needs no MySQL installed.
//
// Caveats of the embedded server: it keeps tables in memory with no MVCC,
// so hetl cannot give readers one consistent snapshot (imports say so in
// their logs and manifests); it has no binlog or GTIDs; it listens on
// loopback only, with a random password generated at start. It is for the
// demo and tests, never for data that matters.
package demo
