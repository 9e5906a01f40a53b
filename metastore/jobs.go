package metastore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Job is a saved job: a name, a kind ("import", ...) and its spec as JSON.
// Specs hold references to secrets (files, variables, connection names),
// never secrets.
type Job struct {
	Name      string
	Kind      string
	Spec      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SaveJob creates a job; ErrJobExists when the name is taken. Spec must be
// a JSON document.
func (s *Store) SaveJob(ctx context.Context, j Job) error {
	if j.Name == "" || j.Kind == "" {
		return errors.New("metastore: a job needs a name and a kind")
	}
	if !json.Valid([]byte(j.Spec)) {
		return fmt.Errorf("metastore: save job %s: spec is not valid JSON", j.Name)
	}
	now := s.nowMillis()
	_, err := s.db.ExecContext(ctx, "INSERT INTO jobs (name, kind, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		j.Name, j.Kind, j.Spec, now, now)
	if isDuplicate(err) {
		return fmt.Errorf("save job %s: %w", j.Name, ErrJobExists)
	}
	if err != nil {
		return fmt.Errorf("save job %s: %w", j.Name, err)
	}
	return nil
}

// Job reads a job; ErrJobNotFound when missing.
func (s *Store) Job(ctx context.Context, name string) (Job, error) {
	var j Job
	var created, updated int64
	err := s.db.QueryRowContext(ctx, "SELECT name, kind, spec, created_at, updated_at FROM jobs WHERE name = ?", name).
		Scan(&j.Name, &j.Kind, &j.Spec, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("job %s: %w", name, ErrJobNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read job %s: %w", name, err)
	}
	j.CreatedAt, j.UpdatedAt = fromMillis(created), fromMillis(updated)
	return j, nil
}

// ListJobs returns every job, by name.
func (s *Store) ListJobs(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, kind, spec, created_at, updated_at FROM jobs ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var j Job
		var created, updated int64
		if err := rows.Scan(&j.Name, &j.Kind, &j.Spec, &created, &updated); err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		j.CreatedAt, j.UpdatedAt = fromMillis(created), fromMillis(updated)
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// DeleteJob deletes a job; ErrJobNotFound when missing.
func (s *Store) DeleteJob(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM jobs WHERE name = ?", name)
	if err != nil {
		return fmt.Errorf("delete job %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete job %s: %w", name, ErrJobNotFound)
	}
	return nil
}
