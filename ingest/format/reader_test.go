package format

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/warehouse"
)

// readBack writes recs with NewWriter and reads them with NewReader.
func readBack(t *testing.T, f Format, schema *arrow.Schema, wopts Options, ropts ReadOptions, recs ...arrow.RecordBatch) ([]arrow.RecordBatch, error) {
	t.Helper()
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	name := "out/part" + f.Extension(wopts.Codec)
	w, err := NewWriter(ctx, fsys, name, f, schema, wopts)
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
	return readFile(t, fsys, name, f, ropts)
}

func readFile(t *testing.T, fsys warehouse.FS, name string, f Format, ropts ReadOptions) ([]arrow.RecordBatch, error) {
	t.Helper()
	r, err := NewReader(context.Background(), fsys, name, f, ropts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []arrow.RecordBatch
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		t.Cleanup(rec.Release)
		if !r.Schema().Equal(rec.Schema()) {
			t.Errorf("batch schema %s differs from the reader's %s", rec.Schema(), r.Schema())
		}
		out = append(out, rec)
	}
}

// sameRows compares the rows of two lists of batches, column by column.
func sameRows(t *testing.T, got, want []arrow.RecordBatch) {
	t.Helper()
	concat := func(recs []arrow.RecordBatch) arrow.RecordBatch {
		cols := make([]arrow.Array, recs[0].NumCols())
		for j := range cols {
			parts := make([]arrow.Array, len(recs))
			for i, r := range recs {
				parts[i] = r.Column(j)
			}
			c, err := array.Concatenate(parts, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Release()
			cols[j] = c
		}
		rec := array.NewRecordBatch(recs[0].Schema(), cols, -1)
		t.Cleanup(rec.Release)
		return rec
	}
	if len(got) == 0 {
		t.Fatal("read no batches")
	}
	g, w := concat(got), concat(want)
	if g.NumRows() != w.NumRows() {
		t.Fatalf("read %d rows, wrote %d", g.NumRows(), w.NumRows())
	}
	for j := range w.NumCols() {
		if !array.Equal(g.Column(int(j)), w.Column(int(j))) {
			t.Errorf("column %s: read %v, wrote %v", w.ColumnName(int(j)), short(g.Column(int(j)).String()), short(w.Column(int(j)).String()))
		}
	}
	for j, f := range w.Schema().Fields() {
		gf := g.Schema().Field(j)
		if gf.Name != f.Name || !arrow.TypeEqual(gf.Type, f.Type) || gf.Nullable != f.Nullable {
			t.Errorf("field %d: read %s, wrote %s", j, gf, f)
		}
	}
}

func TestReadBack(t *testing.T) {
	hive := TextOptions{FieldsTerminatedBy: 1, EscapedBy: '\\', NullString: strp(`\N`), NullNonString: strp(`\N`)}
	tests := []struct {
		name   string
		format Format
		cols   []testColumn
		opts   Options
	}{
		{"parquet", Parquet, testColumns(), Options{}},
		{"avro snappy", Avro, testColumns(), Options{Codec: Snappy}},
		{"avro zstd", Avro, testColumns(), Options{Codec: Zstd}},
		{"avro deflate", Avro, testColumns(), Options{Codec: Gzip}},
		{"avro uncompressed", Avro, testColumns(), Options{Codec: None}},
		{"text sqoop defaults", Text, cleanColumns(), Options{}},
		{"text escaped", Text, testColumns(), Options{Text: TextOptions{EscapedBy: '\\'}}},
		{"text enclosed", Text, testColumns(), Options{Text: TextOptions{EnclosedBy: '"'}}},
		{"text optionally enclosed", Text, testColumns(), Options{Text: TextOptions{EnclosedBy: '"', OptionallyEnclosedBy: true}}},
		{"text enclosed and escaped", Text, testColumns(), Options{Text: TextOptions{EnclosedBy: '"', EscapedBy: '\\'}}},
		{"text hive", Text, testColumns(), Options{Text: hive}},
		{"text tabs and custom nulls", Text, testColumns(), Options{Text: TextOptions{FieldsTerminatedBy: '\t', EscapedBy: '|', NullString: strp("<none>"), NullNonString: strp("NULL")}}},
		{"text other line terminator", Text, testColumns(), Options{Text: TextOptions{FieldsTerminatedBy: '|', LinesTerminatedBy: 2, EscapedBy: '\\'}}},
		{"text gzip", Text, testColumns(), Options{Codec: Gzip, Text: TextOptions{EscapedBy: '\\'}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema, rec := testBatch(t, tt.cols)
			// Three batches in, batches of 4 rows out: reads cross the
			// writer's batch boundaries.
			got, err := readBack(t, tt.format, schema, tt.opts, ReadOptions{Schema: schema, Text: tt.opts.Text, BatchRows: 4}, rec, rec, rec)
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, got, []arrow.RecordBatch{rec, rec, rec})
		})
	}
}

