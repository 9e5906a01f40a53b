package expr

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ts reads "2006-01-02 15:04:05.999999" as µs (test-side, independent of
// parseTimestamp).
func ts(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

var (
	tsUTC  = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	tsWall = &arrow.TimestampType{Unit: arrow.Microsecond}
	price  = &arrow.Decimal128Type{Precision: 10, Scale: 2}
	qty    = &arrow.Decimal128Type{Precision: 5, Scale: 0}
)

// testBatch has 5 rows; the last is NULL in every column.
func testBatch(t testing.TB) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "big", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "at", Type: tsUTC, Nullable: true},
		{Name: "dt", Type: tsWall, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "price", Type: price, Nullable: true},
		{Name: "qty", Type: qty, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "Mixed Case", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "word", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	valid := []bool{true, true, true, true, false}
	rb.Field(0).(*array.Int32Builder).AppendValues([]int32{5, -3, 200, 0, 0}, valid)
	rb.Field(1).(*array.Int64Builder).AppendValues([]int64{9223372036854775807, 1, 0, -7, 0}, valid)
	rb.Field(2).(*array.Uint64Builder).AppendValues([]uint64{1, 2, 18446744073709551615, 3, 0}, valid)
	rb.Field(3).(*array.Float64Builder).AppendValues([]float64{1.5, -2, 0, 0.25, 0}, valid)
	rb.Field(4).(*array.Float32Builder).AppendValues([]float32{0.5, 1.25, -3, 0, 0}, valid)
	rb.Field(5).(*array.StringBuilder).AppendValues([]string{"  Hello World ", "login_failed", "user bob@example.com from 10.0.0.1", "", ""}, valid)
	times := []arrow.Timestamp{
		arrow.Timestamp(ts("2026-11-21 10:17:03.5")), arrow.Timestamp(ts("2026-11-21 10:59:59")),
		arrow.Timestamp(ts("1969-12-31 23:30:00")), arrow.Timestamp(ts("2026-11-21 00:00:00")), 0,
	}
	rb.Field(6).(*array.TimestampBuilder).AppendValues(times, valid)
	rb.Field(7).(*array.TimestampBuilder).AppendValues(times, valid)
	day := func(s string) arrow.Date32 { return arrow.Date32(ts(s+" 00:00:00") / 86_400_000_000) }
	rb.Field(8).(*array.Date32Builder).AppendValues([]arrow.Date32{day("2026-11-21"), day("2026-02-28"), day("1969-12-31"), day("2000-01-01"), 0}, valid)
	rb.Field(9).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(1234), decimal128.FromI64(-5), decimal128.FromI64(9999999999), {}, {}}, valid)
	rb.Field(10).(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(3), decimal128.FromI64(7), decimal128.FromI64(1), {}, {}}, valid)
	rb.Field(11).(*array.BooleanBuilder).AppendValues([]bool{true, false, true, false, false}, valid)
	rb.Field(12).(*array.BinaryBuilder).AppendValues([][]byte{{0, 1}, []byte("abc"), {}, []byte("abc"), nil}, valid)
	lb := rb.Field(13).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, set := range [][]string{{"a", "c"}, {}, {"b"}, {"a"}} {
		lb.Append(true)
		vb.AppendValues(set, nil)
	}
	lb.AppendNull()
	rb.Field(14).(*array.Int16Builder).AppendValues([]int16{1, 2, 3, 4, 0}, valid)
	rb.Field(15).(*array.Uint8Builder).AppendValues([]uint8{255, 0, 1, 2, 0}, valid)
	rb.Field(16).(*array.StringBuilder).AppendValues([]string{"abc", "ABC", "a%c", "héllo", ""}, valid)
	rec := rb.NewRecordBatch()
	t.Cleanup(rec.Release)
	return rec
}

// show prints an array: timestamps as UTC times (arrow prints numbers),
// everything else as arrow does.
func show(a arrow.Array) string {
	var value func(i int) string
	switch a := a.(type) {
	case *array.Timestamp:
		value = func(i int) string {
			return time.UnixMicro(int64(a.Value(i))).UTC().Format("2006-01-02 15:04:05.999999")
		}
	case *array.Decimal128:
		// arrow drops trailing zeros; the scale is part of the value here.
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		value = func(i int) string { return a.Value(i).ToString(scale) }
	default:
		return a.String()
	}
	parts := make([]string, a.Len())
	for i := range parts {
		if a.IsNull(i) {
			parts[i] = "(null)"
		} else {
			parts[i] = value(i)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// evalString compiles and evaluates src over rec, giving the result's
// type and values, or an error.
func evalString(rec arrow.RecordBatch, src string, reg *Registry) (string, string, error) {
	p, err := CompileString(src, rec.Schema(), reg)
	if err != nil {
		return "", "", err
	}
	out, err := p.Eval(rec, memory.DefaultAllocator)
	if err != nil {
		return "", "", err
	}
	defer out.Release()
	if !arrow.TypeEqual(out.DataType(), p.Type()) {
		return "", "", fmt.Errorf("Eval gave %s, Type() says %s", out.DataType(), p.Type())
	}
	if out.Len() != int(rec.NumRows()) {
		return "", "", fmt.Errorf("Eval gave %d rows for %d", out.Len(), rec.NumRows())
	}
	return out.DataType().String(), show(out), nil
}

// evalCase is one row of a table test: want is the printed result, or
// with typ "" a substring of the error.
type evalCase struct {
	src  string
	typ  string
	want string
}

func runCases(t *testing.T, rec arrow.RecordBatch, reg *Registry, cases []evalCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.src, func(t *testing.T) {
			typ, got, err := evalString(rec, tt.src, reg)
			switch {
			case tt.typ == "" && err == nil:
				t.Fatalf("%s = %s %s, want an error containing %q", tt.src, typ, got, tt.want)
			case tt.typ == "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("%s: error %q, want it to contain %q", tt.src, err, tt.want)
			case tt.typ != "" && err != nil:
				t.Fatalf("%s: %v", tt.src, err)
			case tt.typ != "" && (typ != tt.typ || got != tt.want):
				t.Errorf("%s =\n  %s %s\nwant\n  %s %s", tt.src, typ, got, tt.typ, tt.want)
			}
		})
	}
}
