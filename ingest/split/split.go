package split

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hetl/hetl/ingest/source"
)

// Chunk is one range of the split key. Where is a SQL predicate using only
// quoted identifiers and placeholders; Args are its arguments.
type Chunk struct {
	ID    int
	Where string
	Args  []any
	// Desc describes the range for logs and the manifest.
	Desc string
}

// Key is the split key: one or more columns, compared as a tuple.
type Key struct {
	Columns []source.Column
}

// Names lists the key's column names.
func (k Key) Names() []string {
	out := make([]string, len(k.Columns))
	for i, c := range k.Columns {
		out[i] = c.Name
	}
	return out
}

// Options tune the plan.
type Options struct {
	// From is what the walk reads: a quoted table name, or "(query) AS q".
	From string
	// Where is the user's --where condition ("" for none), applied to the
	// walk too so chunks are balanced over the rows actually imported.
	Where string
	// ChunkRows is the number of rows per chunk.
	ChunkRows int64
}

// Walk finds chunk boundaries and sends chunks to out as it finds them,
// closing out at the end. The chunks cover every key value exactly once.
func Walk(ctx context.Context, db *sql.DB, key Key, opts Options, out chan<- Chunk) error {
	defer close(out)
	if opts.ChunkRows < 1 {
		return fmt.Errorf("split: chunk size %d rows", opts.ChunkRows)
	}
	cols := make([]string, len(key.Columns))
	for i, c := range key.Columns {
		cols[i] = source.MustQuote(c.Name)
	}
	keyList := strings.Join(cols, ", ")
	userWhere := ""
	if opts.Where != "" {
		userWhere = "(" + opts.Where + ") AND "
	}
	notNull := make([]string, len(cols))
	for i, c := range cols {
		notNull[i] = c + " IS NOT NULL"
	}
	nn := strings.Join(notNull, " AND ")
	id := 0
	send := func(c Chunk) error {
		c.ID = id
		id++
		select {
		case out <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var prev []any // lower boundary of the current chunk (nil: open)
	for {
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s%s", keyList, opts.From, userWhere, nn)
		var args []any
		if prev != nil {
			cond, a := compare(key, ">=", prev)
			q += " AND " + cond
			args = a
		}
		q += fmt.Sprintf(" ORDER BY %s LIMIT 1 OFFSET %d", orderBy(cols), opts.ChunkRows)
		next, ok, err := scanKey(ctx, db, key, q, args)
		if err != nil {
			return fmt.Errorf("split: find chunk boundary: %w", err)
		}
		if ok && prev != nil && equalKeys(next, prev) {
			// A run of duplicates of a non-unique split column longer than
			// a chunk: skip to the next distinct value.
			cond, a := compare(key, ">", prev)
			q = fmt.Sprintf("SELECT %s FROM %s WHERE %s%s AND %s ORDER BY %s LIMIT 1", keyList, opts.From, userWhere, nn, cond, orderBy(cols))
			next, ok, err = scanKey(ctx, db, key, q, a)
			if err != nil {
				return fmt.Errorf("split: find chunk boundary: %w", err)
			}
		}
		if !ok {
			break
		}
		if err := send(rangeChunk(key, prev, next)); err != nil {
			return err
		}
		prev = next
	}
	if err := send(rangeChunk(key, prev, nil)); err != nil {
		return err
	}
	if len(key.Columns) == 1 && key.Columns[0].Nullable {
		return send(Chunk{Where: cols[0] + " IS NULL", Desc: key.Columns[0].Name + " IS NULL"})
	}
	return nil
}

// Whole is the single chunk of an unsplit read.
func Whole() Chunk { return Chunk{Where: "1 = 1", Desc: "all rows"} }

func orderBy(cols []string) string { return strings.Join(cols, ", ") }

func rangeChunk(key Key, lo, hi []any) Chunk {
	var conds []string
	var args []any
	var desc []string
	if lo != nil {
		c, a := compare(key, ">=", lo)
		conds, args = append(conds, c), append(args, a...)
		desc = append(desc, fmt.Sprintf(">= %v", lo))
	}
	if hi != nil {
		c, a := compare(key, "<", hi)
		conds, args = append(conds, c), append(args, a...)
		desc = append(desc, fmt.Sprintf("< %v", hi))
	}
	if len(conds) == 0 {
		return Chunk{Where: "1 = 1", Desc: "all rows"}
	}
	// NULL keys are never in a range chunk; the IS NULL chunk has them.
	return Chunk{Where: strings.Join(conds, " AND "), Args: args, Desc: strings.Join(key.Names(), ",") + " " + strings.Join(desc, " and ")}
}

// compare builds "key op boundary" for a tuple key, expanded into ANDs and
// ORs (row constructors are not range-optimised by every server):
// (a, b) >= (x, y)  ==>  a > x OR (a = x AND b >= y).
func compare(key Key, op string, vals []any) (string, []any) {
	lt := op == "<" || op == "<="
	var args []any
	var build func(i int) string
	build = func(i int) string {
		c := key.Columns[i]
		col := source.MustQuote(c.Name)
		ph := placeholder(c)
		last := i == len(key.Columns)-1
		if last {
			args = append(args, vals[i])
			return col + " " + op + " " + ph
		}
		o := ">"
		if lt {
			o = "<"
		}
		args = append(args, vals[i])
		head := col + " " + o + " " + ph
		args = append(args, vals[i])
		return "(" + head + " OR (" + col + " = " + ph + " AND " + build(i+1) + "))"
	}
	return build(0), args
}

// placeholder compares in the column's own type and collation: a string
// literal against a DECIMAL would compare as DOUBLE, and against a text
// column of another charset in the literal's collation.
func placeholder(c source.Column) string {
	switch {
	case c.DataType == "decimal" || c.DataType == "numeric":
		return fmt.Sprintf("CAST(? AS DECIMAL(%d,%d))", max(c.Precision, 1), c.Scale)
	case c.IsText() && c.Charset != "" && c.Collation != "":
		return fmt.Sprintf("CONVERT(? USING %s) COLLATE %s", c.Charset, c.Collation)
	}
	return "?"
}

func equalKeys(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if fmt.Sprint(a[i]) != fmt.Sprint(b[i]) {
			return false
		}
	}
	return true
}
