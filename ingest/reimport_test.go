package ingest

import (
	"context"
	"errors"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

const hours6 = `INSERT INTO ev SELECT seq, seq, '2026-11-21 00:00:00' + INTERVAL ((seq - 1) * 36) SECOND FROM seq_1_to_600`

func reimportOf(parts ...string) func(*Options) {
	return func(o *Options) {
		o.Table, o.PartitionBy, o.PartitionGranularity, o.ChunkRows = "ev", "created_at", ByHour, 150
		o.Reimport = &Reimport{Partitions: parts}
	}
}

func partitioned(o *Options) {
	o.Table, o.PartitionBy, o.PartitionGranularity, o.ChunkRows = "ev", "created_at", ByHour, 150
}

// A reimport replaces exactly the partitions it names with the source's
// rows now — updated, deleted and inserted rows alike — and leaves every
// other partition's files as they were.
func TestReimportReplacesOnlyItsPartitions(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE ev (id INT PRIMARY KEY, v INT, created_at DATETIME NOT NULL)`, hours6)
	fsys := localFS(t)
	ctx := context.Background()
	first := mustImport(t, fsys, "ev", src, partitioned)

	exec(t, db,
		`UPDATE ev SET v = v + 1000 WHERE HOUR(created_at) = 2`,
		`DELETE FROM ev WHERE HOUR(created_at) = 3`,
		`INSERT INTO ev VALUES (1001, 1, '2026-11-21 04:30:00'), (1002, 2, '2026-11-21 06:00:00')`,
		`UPDATE ev SET v = v + 5000 WHERE HOUR(created_at) = 5`)
	m := mustImport(t, fsys, "ev", src, reimportOf("dt=2026-11-21/hr=02", "dt=2026-11-21/hr=03", "dt=2026-11-21/hr=04"))
	if want := []string{"dt=2026-11-21/hr=02", "dt=2026-11-21/hr=03", "dt=2026-11-21/hr=04"}; !reflect.DeepEqual(m.ChangedPartitions, want) {
		t.Errorf("changed partitions %v, want %v", m.ChangedPartitions, want)
	}
	whole, err := ReadManifest(ctx, fsys, "ev")
	if err != nil {
		t.Fatal(err)
	}
	if m.Mode != "replace-partitions" || m.Rows != 201 || whole.Rows != 501 || !reflect.DeepEqual(whole.ChangedPartitions, m.ChangedPartitions) {
		t.Errorf("run: mode %s, %d rows (want 201); table: %d rows (want 501), changed %v", m.Mode, m.Rows, whole.Rows, whole.ChangedPartitions)
	}
	// Hours 5 and 6 were not reimported: their old rows stay, the new row
	// of hour 6 is not there.
	want := mysqlRows(t, db, `SELECT id, IF(HOUR(created_at) = 5, v - 5000, v), created_at FROM ev WHERE id <> 1002`)
	diffRows(t, readRows(t, fsys, "ev"), want)
	if _, err := fsys.Stat(ctx, "ev/dt=2026-11-21/hr=03"); !errors.Is(err, errNotExist) {
		t.Errorf("the emptied partition is still there: %v", err)
	}
	untouched := map[string]bool{}
	for _, f := range whole.Files {
		untouched[f.Path] = true
	}
	for _, f := range first.Files {
		p := path.Dir(f.Path)
		if p == "dt=2026-11-21/hr=02" || p == "dt=2026-11-21/hr=03" || p == "dt=2026-11-21/hr=04" {
			if untouched[f.Path] {
				t.Errorf("%s survived its partition's reimport", f.Path)
			}
		} else if !untouched[f.Path] {
			t.Errorf("%s of an untouched partition was replaced", f.Path)
		}
	}
	assertOnlyManifestFilesTree(t, fsys, "ev", whole)

	if _, err := importTo(t, fsys, "ev", src, reimportOf("dt=2026-11-21")); err == nil || !strings.Contains(err.Error(), "want dt=YYYY-MM-DD/hr=HH") {
		t.Errorf("day partition of an hourly table: %v", err)
	}
}

// A reimport that fails between two partition swaps is finished by the
// next run of the target.
func TestReimportInterruptedIsFinished(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE ev (id INT PRIMARY KEY, v INT, created_at DATETIME NOT NULL)`, hours6)
	fsys := warehouse.NewFaultFS(localFS(t))
	mustImport(t, fsys, "ev", src, partitioned)
	exec(t, db, `UPDATE ev SET v = -v WHERE HOUR(created_at) IN (1, 2)`)
	fsys.Inject(warehouse.Fault{Op: warehouse.OpExchange, Nth: 2})
	if _, err := importTo(t, fsys, "ev", src, reimportOf("dt=2026-11-21/hr=01", "dt=2026-11-21/hr=02")); !errors.Is(err, warehouse.ErrInjected) {
		t.Fatalf("reimport: %v, want the injected failure", err)
	}
	// The next run — here an unrelated reimport of hour 0 — first
	// finishes the interrupted one.
	mustImport(t, fsys, "ev", src, reimportOf("dt=2026-11-21/hr=00"))
	diffRows(t, readRows(t, fsys, "ev"), mysqlRows(t, db, `SELECT id, v, created_at FROM ev`))
	ents, _ := fsys.ReadDir(context.Background(), "")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "_") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// Rows past an incremental target's watermark are left to the next
// incremental run, so they are imported once.
func TestReimportStopsAtTheWatermark(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE ev (id INT PRIMARY KEY, v INT, created_at DATETIME NOT NULL)`, hours6)
	fsys := localFS(t)
	incr := func(o *Options) {
		partitioned(o)
		o.Incremental = &Incremental{Mode: IncrementalAppend, CheckColumn: "id"}
	}
	mustImport(t, fsys, "ev", src, incr)
	exec(t, db, `INSERT INTO ev VALUES (700, 7, '2026-11-21 02:10:00')`, `UPDATE ev SET v = 0 WHERE id = 250`)
	mustImport(t, fsys, "ev", src, reimportOf("dt=2026-11-21/hr=02"))
	if whole, err := ReadManifest(context.Background(), fsys, "ev"); err != nil || whole.Incremental == nil || whole.Incremental.NextValue != "600" {
		t.Errorf("the watermark moved: %v %+v", err, whole)
	}
	next := mustImport(t, fsys, "ev", src, incr)
	if next.Rows != 1 {
		t.Errorf("next incremental run: %d rows, want 1", next.Rows)
	}
	diffRows(t, readRows(t, fsys, "ev"), mysqlRows(t, db, `SELECT id, v, created_at FROM ev`))
}

func assertOnlyManifestFilesTree(t *testing.T, fsys warehouse.FS, dir string, m *Manifest) {
	t.Helper()
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	var walk func(rel string)
	walk = func(rel string) {
		ents, _ := fsys.ReadDir(context.Background(), path.Join(dir, rel))
		for _, e := range ents {
			p := path.Join(rel, e.Name())
			if strings.HasPrefix(e.Name(), "_") {
				continue
			}
			if e.IsDir() {
				walk(p)
			} else if !listed[p] {
				t.Errorf("%s is in %s but not in its manifest", p, dir)
			}
		}
	}
	walk("")
}
