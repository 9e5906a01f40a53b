package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/hetl/hetl/ingest/source"
)

// IncrementalMode is Sqoop's --incremental.
type IncrementalMode string

const (
	// IncrementalAppend imports rows whose check column (an ever-growing
	// id or insert time) is above the last value.
	IncrementalAppend IncrementalMode = "append"
	// IncrementalLastModified imports rows whose check column (a
	// last-update timestamp) is at or after the last value.
	IncrementalLastModified IncrementalMode = "lastmodified"
)

// DefaultLastModifiedLag is how far behind the database's clock a
// lastmodified import stops, for transactions that commit late.
const DefaultLastModifiedLag = 5 * time.Minute

// Incremental configures an incremental import.
type Incremental struct {
	Mode        IncrementalMode
	CheckColumn string
	// LastValue is the lower bound, exclusive for append and inclusive
	// for lastmodified. Empty: taken from the target's manifest, else
	// none (the first run imports everything up to the upper bound).
	LastValue string
	// Lag is subtracted from the database's NOW() to get the upper bound
	// of a lastmodified import (default DefaultLastModifiedLag).
	Lag time.Duration
}

// IncrementalState is recorded in the manifest: the range a run read.
// NextValue is the LastValue of the next run; it is published in the
// same step as the data it covers (the manifest), so a crash can never
// advance it past rows that were not published, or leave it behind rows
// that were.
type IncrementalState struct {
	Mode        IncrementalMode `json:"mode"`
	CheckColumn string          `json:"check_column"`
	// LastValue is the lower bound this run used ("" for none).
	LastValue string `json:"last_value,omitempty"`
	// NextValue is this run's upper bound ("" when the table was empty).
	NextValue string `json:"next_value,omitempty"`
	// LastValueFrom says where LastValue came from: "flag", "manifest"
	// or "none".
	LastValueFrom string `json:"last_value_from"`
}

// checkKind is how a check column's values are compared.
type checkKind int

const (
	checkNumber checkKind = iota
	checkTime
)

