package format

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"

	"github.com/hetl/hetl/warehouse"
)

// avroString renders a value decoded by hamba/avro (generic) with its
// kind, so that tests compare types as well as values.
func avroString(v any, logical avro.LogicalType) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any: // a union branch, keyed by its type name
		if len(x) == 1 {
			for _, inner := range x {
				return avroString(inner, logical)
			}
		}
	case int:
		return fmt.Sprintf("int:%d", x)
	case int64:
		return fmt.Sprintf("long:%d", x)
	case float32:
		return "float:" + strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return "double:" + strconv.FormatFloat(x, 'g', -1, 64)
	case *big.Rat:
		return "dec:" + x.RatString()
	case time.Time:
		switch logical {
		case avro.Date:
			return "date:" + x.UTC().Format("2006-01-02")
		case avro.LocalTimestampMicros:
			return "local:" + x.UTC().Format("2006-01-02 15:04:05.999999")
		case avro.TimestampMicros:
			return "instant:" + x.UTC().Format("2006-01-02 15:04:05.999999")
		}
	case string:
		return "str:" + x
	case []byte:
		return bytesString(x)
	case []any:
		return "arr:" + fmt.Sprint(x)
	}
	return fmt.Sprintf("unexpected %T %v", v, v)
}

// logicalOf is the logical type of a field, under a nullable union.
func logicalOf(s avro.Schema) avro.LogicalType {
	if u, ok := s.(*avro.UnionSchema); ok {
		for _, t := range u.Types() {
			if t.Type() != avro.Null {
				s = t
			}
		}
	}
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return l.Logical().Type()
	}
	return ""
}

// avroFile writes recs to a new Avro file and returns its bytes.
func avroFile(t *testing.T, schema *arrow.Schema, opts Options, recs ...arrow.RecordBatch) []byte {
	t.Helper()
	fsys := warehouse.NewMemFS()
	w, err := newAvroWriter(context.Background(), fsys, "out/part.avro", schema, opts)
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rows += rec.NumRows()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data := readAll(t, fsys, "out/part.avro")
	if w.Bytes() != int64(len(data)) {
		t.Errorf("Bytes() = %d, the file has %d", w.Bytes(), len(data))
	}
	if w.Rows() != rows {
		t.Errorf("Rows() = %d, want %d", w.Rows(), rows)
	}
	return data
}

// decodeAvro reads every record of an Avro file.
func decodeAvro(t *testing.T, data []byte) (*ocf.Decoder, []map[string]any) {
	t.Helper()
	dec, err := ocf.NewDecoder(bytes.NewReader(data), ocf.WithDecoderConfig(avroReadConfig))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for dec.HasNext() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if err := dec.Error(); err != nil {
		t.Fatal(err)
	}
	return dec, out
}

