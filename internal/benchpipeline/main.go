// Command benchpipeline is make bench-pipeline's Go side: "gen" writes
// one hour of synthetic events (and their users and devices) as tables
// hetl published, "run" runs the built-in hourly_activity over that hour
// and prints rows/s and the process's peak RSS.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/builtin"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/warehouse"
)

// Hour is the benchmark's window.
var Hour = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchpipeline gen|run -dir DIR [-rows N]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", "", "warehouse directory")
	rows := fs.Int("rows", 2_000_000, "events in the hour")
	prof := fs.String("cpuprofile", "", "write a CPU profile of run here")
	memMB := fs.Int64("memory-mb", 0, "run: the pipeline's memory budget in MiB (0: the default)")
	aggOnly := fs.Bool("agg-only", false, "run: hourly_activity without anonymize and events_clean (the work DuckDB's first query does)")
	fs.Parse(os.Args[2:])
	if *prof != "" {
		f, err := os.Create(*prof)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(*dir, *rows)
	case "run":
		err = run(*dir, *aggOnly, *memMB<<20)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpipeline:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(dir string, aggOnly bool, budget int64) error {
	ctx := context.Background()
	fsys, err := warehouse.NewLocalFS(dir)
	if err != nil {
		return err
	}
	p, _, err := builtin.Get("hourly_activity")
	if err != nil {
		return err
	}
	if aggOnly {
		p = withoutAnonymizing(p)
	}
	if budget <= 0 {
		budget = jobs.DefaultMemoryBudget
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(budget + 256<<20) // as hetl run does (cmd/hetl/command holdHeapNear)
	}
	key, err := pii.NewKey([]byte("the benchmark's key, 32 bytes or more"))
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := jobs.Run(ctx, "hourly_activity", p, jobs.Env{FS: fsys, PIIKey: &key, MemoryBudget: budget}, jobs.RunOptions{Window: jobs.Window{Start: Hour}, RunID: "bench"})
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	var groups int64
	for _, o := range res.Outputs {
		if o.Table == "agg_events_hourly" {
			groups = o.Rows
		}
	}
	fmt.Printf("%d %.3f %.0f %d %d\n", res.RowsIn, secs, float64(res.RowsIn)/secs, peakRSS()/1024, groups)
	return nil
}

// withoutAnonymizing is p without its anonymize step and without the
// write of events_clean before the aggregate: cleanse, joins, augment and
// aggregate only, the same work as DuckDB's aggregation query.
func withoutAnonymizing(p *spec.Pipeline) *spec.Pipeline {
	q := *p
	q.Steps = nil
	for i, s := range p.Steps {
		last := i == len(p.Steps)-1
		if s.Anonymize != nil || (s.Write != nil && !last) {
			continue
		}
		q.Steps = append(q.Steps, s)
	}
	return &q
}

// peakRSS is the process's peak resident set in KiB (VmHWM).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb
		}
	}
	return 0
}

var (
	countries = []string{"US", "US", "US", "DE", "FR", "GB", "BR", "IN", "JP", "PL", "ES", "NG"}
	plans     = []string{"free", "free", "free", "pro", "pro", "enterprise"}
	oses      = []string{"android", "ios", "web", "windows", "macos"}
	kinds     = []string{"view", "view", "view", "click", "click", "api_call", "login", "logout", "purchase", "login_failed"}
	statuses  = []int16{200, 200, 200, 200, 201, 204, 404, 429, 500, 503}
)

