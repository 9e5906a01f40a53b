package engine

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/shopspring/decimal"
)

// sqlType is the MySQL type a column of Arrow type t is shown as.
func sqlType(t arrow.DataType) (gsql.Type, error) {
	switch t := t.(type) {
	case *arrow.Int8Type:
		return types.Int8, nil
	case *arrow.Int16Type:
		return types.Int16, nil
	case *arrow.Int32Type:
		return types.Int32, nil
	case *arrow.Int64Type:
		return types.Int64, nil
	case *arrow.Uint8Type:
		return types.Uint8, nil
	case *arrow.Uint16Type:
		return types.Uint16, nil
	case *arrow.Uint32Type:
		return types.Uint32, nil
	case *arrow.Uint64Type:
		return types.Uint64, nil
	case *arrow.Float32Type:
		return types.Float32, nil
	case *arrow.Float64Type:
		return types.Float64, nil
	case *arrow.Decimal128Type:
		if t.Precision > 65 || t.Scale > 30 {
			return nil, fmt.Errorf("DECIMAL(%d,%d) is wider than MySQL's", t.Precision, t.Scale)
		}
		return types.CreateDecimalType(uint8(t.Precision), uint8(t.Scale))
	case *arrow.StringType, *arrow.LargeStringType:
		return types.LongText, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		return types.LongBlob, nil
	case *arrow.Date32Type:
		return types.Date, nil
	case *arrow.TimestampType:
		return types.DatetimeMaxPrecision, nil
	case *arrow.BooleanType:
		return types.Boolean, nil
	case *arrow.Time32Type, *arrow.Time64Type:
		return types.Time, nil
	}
	return nil, fmt.Errorf("arrow type %s has no MySQL type here", t)
}

// valueFunc reads row i of a column as the Go value go-mysql-server
// expects for the column's type (nil for NULL).
type valueFunc func(i int) any

func valuesOf(a arrow.Array) (valueFunc, error) {
	null := func(f valueFunc) valueFunc {
		if a.NullN() == 0 {
			return f
		}
		return func(i int) any {
			if a.IsNull(i) {
				return nil
			}
			return f(i)
		}
	}
	switch c := a.(type) {
	case *array.Int8:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Int16:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Int32:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Int64:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Uint8:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Uint16:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Uint32:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Uint64:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Float32:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Float64:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Decimal128:
		scale := c.DataType().(*arrow.Decimal128Type).Scale
		return null(func(i int) any { return decimal.NewFromBigInt(c.Value(i).BigInt(), -scale) }), nil
	case *array.String:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.LargeString:
		return null(func(i int) any { return c.Value(i) }), nil
	case *array.Binary:
		return null(func(i int) any { return append([]byte(nil), c.Value(i)...) }), nil
	case *array.LargeBinary:
		return null(func(i int) any { return append([]byte(nil), c.Value(i)...) }), nil
	case *array.FixedSizeBinary:
		return null(func(i int) any { return append([]byte(nil), c.Value(i)...) }), nil
	case *array.Date32:
		return null(func(i int) any { return c.Value(i).ToTime().UTC() }), nil
	case *array.Timestamp:
		toTime, err := c.DataType().(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		return null(func(i int) any { return toTime(c.Value(i)).UTC() }), nil
	case *array.Boolean:
		return null(func(i int) any {
			if c.Value(i) {
				return int8(1)
			}
			return int8(0)
		}), nil
	case *array.Time32:
		unit := c.DataType().(*arrow.Time32Type).Unit
		return null(func(i int) any { return timeOfDay(int64(c.Value(i)), unit) }), nil
	case *array.Time64:
		unit := c.DataType().(*arrow.Time64Type).Unit
		return null(func(i int) any { return timeOfDay(int64(c.Value(i)), unit) }), nil
	}
	return nil, fmt.Errorf("arrow type %s has no MySQL type here", a.DataType())
}

// timeOfDay is a TIME value as go-mysql-server takes it: a duration.
func timeOfDay(v int64, unit arrow.TimeUnit) any {
	return types.Timespan(time.Duration(v) * unit.Multiplier() / time.Microsecond)
}
