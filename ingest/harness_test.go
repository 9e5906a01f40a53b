package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
)

var dbSeq atomic.Int64

// testDB creates a fresh database on the test MariaDB, dropped at the end,
// and returns a pool on it and the driver config an import uses.
func testDB(t *testing.T) (*sql.DB, *mysql.Config) {
	t.Helper()
	srv := testcluster.MySQL(t)
	name := fmt.Sprintf("hetl_ingest_%d_%d", time.Now().UnixNano(), dbSeq.Add(1))
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = srv.User, srv.Password, "tcp", srv.Addr(), name
	cfg.InterpolateParams = true
	cfg.Params = map[string]string{"time_zone": "'+00:00'", "sql_mode": "''"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		admin.Close()
	})
	src := cfg.Clone()
	src.Params = nil
	return db, src
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// importTo runs an import with defaults suited to tests.
func importTo(t *testing.T, fsys warehouse.FS, dir string, src *mysql.Config, mod func(*Options)) (*Manifest, error) {
	t.Helper()
	opts := Options{Source: src, FS: fsys, Dir: dir, Mappers: 2, Validate: true}
	if mod != nil {
		mod(&opts)
	}
	return Run(context.Background(), opts)
}

func mustImport(t *testing.T, fsys warehouse.FS, dir string, src *mysql.Config, mod func(*Options)) *Manifest {
	t.Helper()
	m, err := importTo(t, fsys, dir, src, mod)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return m
}

// readRows reads every Parquet file of a published table back as rows of
// MySQL-style text (NULL as "\N"), keyed by the first column, sorted.
func readRows(t *testing.T, fsys warehouse.FS, dir string) []string {
	t.Helper()
	m, err := ReadManifest(context.Background(), fsys, dir)
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var rows []string
	for _, f := range m.Files {
		rows = append(rows, readParquetRows(t, fsys, path.Join(dir, f.Path))...)
	}
	sort.Strings(rows)
	return rows
}

func readParquetRows(t *testing.T, fsys warehouse.FS, name string) []string {
	t.Helper()
	ctx := context.Background()
	f, err := fsys.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var out []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			out = append(out, renderRow(t, rec, r))
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// renderRow renders one row with the checksum's canonical rendering,
// which mirrors MySQL's text protocol.
func renderRow(t *testing.T, rec arrow.RecordBatch, r int) string {
	parts := make([]string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		col := rec.Column(i)
		if col.IsNull(r) {
			parts[i] = `\N`
			continue
		}
		m := mappingOf(f)
		b, err := arrowCanonical(nil, m, col, r)
		if err != nil {
			t.Fatal(err)
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, "|")
}

// mappingOf rebuilds enough of a Mapping from a field's metadata to render
// it (TIME and FSP, bytes as hex).
func mappingOf(f arrow.Field) typemap.Mapping {
	m := typemap.Mapping{Field: f, Column: source.Column{Name: f.Name}}
	if v, ok := f.Metadata.GetValue("mysql.fsp"); ok {
		fmt.Sscan(v, &m.Column.FSP)
	}
	lg, _ := f.Metadata.GetValue("hetl.logical")
	switch {
	case lg == "time_us":
		m.Kind = typemap.KindTime
	case lg == "wkb":
		m.Kind = typemap.KindGeometry
	case f.Type.ID() == arrow.BINARY:
		m.Kind = typemap.KindBinary
	}
	return m
}

// mysqlRows selects the same rows from MySQL rendered like renderRow:
// bytes as HEX, BIT as an integer, FLOAT widened to DOUBLE.
func mysqlRows(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, b := range raw {
			if b == nil {
				parts[i] = `\N`
			} else {
				parts[i] = string(b)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func diffRows(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d rows, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			t.Errorf("row %d differs:\n got  %q\n want %q", i, got[i], want[i])
			return
		}
	}
}

func localFS(t *testing.T) warehouse.FS {
	t.Helper()
	l, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}