// incrementalBounds resolves the range of an incremental run and returns
// the SQL condition selecting it.
func (j *importJob) incrementalBounds(ctx context.Context, prev *Manifest) (string, *IncrementalState, error) {
	inc := j.opts.Incremental
	if j.table == nil {
		return "", nil, errors.New("--incremental needs --table (with --query, put the range in the query)")
	}
	col, ok := j.table.Column(inc.CheckColumn)
	if !ok {
		return "", nil, fmt.Errorf("--check-column: %s has no column %q: %w", j.name, inc.CheckColumn, source.ErrNoSuchColumn)
	}
	var kind checkKind
	switch col.DataType {
	case "tinyint", "smallint", "mediumint", "int", "bigint", "decimal":
		kind = checkNumber
	case "date", "datetime", "timestamp":
		kind = checkTime
	default:
		return "", nil, fmt.Errorf("--check-column %s is %s: want an integer, DECIMAL, DATE, DATETIME or TIMESTAMP column", col.Name, col.ColumnType)
	}
	if inc.Mode == IncrementalLastModified && kind != checkTime {
		return "", nil, fmt.Errorf("--incremental lastmodified: --check-column %s is %s: want a DATE, DATETIME or TIMESTAMP column", col.Name, col.ColumnType)
	}
	st := &IncrementalState{Mode: inc.Mode, CheckColumn: col.Name, LastValue: inc.LastValue, LastValueFrom: "flag"}
	if st.LastValue == "" {
		st.LastValueFrom = "none"
		if prev != nil && prev.Incremental != nil {
			p := prev.Incremental
			if !strings.EqualFold(p.CheckColumn, col.Name) || p.Mode != inc.Mode {
				return "", nil, fmt.Errorf("the target was imported with --incremental %s --check-column %s, not %s on %s; give --last-value to start over", p.Mode, p.CheckColumn, inc.Mode, col.Name)
			}
			st.LastValue, st.LastValueFrom = p.NextValue, "manifest"
		}
	}
	if st.LastValue != "" {
		if err := checkLiteral(st.LastValue, kind); err != nil {
			return "", nil, fmt.Errorf("--last-value: %w", err)
		}
	}

	// The upper bound: taken now, so rows arriving during the import wait
	// for the next run instead of being read by some chunks only.
	var upper sql.NullString
	c := source.MustQuote(col.Name)
	switch inc.Mode {
	case IncrementalAppend:
		q := "SELECT CAST(MAX(" + c + ") AS CHAR) FROM " + j.from
		if j.opts.Where != "" {
			q += " WHERE (" + j.opts.Where + ")"
		}
		if err := j.db.QueryRowContext(ctx, q).Scan(&upper); err != nil {
			return "", nil, fmt.Errorf("read MAX(%s): %w", col.Name, err)
		}
	case IncrementalLastModified:
		lag := inc.Lag
		if lag == 0 {
			lag = DefaultLastModifiedLag
		}
		q := fmt.Sprintf("SELECT CAST(NOW(6) - INTERVAL %d MICROSECOND AS CHAR)", lag.Microseconds())
		if err := j.db.QueryRowContext(ctx, q).Scan(&upper); err != nil {
			return "", nil, fmt.Errorf("read the database's clock: %w", err)
		}
	default:
		return "", nil, fmt.Errorf("--incremental %q: want append or lastmodified", inc.Mode)
	}
	if !upper.Valid {
		// An empty table: nothing to read, and nothing to advance to.
		st.NextValue = st.LastValue
		return "1 = 0", st, nil
	}
	if err := checkLiteral(upper.String, kind); err != nil {
		return "", nil, fmt.Errorf("upper bound of %s: %w", col.Name, err)
	}
	st.NextValue = upper.String
	lit := func(v string) string {
		if kind == checkNumber {
			return v // a number compared as a string would be compared as a double
		}
		return "'" + v + "'"
	}
	var conds []string
	switch inc.Mode {
	case IncrementalAppend:
		if st.LastValue != "" {
			conds = append(conds, c+" > "+lit(st.LastValue))
		}
		conds = append(conds, c+" <= "+lit(st.NextValue))
	case IncrementalLastModified:
		if st.LastValue != "" {
			conds = append(conds, c+" >= "+lit(st.LastValue))
		}
		conds = append(conds, c+" < "+lit(st.NextValue))
	}
	return strings.Join(conds, " AND "), st, nil
}

// checkLiteral accepts the text of a number or a date/time, the only
// characters that go into the range condition unescaped.
func checkLiteral(v string, kind checkKind) error {
	if v == "" {
		return errors.New("empty value")
	}
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
		case r == '-' || r == '.':
		case r == '+' && i == 0 && kind == checkNumber:
		case (r == ':' || r == ' ') && kind == checkTime:
		default:
			if kind == checkNumber {
				return fmt.Errorf("%q is not a number", v)
			}
			return fmt.Errorf("%q is not a date or time like 2026-11-21 13:00:00", v)
		}
	}
	return nil
}

// previousManifest reads the target's manifest, nil when there is none.
func (j *importJob) previousManifest(ctx context.Context) (*Manifest, error) {
	m, err := ReadManifest(ctx, j.opts.FS, j.opts.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return m, err
}

// resolveIncremental sets the job's range from the options and, when the
// target exists, its manifest.
func (j *importJob) resolveIncremental(ctx context.Context, exists bool) error {
	var prev *Manifest
	if exists {
		var err error
		if prev, err = j.previousManifest(ctx); err != nil {
			return fmt.Errorf("read the manifest of %s: %w", j.opts.Dir, err)
		}
	}
	cond, st, err := j.incrementalBounds(ctx, prev)
	if err != nil {
		return err
	}
	if j.where != "" {
		j.where = "(" + j.where + ") AND " + cond
	} else {
		j.where = cond
	}
	j.incr = st
	return nil
}
