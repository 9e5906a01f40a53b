package hbase

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Typed cell values, as HBase's Java Bytes.toBytes would write them where
// Java has the type (docs/hbase.md has the table):
//
//	TINYINT                      1 byte (byte)
//	SMALLINT, TINYINT UNSIGNED   2 bytes big-endian two's complement (short)
//	INT, MEDIUMINT, SMALLINT U.  4 bytes (int)
//	BIGINT, INT UNSIGNED         8 bytes (long)
//	BIGINT UNSIGNED              8 bytes big-endian unsigned (Java reads
//	                             values above 2^63-1 as negative longs)
//	FLOAT, DOUBLE                4 or 8 bytes IEEE 754 big-endian
//	DECIMAL                      Bytes.toBytes(BigDecimal): 4-byte scale,
//	                             then the unscaled value's minimal two's
//	                             complement bytes (BigInteger.toByteArray)
//	DATE                         4 bytes: days since 1970-01-01
//	DATETIME, TIMESTAMP, TIME    8 bytes: microseconds (since 1970-01-01
//	                             UTC; TIME: signed duration)
//	YEAR                         2 bytes; BIT(n): 8 bytes unsigned
//	text, ENUM, JSON             UTF-8; SET: its members joined by ","
//	BINARY, BLOB, GEOMETRY       the bytes themselves

// AppendTyped appends the typed encoding of a[row] (not NULL) to dst.
func AppendTyped(dst []byte, a arrow.Array, row int) ([]byte, error) {
	switch a := a.(type) {
	case *array.Int8:
		return append(dst, byte(a.Value(row))), nil
	case *array.Int16:
		return binary.BigEndian.AppendUint16(dst, uint16(a.Value(row))), nil
	case *array.Int32:
		return binary.BigEndian.AppendUint32(dst, uint32(a.Value(row))), nil
	case *array.Int64:
		return binary.BigEndian.AppendUint64(dst, uint64(a.Value(row))), nil
	case *array.Uint8:
		return binary.BigEndian.AppendUint16(dst, uint16(a.Value(row))), nil
	case *array.Uint16:
		return binary.BigEndian.AppendUint32(dst, uint32(a.Value(row))), nil
	case *array.Uint32:
		return binary.BigEndian.AppendUint64(dst, uint64(a.Value(row))), nil
	case *array.Uint64:
		return binary.BigEndian.AppendUint64(dst, a.Value(row)), nil
	case *array.Float32:
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(a.Value(row))), nil
	case *array.Float64:
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(a.Value(row))), nil
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		dst = binary.BigEndian.AppendUint32(dst, uint32(scale))
		return append(dst, twosComplement(a.Value(row).BigInt())...), nil
	case *array.Date32:
		return binary.BigEndian.AppendUint32(dst, uint32(a.Value(row))), nil
	case *array.Timestamp:
		return binary.BigEndian.AppendUint64(dst, uint64(a.Value(row))), nil
	case *array.String:
		return append(dst, a.Value(row)...), nil
	case *array.Binary:
		return append(dst, a.Value(row)...), nil
	case *array.List:
		vals, ok := a.ListValues().(*array.String)
		if !ok {
			return dst, fmt.Errorf("hbase value: list of %s", a.ListValues().DataType())
		}
		start, end := a.ValueOffsets(row)
		for i := start; i < end; i++ {
			if i > start {
				dst = append(dst, ',')
			}
			dst = append(dst, vals.Value(int(i))...)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("hbase value: no typed encoding for %s", a.DataType())
}

// twosComplement is Java's BigInteger.toByteArray: the shortest big-endian
// two's complement form, at least one byte.
func twosComplement(n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// -n - 1 in bytes, inverted.
	m := new(big.Int).Neg(n)
	m.Sub(m, big.NewInt(1))
	b := m.Bytes()
	for i := range b {
		b[i] = ^b[i]
	}
	if len(b) == 0 || b[0]&0x80 == 0 {
		b = append([]byte{0xFF}, b...)
	}
	return b
}

// fromTwosComplement inverts twosComplement.
func fromTwosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return n
}

