package expr

import "strconv"

// Bound is what a predicate says of one column's integer values: every
// row it keeps has Lo <= value <= Hi (nil ends are open).
type Bound struct {
	Column string
	Lo, Hi *int64
}

// IntBounds reads the bounds a predicate puts on integer columns: the
// comparisons (and BETWEENs) of a column with integer literals among its
// top-level AND terms; anything else says nothing and is skipped. A
// reader may skip data that no row within the bounds can be in; the
// predicate itself must still be applied.
func IntBounds(e Expr) []Bound {
	var out []Bound
	var walk func(Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case *binaryExpr:
			if x.op == "AND" {
				walk(x.l)
				walk(x.r)
				return
			}
			col, lit, op := x.l, x.r, x.op
			if _, isCol := col.(*colRef); !isCol {
				col, lit, op = x.r, x.l, flipOp(op)
			}
			c, ok := col.(*colRef)
			if !ok {
				return
			}
			v, ok := intLiteral(lit)
			if !ok {
				return
			}
			if b, ok := boundOf(c.name, op, v); ok {
				out = append(out, b)
			}
		case *betweenExpr:
			c, ok := x.x.(*colRef)
			lo, ok1 := intLiteral(x.lo)
			hi, ok2 := intLiteral(x.hi)
			if ok && ok1 && ok2 && !x.not {
				out = append(out, Bound{Column: c.name, Lo: &lo, Hi: &hi})
			}
		}
	}
	walk(e)
	return out
}

func boundOf(col, op string, v int64) (Bound, bool) {
	b := Bound{Column: col}
	switch op {
	case "=":
		b.Lo, b.Hi = &v, &v
	case ">=":
		b.Lo = &v
	case ">":
		if v == 1<<63-1 {
			return b, false
		}
		w := v + 1
		b.Lo = &w
	case "<=":
		b.Hi = &v
	case "<":
		if v == -1<<63 {
			return b, false
		}
		w := v - 1
		b.Hi = &w
	default:
		return b, false
	}
	return b, true
}

// flipOp is the operator with its operands swapped.
func flipOp(op string) string {
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
	if u, ok := e.(*unaryExpr); ok && u.op == "-" {
		neg, e = true, u.x
	}
	l, ok := e.(*numLit)
	if !ok || l.float {
		return 0, false
	}
	text := l.text
	if neg {
		text = "-" + text
	}
	v, err := strconv.ParseInt(text, 10, 64)
	return v, err == nil
}
