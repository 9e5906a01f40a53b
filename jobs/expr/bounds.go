package expr

import (
	"math/big"
	"strconv"
)

// Bound is what a predicate says of one column's values: every row it
// keeps has Lo <= value <= Hi for the ends that are set. Integer
// literals set Lo/Hi (exactly: strict comparisons move by one) and
// NumLo/NumHi; other numbers set NumLo/NumHi, exact rationals, as the
// expression language compares numbers exactly; string literals set
// StrLo/StrHi, compared byte by byte as the language does. A strict
// comparison with a non-integer or a string gives an inclusive end,
// which only keeps more.
type Bound struct {
	Column       string
	Lo, Hi       *int64
	NumLo, NumHi *big.Rat
	StrLo, StrHi *string
}

// lit is a literal a bound can be made of.
type lit struct {
	isInt bool
	i     int64
	num   *big.Rat // every number, integers too
	str   *string
}

func literalOf(e Expr) (lit, bool) {
	if s, ok := e.(*strLit); ok {
		v := s.val
		return lit{str: &v}, true
	}
	neg := false
	if u, ok := e.(*unaryExpr); ok && u.op == "-" {
		neg, e = true, u.x
	}
	l, ok := e.(*numLit)
	if !ok {
		return lit{}, false
	}
	text := l.text
	if neg {
		text = "-" + text
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return lit{}, false
	}
	if l.float {
		// The language reads it as a DOUBLE: bound by that value.
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return lit{}, false
		}
		if r = new(big.Rat).SetFloat64(f); r == nil {
			return lit{}, false
		}
		return lit{num: r}, true
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return lit{}, false
	}
	return lit{isInt: true, i: v, num: r}, true
}

// Bounds reads the bounds a predicate puts on columns: comparisons,
// BETWEENs and IN lists of a column with literals among its top-level
// AND terms; anything else says nothing and is skipped. A reader may
// skip data that no row within the bounds can be in; the predicate
// itself must still be applied.
func Bounds(e Expr) []Bound {
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
			col, litE, op := x.l, x.r, x.op
			if _, isCol := col.(*colRef); !isCol {
				col, litE, op = x.r, x.l, flipOp(op)
			}
			c, ok := col.(*colRef)
			if !ok {
				return
			}
			v, ok := literalOf(litE)
			if !ok {
				return
			}
			if b, ok := litBound(c.name, op, v); ok {
				out = append(out, b)
			}
		case *betweenExpr:
			c, ok := x.x.(*colRef)
			lo, ok1 := literalOf(x.lo)
			hi, ok2 := literalOf(x.hi)
			if ok && ok1 && ok2 && !x.not {
				if b, ok := spanBound(c.name, lo, hi); ok {
					out = append(out, b)
				}
			}
		case *inExpr:
			c, ok := x.x.(*colRef)
			if !ok || x.not || len(x.list) == 0 {
				return
			}
			var lo, hi lit
			strs := isStr(x.list[0])
			for k, item := range x.list {
				v, ok := literalOf(item)
				if !ok || (v.str != nil) != strs {
					return // not all literals of one kind
				}
				if k == 0 || less(v, lo) {
					lo = v
				}
				if k == 0 || less(hi, v) {
					hi = v
				}
			}
			if b, ok := spanBound(c.name, lo, hi); ok {
				out = append(out, b)
			}
		}
	}
	walk(e)
	return out
}

func isStr(e Expr) bool {
	_, ok := e.(*strLit)
	return ok
}

// less orders two literals of one kind.
func less(a, b lit) bool {
	if a.str != nil {
		return *a.str < *b.str
	}
	return a.num.Cmp(b.num) < 0
}

// spanBound is lo <= column <= hi.
func spanBound(col string, lo, hi lit) (Bound, bool) {
	if (lo.str == nil) != (hi.str == nil) {
		return Bound{}, false
	}
	b := Bound{Column: col}
	if lo.str != nil {
		b.StrLo, b.StrHi = lo.str, hi.str
		return b, true
	}
	b.NumLo, b.NumHi = lo.num, hi.num
	if lo.isInt && hi.isInt {
		b.Lo, b.Hi = &lo.i, &hi.i
	}
	return b, true
}

// litBound is column op v.
func litBound(col, op string, v lit) (Bound, bool) {
	if v.isInt {
		b, ok := boundOf(col, op, v.i)
		if ok {
			b.NumLo, b.NumHi = ratOf(b.Lo), ratOf(b.Hi)
		}
		return b, ok
	}
	b := Bound{Column: col}
	switch op {
	case "=":
		b.NumLo, b.NumHi, b.StrLo, b.StrHi = v.num, v.num, v.str, v.str
	case ">=", ">":
		b.NumLo, b.StrLo = v.num, v.str
	case "<=", "<":
		b.NumHi, b.StrHi = v.num, v.str
	default:
		return b, false
	}
	return b, true
}

func ratOf(p *int64) *big.Rat {
	if p == nil {
		return nil
	}
	return new(big.Rat).SetInt64(*p)
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
