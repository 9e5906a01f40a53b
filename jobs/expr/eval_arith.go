package expr

import (
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

func (c *compiler) binary(e *binaryExpr) (*node, error) {
	switch e.op {
	case "AND", "OR":
		return c.logic(e)
	}
	l, err := c.compileAny(e.l)
	if err != nil {
		return nil, err
	}
	r, err := c.compileAny(e.r)
	if err != nil {
		return nil, err
	}
	for _, x := range []*node{l, r} {
		if x.t.k == kList {
			return nil, errorf(e.at, "%s: a %s column is only taken by Go functions", e.op, x.t)
		}
		if x.t.k == kInterval && e.op != "+" && e.op != "-" {
			return nil, errorf(e.at, "%s: an INTERVAL is only added to or subtracted from a TIMESTAMP", e.op)
		}
	}
	switch e.op {
	case "=", "<>", "<", "<=", ">", ">=":
		return c.compare(e.at, e.op, l, r)
	case "||":
		return concatOp(e, l, r)
	}
	return arith(e, l, r)
}

// concatOp is a || b, on VARCHARs only (CONCAT converts other types).
func concatOp(e *binaryExpr, l, r *node) (*node, error) {
	for _, x := range []*node{l, r} {
		if x.t.k != kVarchar && x.t.k != kNull {
			return nil, errorf(e.at, "|| joins VARCHARs, not %s (use CONCAT, or CAST(x AS VARCHAR))", x.t)
		}
	}
	return strictNode(tVarchar, []*node{l, r}, func(in []*vec, out *vec, i int) error {
		out.s[i] = in[0].s[i] + in[1].s[i]
		return nil
	}), nil
}

// arith compiles + - * / % DIV.
func arith(e *binaryExpr, l, r *node) (*node, error) {
	// A NULL literal takes the other side's type.
	switch {
	case l.t.k == kNull && r.t.k == kNull:
		return nullConst(tNull), nil
	case l.t.k == kNull:
		l = nullConst(r.t)
	case r.t.k == kNull:
		r = nullConst(l.t)
	}
	lt, rt := l.t, r.t
	switch {
	case lt.k == kTimestamp || rt.k == kTimestamp || lt.k == kInterval || rt.k == kInterval:
		return timeArith(e, l, r)
	case !lt.numeric() || !rt.numeric():
		bad := lt
		if lt.numeric() {
			bad = rt
		}
		return nil, errorf(e.at, "%s needs numbers, not %s", e.op, bad)
	case lt.k == kDecimal || rt.k == kDecimal:
		return decimalArith(e, l, r)
	case lt.k == kBigint && rt.k == kBigint && e.op != "/":
		return fold(intArith(e.at, e.op, l, r), l, r), nil
	}
	return fold(floatArith(e.at, e.op, l, r), l, r), nil
}

// binNode evaluates l and r and runs k over the rows, which sees the
// combined validity (and may set rows NULL in it) and act.
func binNode(t typ, l, r *node, k func(a, b, out *vec, act []bool, n int) error) *node {
	return &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		a, err := l.eval(c, act)
		if err != nil {
			return nil, err
		}
		b, err := r.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := newVec(t.k, c.n)
		out.valid = andValid(c.n, a.valid, b.valid)
		if err := k(a, b, out, act, c.n); err != nil {
			return nil, err
		}
		return out, nil
	}}
}

func intArith(pos int, op string, l, r *node) *node {
	t := tBigint
	overflow := func(x, y int64) error {
		return errorf(pos, "%d %s %d overflows BIGINT", x, op, y)
	}
	return binNode(t, l, r, func(a, b, out *vec, act []bool, n int) error {
		x, y, z := a.i[:n], b.i[:n], out.i[:n]
		switch op {
		case "+":
			for i := range z {
				s := x[i] + y[i]
				// Overflow iff both operands have the sign the sum lacks.
				if (x[i]^s)&(y[i]^s) < 0 && live(act, out.valid, i) {
					return overflow(x[i], y[i])
				}
				z[i] = s
			}
		case "-":
			for i := range z {
				s := x[i] - y[i]
				if (x[i]^y[i])&(x[i]^s) < 0 && live(act, out.valid, i) {
					return overflow(x[i], y[i])
				}
				z[i] = s
			}
		case "*":
			for i := range z {
				p, ok := mulInt(x[i], y[i])
				if !ok && live(act, out.valid, i) {
					return overflow(x[i], y[i])
				}
				z[i] = p
			}
		case "%", "DIV":
			for i := range z {
				switch {
				case y[i] == 0:
					out.setNull(i) // as MySQL: NULL, not an error
				case y[i] == -1:
					if op == "DIV" && x[i] == math.MinInt64 && live(act, out.valid, i) {
						return overflow(x[i], y[i])
					}
					z[i] = 0
					if op == "DIV" {
						z[i] = -x[i]
					}
				case op == "%":
					z[i] = x[i] % y[i]
				default:
					z[i] = x[i] / y[i]
				}
			}
		}
		return nil
	})
}

