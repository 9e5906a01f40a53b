package expr

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// eventBatch is n rows of Int32 latency_ms and status, NULL once in
// nullEvery rows (0: never), plus an event_type string.
func eventBatch(b *testing.B, n, nullEvery int) arrow.RecordBatch {
	r := rand.New(rand.NewPCG(3, 4))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "latency_ms", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "status", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "event_type", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	types := []string{"login", "logout", "purchase", "login_failed", "view"}
	for i := range n {
		if nullEvery > 0 && i%nullEvery == 0 {
			rb.Field(0).AppendNull()
		} else {
			rb.Field(0).(*array.Int32Builder).Append(int32(r.IntN(2000)))
		}
		rb.Field(1).(*array.Int32Builder).Append([]int32{200, 200, 200, 404, 500, 503}[r.IntN(6)])
		rb.Field(2).(*array.StringBuilder).Append(types[r.IntN(len(types))])
	}
	rec := rb.NewRecordBatch()
	b.Cleanup(rec.Release)
	return rec
}

func benchEval(b *testing.B, src string, nullEvery int) {
	const rows = 64 * 1024
	rec := eventBatch(b, rows, nullEvery)
	p, err := CompileString(src, rec.Schema(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		out, err := p.Eval(rec, memory.DefaultAllocator)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

// The target: > 5 M rows/s on one core.
func BenchmarkFilter(b *testing.B) {
	benchEval(b, "latency_ms * 2 + 1 > 100 AND status >= 500", 0)
}

func BenchmarkFilterWithNulls(b *testing.B) {
	benchEval(b, "latency_ms * 2 + 1 > 100 AND status >= 500", 20)
}

func BenchmarkCaseStrings(b *testing.B) {
	benchEval(b, "CASE WHEN latency_ms IS NULL THEN 'unknown' WHEN latency_ms < 100 THEN 'fast' WHEN latency_ms < 1000 THEN 'normal' ELSE 'slow' END", 20)
}

func BenchmarkInLike(b *testing.B) {
	benchEval(b, "event_type IN ('login', 'login_failed') OR event_type LIKE '%chase'", 0)
}
