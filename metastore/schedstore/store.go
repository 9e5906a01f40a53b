package schedstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/scheduler"
)

// Store is a scheduler.Store in a metastore. It is safe for concurrent
// use; closing the metastore is the caller's business.
type Store struct {
	ms *metastore.Store
}

var _ scheduler.Store = (*Store)(nil)

// New is the scheduler store of an open metastore.
func New(ms *metastore.Store) *Store { return &Store{ms: ms} }

// retries bounds how often a transaction the database gave up on is run
// again.
const retries = 5

// tx runs fn in a transaction, again when the database picked it as a
// deadlock victim or was busy.
func (s *Store) tx(ctx context.Context, fn func(tx *metastore.Tx) error) error {
	var err error
	for try := 0; try < retries; try++ {
		if err = ctx.Err(); err != nil {
			return err
		}
		err = s.ms.Tx(ctx, fn)
		if err == nil || !metastore.IsRetryable(err) {
			return err
		}
	}
	return err
}

// onConflictKeep ends an INSERT so that a row already present under the
// same key is kept and nothing else is ignored (MySQL's INSERT IGNORE and
// SQLite's OR IGNORE would also swallow truncations and NOT NULL errors).
func (s *Store) onConflictKeep(keyColumn string) string {
	if s.ms.IsMySQL() {
		return " ON DUPLICATE KEY UPDATE " + keyColumn + " = " + keyColumn
	}
	return " ON CONFLICT DO NOTHING"
}

// forUpdate locks the rows a SELECT reads on MySQL; SQLite's immediate
// transactions already hold the database's write lock.
func (s *Store) forUpdate() string {
	if s.ms.IsMySQL() {
		return " FOR UPDATE"
	}
	return ""
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// State implements scheduler.Store.
func (s *Store) State(ctx context.Context, name string) (scheduler.ScheduleState, error) {
	st := scheduler.ScheduleState{Name: name}
	var cursor int64
	var paused int
	err := s.ms.DB().QueryRowContext(ctx, "SELECT cursor_at, paused FROM sched_state WHERE name = ?", name).Scan(&cursor, &paused)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("schedule %s: read state: %w", name, err)
	}
	st.Cursor, st.Paused = fromMillis(cursor), paused != 0
	return st, nil
}

// ensureState creates a schedule's state row when absent.
func (s *Store) ensureState(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO sched_state (name, cursor_at, paused) VALUES (?, 0, 0)"+s.onConflictKeep("name"), name)
	return err
}

// SetPaused implements scheduler.Store.
func (s *Store) SetPaused(ctx context.Context, name string, paused bool) error {
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		if err := s.ensureState(ctx, tx.SQL(), name); err != nil {
			return err
		}
		_, err := tx.SQL().ExecContext(ctx, "UPDATE sched_state SET paused = ? WHERE name = ?", boolInt(paused), name)
		return err
	})
	if err != nil {
		return fmt.Errorf("schedule %s: set paused: %w", name, err)
	}
	return nil
}

// Advance implements scheduler.Store: the leader lease is checked under a
// row lock in the transaction that writes.
func (s *Store) Advance(ctx context.Context, leader scheduler.Lease, name string, cursor time.Time, runs []scheduler.Run) error {
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		if err := s.checkLeader(ctx, tx, leader); err != nil {
			return err
		}
		now := s.ms.Now()
		for _, r := range runs {
			r.Updated = now
			if r.Queued.IsZero() {
				r.Queued = now
			}
			if err := s.insertRun(ctx, tx.SQL(), r, true); err != nil {
				return err
			}
		}
		if err := s.ensureState(ctx, tx.SQL(), name); err != nil {
			return err
		}
		c := millis(cursor)
		_, err := tx.SQL().ExecContext(ctx, "UPDATE sched_state SET cursor_at = ? WHERE name = ? AND cursor_at < ?", c, name, c)
		return err
	})
	if err != nil && !errors.Is(err, scheduler.ErrLeaseLost) {
		return fmt.Errorf("schedule %s: advance: %w", name, err)
	}
	return err
}

