package metastore

import (
	"context"
	"database/sql"
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
// UTC window [WindowStart, WindowEnd) and the attempt number.
type RunSpec struct {
	Kind        string
	Name        string
	WindowStart time.Time
	WindowEnd   time.Time
	Attempt     int
}

// Run is one recorded run.
type Run struct {
	ID int64
	RunSpec
	Status     string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Error      string
	Stats      string // JSON
}

// StartRun records a run as running.
func (s *Store) StartRun(ctx context.Context, spec RunSpec) (Run, error) {
	if spec.Kind == "" || spec.Name == "" {
		return Run{}, errors.New("metastore: a run needs a kind and a name")
	}
	if spec.Attempt < 1 {
		spec.Attempt = 1
	}
	now := s.nowMillis()
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO runs (kind, name, window_start, window_end, attempt, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		spec.Kind, spec.Name, spec.WindowStart.UTC().UnixMilli(), spec.WindowEnd.UTC().UnixMilli(), spec.Attempt, RunRunning, now)
	if err != nil {
		return Run{}, fmt.Errorf("record run start: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Run{}, fmt.Errorf("record run start: %w", err)
	}
	spec.WindowStart, spec.WindowEnd = spec.WindowStart.UTC(), spec.WindowEnd.UTC()
	return Run{ID: id, RunSpec: spec, Status: RunRunning, StartedAt: fromMillis(now)}, nil
}

// FinishRun records a run's end.
func (s *Store) FinishRun(ctx context.Context, id int64, status, errMsg, stats string) error {
	if status != RunSucceeded && status != RunFailed {
		return fmt.Errorf("metastore: finish run %d: status %q: want %s or %s", id, status, RunSucceeded, RunFailed)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ?, stats = ? WHERE id = ?`,
		status, s.nowMillis(), errMsg, stats, id)
	if err != nil {
		return fmt.Errorf("record run end: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("finish run %d: %w", id, ErrRunNotFound)
	}
	return nil
}

// RunFilter selects runs; zero fields select all.
type RunFilter struct {
	Name   string
	Status string
	Since  time.Time // started at or after
	Limit  int       // 0 means 100
}

// ListRuns returns matching runs, newest first.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	var where []string
	var args []any
	if f.Name != "" {
		where, args = append(where, "name = ?"), append(args, f.Name)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, f.Since.UTC().UnixMilli())
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
	return runs, rows.Err()
}
