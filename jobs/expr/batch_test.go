package expr

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// randomBatch has n rows of varied values, some NULL, the same every
// time.
func randomBatch(t testing.TB, n int) arrow.RecordBatch {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "big", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "at", Type: tsUTC, Nullable: true},
		{Name: "price", Type: price, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	words := []string{"", "a", "banana", "42", "-7", "x1", "café", "2026-11-21 10:00:00", "a%b", " 12 "}
	for range n {
		null := func() bool { return r.IntN(10) == 0 }
		if null() {
			for i := range schema.NumFields() {
				rb.Field(i).AppendNull()
			}
			continue
		}
		rb.Field(0).(*array.Int32Builder).Append(int32(r.IntN(2000) - 1000))
		rb.Field(1).(*array.Int64Builder).Append(r.Int64N(1e12) - 5e11)
		rb.Field(2).(*array.Float64Builder).Append(r.NormFloat64() * 100)
		if null() {
			rb.Field(3).AppendNull()
		} else {
			rb.Field(3).(*array.StringBuilder).Append(words[r.IntN(len(words))])
		}
		rb.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(ts("2026-11-21 00:00:00") + r.Int64N(3*86400e6) - 86400e6))
		rb.Field(5).(*array.Decimal128Builder).Append(decimal128.FromI64(r.Int64N(1e9) - 5e8))
		if null() {
			rb.Field(6).AppendNull()
		} else {
			rb.Field(6).(*array.BooleanBuilder).Append(r.IntN(2) == 0)
		}
	}
	rec := rb.NewRecordBatch()
	t.Cleanup(rec.Release)
	return rec
}

var independenceExprs = []string{
	"n * 2 + 1 > 100 AND ok",
	"n > 0 OR ok",
	"CASE WHEN n % 3 = 0 THEN 'fizz' WHEN n % 5 = 0 THEN s ELSE concat(s, '-', n) END",
	"coalesce(TRY_CAST(s AS BIGINT), n, -1)",
	"IF(regexp_like(s, '^-?[0-9]+$'), CAST(s AS BIGINT) * 2, NULL)",
	"s LIKE '%a%' OR price > 10",
	"s NOT IN ('a', 'banana', NULL)",
	"n BETWEEN -10 AND big",
	"time_bucket(at, INTERVAL '15' MINUTE)",
	"date_trunc('hour', at) + INTERVAL '30' MINUTE",
	"hour(at) * 100 + day(at)",
	"concat_ws('|', s, price, at, f)",
	"n IN (1, 2, 3, NULL)",
	"price * 2 + 1",
	"round(f, 2)",
	"greatest(n, big) - least(n, big)",
	"nullif(s, '')",
	"split_part(s, 'a', 2)",
	"upper(substr(s, -3, 2))",
	"length(regexp_replace(s, '[aeiou]', ''))",
	"twice(n) DIV 3",
	"n / (n % 7)",
	"CASE n % 4 WHEN 0 THEN price WHEN 1 THEN 1 END",
	"big + 9223372036854775000", // overflows in some rows: an error either way
}

// TestBatchIndependence: the same rows give the same values whether in
// one batch or cut into three slices (which also have offsets into their
// buffers).
func TestBatchIndependence(t *testing.T) {
	rec := randomBatch(t, 1000)
	reg := NewRegistry()
	if err := reg.Register("twice", twice); err != nil {
		t.Fatal(err)
	}
	cuts := []int64{0, 1, 337, 1000} // three slices: of 1, 336 and 663 rows
	for _, src := range independenceExprs {
		t.Run(src, func(t *testing.T) {
			p, err := CompileString(src, rec.Schema(), reg)
			if err != nil {
				t.Fatal(err)
			}
			empty := rec.NewSlice(5, 5)
			defer empty.Release()
			if out, err := p.Eval(empty, nil); err != nil || out.Len() != 0 {
				t.Fatalf("no rows: %v, %v", out, err)
			} else {
				out.Release()
			}
			whole, wholeErr := p.Eval(rec, nil)
			var parts []arrow.Array
			var partErr error
			for k := 1; k < len(cuts); k++ {
				s := rec.NewSlice(cuts[k-1], cuts[k])
				out, err := p.Eval(s, nil)
				s.Release()
				if err != nil {
					partErr = err
					break
				}
				defer out.Release()
				parts = append(parts, out)
			}
			if (wholeErr == nil) != (partErr == nil) {
				t.Fatalf("whole: %v; in slices: %v", wholeErr, partErr)
			}
			if wholeErr != nil {
				return
			}
			defer whole.Release()
			joined, err := array.Concatenate(parts, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			defer joined.Release()
			if !array.Equal(whole, joined) {
				for i := range whole.Len() {
					if w, j := whole.ValueStr(i), joined.ValueStr(i); w != j {
						t.Fatalf("row %d: whole %s, in slices %s", i, w, j)
					}
				}
				t.Fatal("whole and sliced results differ")
			}
		})
	}
}

// TestConcurrentEval: a program holds no per-batch state.
func TestConcurrentEval(t *testing.T) {
	rec := randomBatch(t, 2000)
	p, err := CompileString("CASE WHEN s LIKE '%a%' THEN upper(s) ELSE concat(s, n, regexp_extract(s, '[0-9]+')) END", rec.Schema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Eval(rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := p.Eval(rec, nil)
				if err != nil {
					errs <- err
					return
				}
				if !array.Equal(got, want) {
					errs <- fmt.Errorf("a concurrent Eval gave different values")
				}
				got.Release()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestProjectedBatch: Eval finds columns by name, so a batch holding
// only Columns() (in any order) works.
func TestProjectedBatch(t *testing.T) {
	rec := testBatch(t)
	p, err := CompileString("concat(word, '/', N)", rec.Schema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(p.Columns()); got != "[word n]" {
		t.Errorf("Columns() = %s", got)
	}
	schema := arrow.NewSchema([]arrow.Field{rec.Schema().Field(0), rec.Schema().Field(16)}, nil)
	small := array.NewRecordBatch(schema, []arrow.Array{rec.Column(0), rec.Column(16)}, rec.NumRows())
	defer small.Release()
	out, err := p.Eval(small, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := out.String(); got != `["abc/5" "ABC/-3" "a%c/200" "héllo/0" (null)]` {
		t.Errorf("got %s", got)
	}
	other := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{rec.Column(5)}, rec.NumRows())
	defer other.Release()
	if _, err := p.Eval(other, nil); err == nil {
		t.Error("a batch without word evaluated")
	}
}

// FuzzCompileEval: whatever parses compiles or fails cleanly, and
// evaluates without panicking to a result of the right length and type.
func FuzzCompileEval(f *testing.F) {
	for _, s := range independenceExprs {
		f.Add(s)
	}
	for _, s := range []string{"price / 2", "CAST(s AS DECIMAL(38,10)) * 2", "at - INTERVAL '1' DAY", "-(-9223372036854775807 - 1)", "round(price, -40)", "f LIKE '%'"} {
		f.Add(s)
	}
	rec := randomBatch(f, 200)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := CompileString(s, rec.Schema(), nil)
		if err != nil {
			return
		}
		_ = p.String()
		out, err := p.Eval(rec, nil)
		if err != nil {
			return
		}
		defer out.Release()
		if out.Len() != int(rec.NumRows()) || !arrow.TypeEqual(out.DataType(), p.Type()) {
			t.Fatalf("%q: %d rows of %s, want %d of %s", s, out.Len(), out.DataType(), rec.NumRows(), p.Type())
		}
	})
}
