package ingest

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/warehouse"
)

func appendRun(last string) func(*Options) {
	return func(o *Options) {
		o.Table, o.ChunkRows = "t", 40
		o.Incremental = &Incremental{Mode: IncrementalAppend, CheckColumn: "id", LastValue: last}
	}
}

// --incremental append: each run takes the rows past the manifest's last
// value, up to MAX at its start; the watermark is published with them.
func TestIncrementalAppend(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)`, `INSERT INTO t SELECT seq, seq FROM seq_1_to_100`)
	fsys := localFS(t)

	m := mustImport(t, fsys, "t", src, appendRun(""))
	if m.Rows != 100 || m.Incremental == nil || m.Incremental.NextValue != "100" || m.Incremental.LastValueFrom != "none" {
		t.Fatalf("first run: %d rows, %+v", m.Rows, m.Incremental)
	}
	exec(t, db, `INSERT INTO t SELECT seq, seq FROM seq_101_to_150`)
	m = mustImport(t, fsys, "t", src, appendRun(""))
	if m.Rows != 50 || m.Incremental.LastValue != "100" || m.Incremental.LastValueFrom != "manifest" || m.Incremental.NextValue != "150" || m.Mode != string(TargetAppend) {
		t.Fatalf("second run: %d rows, mode %s, %+v", m.Rows, m.Mode, m.Incremental)
	}
	// Nothing new: an empty run, the watermark stays.
	m = mustImport(t, fsys, "t", src, appendRun(""))
	if m.Rows != 0 || m.Incremental.NextValue != "150" {
		t.Fatalf("third run: %d rows, %+v", m.Rows, m.Incremental)
	}
	diffRows(t, readRows(t, fsys, "t"), mysqlRows(t, db, "SELECT id, v FROM t"))
	whole, err := ReadManifest(context.Background(), fsys, "t")
	if err != nil || whole.Rows != 150 || whole.Incremental.NextValue != "150" {
		t.Fatalf("manifest: %v %+v", err, whole)
	}

	// BIGINT values beyond 2^53 compare exactly (a quoted bound would be
	// compared as a double and lose the last row).
	exec(t, db, `INSERT INTO t VALUES (9007199254740992, 1), (9007199254740993, 2)`)
	m = mustImport(t, fsys, "t", src, appendRun("9007199254740992"))
	if m.Rows != 1 || m.Incremental.LastValueFrom != "flag" {
		t.Errorf("past 2^53: %d rows, want 1", m.Rows)
	}

	for _, bad := range []string{"1 OR 1=1", "'1'", "1; DROP TABLE t"} {
		if _, err := importTo(t, fsys, "t", src, appendRun(bad)); err == nil || !strings.Contains(err.Error(), "is not a number") {
			t.Errorf("--last-value %q: %v", bad, err)
		}
	}
	for _, tt := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.Incremental.CheckColumn = "nope" }, `no column "nope"`},
		{func(o *Options) { o.Incremental.Mode = IncrementalLastModified; o.Mode = TargetAppend }, "want a DATE, DATETIME or TIMESTAMP column"},
		{func(o *Options) { o.Mode = TargetReplace }, "would drop the rows of earlier runs"},
		{func(o *Options) { o.Incremental.CheckColumn = "v" }, "imported with --incremental append --check-column id"},
	} {
		_, err := importTo(t, fsys, "t", src, func(o *Options) { appendRun("")(o); tt.mod(o) })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}

// A run that dies after moving files but before its manifest — the step
// that advances the watermark — is rolled back; the rerun reads the same
// range again: nothing lost, nothing twice.
func TestIncrementalCrashBeforeWatermark(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)`, `INSERT INTO t SELECT seq, seq FROM seq_1_to_100`)
	fsys := warehouse.NewFaultFS(localFS(t))
	mustImport(t, fsys, "t", src, appendRun(""))
	exec(t, db, `INSERT INTO t SELECT seq, seq FROM seq_101_to_200`)
	fsys.Inject(warehouse.Fault{Op: warehouse.OpCreate, Pattern: SuccessFile, Nth: 1})
	if _, err := importTo(t, fsys, "t", src, appendRun("")); !errors.Is(err, warehouse.ErrInjected) {
		t.Fatalf("append: %v, want the injected failure writing the manifest", err)
	}
	m := mustImport(t, fsys, "t", src, appendRun(""))
	if m.Rows != 100 || m.Incremental.LastValue != "100" {
		t.Errorf("rerun: %d rows from %q", m.Rows, m.Incremental.LastValue)
	}
	diffRows(t, readRows(t, fsys, "t"), mysqlRows(t, db, "SELECT id, v FROM t"))
	assertOnlyManifestFiles(t, fsys, "t")
}

// --incremental lastmodified --append: rows updated since the last run,
// up to the database's clock minus the lag, including a transaction
// stamped before the previous run ended but committed after it.
func TestIncrementalLastModified(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id INT PRIMARY KEY, v INT, updated_at DATETIME(6) NOT NULL)`,
		`INSERT INTO t SELECT seq, seq, NOW(6) - INTERVAL 1 HOUR FROM seq_1_to_50`)
	fsys := localFS(t)
	run := func(o *Options) {
		o.Table, o.Mode = "t", TargetAppend
		o.Incremental = &Incremental{Mode: IncrementalLastModified, CheckColumn: "updated_at", Lag: 2 * time.Second}
	}
	a := mustImport(t, fsys, "t", src, run)
	if a.Rows != 50 {
		t.Fatalf("first run: %d rows", a.Rows)
	}
	exec(t, db,
		`UPDATE t SET v = v + 100, updated_at = NOW(6) WHERE id <= 10`,
		`INSERT INTO t SELECT seq, seq, NOW(6) FROM seq_51_to_60`,
		// Stamped inside the previous run's lag window, committed after it.
		`INSERT INTO t VALUES (61, 61, '`+a.Incremental.NextValue+`' + INTERVAL 1 SECOND)`,
		// Stamped exactly at the previous run's bound, which that run
		// excluded and this one includes.
		`INSERT INTO t VALUES (62, 62, '`+a.Incremental.NextValue+`')`)
	// Rows stamped within the lag wait for a run after the lag has passed.
	early := mustImport(t, fsys, "t", src, run)
	if early.Rows != 1 {
		t.Errorf("run inside the lag: %d rows, want only the one at the bound", early.Rows)
	}
	time.Sleep(2200 * time.Millisecond)
	b := mustImport(t, fsys, "t", src, run)
	if b.Rows != 21 {
		t.Errorf("run after the lag: %d rows, want 21", b.Rows)
	}
	// The newest version of every row equals the source.
	newest := map[string]string{}
	for _, r := range readRows(t, fsys, "t") {
		id, _, _ := strings.Cut(r, "|")
		if old, ok := newest[id]; !ok || lastField(r) > lastField(old) {
			newest[id] = r
		}
	}
	var got []string
	for _, r := range newest {
		got = append(got, r)
	}
	sort.Strings(got)
	diffRows(t, got, mysqlRows(t, db, "SELECT id, v, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM t"))
}

func lastField(r string) string { return r[strings.LastIndexByte(r, '|')+1:] }

func assertOnlyManifestFiles(t *testing.T, fsys warehouse.FS, dir string) {
	t.Helper()
	ctx := context.Background()
	m, err := ReadManifest(ctx, fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	ents, _ := fsys.ReadDir(ctx, dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".parquet") && !listed[e.Name()] {
			t.Errorf("%s is in %s but not in its manifest", e.Name(), dir)
		}
	}
}
