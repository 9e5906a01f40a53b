package ingest

import (
	"context"
	"errors"
	"path"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

// An append that dies after moving some of its files into the target is
// rolled back by the next append: no row is counted twice or lost.
func TestInterruptedAppendRolledBack(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id INT PRIMARY KEY, v INT)`, `INSERT INTO t SELECT seq, seq FROM seq_1_to_100`)
	ctx := context.Background()
	fsys := warehouse.NewFaultFS(localFS(t))
	mustImport(t, fsys, "t", src, func(o *Options) { o.Table = "t" })

	// The second file's move into the target fails: one file is already
	// in, the manifest does not know it.
	exec(t, db, `INSERT INTO t SELECT seq, seq FROM seq_101_to_200`)
	fsys.Inject(warehouse.Fault{Op: warehouse.OpRename, Pattern: "*.parquet", Nth: 2})
	_, err := importTo(t, fsys, "t", src, func(o *Options) {
		o.Table, o.Mode, o.Where, o.ChunkRows = "t", TargetAppend, "id > 100", 20
	})
	if !errors.Is(err, warehouse.ErrInjected) {
		t.Fatalf("append: %v, want the injected rename failure", err)
	}
	pending, _ := fsys.ReadDir(ctx, "t/_hetl/pending")
	if len(pending) != 1 {
		t.Fatalf("%d intent records after the failed append, want 1", len(pending))
	}

	// The rerun rolls the half-done append back, then appends again.
	m := mustImport(t, fsys, "t", src, func(o *Options) {
		o.Table, o.Mode, o.Where, o.ChunkRows = "t", TargetAppend, "id > 100", 20
	})
	if m.Rows != 100 {
		t.Errorf("second append: %d rows, want 100", m.Rows)
	}
	rows := readRows(t, fsys, "t")
	diffRows(t, rows, mysqlRows(t, db, "SELECT id, v FROM t"))
	// Every data file in the directory is in the manifest, and only those.
	whole, err := ReadManifest(ctx, fsys, "t")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, f := range whole.Files {
		listed[f.Path] = true
	}
	ents, _ := fsys.ReadDir(ctx, "t")
	for _, e := range ents {
		if path.Ext(e.Name()) == ".parquet" && !listed[e.Name()] {
			t.Errorf("%s is in the directory but not in the manifest", e.Name())
		}
	}
	if whole.Rows != 200 || len(whole.Files) != len(listed) {
		t.Errorf("manifest: %d rows, %d files", whole.Rows, len(whole.Files))
	}
	if pending, _ := fsys.ReadDir(ctx, "t/_hetl/pending"); len(pending) != 0 {
		t.Errorf("%d intent records left", len(pending))
	}
}
