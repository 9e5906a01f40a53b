package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

var start = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// aggSchema is an hourly aggregate's.
var aggSchema = arrow.NewSchema([]arrow.Field{
	{Name: "window_start", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "events", Type: arrow.PrimitiveTypes.Int64},
	{Name: "revenue", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	{Name: "p95", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

var countries = []string{"BR", "DE", "FR", "US"}

// writeAggTable publishes table agg over hours hours: per hour, one row
// per country (several row groups per file), events = hour*10 + country
// index, revenue = events / 4.
func writeAggTable(t *testing.T, fsys warehouse.FS, table string, hours int) {
	writeAggHours(t, fsys, table, 0, hours)
}

// writeAggHours writes the files of hours [from, hours) and publishes a
// manifest listing every hour's.
func writeAggHours(t *testing.T, fsys warehouse.FS, table string, from, hours int) {
	t.Helper()
	ctx := context.Background()
	enc, err := ingest.EncodeSchema(aggSchema)
	if err != nil {
		t.Fatal(err)
	}
	fp := ingest.Fingerprint(aggSchema)
	m := ingest.Manifest{Format: "parquet", PartitionBy: "window_start", SchemaFingerprint: fp, Schemas: map[string]string{fp: enc}}
	for h := range hours {
		w := start.Add(time.Duration(h) * time.Hour)
		rel := path.Join(w.Format("dt=2006-01-02/hr=15"), "part-00000.parquet")
		m.Files = append(m.Files, ingest.ManifestFile{Path: rel, Rows: int64(len(countries)), Schema: fp})
		m.Rows += int64(len(countries))
		if h < from {
			continue // published before
		}
		fw, err := format.NewWriter(ctx, fsys, path.Join(table, rel), format.Parquet, aggSchema, format.Options{RowGroupBytes: 1})
		if err != nil {
			t.Fatal(err)
		}
		for c, country := range countries {
			rb := array.NewRecordBuilder(memory.DefaultAllocator, aggSchema)
			rb.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(w.UnixMicro()))
			rb.Field(1).(*array.StringBuilder).Append(country)
			ev := int64(h*10 + c)
			rb.Field(2).(*array.Int64Builder).Append(ev)
			rb.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(ev * 25))
			if c == 0 {
				rb.Field(4).AppendNull()
			} else {
				rb.Field(4).(*array.Float64Builder).Append(float64(ev) / 2)
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
	}
	body, _ := json.Marshal(&m)
	f, err := fsys.Create(ctx, path.Join(table, ingest.SuccessFile), warehouse.CreateOptions{Overwrite: true})
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

// query runs q and renders its rows as "a|b|c" lines.
func query(t *testing.T, e *Engine, q string) []string {
	t.Helper()
	return renderRows(t, e, q, "|", func(v any) string {
		if x, ok := v.(time.Time); ok {
			return x.Format("2006-01-02 15:04:05")
		}
		return fmt.Sprint(v)
	})
}

// renderRows runs q and renders each row's values with render, joined
// by sep.
func renderRows(t *testing.T, e *Engine, q, sep string, render func(any) string) []string {
	t.Helper()
	rows, err := e.Query(context.Background(), DefaultDatabase, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for {
		r, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		parts := make([]string, len(r))
		for k, v := range r {
			parts[k] = render(v)
		}
		out = append(out, strings.Join(parts, sep))
	}
}

func TestQueriesAndPruning(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 48)
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q     string
		want  string
		files int64 // files opened
	}{
		{"SELECT COUNT(*), SUM(events) FROM agg", "192|" + fmt.Sprint(4*(10*47*48/2)+48*6), 48},
		{"SELECT country, SUM(events) FROM agg WHERE dt = '2026-11-22' AND hr = '03' GROUP BY country ORDER BY country", "BR|270 DE|271 FR|272 US|273", 1},
		{"SELECT COUNT(*) FROM agg WHERE window_start >= '2026-11-21 10:00:00' AND window_start < '2026-11-21 13:00:00'", "12", 3},
		{"SELECT COUNT(*) FROM agg WHERE window_start BETWEEN '2026-11-21 10:00:00' AND '2026-11-21 10:59:59'", "4", 1},
		{"SELECT dt, hr, events FROM agg WHERE window_start = '2026-11-21 05:00:00' AND country = 'FR'", "2026-11-21|05|52", 1},
		{"SELECT SUM(revenue) FROM agg WHERE hr IN ('00', '01') AND dt = '2026-11-21'", "13", 2},
		{"SELECT COUNT(*) FROM agg WHERE p95 IS NULL", "48", 48},
		{"SELECT COUNT(*) FROM agg WHERE events > 100 AND events < 105", "3", 48},
	} {
		before := e.Stats.FilesOpened.Load()
		got := strings.Join(query(t, e, tc.q), " ")
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.q, got, tc.want)
		}
		if n := e.Stats.FilesOpened.Load() - before; n != tc.files {
			t.Errorf("%s: opened %d files, want %d", tc.q, n, tc.files)
		}
	}
}

// A table or partition published after the engine started is seen by the
// next query; a name that is no published table is an unknown table.
func TestNewlyPublishedIsVisible(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 2)
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if got := query(t, e, "SELECT COUNT(*) FROM agg"); got[0] != "8" {
		t.Fatalf("count %v", got)
	}
	writeAggHours(t, fsys, "agg", 2, 3) // the next hour published
	writeAggTable(t, fsys, "later", 1)
	if got := query(t, e, "SELECT COUNT(*) FROM agg"); got[0] != "12" {
		t.Errorf("after a new partition: count %v, want 12", got)
	}
	if got := strings.Join(query(t, e, "SHOW TABLES"), " "); got != "agg later" {
		t.Errorf("tables %q", got)
	}
	if _, err := fsys.Create(context.Background(), "_tmp/x", warehouse.CreateOptions{}); err == nil {
		if _, err := e.Query(context.Background(), DefaultDatabase, "SELECT * FROM _tmp"); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("a temporary directory answered as a table: %v", err)
		}
	}
}