// checkLeader is the fence of the leader's writes: its lease must be
// current (same token, a holder, not expired) while the transaction holds
// the lease row.
func (s *Store) checkLeader(ctx context.Context, tx *metastore.Tx, l scheduler.Lease) error {
	var holder string
	var token, expires int64
	err := tx.SQL().QueryRowContext(ctx, "SELECT holder, token, expires_at FROM leases WHERE name = ?"+s.forUpdate(), l.Name).Scan(&holder, &token, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("lease %s (token %d): %w: no such lease", l.Name, l.Token, scheduler.ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("lease %s: %w", l.Name, err)
	}
	if token != l.Token || holder == "" || expires <= s.ms.Now().UnixMilli() {
		return fmt.Errorf("lease %s (token %d, current %d): %w", l.Name, l.Token, token, scheduler.ErrLeaseLost)
	}
	return nil
}

// AcquireLease implements scheduler.Store with the metastore's leases.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (scheduler.Lease, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return scheduler.Lease{}, fmt.Errorf("%w: a lease needs a name, a holder and a positive ttl", scheduler.ErrBadOptions)
	}
	var l metastore.Lease
	var err error
	for try := 0; try < retries; try++ {
		if l, err = s.ms.AcquireLease(ctx, name, holder, ttl); err == nil || !metastore.IsRetryable(err) {
			break
		}
	}
	if err != nil {
		return scheduler.Lease{}, translate(err)
	}
	return fromMetastore(l), nil
}

// RenewLease implements scheduler.Store.
func (s *Store) RenewLease(ctx context.Context, l scheduler.Lease, ttl time.Duration) (scheduler.Lease, error) {
	ml, err := s.ms.RenewLease(ctx, toMetastore(l), ttl)
	if err != nil {
		return l, translate(err)
	}
	return fromMetastore(ml), nil
}

// ReleaseLease implements scheduler.Store.
func (s *Store) ReleaseLease(ctx context.Context, l scheduler.Lease) error {
	return s.ms.ReleaseLease(ctx, toMetastore(l))
}

func fromMetastore(l metastore.Lease) scheduler.Lease {
	return scheduler.Lease{Name: l.Name, Holder: l.Holder, Token: l.Token, Until: l.ExpiresAt}
}

func toMetastore(l scheduler.Lease) metastore.Lease {
	return metastore.Lease{Name: l.Name, Holder: l.Holder, Token: l.Token, ExpiresAt: l.Until}
}

// boundaryError keeps the metastore's message and adds the scheduler's
// sentinel, so callers of either package can test for theirs.
type boundaryError struct {
	err      error
	sentinel error
}

func (e *boundaryError) Error() string   { return e.err.Error() }
func (e *boundaryError) Unwrap() []error { return []error{e.err, e.sentinel} }

func translate(err error) error {
	switch {
	case errors.Is(err, metastore.ErrLeaseHeld):
		return &boundaryError{err, scheduler.ErrLeaseHeld}
	case errors.Is(err, metastore.ErrLeaseLost):
		return &boundaryError{err, scheduler.ErrLeaseLost}
	}
	return err
}

const runColumns = "schedule, window_start, status, trigger_kind, live, queued_at, not_before, attempts, seq, holder, token, lease_until, " +
	"started_at, finished_at, row_count, error, blocked, alerted, stale_reruns, updated_at"

func runArgs(r scheduler.Run) []any {
	return []any{
		r.Key.Schedule, millis(r.Key.Window.Start), string(r.Status), string(r.Trigger), boolInt(r.Live), millis(r.Queued),
		millis(r.NotBefore), r.Attempts, r.Seq, r.Holder, r.Token, millis(r.LeaseUntil), millis(r.Started), millis(r.Finished),
		r.Rows, r.Error, r.Blocked, boolInt(r.Alerted), r.StaleReruns, millis(r.Updated),
	}
}

// insertRun adds a run; with ignore, a run already present stays as it is.
func (s *Store) insertRun(ctx context.Context, tx *sql.Tx, r scheduler.Run, ignore bool) error {
	q := "INSERT INTO sched_runs (" + runColumns + ") VALUES (?" + strings.Repeat(", ?", 19) + ")"
	if ignore {
		q += s.onConflictKeep("schedule")
	}
	if _, err := tx.ExecContext(ctx, q, runArgs(r)...); err != nil {
		return fmt.Errorf("run %s: %w", r.Key, err)
	}
	return nil
}

