package jobs

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// keyEncoder appends a row's values of some columns as bytes that are
// equal exactly when the values are: integers of every width compare as
// numbers (an INT user_id matches a BIGINT id), -0 equals 0, strings and
// bytes by content, and NULL is its own value (joins skip NULL keys
// themselves; GROUP BY keeps them as one group, as SQL does).
type keyEncoder func(dst []byte, i int) []byte

const (
	tagNull  = 'n'
	tagInt   = 'i'
	tagUint  = 'u' // only above math.MaxInt64
	tagFloat = 'f'
	tagBytes = 's'
	tagBool  = 'b'
	tagTime  = 't'
	tagDate  = 'd'
	tagDec   = 'm'
	tagList  = 'l'
)

func putInt(dst []byte, v int64) []byte {
	dst = append(dst, tagInt)
	return binary.BigEndian.AppendUint64(dst, uint64(v))
}

func putUint(dst []byte, v uint64) []byte {
	if v <= math.MaxInt64 {
		return putInt(dst, int64(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, tagUint), v)
}

func putBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(append(dst, tagBytes), uint64(len(b)))
	return append(dst, b...)
}

// newKeyEncoder encodes one column of a batch.
func newKeyEncoder(a arrow.Array) (keyEncoder, error) {
	var enc keyEncoder
	switch v := a.(type) {
	case *array.Int8:
		enc = func(d []byte, i int) []byte { return putInt(d, int64(v.Value(i))) }
	case *array.Int16:
		enc = func(d []byte, i int) []byte { return putInt(d, int64(v.Value(i))) }
	case *array.Int32:
		enc = func(d []byte, i int) []byte { return putInt(d, int64(v.Value(i))) }
	case *array.Int64:
		enc = func(d []byte, i int) []byte { return putInt(d, v.Value(i)) }
	case *array.Uint8:
		enc = func(d []byte, i int) []byte { return putUint(d, uint64(v.Value(i))) }
	case *array.Uint16:
		enc = func(d []byte, i int) []byte { return putUint(d, uint64(v.Value(i))) }
	case *array.Uint32:
		enc = func(d []byte, i int) []byte { return putUint(d, uint64(v.Value(i))) }
	case *array.Uint64:
		enc = func(d []byte, i int) []byte { return putUint(d, v.Value(i)) }
	case *array.Float32:
		enc = func(d []byte, i int) []byte { return putFloat(d, float64(v.Value(i))) }
	case *array.Float64:
		enc = func(d []byte, i int) []byte { return putFloat(d, v.Value(i)) }
	case *array.String:
		enc = func(d []byte, i int) []byte { return putBytes(d, []byte(v.Value(i))) }
	case *array.LargeString:
		enc = func(d []byte, i int) []byte { return putBytes(d, []byte(v.Value(i))) }
	case *array.Binary:
		enc = func(d []byte, i int) []byte { return putBytes(d, v.Value(i)) }
	case *array.Boolean:
		enc = func(d []byte, i int) []byte {
			if v.Value(i) {
				return append(d, tagBool, 1)
			}
			return append(d, tagBool, 0)
		}
	case *array.Timestamp:
		enc = func(d []byte, i int) []byte {
			return binary.BigEndian.AppendUint64(append(d, tagTime), uint64(v.Value(i)))
		}
	case *array.Date32:
		enc = func(d []byte, i int) []byte {
			return binary.BigEndian.AppendUint32(append(d, tagDate), uint32(v.Value(i)))
		}
	case *array.Decimal128:
		scale := v.DataType().(*arrow.Decimal128Type).Scale
		enc = func(d []byte, i int) []byte {
			// Scale is part of the key: 1.50 and 1.5 of different
			// columns are told apart, as their types differ.
			n := v.Value(i)
			d = binary.BigEndian.AppendUint32(append(d, tagDec), uint32(scale))
			d = binary.BigEndian.AppendUint64(d, uint64(n.HighBits()))
			return binary.BigEndian.AppendUint64(d, n.LowBits())
		}
	case *array.List:
		elems, ok := v.ListValues().(*array.String)
		if !ok {
			return nil, fmt.Errorf("cannot use %s as a key", a.DataType())
		}
		enc = func(d []byte, i int) []byte {
			start, end := v.ValueOffsets(i)
			d = binary.AppendUvarint(append(d, tagList), uint64(end-start))
			for j := start; j < end; j++ {
				d = putBytes(d, []byte(elems.Value(int(j))))
			}
			return d
		}
	default:
		return nil, fmt.Errorf("cannot use %s as a key", a.DataType())
	}
	return func(d []byte, i int) []byte {
		if a.IsNull(i) {
			return append(d, tagNull)
		}
		return enc(d, i)
	}, nil
}

func putFloat(dst []byte, f float64) []byte {
	if f == 0 {
		f = 0 // -0 groups with 0
	}
	if math.IsNaN(f) {
		f = math.NaN() // one NaN
	}
	return binary.BigEndian.AppendUint64(append(dst, tagFloat), math.Float64bits(f))
}

// rowKeys encodes the key columns of a batch.
type rowKeys struct {
	encs []keyEncoder
	cols []arrow.Array
}

func newRowKeys(rec arrow.RecordBatch, idx []int) (*rowKeys, error) {
	k := &rowKeys{}
	for _, j := range idx {
		e, err := newKeyEncoder(rec.Column(j))
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", rec.ColumnName(j), err)
		}
		k.encs = append(k.encs, e)
		k.cols = append(k.cols, rec.Column(j))
	}
	return k, nil
}

// key appends row i's key; hasNull says whether a key column is NULL.
func (k *rowKeys) key(dst []byte, i int) (out []byte, hasNull bool) {
	for j, e := range k.encs {
		hasNull = hasNull || k.cols[j].IsNull(i)
		dst = e(dst, i)
	}
	return dst, hasNull
}
