package format

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/warehouse"
)

// BenchmarkRead reads 100k rows of a typical fact table back from each
// format; compare the formats' ns/op with Parquet's in the same run.
func BenchmarkRead(b *testing.B) {
	const rows = 100_000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Metadata: arrow.NewMetadata([]string{MetaFSP}, []string{"3"})},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for i := range rows {
		rb.Field(0).(*array.Int64Builder).Append(int64(i))
		rb.Field(1).(*array.Int32Builder).Append(int32(i % 5000))
		rb.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i * 37 % 100000)))
		rb.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(1_763_700_000_000_000 + int64(i)*1000))
		if i%7 == 0 {
			rb.Field(4).AppendNull()
		} else {
			rb.Field(4).(*array.StringBuilder).Append("order note number " + string(rune('a'+i%26)))
		}
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	ctx := context.Background()
	for _, f := range []Format{Parquet, Avro, Text} {
		fsys := warehouse.NewMemFS()
		name := "bench" + f.Extension(Snappy)
		opts := Options{Codec: Snappy, Text: TextOptions{EscapedBy: '\\'}}
		if f == Text {
			opts.Codec = None
			name = "bench.txt"
		}
		w, err := NewWriter(ctx, fsys, name, f, schema, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				r, err := NewReader(ctx, fsys, name, f, ReadOptions{Schema: schema, Text: opts.Text})
				if err != nil {
					b.Fatal(err)
				}
				n := int64(0)
				for {
					batch, err := r.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += batch.NumRows()
					batch.Release()
				}
				r.Close()
				if n != rows {
					b.Fatalf("read %d rows", n)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
