package expr

import (
	"math"
	"math/big"
	"strconv"
)

func init() {
	register("ABS", 1, 1, abs)
	register("ROUND", 1, 2, roundFunc(0))
	register("FLOOR", 1, 1, roundFunc(-1))
	register("CEIL", 1, 1, roundFunc(1))
	register("CEILING", 1, 1, roundFunc(1))
	register("SQRT", 1, 1, floatFunc(func(x float64) (float64, bool) { return math.Sqrt(x), x >= 0 }))
	register("LN", 1, 1, floatFunc(func(x float64) (float64, bool) { return math.Log(x), x > 0 }))
	register("POWER", 2, 2, power)
	register("POW", 2, 2, power)
	register("MOD", 2, 2, mod)
	register("GREATEST", 1, -1, extreme(1))
	register("LEAST", 1, -1, extreme(-1))
	register("NULLIF", 2, 2, nullif)
}

func abs(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kBigint, kDouble, kDecimal); err != nil {
		return nil, err
	}
	x := args[0]
	var n *node
	switch x.t.k {
	case kNull:
		return nullConst(tBigint), nil
	case kBigint:
		n = mapNode(x.t, x, func(in, out *vec, i int) error {
			v := in.i[i]
			if v == math.MinInt64 {
				return errorf(e.at, "ABS(%d) overflows BIGINT", v)
			}
			if v < 0 {
				v = -v
			}
			out.i[i] = v
			return nil
		})
	case kDouble:
		n = mapNode(x.t, x, func(in, out *vec, i int) error { out.f[i] = math.Abs(in.f[i]); return nil })
	default:
		n = mapNode(x.t, x, func(in, out *vec, i int) error { out.d[i] = in.d[i].Abs(); return nil })
	}
	return fold(n, x), nil
}

// roundFunc is ROUND (mode 0: half away from zero, to d digits), FLOOR
// (-1) and CEIL (+1). BIGINT stays BIGINT, DOUBLE stays DOUBLE, a
// DECIMAL gets the scale it is rounded to (d must then be a constant).
func roundFunc(mode int) func(c *compiler, e *callExpr, args []*node) (*node, error) {
	return func(c *compiler, e *callExpr, args []*node) (*node, error) {
		if err := wantKinds(e, args, 0, kBigint, kDouble, kDecimal); err != nil {
			return nil, err
		}
		if len(args) == 2 {
			if err := wantKinds(e, args, 1, kBigint); err != nil {
				return nil, err
			}
		} else {
			args = append(args, constant(tBigint, &vec{i: []int64{0}}))
		}
		x, d := args[0], args[1]
		switch x.t.k {
		case kNull:
			return nullConst(tDouble), nil
		case kBigint:
			return strictNode(tBigint, args, func(in []*vec, out *vec, i int) error {
				v, ok := roundInt(in[0].i[i], in[1].i[i], mode)
				if !ok {
					return errorf(e.at, "%s(%d, %d) overflows BIGINT", e.name, in[0].i[i], in[1].i[i])
				}
				out.i[i] = v
				return nil
			}), nil
		case kDouble:
			return strictNode(tDouble, args, func(in []*vec, out *vec, i int) error {
				out.f[i] = roundFloat(in[0].f[i], in[1].i[i], mode)
				return nil
			}), nil
		}
		if d.konst == nil || !d.konst.isValid(0) {
			return nil, errorf(e.at, "%s of a DECIMAL needs a constant number of digits (it sets the result's scale)", e.name)
		}
		digits := d.konst.i[0]
		s := x.t.scale
		if digits > int64(s) {
			digits = int64(s)
		}
		if digits < -maxDigits {
			digits = -maxDigits
		}
		scale := int32(max(digits, 0))
		// Rounding may carry into one more integer digit: 99.5 → 100.
		p := min(x.t.prec-s+1+scale, maxDigits)
		t := tDecimal(p, scale)
		dd := int32(digits)
		return fold(mapNode(t, x, func(in, out *vec, i int) error {
			r := decRound(in.d[i], s, dd, mode)
			if !decFits(r, p) {
				return errorf(e.at, "%s(%s) overflows %s", e.name, in.d[i].ToString(s), t)
			}
			out.d[i] = r
			return nil
		}), x), nil
	}
}

// roundInt rounds v to a multiple of 10^-d (d < 0); d >= 0 keeps v.
func roundInt(v, d int64, mode int) (int64, bool) {
	if d >= 0 {
		return v, true
	}
	if d < -18 {
		// 10^19 exceeds BIGINT: everything rounds to 0, or overflows.
		switch {
		case v == 0, mode == 0, mode < 0 && v > 0, mode > 0 && v < 0:
			return 0, true
		}
		return 0, false
	}
	p := int64(1)
	for range -d {
		p *= 10
	}
	q, r := v/p, v%p
	switch {
	case mode == 0 && r >= (p+1)/2:
		q++
	case mode == 0 && r <= -(p+1)/2:
		q--
	case mode < 0 && r < 0:
		q--
	case mode > 0 && r > 0:
		q++
	}
	return mulInt(q, p)
}

