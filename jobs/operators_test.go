package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/warehouse"
)

// rows builds a batch from columns of Go values (nil is NULL).
func rows(t *testing.T, fields []arrow.Field, cols ...[]any) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema(fields, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for j, col := range cols {
		for _, v := range col {
			if v == nil {
				rb.Field(j).AppendNull()
				continue
			}
			switch b := rb.Field(j).(type) {
			case *array.Int64Builder:
				b.Append(int64(v.(int)))
			case *array.Int32Builder:
				b.Append(int32(v.(int)))
			case *array.StringBuilder:
				b.Append(v.(string))
			case *array.Float64Builder:
				b.Append(v.(float64))
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
			default:
				t.Fatalf("rows: %T", b)
			}
		}
	}
	rec := rb.NewRecordBatch()
	t.Cleanup(rec.Release)
	return rec
}

func drainAll(t *testing.T, s Stream) arrow.RecordBatch {
	t.Helper()
	recs, err := Drain(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	rec, err := concatBatches(s.Schema(), recs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rec.Release)
	return rec
}

func col(rec arrow.RecordBatch, name string) string {
	return rec.Column(rec.Schema().FieldIndices(name)[0]).String()
}

var (
	i64 = arrow.PrimitiveTypes.Int64
	i32 = arrow.PrimitiveTypes.Int32
	str = arrow.BinaryTypes.String
	f64 = arrow.PrimitiveTypes.Float64
)

func stream(recs ...arrow.RecordBatch) Stream {
	for _, r := range recs {
		r.Retain()
	}
	return FromBatches(recs[0].Schema(), recs...)
}

func TestCleanse(t *testing.T) {
	fields := []arrow.Field{{Name: "id", Type: i64}, {Name: "k", Type: str, Nullable: true}, {Name: "v", Type: i64, Nullable: true}}
	a := rows(t, fields, []any{1, 2, 3, 4}, []any{" A ", "b", nil, "a"}, []any{10, -1, 5, 20})
	b := rows(t, fields, []any{5, 6}, []any{"a", "  "}, []any{nil, 7})
	q := &Quarantine{}
	stats := &CleanseStats{}
	s, err := Cleanse(stream(a, b), "c", &spec.Cleanse{
		Trim: []string{"k"}, Lower: []string{"k"}, Required: []string{"k"},
		Checks: []spec.Check{{Expr: "v IS NULL OR v >= 0", Reason: "negative v"}},
		Dedupe: &spec.Dedupe{Key: []string{"k"}, KeepNewest: "id"},
	}, q, nil, stats)
	if err != nil {
		t.Fatal(err)
	}
	out := drainAll(t, s)
	// Rows 2 (negative), 3 (NULL k), 6 (empty k) rejected; of k = "a"
	// (rows 1, 4, 5) the greatest id, 5, survives.
	if got := col(out, "id"); got != "[5]" {
		t.Errorf("ids %s, want [5]", got)
	}
	if stats.Rejected != 3 || stats.Duplicates != 2 {
		t.Errorf("stats %+v", stats)
	}
	c := q.Counts()
	if c["negative v"] != 1 || c["required column k is NULL"] != 1 || c["required column k is empty"] != 1 {
		t.Errorf("quarantine %v", c)
	}
	for _, bad := range []*spec.Cleanse{
		{Trim: []string{"nope"}},
		{Lower: []string{"v"}},
		{Checks: []spec.Check{{Expr: "v + 1", Reason: "x"}}},
		{Dedupe: &spec.Dedupe{Key: []string{"k"}, KeepNewest: "zz"}},
	} {
		if _, err := Cleanse(stream(a), "c", bad, q, nil, &CleanseStats{}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestJoin(t *testing.T) {
	facts := rows(t, []arrow.Field{{Name: "uid", Type: i32, Nullable: true}, {Name: "x", Type: str}},
		[]any{1, 2, nil, 1, 9}, []any{"a", "b", "c", "d", "e"})
	dimRec := rows(t, []arrow.Field{{Name: "id", Type: i64}, {Name: "country", Type: str}},
		[]any{1, 2, 2}, []any{"DE", "FR", "FR2"})
	dimRec.Retain()
	dim := &Dimension{Name: "users", Rec: dimRec}
	defer dimRec.Release()

	q := &Quarantine{}
	st := &JoinStats{}
	s, err := Join(stream(facts), "j", &spec.Join{With: "users", On: []map[string]string{{"uid": "id"}}, Missing: "quarantine"}, dim, q, st)
	if err != nil {
		t.Fatal(err)
	}
	out := drainAll(t, s)
	// Key 2 matches twice (rows multiply, as in SQL); NULL and 9 match
	// nothing and are quarantined.
	if got := col(out, "x") + col(out, "country"); got != `["a" "b" "b" "d"]["DE" "FR" "FR2" "DE"]` {
		t.Errorf("inner join: %s", got)
	}
	if st.Unmatched != 2 || q.Counts()["no users row for uid"] != 2 {
		t.Errorf("unmatched %d, quarantine %v", st.Unmatched, q.Counts())
	}
	s, err = Join(stream(facts), "j", &spec.Join{With: "users", Kind: "left", On: []map[string]string{{"uid": "id"}}, Prefix: "u_"}, dim, &Quarantine{}, &JoinStats{})
	if err != nil {
		t.Fatal(err)
	}
	out = drainAll(t, s)
	if got := col(out, "u_country"); got != `["DE" "FR" "FR2" (null) "DE" (null)]` {
		t.Errorf("left join: %s", got)
	}
	if _, err := Join(stream(facts), "j", &spec.Join{With: "users", On: []map[string]string{{"x": "id"}}}, dim, q, st); err == nil || !strings.Contains(err.Error(), "cannot be compared") {
		t.Errorf("string = integer key: %v", err)
	}
}

func TestAggregate(t *testing.T) {
	fields := []arrow.Field{{Name: "g", Type: str, Nullable: true}, {Name: "u", Type: i64, Nullable: true}, {Name: "lat", Type: f64, Nullable: true}}
	a := rows(t, fields, []any{"x", "y", nil, "x"}, []any{1, 2, 3, 1}, []any{10.0, nil, 5.0, 30.0})
	b := rows(t, fields, []any{"y", "x"}, []any{2, 4}, []any{nil, 20.0})
	w := Window{Start: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	s, err := Aggregate(stream(a, b), "agg", &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{
		{"n": "count(*)"}, {"nlat": "count(lat)"}, {"users": "count_distinct(u)"}, {"approx": "approx_distinct(u)"},
		{"total": "sum(u)"}, {"avg_lat": "avg(lat)"}, {"lo": "min(lat)"}, {"hi": "max(g)"}, {"p50": "percentile(lat, 0.5)"},
	}}, &w)
	if err != nil {
		t.Fatal(err)
	}
	out := drainAll(t, s)
	// Groups sorted by key: NULL first, then "x", "y".
	for name, want := range map[string]string{
		"g":       `[(null) "x" "y"]`,
		"n":       "[1 3 2]",
		"nlat":    "[1 3 0]",
		"users":   "[1 2 1]",
		"approx":  "[1 2 1]",
		"total":   "[3 6 4]",
		"avg_lat": "[5 20 (null)]",
		"lo":      "[5 10 (null)]",
		"hi":      `[(null) "x" "y"]`,
	} {
		if got := col(out, name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	p50 := out.Column(out.Schema().FieldIndices("p50")[0]).(*array.Float64)
	if p50.Value(1) < 19.8 || p50.Value(1) > 20.2 || !p50.IsNull(2) {
		t.Errorf("p50 %v", p50)
	}
	if col(out, WindowColumn) != "[1795255200000000 1795255200000000 1795255200000000]" {
		t.Errorf("window_start %s", col(out, WindowColumn))
	}
	// An empty window has no groups.
	empty := rows(t, fields, nil, nil, nil)
	s, _ = Aggregate(stream(empty), "agg", &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{{"n": "count(*)"}}}, &w)
	if out := drainAll(t, s); out.NumRows() != 0 {
		t.Errorf("empty window: %d rows", out.NumRows())
	}
	for _, m := range []string{"sum(g)", "avg(g)", "percentile(g, 0.5)", "median(u)", "count(*, 2)", "percentile(u, 1.5)"} {
		if _, err := Aggregate(stream(a), "agg", &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{{"m": m}}}, nil); err == nil {
			t.Errorf("%s accepted", m)
		}
	}
}

func TestAugmentFilterSelect(t *testing.T) {
	fields := []arrow.Field{{Name: "status", Type: i32}, {Name: "s", Type: str, Nullable: true}}
	a := rows(t, fields, []any{200, 503, 404}, []any{"a", nil, "c"})
	s, err := Augment(stream(a), "aug", []map[string]string{{"err": "IF(status >= 400, 1, 0)"}, {"double_err": "err * 2"}, {"s": "COALESCE(s, '-')"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = Filter(s, "f", "double_err > 0", nil); err != nil {
		t.Fatal(err)
	}
	if s, err = Select(s, "sel", []string{"S", "double_err"}); err != nil {
		t.Fatal(err)
	}
	out := drainAll(t, s)
	if got := col(out, "s") + col(out, "double_err"); got != `["-" "c"][2 2]` {
		t.Errorf("got %s", got)
	}
	if _, err := Filter(stream(a), "f", "status + 1", nil); err == nil {
		t.Error("a non-boolean filter was accepted")
	}
}

// Anonymize hashes like the importer and the quarantine protects the
// same columns.
func TestAnonymizeAndQuarantineProtection(t *testing.T) {
	key, err := pii.NewKey([]byte("a test key of at least 32 bytes, never a real one"))
	if err != nil {
		t.Fatal(err)
	}
	fields := []arrow.Field{{Name: "ip", Type: str}, {Name: "msg", Type: str}}
	a := rows(t, fields, []any{"10.1.2.3"}, []any{"login by bob@example.com"})
	an := &spec.Anonymize{Hash: []string{"ip"}, Scrub: []string{"msg"}}
	s, err := Anonymize(stream(a), "anon", an, &key)
	if err != nil {
		t.Fatal(err)
	}
	out := drainAll(t, s)
	if got := col(out, "ip"); got != `["`+key.HashString("10.1.2.3")+`"]` {
		t.Errorf("hash %s", got)
	}
	if strings.Contains(col(out, "msg"), "bob@") {
		t.Errorf("scrub left %s", col(out, "msg"))
	}
	q := &Quarantine{Protect: protector(&spec.Pipeline{Steps: []spec.Step{{Anonymize: an}}}, &key)}
	if err := q.add("c", a, []int{0}, func(int) string { return "r" }); err != nil {
		t.Fatal(err)
	}
	if row := q.Rows()[0].Row; strings.Contains(row, "10.1.2.3") || strings.Contains(row, "bob@") {
		t.Errorf("quarantined row carries PII: %s", row)
	}
}

// A run that fails after writing leaves the earlier output of the
// window as it was, and no temporary directory behind.
func TestFailedRunKeepsOutput(t *testing.T) {
	fsys := warehouse.NewMemFS()
	w := Window{Start: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	fields := []arrow.Field{{Name: "v", Type: i64}}
	publish := func(runID string, vals []any, fail bool) error {
		wr, err := Write(stream(rows(t, fields, vals)), WriteOptions{FS: fsys, Table: "out", Pipeline: "p", Window: w, RunID: runID})
		if err != nil {
			return err
		}
		if _, err := Drain(context.Background(), wr); err != nil {
			return err
		}
		if fail {
			return wr.Abort(context.Background())
		}
		if err := wr.Prepare(context.Background(), nil); err != nil {
			return err
		}
		_, err = wr.Commit(context.Background())
		return err
	}
	if err := publish("r1", []any{1, 2, 3}, false); err != nil {
		t.Fatal(err)
	}
	if err := publish("r2", []any{4}, true); err != nil {
		t.Fatal(err)
	}
	pm, err := ReadPartitionManifest(context.Background(), fsys, "out", w.Partition())
	if err != nil || pm.Rows != 3 || pm.RunID != "r1" {
		t.Fatalf("after a failed run: %+v, %v", pm, err)
	}
	ents, _ := fsys.ReadDir(context.Background(), "out")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "_hetl_tmp") {
			t.Errorf("left %s", e.Name())
		}
	}
	if err := publish("r3", []any{7, 8}, false); err != nil {
		t.Fatal(err)
	}
	if pm, _ := ReadPartitionManifest(context.Background(), fsys, "out", w.Partition()); pm.Rows != 2 {
		t.Errorf("rerun: %d rows", pm.Rows)
	}
}

// The aggregate's result does not depend on how many workers folded the
// batches: every state merges exactly.
func TestAggregateWorkersAgree(t *testing.T) {
	fields := []arrow.Field{{Name: "g", Type: i64}, {Name: "u", Type: i64}, {Name: "lat", Type: i32, Nullable: true}}
	var recs []arrow.RecordBatch
	for b := range 20 {
		var g, u, lat []any
		for i := range 500 {
			n := b*500 + i
			g, u = append(g, n%7), append(u, (n*31)%997)
			if n%13 == 0 {
				lat = append(lat, nil)
			} else {
				lat = append(lat, (n*17)%1000)
			}
		}
		recs = append(recs, rows(t, fields, g, u, lat))
	}
	spec := &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{
		{"n": "count(*)"}, {"users": "count_distinct(u)"}, {"approx": "approx_distinct(u)"}, {"total": "sum(lat)"},
		{"avg": "avg(lat)"}, {"lo": "min(lat)"}, {"hi": "max(lat)"}, {"p95": "percentile(lat, 0.95)"},
	}}
	var outs []arrow.RecordBatch
	for _, workers := range []int{1, 4} {
		s, err := Aggregate(stream(recs...), "agg", spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.(*aggregate).workers = workers
		outs = append(outs, drainAll(t, s))
	}
	if !array.RecordEqual(outs[0], outs[1]) {
		t.Errorf("1 worker:\n%v\n4 workers:\n%v", outs[0], outs[1])
	}
}

// Measures that keep the same state of one column (sum and avg, count
// and count, percentiles at several ranks, the distinct counts) fold it
// once and share it; each column of the output equals the measure
// computed alone, in one process, by several workers and through spills.
func TestAggregateSharedStates(t *testing.T) {
	fields := []arrow.Field{{Name: "g", Type: i64}, {Name: "u", Type: i64}, {Name: "lat", Type: i32, Nullable: true}}
	var recs []arrow.RecordBatch
	for b := range 12 {
		var g, u, lat []any
		for i := range 400 {
			n := b*400 + i
			g, u = append(g, n%5), append(u, (n*31)%613)
			if n%11 == 0 {
				lat = append(lat, nil)
			} else {
				lat = append(lat, (n*17)%900)
			}
		}
		recs = append(recs, rows(t, fields, g, u, lat))
	}
	measures := []map[string]string{
		{"total": "sum(lat)"}, {"mean": "avg(lat)"}, {"p50": "percentile(lat, 0.5)"}, {"n1": "count(lat)"},
		{"p95": "percentile(lat, 0.95)"}, {"n2": "count(lat)"}, {"hi": "max(lat)"}, {"lo": "min(lat)"},
		{"d1": "count_distinct(u)"}, {"d2": "count_distinct(u)"}, {"p99": "percentile(lat, 0.99)"}, {"mean2": "avg(lat)"},
	}
	shared, err := Aggregate(stream(recs...), "agg", &spec.Aggregate{By: []string{"g"}, Measures: measures}, nil)
	if err != nil {
		t.Fatal(err)
	}
	folded := 0
	for k, d := range shared.(*aggregate).measures {
		if d.state == k {
			folded++
		}
	}
	if folded != 6 { // sum, percentile, count, max, min, count_distinct
		t.Errorf("%d states folded, want 6", folded)
	}
	together := drainAll(t, shared)
	byGroup := func(recs ...arrow.RecordBatch) map[string]string {
		out := map[string]string{}
		for _, r := range recs {
			for i := range int(r.NumRows()) {
				var vals []string
				for j := 1; j < int(r.NumCols()); j++ {
					vals = append(vals, r.Column(j).ValueStr(i))
				}
				out[r.Column(0).ValueStr(i)] = strings.Join(vals, "|")
			}
		}
		return out
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	spilled, err := aggregateWithBudget(stream(recs...), "agg", &spec.Aggregate{By: []string{"g"}, Measures: measures}, nil, 2<<10)
	if err != nil {
		t.Fatal(err)
	}
	spilled.(*aggregate).workers = 3
	parts, err := Drain(context.Background(), spilled)
	if err != nil {
		t.Fatal(err)
	}
	defer release(parts)
	if spilled.(*aggregate).spill == nil {
		t.Error("a 2 KiB budget did not spill")
	}
	if got, want := byGroup(parts...), byGroup(together); !maps.Equal(got, want) {
		t.Errorf("spilled, 3 workers:\n%v\nin memory:\n%v", got, want)
	}
	for k, m := range measures {
		alone, err := Aggregate(stream(recs...), "agg", &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{m}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := drainAll(t, alone)
		if !array.Equal(want.Column(1), together.Column(1+k)) {
			t.Errorf("%v: alone %v, beside the others %v", m, want.Column(1), together.Column(1+k))
		}
	}
}

// A row that fails validation never takes part in dedupe: the newest
// valid row of its key survives, in memory and spilled alike, and the
// counts split rejected from duplicate rows.
func TestDedupeAfterRejects(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fields := []arrow.Field{{Name: "id", Type: i64}, {Name: "k", Type: str}, {Name: "v", Type: i64, Nullable: true}}
	var recs []arrow.RecordBatch
	want := map[string]int64{} // key: the id that must survive
	rejected := 0
	for b := range 20 {
		var ids, ks, vs []any
		for i := range 200 {
			n := b*200 + i
			k := fmt.Sprintf("key-%d", (n*7919)%700)
			ids, ks = append(ids, n), append(ks, k)
			if n%9 == 4 { // a NULL v fails "required"
				vs = append(vs, nil)
				rejected++
				continue
			}
			vs = append(vs, n)
			want[k] = int64(n) // ids rise: the last valid one is the newest
		}
		recs = append(recs, rows(t, fields, ids, ks, vs))
	}
	c := &spec.Cleanse{Required: []string{"v"}, Dedupe: &spec.Dedupe{Key: []string{"k"}, KeepNewest: "id"}}
	for _, budget := range []int64{DefaultMemoryBudget, 4 << 10} {
		stats := &CleanseStats{}
		s, err := cleanseWithBudget(stream(recs...), "c", c, &Quarantine{}, nil, stats, budget)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Drain(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range out {
			for i := range int(r.NumRows()) {
				k := r.Column(1).(*array.String).Value(i)
				if _, dup := got[k]; dup {
					t.Errorf("budget %d: key %s twice", budget, k)
				}
				got[k] = r.Column(0).(*array.Int64).Value(i)
			}
		}
		release(out)
		s.Close()
		if !maps.Equal(got, want) {
			t.Errorf("budget %d: %d survivors, want %d", budget, len(got), len(want))
		}
		if stats.Rejected != int64(rejected) || stats.Duplicates != int64(4000-rejected-len(want)) {
			t.Errorf("budget %d: %+v, want %d rejected and %d duplicates", budget, *stats, rejected, 4000-rejected-len(want))
		}
	}
}

// Dedupe past its memory budget spills to disk and keeps the same rows.
func TestDedupeSpills(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fields := []arrow.Field{{Name: "id", Type: i64}, {Name: "k", Type: str}}
	var recs []arrow.RecordBatch
	for b := range 30 {
		var ids, ks []any
		for i := range 300 {
			n := b*300 + i
			ids, ks = append(ids, n), append(ks, fmt.Sprintf("key-%d", (n*7919)%2000))
		}
		recs = append(recs, rows(t, fields, ids, ks))
	}
	dd := &spec.Cleanse{Dedupe: &spec.Dedupe{Key: []string{"k"}, KeepNewest: "id"}}
	survivors := func(budget int64) (map[int64]bool, *CleanseStats) {
		stats := &CleanseStats{}
		s, err := cleanseWithBudget(stream(recs...), "c", dd, &Quarantine{}, nil, stats, budget)
		if err != nil {
			t.Fatal(err)
		}
		out := drainAll(t, s)
		s.Close()
		ids := map[int64]bool{}
		for i := range int(out.NumRows()) {
			ids[out.Column(0).(*array.Int64).Value(i)] = true
		}
		return ids, stats
	}
	inMemory, st1 := survivors(DefaultMemoryBudget)
	spilled, st2 := survivors(4 << 10)
	if len(inMemory) != 2000 || len(spilled) != len(inMemory) || st1.Duplicates != st2.Duplicates {
		t.Fatalf("in memory %d survivors (%d dups), spilled %d (%d dups)", len(inMemory), st1.Duplicates, len(spilled), st2.Duplicates)
	}
	for id := range inMemory {
		if !spilled[id] {
			t.Errorf("id %d survived in memory but not when spilled", id)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("the spill left %d entries in the temporary directory", len(ents))
	}
}

// Partials written as batches and read back (as tasks on other machines
// would exchange them) merge into the same result as in memory.
func TestPartialRoundTrip(t *testing.T) {
	fields := []arrow.Field{{Name: "g", Type: str, Nullable: true}, {Name: "u", Type: i64}, {Name: "s", Type: str}, {Name: "lat", Type: f64, Nullable: true}}
	var recs []arrow.RecordBatch
	for b := range 6 {
		var g, u, s, lat []any
		for i := range 200 {
			n := b*200 + i
			if n%50 == 0 {
				g = append(g, nil)
			} else {
				g = append(g, fmt.Sprintf("g%d", n%5))
			}
			u, s = append(u, (n*13)%301), append(s, fmt.Sprintf("s%d", n%37))
			if n%11 == 0 {
				lat = append(lat, nil)
			} else {
				lat = append(lat, float64((n*7)%500)/3)
			}
		}
		recs = append(recs, rows(t, fields, g, u, s, lat))
	}
	a := &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{
		{"n": "count(*)"}, {"users": "count_distinct(u)"}, {"ss": "count_distinct(s)"}, {"approx": "approx_distinct(s)"},
		{"total": "sum(u)"}, {"lo": "min(lat)"}, {"hi": "max(s)"}, {"p50": "percentile(lat, 0.5)"},
	}}
	whole := func() arrow.RecordBatch {
		s, err := Aggregate(stream(recs...), "agg", a, nil)
		if err != nil {
			t.Fatal(err)
		}
		return drainAll(t, s)
	}()
	s, err := Aggregate(stream(recs[:1]...), "agg", a, nil)
	if err != nil {
		t.Fatal(err)
	}
	ag := s.(*aggregate)
	var parts []*partial
	for _, half := range [][]arrow.RecordBatch{recs[:2], recs[2:]} {
		p := ag.newPartial()
		for _, r := range half {
			if err := p.add(r); err != nil {
				t.Fatal(err)
			}
		}
		for _, b := range p.keyBld {
			p.keys = append(p.keys, b.NewArray())
		}
		batch, err := p.marshal()
		if err != nil {
			t.Fatal(err)
		}
		p.release()
		back, err := ag.unmarshalPartial(batch)
		batch.Release()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
	}
	if err := parts[0].merge(parts[1]); err != nil {
		t.Fatal(err)
	}
	got, err := ag.result(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	parts[0].release()
	parts[1].release()
	s.Close()
	if !array.RecordEqual(got, whole) {
		t.Errorf("merged from batches:\n%v\nin memory:\n%v", got, whole)
	}
}

// Groups past the memory budget spill to disk: the same groups and
// measures (row order aside).
func TestAggregateSpills(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fields := []arrow.Field{{Name: "g", Type: i64}, {Name: "u", Type: str}, {Name: "lat", Type: i32, Nullable: true}}
	var recs []arrow.RecordBatch
	for b := range 10 {
		var g, u, lat []any
		for i := range 400 {
			n := b*400 + i
			g, u, lat = append(g, (n*7)%900), append(u, fmt.Sprintf("u%d", n%53)), append(lat, n%300)
		}
		recs = append(recs, rows(t, fields, g, u, lat))
	}
	a := &spec.Aggregate{By: []string{"g"}, Measures: []map[string]string{
		{"n": "count(*)"}, {"users": "count_distinct(u)"}, {"approx": "approx_distinct(u)"}, {"lo": "min(lat)"}, {"p90": "percentile(lat, 0.9)"},
	}}
	byKey := func(budget int64) map[string]string {
		s, err := aggregateWithBudget(stream(recs...), "agg", a, nil, budget)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := Drain(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		out := map[string]string{}
		for _, r := range recs {
			for i := range int(r.NumRows()) {
				var vals []string
				for j := 1; j < int(r.NumCols()); j++ {
					vals = append(vals, r.Column(j).ValueStr(i))
				}
				out[r.Column(0).ValueStr(i)] = strings.Join(vals, "|")
			}
			r.Release()
		}
		return out
	}
	inMemory, spilled := byKey(0), byKey(64<<10)
	if len(inMemory) != 900 || len(spilled) != len(inMemory) {
		t.Fatalf("%d groups in memory, %d spilled", len(inMemory), len(spilled))
	}
	for k, v := range inMemory {
		if spilled[k] != v {
			t.Errorf("group %s: %s spilled, %s in memory", k, spilled[k], v)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("the spill left %d entries", len(ents))
	}
}

// A leading filter's integer comparisons skip row groups, and the output
// is what the same filter gives without push-down.
func TestFilterPushDown(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: i64}, {Name: "status", Type: i32}, {Name: "at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}}, {Name: "kind", Type: str}}, nil)
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	w, err := format.NewWriter(ctx, fsys, "ev/dt=2026-11-21/hr=10/part-0.parquet", format.Parquet, schema, format.Options{RowGroupBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	var rowsAll int64
	for g := range 8 { // row group g: status 100g .. 100g+99
		var ids, st, at, kind []any
		for i := range 100 {
			ids, st, at = append(ids, g*100+i), append(st, g*100+i), append(at, start.Add(time.Duration(g*100+i)*time.Second))
			kind = append(kind, fmt.Sprintf("g%d", g))
		}
		rec := rows(t, schema.Fields(), ids, st, at, kind)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rowsAll += rec.NumRows()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	enc, _ := ingest.EncodeSchema(schema)
	fp := ingest.Fingerprint(schema)
	m := ingest.Manifest{Format: "parquet", PartitionBy: "at", SchemaFingerprint: fp, Schemas: map[string]string{fp: enc},
		Files: []ingest.ManifestFile{{Path: "dt=2026-11-21/hr=10/part-0.parquet", Rows: rowsAll, Schema: fp}}}
	body, _ := json.Marshal(&m)
	if err := writeAll(ctx, fsys, "ev/_SUCCESS", body, false); err != nil {
		t.Fatal(err)
	}
	run := func(steps []spec.Step) (*Result, int64) {
		p := &spec.Pipeline{From: spec.Input{Table: "ev", Time: "at"}, Steps: append(steps, spec.Step{Write: &spec.Write{Table: "out"}})}
		res, err := Run(ctx, "p", p, Env{FS: fsys}, RunOptions{Window: Window{Start: start}, RunID: fmt.Sprint(len(steps))})
		if err != nil {
			t.Fatal(err)
		}
		pl, err := build(ctx, "p", p, Env{FS: fsys}, RunOptions{Window: Window{Start: start}, RunID: "count"})
		if err != nil {
			t.Fatal(err)
		}
		defer pl.out.Close()
		// Rows the scan reads: the stream under the first step (the filter, or the select).
		scanned, err := drainCount(ctx, pl.out.(*releasing).Stream.(*writer).in.(*mapStream).in)
		if err != nil {
			t.Fatal(err)
		}
		return res, scanned
	}
	pushed, readPushed := run([]spec.Step{{Filter: "status >= 250 AND status < 420"}})
	kept, readKept := run([]spec.Step{{Select: []string{"id", "status", "at", "kind"}}, {Filter: "status >= 250 AND status < 420"}})
	if pushed.Outputs[0].Rows != 170 || pushed.Outputs[0].Checksum != kept.Outputs[0].Checksum {
		t.Errorf("pushed down: %d rows (checksum %d); not pushed: %d (%d)", pushed.Outputs[0].Rows, pushed.Outputs[0].Checksum, kept.Outputs[0].Rows, kept.Outputs[0].Checksum)
	}
	p := &spec.Pipeline{From: spec.Input{Table: "ev", Time: "at"}, Steps: []spec.Step{{Filter: "status >= 250 AND status < 420"}, {Write: &spec.Write{Table: "out"}}}}
	if text, err := Explain(ctx, "p", p, Env{FS: fsys}, Window{Start: start}); err != nil || !strings.Contains(text, "row groups pruned by at, status >= 250, status <= 419") {
		t.Errorf("explain does not show the push-down: %v\n%s", err, text)
	}
	if readPushed != 300 || readKept != 800 {
		t.Errorf("rows scanned: %d with push-down (want the 3 row groups, 300), %d without (want 800)", readPushed, readKept)
	}
	// Strings and numbers that are not integers push down too: an IN
	// list bounds by its least and greatest value, so g4's row group is
	// read as well (and filtered out).
	const byString = "kind IN ('g3', 'g5') AND status > 349.5"
	pushed, readPushed = run([]spec.Step{{Filter: byString}})
	kept, _ = run([]spec.Step{{Select: []string{"id", "status", "at", "kind"}}, {Filter: byString}})
	if pushed.Outputs[0].Rows != 150 || pushed.Outputs[0].Checksum != kept.Outputs[0].Checksum || readPushed != 300 {
		t.Errorf("%s: %d rows (checksum %d, %d scanned); not pushed: %d (%d)", byString, pushed.Outputs[0].Rows, pushed.Outputs[0].Checksum, readPushed, kept.Outputs[0].Rows, kept.Outputs[0].Checksum)
	}
	p.Steps[0].Filter = byString
	if text, err := Explain(ctx, "p", p, Env{FS: fsys}, Window{Start: start}); err != nil || !strings.Contains(text, `"g3" <= kind <= "g5", status >= 699/2`) {
		t.Errorf("explain does not show the push-down: %v\n%s", err, text)
	}
}
