package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/builtin"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/warehouse"
)

// Table is the benchmark's table: hourly_activity's aggregate output.
const Table = "agg_events_hourly"

// staging holds published partitions while later hours are generated
// (see gen).
const staging = "_benchsql_staging"

// The dimensions' values. A group is one combination; an hour has the
// groups its activity reaches (a few hundred at night, a few thousand at
// the peak).
var (
	eventTypes = []string{"view", "click", "api_call", "login", "logout", "purchase", "login_failed", "signup", "search", "share"}
	countries  = []string{"US", "DE", "FR", "GB", "BR", "IN", "JP", "PL", "ES", "NG", "CA", "MX", "IT", "NL", "SE", "AU", "KR", "TR", "ID", "AR", "ZA", "EG", "VN", "PH", "UA"}
	plans      = []string{"free", "pro", "enterprise"}
	oses       = []string{"", "android", "ios", "web", "windows", "macos"} // "": NULL (a device the left join did not find)
)

// aggregateSchema is the schema hourly_activity's aggregate step gives
// the pipeline's rows: built by the real step over an input with the
// columns (and types) its joins and augment produce.
func aggregateSchema() (*arrow.Schema, error) {
	p, _, err := builtin.Get("hourly_activity")
	if err != nil {
		return nil, err
	}
	var agg *spec.Aggregate
	for _, s := range p.Steps {
		if s.Aggregate != nil {
			agg = s.Aggregate
		}
	}
	if agg == nil {
		return nil, errors.New("hourly_activity has no aggregate step")
	}
	md := func(t string) arrow.Metadata { return arrow.NewMetadata([]string{"mysql.type"}, []string{t}) }
	in := arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64, Metadata: md("bigint")},
		{Name: "event_type", Type: arrow.BinaryTypes.String, Metadata: md("varchar(32)")},
		{Name: "latency_ms", Type: arrow.PrimitiveTypes.Int32, Nullable: true, Metadata: md("int")},
		{Name: "country", Type: arrow.BinaryTypes.String, Metadata: md("char(2)")},
		{Name: "plan", Type: arrow.BinaryTypes.String, Metadata: md("varchar(16)")},
		{Name: "os", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md("varchar(16)")},
		{Name: "is_error", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	s, err := jobs.Aggregate(jobs.FromBatches(in), "aggregate", agg, &jobs.Window{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	want := "window_start event_type country plan os events distinct_users approx_distinct_users errors error_rate avg_latency_ms p50_latency_ms p95_latency_ms"
	var got []string
	for _, f := range s.Schema().Fields() {
		got = append(got, f.Name)
	}
	if strings.Join(got, " ") != want {
		return nil, fmt.Errorf("hourly_activity's aggregate has columns %v; the benchmark writes %s", got, want)
	}
	return s.Schema(), nil
}

// gen publishes hours hourly partitions of Table from first on, each
// through the pipeline's own write step (jobs.Write, Prepare, Commit),
// so files, partition manifests and the root manifest are a pipeline's.
// Commit rebuilds the root manifest from every partition, which over a
// year is quadratic; so each published partition is moved aside before
// the next hour and all are moved back at the end, where one
// jobs.RebuildManifest writes the root manifest the last Commit would
// have written over all of them.
func gen(ctx context.Context, fsys warehouse.FS, first time.Time, hours int, progress io.Writer) error {
	schema, err := aggregateSchema()
	if err != nil {
		return err
	}
	for _, d := range []string{Table, staging} {
		if err := fsys.RemoveAll(ctx, d); err != nil {
			return err
		}
	}
	var rows int64
	for h := range hours {
		w := jobs.Window{Start: first.Add(time.Duration(h) * time.Hour)}
		rec := hourRows(schema, w.Start, uint64(h))
		rows += rec.NumRows()
		wr, err := jobs.Write(jobs.FromBatches(schema, rec), jobs.WriteOptions{FS: fsys, Table: Table, Pipeline: "hourly_activity",
			Window: w, RunID: fmt.Sprintf("bench-%05d", h), PartitionBy: jobs.WindowColumn})
		if err != nil {
			return err
		}
		for {
			b, err := wr.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			b.Release()
		}
		if err := wr.Prepare(ctx, nil); err != nil {
			return err
		}
		if _, err := wr.Commit(ctx); err != nil {
			return err
		}
		if err := wr.Close(); err != nil {
			return err
		}
		day := w.Start.Format("dt=2006-01-02")
		if err := fsys.MkdirAll(ctx, path.Join(staging, day)); err != nil {
			return err
		}
		if err := fsys.Rename(ctx, path.Join(Table, w.Partition()), path.Join(staging, w.Partition())); err != nil {
			return err
		}
		if err := fsys.Remove(ctx, path.Join(Table, day)); err != nil {
			return err
		}
		if progress != nil && (h+1)%720 == 0 {
			fmt.Fprintf(progress, "  %d/%d hours, %d rows\n", h+1, hours, rows)
		}
	}
	days, err := fsys.ReadDir(ctx, staging)
	if err != nil {
		return err
	}
	for _, d := range days {
		if err := fsys.Rename(ctx, path.Join(staging, d.Name()), path.Join(Table, d.Name())); err != nil {
			return err
		}
	}
	if err := fsys.Remove(ctx, staging); err != nil {
		return err
	}
	return jobs.RebuildManifest(ctx, fsys, Table, fmt.Sprintf("bench-%05d", hours-1))
}

// hourRows is one hour's aggregate rows, sorted by group key as the
// aggregate step emits them. The number of groups follows the time of
// day (about 300 at night, 3,000 at the peak); values are plausible
// (distinct users ≤ events, errors ≤ events, p50 ≤ p95).
func hourRows(schema *arrow.Schema, start time.Time, seed uint64) arrow.RecordBatch {
	r := rand.New(rand.NewPCG(seed, 7))
	hour := float64(start.Hour())
	// Activity peaks at 15:00 UTC; weekends are quieter.
	activity := 0.55 + 0.45*math.Cos((hour-15)/24*2*math.Pi)
	if wd := start.Weekday(); wd == time.Saturday || wd == time.Sunday {
		activity *= 0.7
	}
	keep := 0.04 + 0.7*activity
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ws := b.Field(0).(*array.TimestampBuilder)
	strs := []*array.StringBuilder{b.Field(1).(*array.StringBuilder), b.Field(2).(*array.StringBuilder), b.Field(3).(*array.StringBuilder), b.Field(4).(*array.StringBuilder)}
	ints := []*array.Int64Builder{b.Field(5).(*array.Int64Builder), b.Field(6).(*array.Int64Builder), b.Field(7).(*array.Int64Builder), b.Field(8).(*array.Int64Builder)}
	floats := []*array.Float64Builder{b.Field(9).(*array.Float64Builder), b.Field(10).(*array.Float64Builder), b.Field(11).(*array.Float64Builder), b.Field(12).(*array.Float64Builder)}
	for ei, et := range sortedCopy(eventTypes) {
		for ci, c := range sortedCopy(countries) {
			for pi, p := range sortedCopy(plans) {
				for _, o := range oses { // "" (NULL) sorts first
					// Popular event types, countries and plans have more groups
					// and more events.
					weight := 1 / (1 + 0.3*float64(ei)) / (1 + 0.15*float64(ci)) / (1 + float64(pi))
					if r.Float64() > keep*math.Sqrt(weight)*1.6 {
						continue
					}
					events := 1 + int64(r.ExpFloat64()*2000*activity*weight)
					users := 1 + r.Int64N(events)
					errs := r.Int64N(events/10 + 1)
					ws.Append(arrow.Timestamp(start.UnixMicro()))
					strs[0].Append(et)
					strs[1].Append(c)
					strs[2].Append(p)
					if o == "" {
						strs[3].AppendNull()
					} else {
						strs[3].Append(o)
					}
					ints[0].Append(events)
					ints[1].Append(users)
					ints[2].Append(max(1, users+r.Int64N(users/50+1)-users/100))
					ints[3].Append(errs)
					floats[0].Append(float64(errs) / float64(events))
					if r.IntN(100) == 0 { // every latency NULL
						floats[1].AppendNull()
						floats[2].AppendNull()
						floats[3].AppendNull()
						continue
					}
					p50 := 20 + r.Float64()*200
					floats[1].Append(p50 * (1.1 + r.Float64()*0.3))
					floats[2].Append(p50)
					floats[3].Append(p50 * (2 + r.Float64()*4))
				}
			}
		}
	}
	return b.NewRecordBatch()
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
