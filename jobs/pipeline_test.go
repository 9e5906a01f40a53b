package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/jobs/builtin"
	"github.com/hetl/hetl/warehouse"
)

var seedStart = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// seeded is a MariaDB database with the demo data set, imported raw (no
// PII protection at import) into a local warehouse.
type seeded struct {
	db   *sql.DB
	src  *mysql.Config
	fsys warehouse.FS
	key  pii.Key
}

func seed(t *testing.T, rows, hours int) *seeded {
	t.Helper()
	srv := testcluster.MySQL(t)
	name := fmt.Sprintf("hetl_jobs_%d", time.Now().UnixNano())
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = srv.User, srv.Password, "tcp", srv.Addr(), name
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); admin.Exec("DROP DATABASE " + name); admin.Close() })
	ctx := context.Background()
	if _, err := demo.Seed(ctx, db, demo.SeedOptions{Rows: rows, Hours: hours, Start: seedStart, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	src := cfg.Clone()
	src.Params = nil
	fsys, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &seeded{db: db, src: src, fsys: fsys}
	for _, tb := range []string{"users", "devices", "events"} {
		s.importTable(t, tb, ingest.TargetReplace)
	}
	if s.key, err = pii.NewKey([]byte("a test key of at least 32 bytes, never a real one")); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *seeded) importTable(t *testing.T, table string, mode ingest.TargetMode) {
	t.Helper()
	o := ingest.Options{Source: s.src, Table: table, FS: s.fsys, Dir: table, Mappers: 2, Mode: mode}
	if table == "events" {
		o.PartitionBy, o.PartitionGranularity = "created_at", ingest.ByHour
		o.Incremental = &ingest.Incremental{Mode: ingest.IncrementalAppend, CheckColumn: "id"}
		o.Mode = ingest.TargetAppend
	}
	if _, err := ingest.Run(context.Background(), o); err != nil {
		t.Fatalf("import %s: %v", table, err)
	}
}

func (s *seeded) env() Env { return Env{FS: s.fsys, PIIKey: &s.key} }

// expectedSQL is hourly_activity written in SQL over the source rows:
// the independent computation the pipeline must agree with.
const expectedSQL = `
WITH clean AS (
  SELECT e.*, LOWER(TRIM(e.event_type)) AS et,
         ROW_NUMBER() OVER (PARTITION BY e.user_id, e.device_id, LOWER(TRIM(e.event_type)), e.created_at, e.message ORDER BY e.id DESC) AS rn
  FROM events e
  WHERE e.created_at >= ? AND e.created_at < ?
    AND e.user_id IS NOT NULL AND TRIM(e.event_type) <> '' AND e.ip IS NOT NULL AND e.ip <> ''
    AND (e.latency_ms IS NULL OR e.latency_ms >= 0)
    AND e.ip REGEXP '^[0-9A-Fa-f:.*/x]+$'
)
SELECT c.et, u.country, u.plan, COALESCE(d.os, '<null>'),
       COUNT(*), COUNT(DISTINCT c.user_id), SUM(c.status >= 400), AVG(c.status >= 400), AVG(c.latency_ms),
       GROUP_CONCAT(c.latency_ms ORDER BY c.latency_ms)
FROM clean c JOIN users u ON u.id = c.user_id LEFT JOIN devices d ON d.id = c.device_id
WHERE c.rn = 1
GROUP BY c.et, u.country, u.plan, d.os`

type aggRow struct {
	events, distinct, errors int64
	errorRate                float64
	avgLatency               sql.NullFloat64
	latencies                []float64
}

func expected(t *testing.T, db *sql.DB, w Window) map[string]aggRow {
	t.Helper()
	if _, err := db.Exec("SET SESSION group_concat_max_len = 1000000"); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(expectedSQL, w.Start.Format("2006-01-02 15:04:05"), w.End().Format("2006-01-02 15:04:05"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]aggRow{}
	for rows.Next() {
		var et, country, plan, os string
		var r aggRow
		var lat sql.NullString
		if err := rows.Scan(&et, &country, &plan, &os, &r.events, &r.distinct, &r.errors, &r.errorRate, &r.avgLatency, &lat); err != nil {
			t.Fatal(err)
		}
		for _, v := range strings.Split(lat.String, ",") {
			if v != "" {
				f, _ := strconv.ParseFloat(v, 64)
				r.latencies = append(r.latencies, f)
			}
		}
		out[strings.Join([]string{et, country, plan, os}, "|")] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// readTable reads every batch of a pipeline output's window partition.
func readPartition(t *testing.T, fsys warehouse.FS, table string, w Window) []arrow.RecordBatch {
	t.Helper()
	tb, err := OpenTable(context.Background(), fsys, table)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := tb.Scan(context.Background(), ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs, err := Drain(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { release(recs) })
	var out []arrow.RecordBatch
	for _, r := range recs {
		col := r.Schema().FieldIndices(WindowColumn)
		if len(col) == 0 {
			out = append(out, r)
			continue
		}
		ts := r.Column(col[0]).(*array.Timestamp)
		if ts.Len() > 0 && int64(ts.Value(0)) == w.Start.UnixMicro() {
			out = append(out, r)
		}
	}
	return out
}

func TestHourlyActivityMatchesSQL(t *testing.T) {
	s := seed(t, 6000, 3)
	p, _, err := builtin.Get("hourly_activity")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for h := range 3 {
		w := Window{Start: seedStart.Add(time.Duration(h) * time.Hour)}
		res, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: fmt.Sprintf("r%d", h)})
		if err != nil {
			t.Fatal(err)
		}
		want := expected(t, s.db, w)
		got := map[string]bool{}
		for _, rec := range readPartition(t, s.fsys, "agg_events_hourly", w) {
			col := func(n string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(n)[0]) }
			for i := range int(rec.NumRows()) {
				str := func(n string) string {
					a := col(n).(*array.String)
					if a.IsNull(i) {
						return "<null>"
					}
					return a.Value(i)
				}
				key := strings.Join([]string{str("event_type"), str("country"), str("plan"), str("os")}, "|")
				got[key] = true
				e, ok := want[key]
				if !ok {
					t.Errorf("window %s: group %s is not in the SQL result", w, key)
					continue
				}
				i64 := func(n string) int64 { return col(n).(*array.Int64).Value(i) }
				if i64("events") != e.events || i64("distinct_users") != e.distinct || i64("errors") != e.errors {
					t.Errorf("%s %s: events %d distinct %d errors %d, SQL %d %d %d", w, key, i64("events"), i64("distinct_users"), i64("errors"), e.events, e.distinct, e.errors)
				}
				if d := math.Abs(col("error_rate").(*array.Float64).Value(i) - e.errorRate); d > 1e-4 { // MariaDB rounds AVG to 4 digits
					t.Errorf("%s %s: error_rate differs by %v", w, key, d)
				}
				if a := col("approx_distinct_users").(*array.Int64).Value(i); math.Abs(float64(a-e.distinct)) > math.Max(1, 0.03*float64(e.distinct)) {
					t.Errorf("%s %s: approx distinct %d, exact %d", w, key, a, e.distinct)
				}
				avg := col("avg_latency_ms").(*array.Float64)
				if avg.IsNull(i) != !e.avgLatency.Valid || e.avgLatency.Valid && math.Abs(avg.Value(i)-e.avgLatency.Float64) > 1e-4 {
					t.Errorf("%s %s: avg latency %v, SQL %v", w, key, avg.Value(i), e.avgLatency)
				}
				for _, pc := range []struct {
					col string
					p   float64
				}{{"p50_latency_ms", 0.5}, {"p95_latency_ms", 0.95}} {
					v := col(pc.col).(*array.Float64)
					if len(e.latencies) == 0 {
						if !v.IsNull(i) {
							t.Errorf("%s %s: %s of no latencies is %v", w, key, pc.col, v.Value(i))
						}
						continue
					}
					exact := e.latencies[int(pc.p*float64(len(e.latencies)-1))]
					if math.Abs(v.Value(i)-exact) > 0.01*math.Abs(exact)+1e-9 {
						t.Errorf("%s %s: %s = %v, exact %v (beyond 1%%)", w, key, pc.col, v.Value(i), exact)
					}
				}
			}
		}
		if len(want) < 10 {
			t.Fatalf("window %s: the SQL gives only %d groups; the test data is too small", w, len(want))
		}
		t.Logf("window %s: %d groups compared, %d rows in, quarantined %v, %d duplicates", w, len(got), res.RowsIn, res.Quarantined, res.Duplicates)
		for key := range want {
			if !got[key] {
				t.Errorf("window %s: SQL group %s missing from the output", w, key)
			}
		}
		if res.RowsIn == 0 || len(res.Outputs) != 3 {
			t.Errorf("window %s: %+v", w, res)
		}
	}
}

// Rerunning a window gives the same output; PII from the source is
// nowhere in the outputs; late rows make the window stale.
func TestHourlyActivityRerunPIIStale(t *testing.T) {
	s := seed(t, 3000, 2)
	p, _, _ := builtin.Get("hourly_activity")
	ctx := context.Background()
	w := Window{Start: seedStart}
	first, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "b"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range first.Outputs {
		a, b := first.Outputs[i], second.Outputs[i]
		if a.Rows != b.Rows || a.Checksum != b.Checksum {
			t.Errorf("%s: rerun gave %d rows (checksum %d), first run %d (%d)", a.Table, b.Rows, b.Checksum, a.Rows, a.Checksum)
		}
	}
	// Past its memory budget dedupe, the aggregate and the joins spill to
	// disk: the same outputs.
	small := s.env()
	small.MemoryBudget = 32 << 10
	if plan, err := Explain(ctx, "hourly_activity", p, small, w); err != nil || strings.Count(plan, "spilled, joined in 32 partitions") != 2 {
		t.Errorf("with a small budget both dimensions should be spilled: %v\n%s", err, plan)
	}
	spilled, err := Run(ctx, "hourly_activity", p, small, RunOptions{Window: w, RunID: "b"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range spilled.Outputs {
		if a, b := spilled.Outputs[i], second.Outputs[i]; a.Rows != b.Rows || a.Checksum != b.Checksum {
			t.Errorf("%s with a small memory budget: %d rows (checksum %d), in memory %d (%d)", a.Table, a.Rows, a.Checksum, b.Rows, b.Checksum)
		}
	}

	// A run that fails while writing (here: the aggregate's file does not
	// close, as when HDFS loses the last block) publishes nothing: every
	// output of the window is the second run's, and nothing is left over.
	faulty := warehouse.NewFaultFS(s.fsys, warehouse.Fault{Op: warehouse.OpClose, Pattern: "agg_events_hourly/*/part-00000.parquet"})
	fenv := s.env()
	fenv.FS = faulty
	if _, err := Run(ctx, "hourly_activity", p, fenv, RunOptions{Window: w, RunID: "crash"}); err == nil {
		t.Fatal("a run whose output could not be written succeeded")
	}
	for i, table := range []string{"events_clean", "agg_events_hourly"} {
		pm, err := ReadPartitionManifest(ctx, s.fsys, table, w.Partition())
		if err != nil || pm.RunID != "b" || pm.Checksum != second.Outputs[i].Checksum {
			t.Errorf("%s after a failed run: %+v, %v", table, pm, err)
		}
		ents, _ := s.fsys.ReadDir(ctx, table)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "_hetl_tmp") {
				t.Errorf("%s: the failed run left %s", table, e.Name())
			}
		}
	}
	// A run whose BeforePublish refuses (the scheduler's fence: another
	// attempt took the window over) publishes nothing either, in one
	// process or as tasks.
	fenced := errors.New("fenced")
	refuse := RunOptions{Window: w, RunID: "fenced", BeforePublish: func(context.Context) error { return fenced }}
	if _, err := Run(ctx, "hourly_activity", p, s.env(), refuse); !errors.Is(err, fenced) {
		t.Fatalf("a run refused by BeforePublish: %v", err)
	}
	if _, err := RunTasks(ctx, "hourly_activity", p, s.env(), refuse, LocalExecutor{Workers: 2}, 0); !errors.Is(err, fenced) {
		t.Fatalf("tasks refused by BeforePublish: %v", err)
	}
	for i, table := range []string{"events_clean", "agg_events_hourly"} {
		if pm, err := ReadPartitionManifest(ctx, s.fsys, table, w.Partition()); err != nil || pm.RunID != "b" || pm.Checksum != second.Outputs[i].Checksum {
			t.Errorf("%s after a fenced run: %+v, %v", table, pm, err)
		}
	}
	if first.Quarantined["negative latency"]+first.Quarantined["no users row for user_id"] == 0 {
		t.Errorf("nothing quarantined: %v", first.Quarantined)
	}

	// No email, IP address or phone number of the source in any output
	// file.
	var secrets []string
	for _, q := range []string{"SELECT email FROM users", "SELECT phone FROM users WHERE phone IS NOT NULL", "SELECT DISTINCT ip FROM events WHERE ip <> 'not-an-ip'"} {
		rows, err := s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			secrets = append(secrets, v)
		}
		rows.Close()
	}
	for _, table := range []string{"events_clean", "agg_events_hourly", QuarantineTable("hourly_activity")} {
		m, err := ingest.ReadManifest(ctx, s.fsys, table)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m.Files {
			data := readAllFile(t, s.fsys, path.Join(table, f.Path))
			recs := readPartition(t, s.fsys, table, w)
			text := string(data) + fmt.Sprint(recs)
			for _, sec := range secrets {
				if strings.Contains(text, sec) {
					t.Fatalf("%s/%s holds %q from the source", table, f.Path, sec)
				}
			}
		}
	}

	// A late event for the window: imported by the next incremental run,
	// it lands in the old partition; the window is stale until rerun.
	if stale, _, err := Stale(ctx, p, s.env(), w, second.Inputs); err != nil || stale {
		t.Fatalf("fresh window stale: %v %v", stale, err)
	}
	if _, err := s.db.Exec(`INSERT INTO events (id, user_id, device_id, event_type, ip, user_agent, message, latency_ms, status, created_at)
		SELECT MAX(id) + 1, 1, NULL, 'view', '10.9.9.9', 'curl/8', 'late', 42, 200, ? FROM events`, w.Start.Add(30*time.Minute).Format("2006-01-02 15:04:05")); err != nil {
		t.Fatal(err)
	}
	s.importTable(t, "events", ingest.TargetAppend)
	stale, _, err := Stale(ctx, p, s.env(), w, second.Inputs)
	if err != nil || !stale {
		t.Fatalf("after a late row the window is not stale: %v", err)
	}
	third, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if third.Outputs[0].Rows != second.Outputs[0].Rows+1 {
		t.Errorf("events_clean after the late row: %d rows, before %d", third.Outputs[0].Rows, second.Outputs[0].Rows)
	}
}

func readAllFile(t *testing.T, fsys warehouse.FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