func TestAvroRoundTrip(t *testing.T) {
	cols := testColumns()
	schema, rec := testBatch(t, cols)
	tests := []struct {
		codec Codec
		want  string // avro.codec in the header
	}{
		{"", "snappy"},
		{Snappy, "snappy"},
		{Zstd, "zstandard"},
		{Gzip, "deflate"},
		{None, "null"},
	}
	for _, tt := range tests {
		t.Run("codec "+string(tt.codec), func(t *testing.T) {
			meta := map[string]string{"hetl.run_id": "r1", "hetl.source": "db.t"}
			data := avroFile(t, schema, Options{Codec: tt.codec, FileMetadata: meta}, rec, rec)
			dec, rows := decodeAvro(t, data)
			h := dec.Metadata()
			if got := string(h["avro.codec"]); got != tt.want {
				t.Errorf("avro.codec = %q, want %q", got, tt.want)
			}
			for k, v := range meta {
				if got := string(h[k]); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			rs := dec.Schema().(*avro.RecordSchema)
			if len(rows) != 2*testRows {
				t.Fatalf("read %d rows, want %d", len(rows), 2*testRows)
			}
			for i, row := range rows {
				for j, c := range cols {
					f := rs.Fields()[j]
					got := avroString(row[f.Name()], logicalOf(f.Type()))
					if want := c.avro[i%testRows]; got != want {
						t.Errorf("row %d column %s = %s, want %s", i+1, c.field.Name, short(got), short(want))
					}
				}
			}
		})
	}
}

func TestAvroSchema(t *testing.T) {
	schema, rec := testBatch(t, testColumns())
	data := avroFile(t, schema, Options{Codec: None}, rec)
	dec, err := ocf.NewDecoder(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Type, Name, Namespace string
		Fields                []map[string]any
	}
	if err := json.Unmarshal(dec.Metadata()["avro.schema"], &doc); err != nil {
		t.Fatal(err)
	}
	// hamba writes the full name; both spellings mean hetl.row.
	if full := strings.TrimPrefix(doc.Namespace+"."+doc.Name, "."); doc.Type != "record" || full != "hetl.row" {
		t.Errorf("record is %s %s, want record hetl.row", doc.Type, full)
	}
	nullable := func(s string) string { return `["null",` + s + `]` }
	decimal := func(p, s int) string {
		if s == 0 { // the default scale is left out
			return fmt.Sprintf(`{"logicalType":"decimal","precision":%d,"type":"bytes"}`, p)
		}
		return fmt.Sprintf(`{"logicalType":"decimal","precision":%d,"scale":%d,"type":"bytes"}`, p, s)
	}
	// Types in encoding/json's key order; props beyond name, type, default.
	want := map[string]struct {
		typ   string
		props map[string]any
	}{
		"i8":       {nullable(`"int"`), map[string]any{"mysql.type": "tinyint(4)"}},
		"i16":      {nullable(`"int"`), nil},
		"i32":      {nullable(`"int"`), nil},
		"i64":      {nullable(`"long"`), nil},
		"u8":       {nullable(`"int"`), nil},
		"u16":      {nullable(`"int"`), nil},
		"u32":      {nullable(`"long"`), nil},
		"u64":      {nullable(decimal(20, 0)), map[string]any{"mysql.type": "bigint(20) unsigned"}},
		"yr":       {nullable(`"int"`), map[string]any{"mysql.type": "year", "hetl.logical": "year"}},
		"f32":      {nullable(`"float"`), nil},
		"f64":      {nullable(`"double"`), nil},
		"d52":      {nullable(decimal(5, 2)), map[string]any{"mysql.type": "decimal(5,2)"}},
		"d3810":    {nullable(decimal(38, 10)), nil},
		"d0":       {decimal(20, 0), nil},
		"dt":       {nullable(`{"logicalType":"date","type":"int"}`), nil},
		"dt6":      {nullable(`{"logicalType":"local-timestamp-micros","type":"long"}`), map[string]any{"mysql.type": "datetime(6)", "mysql.fsp": "6"}},
		"dt3":      {nullable(`{"logicalType":"local-timestamp-micros","type":"long"}`), map[string]any{"mysql.type": "datetime(3)", "mysql.fsp": "3"}},
		"dtx":      {nullable(`{"logicalType":"local-timestamp-micros","type":"long"}`), nil},
		"tsu":      {nullable(`{"logicalType":"timestamp-micros","type":"long"}`), map[string]any{"mysql.type": "timestamp", "mysql.fsp": "0"}},
		"t0":       {nullable(`"long"`), map[string]any{"mysql.type": "time", "mysql.fsp": "0", "hetl.logical": "time_us"}},
		"t6":       {nullable(`"long"`), map[string]any{"mysql.type": "time(6)", "mysql.fsp": "6", "hetl.logical": "time_us"}},
		"t1":       {nullable(`"long"`), map[string]any{"mysql.type": "time(1)", "mysql.fsp": "1", "hetl.logical": "time_us"}},
		"s":        {nullable(`"string"`), map[string]any{"mysql.type": "varchar(20)"}},
		"js":       {nullable(`"string"`), map[string]any{"mysql.type": "json", "hetl.logical": "json"}},
		"dtext":    {nullable(`"string"`), map[string]any{"mysql.type": "decimal(65,1)", "hetl.logical": "decimal_text"}},
		"bin":      {nullable(`"bytes"`), map[string]any{"mysql.type": "longblob"}},
		"st":       {nullable(`{"items":"string","type":"array"}`), map[string]any{"mysql.type": "set('a','b','c','x')"}},
		"_2nd_col": {`"int"`, map[string]any{"mysql.type": "int(11)", "mysql.name": "2nd col"}},
	}
	if len(doc.Fields) != len(want) {
		t.Errorf("schema has %d fields, want %d", len(doc.Fields), len(want))
	}
	for _, f := range doc.Fields {
		name, _ := f["name"].(string)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("unexpected field %q", name)
			}
			typ, _ := json.Marshal(f["type"])
			if string(typ) != w.typ {
				t.Errorf("type = %s, want %s", typ, w.typ)
			}
			def, hasDefault := f["default"]
			if isUnion := strings.HasPrefix(w.typ, "["); isUnion != hasDefault || def != nil {
				t.Errorf("default = %v (set: %v), want null exactly for nullable fields", def, hasDefault)
			}
			props := map[string]any{}
			for k, v := range f {
				switch k {
				case "name", "type", "default":
				default:
					props[k] = v
				}
			}
			if len(w.props) == 0 {
				w.props = map[string]any{}
			}
			gotJSON, _ := json.Marshal(props)
			wantJSON, _ := json.Marshal(w.props)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("props = %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestAvroName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"id", "id"},
		{"Order_Id2", "Order_Id2"},
		{"2nd col", "_2nd_col"},
		{"a-b.c", "a_b_c"},
		{"prix €", "prix__"},
		{"_x", "_x"},
		{"", "_"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := avroName(tt.in); got != tt.want {
				t.Errorf("avroName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAvroRefusals(t *testing.T) {
	intField := arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int32}
	tests := []struct {
		name   string
		fields []arrow.Field
		opts   Options
		want   string
	}{
		{"collision", []arrow.Field{{Name: "a b", Type: arrow.PrimitiveTypes.Int32}, {Name: "a_b", Type: arrow.PrimitiveTypes.Int32}}, Options{}, `columns "a b" and "a_b" both become Avro field "a_b"`},
		{"boolean", []arrow.Field{{Name: "flag", Type: arrow.FixedWidthTypes.Boolean}}, Options{}, "column flag: Avro output cannot write Arrow type bool"},
		{"list of ints", []arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}}, Options{}, "column l: Avro output cannot write list"},
		{"nanoseconds", []arrow.Field{{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_ns}}, Options{}, "only microsecond timestamps"},
		{"zone", []arrow.Field{{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "Asia/Tokyo"}}}, Options{}, "only UTC or zoneless"},
		{"codec", []arrow.Field{intField}, Options{Codec: "lz4"}, `unknown compression codec "lz4"`},
		{"reserved metadata", []arrow.Field{intField}, Options{FileMetadata: map[string]string{"avro.codec": "x"}}, "the avro. prefix is reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := warehouse.NewMemFS()
			_, err := newAvroWriter(context.Background(), fsys, "t.avro", arrow.NewSchema(tt.fields, nil), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if _, err := fsys.Stat(context.Background(), "t.avro"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused writer left a file behind: %v", err)
			}
		})
	}
}

func TestAvroNullInNotNullable(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int32}}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	rb.Field(0).(*array.Int32Builder).AppendValues([]int32{1, 0}, []bool{true, false})
	rec := rb.NewRecordBatch()
	defer rec.Release()
	w, err := newAvroWriter(context.Background(), warehouse.NewMemFS(), "t.avro", schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "column n is not nullable but has NULLs") {
		t.Fatalf("Write error = %v", err)
	}
}

