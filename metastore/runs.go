package metastore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
)

// RunSpec says what a run is: a kind ("import", "pipeline", ...), a name, a
// UTC window [WindowStart, WindowEnd) and the attempt number. Attempt 0
// means the next attempt of that kind, name and window.
type RunSpec struct {
	Kind        string
	Name        string
	WindowStart time.Time
	WindowEnd   time.Time
	Attempt     int
}

// Run is one recorded attempt.
type Run struct {
	ID int64
	RunSpec
	Status     string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Error      string
	Stats      string // JSON; "" when none
}

// StartRun records an attempt as running. Times are stored in UTC at
// millisecond precision, and returned that way.
func (s *Store) StartRun(ctx context.Context, spec RunSpec) (Run, error) {
	if spec.Kind == "" || spec.Name == "" {
		return Run{}, errors.New("metastore: a run needs a kind and a name")
	}
	if spec.WindowEnd.Before(spec.WindowStart) {
		return Run{}, fmt.Errorf("metastore: run %s: window ends (%s) before it starts (%s)", spec.Name, spec.WindowEnd, spec.WindowStart)
	}
	spec.WindowStart = fromMillis(spec.WindowStart.UnixMilli())
	spec.WindowEnd = fromMillis(spec.WindowEnd.UnixMilli())
	// Two starts of the same window race for the next attempt number;
	// MySQL resolves that by making one a deadlock victim, which simply
	// starts again (bounded: a persistent deadlock is an error).
	var (
		run Run
		err error
	)
	for try := 0; try < 5; try++ {
		run, err = s.startRun(ctx, spec)
		if err == nil || !isRetryable(err) {
			break
		}
		time.Sleep(time.Duration(try+1) * 10 * time.Millisecond)
	}
	return run, err
}

func (s *Store) startRun(ctx context.Context, spec RunSpec) (Run, error) {
	var run Run
	err := s.Tx(ctx, func(tx *Tx) error {
		if spec.Attempt <= 0 {
			// Inside the transaction, so two starts cannot both pick the
			// same number (SQLite: immediate transactions; MySQL: the
			// index range is locked FOR UPDATE).
			q := "SELECT COALESCE(MAX(attempt), 0) FROM runs WHERE kind = ? AND name = ? AND window_start = ?"
			if s.dialect == mysqlDialect {
				q += " FOR UPDATE"
			}
			var last int
			if err := tx.tx.QueryRowContext(ctx, q, spec.Kind, spec.Name, spec.WindowStart.UnixMilli()).Scan(&last); err != nil {
				return fmt.Errorf("record run start: %w", err)
			}
			spec.Attempt = last + 1
		}
		now := s.nowMillis()
		res, err := tx.tx.ExecContext(ctx,
			`INSERT INTO runs (kind, name, window_start, window_end, attempt, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			spec.Kind, spec.Name, spec.WindowStart.UnixMilli(), spec.WindowEnd.UnixMilli(), spec.Attempt, RunRunning, now)
		if err != nil {
			return fmt.Errorf("record run start: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("record run start: %w", err)
		}
		run = Run{ID: id, RunSpec: spec, Status: RunRunning, StartedAt: fromMillis(now)}
		return nil
	})
	return run, err
}

// FinishRun records a run's end. status is RunSucceeded or RunFailed; stats
// is a JSON document or "". A run finishes once: ErrRunFinished after that.
func (s *Store) FinishRun(ctx context.Context, id int64, status, errMsg, stats string) error {
	return s.Tx(ctx, func(tx *Tx) error { return tx.FinishRun(ctx, id, status, errMsg, stats) })
}

// FinishRun records a run's end inside the transaction, so an import can
// commit its publish, its watermark and its run's success together.
func (t *Tx) FinishRun(ctx context.Context, id int64, status, errMsg, stats string) error {
	if status != RunSucceeded && status != RunFailed {
		return fmt.Errorf("metastore: finish run %d: status %q: want %s or %s", id, status, RunSucceeded, RunFailed)
	}
	if stats != "" && !json.Valid([]byte(stats)) {
		return fmt.Errorf("metastore: finish run %d: stats are not valid JSON", id)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ?, stats = ? WHERE id = ? AND status = ?`,
		status, t.s.nowMillis(), nullable(errMsg), nullable(stats), id, RunRunning)
	if err != nil {
		return fmt.Errorf("record run end: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var cur string
	err = t.tx.QueryRowContext(ctx, "SELECT status FROM runs WHERE id = ?", id).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("finish run %d: %w", id, ErrRunNotFound)
	}
	if err != nil {
		return fmt.Errorf("finish run %d: %w", id, err)
	}
	return fmt.Errorf("finish run %d: %w (%s)", id, ErrRunFinished, cur)
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// RunFilter selects runs; zero fields select all.
type RunFilter struct {
	Kind   string
	Name   string
	Status string
	Since  time.Time // started at or after
	Window time.Time // runs of the window starting then
	Limit  int       // 0 means 100
}

// ListRuns returns matching runs, newest first.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Name != "" {
		add("name = ?", f.Name)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if !f.Since.IsZero() {
		add("started_at >= ?", f.Since.UnixMilli())
	}
	if !f.Window.IsZero() {
		add("window_start = ?", f.Window.UnixMilli())
	}
	q := `SELECT id, kind, name, window_start, window_end, attempt, status, started_at, finished_at, error, stats FROM runs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += fmt.Sprintf(" ORDER BY started_at DESC, id DESC LIMIT %d", limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		var r Run
		var ws, we, started int64
		var finished sql.NullInt64
		var errMsg, stats sql.NullString
		if err := rows.Scan(&r.ID, &r.Kind, &r.Name, &ws, &we, &r.Attempt, &r.Status, &started, &finished, &errMsg, &stats); err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		r.WindowStart, r.WindowEnd, r.StartedAt = fromMillis(ws), fromMillis(we), fromMillis(started)
		if finished.Valid {
			r.FinishedAt = fromMillis(finished.Int64)
		}
		r.Error, r.Stats = errMsg.String, stats.String
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return runs, nil
}

// PruneRuns deletes the records of runs that finished before before (the
// scheduler's retention) and says how many went. Running ones stay.
func (s *Store) PruneRuns(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM runs WHERE finished_at IS NOT NULL AND finished_at < ?", before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune runs: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
