package expr

import (
	"strconv"
	"strings"
)

// Bound is what a predicate says of one column's integer values: every
// row it keeps has Lo <= value <= Hi (nil ends are open).
type Bound struct {
	Column string
	Lo, Hi *int64
}

// IntBounds reads the bounds a predicate puts on integer columns: the
// comparisons of a column with an integer literal among its top-level
// AND terms (anything else says nothing and is skipped). A reader may
// skip data that no row within the bounds can be in; the predicate
// itself must still be applied.
func IntBounds(e Expr) []Bound {
	var out []Bound
	var walk func(Expr)
	walk = func(e Expr) {
		b, ok := e.(*binary)
		if !ok {
			return
		}
		if b.op == "AND" {
			walk(b.l)
			walk(b.r)
			return
		}
		col, lit, op := b.l, b.r, b.op
		if _, isCol := col.(*column); !isCol {
			col, lit = b.r, b.l
			op = flip(op)
		}
		c, ok := col.(*column)
		if !ok {
			return
		}
		v, ok := intLiteral(lit)
		if !ok {
			return
		}
		bd := Bound{Column: c.name}
		switch op {
		case "=":
			bd.Lo, bd.Hi = &v, &v
		case ">=":
			bd.Lo = &v
		case ">":
			if v == 1<<63-1 {
				return
			}
			w := v + 1
			bd.Lo = &w
		case "<=":
			bd.Hi = &v
		case "<":
			if v == -1<<63 {
				return
			}
			w := v - 1
			bd.Hi = &w
		default:
			return
		}
		out = append(out, bd)
	}
	walk(e)
	return out
}

// flip is the operator with its operands swapped.
func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

func intLiteral(e Expr) (int64, bool) {
	neg := false
	if u, ok := e.(*unary); ok && u.op == "-" {
		neg, e = true, u.x
	}
	l, ok := e.(*literal)
	if !ok || l.kind != tInt {
		return 0, false
	}
	text := l.text
	if neg {
		text = "-" + text
	}
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	return v, err == nil
}
