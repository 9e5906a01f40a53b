package expr

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// DECIMAL values are unscaled 128-bit integers (value = n / 10^scale).
// Everything here is exact: a result that does not fit is an error,
// never a rounding, except where the user asked for rounding (CAST,
// ROUND, FLOOR, CEIL).

func pow10(k int32) decimal128.Num { return decimal128.GetScaleMultiplier(int(k)) }

// decFits reports whether n has at most p digits.
func decFits(n decimal128.Num, p int32) bool { return n.FitsInPrecision(p) }

// decUpscale multiplies n by 10^k, reporting false if the result would
// not fit 38 digits.
func decUpscale(n decimal128.Num, k int32) (decimal128.Num, bool) {
	if k == 0 {
		return n, true
	}
	if k > maxDigits || !decFits(n, maxDigits-k) {
		return n, false
	}
	return n.Mul(pow10(k)), true
}

// toDecimal reads row i of v (a BIGINT or DECIMAL of type from) as a
// DECIMAL of type to, exactly.
func toDecimal(v *vec, from typ, i int, to typ) (decimal128.Num, bool) {
	var n decimal128.Num
	var scale int32
	if from.k == kBigint {
		n = decimal128.FromI64(v.i[i])
	} else {
		n, scale = v.d[i], from.scale
	}
	if to.scale < scale {
		return n, false
	}
	n, ok := decUpscale(n, to.scale-scale)
	return n, ok && decFits(n, to.prec)
}

// decAdd adds with 128-bit overflow detection.
func decAdd(a, b decimal128.Num) (decimal128.Num, bool) {
	s := a.Add(b)
	if a.Sign() == b.Sign() && a.Sign() != 0 && s.Sign() != a.Sign() {
		return s, false
	}
	return s, true
}

// decCmp compares a/10^sa with b/10^sb.
func decCmp(a decimal128.Num, sa int32, b decimal128.Num, sb int32) int {
	if sa == sb {
		return a.Cmp(b)
	}
	if sa < sb {
		if x, ok := decUpscale(a, sb-sa); ok {
			return x.Cmp(b)
		}
	} else if y, ok := decUpscale(b, sa-sb); ok {
		return a.Cmp(y)
	}
	return decRat(a, sa).Cmp(decRat(b, sb))
}

func decRat(n decimal128.Num, scale int32) *big.Rat {
	return new(big.Rat).SetFrac(n.BigInt(), pow10(scale).BigInt())
}

// decCmpFloat compares a/10^sa with f exactly (2: f is NaN).
func decCmpFloat(a decimal128.Num, sa int32, f float64) int {
	switch {
	case math.IsNaN(f):
		return 2
	case math.IsInf(f, 1):
		return -1
	case math.IsInf(f, -1):
		return 1
	}
	return decRat(a, sa).Cmp(new(big.Rat).SetFloat64(f))
}

// ratToDecimal rounds r to scale digits (half away from zero) and checks
// it fits precision p.
func ratToDecimal(r *big.Rat, p, scale int32) (decimal128.Num, error) {
	q := roundRat(new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(scale).BigInt())))
	if q.CmpAbs(pow10(p).BigInt()) >= 0 {
		return decimal128.Num{}, fmt.Errorf("does not fit DECIMAL(%d,%d)", p, scale)
	}
	return decimal128.FromBigInt(q), nil
}

// roundRat rounds r to an integer, half away from zero.
func roundRat(r *big.Rat) *big.Int {
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	// |rem| * 2 >= denom: round away from zero.
	if rem.Sign() != 0 && new(big.Int).Abs(new(big.Int).Lsh(rem, 1)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(int64(r.Sign())))
	}
	return q
}

var errNotNumber = errors.New("not a number")

// isDecimalText reports whether s has only the characters of a decimal
// number (so no NaN, Inf, hex, fractions or digit separators), leaving
// its shape to the parser.
func isDecimalText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c), c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

// parseDecimalText reads a decimal number (digits, optional sign, point
// and exponent) exactly.
func parseDecimalText(s string) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	if !isDecimalText(s) {
		return nil, errNotNumber
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, errNotNumber
	}
	return r, nil
}

// exactDecimalConst turns a BIGINT or DOUBLE constant into the DECIMAL
// constant it was written as (a DOUBLE by its shortest text: 0.1 is
// 0.1), so DECIMAL arithmetic and comparisons with literals stay exact.
// A constant that has no such form is returned unchanged.
func exactDecimalConst(n *node) *node {
	v := n.konst
	if !v.isValid(0) {
		return nullConst(tDecimal(1, 0))
	}
	var text string
	if n.t.k == kBigint {
		text = strconv.FormatInt(v.i[0], 10)
	} else {
		if math.IsNaN(v.f[0]) || math.IsInf(v.f[0], 0) {
			return n
		}
		text = strconv.FormatFloat(v.f[0], 'f', -1, 64)
	}
	digits := strings.TrimLeft(strings.TrimPrefix(text, "-"), "0")
	scale := 0
	if dot := strings.IndexByte(digits, '.'); dot >= 0 {
		scale = len(digits) - dot - 1
		digits = strings.TrimLeft(digits[:dot]+digits[dot+1:], "0")
	}
	p := max(len(digits), scale, 1)
	if p > maxDigits {
		return n
	}
	r, _ := new(big.Rat).SetString(text)
	d, err := ratToDecimal(r, int32(p), int32(scale))
	if err != nil {
		return n
	}
	return constant(tDecimal(int32(p), int32(scale)), &vec{d: []decimal128.Num{d}})
}

// decRound rounds n (of scale s) to d fraction digits: mode 0 half away
// from zero, -1 floor, +1 ceiling. The result keeps scale max(d, 0)
// (lower than s only); with d < 0 it is a multiple of 10^-d.
func decRound(n decimal128.Num, s, d int32, mode int) decimal128.Num {
	if d >= s {
		return n
	}
	k := s - d
	if k > maxDigits {
		return decimal128.Num{} // |n| < 10^38 rounds to 0 at that place
	}
	q, rem := n.Div(pow10(k))
	if rem.Sign() != 0 {
		switch mode {
		case 0:
			if !rem.Abs().Less(decimal128.GetHalfScaleMultiplier(int(k))) {
				q = q.Add(decimal128.FromI64(int64(n.Sign())))
			}
		case -1:
			if n.Sign() < 0 {
				q = q.Sub(decimal128.FromI64(1))
			}
		case 1:
			if n.Sign() > 0 {
				q = q.Add(decimal128.FromI64(1))
			}
		}
	}
	if d < 0 {
		q = q.Mul(pow10(-d))
	}
	return q
}

// decToFloat is the DOUBLE nearest to n/10^scale.
func decToFloat(n decimal128.Num, scale int32) float64 {
	f, _ := strconv.ParseFloat(n.ToString(scale), 64)
	return f
}

// decToInt rounds n/10^scale half away from zero to a BIGINT.
func decToInt(n decimal128.Num, scale int32) (int64, bool) {
	q := decRound(n, scale, 0, 0)
	b := q.BigInt()
	if !b.IsInt64() {
		return 0, false
	}
	return b.Int64(), true
}