// mulInt multiplies, reporting false on overflow.
func mulInt(x, y int64) (int64, bool) {
	const small = 1 << 31
	if uint64(x+small) < 2*small && uint64(y+small) < 2*small {
		return x * y, true // both within ±2^31: the product fits
	}
	if x == 0 || y == 0 {
		return 0, true
	}
	p := x * y
	if p/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
		return p, false
	}
	return p, true
}

// floatArith is DOUBLE arithmetic (BIGINT operands promoted). An
// infinite result from finite operands is an error: the value is lost.
func floatArith(pos int, op string, l, r *node) *node {
	lt, rt := l.t, r.t
	t := tDouble
	if op == "DIV" {
		t = tBigint
	}
	return binNode(t, l, r, func(a, b, out *vec, act []bool, n int) error {
		x, y := floats(a, lt, n), floats(b, rt, n)
		for i := range n {
			var z float64
			switch op {
			case "+":
				z = x[i] + y[i]
			case "-":
				z = x[i] - y[i]
			case "*":
				z = x[i] * y[i]
			case "/", "%", "DIV":
				if y[i] == 0 {
					out.setNull(i)
					continue
				}
				switch op {
				case "/":
					z = x[i] / y[i]
				case "%":
					z = math.Mod(x[i], y[i])
				default:
					q := math.Trunc(x[i] / y[i])
					if !(q >= -9223372036854775808.0 && q < 9223372036854775808.0) {
						if live(act, out.valid, i) {
							return errorf(pos, "%s DIV %s does not fit a BIGINT", fmtFloat(x[i]), fmtFloat(y[i]))
						}
						continue
					}
					out.i[i] = int64(q)
					continue
				}
			}
			if math.IsInf(z, 0) && !math.IsInf(x[i], 0) && !math.IsInf(y[i], 0) && live(act, out.valid, i) {
				return errorf(pos, "%s %s %s overflows DOUBLE", fmtFloat(x[i]), op, fmtFloat(y[i]))
			}
			out.f[i] = z
		}
		return nil
	})
}

