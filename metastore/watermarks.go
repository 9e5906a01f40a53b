package metastore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Watermark reads a watermark outside any transaction.
func (s *Store) Watermark(ctx context.Context, name string) (value string, ok bool, err error) {
	return watermark(ctx, s.db, name)
}

// Watermark reads a watermark inside the transaction.
func (t *Tx) Watermark(ctx context.Context, name string) (value string, ok bool, err error) {
	return watermark(ctx, t.tx, name)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func watermark(ctx context.Context, q queryer, name string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM watermarks WHERE name = ?", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read watermark %s: %w", name, err)
	}
	return v, true, nil
}

// SetWatermark sets a watermark; it takes effect when the transaction
// commits, together with whatever else the transaction recorded.
func (t *Tx) SetWatermark(ctx context.Context, name, value string) error {
	now := t.s.nowMillis()
	res, err := t.tx.ExecContext(ctx, "UPDATE watermarks SET value = ?, updated_at = ? WHERE name = ?", value, now, name)
	if err != nil {
		return fmt.Errorf("set watermark %s: %w", name, err)
	}
	// MySQL counts only changed rows: an unchanged value updates 0 rows, so
	// check for the row rather than trusting the count.
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, ok, err := watermark(ctx, t.tx, name); err != nil || ok {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, "INSERT INTO watermarks (name, value, updated_at) VALUES (?, ?, ?)", name, value, now); err != nil {
		return fmt.Errorf("set watermark %s: %w", name, err)
	}
	return nil
}
