package format

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/warehouse"
)

// Row groups skipped by any bound never hold a row within it: for
// integer, decimal (negative values too: two's complement statistics)
// and string columns, random data and random bounds read the same
// matching rows as a read without bounds, and skip row groups.
func TestReadBoundsNeverLoseRows(t *testing.T) {
	dec := &arrow.Decimal128Type{Precision: 12, Scale: 2}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "d", Type: dec, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	r := rand.New(rand.NewPCG(1, 2))
	fsys := warehouse.NewMemFS()
	w, err := NewWriter(context.Background(), fsys, "b.parquet", Parquet, schema, Options{RowGroupBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"", "a", "ab", "b", "DE", "FR", "click", "view", "zz", "é", "\xff"}
	for g := range 40 {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		base := int64(g*25 - 500) // groups drift, so bounds can skip some
		for range 20 {
			if r.IntN(10) == 0 {
				rb.Field(0).AppendNull()
				rb.Field(1).AppendNull()
				rb.Field(2).AppendNull()
				continue
			}
			rb.Field(0).(*array.Int64Builder).Append(base + r.Int64N(40))
			rb.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(base*100 + r.Int64N(4000)))
			rb.Field(2).(*array.StringBuilder).Append(words[(g/4+r.IntN(3))%len(words)])
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

	// in reports whether row i of rec is within b.
	in := func(rec arrow.RecordBatch, b Bound, i int) bool {
		switch b.Column {
		case "i":
			c := rec.Column(0).(*array.Int64)
			v := big.NewRat(c.Value(i), 1)
			return c.IsValid(i) && (b.NumLo == nil || v.Cmp(b.NumLo) >= 0) && (b.NumHi == nil || v.Cmp(b.NumHi) <= 0)
		case "d":
			c := rec.Column(1).(*array.Decimal128)
			v := new(big.Rat).SetFrac(c.Value(i).BigInt(), big.NewInt(100))
			return c.IsValid(i) && (b.NumLo == nil || v.Cmp(b.NumLo) >= 0) && (b.NumHi == nil || v.Cmp(b.NumHi) <= 0)
		default:
			c := rec.Column(2).(*array.String)
			v := c.Value(i)
			return c.IsValid(i) && (b.StrLo == nil || v >= *b.StrLo) && (b.StrHi == nil || v <= *b.StrHi)
		}
	}
	// read counts the rows read with bounds bs and those of them in b.
	read := func(b Bound, bs ...Bound) (rows, matching int64) {
		recs, err := readFile(t, fsys, "b.parquet", Parquet, ReadOptions{Bounds: bs})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			rows += rec.NumRows()
			for i := range int(rec.NumRows()) {
				if in(rec, b, i) {
					matching++
				}
			}
		}
		return rows, matching
	}
	rat := func() *big.Rat {
		if r.IntN(4) == 0 {
			return nil
		}
		return big.NewRat(r.Int64N(150000)-50000, int64(1+r.IntN(100)))
	}
	str := func() *string {
		if r.IntN(4) == 0 {
			return nil
		}
		s := words[r.IntN(len(words))]
		return &s
	}
	f, err := fsys.Open(context.Background(), "b.parquet")
	if err != nil {
		t.Fatal(err)
	}
	md, err := NewFooterCache(1<<20).Footer("b.parquet", f, f.Size())
	f.Close()
	if err != nil || md == nil {
		t.Fatalf("footer: %v %v", md, err)
	}
	skipped := map[string]int{}
	for k := range 600 {
		var b Bound
		switch k % 3 {
		case 0:
			b = Bound{Column: "i", NumLo: rat(), NumHi: rat()}
		case 1:
			b = Bound{Column: "d", NumLo: rat(), NumHi: rat()}
		default:
			b = Bound{Column: "s", StrLo: str(), StrHi: str()}
		}
		rows, got := read(b, b)
		all, want := read(b)
		// ParquetRowGroups keeps the row groups NewReader reads.
		groups, err := ParquetRowGroups(md, schema, []Bound{b})
		if err != nil {
			t.Fatal(err)
		}
		var kept int64
		for _, g := range groups {
			kept += md.RowGroup(g).NumRows()
		}
		if kept != rows {
			t.Fatalf("bound %s: ParquetRowGroups keeps %d rows, NewReader reads %d", show(b), kept, rows)
		}
		if got != want {
			t.Fatalf("bound %s: %d matching rows read, %d in the file", show(b), got, want)
		}
		if rows < all {
			skipped[b.Column]++
		}
	}
	for _, c := range []string{"i", "d", "s"} {
		if skipped[c] == 0 {
			t.Errorf("no bound on %s skipped a row group", c)
		}
	}
}

func show(b Bound) string {
	end := func(r *big.Rat, s *string) string {
		switch {
		case r != nil:
			return r.RatString()
		case s != nil:
			return fmt.Sprintf("%q", *s)
		}
		return "-"
	}
	return fmt.Sprintf("%s[%s,%s]", b.Column, end(b.NumLo, b.StrLo), end(b.NumHi, b.StrHi))
}
