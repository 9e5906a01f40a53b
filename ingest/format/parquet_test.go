package format

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hetl/hetl/warehouse"
)

func TestDictionaryPays(t *testing.T) {
	mem := memory.NewGoAllocator()
	ints := func(n int, f func(i int) int64) arrow.Array {
		b := array.NewInt64Builder(mem)
		for i := range n {
			b.Append(f(i))
		}
		return b.NewArray()
	}
	strs := func(n int, f func(i int) string) arrow.Array {
		b := array.NewStringBuilder(mem)
		for i := range n {
			b.Append(f(i))
		}
		return b.NewArray()
	}
	for _, tt := range []struct {
		name string
		col  arrow.Array
		want bool
	}{
		{"unique keys", ints(8192, func(i int) int64 { return int64(i) }), false},
		{"status codes", ints(8192, func(i int) int64 { return int64(i % 5) }), true},
		{"each value twice", ints(8192, func(i int) int64 { return int64(i / 2) }), true},
		{"small sample keeps the default", ints(100, func(i int) int64 { return int64(i) }), true},
		{"free text", strs(4096, func(i int) string { return fmt.Sprintf("message %d", i) }), false},
		{"countries", strs(4096, func(i int) string { return []string{"DE", "FR", "US"}[i%3] }), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.col.Release()
			if got := dictionaryPays(tt.col); got != tt.want {
				t.Errorf("dictionaryPays = %v, want %v", got, tt.want)
			}
		})
	}
}

// A Parquet file written with hetl's snappy encoder and per-column
// dictionary choice reads back equal, with dictionary pages only where
// values repeat.
func TestParquetRoundTripSnappyDictionary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fsys, err := warehouse.NewLocalFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "country", Type: arrow.BinaryTypes.String},
	}, nil)
	w, err := NewWriter(ctx, fsys, "t.parquet", Parquet, schema, Options{Codec: Snappy})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 20000
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append([]string{"DE", "FR", "US"}[i%3])
		if (i+1)%5000 == 0 {
			rec := b.NewRecordBatch()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, err := fsys.Open(ctx, "t.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	md := pr.MetaData()
	if md.NumRows != rows {
		t.Fatalf("rows = %d, want %d", md.NumRows, rows)
	}
	rg := md.RowGroup(0)
	for i, wantDict := range []bool{false, true} {
		cc, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if cc.Compression() != compress.Codecs.Snappy {
			t.Errorf("column %d compression %v, want snappy", i, cc.Compression())
		}
		if cc.HasDictionaryPage() != wantDict {
			t.Errorf("column %d: dictionary page %v, want %v", i, cc.HasDictionaryPage(), wantDict)
		}
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	n := 0
	for _, chunk := range tbl.Column(0).Data().Chunks() {
		ids := chunk.(*array.Int64)
		for j := 0; j < ids.Len(); j++ {
			if ids.Value(j) != int64(n) {
				t.Fatalf("row %d: id %d", n, ids.Value(j))
			}
			n++
		}
	}
	if n != rows {
		t.Fatalf("read %d rows, want %d", n, rows)
	}
}

// A writer that never got rows still leaves a valid Parquet file.
func TestParquetEmptyFile(t *testing.T) {
	ctx := context.Background()
	fsys, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	w, err := NewWriter(ctx, fsys, "e.parquet", Parquet, schema, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := fsys.Open(ctx, "e.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if pr.NumRows() != 0 || pr.MetaData().Schema.NumColumns() != 1 {
		t.Errorf("rows %d, columns %d", pr.NumRows(), pr.MetaData().Schema.NumColumns())
	}
}
