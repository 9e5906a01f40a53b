package expr

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// castTarget is the language type a CAST names.
func castTarget(t typeName, from typ) typ {
	switch t.name {
	case "BIGINT":
		return tBigint
	case "DOUBLE":
		return tDouble
	case "DECIMAL":
		return tDecimal(t.prec, t.scal)
	case "VARCHAR":
		return tVarchar
	case "BOOLEAN":
		return tBoolean
	case "TIMESTAMP":
		if from.k == kTimestamp {
			return from // keeps its zone
		}
		return tTimestamp("")
	}
	return tDate
}

// cast compiles CAST and TRY_CAST. A value that cannot be converted is
// an error naming it (CAST) or NULL (TRY_CAST); type pairs that never
// convert are compile errors.
func (c *compiler) cast(e *castExpr) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	to := castTarget(e.to, x.t)
	if x.t.k == kNull {
		return nullConst(to), nil
	}
	conv := converter(x.t, to)
	if conv == nil {
		return nil, errorf(e.at, "cannot CAST %s AS %s%s", x.t, to, castHint(x.t, to))
	}
	from, try := x.t, e.try
	n := mapNode(to, x, func(in, out *vec, i int) error {
		err := conv(in, out, i)
		if err == nil {
			return nil
		}
		if try {
			out.setNull(i)
			return nil
		}
		return errorf(e.at, "CAST(%s AS %s): %v", quoteValue(in, from, i), to, err)
	})
	return fold(n, x), nil
}

func castHint(from, to typ) string {
	switch {
	case (from.k == kTimestamp || from.k == kDate) && to.numeric():
		return " (TO_UNIXTIME gives seconds)"
	case from.numeric() && to.k == kTimestamp:
		return " (FROM_UNIXTIME reads seconds)"
	}
	return ""
}

type convFunc func(in, out *vec, i int) error

var (
	errNotInt    = fmt.Errorf("not a whole number")
	errIntRange  = fmt.Errorf("out of BIGINT range")
	errNotBool   = fmt.Errorf("not a boolean (true/false, t/f, yes/no, 1/0)")
	errNotFinite = fmt.Errorf("not a finite number")
)