// updateRun writes every field of a run that exists.
func (s *Store) updateRun(ctx context.Context, tx *sql.Tx, r scheduler.Run) error {
	cols := strings.Split(runColumns, ", ")[2:]
	q := "UPDATE sched_runs SET " + strings.Join(cols, " = ?, ") + " = ? WHERE schedule = ? AND window_start = ?"
	args := append(runArgs(r)[2:], r.Key.Schedule, millis(r.Key.Window.Start))
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("run %s: %w", r.Key, err)
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanRun(sc scanner) (scheduler.Run, error) {
	var (
		r                                                  scheduler.Run
		start, queued, notBefore, until, started, finished int64
		updated                                            int64
		status, trigger                                    string
		live, alerted                                      int
	)
	err := sc.Scan(&r.Key.Schedule, &start, &status, &trigger, &live, &queued, &notBefore, &r.Attempts, &r.Seq, &r.Holder, &r.Token,
		&until, &started, &finished, &r.Rows, &r.Error, &r.Blocked, &alerted, &r.StaleReruns, &updated)
	if err != nil {
		return r, err
	}
	r.Key.Window = jobs.Window{Start: fromMillis(start)}
	r.Status, r.Trigger, r.Live, r.Alerted = scheduler.RunStatus(status), scheduler.Trigger(trigger), live != 0, alerted != 0
	r.Queued, r.NotBefore, r.LeaseUntil = fromMillis(queued), fromMillis(notBefore), fromMillis(until)
	r.Started, r.Finished, r.Updated = fromMillis(started), fromMillis(finished), fromMillis(updated)
	return r, nil
}

// getRun reads a run, locking its row on MySQL when lock is set; ok is
// false when it is absent.
func (s *Store) getRun(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key scheduler.RunKey, lock bool) (scheduler.Run, bool, error) {
	stmt := "SELECT " + runColumns + " FROM sched_runs WHERE schedule = ? AND window_start = ?"
	if lock {
		stmt += s.forUpdate()
	}
	r, err := scanRun(q.QueryRowContext(ctx, stmt, key.Schedule, millis(key.Window.Start)))
	if errors.Is(err, sql.ErrNoRows) {
		return scheduler.Run{Key: key}, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("run %s: %w", key, err)
	}
	return r, true, nil
}

// Run implements scheduler.Store.
func (s *Store) Run(ctx context.Context, key scheduler.RunKey) (scheduler.Run, error) {
	r, ok, err := s.getRun(ctx, s.ms.DB(), key, false)
	if err != nil {
		return r, err
	}
	if !ok {
		return scheduler.Run{}, fmt.Errorf("run %s: %w", key, scheduler.ErrNotFound)
	}
	return r, nil
}

// Runs implements scheduler.Store.
func (s *Store) Runs(ctx context.Context, f scheduler.RunFilter) ([]scheduler.Run, error) {
	var where []string
	var args []any
	if f.Schedule != "" {
		where, args = append(where, "schedule = ?"), append(args, f.Schedule)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "window_start >= ?"), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where, args = append(where, "window_start < ?"), append(args, f.To.UnixMilli())
	}
	q := "SELECT " + runColumns + " FROM sched_runs"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += " ORDER BY window_start DESC, schedule"
	} else {
		q += " ORDER BY window_start, schedule"
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.ms.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []scheduler.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// Attempts implements scheduler.Store.
func (s *Store) Attempts(ctx context.Context, key scheduler.RunKey) ([]scheduler.Attempt, error) {
	rows, err := s.ms.DB().QueryContext(ctx, `SELECT seq, token, holder, trigger_kind, status, started_at, finished_at, row_count, error
FROM sched_attempts WHERE schedule = ? AND window_start = ? ORDER BY seq`, key.Schedule, millis(key.Window.Start))
	if err != nil {
		return nil, fmt.Errorf("attempts of %s: %w", key, err)
	}
	defer rows.Close()
	var out []scheduler.Attempt
	for rows.Next() {
		a := scheduler.Attempt{Key: key}
		var trigger, status string
		var started, finished int64
		if err := rows.Scan(&a.Seq, &a.Token, &a.Holder, &trigger, &status, &started, &finished, &a.Rows, &a.Error); err != nil {
			return nil, fmt.Errorf("attempts of %s: %w", key, err)
		}
		a.Trigger, a.Status = scheduler.Trigger(trigger), scheduler.RunStatus(status)
		a.Started, a.Finished = fromMillis(started), fromMillis(finished)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("attempts of %s: %w", key, err)
	}
	return out, nil
}

// Queue implements scheduler.Store.
func (s *Store) Queue(ctx context.Context, key scheduler.RunKey, trigger scheduler.Trigger, live bool, from ...scheduler.RunStatus) (scheduler.Run, error) {
	var out scheduler.Run
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		r, ok, err := s.getRun(ctx, tx.SQL(), key, true)
		if err != nil {
			return err
		}
		out = r
		if ok && r.Status == scheduler.StatusRunning {
			return fmt.Errorf("queue %s: %w", key, scheduler.ErrRunning)
		}
		if len(from) > 0 && !slices.Contains(from, r.Status) {
			status := string(r.Status)
			if !ok {
				status = "absent"
			}
			return fmt.Errorf("queue %s: %w: it is %s", key, scheduler.ErrConflict, status)
		}
		now := s.ms.Now()
		r.Status, r.Trigger, r.Live = scheduler.StatusPending, trigger, live
		r.Queued, r.NotBefore, r.Attempts, r.Blocked = now, time.Time{}, 0, ""
		if trigger == scheduler.TriggerStale {
			r.StaleReruns++
		}
		r.Updated = now
		if ok {
			err = s.updateRun(ctx, tx.SQL(), r)
		} else {
			err = s.insertRun(ctx, tx.SQL(), r, false)
		}
		out = r
		return err
	})
	return out, err
}