// AppendDecoded decodes a typed cell value into bld, whose type says how
// (the reader's declared column type).
func AppendDecoded(bld array.Builder, b []byte) error {
	want := func(n int) error {
		if len(b) != n {
			return fmt.Errorf("hbase value: %d bytes for %s, want %d", len(b), bld.Type(), n)
		}
		return nil
	}
	switch bld := bld.(type) {
	case *array.Int8Builder:
		if err := want(1); err != nil {
			return err
		}
		bld.Append(int8(b[0]))
	case *array.Int16Builder:
		if err := want(2); err != nil {
			return err
		}
		bld.Append(int16(binary.BigEndian.Uint16(b)))
	case *array.Int32Builder:
		if err := want(4); err != nil {
			return err
		}
		bld.Append(int32(binary.BigEndian.Uint32(b)))
	case *array.Int64Builder:
		if err := want(8); err != nil {
			return err
		}
		bld.Append(int64(binary.BigEndian.Uint64(b)))
	case *array.Uint8Builder:
		if err := want(2); err != nil {
			return err
		}
		v := binary.BigEndian.Uint16(b)
		if v > math.MaxUint8 {
			return fmt.Errorf("hbase value: %d out of TINYINT UNSIGNED range", v)
		}
		bld.Append(uint8(v))
	case *array.Uint16Builder:
		if err := want(4); err != nil {
			return err
		}
		v := binary.BigEndian.Uint32(b)
		if v > math.MaxUint16 {
			return fmt.Errorf("hbase value: %d out of SMALLINT UNSIGNED range", v)
		}
		bld.Append(uint16(v))
	case *array.Uint32Builder:
		if err := want(8); err != nil {
			return err
		}
		v := binary.BigEndian.Uint64(b)
		if v > math.MaxUint32 {
			return fmt.Errorf("hbase value: %d out of INT UNSIGNED range", v)
		}
		bld.Append(uint32(v))
	case *array.Uint64Builder:
		if err := want(8); err != nil {
			return err
		}
		bld.Append(binary.BigEndian.Uint64(b))
	case *array.Float32Builder:
		if err := want(4); err != nil {
			return err
		}
		bld.Append(math.Float32frombits(binary.BigEndian.Uint32(b)))
	case *array.Float64Builder:
		if err := want(8); err != nil {
			return err
		}
		bld.Append(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case *array.Decimal128Builder:
		if len(b) < 5 {
			return fmt.Errorf("hbase value: %d bytes for a DECIMAL", len(b))
		}
		dt := bld.Type().(*arrow.Decimal128Type)
		if scale := int32(binary.BigEndian.Uint32(b)); scale != dt.Scale {
			return fmt.Errorf("hbase value: DECIMAL of scale %d, want %d", scale, dt.Scale)
		}
		n := decimal128.FromBigInt(fromTwosComplement(b[4:]))
		if !n.FitsInPrecision(dt.Precision) {
			return fmt.Errorf("hbase value: DECIMAL does not fit precision %d", dt.Precision)
		}
		bld.Append(n)
	case *array.Date32Builder:
		if err := want(4); err != nil {
			return err
		}
		bld.Append(arrow.Date32(int32(binary.BigEndian.Uint32(b))))
	case *array.TimestampBuilder:
		if err := want(8); err != nil {
			return err
		}
		bld.Append(arrow.Timestamp(int64(binary.BigEndian.Uint64(b))))
	case *array.StringBuilder:
		bld.BinaryBuilder.Append(b)
	case *array.BinaryBuilder:
		bld.Append(b)
	case *array.ListBuilder:
		vb, ok := bld.ValueBuilder().(*array.StringBuilder)
		if !ok {
			return fmt.Errorf("hbase value: no decoding into %s", bld.Type())
		}
		bld.Append(true)
		if len(b) > 0 {
			for _, s := range strings.Split(string(b), ",") {
				vb.Append(s)
			}
		}
	default:
		return fmt.Errorf("hbase value: no decoding into %s", bld.Type())
	}
	return nil
}
