package jobs

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// appendValue appends a[i] to b (same type), NULL included.
func appendValue(b array.Builder, a arrow.Array, i int) error {
	if a.IsNull(i) {
		b.AppendNull()
		return nil
	}
	switch v := a.(type) {
	case *array.Int8:
		b.(*array.Int8Builder).Append(v.Value(i))
	case *array.Int16:
		b.(*array.Int16Builder).Append(v.Value(i))
	case *array.Int32:
		b.(*array.Int32Builder).Append(v.Value(i))
	case *array.Int64:
		b.(*array.Int64Builder).Append(v.Value(i))
	case *array.Uint8:
		b.(*array.Uint8Builder).Append(v.Value(i))
	case *array.Uint16:
		b.(*array.Uint16Builder).Append(v.Value(i))
	case *array.Uint32:
		b.(*array.Uint32Builder).Append(v.Value(i))
	case *array.Uint64:
		b.(*array.Uint64Builder).Append(v.Value(i))
	case *array.Float32:
		b.(*array.Float32Builder).Append(v.Value(i))
	case *array.Float64:
		b.(*array.Float64Builder).Append(v.Value(i))
	case *array.String:
		b.(*array.StringBuilder).Append(v.Value(i))
	case *array.Binary:
		b.(*array.BinaryBuilder).Append(v.Value(i))
	case *array.Boolean:
		b.(*array.BooleanBuilder).Append(v.Value(i))
	case *array.Timestamp:
		b.(*array.TimestampBuilder).Append(v.Value(i))
	case *array.Date32:
		b.(*array.Date32Builder).Append(v.Value(i))
	case *array.Decimal128:
		b.(*array.Decimal128Builder).Append(v.Value(i))
	default:
		return fmt.Errorf("cannot copy a %s value", a.DataType())
	}
	return nil
}