// converter returns how to convert a row of type from to type to, or
// nil if the types never convert.
func converter(from, to typ) convFunc {
	if from.equal(to) {
		return func(in, out *vec, i int) error { out.set(i, in, i); return nil }
	}
	switch to.k {
	case kBigint:
		switch from.k {
		case kDouble:
			return func(in, out *vec, i int) error {
				f := math.Round(in.f[i]) // half away from zero, as MySQL
				if math.IsNaN(f) || f < -9223372036854775808.0 || f >= 9223372036854775808.0 {
					return errIntRange
				}
				out.i[i] = int64(f)
				return nil
			}
		case kDecimal:
			return func(in, out *vec, i int) error {
				v, ok := decToInt(in.d[i], from.scale)
				if !ok {
					return errIntRange
				}
				out.i[i] = v
				return nil
			}
		case kVarchar:
			return func(in, out *vec, i int) error {
				v, err := strconv.ParseInt(strings.TrimSpace(in.s[i]), 10, 64)
				if err != nil {
					if e, ok := err.(*strconv.NumError); ok && e.Err == strconv.ErrRange {
						return errIntRange
					}
					return errNotInt
				}
				out.i[i] = v
				return nil
			}
		case kBoolean:
			return func(in, out *vec, i int) error { out.i[i] = b2i(in.b[i]); return nil }
		}
	case kDouble:
		switch from.k {
		case kBigint:
			return func(in, out *vec, i int) error { out.f[i] = float64(in.i[i]); return nil }
		case kDecimal:
			return func(in, out *vec, i int) error { out.f[i] = decToFloat(in.d[i], from.scale); return nil }
		case kVarchar:
			return func(in, out *vec, i int) error {
				t := strings.TrimSpace(in.s[i])
				if !isDecimalText(t) {
					return errNotNumber
				}
				f, err := strconv.ParseFloat(t, 64) // correctly rounded
				if e, ok := err.(*strconv.NumError); ok && e.Err == strconv.ErrRange {
					return errNotFinite
				} else if err != nil {
					return errNotNumber
				}
				out.f[i] = f
				return nil
			}
		case kBoolean:
			return func(in, out *vec, i int) error { out.f[i] = float64(b2i(in.b[i])); return nil }
		}
	case kDecimal:
		p, s := to.prec, to.scale
		switch from.k {
		case kBigint, kDecimal:
			return func(in, out *vec, i int) error {
				if from.k == kDecimal && from.scale > s {
					d := decRound(in.d[i], from.scale, s, 0)
					if !decFits(d, p) {
						return fmt.Errorf("does not fit %s", to)
					}
					out.d[i] = d
					return nil
				}
				d, ok := toDecimal(in, from, i, to)
				if !ok {
					return fmt.Errorf("does not fit %s", to)
				}
				out.d[i] = d
				return nil
			}
		case kDouble:
			return func(in, out *vec, i int) error {
				if math.IsNaN(in.f[i]) || math.IsInf(in.f[i], 0) {
					return errNotFinite
				}
				// The DOUBLE's shortest decimal text: 0.1 is 0.1, not
				// 0.1000000000000000055511151231257827.
				r, _ := new(big.Rat).SetString(strconv.FormatFloat(in.f[i], 'g', -1, 64))
				d, err := ratToDecimal(r, p, s)
				out.d[i] = d
				return err
			}
		case kVarchar:
			return func(in, out *vec, i int) error {
				r, err := parseDecimalText(in.s[i])
				if err != nil {
					return err
				}
				d, err := ratToDecimal(r, p, s)
				out.d[i] = d
				return err
			}
		case kBoolean:
			return func(in, out *vec, i int) error {
				d, ok := decUpscale(decimal128.FromI64(b2i(in.b[i])), s)
				if !ok || !decFits(d, p) {
					return fmt.Errorf("does not fit %s", to)
				}
				out.d[i] = d
				return nil
			}
		}
	case kVarchar:
		if from.k == kBinary || from.k == kList || from.k == kInterval {
			return nil
		}
		return func(in, out *vec, i int) error { out.s[i] = formatValue(in, from, i); return nil }
	case kBoolean:
		switch from.k {
		case kBigint:
			return func(in, out *vec, i int) error { out.b[i] = in.i[i] != 0; return nil }
		case kDouble:
			return func(in, out *vec, i int) error { out.b[i] = in.f[i] != 0; return nil }
		case kDecimal:
			return func(in, out *vec, i int) error { out.b[i] = in.d[i].Sign() != 0; return nil }
		case kVarchar:
			return func(in, out *vec, i int) error {
				switch strings.ToLower(strings.TrimSpace(in.s[i])) {
				case "true", "t", "yes", "y", "1":
					out.b[i] = true
				case "false", "f", "no", "n", "0":
					out.b[i] = false
				default:
					return errNotBool
				}
				return nil
			}
		}
	case kTimestamp:
		switch from.k {
		case kDate:
			return func(in, out *vec, i int) error { out.i[i] = in.i[i] * usPerDay; return nil }
		case kVarchar:
			return func(in, out *vec, i int) error {
				us, err := parseTimestamp(in.s[i])
				out.i[i] = us
				return err
			}
		}
	case kDate:
		switch from.k {
		case kTimestamp:
			return func(in, out *vec, i int) error { out.i[i] = floorDiv(in.i[i], usPerDay); return nil }
		case kVarchar:
			return func(in, out *vec, i int) error {
				if d, err := parseDate(in.s[i]); err == nil {
					out.i[i] = d
					return nil
				}
				us, err := parseTimestamp(in.s[i])
				out.i[i] = floorDiv(us, usPerDay)
				return err
			}
		}
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// formatValue prints row i of v (type t) as CAST AS VARCHAR does:
// numbers in full (no exponent below 10^21), DECIMALs with their scale,
// timestamps as 2006-01-02 15:04:05[.ffffff], booleans true/false.
func formatValue(v *vec, t typ, i int) string {
	if !v.isValid(i) {
		return "NULL"
	}
	switch t.k {
	case kBigint:
		return strconv.FormatInt(v.i[i], 10)
	case kDouble:
		return formatDouble(v.f[i])
	case kDecimal:
		return v.d[i].ToString(t.scale)
	case kVarchar:
		return v.s[i]
	case kBoolean:
		if v.b[i] {
			return "true"
		}
		return "false"
	case kTimestamp:
		return formatTimestamp(v.i[i])
	case kDate:
		return formatDate(v.i[i])
	case kInterval:
		return strconv.FormatInt(v.i[i]/usPerSecond, 10) + " SECOND"
	case kBinary:
		return fmt.Sprintf("x'%x'", v.s[i])
	}
	return "?"
}

// quoteValue is formatValue for error messages: VARCHARs quoted, so
// that spaces and empty strings show.
func quoteValue(v *vec, t typ, i int) string {
	if t.k == kVarchar && v.isValid(i) {
		return quoteString(v.s[i])
	}
	return formatValue(v, t, i)
}

func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0 || math.Abs(f) >= 1e-6 && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
