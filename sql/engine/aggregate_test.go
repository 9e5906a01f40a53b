package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// mixedV1 is the schema of the older files of table "mixed"; mixedV2,
// the table's current one, adds extra.
var (
	mixedV1 = arrow.NewSchema([]arrow.Field{
		{Name: "window_start", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "kind", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	mixedV2 = arrow.NewSchema(append(mixedV1.Fields(), arrow.Field{Name: "extra", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), nil)
)

// writeMixedTable publishes "mixed": 12 hours, hours 0-5 in mixedV1 and
// 6-11 in mixedV2, 40 rows an hour in several row groups, with NULLs in
// every nullable column, a NaN and negative numbers.
func writeMixedTable(t *testing.T, fsys warehouse.FS) {
	t.Helper()
	ctx := context.Background()
	m := ingest.Manifest{Format: "parquet", PartitionBy: "window_start", Schemas: map[string]string{}}
	kinds := []string{"b", "a", "c", ""}
	for h := range 12 {
		schema := mixedV1
		if h >= 6 {
			schema = mixedV2
		}
		fp := ingest.Fingerprint(schema)
		enc, err := ingest.EncodeSchema(schema)
		if err != nil {
			t.Fatal(err)
		}
		m.Schemas[fp], m.SchemaFingerprint = enc, fp
		w := start.Add(time.Duration(h) * time.Hour)
		rel := path.Join(w.Format("dt=2006-01-02/hr=15"), "part-00000.parquet")
		fw, err := format.NewWriter(ctx, fsys, path.Join("mixed", rel), format.Parquet, schema, format.Options{RowGroupBytes: 256})
		if err != nil {
			t.Fatal(err)
		}
		const rows = 40
		for r0 := 0; r0 < rows; r0 += 10 {
			rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			for r := r0; r < r0+10; r++ {
				i := h*rows + r
				rb.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(w.Add(time.Duration(r) * time.Minute).UnixMicro()))
				if i%7 == 3 {
					rb.Field(1).AppendNull()
				} else {
					rb.Field(1).(*array.StringBuilder).Append(kinds[i%len(kinds)])
				}
				if i%5 == 0 {
					rb.Field(2).AppendNull()
				} else {
					rb.Field(2).(*array.Int32Builder).Append(int32(i%23 - 6))
				}
				rb.Field(3).(*array.Uint16Builder).Append(uint16(i % 17))
				switch {
				case i%11 == 0:
					rb.Field(4).AppendNull()
				case i == 77:
					rb.Field(4).(*array.Float64Builder).Append(math.NaN())
				default:
					rb.Field(4).(*array.Float64Builder).Append(float64(i%13)/3 - 1.5)
				}
				rb.Field(5).(*array.BooleanBuilder).Append(i%3 == 0)
				if schema == mixedV2 {
					if i%4 == 0 {
						rb.Field(6).AppendNull()
					} else {
						rb.Field(6).(*array.Int64Builder).Append(int64(i) * 1_000_003)
					}
				}
			}
			rec := rb.NewRecordBatch()
			if err := fw.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			rb.Release()
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		m.Files = append(m.Files, ingest.ManifestFile{Path: rel, Rows: rows, Schema: fp})
		m.Rows += rows
	}
	body, _ := json.Marshal(&m)
	f, err := fsys.Create(ctx, path.Join("mixed", ingest.SuccessFile), warehouse.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// typedRows runs q and renders every value with its Go type, so two
// engines agree only if they return the same values of the same types
// in the same order.
func typedRows(t *testing.T, e *Engine, q string) []string {
	t.Helper()
	return renderRows(t, e, q, " ", func(v any) string { return fmt.Sprintf("%T(%v)", v, v) })
}

// The aggregation rule computes exactly what go-mysql-server's GroupBy
// computes over the table's rows: same rows, values, types and order,
// for the queries it takes, and leaves the others to go-mysql-server;
// reading the Parquet pages raw or through Arrow.
func TestAggregateMatchesGroupBy(t *testing.T) {
	for _, raw := range []bool{true, false} {
		t.Run(fmt.Sprintf("raw=%v", raw), func(t *testing.T) {
			defer func(was bool) { readRawParquet = was }(readRawParquet)
			readRawParquet = raw
			testAggregateMatchesGroupBy(t)
		})
	}
}

func testAggregateMatchesGroupBy(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeMixedTable(t, fsys)
	writeAggTable(t, fsys, "agg", 48)
	native, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	rowwise, err := newEngine(Options{FS: fsys}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q      string
		native bool // the rule takes it
		rows   int
	}{
		{"SELECT kind, COUNT(*), COUNT(n), SUM(n), AVG(n), MIN(n), MAX(n), SUM(x), AVG(x), MIN(x), MAX(x), SUM(u), AVG(u), MIN(u), MAX(u) FROM mixed GROUP BY kind", true, 5},
		{"SELECT kind, SUM(n) FROM mixed GROUP BY kind ORDER BY kind", true, 5},
		{"SELECT dt, hr, COUNT(*) FROM mixed GROUP BY dt, hr", true, 12},
		{"SELECT hr, COUNT(*), COUNT(extra), SUM(extra), MIN(extra), MAX(extra) FROM mixed GROUP BY hr", true, 12},
		{"SELECT kind, flag, SUM(extra), COUNT(extra), MAX(window_start), MIN(window_start) FROM mixed WHERE dt = '2026-11-21' GROUP BY kind, flag", true, 10},
		{"SELECT COUNT(*), SUM(n), AVG(x), MIN(u), MAX(window_start) FROM mixed WHERE kind = 'nope'", true, 1},
		{"SELECT COUNT(*), SUM(n), AVG(x), MIN(u), MAX(window_start) FROM mixed", true, 1},
		{"SELECT kind, SUM(n) FROM mixed WHERE kind = 'nope' GROUP BY kind", true, 0},
		{"SELECT kind, SUM(n), COUNT(*) FROM mixed WHERE n > 3 AND hr IN ('01', '02', '07') GROUP BY kind", true, 5},
		{"SELECT kind, COUNT(*) FROM mixed WHERE n + u > 10 GROUP BY kind", true, 5},
		{"SELECT kind, COUNT(*) FROM mixed WHERE x IS NULL OR x > 1 GROUP BY kind", true, 5},
		{"SELECT kind, COUNT(*), SUM(n) FROM mixed WHERE hr = '01' OR n > 12 GROUP BY kind", true, 5},
		{"SELECT hr, kind, COUNT(*) FROM mixed WHERE kind > 'a' AND dt = '2026-11-21' GROUP BY hr, kind", true, 24},
		{"SELECT kind, COUNT(*) FROM mixed WHERE window_start >= '2026-11-21 02:30:00' AND window_start < '2026-11-21 07:10:00' GROUP BY kind", true, 5},
		{"SELECT m.kind, SUM(m.n) AS s FROM mixed m WHERE m.u < 9 GROUP BY m.kind ORDER BY s DESC LIMIT 2", true, 2},
		{"SELECT kind, SUM(n) / COUNT(*) AS r FROM mixed GROUP BY kind HAVING SUM(n) > 5 ORDER BY kind", true, 5},
		{"SELECT n, COUNT(*), SUM(u) FROM mixed GROUP BY n", true, 24},
		{"SELECT flag, u, COUNT(*) FROM mixed GROUP BY flag, u", true, 34},
		{"SELECT kind, SUM(n) FROM mixed WHERE RAND() < 2 GROUP BY kind", true, 5},
		{"SELECT window_start, SUM(events) FROM agg WHERE dt = '2026-11-22' GROUP BY window_start", true, 24},
		{"SELECT country, SUM(events), MAX(p95), COUNT(p95) FROM agg WHERE window_start >= '2026-11-21 10:00:00' AND window_start < '2026-11-21 13:00:00' GROUP BY country", true, 4},
		// Left to go-mysql-server: what the rule does not compute.
		{"SELECT COUNT(DISTINCT kind) FROM mixed", false, 1},
		{"SELECT x, COUNT(*) FROM mixed GROUP BY x", false, 14},
		{"SELECT kind, SUM(n + 1) FROM mixed GROUP BY kind", false, 5},
		{"SELECT country, SUM(revenue) FROM agg GROUP BY country", false, 4},
		{"SELECT kind FROM mixed GROUP BY kind", true, 5},
		{"SELECT kind, COUNT(*) FROM mixed WHERE kind IN (SELECT kind FROM mixed WHERE n > 10) GROUP BY kind", false, 4},
	} {
		t.Run(tc.q, func(t *testing.T) {
			plan := strings.Join(query(t, native, "EXPLAIN PLAN "+tc.q), "\n")
			if got := strings.Contains(plan, "HetlAggregate"); got != tc.native {
				t.Errorf("native aggregation: %v, want %v; plan:\n%s", got, tc.native, plan)
			}
			want := typedRows(t, rowwise, tc.q)
			got := typedRows(t, native, tc.q)
			if len(want) != tc.rows {
				t.Errorf("go-mysql-server gave %d rows, want %d: %q", len(want), tc.rows, want)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rows differ\nnative:\n  %s\ngo-mysql-server:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// The native aggregation opens only the files pruning keeps, and none
// when the partition keys and the manifest's row counts answer.
func TestAggregateFilesOpened(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 48)
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q     string
		want  string
		files int64
	}{
		{"SELECT country, SUM(events) FROM agg WHERE dt = '2026-11-22' AND hr = '03' GROUP BY country ORDER BY country", "BR|270 DE|271 FR|272 US|273", 1},
		{"SELECT COUNT(*), SUM(events) FROM agg WHERE window_start >= '2026-11-21 10:00:00' AND window_start < '2026-11-21 13:00:00'", "12|" + fmt.Sprint(4*(100+110+120)+3*6), 3},
		{"SELECT dt, COUNT(*) FROM agg GROUP BY dt ORDER BY dt", "2026-11-21|96 2026-11-22|96", 0},
		{"SELECT COUNT(*) FROM agg WHERE hr = '05'", "8", 0},
		{"SELECT SUM(events) FROM agg", fmt.Sprint(4*(10*47*48/2) + 48*6), 48},
	} {
		before := e.Stats.FilesOpened.Load()
		if got := strings.Join(query(t, e, tc.q), " "); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.q, got, tc.want)
		}
		if n := e.Stats.FilesOpened.Load() - before; n != tc.files {
			t.Errorf("%s: opened %d files, want %d", tc.q, n, tc.files)
		}
	}
}

// A query's context ends a native aggregation, with the context's error.
func TestAggregateCanceled(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 48)
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rows, err := e.Query(ctx, DefaultDatabase, "SELECT country, SUM(events) FROM agg GROUP BY country")
	if err == nil {
		_, err = rows.Next()
		rows.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a canceled query: %v", err)
	}
}

// A partition republished in place (same file name, new rows) is read
// anew by the next query: kept Parquet footers never outlive their file.
func TestRepublishedPartitionIsRead(t *testing.T) {
	for _, footers := range []int64{0, 1, -1} { // the default, a cache too small to keep any, none
		t.Run(fmt.Sprint(footers), func(t *testing.T) { testRepublishedPartitionIsRead(t, footers) })
	}
}

func testRepublishedPartitionIsRead(t *testing.T, footers int64) {
	ctx := context.Background()
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 2)
	e, err := New(Options{FS: fsys, FooterCacheBytes: footers})
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT country, SUM(events), MAX(p95) FROM agg WHERE hr = '01' GROUP BY country ORDER BY country"
	if got := strings.Join(query(t, e, q), " "); got != "BR|10|<nil> DE|11|5.5 FR|12|6 US|13|6.5" {
		t.Fatalf("before: %q", got)
	}
	name := path.Join("agg", start.Add(time.Hour).Format("dt=2006-01-02/hr=15"), "part-00000.parquet")
	if err := fsys.Remove(ctx, name); err != nil {
		t.Fatal(err)
	}
	fw, err := format.NewWriter(ctx, fsys, name, format.Parquet, aggSchema, format.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, aggSchema)
	for i, c := range countries {
		rb.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(start.Add(time.Hour).UnixMicro()))
		rb.Field(1).(*array.StringBuilder).Append(c)
		rb.Field(2).(*array.Int64Builder).Append(int64(1000 * (i + 1)))
		rb.Field(3).AppendNull()
		rb.Field(4).(*array.Float64Builder).Append(float64(i))
	}
	rec := rb.NewRecordBatch()
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(query(t, e, q), " "); got != "BR|1000|0 DE|2000|1 FR|3000|2 US|4000|3" {
		t.Errorf("after the partition was republished: %q", got)
	}
}

// Many readers racing ahead never stall the folding, and each run gives
// the same rows (a reader that had taken a file but not yet a read-ahead
// token once waited forever behind the files after it).
func TestAggregateManyReaders(t *testing.T) {
	defer func(n int) { prefetchWorkers = n }(prefetchWorkers)
	prefetchWorkers = 8
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 48)
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(query(t, e, "SELECT country, SUM(events), COUNT(*) FROM agg GROUP BY country"), " ")
	for range 200 {
		if got := strings.Join(query(t, e, "SELECT country, SUM(events), COUNT(*) FROM agg GROUP BY country"), " "); got != want {
			t.Fatalf("%q, then %q", want, got)
		}
	}
}

// closeCountingFS counts the files opened and not yet closed.
type closeCountingFS struct {
	warehouse.FS
	open atomic.Int64
}

type countedFile struct {
	warehouse.File
	fs   *closeCountingFS
	once sync.Once
}

func (f *countedFile) Close() error {
	f.once.Do(func() { f.fs.open.Add(-1) })
	return f.File.Close()
}

func (c *closeCountingFS) Open(ctx context.Context, name string) (warehouse.File, error) {
	f, err := c.FS.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	c.open.Add(1)
	return &countedFile{File: f, fs: c}, nil
}

// Every file a query opens is closed when it ends: read raw or through
// Arrow, read to the end or left when the query is canceled.
func TestAggregateClosesFiles(t *testing.T) {
	for _, raw := range []bool{true, false} {
		t.Run(fmt.Sprintf("raw=%v", raw), func(t *testing.T) {
			defer func(was bool) { readRawParquet = was }(readRawParquet)
			readRawParquet = raw
			fsys := &closeCountingFS{FS: warehouse.NewMemFS()}
			writeAggTable(t, fsys.FS, "agg", 48)
			e, err := New(Options{FS: fsys})
			if err != nil {
				t.Fatal(err)
			}
			query(t, e, "SELECT country, SUM(events) FROM agg GROUP BY country")
			if n := fsys.open.Load(); n != 0 {
				t.Errorf("%d files left open after a query", n)
			}
			ctx, cancel := context.WithCancel(context.Background())
			rows, err := e.Query(ctx, DefaultDatabase, "SELECT country, SUM(events) FROM agg GROUP BY country")
			cancel()
			if err == nil {
				rows.Next()
				rows.Close()
			}
			if n := fsys.open.Load(); n != 0 {
				t.Errorf("%d files left open after a canceled query", n)
			}
		})
	}
}