// floats is a BIGINT or DOUBLE vec's values as DOUBLEs.
func floats(v *vec, t typ, n int) []float64 {
	if t.k == kDouble {
		return v.f[:n]
	}
	out := make([]float64, n)
	for i, x := range v.i[:n] {
		out[i] = float64(x)
	}
	return out
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// decimalArith does + - * exactly on DECIMALs (and BIGINTs, as
// DECIMAL(19,0), and number constants at their written value). / and %,
// whose exact results have no fixed scale, and anything with a DOUBLE,
// are refused rather than silently rounded.
func decimalArith(e *binaryExpr, l, r *node) (*node, error) {
	for _, x := range []**node{&l, &r} {
		if (*x).konst != nil && (*x).t.k != kDecimal {
			*x = exactDecimalConst(*x)
		}
	}
	lt, rt := l.t, r.t
	if lt.k == kDouble || rt.k == kDouble {
		return nil, errorf(e.at, "%s %s %s would lose DECIMAL digits: CAST the DECIMAL AS DOUBLE to compute inexactly", lt, e.op, rt)
	}
	li, ls := decimalShape(lt)
	ri, rs := decimalShape(rt)
	var t typ
	switch e.op {
	case "+", "-":
		s := max(ls, rs)
		need := max(li, ri) + s
		if need > maxDigits {
			return nil, errorf(e.at, "%s %s %s needs more than %d digits: CAST AS DOUBLE to compute inexactly", lt, e.op, rt, maxDigits)
		}
		t = tDecimal(min(need+1, maxDigits), s)
	case "*":
		p, s := li+ls+ri+rs, ls+rs
		if p > maxDigits {
			return nil, errorf(e.at, "%s * %s needs %d digits, more than %d: CAST AS DOUBLE to compute inexactly", lt, rt, p, maxDigits)
		}
		t = tDecimal(p, s)
	default:
		return nil, errorf(e.at, "%s %s %s: exact DECIMAL arithmetic is +, - and * only; CAST the DECIMAL AS DOUBLE to compute inexactly", lt, e.op, rt)
	}
	op := e.op
	n := binNode(t, l, r, func(a, b, out *vec, act []bool, n int) error {
		for i := range n {
			if !out.isValid(i) {
				continue
			}
			x, y := decAt(a, lt, i), decAt(b, rt, i)
			var z decimal128.Num
			ok := true
			if op == "*" {
				z = x.Mul(y) // fits: precision p1+p2 <= 38
			} else {
				x, _ = decUpscale(x, t.scale-scaleOf(lt))
				y, _ = decUpscale(y, t.scale-scaleOf(rt))
				if op == "-" {
					y = y.Negate()
				}
				z, ok = decAdd(x, y)
			}
			if !ok || !decFits(z, t.prec) {
				if live(act, out.valid, i) {
					return errorf(e.at, "%s %s %s overflows %s", formatValue(a, lt, i), op, formatValue(b, rt, i), t)
				}
				continue
			}
			out.d[i] = z
		}
		return nil
	})
	return fold(n, l, r), nil
}

func scaleOf(t typ) int32 {
	if t.k == kDecimal {
		return t.scale
	}
	return 0
}

// decAt is row i of a BIGINT or DECIMAL vec as an unscaled decimal.
func decAt(v *vec, t typ, i int) decimal128.Num {
	if t.k == kBigint {
		return decimal128.FromI64(v.i[i])
	}
	return v.d[i]
}

// timeArith is TIMESTAMP ± INTERVAL (and INTERVAL ± INTERVAL).
func timeArith(e *binaryExpr, l, r *node) (*node, error) {
	lt, rt := l.t, r.t
	var t typ
	switch {
	case lt.k == kTimestamp && rt.k == kInterval && (e.op == "+" || e.op == "-"):
		t = lt
	case lt.k == kInterval && rt.k == kTimestamp && e.op == "+":
		t = rt
	case lt.k == kInterval && rt.k == kInterval && (e.op == "+" || e.op == "-"):
		t = tInterval
	case lt.k == kTimestamp && rt.k == kTimestamp && e.op == "-":
		return nil, errorf(e.at, "TIMESTAMP - TIMESTAMP: subtract TO_UNIXTIME(a) - TO_UNIXTIME(b) for seconds")
	default:
		return nil, errorf(e.at, "%s %s %s: a TIMESTAMP takes + or - an INTERVAL, as in ts + INTERVAL '15' MINUTE", lt, e.op, rt)
	}
	op := e.op
	n := binNode(t, l, r, func(a, b, out *vec, act []bool, n int) error {
		for i := range n {
			x, y := a.i[i], b.i[i]
			s := x + y
			bad := (x^s)&(y^s) < 0
			if op == "-" {
				s = x - y
				bad = (x^y)&(x^s) < 0
			}
			if bad && live(act, out.valid, i) {
				return errorf(e.at, "%s %s INTERVAL is out of the TIMESTAMP range", formatValue(a, lt, i), op)
			}
			out.i[i] = s
		}
		return nil
	})
	return fold(n, l, r), nil
}

func (c *compiler) negate(e *unaryExpr) (*node, error) {
	if lit, ok := e.x.(*numLit); ok {
		return numberLiteral(e.at, lit.text, lit.float, true)
	}
	x, err := c.compileAny(e.x)
	if err != nil {
		return nil, err
	}
	var n *node
	switch x.t.k {
	case kNull:
		return x, nil
	case kBigint, kInterval:
		n = mapNode(x.t, x, func(in, out *vec, i int) error {
			if in.i[i] == math.MinInt64 {
				return errorf(e.at, "-(%d) overflows BIGINT", in.i[i])
			}
			out.i[i] = -in.i[i]
			return nil
		})
	case kDouble:
		n = mapNode(x.t, x, func(in, out *vec, i int) error { out.f[i] = -in.f[i]; return nil })
	case kDecimal:
		n = mapNode(x.t, x, func(in, out *vec, i int) error { out.d[i] = in.d[i].Negate(); return nil })
	default:
		return nil, errorf(e.at, "cannot negate a %s", x.t)
	}
	return fold(n, x), nil
}
