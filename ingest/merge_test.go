package ingest

import (
	"context"
	"path"
	"reflect"
	"testing"
	"time"
)

func mergeRun(table string, partitioned bool) func(*Options) {
	return func(o *Options) {
		o.Table, o.MergeKey, o.ChunkRows = table, []string{"id"}, 40
		o.Incremental = &Incremental{Mode: IncrementalLastModified, CheckColumn: "updated_at", Lag: time.Millisecond}
		if partitioned {
			o.PartitionBy, o.PartitionGranularity = "created_at", ByHour
		}
	}
}

// --merge-key: after each run the target holds exactly the source's rows,
// each key once with its newest version.
func TestMergeKey(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE u (id INT PRIMARY KEY, v INT, updated_at DATETIME(6) NOT NULL)`,
		`INSERT INTO u SELECT seq, seq, NOW(6) - INTERVAL 1 HOUR FROM seq_1_to_200`)
	fsys := localFS(t)
	ctx := context.Background()
	a := mustImport(t, fsys, "u", src, mergeRun("u", false))
	if a.Rows != 200 {
		t.Fatalf("first run: %d rows", a.Rows)
	}
	at := a.Incremental.NextValue
	exec(t, db, `UPDATE u SET v = -v, updated_at = '`+at+`' WHERE id IN (3, 77, 150)`,
		`INSERT INTO u SELECT seq, seq, '`+at+`' FROM seq_201_to_205`)
	b := mustImport(t, fsys, "u", src, mergeRun("u", false))
	if b.Rows != 8 || b.Mode != "merge" {
		t.Errorf("merge run: %d rows, mode %s", b.Rows, b.Mode)
	}
	diffRows(t, readRows(t, fsys, "u"), mysqlRows(t, db, "SELECT id, v, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM u"))
	whole, err := ReadManifest(ctx, fsys, "u")
	if err != nil {
		t.Fatal(err)
	}
	if whole.Rows != 205 || whole.Incremental.NextValue != b.Incremental.NextValue {
		t.Errorf("manifest: %d rows, %+v", whole.Rows, whole.Incremental)
	}
	assertOnlyManifestFilesTree(t, fsys, "u", whole)

	// Only new keys: nothing to take out, the files are added.
	exec(t, db, `INSERT INTO u SELECT seq, seq, '`+b.Incremental.NextValue+`' FROM seq_206_to_210`)
	c := mustImport(t, fsys, "u", src, mergeRun("u", false))
	if c.Rows != 5 {
		t.Errorf("new keys only: %d rows", c.Rows)
	}
	diffRows(t, readRows(t, fsys, "u"), mysqlRows(t, db, "SELECT id, v, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM u"))
}

// With --partition-by, a merge replaces only the partitions that hold the
// run's rows or older versions of them.
func TestMergeKeyPartitioned(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE e (id INT PRIMARY KEY, v INT, created_at DATETIME NOT NULL, updated_at DATETIME(6) NOT NULL)`,
		`INSERT INTO e SELECT seq, seq, '2026-11-21 00:00:00' + INTERVAL ((seq - 1) * 36) SECOND, NOW(6) - INTERVAL 1 HOUR FROM seq_1_to_400`)
	fsys := localFS(t)
	ctx := context.Background()
	a := mustImport(t, fsys, "e", src, mergeRun("e", true))
	at := a.Incremental.NextValue
	exec(t, db, `UPDATE e SET v = 0, updated_at = '`+at+`' WHERE id IN (110, 320)`,
		`INSERT INTO e VALUES (401, 1, '2026-11-21 05:00:00', '`+at+`')`)
	b := mustImport(t, fsys, "e", src, mergeRun("e", true))
	want := []string{"dt=2026-11-21/hr=01", "dt=2026-11-21/hr=03", "dt=2026-11-21/hr=05"}
	if !reflect.DeepEqual(b.ChangedPartitions, want) || b.Rows != 3 {
		t.Errorf("merge: %d rows, changed %v, want %v", b.Rows, b.ChangedPartitions, want)
	}
	diffRows(t, readRows(t, fsys, "e"), mysqlRows(t, db, "SELECT id, v, created_at, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM e"))
	whole, err := ReadManifest(ctx, fsys, "e")
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, f := range whole.Files {
		kept[f.Path] = true
	}
	for _, f := range a.Files {
		if p := path.Dir(f.Path); (p == "dt=2026-11-21/hr=00" || p == "dt=2026-11-21/hr=02") && !kept[f.Path] {
			t.Errorf("%s of an untouched hour was rewritten", f.Path)
		}
	}
	assertOnlyManifestFilesTree(t, fsys, "e", whole)
}
