package expr

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// vec is a node's values for one batch. Only the slice of the node's
// kind is set; each has one entry per row. valid nil means no NULLs.
// Values under NULL rows are meaningless. A vec is never modified once
// a node has returned it (several nodes may share its slices).
type vec struct {
	valid []bool
	i     []int64          // BIGINT, TIMESTAMP (µs), DATE (days), INTERVAL (µs)
	f     []float64        // DOUBLE
	d     []decimal128.Num // DECIMAL (unscaled)
	s     []string         // VARCHAR, BINARY
	b     []bool           // BOOLEAN
	// arr, when set, holds exactly these values as an Arrow array of the
	// node's type, so a column passes through without a copy.
	arr arrow.Array
}

func (v *vec) isValid(i int) bool { return v.valid == nil || v.valid[i] }

// rows is the number of rows of v.
func (v *vec) rows() int {
	switch {
	case v.valid != nil:
		return len(v.valid)
	case v.i != nil:
		return len(v.i)
	case v.f != nil:
		return len(v.f)
	case v.d != nil:
		return len(v.d)
	case v.s != nil:
		return len(v.s)
	case v.b != nil:
		return len(v.b)
	}
	return 0
}

// setNull marks row i NULL, allocating validity if needed.
func (v *vec) setNull(i int) {
	if v.valid == nil {
		v.valid = fill(true, v.rows())
	}
	v.valid[i] = false
}

// newVec allocates n rows of kind k's slice.
func newVec(k kind, n int) *vec {
	v := &vec{}
	switch k {
	case kBigint, kTimestamp, kDate, kInterval:
		v.i = make([]int64, n)
	case kDouble:
		v.f = make([]float64, n)
	case kDecimal:
		v.d = make([]decimal128.Num, n)
	case kVarchar, kBinary:
		v.s = make([]string, n)
	case kBoolean:
		v.b = make([]bool, n)
	}
	return v
}

// nullVec is n NULLs of kind k.
func nullVec(k kind, n int) *vec {
	v := newVec(k, n)
	v.valid = make([]bool, n)
	return v
}

// set copies row j of w into row i of v (same kind).
func (v *vec) set(i int, w *vec, j int) {
	switch {
	case v.i != nil:
		v.i[i] = w.i[j]
	case v.f != nil:
		v.f[i] = w.f[j]
	case v.d != nil:
		v.d[i] = w.d[j]
	case v.s != nil:
		v.s[i] = w.s[j]
	case v.b != nil:
		v.b[i] = w.b[j]
	}
}

// broadcast repeats row 0 of a one-row vec n times.
func broadcast(c *vec, n int) *vec {
	v := &vec{}
	if !c.isValid(0) {
		v.valid = make([]bool, n)
	}
	switch {
	case c.i != nil:
		v.i = fill(c.i[0], n)
	case c.f != nil:
		v.f = fill(c.f[0], n)
	case c.d != nil:
		v.d = fill(c.d[0], n)
	case c.s != nil:
		v.s = fill(c.s[0], n)
	case c.b != nil:
		v.b = fill(c.b[0], n)
	}
	return v
}

func fill[T any](x T, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = x
	}
	return s
}

// andValid is the rows where both a and b are valid (nil: all).
func andValid(n int, vs ...[]bool) []bool {
	var out []bool
	for _, v := range vs {
		if v == nil {
			continue
		}
		if out == nil {
			out = append([]bool(nil), v[:n]...)
			continue
		}
		for i := range out {
			out[i] = out[i] && v[i]
		}
	}
	return out
}

// live reports whether row i of a node must be computed: it is wanted
// (act is nil or act[i]) and its inputs are not NULL (valid). Errors are
// raised only for live rows: a row a CASE or AND discards never fails.
func live(act, valid []bool, i int) bool {
	return (act == nil || act[i]) && (valid == nil || valid[i])
}

// validOf reads an Arrow array's validity (nil: no NULLs).
func validOf(a arrow.Array) []bool {
	n := a.Len()
	if a.NullN() == 0 {
		return nil
	}
	if a.NullN() == n {
		return make([]bool, n)
	}
	v := make([]bool, n)
	for i := range v {
		v[i] = a.IsValid(i)
	}
	return v
}

func widen[T int8 | int16 | int32 | uint8 | uint16 | uint32 | int64](in []T) []int64 {
	out := make([]int64, len(in))
	for i, x := range in {
		out[i] = int64(x)
	}
	return out
}

