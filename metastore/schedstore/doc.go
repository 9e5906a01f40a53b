// Package schedstore keeps the scheduler's state in the metastore: it is
// the scheduler.Store of `hetl schedule` and of the operations commands
// (hetl trigger, pause, runs, status …), on SQLite or on MySQL/MariaDB.
//
// Its tables (sched_state, sched_runs, sched_attempts, sched_counters) come
// from the metastore's migration 0003; leader leases are the metastore's
// own leases (table leases), so a scheduler lease and a `hetl job exec`
// lease follow one set of rules.
//
// Invariants, beyond scheduler.Store's:
//   - Every method is one database transaction. A write that is fenced
//     (Advance by the leader lease; RenewRun, Finish and Reclaim by the
//     run's token) reads the lease or run row with SELECT … FOR UPDATE on
//     MySQL and in a BEGIN IMMEDIATE transaction on SQLite, so the check
//     and the write cannot be separated by another daemon's write. Two
//     daemons on one MariaDB are therefore safe; two on one SQLite file
//     are too, as long as the file is on a local disk.
//   - Transactions the database gave up on (InnoDB deadlock victims, lock
//     wait timeouts, SQLite busy) are run again from the start, a few times.
//   - Run fencing tokens come from one counter and are never reused, even
//     for a window pruned and queued again.
//   - Times are the metastore clock's, stored as UTC Unix milliseconds;
//     the zero time is stored as 0. Times handed in by the engine (cursor,
//     retry times) lose their sub-millisecond part, rounded down, which at
//     worst makes the engine look again at a window it already has.
package schedstore
