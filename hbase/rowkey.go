package hbase

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RowKeyEncoder builds HBase row keys from columns of Arrow record
// batches. The encoding (docs/hbase.md has it byte by byte):
//
//   - optional salt: one byte, FNV-1a (32 bit) of the rest of the key
//     modulo the bucket count, to spread monotonically growing keys over
//     regions pre-split at the bucket boundaries;
//   - each key column in order:
//   - signed integers: big-endian in their own width (1, 2, 4 or 8 bytes)
//     with the sign bit flipped, so byte order is numeric order;
//   - unsigned integers: big-endian in their width;
//   - DATE: 4 bytes, days since 1970-01-01, sign bit flipped; DATETIME and
//     TIMESTAMP: 8 bytes, microseconds since 1970-01-01 UTC, sign bit
//     flipped; YEAR as a 2-byte integer;
//   - text and binary: the bytes themselves when the column is the last
//     one of the key; otherwise escaped and terminated — 0x00 becomes
//     0x00 0xFF and the value ends with 0x00 0x01 — so no two different
//     rows give the same key and byte order is the columns' order.
//
// DECIMAL, FLOAT and DOUBLE key columns are refused (no order-preserving
// form worth the surprise); so are NULL key values.
type RowKeyEncoder struct {
	cols  []int
	names []string
	salt  int
	parts []keyPart
}

type keyPart func(a arrow.Array, row int, dst []byte, last bool) []byte

// NewRowKeyEncoder prepares keys from the named columns of schema; salt
// is the number of salt buckets (0: no salt, at most 256).
func NewRowKeyEncoder(schema *arrow.Schema, columns []string, salt int) (*RowKeyEncoder, error) {
	if len(columns) == 0 {
		return nil, errors.New("hbase row key: no columns")
	}
	if salt < 0 || salt > 256 {
		return nil, fmt.Errorf("hbase row key: %d salt buckets: want 0 to 256", salt)
	}
	e := &RowKeyEncoder{salt: salt, names: columns}
	for _, name := range columns {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("hbase row key: no column %q", name)
		}
		f := schema.Field(idx[0])
		p, err := keyPartFor(f)
		if err != nil {
			return nil, err
		}
		e.cols = append(e.cols, idx[0])
		e.parts = append(e.parts, p)
	}
	return e, nil
}

// Key appends the row key of row to dst.
func (e *RowKeyEncoder) Key(rec arrow.RecordBatch, row int, dst []byte) ([]byte, error) {
	start := len(dst)
	if e.salt > 0 {
		dst = append(dst, 0)
	}
	body := len(dst)
	for i, c := range e.cols {
		a := rec.Column(c)
		if a.IsNull(row) {
			return dst[:start], fmt.Errorf("hbase row key: column %s is NULL", e.names[i])
		}
		dst = e.parts[i](a, row, dst, i == len(e.cols)-1)
	}
	if e.salt > 0 {
		dst[start] = SaltOf(dst[body:], e.salt)
	}
	return dst, nil
}

// SaltOf is the salt byte of an unsalted key.
func SaltOf(key []byte, buckets int) byte {
	h := fnv.New32a()
	h.Write(key)
	return byte(h.Sum32() % uint32(buckets))
}

// SaltSplits are the split keys of a table pre-split at the salt bucket
// boundaries: one region per bucket.
func SaltSplits(buckets int) [][]byte {
	var out [][]byte
	for b := 1; b < buckets; b++ {
		out = append(out, []byte{byte(b)})
	}
	return out
}

func keyPartFor(f arrow.Field) (keyPart, error) {
	switch f.Type.ID() {
	case arrow.INT8:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return append(dst, uint8(a.(*array.Int8).Value(r))^0x80)
		}, nil
	case arrow.INT16:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint16(dst, uint16(a.(*array.Int16).Value(r))^0x8000)
		}, nil
	case arrow.INT32:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint32(dst, uint32(a.(*array.Int32).Value(r))^0x80000000)
		}, nil
	case arrow.INT64:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint64(dst, uint64(a.(*array.Int64).Value(r))^(1<<63))
		}, nil
	case arrow.UINT8:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte { return append(dst, a.(*array.Uint8).Value(r)) }, nil
	case arrow.UINT16:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint16(dst, a.(*array.Uint16).Value(r))
		}, nil
	case arrow.UINT32:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint32(dst, a.(*array.Uint32).Value(r))
		}, nil
	case arrow.UINT64:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint64(dst, a.(*array.Uint64).Value(r))
		}, nil
	case arrow.DATE32:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint32(dst, uint32(a.(*array.Date32).Value(r))^0x80000000)
		}, nil
	case arrow.TIMESTAMP:
		return func(a arrow.Array, r int, dst []byte, _ bool) []byte {
			return binary.BigEndian.AppendUint64(dst, uint64(a.(*array.Timestamp).Value(r))^(1<<63))
		}, nil
	case arrow.STRING:
		return func(a arrow.Array, r int, dst []byte, last bool) []byte {
			return appendKeyBytes(dst, []byte(a.(*array.String).Value(r)), last)
		}, nil
	case arrow.BINARY:
		return func(a arrow.Array, r int, dst []byte, last bool) []byte {
			return appendKeyBytes(dst, a.(*array.Binary).Value(r), last)
		}, nil
	}
	return nil, fmt.Errorf("hbase row key: column %s is %s: key columns must be integers, dates, times or text", f.Name, f.Type)
}

// appendKeyBytes writes b raw as the key's last part, else escaped and
// terminated.
func appendKeyBytes(dst, b []byte, last bool) []byte {
	if last {
		return append(dst, b...)
	}
	for _, c := range b {
		dst = append(dst, c)
		if c == 0 {
			dst = append(dst, 0xFF)
		}
	}
	return append(dst, 0x00, 0x01)
}