// roundFloat rounds the decimal a DOUBLE prints as (so ROUND(1.005, 2)
// is 1.01, as written, not 1.00 from its binary value 1.00499999...),
// half away from zero; FLOOR and CEIL (mode -1, 1) have d = 0. A zero
// result is +0 (CEIL(-0.5) is 0, not -0).
func roundFloat(f float64, d int64, mode int) float64 {
	r := roundFloatSigned(f, d, mode)
	if r == 0 {
		return 0
	}
	return r
}

func roundFloatSigned(f float64, d int64, mode int) float64 {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0) || d > 400:
		return f
	case mode < 0:
		return math.Floor(f)
	case mode > 0:
		return math.Ceil(f)
	case d < -400:
		return 0
	}
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	p := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(max(d, -d)), nil))
	if d >= 0 {
		r.Mul(r, p)
	} else {
		r.Quo(r, p)
	}
	q := new(big.Rat).SetInt(roundRat(r))
	if d >= 0 {
		q.Quo(q, p)
	} else {
		q.Mul(q, p)
	}
	out, _ := q.Float64()
	return out
}

// floatFunc is a DOUBLE function of one number, NULL where ok is false
// (outside its domain: SQRT(-1), LN(0), as MySQL).
func floatFunc(f func(float64) (float64, bool)) func(c *compiler, e *callExpr, args []*node) (*node, error) {
	return func(c *compiler, e *callExpr, args []*node) (*node, error) {
		if err := wantAll(e, args, kBigint, kDouble); err != nil {
			return nil, err
		}
		xt := args[0].t
		return strictNode(tDouble, args, func(in []*vec, out *vec, i int) error {
			x := in[0].f
			var v float64
			if xt.k == kBigint {
				v = float64(in[0].i[i])
			} else {
				v = x[i]
			}
			r, ok := f(v)
			if !ok {
				out.valid[i] = false
				return nil
			}
			out.f[i] = r
			return nil
		}), nil
	}
}

// power is x^y as a DOUBLE: NULL where undefined (a negative base with
// a fractional exponent), an error where it overflows.
func power(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kBigint, kDouble); err != nil {
		return nil, err
	}
	xt, yt := args[0].t, args[1].t
	return strictNode(tDouble, args, func(in []*vec, out *vec, i int) error {
		x, y := asFloat(in[0], xt, i), asFloat(in[1], yt, i)
		r := math.Pow(x, y)
		switch {
		case math.IsNaN(r) && !math.IsNaN(x) && !math.IsNaN(y):
			out.valid[i] = false
		case math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0):
			if x == 0 {
				out.valid[i] = false // 0 to a negative power: a division by zero
				return nil
			}
			return errorf(e.at, "POWER(%s, %s) overflows DOUBLE", fmtFloat(x), fmtFloat(y))
		default:
			out.f[i] = r
		}
		return nil
	}), nil
}

func asFloat(v *vec, t typ, i int) float64 {
	if t.k == kBigint {
		return float64(v.i[i])
	}
	return v.f[i]
}

// mod is MOD(a, b), the same as a % b.
func mod(c *compiler, e *callExpr, args []*node) (*node, error) {
	return arith(&binaryExpr{at: e.at, op: "%", l: e.args[0], r: e.args[1]}, args[0], args[1])
}

// extreme is GREATEST (sign 1) or LEAST (-1): NULL if any argument is,
// as MySQL.
func extreme(sign int) func(c *compiler, e *callExpr, args []*node) (*node, error) {
	return func(c *compiler, e *callExpr, args []*node) (*node, error) {
		t, args, err := c.unifyNodes(e.at, e.name, args)
		if err != nil {
			return nil, err
		}
		if t.k == kNull {
			return nullConst(tNull), nil
		}
		f := comparerFor(t, t)
		if f == nil || t.k == kBinary {
			return nil, errorf(e.at, "%s: %s values have no order", e.name, t)
		}
		return strictNode(t, args, func(in []*vec, out *vec, i int) error {
			best := 0
			for k := 1; k < len(in); k++ {
				c := f(in[k], i, in[best], i)
				if c == unordered {
					// NaN wins, so that it is not silently skipped.
					if math.IsNaN(in[k].f[i]) {
						best = k
					}
					continue
				}
				if c*sign > 0 {
					best = k
				}
			}
			out.set(i, in[best], i)
			return nil
		}), nil
	}
}

// nullif is NULL if a = b, else a.
func nullif(c *compiler, e *callExpr, args []*node) (*node, error) {
	a, b, f, err := c.comparable(e.at, "=", args[0], args[1])
	if err != nil {
		return nil, err
	}
	if a.t.k == kNull {
		return a, nil
	}
	null := b.t.k == kNull
	n := &node{t: a.t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		av, err := a.eval(c, act)
		if err != nil {
			return nil, err
		}
		bv, err := b.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := newVec(a.t.k, c.n)
		out.valid = fill(true, c.n)
		for i := range c.n {
			if !av.isValid(i) || !null && bv.isValid(i) && f(av, i, bv, i) == 0 {
				out.valid[i] = false
				continue
			}
			out.set(i, av, i)
		}
		return out, nil
	}}
	return fold(n, a, b), nil
}