// Claim implements scheduler.Store.
func (s *Store) Claim(ctx context.Context, key scheduler.RunKey, holder string, ttl time.Duration) (scheduler.Run, error) {
	var out scheduler.Run
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		r, ok, err := s.getRun(ctx, tx.SQL(), key, true)
		if err != nil {
			return err
		}
		out = r
		switch {
		case !ok:
			return fmt.Errorf("claim %s: %w", key, scheduler.ErrNotFound)
		case r.Status == scheduler.StatusRunning:
			return fmt.Errorf("claim %s: %w: %w (held by %s)", key, scheduler.ErrNotRunnable, scheduler.ErrRunning, r.Holder)
		case !r.Status.Runnable():
			return fmt.Errorf("claim %s: %w: it is %s", key, scheduler.ErrNotRunnable, r.Status)
		}
		token, err := s.nextToken(ctx, tx.SQL())
		if err != nil {
			return err
		}
		now := s.ms.Now()
		r.Status, r.Holder, r.Token, r.LeaseUntil = scheduler.StatusRunning, holder, token, now.Add(ttl)
		r.Seq++
		r.Started, r.Finished, r.Blocked, r.Updated = now, time.Time{}, "", now
		out = r
		return s.updateRun(ctx, tx.SQL(), r)
	})
	return out, err
}

// nextToken takes the next run fencing token.
func (s *Store) nextToken(ctx context.Context, tx *sql.Tx) (int64, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE sched_counters SET value = value + 1 WHERE name = 'run_token'"); err != nil {
		return 0, fmt.Errorf("next run token: %w", err)
	}
	var t int64
	if err := tx.QueryRowContext(ctx, "SELECT value FROM sched_counters WHERE name = 'run_token'").Scan(&t); err != nil {
		return 0, fmt.Errorf("next run token: %w", err)
	}
	return t, nil
}

// held is the run, locked, when it is running under token.
func (s *Store) held(ctx context.Context, tx *sql.Tx, key scheduler.RunKey, token int64) (scheduler.Run, error) {
	r, ok, err := s.getRun(ctx, tx, key, true)
	if err != nil {
		return r, err
	}
	if !ok || r.Status != scheduler.StatusRunning || r.Token != token {
		return r, fmt.Errorf("run %s (token %d, current %d, %s): %w", key, token, r.Token, r.Status, scheduler.ErrLeaseLost)
	}
	return r, nil
}

// RenewRun implements scheduler.Store.
func (s *Store) RenewRun(ctx context.Context, key scheduler.RunKey, token int64, ttl time.Duration) (scheduler.Run, error) {
	var out scheduler.Run
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		r, err := s.held(ctx, tx.SQL(), key, token)
		out = r
		if err != nil {
			return err
		}
		r.LeaseUntil = s.ms.Now().Add(ttl)
		out = r
		_, err = tx.SQL().ExecContext(ctx, "UPDATE sched_runs SET lease_until = ? WHERE schedule = ? AND window_start = ? AND token = ?",
			millis(r.LeaseUntil), key.Schedule, millis(key.Window.Start), token)
		return err
	})
	return out, err
}

// CheckFence returns scheduler.ErrLeaseLost unless the run is running
// under token: the check a runner makes just before it publishes.
func (s *Store) CheckFence(ctx context.Context, key scheduler.RunKey, token int64) error {
	return s.tx(ctx, func(tx *metastore.Tx) error {
		_, err := s.held(ctx, tx.SQL(), key, token)
		return err
	})
}

// Finish implements scheduler.Store.
func (s *Store) Finish(ctx context.Context, c scheduler.Completion) (scheduler.Run, error) {
	return s.finish(ctx, c, false)
}

// Reclaim implements scheduler.Store.
func (s *Store) Reclaim(ctx context.Context, c scheduler.Completion) (scheduler.Run, error) {
	return s.finish(ctx, c, true)
}

