package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// MoreOptions configure AddEvents.
type MoreOptions struct {
	// Rows is the number of events to add (at least 1).
	Rows int
	// Hours they span, starting where the seeded data ends (at least 1).
	Hours int
	// Seed makes them deterministic.
	Seed     int64
	Progress func(table string, done, total int)
}

// AddEvents appends events to a seeded database the way the application
// would keep writing them: ids after the largest one, times in the hours
// after the latest event, and one in 25 arriving late, stamped one to
// three hours in the past, so they belong to hours an hourly job has
// already seen. Users and devices stay as they are: every event's
// device belongs to its user. It returns how many events it added and
// the first new id.
func AddEvents(ctx context.Context, db *sql.DB, opts MoreOptions) (added int, firstID int64, err error) {
	if opts.Rows < 1 || opts.Hours < 1 {
		return 0, 0, fmt.Errorf("demo: add events: want at least one row and one hour, got %d and %d", opts.Rows, opts.Hours)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("demo: add events: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET time_zone = '+00:00'"); err != nil {
		return 0, 0, fmt.Errorf("demo: add events: set time zone: %w", err)
	}
	var maxID sql.NullInt64
	var latest sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT MAX(id), CAST(MAX(created_at) AS CHAR) FROM events").Scan(&maxID, &latest); err != nil {
		return 0, 0, fmt.Errorf("demo: add events: %w (seed the database first)", err)
	}
	if !maxID.Valid {
		return 0, 0, fmt.Errorf("demo: add events: the events table is empty; seed it first")
	}
	last, err := time.Parse("2006-01-02 15:04:05", latest.String[:min(19, len(latest.String))])
	if err != nil {
		return 0, 0, fmt.Errorf("demo: add events: latest event time %q: %w", latest.String, err)
	}
	devices := map[int64][]int64{}
	rows, err := conn.QueryContext(ctx, "SELECT id, user_id FROM devices ORDER BY id")
	if err != nil {
		return 0, 0, fmt.Errorf("demo: add events: %w", err)
	}
	var users int64
	for rows.Next() {
		var id, user int64
		if err := rows.Scan(&id, &user); err != nil {
			rows.Close()
			return 0, 0, err
		}
		devices[user] = append(devices[user], id)
		users = max(users, user)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}

	// The same generator as Seed, over the following hours; only its
	// events are kept, renumbered and tied to the existing devices.
	d, err := generate(SeedOptions{Rows: opts.Rows, Hours: opts.Hours, Start: last.Truncate(time.Hour).Add(time.Hour), Seed: opts.Seed})
	if err != nil {
		return 0, 0, err
	}
	out := make([][]any, 0, len(d.events))
	for i := range d.events {
		e := d.events[i]
		e.id += maxID.Int64
		if e.id%25 == 0 {
			// Late: written now, stamped one to three hours ago — in
			// hours the seeded data already has.
			e.at = e.at.Add(-time.Duration(1+e.id%3) * time.Hour)
		}
		if e.user >= 1 && e.user <= users {
			if devs := devices[e.user]; len(devs) > 0 && e.device != 0 {
				e.device = devs[int(e.id)%len(devs)]
			} else {
				e.device = 0
			}
		} else {
			e.device = 0 // orphan events (bad rows) have no device either
		}
		out = append(out, e.row())
	}
	if err := insert(ctx, conn, "events", out, opts.Progress); err != nil {
		return 0, 0, err
	}
	return len(out), maxID.Int64 + 1, nil
}
