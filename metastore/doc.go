// Package metastore keeps what happened: runs and their attempts,
// incremental watermarks, saved import jobs, and leases. It runs on a SQLite
// file (pure Go, the default) or on MySQL/MariaDB for teams, with the same
// schema, brought up to date by versioned migrations when a Store opens.
//
// Invariants callers rely on:
//   - A watermark changes only inside Store.Tx (Tx.SetWatermark), so a
//     caller records a publish, finishes its run (Tx.FinishRun) and advances
//     the watermark the data covers in one transaction, or none of them.
//   - A lease's fencing token grows with every acquisition, across holders,
//     releases and restarts; a holder whose token is no longer current, or
//     whose lease expired, has lost it (ErrLeaseLost from CheckFence) and
//     must not publish. Call Tx.CheckFence in the publishing transaction.
//   - A run finishes once; each (kind, name, window) attempt number is
//     recorded once.
//   - Open applies the embedded migrations in order, each in its own
//     transaction, serialised between processes (MySQL: GET_LOCK; SQLite:
//     BEGIN IMMEDIATE). It refuses a database whose schema is newer than the
//     binary knows (ErrSchemaTooNew) rather than guess.
//   - Every stored time comes from Options.Now and is kept as UTC Unix
//     milliseconds; times come back in UTC. Lease expiry compares the clocks
//     of all processes sharing a metastore, so they must be in sync.
//
// Caveats:
//   - MySQL commits DDL implicitly, so a migration that fails halfway there
//     can leave part of it applied; migrations stay small (one change each)
//     to keep that recoverable by hand.
//   - All SQLite transactions take the write lock when they begin: the
//     metastore is small and write-mostly, and this makes lease races
//     serialise instead of failing at commit.
package metastore