func (s *Store) finish(ctx context.Context, c scheduler.Completion, expired bool) (scheduler.Run, error) {
	var out scheduler.Run
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		a := c.Attempt
		r, err := s.held(ctx, tx.SQL(), a.Key, a.Token)
		out = r
		if err != nil {
			return err
		}
		now := s.ms.Now()
		if expired && r.LeaseUntil.After(now) {
			return fmt.Errorf("reclaim %s: %w: %s until %s", a.Key, scheduler.ErrLeaseHeld, r.Holder, r.LeaseUntil.Format(time.RFC3339))
		}
		a.Seq, a.Holder = r.Seq, r.Holder
		if a.Trigger == "" {
			a.Trigger = r.Trigger
		}
		if a.Started.IsZero() {
			a.Started = r.Started
		}
		_, err = tx.SQL().ExecContext(ctx, `INSERT INTO sched_attempts
(schedule, window_start, seq, token, holder, trigger_kind, status, started_at, finished_at, row_count, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Key.Schedule, millis(a.Key.Window.Start), a.Seq, a.Token, a.Holder, string(a.Trigger), string(a.Status),
			millis(a.Started), millis(a.Finished), a.Rows, a.Error)
		if err != nil {
			return fmt.Errorf("record attempt %d of %s: %w", a.Seq, a.Key, err)
		}
		r.Status, r.NotBefore, r.Attempts = c.Next, c.NotBefore, c.Attempts
		r.Holder, r.LeaseUntil = "", time.Time{}
		r.Finished, r.Rows, r.Error = a.Finished, a.Rows, a.Error
		r.Updated = now
		out = r
		return s.updateRun(ctx, tx.SQL(), r)
	})
	return out, err
}

// SetBlocked implements scheduler.Store.
func (s *Store) SetBlocked(ctx context.Context, key scheduler.RunKey, reason string) error {
	return s.tx(ctx, func(tx *metastore.Tx) error {
		r, ok, err := s.getRun(ctx, tx.SQL(), key, true)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("run %s: %w", key, scheduler.ErrNotFound)
		}
		if !r.Status.Runnable() || r.Blocked == reason {
			return nil
		}
		_, err = tx.SQL().ExecContext(ctx, "UPDATE sched_runs SET blocked = ? WHERE schedule = ? AND window_start = ?",
			reason, key.Schedule, millis(key.Window.Start))
		return err
	})
}

// SetAlerted implements scheduler.Store.
func (s *Store) SetAlerted(ctx context.Context, key scheduler.RunKey, alerted bool) (bool, error) {
	changed := false
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		changed = false
		r, ok, err := s.getRun(ctx, tx.SQL(), key, true)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("run %s: %w", key, scheduler.ErrNotFound)
		}
		if r.Alerted == alerted {
			return nil
		}
		_, err = tx.SQL().ExecContext(ctx, "UPDATE sched_runs SET alerted = ? WHERE schedule = ? AND window_start = ?",
			boolInt(alerted), key.Schedule, millis(key.Window.Start))
		changed = err == nil
		return err
	})
	return changed, err
}

// Prune implements scheduler.Store: final runs last updated before before
// go, with their attempts, in one transaction. The metastore's records of
// import and pipeline runs finished before then go too (in a transaction
// of their own): the scheduler's retention is the history's.
func (s *Store) Prune(ctx context.Context, before time.Time) (int, error) {
	n, err := s.pruneSchedule(ctx, before)
	if err != nil {
		return n, err
	}
	if _, err := s.ms.PruneRuns(ctx, before); err != nil {
		return n, err
	}
	return n, nil
}

func (s *Store) pruneSchedule(ctx context.Context, before time.Time) (int, error) {
	final := []any{string(scheduler.StatusSucceeded), string(scheduler.StatusFailed), string(scheduler.StatusSkipped)}
	args := append(append([]any{}, final...), millis(before))
	n := 0
	err := s.tx(ctx, func(tx *metastore.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `DELETE FROM sched_attempts WHERE EXISTS (SELECT 1 FROM sched_runs r
WHERE r.schedule = sched_attempts.schedule AND r.window_start = sched_attempts.window_start
AND r.status IN (?, ?, ?) AND r.updated_at < ?)`, args...)
		if err != nil {
			return fmt.Errorf("prune attempts: %w", err)
		}
		res, err := tx.SQL().ExecContext(ctx, "DELETE FROM sched_runs WHERE status IN (?, ?, ?) AND updated_at < ?", args...)
		if err != nil {
			return fmt.Errorf("prune runs: %w", err)
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	return n, err
}
