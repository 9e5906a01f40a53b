package expr

import (
	"cmp"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// unordered is what a comparer returns when a DOUBLE NaN is involved:
// every comparison but <> is false.
const unordered = 2

// comparer returns the order of row i of a (type lt) and row j of b
// (type rt), for comparable types; nil if they are not.
type comparer func(a *vec, i int, b *vec, j int) int

func comparerFor(lt, rt typ) comparer {
	switch {
	case lt.k == kBigint && rt.k == kBigint,
		lt.k == kTimestamp && rt.k == kTimestamp,
		lt.k == kDate && rt.k == kDate:
		return func(a *vec, i int, b *vec, j int) int { return cmp.Compare(a.i[i], b.i[j]) }
	case lt.k == kDouble && rt.k == kDouble:
		return func(a *vec, i int, b *vec, j int) int { return cmpFloat(a.f[i], b.f[j]) }
	case lt.k == kBigint && rt.k == kDouble:
		return func(a *vec, i int, b *vec, j int) int { return cmpIntFloat(a.i[i], b.f[j]) }
	case lt.k == kDouble && rt.k == kBigint:
		return func(a *vec, i int, b *vec, j int) int { return flip(cmpIntFloat(b.i[j], a.f[i])) }
	case lt.k == kDecimal && rt.k == kDecimal:
		sa, sb := lt.scale, rt.scale
		return func(a *vec, i int, b *vec, j int) int { return decCmp(a.d[i], sa, b.d[j], sb) }
	case lt.k == kDecimal && rt.k == kBigint:
		sa := lt.scale
		return func(a *vec, i int, b *vec, j int) int { return decCmp(a.d[i], sa, decimal128.FromI64(b.i[j]), 0) }
	case lt.k == kBigint && rt.k == kDecimal:
		sb := rt.scale
		return func(a *vec, i int, b *vec, j int) int { return decCmp(decimal128.FromI64(a.i[i]), 0, b.d[j], sb) }
	case lt.k == kDecimal && rt.k == kDouble:
		sa := lt.scale
		return func(a *vec, i int, b *vec, j int) int { return decCmpFloat(a.d[i], sa, b.f[j]) }
	case lt.k == kDouble && rt.k == kDecimal:
		sb := rt.scale
		return func(a *vec, i int, b *vec, j int) int { return flip(decCmpFloat(b.d[j], sb, a.f[i])) }
	case lt.k == kTimestamp && rt.k == kDate:
		return func(a *vec, i int, b *vec, j int) int { return cmpTimeDate(a.i[i], b.i[j]) }
	case lt.k == kDate && rt.k == kTimestamp:
		return func(a *vec, i int, b *vec, j int) int { return -cmpTimeDate(b.i[j], a.i[i]) }
	case lt.k == kVarchar && rt.k == kVarchar,
		lt.k == kBinary && (rt.k == kBinary || rt.k == kVarchar),
		lt.k == kVarchar && rt.k == kBinary:
		return func(a *vec, i int, b *vec, j int) int { return strings.Compare(a.s[i], b.s[j]) }
	case lt.k == kBoolean && rt.k == kBoolean:
		return func(a *vec, i int, b *vec, j int) int { return cmpBool(a.b[i], b.b[j]) }
	}
	return nil
}

func flip(c int) int {
	if c == unordered {
		return c
	}
	return -c
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return unordered
}

// cmpIntFloat compares exactly, without rounding i to a DOUBLE (which
// would make 2^53+1 equal 2^53).
func cmpIntFloat(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return unordered
	case f >= 9223372036854775808.0:
		return -1
	case f < -9223372036854775808.0:
		return 1
	}
	t := math.Trunc(f)
	if c := cmp.Compare(i, int64(t)); c != 0 {
		return c
	}
	return cmpFloat(0, f-t)
}

// cmpTimeDate compares a timestamp (µs) with a date's midnight.
func cmpTimeDate(us, days int64) int {
	d := floorDiv(us, usPerDay)
	if d != days {
		return cmp.Compare(d, days)
	}
	return cmp.Compare(us-d*usPerDay, 0)
}

