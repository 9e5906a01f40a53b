// Package metastore keeps what happened: runs and their attempts,
// incremental watermarks, saved import jobs, and leases. It runs on a SQLite
// file (pure Go, the default) or on MySQL/MariaDB for teams, with the same
// schema, brought up to date by versioned migrations when a Store opens.
//
// Invariants callers rely on:
//   - A watermark changes only inside Store.Tx, so a caller records a publish
//     and advances the watermark it covers in one transaction, or neither.
//   - A lease's fencing token grows with every acquisition, across holders
//     and restarts; a holder whose token is no longer current has lost the
//     lease (CheckFence) and must not publish.
//   - A Store refuses a database whose schema is newer than it knows
//     (ErrSchemaTooNew) rather than guess.
//   - Times are stored as UTC Unix milliseconds from Options.Now, so tests
//     control the clock; every process sharing a metastore must have a sane
//     clock, since lease expiry compares them.
package metastore