// load reads an Arrow array as a vec of type t (typeOfArrow(a)). The
// vec's strings point into a's buffers: a must outlive it. badRow
// reports a value that cannot be represented (a BIGINT UNSIGNED above
// 2^63-1, a seconds timestamp out of range); such rows are NULL in the
// vec and listed in bad, for the caller to fail on if they are used.
func load(a arrow.Array, t typ) (v *vec, bad []int) {
	v = &vec{valid: validOf(a)}
	switch a := a.(type) {
	case *array.Int8:
		v.i = widen(a.Int8Values())
	case *array.Int16:
		v.i = widen(a.Int16Values())
	case *array.Int32:
		v.i = widen(a.Int32Values())
	case *array.Int64:
		v.i, v.arr = a.Int64Values(), a
	case *array.Uint8:
		v.i = widen(a.Uint8Values())
	case *array.Uint16:
		v.i = widen(a.Uint16Values())
	case *array.Uint32:
		v.i = widen(a.Uint32Values())
	case *array.Uint64:
		in := a.Uint64Values()
		v.i = make([]int64, len(in))
		for i, x := range in {
			if x > math.MaxInt64 && v.isValid(i) {
				bad = append(bad, i)
				continue
			}
			v.i[i] = int64(x)
		}
	case *array.Float32:
		in := a.Float32Values()
		v.f = make([]float64, len(in))
		for i, x := range in {
			v.f[i] = float64(x)
		}
	case *array.Float64:
		v.f, v.arr = a.Float64Values(), a
	case *array.Decimal128:
		v.d, v.arr = a.Values(), a
	case *array.String:
		v.s, v.arr = make([]string, a.Len()), a
		for i := range v.s {
			v.s[i] = a.Value(i)
		}
	case *array.LargeString:
		v.s = make([]string, a.Len())
		for i := range v.s {
			v.s[i] = a.Value(i)
		}
	case *array.Binary:
		v.s, v.arr = make([]string, a.Len()), a
		for i := range v.s {
			v.s[i] = a.ValueString(i)
		}
	case *array.Boolean:
		v.b, v.arr = make([]bool, a.Len()), a
		for i := range v.b {
			v.b[i] = a.Value(i)
		}
	case *array.Timestamp:
		in := a.TimestampValues()
		v.i = make([]int64, len(in))
		per := int64(1)
		switch a.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			per = usPerSecond
		case arrow.Millisecond:
			per = 1000
		default:
			v.arr = a
		}
		for i, x := range in {
			if int64(x) > math.MaxInt64/per || int64(x) < math.MinInt64/per {
				bad = append(bad, i)
				continue
			}
			v.i[i] = int64(x) * per
		}
	case *array.Date32:
		in := a.Date32Values()
		v.i, v.arr = make([]int64, len(in)), a
		for i, x := range in {
			v.i[i] = int64(x)
		}
	case *array.List:
		v.arr = a
	case *array.Null:
		v.valid = make([]bool, a.Len())
		v.s = make([]string, a.Len())
	default:
		panic(fmt.Sprintf("expr: load %s", a.DataType())) // typeOfArrow admitted only the above
	}
	if len(bad) > 0 {
		v.arr = nil
		if v.valid == nil {
			v.valid = fill(true, a.Len())
		}
		for _, i := range bad {
			v.valid[i] = false
		}
	}
	return v, bad
}

// toArrow builds the Arrow array of n rows of v, of type t.
func toArrow(v *vec, t typ, n int, mem memory.Allocator) (arrow.Array, error) {
	dt := t.arrowType()
	if v.arr != nil && v.arr.Len() == n && arrow.TypeEqual(v.arr.DataType(), dt) {
		v.arr.Retain()
		return v.arr, nil
	}
	if t.k == kNull {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.AppendNulls(n)
		return b.NewArray(), nil
	}
	bld := array.NewBuilder(mem, dt)
	defer bld.Release()
	bld.Reserve(n)
	switch b := bld.(type) {
	case *array.Int64Builder:
		b.AppendValues(v.i[:n], v.valid)
	case *array.Float64Builder:
		b.AppendValues(v.f[:n], v.valid)
	case *array.Decimal128Builder:
		b.AppendValues(v.d[:n], v.valid)
	case *array.BooleanBuilder:
		b.AppendValues(v.b[:n], v.valid)
	case *array.StringBuilder:
		for i := range n {
			if v.isValid(i) {
				b.Append(v.s[i])
			} else {
				b.AppendNull()
			}
		}
	case *array.BinaryBuilder:
		for i := range n {
			if v.isValid(i) {
				b.AppendString(v.s[i])
			} else {
				b.AppendNull()
			}
		}
	case *array.TimestampBuilder:
		for i := range n {
			if v.isValid(i) {
				b.UnsafeAppend(arrow.Timestamp(v.i[i]))
			} else {
				b.UnsafeAppendBoolToBitmap(false)
			}
		}
	case *array.Date32Builder:
		for i := range n {
			if !v.isValid(i) {
				b.UnsafeAppendBoolToBitmap(false)
				continue
			}
			if v.i[i] > math.MaxInt32 || v.i[i] < math.MinInt32 {
				return nil, fmt.Errorf("day %d is out of the DATE range", v.i[i])
			}
			b.UnsafeAppend(arrow.Date32(v.i[i]))
		}
	default:
		return nil, fmt.Errorf("expr: cannot build a %s array", dt)
	}
	return bld.NewArray(), nil
}
