package split

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strings"

	"github.com/hetl/hetl/ingest/source"
)

// Even is Sqoop's --boundary-query: the query returns the MIN and MAX of
// the (single, integer or decimal) split column and the range between is
// cut into n even pieces. Unlike Walk, the pieces are even in value, not
// in rows; the last chunk is closed above at MAX, and rows outside
// [MIN, MAX] are not read — exactly what the user's query asked for.
func Even(ctx context.Context, db *sql.DB, key Key, boundaryQuery string, n int, out chan<- Chunk) error {
	defer close(out)
	if len(key.Columns) != 1 {
		return fmt.Errorf("--boundary-query needs a single split column (--split-by)")
	}
	c := key.Columns[0]
	switch c.DataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
	default:
		return fmt.Errorf("--boundary-query: split column %s is %s; even ranges need an integer column (leave out --boundary-query to split by rows)", c.Name, c.ColumnType)
	}
	var lo, hi sql.NullString
	if err := db.QueryRowContext(ctx, boundaryQuery).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("--boundary-query: %w (it must return one row of MIN and MAX)", err)
	}
	col := source.MustQuote(c.Name)
	send := func(ch Chunk) error {
		select {
		case out <- ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if !lo.Valid || !hi.Valid {
		// No rows: nothing to read but possible NULL keys.
		return send(Chunk{ID: 0, Where: col + " IS NULL", Desc: c.Name + " IS NULL"})
	}
	min, ok1 := new(big.Int).SetString(strings.TrimSpace(lo.String), 10)
	max, ok2 := new(big.Int).SetString(strings.TrimSpace(hi.String), 10)
	if !ok1 || !ok2 || min.Cmp(max) > 0 {
		return fmt.Errorf("--boundary-query returned %q, %q: want integer MIN <= MAX", lo.String, hi.String)
	}
	span := new(big.Int).Sub(max, min)
	span.Add(span, big.NewInt(1))
	if span.Cmp(big.NewInt(int64(n))) < 0 {
		n = int(span.Int64())
	}
	step := new(big.Int).Div(span, big.NewInt(int64(n)))
	cur := new(big.Int).Set(min)
	for i := 0; i < n; i++ {
		next := new(big.Int).Add(cur, step)
		var ch Chunk
		if i == n-1 {
			ch = Chunk{ID: i, Where: fmt.Sprintf("%s >= %s AND %s <= %s", col, cur, col, max), Desc: fmt.Sprintf("%s in [%s, %s]", c.Name, cur, max)}
		} else {
			ch = Chunk{ID: i, Where: fmt.Sprintf("%s >= %s AND %s < %s", col, cur, col, next), Desc: fmt.Sprintf("%s in [%s, %s)", c.Name, cur, next)}
		}
		if err := send(ch); err != nil {
			return err
		}
		cur = next
	}
	return nil
}