// TestAvroBlocks: rows go out block by block while the file is written,
// so compression never holds the whole file.
func TestAvroBlocks(t *testing.T) {
	const n = 3*avroBlockRows + 17
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	b := rb.Field(0).(*array.Int64Builder)
	for i := range int64(n) {
		b.Append(i * 1000003)
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	for _, codec := range []Codec{Snappy, Zstd, Gzip, None} {
		t.Run(string(codec), func(t *testing.T) {
			fsys := warehouse.NewMemFS()
			w, err := newAvroWriter(context.Background(), fsys, "t.avro", schema, Options{Codec: codec})
			if err != nil {
				t.Fatal(err)
			}
			header := w.Bytes()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			before := w.Bytes()
			if before <= header {
				t.Errorf("Bytes() = %d after %d rows, as right after the header: blocks are not written as they fill", before, n)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			_, rows := decodeAvro(t, readAll(t, fsys, "t.avro"))
			if len(rows) != n {
				t.Fatalf("read %d rows, want %d", len(rows), n)
			}
			for i, row := range rows {
				if row["n"] != int64(i)*1000003 {
					t.Fatalf("row %d = %v", i+1, row["n"])
				}
			}
		})
	}
}

func TestTwosComplement(t *testing.T) {
	for _, tt := range []struct {
		hi   int64
		lo   uint64
		want string
	}{
		{0, 0, "00"},
		{0, 127, "7f"},
		{0, 128, "0080"},
		{0, 256, "0100"},
		{-1, math.MaxUint64, "ff"},       // -1
		{-1, math.MaxUint64 - 127, "80"}, // -128
		{-1, math.MaxUint64 - 128, "ff7f"},
		{0, math.MaxUint64, "00ffffffffffffffff"},
		{-1, 0, "ff0000000000000000"}, // -2^64
		{math.MaxInt64, math.MaxUint64, "7fffffffffffffffffffffffffffffff"},
		{math.MinInt64, 0, "80000000000000000000000000000000"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := hex.EncodeToString(twosComplement(new([16]byte), tt.hi, tt.lo)); got != tt.want {
				t.Errorf("twosComplement(%d, %d) = %s, want %s", tt.hi, tt.lo, got, tt.want)
			}
		})
	}
}