// opHolds is whether the comparison op holds for an order c.
func opHolds(op string, c int) bool {
	if c == unordered {
		return op == "<>"
	}
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// comparable checks that a and b may be compared with op, reading
// VARCHAR constants as times and number constants as DECIMALs where the
// other side needs it.
func (c *compiler) comparable(pos int, op string, a, b *node) (*node, *node, comparer, error) {
	var err error
	switch {
	case (a.t.k == kTimestamp || a.t.k == kDate) && b.t.k == kVarchar && b.konst != nil:
		b, err = timeConstant(pos, b, a.t)
	case (b.t.k == kTimestamp || b.t.k == kDate) && a.t.k == kVarchar && a.konst != nil:
		a, err = timeConstant(pos, a, b.t)
	case a.t.k == kDecimal && b.konst != nil && (b.t.k == kBigint || b.t.k == kDouble):
		b = exactDecimalConst(b)
	case b.t.k == kDecimal && a.konst != nil && (a.t.k == kBigint || a.t.k == kDouble):
		a = exactDecimalConst(a)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if a.t.k == kNull || b.t.k == kNull {
		return a, b, func(*vec, int, *vec, int) int { return 0 }, nil // never called: NULL
	}
	f := comparerFor(a.t, b.t)
	if f == nil {
		hint := ""
		if a.t.k == kVarchar || b.t.k == kVarchar {
			hint = " (CAST one side)"
		}
		return nil, nil, nil, errorf(pos, "cannot compare %s with %s%s", a.t, b.t, hint)
	}
	if (a.t.k == kBinary || b.t.k == kBinary) && op != "=" && op != "<>" {
		return nil, nil, nil, errorf(pos, "BINARY values are only compared with = and <>")
	}
	return a, b, f, nil
}

func (c *compiler) compare(pos int, op string, l, r *node) (*node, error) {
	l, r, f, err := c.comparable(pos, op, l, r)
	if err != nil {
		return nil, err
	}
	if l.t.k == kNull || r.t.k == kNull {
		return nullConst(tBoolean), nil
	}
	fast := fastCompare(op, l.t, r.t)
	if fast != nil && r.konst != nil && l.konst == nil {
		return compareConst(op, l, r), nil
	}
	n := &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		a, err := l.eval(c, act)
		if err != nil {
			return nil, err
		}
		b, err := r.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := &vec{valid: andValid(c.n, a.valid, b.valid), b: make([]bool, c.n)}
		if fast != nil {
			fast(a, b, out.b)
			return out, nil
		}
		for i := range c.n {
			out.b[i] = opHolds(op, f(a, i, b, i))
		}
		return out, nil
	}}
	return fold(n, l, r), nil
}

// fastCompare is a tight loop for the common same-kind comparisons.
func fastCompare(op string, lt, rt typ) func(a, b *vec, out []bool) {
	switch {
	case lt.k == rt.k && (lt.k == kBigint || lt.k == kTimestamp || lt.k == kDate):
		return func(a, b *vec, out []bool) { compareSlices(op, a.i, b.i, out) }
	case lt.k == kDouble && rt.k == kDouble:
		return func(a, b *vec, out []bool) { compareSlices(op, a.f, b.f, out) }
	case lt.k == kVarchar && rt.k == kVarchar:
		return func(a, b *vec, out []bool) { compareSlices(op, a.s, b.s, out) }
	}
	return nil
}

// compareConst compares with a constant without repeating it n times:
// the common column-against-literal case.
func compareConst(op string, l, r *node) *node {
	k := r.konst
	if !k.isValid(0) {
		return nullConst(tBoolean)
	}
	return &node{t: tBoolean, eval: func(c *evalCtx, act []bool) (*vec, error) {
		a, err := l.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := &vec{valid: a.valid, b: make([]bool, c.n)}
		switch r.t.k {
		case kDouble:
			compareScalar(op, a.f, k.f[0], out.b)
		case kVarchar:
			compareScalar(op, a.s, k.s[0], out.b)
		default:
			compareScalar(op, a.i, k.i[0], out.b)
		}
		return out, nil
	}}
}

func compareScalar[T int64 | float64 | string](op string, a []T, k T, out []bool) {
	switch op {
	case "=":
		for i := range out {
			out[i] = a[i] == k
		}
	case "<>":
		for i := range out {
			out[i] = a[i] != k
		}
	case "<":
		for i := range out {
			out[i] = a[i] < k
		}
	case "<=":
		for i := range out {
			out[i] = a[i] <= k
		}
	case ">":
		for i := range out {
			out[i] = a[i] > k
		}
	case ">=":
		for i := range out {
			out[i] = a[i] >= k
		}
	}
}

// compareSlices uses Go's operators, which for DOUBLEs are IEEE's: NaN
// is unequal to everything, as opHolds has it.
func compareSlices[T int64 | float64 | string](op string, a, b []T, out []bool) {
	switch op {
	case "=":
		for i := range out {
			out[i] = a[i] == b[i]
		}
	case "<>":
		for i := range out {
			out[i] = a[i] != b[i]
		}
	case "<":
		for i := range out {
			out[i] = a[i] < b[i]
		}
	case "<=":
		for i := range out {
			out[i] = a[i] <= b[i]
		}
	case ">":
		for i := range out {
			out[i] = a[i] > b[i]
		}
	case ">=":
		for i := range out {
			out[i] = a[i] >= b[i]
		}
	}
}
