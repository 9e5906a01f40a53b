package expr

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// randomExpr builds a random, often ill-typed, expression from the
// language's pieces.
func randomExpr(r *rand.Rand, depth int) string {
	atoms := []string{"n", "big", "f", "s", "at", "price", "ok", "1", "0", "-3", "2.5", "'a'", "''", "NULL", "TRUE",
		"'2026-11-21 10:00:00'", "TIMESTAMP '2026-11-21 00:00:00'", "DATE '2026-11-21'", "INTERVAL '15' MINUTE", "12.34", "9223372036854775807"}
	if depth <= 0 || r.IntN(4) == 0 {
		return atoms[r.IntN(len(atoms))]
	}
	x := func() string { return randomExpr(r, depth-1) }
	return "(" + randomCompound(r, x) + ")"
}

func randomCompound(r *rand.Rand, x func() string) string {
	switch r.IntN(14) {
	case 0:
		ops := []string{"+", "-", "*", "/", "%", "DIV", "||", "=", "<>", "<", ">=", "AND", "OR"}
		return "(" + x() + " " + ops[r.IntN(len(ops))] + " " + x() + ")"
	case 1:
		return "NOT " + x()
	case 2:
		return "-" + x()
	case 3:
		return x() + " IS NULL"
	case 4:
		return x() + " IN (" + x() + ", " + x() + ")"
	case 5:
		return x() + " BETWEEN " + x() + " AND " + x()
	case 6:
		return x() + " LIKE " + x()
	case 7:
		return "CASE WHEN " + x() + " THEN " + x() + " ELSE " + x() + " END"
	case 8:
		return "CASE " + x() + " WHEN " + x() + " THEN " + x() + " END"
	case 9:
		types := []string{"BIGINT", "DOUBLE", "VARCHAR", "BOOLEAN", "TIMESTAMP", "DATE", "DECIMAL(12,3)"}
		cast := []string{"CAST", "TRY_CAST"}[r.IntN(2)]
		return cast + "(" + x() + " AS " + types[r.IntN(len(types))] + ")"
	case 10:
		return "IF(" + x() + ", " + x() + ", " + x() + ")"
	}
	fns := []string{"lower", "upper", "trim", "length", "concat", "concat_ws", "substr", "replace", "coalesce", "nullif",
		"greatest", "least", "abs", "round", "floor", "ceil", "sqrt", "ln", "power", "mod", "regexp_like", "regexp_extract",
		"regexp_replace", "starts_with", "split_part", "hour", "day", "date", "date_trunc", "time_bucket", "to_unixtime", "from_unixtime"}
	args := make([]string, 1+r.IntN(3))
	for i := range args {
		args[i] = x()
	}
	return fns[r.IntN(len(fns))] + "(" + strings.Join(args, ", ") + ")"
}

// TestRandomExpressions: random expressions never panic, print back to
// themselves, and give the same values whole and in slices.
var iterations = 5000

func TestRandomExpressions(t *testing.T) {
	rec := randomBatch(t, 300)
	r := rand.New(rand.NewPCG(7, 11))
	compiled := 0
	for range iterations {
		src := randomExpr(r, 4)
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if again, err := Parse(e.String()); err != nil || again.String() != e.String() {
			t.Fatalf("%s: printed %s: %v", src, e.String(), err)
		}
		p, err := Compile(e, rec.Schema(), nil)
		if err != nil {
			continue
		}
		compiled++
		empty := rec.NewSlice(3, 3)
		if out, err := p.Eval(empty, nil); err == nil {
			if out.Len() != 0 {
				t.Fatalf("%s: %d rows from none", src, out.Len())
			}
			out.Release()
		}
		empty.Release()
		whole, err := p.Eval(rec, nil)
		if err != nil {
			continue
		}
		var parts []arrow.Array
		for _, c := range [][2]int64{{0, 7}, {7, 150}, {150, 300}} {
			s := rec.NewSlice(c[0], c[1])
			out, err := p.Eval(s, nil)
			s.Release()
			if err != nil {
				t.Fatalf("%s: whole batch fine, slice %v: %v", src, c, err)
			}
			parts = append(parts, out)
		}
		joined, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		if !array.Equal(whole, joined) {
			t.Fatalf("%s: whole %v\nslices %v", src, whole, joined)
		}
		for _, a := range append(parts, whole, joined) {
			a.Release()
		}
	}
	t.Logf("%d compiled", compiled)
	if compiled < 300 {
		t.Errorf("only %d of 5000 random expressions compiled: the generator needs work", compiled)
	}
}
