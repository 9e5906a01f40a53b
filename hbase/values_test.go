package hbase

import (
	"bytes"
	"math"
	"math/big"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Every type the import writes survives encoding and decoding, at its
// edges.
func TestTypedValuesRoundTrip(t *testing.T) {
	mem := memory.NewGoAllocator()
	dec := &arrow.Decimal128Type{Precision: 38, Scale: 10}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8}, {Name: "i16", Type: arrow.PrimitiveTypes.Int16},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32}, {Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8}, {Name: "u16", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32}, {Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32}, {Name: "f64", Type: arrow.PrimitiveTypes.Float64},
		{Name: "dec", Type: dec}, {Name: "d", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "s", Type: arrow.BinaryTypes.String}, {Name: "b", Type: arrow.BinaryTypes.Binary},
		{Name: "set", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	maxDec, _ := decimal128.FromString("9999999999999999999999999999.9999999999", 38, 10)
	minDec, _ := decimal128.FromString("-9999999999999999999999999999.9999999999", 38, 10)
	for row := range 3 {
		pick := func(lo, mid, hi any) any { return []any{lo, mid, hi}[row] }
		b.Field(0).(*array.Int8Builder).Append(pick(int8(math.MinInt8), int8(0), int8(math.MaxInt8)).(int8))
		b.Field(1).(*array.Int16Builder).Append(pick(int16(math.MinInt16), int16(-1), int16(math.MaxInt16)).(int16))
		b.Field(2).(*array.Int32Builder).Append(pick(int32(math.MinInt32), int32(1), int32(math.MaxInt32)).(int32))
		b.Field(3).(*array.Int64Builder).Append(pick(int64(math.MinInt64), int64(0), int64(math.MaxInt64)).(int64))
		b.Field(4).(*array.Uint8Builder).Append(pick(uint8(0), uint8(1), uint8(math.MaxUint8)).(uint8))
		b.Field(5).(*array.Uint16Builder).Append(pick(uint16(0), uint16(1), uint16(math.MaxUint16)).(uint16))
		b.Field(6).(*array.Uint32Builder).Append(pick(uint32(0), uint32(1), uint32(math.MaxUint32)).(uint32))
		b.Field(7).(*array.Uint64Builder).Append(pick(uint64(0), uint64(1), uint64(math.MaxUint64)).(uint64))
		b.Field(8).(*array.Float32Builder).Append(pick(float32(-math.MaxFloat32), float32(0.1), float32(math.SmallestNonzeroFloat32)).(float32))
		b.Field(9).(*array.Float64Builder).Append(pick(-math.MaxFloat64, 0.30000000000000004, math.SmallestNonzeroFloat64).(float64))
		b.Field(10).(*array.Decimal128Builder).Append(pick(minDec, decimal128.FromI64(0), maxDec).(decimal128.Num))
		b.Field(11).(*array.Date32Builder).Append(pick(arrow.Date32(-719162), arrow.Date32(0), arrow.Date32(2932896)).(arrow.Date32))
		b.Field(12).(*array.TimestampBuilder).Append(pick(arrow.Timestamp(-62135596800000000), arrow.Timestamp(0), arrow.Timestamp(253402300799999999)).(arrow.Timestamp))
		b.Field(13).(*array.StringBuilder).Append(pick("", "héllo 🌍", "a,b").(string))
		b.Field(14).(*array.BinaryBuilder).Append(pick([]byte{}, []byte{0, 1, 0xff}, bytes.Repeat([]byte{7}, 70000)).([]byte))
		lb := b.Field(15).(*array.ListBuilder)
		lb.Append(true)
		for _, m := range pick([]string{}, []string{"a"}, []string{"a", "b"}).([]string) {
			lb.ValueBuilder().(*array.StringBuilder).Append(m)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	back := array.NewRecordBuilder(mem, schema)
	defer back.Release()
	for row := 0; row < 3; row++ {
		for c := 0; c < int(rec.NumCols()); c++ {
			enc, err := AppendTyped(nil, rec.Column(c), row)
			if err != nil {
				t.Fatalf("%s: %v", schema.Field(c).Name, err)
			}
			if err := AppendDecoded(back.Field(c), enc); err != nil {
				t.Fatalf("%s row %d: %v", schema.Field(c).Name, row, err)
			}
		}
	}
	got := back.NewRecordBatch()
	defer got.Release()
	if !array.RecordEqual(rec, got) {
		for c := 0; c < int(rec.NumCols()); c++ {
			if !array.Equal(rec.Column(c), got.Column(c)) {
				t.Errorf("%s: %v, back %v", schema.Field(c).Name, rec.Column(c), got.Column(c))
			}
		}
	}
}

// The bytes Java's org.apache.hadoop.hbase.util.Bytes writes.
func TestTypedValuesJavaBytes(t *testing.T) {
	mem := memory.NewGoAllocator()
	enc := func(a arrow.Array) []byte {
		defer a.Release()
		b, err := AppendTyped(nil, a, 0)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	i32 := array.NewInt32Builder(mem)
	i32.Append(-2)
	if got := enc(i32.NewArray()); !bytes.Equal(got, []byte{0xff, 0xff, 0xff, 0xfe}) {
		t.Errorf("Bytes.toBytes(-2) = %x", got)
	}
	f64 := array.NewFloat64Builder(mem)
	f64.Append(1.5)
	if got := enc(f64.NewArray()); !bytes.Equal(got, []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("Bytes.toBytes(1.5d) = %x", got)
	}
	for _, tt := range []struct {
		text  string
		scale int32
		want  []byte
	}{
		{"1.23", 2, []byte{0, 0, 0, 2, 0x7b}},
		{"-1.00", 2, []byte{0, 0, 0, 2, 0x9c}},
		{"1.28", 2, []byte{0, 0, 0, 2, 0x00, 0x80}},
		{"-1.28", 2, []byte{0, 0, 0, 2, 0x80}},
		{"-1.29", 2, []byte{0, 0, 0, 2, 0xff, 0x7f}},
		{"0", 0, []byte{0, 0, 0, 0, 0}},
	} {
		dt := &arrow.Decimal128Type{Precision: 10, Scale: tt.scale}
		n, err := decimal128.FromString(tt.text, 10, tt.scale)
		if err != nil {
			t.Fatal(err)
		}
		db := array.NewDecimal128Builder(mem, dt)
		db.Append(n)
		if got := enc(db.NewArray()); !bytes.Equal(got, tt.want) {
			t.Errorf("Bytes.toBytes(new BigDecimal(%q)) = %x, want %x", tt.text, got, tt.want)
		}
	}
	for _, v := range []int64{0, 1, -1, 127, 128, -128, -129, 255, 256, math.MaxInt64, math.MinInt64} {
		if got := fromTwosComplement(twosComplement(big.NewInt(v))); got.Int64() != v {
			t.Errorf("two's complement of %d comes back as %d", v, got)
		}
	}
}

func TestTypedValuesRefused(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := array.NewInt32Builder(mem)
	if err := AppendDecoded(b, []byte{1, 2}); err == nil {
		t.Error("2 bytes decoded as an INT")
	}
	u := array.NewUint8Builder(mem)
	if err := AppendDecoded(u, []byte{1, 0}); err == nil {
		t.Error("256 decoded as TINYINT UNSIGNED")
	}
	d := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 5, Scale: 2})
	if err := AppendDecoded(d, []byte{0, 0, 0, 3, 1}); err == nil {
		t.Error("a DECIMAL of another scale was accepted")
	}
}
