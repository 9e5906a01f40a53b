package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// kind is a value type of the language.
type kind uint8

const (
	kNull      kind = iota // a bare NULL, until its context gives it a type
	kBigint                // int64
	kDouble                // float64
	kDecimal               // decimal128 with prec, scale
	kVarchar               // UTF-8 string
	kBoolean               //
	kTimestamp             // µs since the epoch, with tz
	kDate                  // days since the epoch
	kInterval              // µs; only literals, only with timestamps
	kBinary                // bytes: =, <>, IN, IS NULL and Go functions only
	kList                  // list<utf8> (MySQL SET): Go functions only
)

// typ is a value type with its parameters.
type typ struct {
	k     kind
	prec  int32          // kDecimal
	scale int32          // kDecimal
	tz    string         // kTimestamp: "" a wall clock (DATETIME), else an instant's zone
	list  arrow.DataType // kList: the column's own type
}

var (
	tNull     = typ{k: kNull}
	tBigint   = typ{k: kBigint}
	tDouble   = typ{k: kDouble}
	tVarchar  = typ{k: kVarchar}
	tBoolean  = typ{k: kBoolean}
	tDate     = typ{k: kDate}
	tInterval = typ{k: kInterval}
	tBinary   = typ{k: kBinary}
)

func tDecimal(p, s int32) typ  { return typ{k: kDecimal, prec: p, scale: s} }
func tTimestamp(tz string) typ { return typ{k: kTimestamp, tz: tz} }

func (t typ) String() string {
	switch t.k {
	case kNull:
		return "NULL"
	case kBigint:
		return "BIGINT"
	case kDouble:
		return "DOUBLE"
	case kDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.prec, t.scale)
	case kVarchar:
		return "VARCHAR"
	case kBoolean:
		return "BOOLEAN"
	case kTimestamp:
		if t.tz != "" {
			return "TIMESTAMP (" + t.tz + ")"
		}
		return "TIMESTAMP"
	case kDate:
		return "DATE"
	case kInterval:
		return "INTERVAL"
	case kBinary:
		return "BINARY"
	case kList:
		return "SET (" + t.list.String() + ")"
	}
	return "?"
}

func (t typ) equal(u typ) bool {
	if t.k != u.k {
		return false
	}
	switch t.k {
	case kDecimal:
		return t.prec == u.prec && t.scale == u.scale
	case kTimestamp:
		return t.tz == u.tz
	case kList:
		return arrow.TypeEqual(t.list, u.list)
	}
	return true
}

func (t typ) numeric() bool { return t.k == kBigint || t.k == kDouble || t.k == kDecimal }

// arrowType is the Arrow type of a result of type t. A bare NULL comes
// out as a NULL VARCHAR, the type writers everywhere accept.
func (t typ) arrowType() arrow.DataType {
	switch t.k {
	case kBigint:
		return arrow.PrimitiveTypes.Int64
	case kDouble:
		return arrow.PrimitiveTypes.Float64
	case kDecimal:
		return &arrow.Decimal128Type{Precision: t.prec, Scale: t.scale}
	case kBoolean:
		return arrow.FixedWidthTypes.Boolean
	case kTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: t.tz}
	case kDate:
		return arrow.FixedWidthTypes.Date32
	case kBinary:
		return arrow.BinaryTypes.Binary
	case kList:
		return t.list
	}
	return arrow.BinaryTypes.String
}

// typeOfArrow is the language type of a column (or a Go function's
// argument or result) of Arrow type dt; narrower integers widen to
// BIGINT and FLOAT to DOUBLE.
func typeOfArrow(dt arrow.DataType) (typ, error) {
	switch t := dt.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		return tBigint, nil
	case *arrow.Float32Type, *arrow.Float64Type:
		return tDouble, nil
	case *arrow.Decimal128Type:
		return tDecimal(t.Precision, t.Scale), nil
	case *arrow.StringType, *arrow.LargeStringType:
		return tVarchar, nil
	case *arrow.BooleanType:
		return tBoolean, nil
	case *arrow.TimestampType:
		if t.Unit == arrow.Nanosecond {
			return typ{}, fmt.Errorf("%s: nanosecond timestamps would lose digits as microseconds", dt)
		}
		return tTimestamp(t.TimeZone), nil
	case *arrow.Date32Type:
		return tDate, nil
	case *arrow.BinaryType:
		return tBinary, nil
	case *arrow.ListType:
		if t.Elem().ID() == arrow.STRING {
			return typ{k: kList, list: dt}, nil
		}
	case *arrow.NullType:
		return tNull, nil
	}
	return typ{}, fmt.Errorf("type %s is not one expressions use", dt)
}

// maxDigits is the most digits a DECIMAL holds.
const maxDigits = 38

// unify is the type that values of types a and b both become in a
// result (CASE branches, COALESCE, IN and comparison operands): BIGINT
// with DOUBLE is DOUBLE; DECIMALs widen exactly; a DECIMAL never mixes
// with a DOUBLE, which would lose digits.
func unify(a, b typ) (typ, error) {
	switch {
	case a.k == kNull:
		return b, nil
	case b.k == kNull:
		return a, nil
	case a.equal(b):
		return a, nil
	case a.k == kTimestamp && b.k == kTimestamp:
		return typ{}, fmt.Errorf("TIMESTAMP zones differ (%q and %q)", a.tz, b.tz)
	case a.k == kDouble && b.k == kBigint, a.k == kBigint && b.k == kDouble:
		return tDouble, nil
	case a.k == kDecimal && b.k == kDouble, a.k == kDouble && b.k == kDecimal:
		return typ{}, fmt.Errorf("%s and %s do not mix exactly (CAST the DECIMAL AS DOUBLE)", a, b)
	case a.k == kDecimal || b.k == kDecimal:
		if !a.numeric() || !b.numeric() {
			break
		}
		ai, as := decimalShape(a)
		bi, bs := decimalShape(b)
		s := max(as, bs)
		if p := max(ai, bi) + s; p <= maxDigits {
			return tDecimal(p, s), nil
		}
		return typ{}, fmt.Errorf("%s and %s together need more than %d digits (CAST AS DOUBLE)", a, b, maxDigits)
	}
	return typ{}, fmt.Errorf("%s and %s are different types", a, b)
}

// decimalShape is the integer digits and scale that hold every value of
// a BIGINT or DECIMAL type.
func decimalShape(t typ) (intDigits, scale int32) {
	if t.k == kBigint {
		return 19, 0
	}
	return t.prec - t.scale, t.scale
}
