package jobs

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/jobs/spec"
)

// BenchmarkAggregateFold folds 1M rows shaped like hourly_activity's
// input (four string group keys, 1,260 groups, 200k users) into one
// partial with the pipeline's measures: the aggregate's per-row cost
// without workers, merge or output.
func BenchmarkAggregateFold(b *testing.B) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "event_type", Type: arrow.BinaryTypes.String},
		{Name: "country", Type: arrow.BinaryTypes.String},
		{Name: "plan", Type: arrow.BinaryTypes.String},
		{Name: "os", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "is_error", Type: arrow.PrimitiveTypes.Int64},
		{Name: "latency_ms", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	kinds := []string{"view", "click", "api_call", "login", "logout", "purchase", "login_failed"}
	countries := []string{"US", "DE", "FR", "GB", "BR", "IN", "JP", "PL", "ES", "NG", "CA", "MX"}
	plans := []string{"free", "pro", "enterprise"}
	oses := []string{"android", "ios", "web", "windows", "macos"}
	r := rand.New(rand.NewPCG(1, 2))
	var recs []arrow.RecordBatch
	const batches, rows = 16, 65536
	for range batches {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for range rows {
			rb.Field(0).(*array.StringBuilder).Append(kinds[r.IntN(len(kinds))])
			rb.Field(1).(*array.StringBuilder).Append(countries[r.IntN(len(countries))])
			rb.Field(2).(*array.StringBuilder).Append(plans[r.IntN(len(plans))])
			if r.IntN(20) == 0 {
				rb.Field(3).AppendNull()
			} else {
				rb.Field(3).(*array.StringBuilder).Append(oses[r.IntN(len(oses))])
			}
			rb.Field(4).(*array.Int64Builder).Append(int64(r.IntN(200_000)))
			rb.Field(5).(*array.Int64Builder).Append(int64(r.IntN(10) / 8))
			if r.IntN(50) == 0 {
				rb.Field(6).AppendNull()
			} else {
				rb.Field(6).(*array.Int32Builder).Append(int32(r.ExpFloat64() * 200))
			}
		}
		recs = append(recs, rb.NewRecordBatch())
		rb.Release()
	}
	defer release(recs)
	a := &spec.Aggregate{By: []string{"event_type", "country", "plan", "os"}, Measures: []map[string]string{
		{"events": "count(*)"},
		{"distinct_users": "count_distinct(user_id)"},
		{"approx_distinct_users": "approx_distinct(user_id)"},
		{"errors": "sum(is_error)"},
		{"error_rate": "avg(is_error)"},
		{"avg_latency_ms": "avg(latency_ms)"},
		{"p50_latency_ms": "percentile(latency_ms, 0.5)"},
		{"p95_latency_ms": "percentile(latency_ms, 0.95)"},
	}}
	s, err := aggregateWithBudget(FromBatches(schema), "bench", a, nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	ag := s.(*aggregate)
	b.ResetTimer()
	for range b.N {
		p := ag.newPartial()
		for _, rec := range recs {
			if err := p.add(rec); err != nil {
				b.Fatal(err)
			}
		}
		p.release()
	}
	b.ReportMetric(float64(batches*rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
