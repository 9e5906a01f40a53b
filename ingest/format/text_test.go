package format

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/warehouse"
)

// testRows is the number of rows in every test column; the last one is
// NULL in nullable columns.
const testRows = 5

// textNull stands for NULL in expected text values.
const textNull = "\x00NULL"

// testColumn is one column of the shared test batch with its expected text
// (as a reader unescapes it) and its expected Avro values (see avroString).
type testColumn struct {
	field arrow.Field
	build func(array.Builder)
	text  []string
	avro  []string
}

var lastNull = []bool{true, true, true, true, false}

// vals appends values to any builder with AppendValues([]T, []bool).
func vals[T any](v []T, valid []bool) func(array.Builder) {
	return func(b array.Builder) {
		b.(interface{ AppendValues([]T, []bool) }).AppendValues(v, valid)
	}
}

func md(kv ...string) arrow.Metadata {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return arrow.MetadataFrom(m)
}

func mustDec(s string, p, sc int32) decimal128.Num {
	n, err := decimal128.FromString(s, p, sc)
	if err != nil {
		panic(err)
	}
	return n
}

func date(y int, m time.Month, d int) arrow.Date32 {
	return arrow.Date32FromTime(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

func ts(y int, m time.Month, d, h, mi, s, us int) arrow.Timestamp {
	return arrow.Timestamp(time.Date(y, m, d, h, mi, s, us*1000, time.UTC).UnixMicro())
}

func timeUS(neg bool, h, m, s, us int64) int64 {
	v := ((h*60+m)*60+s)*1e6 + us
	if neg {
		return -v
	}
	return v
}

// bigBinary is 3 MiB holding every byte value, delimiters included.
var bigBinary = func() []byte {
	b := make([]byte, 3<<20)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

func testColumns() []testColumn {
	mediumTS := &arrow.TimestampType{Unit: arrow.Microsecond}
	utcTS := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	return []testColumn{
		{
			field: arrow.Field{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true, Metadata: md(MetaMySQLType, "tinyint(4)")},
			build: vals([]int8{math.MinInt8, math.MaxInt8, 0, -1, 0}, lastNull),
			text:  []string{"-128", "127", "0", "-1", textNull},
			avro:  []string{"int:-128", "int:127", "int:0", "int:-1", "null"},
		},
		{
			field: arrow.Field{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
			build: vals([]int16{math.MinInt16, math.MaxInt16, 0, 1, 0}, lastNull),
			text:  []string{"-32768", "32767", "0", "1", textNull},
			avro:  []string{"int:-32768", "int:32767", "int:0", "int:1", "null"},
		},
		{
			field: arrow.Field{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			build: vals([]int32{math.MinInt32, math.MaxInt32, 0, 42, 0}, lastNull),
			text:  []string{"-2147483648", "2147483647", "0", "42", textNull},
			avro:  []string{"int:-2147483648", "int:2147483647", "int:0", "int:42", "null"},
		},
		{
			field: arrow.Field{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			build: vals([]int64{math.MinInt64, math.MaxInt64, 0, -42, 0}, lastNull),
			text:  []string{"-9223372036854775808", "9223372036854775807", "0", "-42", textNull},
			avro:  []string{"long:-9223372036854775808", "long:9223372036854775807", "long:0", "long:-42", "null"},
		},
		{
			field: arrow.Field{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
			build: vals([]uint8{0, math.MaxUint8, 1, 2, 0}, lastNull),
			text:  []string{"0", "255", "1", "2", textNull},
			avro:  []string{"int:0", "int:255", "int:1", "int:2", "null"},
		},
		{
			field: arrow.Field{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
			build: vals([]uint16{0, math.MaxUint16, 1, 2, 0}, lastNull),
			text:  []string{"0", "65535", "1", "2", textNull},
			avro:  []string{"int:0", "int:65535", "int:1", "int:2", "null"},
		},
		{
			field: arrow.Field{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
			build: vals([]uint32{0, math.MaxUint32, 1, 2, 0}, lastNull),
			text:  []string{"0", "4294967295", "1", "2", textNull},
			avro:  []string{"long:0", "long:4294967295", "long:1", "long:2", "null"},
		},
		{
			field: arrow.Field{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true, Metadata: md(MetaMySQLType, "bigint(20) unsigned")},
			build: vals([]uint64{0, math.MaxUint64, 1 << 63, 127, 0}, lastNull),
			text:  []string{"0", "18446744073709551615", "9223372036854775808", "127", textNull},
			avro:  []string{"dec:0", "dec:18446744073709551615", "dec:9223372036854775808", "dec:127", "null"},
		},
		{
			field: arrow.Field{Name: "yr", Type: arrow.PrimitiveTypes.Int16, Nullable: true, Metadata: md(MetaMySQLType, "year", MetaLogical, "year")},
			build: vals([]int16{0, 1901, 2155, 2024, 0}, lastNull),
			text:  []string{"0000", "1901", "2155", "2024", textNull},
			avro:  []string{"int:0", "int:1901", "int:2155", "int:2024", "null"},
		},
		{
			field: arrow.Field{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
			build: vals([]float32{0.1, 1234567, -math.MaxFloat32, 1e-20, 0}, lastNull),
			text:  []string{"0.1", "1234567", "-3.4028235e38", "1e-20", textNull},
			avro:  []string{"float:0.1", "float:1.234567e+06", "float:-3.4028235e+38", "float:1e-20", "null"},
		},
		{
			field: arrow.Field{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			build: vals([]float64{0.1, 1e20, -2.5e-300, 123456789012345, 0}, lastNull),
			text:  []string{"0.1", "1e20", "-2.5e-300", "123456789012345", textNull},
			avro:  []string{"double:0.1", "double:1e+20", "double:-2.5e-300", "double:1.23456789012345e+14", "null"},
		},
		{
			field: arrow.Field{Name: "d52", Type: &arrow.Decimal128Type{Precision: 5, Scale: 2}, Nullable: true, Metadata: md(MetaMySQLType, "decimal(5,2)")},
			build: vals([]decimal128.Num{decimal128.FromI64(50), decimal128.FromI64(-5), decimal128.FromI64(0), decimal128.FromI64(-99999), {}}, lastNull),
			text:  []string{"0.50", "-0.05", "0.00", "-999.99", textNull},
			avro:  []string{"dec:1/2", "dec:-1/20", "dec:0", "dec:-99999/100", "null"},
		},
		{
			field: arrow.Field{Name: "d3810", Type: &arrow.Decimal128Type{Precision: 38, Scale: 10}, Nullable: true},
			build: vals([]decimal128.Num{
				mustDec("9999999999999999999999999999.9999999999", 38, 10),
				mustDec("-9999999999999999999999999999.9999999999", 38, 10),
				mustDec("-1.5", 38, 10),
				mustDec("0.0000000001", 38, 10),
				{},
			}, lastNull),
			text: []string{"9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999", "-1.5000000000", "0.0000000001", textNull},
			avro: []string{"dec:99999999999999999999999999999999999999/10000000000", "dec:-99999999999999999999999999999999999999/10000000000", "dec:-3/2", "dec:1/10000000000", "null"},
		},
		{
			field: arrow.Field{Name: "d0", Type: &arrow.Decimal128Type{Precision: 20, Scale: 0}, Nullable: false},
			build: vals([]decimal128.Num{decimal128.FromI64(-1), decimal128.FromI64(0), mustDec("-18446744073709551616", 20, 0), mustDec("18446744073709551616", 20, 0), decimal128.FromI64(math.MinInt64)}, nil),
			text:  []string{"-1", "0", "-18446744073709551616", "18446744073709551616", "-9223372036854775808"},
			avro:  []string{"dec:-1", "dec:0", "dec:-18446744073709551616", "dec:18446744073709551616", "dec:-9223372036854775808"},
		},
		{
			field: arrow.Field{Name: "dt", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
			build: vals([]arrow.Date32{date(1000, 1, 1), date(9999, 12, 31), date(1970, 1, 1), date(1, 1, 1), 0}, lastNull),
			text:  []string{"1000-01-01", "9999-12-31", "1970-01-01", "0001-01-01", textNull},
			avro:  []string{"date:1000-01-01", "date:9999-12-31", "date:1970-01-01", "date:0001-01-01", "null"},
		},
		{
			field: arrow.Field{Name: "dt6", Type: mediumTS, Nullable: true, Metadata: md(MetaMySQLType, "datetime(6)", MetaFSP, "6")},
			build: vals([]arrow.Timestamp{ts(2024, 2, 29, 23, 59, 59, 999999), ts(1000, 1, 1, 0, 0, 0, 0), ts(9999, 12, 31, 23, 59, 59, 0), ts(1969, 12, 31, 23, 59, 59, 500000), 0}, lastNull),
			text:  []string{"2024-02-29 23:59:59.999999", "1000-01-01 00:00:00.000000", "9999-12-31 23:59:59.000000", "1969-12-31 23:59:59.500000", textNull},
			avro:  []string{"local:2024-02-29 23:59:59.999999", "local:1000-01-01 00:00:00", "local:9999-12-31 23:59:59", "local:1969-12-31 23:59:59.5", "null"},
		},
		{
			field: arrow.Field{Name: "dt3", Type: mediumTS, Nullable: true, Metadata: md(MetaMySQLType, "datetime(3)", MetaFSP, "3")},
			build: vals([]arrow.Timestamp{ts(2024, 1, 2, 3, 4, 5, 123000), ts(2024, 1, 2, 3, 4, 5, 0), ts(2000, 1, 1, 0, 0, 0, 1000), ts(1999, 12, 31, 23, 59, 59, 999000), 0}, lastNull),
			text:  []string{"2024-01-02 03:04:05.123", "2024-01-02 03:04:05.000", "2000-01-01 00:00:00.001", "1999-12-31 23:59:59.999", textNull},
			avro:  []string{"local:2024-01-02 03:04:05.123", "local:2024-01-02 03:04:05", "local:2000-01-01 00:00:00.001", "local:1999-12-31 23:59:59.999", "null"},
		},
		{
			field: arrow.Field{Name: "dtx", Type: mediumTS, Nullable: true},
			build: vals([]arrow.Timestamp{ts(2024, 1, 2, 3, 4, 5, 0), ts(2024, 1, 2, 3, 4, 5, 1), ts(2024, 1, 2, 3, 4, 5, 100000), ts(1970, 1, 1, 0, 0, 0, 0), 0}, lastNull),
			text:  []string{"2024-01-02 03:04:05", "2024-01-02 03:04:05.000001", "2024-01-02 03:04:05.100000", "1970-01-01 00:00:00", textNull},
			avro:  []string{"local:2024-01-02 03:04:05", "local:2024-01-02 03:04:05.000001", "local:2024-01-02 03:04:05.1", "local:1970-01-01 00:00:00", "null"},
		},
		{
			field: arrow.Field{Name: "tsu", Type: utcTS, Nullable: true, Metadata: md(MetaMySQLType, "timestamp", MetaFSP, "0")},
			build: vals([]arrow.Timestamp{ts(2038, 1, 19, 3, 14, 7, 0), ts(1970, 1, 1, 0, 0, 1, 0), ts(2024, 6, 30, 12, 0, 0, 0), ts(1999, 1, 1, 0, 0, 0, 0), 0}, lastNull),
			text:  []string{"2038-01-19 03:14:07", "1970-01-01 00:00:01", "2024-06-30 12:00:00", "1999-01-01 00:00:00", textNull},
			avro:  []string{"instant:2038-01-19 03:14:07", "instant:1970-01-01 00:00:01", "instant:2024-06-30 12:00:00", "instant:1999-01-01 00:00:00", "null"},
		},
		{
			field: arrow.Field{Name: "t0", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: md(MetaMySQLType, "time", MetaFSP, "0", MetaLogical, "time_us")},
			build: vals([]int64{timeUS(true, 838, 59, 59, 0), timeUS(false, 838, 59, 59, 0), 0, timeUS(false, 24, 0, 0, 0), 0}, lastNull),
			text:  []string{"-838:59:59", "838:59:59", "00:00:00", "24:00:00", textNull},
			avro:  []string{"long:-3020399000000", "long:3020399000000", "long:0", "long:86400000000", "null"},
		},
		{
			field: arrow.Field{Name: "t6", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: md(MetaMySQLType, "time(6)", MetaFSP, "6", MetaLogical, "time_us")},
			build: vals([]int64{timeUS(false, 838, 59, 59, 0), timeUS(true, 0, 0, 1, 500000), timeUS(false, 12, 34, 56, 789012), 0, 0}, lastNull),
			text:  []string{"838:59:59.000000", "-00:00:01.500000", "12:34:56.789012", "00:00:00.000000", textNull},
			avro:  []string{"long:3020399000000", "long:-1500000", "long:45296789012", "long:0", "null"},
		},
		{
			field: arrow.Field{Name: "t1", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: md(MetaMySQLType, "time(1)", MetaFSP, "1", MetaLogical, "time_us")},
			build: vals([]int64{500000, -500000, timeUS(false, 100, 0, 0, 0), timeUS(true, 838, 59, 59, 900000), 0}, lastNull),
			text:  []string{"00:00:00.5", "-00:00:00.5", "100:00:00.0", "-838:59:59.9", textNull},
			avro:  []string{"long:500000", "long:-500000", "long:360000000000", "long:-3020399900000", "null"},
		},
		{
			field: arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md(MetaMySQLType, "varchar(20)")},
			build: vals([]string{"😀", "", "a,b\nc\r\\d\"e\tf\x01g", "plain", ""}, lastNull),
			text:  []string{"😀", "", "a,b\nc\r\\d\"e\tf\x01g", "plain", textNull},
			avro:  []string{"str:😀", "str:", "str:a,b\nc\r\\d\"e\tf\x01g", "str:plain", "null"},
		},
		{
			field: arrow.Field{Name: "js", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md(MetaMySQLType, "json", MetaLogical, "json")},
			build: vals([]string{`{"a": [1, "x,y"]}`, `[]`, `"q\"uote"`, `"\n"`, ""}, lastNull),
			text:  []string{`{"a": [1, "x,y"]}`, `[]`, `"q\"uote"`, `"\n"`, textNull},
			avro:  []string{`str:{"a": [1, "x,y"]}`, `str:[]`, `str:"q\"uote"`, `str:"\n"`, "null"},
		},
		{
			field: arrow.Field{Name: "dtext", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md(MetaMySQLType, "decimal(65,1)", MetaLogical, "decimal_text")},
			build: vals([]string{"-123456789012345678901234567890123456789012345678901234567890123.5", "0.0", "1.0", "-0.5", ""}, lastNull),
			text:  []string{"-123456789012345678901234567890123456789012345678901234567890123.5", "0.0", "1.0", "-0.5", textNull},
			avro:  []string{"str:-123456789012345678901234567890123456789012345678901234567890123.5", "str:0.0", "str:1.0", "str:-0.5", "null"},
		},
		{
			field: arrow.Field{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true, Metadata: md(MetaMySQLType, "longblob")},
			build: vals([][]byte{{0, ',', '\n', '\\', '"', 0xff, '\r', 1}, {}, bigBinary, []byte("x"), nil}, lastNull),
			text:  []string{"\x00,\n\\\"\xff\r\x01", "", string(bigBinary), "x", textNull},
			avro:  []string{bytesString([]byte{0, ',', '\n', '\\', '"', 0xff, '\r', 1}), bytesString([]byte{}), bytesString(bigBinary), bytesString([]byte("x")), "null"},
		},
		{
			field: arrow.Field{Name: "st", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true, Metadata: md(MetaMySQLType, "set('a','b','c','x')")},
			build: func(b array.Builder) {
				lb := b.(*array.ListBuilder)
				eb := lb.ValueBuilder().(*array.StringBuilder)
				for _, set := range [][]string{{"a", "c"}, {}, {"x"}, {"a", "b", "c"}} {
					lb.Append(true)
					eb.AppendValues(set, nil)
				}
				lb.AppendNull()
			},
			text: []string{"a,c", "", "x", "a,b,c", textNull},
			avro: []string{"arr:[a c]", "arr:[]", "arr:[x]", "arr:[a b c]", "null"},
		},
		{
			field: arrow.Field{Name: "2nd col", Type: arrow.PrimitiveTypes.Int32, Nullable: false, Metadata: md(MetaMySQLType, "int(11)")},
			build: vals([]int32{1, 2, 3, 4, 5}, nil),
			text:  []string{"1", "2", "3", "4", "5"},
			avro:  []string{"int:1", "int:2", "int:3", "int:4", "int:5"},
		},
	}
}

func bytesString(b []byte) string {
	if len(b) <= 32 {
		return fmt.Sprintf("bytes:%x", b)
	}
	return fmt.Sprintf("bytes:%d:%x", len(b), sha256.Sum256(b))
}

// testBatch builds one record batch of cols.
func testBatch(t *testing.T, cols []testColumn) (*arrow.Schema, arrow.RecordBatch) {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.field
	}
	schema := arrow.NewSchema(fields, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for i, c := range cols {
		c.build(rb.Field(i))
	}
	rec := rb.NewRecordBatch()
	t.Cleanup(rec.Release)
	if rec.NumRows() != testRows {
		t.Fatalf("test batch has %d rows", rec.NumRows())
	}
	return schema, rec
}

// cleanColumns are the columns without delimiters in their values, for
// Sqoop's default options (no escaping, no enclosing).
func cleanColumns() []testColumn {
	var out []testColumn
	for _, c := range testColumns() {
		switch c.field.Name {
		case "s", "js", "bin", "st":
			continue
		}
		out = append(out, c)
	}
	return out
}

// textField is a field as read back: its unescaped text and whether it
// was enclosed.
type textField struct {
	s        string
	raw      string // as in the file: NULL tokens are matched on it
	enclosed bool
}

// parseText is a small reader of the text format: it honours escapes (with
// \n and \r spelled escape+'n'/'r' when lines end with '\n'), enclosing,
// and doubled enclosing characters when there is no escape character.
func parseText(data []byte, t TextOptions) ([][]textField, error) {
	d, err := textDelimsOf(t)
	if err != nil {
		return nil, err
	}
	var rows [][]textField
	var row []textField
	pos := 0
	for pos < len(data) {
		var f textField
		var buf []byte
		begin := pos
		if d.enclose != 0 && data[pos] == d.enclose {
			f.enclosed = true
			pos++
		}
		inside := f.enclosed
		for {
			if pos >= len(data) {
				return nil, fmt.Errorf("row %d: file ends inside a row", len(rows)+1)
			}
			c := data[pos]
			if d.escape != 0 && c == d.escape {
				if pos+1 >= len(data) {
					return nil, errors.New("file ends after an escape")
				}
				next := data[pos+1]
				if d.line == '\n' && next == 'n' {
					next = '\n'
				} else if d.line == '\n' && next == 'r' {
					next = '\r'
				}
				buf = append(buf, next)
				pos += 2
				continue
			}
			if inside {
				if c == d.enclose {
					if d.escape == 0 && pos+1 < len(data) && data[pos+1] == d.enclose {
						buf = append(buf, c)
						pos += 2
						continue
					}
					inside = false
					pos++
					if pos >= len(data) || data[pos] != d.field && data[pos] != d.line {
						return nil, fmt.Errorf("row %d: text after a closing enclosure", len(rows)+1)
					}
					continue
				}
				buf = append(buf, c)
				pos++
				continue
			}
			if c == d.field || c == d.line {
				f.s, f.raw = string(buf), string(data[begin:pos])
				pos++
				row = append(row, f)
				if c == d.line {
					rows = append(rows, row)
					row = nil
				}
				break
			}
			buf = append(buf, c)
			pos++
		}
	}
	if row != nil {
		return nil, errors.New("last row has no line terminator")
	}
	return rows, nil
}

func short(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q…(%d bytes)", s[:60], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func readAll(t *testing.T, fsys warehouse.FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func strp(s string) *string { return &s }

// writeText writes recs to a new text file and returns the file's bytes,
// gunzipped when the codec is gzip.
func writeText(t *testing.T, schema *arrow.Schema, opts Options, recs ...arrow.RecordBatch) []byte {
	t.Helper()
	fsys := warehouse.NewMemFS()
	w, err := newTextWriter(context.Background(), fsys, "out/part.txt", schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := readAll(t, fsys, "out/part.txt")
	if w.Bytes() != int64(len(data)) {
		t.Errorf("Bytes() = %d, the file has %d", w.Bytes(), len(data))
	}
	if want := int64(len(recs) * testRows); w.Rows() != want {
		t.Errorf("Rows() = %d, want %d", w.Rows(), want)
	}
	if opts.Codec == Gzip {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

func TestTextRoundTrip(t *testing.T) {
	hive := TextOptions{FieldsTerminatedBy: 1, EscapedBy: '\\', NullString: strp(`\N`), NullNonString: strp(`\N`)}
	tests := []struct {
		name  string
		cols  []testColumn
		opts  Options
		lines int // lines in the file when rows never span lines; 0: unchecked
	}{
		{name: "sqoop defaults", cols: cleanColumns(), opts: Options{}, lines: testRows},
		{name: "escaped", cols: testColumns(), opts: Options{Text: TextOptions{EscapedBy: '\\'}}, lines: testRows},
		{name: "enclosed", cols: testColumns(), opts: Options{Text: TextOptions{EnclosedBy: '"'}}},
		{name: "optionally enclosed", cols: testColumns(), opts: Options{Text: TextOptions{EnclosedBy: '"', OptionallyEnclosedBy: true}}},
		{name: "optionally enclosed and escaped", cols: testColumns(), opts: Options{Text: TextOptions{EnclosedBy: '\'', OptionallyEnclosedBy: true, EscapedBy: '\\'}}, lines: testRows},
		{name: "enclosed and escaped", cols: testColumns(), opts: Options{Text: TextOptions{EnclosedBy: '"', EscapedBy: '\\'}}, lines: testRows},
		{name: "hive", cols: testColumns(), opts: Options{Text: hive}, lines: testRows},
		{name: "tabs and custom nulls", cols: testColumns(), opts: Options{Text: TextOptions{FieldsTerminatedBy: '\t', EscapedBy: '|', NullString: strp("<none>"), NullNonString: strp("NULL")}}, lines: testRows},
		{name: "other line terminator", cols: testColumns(), opts: Options{Text: TextOptions{FieldsTerminatedBy: '|', LinesTerminatedBy: 2, EscapedBy: '\\'}}},
		{name: "gzip", cols: testColumns(), opts: Options{Codec: Gzip, Text: TextOptions{EscapedBy: '\\'}}, lines: testRows},
		{name: "gzip defaults", cols: cleanColumns(), opts: Options{Codec: Gzip}, lines: testRows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema, rec := testBatch(t, tt.cols)
			data := writeText(t, schema, tt.opts, rec)
			if tt.lines > 0 {
				if n := bytes.Count(data, []byte{'\n'}); n != tt.lines {
					t.Errorf("file has %d lines, want %d (one per row)", n, tt.lines)
				}
			}
			rows, err := parseText(data, tt.opts.Text)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != testRows {
				t.Fatalf("read %d rows, want %d", len(rows), testRows)
			}
			for i, row := range rows {
				if len(row) != len(tt.cols) {
					t.Fatalf("row %d has %d fields, want %d", i+1, len(row), len(tt.cols))
				}
				for j, c := range tt.cols {
					got, want := row[j], c.text[i]
					if want == textNull {
						want = "null"
						nt := tt.opts.Text.NullNonString
						if c.field.Type.ID() == arrow.STRING && c.field.Name != "dtext" || c.field.Type.ID() == arrow.BINARY || c.field.Type.ID() == arrow.LIST {
							nt = tt.opts.Text.NullString
						}
						if nt != nil {
							want = *nt
						}
						if got.enclosed || got.raw != want {
							t.Errorf("row %d column %s = %s, want the NULL token %s", i+1, c.field.Name, short(got.raw), short(want))
						}
						continue
					}
					if got.s != want {
						t.Errorf("row %d column %s = %s, want %s", i+1, c.field.Name, short(got.s), short(want))
					}
				}
			}
		})
	}
}

// TestTextEnclosing checks which fields are enclosed and how an enclosing
// character inside a value is written.
func TestTextEnclosing(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	rb.Field(0).(*array.StringBuilder).AppendValues([]string{"plain", `say "hi"`, "x,y", "l1\nl2", ""}, []bool{true, true, true, true, false})
	rb.Field(1).(*array.Int32Builder).AppendValues([]int32{1, 2, 3, 4, 5}, nil)
	rec := rb.NewRecordBatch()
	defer rec.Release()
	tests := []struct {
		name string
		opts TextOptions
		want string
	}{
		{"always, doubled", TextOptions{EnclosedBy: '"'}, "\"plain\",\"1\"\n\"say \"\"hi\"\"\",\"2\"\n\"x,y\",\"3\"\n\"l1\nl2\",\"4\"\nnull,\"5\"\n"},
		{"optional, doubled", TextOptions{EnclosedBy: '"', OptionallyEnclosedBy: true}, "plain,1\n\"say \"\"hi\"\"\",2\n\"x,y\",3\n\"l1\nl2\",4\nnull,5\n"},
		{"optional, escaped", TextOptions{EnclosedBy: '"', OptionallyEnclosedBy: true, EscapedBy: '\\'}, "plain,1\n\"say \\\"hi\\\"\",2\n\"x\\,y\",3\n\"l1\\nl2\",4\nnull,5\n"},
		{"escaped only", TextOptions{EscapedBy: '\\'}, "plain,1\nsay \"hi\",2\nx\\,y,3\nl1\\nl2,4\nnull,5\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(writeText(t, schema, Options{Text: tt.opts}, rec))
			if got != tt.want {
				t.Errorf("file =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestTextUnescapedDelimiter(t *testing.T) {
	tests := []struct {
		name  string
		value string
		opts  TextOptions
		want  string
	}{
		{"field", "a,b", TextOptions{}, "row 2: value of column name contains the field delimiter; set --escaped-by or --enclosed-by"},
		{"line", "a\nb", TextOptions{}, "row 2: value of column name contains the line delimiter; set --escaped-by or --enclosed-by"},
		{"tab", "a\tb", TextOptions{FieldsTerminatedBy: '\t'}, "value of column name contains the field delimiter"},
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			defer rb.Release()
			rb.Field(0).(*array.Int32Builder).AppendValues([]int32{1, 2}, nil)
			rb.Field(1).(*array.StringBuilder).AppendValues([]string{"ok", tt.value}, nil)
			rec := rb.NewRecordBatch()
			defer rec.Release()
			w, err := newTextWriter(context.Background(), warehouse.NewMemFS(), "t.txt", schema, Options{Text: tt.opts})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			err = w.Write(rec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTextRefusals(t *testing.T) {
	intField := arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int32}
	tests := []struct {
		name   string
		fields []arrow.Field
		opts   Options
		want   string
	}{
		{"snappy", []arrow.Field{intField}, Options{Codec: Snappy}, "text output supports --compression-codec gzip or none"},
		{"zstd", []arrow.Field{intField}, Options{Codec: Zstd}, "text output supports --compression-codec gzip or none"},
		{"duration", []arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Duration_s}}, Options{}, "column d: text output cannot write Arrow type duration[s]"},
		{"list of ints", []arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}}, Options{}, "column l: text output cannot write list<item: int32"},
		{"milliseconds", []arrow.Field{{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_ms}}, Options{}, "column ts: timestamp[ms"},
		{"zone", []arrow.Field{{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Europe/Paris"}}}, Options{}, "only UTC or zoneless"},
		{"bad fsp", []arrow.Field{{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us, Metadata: md(MetaFSP, "7")}}, Options{}, `column ts: mysql.fsp "7"`},
		{"same delimiters", []arrow.Field{intField}, Options{Text: TextOptions{FieldsTerminatedBy: '\n'}}, "fields and lines are both terminated"},
		{"escape is delimiter", []arrow.Field{intField}, Options{Text: TextOptions{EscapedBy: ','}}, "--escaped-by ',' is also a delimiter"},
		{"escape is encloser", []arrow.Field{intField}, Options{Text: TextOptions{EscapedBy: '"', EnclosedBy: '"'}}, "both '\"'"},
		{"optional without char", []arrow.Field{intField}, Options{Text: TextOptions{OptionallyEnclosedBy: true}}, "needs an enclosing character"},
		{"escape n", []arrow.Field{intField}, Options{Text: TextOptions{EscapedBy: 'n'}}, "ambiguous"},
		{"null with delimiter", []arrow.Field{intField}, Options{Text: TextOptions{NullNonString: strp("a,b")}}, `the NULL text "a,b" contains a delimiter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := warehouse.NewMemFS()
			_, err := newTextWriter(context.Background(), fsys, "t.txt", arrow.NewSchema(tt.fields, nil), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if _, err := fsys.Stat(context.Background(), "t.txt"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused writer left a file behind: %v", err)
			}
		})
	}
}

// TestTextFinerThanFSP: a value with more fraction digits than the
// column's fsp is an error, never cut.
func TestTextFinerThanFSP(t *testing.T) {
	for _, f := range []arrow.Field{
		{Name: "dt", Type: arrow.FixedWidthTypes.Timestamp_us, Metadata: md(MetaFSP, "3")},
		{Name: "t", Type: arrow.PrimitiveTypes.Int64, Metadata: md(MetaFSP, "0", MetaLogical, "time_us")},
	} {
		t.Run(f.Name, func(t *testing.T) {
			schema := arrow.NewSchema([]arrow.Field{f}, nil)
			rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			defer rb.Release()
			switch b := rb.Field(0).(type) {
			case *array.TimestampBuilder:
				b.Append(ts(2024, 1, 1, 0, 0, 0, 123456))
			case *array.Int64Builder:
				b.Append(1500000)
			}
			rec := rb.NewRecordBatch()
			defer rec.Release()
			w, err := newTextWriter(context.Background(), warehouse.NewMemFS(), "t.txt", schema, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "more digits than mysql.fsp") {
				t.Fatalf("Write error = %v", err)
			}
		})
	}
}

func TestTextSchemaMismatch(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int32}}, nil)
	other := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, other)
	defer rb.Release()
	rb.Field(0).(*array.Int64Builder).Append(1)
	rec := rb.NewRecordBatch()
	defer rec.Release()
	w, err := newTextWriter(context.Background(), warehouse.NewMemFS(), "t.txt", schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "column n: batch has type int64") {
		t.Fatalf("Write error = %v", err)
	}
}

func TestAppendMySQLFloat(t *testing.T) {
	tests := []struct {
		v    float64
		bits int
		want string
	}{
		{0, 64, "0"},
		{math.Copysign(0, -1), 64, "-0"},
		{1, 64, "1"},
		{-1.5, 64, "-1.5"},
		{100, 64, "100"},
		{1234567, 64, "1234567"},
		{0.1, 64, "0.1"},
		{0.00001, 64, "0.00001"},
		{1e-15, 64, "0.000000000000001"},
		{1e-16, 64, "1e-16"},
		{1.5e-300, 64, "1.5e-300"},
		{123456789012345, 64, "123456789012345"},
		{999999999999999, 64, "999999999999999"},
		{1e15, 64, "1e15"},
		{1e20, 64, "1e20"},
		{1.2345678901234568e17, 64, "1.2345678901234568e17"},
		{math.MaxFloat64, 64, "1.7976931348623157e308"},
		{float64(float32(0.1)), 32, "0.1"},
		{float64(float32(3.14159)), 32, "3.14159"},
		{float64(float32(16777216)), 32, "16777216"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(appendMySQLFloat(nil, tt.v, tt.bits)); got != tt.want {
				t.Errorf("appendMySQLFloat(%v, %d) = %q, want %q", tt.v, tt.bits, got, tt.want)
			}
		})
	}
}

// TestTextBatches: rows of several batches land in order.
func TestTextBatches(t *testing.T) {
	schema, rec := testBatch(t, cleanColumns())
	data := writeText(t, schema, Options{}, rec, rec, rec)
	rows, err := parseText(data, TextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3*testRows {
		t.Fatalf("read %d rows, want %d", len(rows), 3*testRows)
	}
	for i := range rows {
		if rows[i][0].s != rows[i%testRows][0].s {
			t.Errorf("row %d differs from row %d", i+1, i%testRows+1)
		}
	}
}