func gen(dir string, n int) error {
	ctx := context.Background()
	fsys, err := warehouse.NewLocalFS(dir)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	users := max(n/20, 10)
	devices := users * 2
	mem := memory.DefaultAllocator

	us := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "country", Type: arrow.BinaryTypes.String}, {Name: "plan", Type: arrow.BinaryTypes.String}}, nil)
	ub := array.NewRecordBuilder(mem, us)
	for i := 1; i <= users; i++ {
		ub.Field(0).(*array.Int64Builder).Append(int64(i))
		ub.Field(1).(*array.StringBuilder).Append(countries[r.IntN(len(countries))])
		ub.Field(2).(*array.StringBuilder).Append(plans[r.IntN(len(plans))])
	}
	if err := publish(ctx, fsys, "users", "", map[string][]arrow.RecordBatch{"": {ub.NewRecordBatch()}}); err != nil {
		return err
	}
	ds := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "os", Type: arrow.BinaryTypes.String}}, nil)
	db := array.NewRecordBuilder(mem, ds)
	for i := 1; i <= devices; i++ {
		db.Field(0).(*array.Int64Builder).Append(int64(i))
		db.Field(1).(*array.StringBuilder).Append(oses[r.IntN(len(oses))])
	}
	if err := publish(ctx, fsys, "devices", "", map[string][]arrow.RecordBatch{"": {db.NewRecordBatch()}}); err != nil {
		return err
	}

	es := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "device_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "event_type", Type: arrow.BinaryTypes.String},
		{Name: "ip", Type: arrow.BinaryTypes.String},
		{Name: "user_agent", Type: arrow.BinaryTypes.String},
		{Name: "message", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "latency_ms", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "status", Type: arrow.PrimitiveTypes.Int16},
		{Name: "created_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	}, nil)
	var batches []arrow.RecordBatch
	eb := array.NewRecordBuilder(mem, es)
	for i := 1; i <= n; i++ {
		u := int64(1 + r.IntN(users+users/200)) // a few orphans
		eb.Field(0).(*array.Int64Builder).Append(int64(i))
		eb.Field(1).(*array.Int64Builder).Append(u)
		if r.IntN(20) == 0 {
			eb.Field(2).AppendNull()
		} else {
			eb.Field(2).(*array.Int64Builder).Append(int64(1 + r.IntN(devices)))
		}
		k := kinds[r.IntN(len(kinds))]
		eb.Field(3).(*array.StringBuilder).Append(k)
		ip := fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256))
		eb.Field(4).(*array.StringBuilder).Append(ip)
		eb.Field(5).(*array.StringBuilder).Append("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")
		eb.Field(6).(*array.StringBuilder).Append(fmt.Sprintf("%s by user%d@example.com from %s", k, u, ip))
		switch lat := r.ExpFloat64() * 120; {
		case r.IntN(50) == 0:
			eb.Field(7).AppendNull()
		case r.IntN(500) == 0:
			eb.Field(7).(*array.Int32Builder).Append(-1)
		default:
			eb.Field(7).(*array.Int32Builder).Append(int32(lat))
		}
		eb.Field(8).(*array.Int16Builder).Append(statuses[r.IntN(len(statuses))])
		eb.Field(9).(*array.TimestampBuilder).Append(arrow.Timestamp(Hour.UnixMicro() + r.Int64N(3_600_000_000)))
		if i%100_000 == 0 || i == n {
			batches = append(batches, eb.NewRecordBatch())
		}
	}
	part := Hour.Format("dt=2006-01-02/hr=15")
	groups := map[string][]arrow.RecordBatch{}
	for i, b := range batches { // 4 files, as 4 import readers would write
		groups[fmt.Sprintf("%s#%d", part, i%4)] = append(groups[fmt.Sprintf("%s#%d", part, i%4)], b)
	}
	return publish(ctx, fsys, "events", "created_at", groups)
}

// publish writes a table the way hetl import leaves one: Parquet files
// and a _SUCCESS manifest with their schema.
func publish(ctx context.Context, fsys warehouse.FS, table, partitionBy string, files map[string][]arrow.RecordBatch) error {
	if err := fsys.RemoveAll(ctx, table); err != nil {
		return err
	}
	var schema *arrow.Schema
	m := ingest.Manifest{RunID: "bench", Source: table, Target: table, Format: "parquet", Codec: "snappy", Mode: "create", PartitionBy: partitionBy}
	for key, recs := range files {
		dirPart, idx, _ := strings.Cut(key, "#")
		name := path.Join(dirPart, fmt.Sprintf("part-bench-%s.parquet", idx))
		if idx == "" {
			name = "part-bench.parquet"
		}
		schema = recs[0].Schema()
		w, err := format.NewWriter(ctx, fsys, path.Join(table, name), format.Parquet, schema, format.Options{Codec: format.Snappy})
		if err != nil {
			return err
		}
		var rows int64
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				return err
			}
			rows += r.NumRows()
		}
		if err := w.Close(); err != nil {
			return err
		}
		info, err := fsys.Stat(ctx, path.Join(table, name))
		if err != nil {
			return err
		}
		m.Files = append(m.Files, ingest.ManifestFile{Path: name, Rows: rows, Bytes: info.Size(), Schema: ingest.Fingerprint(schema)})
		m.Rows += rows
	}
	enc, err := ingest.EncodeSchema(schema)
	if err != nil {
		return err
	}
	m.SchemaFingerprint = ingest.Fingerprint(schema)
	m.Schemas = map[string]string{m.SchemaFingerprint: enc}
	body, err := json.Marshal(&m)
	if err != nil {
		return err
	}
	w, err := fsys.Create(ctx, path.Join(table, ingest.SuccessFile), warehouse.CreateOptions{})
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	return w.Close()
}
