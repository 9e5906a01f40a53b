package split

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/hetl/hetl/ingest/source"
)

// scanKey runs a query returning at most one key tuple and converts each
// value to the Go type that compares exactly in MySQL: integers as
// integers, everything else as the server's own text or bytes.
func scanKey(ctx context.Context, db *sql.DB, key Key, q string, args []any) ([]any, bool, error) {
	raw := make([]sql.RawBytes, len(key.Columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, false, err
	}
	out := make([]any, len(raw))
	for i, c := range key.Columns {
		v, err := keyValue(c, raw[i])
		if err != nil {
			return nil, false, err
		}
		out[i] = v
	}
	return out, true, rows.Close()
}

func keyValue(c source.Column, b sql.RawBytes) (any, error) {
	if b == nil {
		return nil, errors.New("NULL split key value")
	}
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year":
		if c.Unsigned {
			u, err := strconv.ParseUint(string(b), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("split key %s: %w", c.Name, err)
			}
			return u, nil
		}
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("split key %s: %w", c.Name, err)
		}
		return n, nil
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit":
		return append([]byte(nil), b...), nil
	}
	return string(b), nil
}
