// Package demo creates hetl's demo data set — users, devices and
// application events with realistic skew, late rows, duplicates, bad rows
// and injected anomalies — in any MySQL-compatible database (Seed), and
// starts an embedded MySQL-compatible server (StartEmbedded:
// dolthub/go-mysql-server, in memory) so the demo needs no MySQL installed.
// The server runs in the companion program hetl-demo-mysql
// (cmd/hetl-demo-mysql, built beside hetl by make build), not inside hetl:
// go-mysql-server's package init alone would cost every hetl command about
// 340 ms and 60 MiB of memory.
//
// What the embedded server cannot give, and why it is for the demo and
// tests only, never for data that matters:
//
//   - No InnoDB: tables live in the memory of this process, are lost when
//     it exits, and use go-mysql-server's dialect (close to MySQL's, not
//     equal to it).
//   - No consistent snapshot across connections: there is no MVCC, so
//     START TRANSACTION WITH CONSISTENT SNAPSHOT does not give parallel
//     readers one view of the data. A table written to during an import
//     can be read torn; hetl says so in its logs and manifests.
//   - No binlog and no GTIDs: nothing can be replicated or read
//     incrementally from a log.
//   - Speed: its tables check primary keys by scanning every row, so
//     filling a table takes time growing with the square of its size:
//     about 10 s for 20,000 events, 40 s for 40,000, minutes beyond. A
//     real MySQL takes about 3 s for 100,000 (Seed inserts 500 rows per
//     statement, one transaction each).
//   - Security: it listens on loopback only and accepts one user,
//     EmbeddedUser, with a random password made at every start; no TLS.
package demo