func TestReadBackEmpty(t *testing.T) {
	schema, _ := testBatch(t, testColumns())
	for _, f := range []Format{Avro, Text} {
		got, err := readBack(t, f, schema, Options{}, ReadOptions{Schema: schema})
		if err != nil || len(got) != 0 {
			t.Errorf("%s: empty file read as %d batches, %v", f, len(got), err)
		}
	}
}

func writeRaw(t *testing.T, fsys warehouse.FS, name string, data []byte) {
	t.Helper()
	w, err := fsys.Create(context.Background(), name, warehouse.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReadBackRefusals: damaged files and mismatched schemas are errors
// that say where, never fewer or altered rows.
func TestReadBackRefusals(t *testing.T) {
	ctx := context.Background()
	schema, rec := testBatch(t, cleanColumns())
	fsys := warehouse.NewMemFS()
	for _, f := range []Format{Avro, Text} {
		w, err := NewWriter(ctx, fsys, "good"+f.Extension(None), f, schema, Options{Codec: None})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	avroData := readAll(t, fsys, "good.avro")
	textData := readAll(t, fsys, "good.txt")
	other := arrow.NewSchema(schema.Fields()[1:], nil)

	tests := []struct {
		name   string
		format Format
		data   []byte
		schema *arrow.Schema
		want   string
	}{
		{"avro truncated", Avro, avroData[:len(avroData)-3], schema, "unexpected EOF"},
		{"avro bad sync", Avro, append(append([]byte(nil), avroData[:len(avroData)-1]...), avroData[len(avroData)-1]^1), schema, "sync marker"},
		{"avro not avro", Avro, textData, schema, "not an Avro"},
		{"avro other schema", Avro, avroData, other, "fields"},
		{"text truncated", Text, textData[:len(textData)-1], schema, "line 5: the file ends inside a line"},
		{"text other schema", Text, textData, other, "line 1: 24 fields, the schema has 23"},
		{"text bad value", Text, []byte(strings.Replace(string(textData), "-128,", "x,", 1)), schema, "line 1: column i8"},
		{"text zero date", Text, []byte(strings.Replace(string(textData), "1000-01-01,", "0000-00-00,", 1)), schema, "zero or invalid date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "bad" + tt.format.Extension(None)
			writeRaw(t, fsys, name, tt.data)
			_, err := readFile(t, fsys, name, tt.format, ReadOptions{Schema: tt.schema})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewReader(ctx, fsys, "good.txt", Text, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "needs the schema") {
		t.Errorf("text without a schema: %v", err)
	}
}

// TestTextNullTokenValue: a value spelled like the NULL token would read
// back as NULL, so the writer encloses it or refuses it.
func TestTextNullTokenValue(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	rb.Field(0).(*array.StringBuilder).AppendValues([]string{"null", "", "x"}, []bool{true, true, false})
	rb.Field(1).(*array.Int32Builder).AppendValues([]int32{0, 1, 2}, []bool{true, true, false})
	rec := rb.NewRecordBatch()
	defer rec.Release()

	w, _ := NewWriter(context.Background(), warehouse.NewMemFS(), "x.txt", Text, schema, Options{})
	if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "is the NULL token") {
		t.Errorf("a value equal to the NULL token with nothing to enclose it: %v", err)
	}
	w.Close()
	w, _ = NewWriter(context.Background(), warehouse.NewMemFS(), "x.txt", Text, schema, Options{Text: TextOptions{NullString: strp(`\N`), NullNonString: strp("0")}})
	if err := w.Write(rec); err == nil || !strings.Contains(err.Error(), "column n") {
		t.Errorf("a number equal to --null-non-string: %v", err)
	}
	w.Close()
	for _, opts := range []TextOptions{
		{EnclosedBy: '"', OptionallyEnclosedBy: true},
		{EnclosedBy: '"', OptionallyEnclosedBy: true, NullNonString: strp("0")},
		{NullString: strp(`\N`), NullNonString: strp(`\N`), EscapedBy: '\\'},
	} {
		got, err := readBack(t, Text, schema, Options{Text: opts}, ReadOptions{Schema: schema, Text: opts}, rec)
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		sameRows(t, got, []arrow.RecordBatch{rec})
	}
}

// TestReadColumns: Columns reads some columns in the order asked, in
// every format; Prune skips Parquet row groups outside a time range.
func TestReadColumns(t *testing.T) {
	schema, rec := testBatch(t, testColumns())
	want := []string{"st", "I8", "dt6"}
	for _, f := range []Format{Parquet, Avro, Text} {
		got, err := readBack(t, f, schema, Options{Text: TextOptions{EscapedBy: '\\'}}, ReadOptions{Schema: schema, Text: TextOptions{EscapedBy: '\\'}, Columns: want}, rec)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, name := range []string{"st", "i8", "dt6"} {
			j := schema.FieldIndices(name)[0]
			if got[0].ColumnName(i) != name || !array.Equal(got[0].Column(i), rec.Column(j)) {
				t.Errorf("%s: column %d is %s %v, want %s", f, i, got[0].ColumnName(i), got[0].Column(i), name)
			}
		}
	}
	if _, err := readBack(t, Parquet, schema, Options{}, ReadOptions{Columns: []string{"nope"}}, rec); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("unknown column: %v", err)
	}

	// Row groups of 1 row: the pruned read keeps the groups whose dt6
	// range meets [lo, hi).
	dt := rec.Column(schema.FieldIndices("dt6")[0]).(*array.Timestamp)
	var lo, hi int64 = int64(dt.Value(1)), int64(dt.Value(1)) + 1
	fsys := warehouse.NewMemFS()
	w, err := NewWriter(context.Background(), fsys, "p.parquet", Parquet, schema, Options{RowGroupBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rec.NumRows() {
		s := rec.NewSlice(i, i+1)
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
		s.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := readFile(t, fsys, "p.parquet", Parquet, ReadOptions{Columns: []string{"dt6"}, Prune: &TimeRange{Column: "dt6", From: lo, To: hi}})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, g := range got {
		n += g.NumRows()
		for i := range int(g.NumRows()) {
			if v := g.Column(0).(*array.Timestamp); v.IsValid(i) && int64(v.Value(i)) != lo {
				t.Errorf("pruned read kept %v", v.Value(i))
			}
		}
	}
	if n == 0 || n == rec.NumRows() {
		t.Errorf("pruned read returned %d of %d rows", n, rec.NumRows())
	}
}

// Bounds skip the row groups whose integer statistics lie outside them.
func TestReadBounds(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int32}, {Name: "u", Type: arrow.PrimitiveTypes.Uint32}}, nil)
	fsys := warehouse.NewMemFS()
	w, err := NewWriter(context.Background(), fsys, "b.parquet", Parquet, schema, Options{RowGroupBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	for g := range 10 { // row group g holds n in [10g, 10g+9]
		rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range 10 {
			rb.Field(0).(*array.Int32Builder).Append(int32(10*g + i))
			rb.Field(1).(*array.Uint32Builder).Append(uint32(10*g + i))
		}
		rec := rb.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		rb.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lo, hi := int64(25), int64(41)
	count := func(b Bound) int64 {
		got, err := readFile(t, fsys, "b.parquet", Parquet, ReadOptions{Bounds: []Bound{b}})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, r := range got {
			n += r.NumRows()
		}
		return n
	}
	if n := count(Bound{Column: "n", Lo: &lo, Hi: &hi}); n != 30 {
		t.Errorf("n in [25, 41]: read %d rows, want the 3 row groups that can hold them (30)", n)
	}
	if n := count(Bound{Column: "N", Lo: &hi}); n != 60 {
		t.Errorf("n >= 41: read %d rows, want 60", n)
	}
	if n := count(Bound{Column: "u", Lo: &lo, Hi: &hi}); n != 100 {
		t.Errorf("unsigned columns are not pruned: read %d rows", n)
	}
}
