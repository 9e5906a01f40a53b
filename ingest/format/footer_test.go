package format

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/warehouse"
)

// A kept footer serves only the very same footer bytes: a file replaced
// under its name is read with its own footer, whatever the budget.
func TestFooterCache(t *testing.T) {
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	fsys := warehouse.NewMemFS()
	write := func(vals ...int64) {
		t.Helper()
		_ = fsys.Remove(ctx, "f.parquet")
		w, err := NewWriter(ctx, fsys, "f.parquet", Parquet, schema, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.AppendValues(vals, nil)
		rec := array.NewRecordBatch(schema, []arrow.Array{b.NewArray()}, int64(len(vals)))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	sum := func(c *FooterCache) (n, total int64) {
		t.Helper()
		recs, err := readFile(t, fsys, "f.parquet", Parquet, ReadOptions{Footers: c})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			for _, v := range rec.Column(0).(*array.Int64).Int64Values() {
				n, total = n+1, total+v
			}
		}
		return n, total
	}
	for _, budget := range []int64{1 << 20, 1} {
		c := NewFooterCache(budget)
		write(1, 2, 3)
		if n, s := sum(c); n != 3 || s != 6 {
			t.Fatalf("budget %d: read %d rows summing to %d, want 3 and 6", budget, n, s)
		}
		f, _ := fsys.Open(ctx, "f.parquet")
		md1, _ := c.Footer("f.parquet", f, f.Size())
		md2, _ := c.Footer("f.parquet", f, f.Size())
		f.Close()
		if (md1 == md2) != (budget > 1) {
			t.Errorf("budget %d: the same footer parsed twice: %v", budget, md1 == md2)
		}
		write(10, 20, 30, 40, 50)
		if n, s := sum(c); n != 5 || s != 150 {
			t.Fatalf("budget %d: after the file was replaced, read %d rows summing to %d, want 5 and 150", budget, n, s)
		}
	}
}
