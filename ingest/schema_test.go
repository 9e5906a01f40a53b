package ingest

import (
	"context"
	"strings"
	"testing"
)

func TestSchemaDrift(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)`, `INSERT INTO t SELECT seq, seq FROM seq_1_to_50`)
	fsys := localFS(t)
	ctx := context.Background()
	mustImport(t, fsys, "t", src, appendRun(""))

	// A new nullable column: the target evolves.
	exec(t, db, `ALTER TABLE t ADD COLUMN note VARCHAR(10) NULL AFTER id`, `INSERT INTO t SELECT seq, 'n', seq FROM seq_51_to_60`, `INSERT INTO t VALUES (61, NULL, 61)`)
	m := mustImport(t, fsys, "t", src, appendRun(""))
	if m.Rows != 11 {
		t.Fatalf("after adding a column: %d rows", m.Rows)
	}
	whole, err := ReadManifest(ctx, fsys, "t")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range whole.Columns {
		names = append(names, c.Name)
		if c.Name == "note" && c.Nulls != 51 {
			t.Errorf("note: %d nulls, want 51 (50 old rows and one new)", c.Nulls)
		}
	}
	if strings.Join(names, ",") != "id,note,v" || whole.Rows != 61 || whole.SchemaFingerprint != m.SchemaFingerprint {
		t.Errorf("evolved manifest: columns %v, %d rows", names, whole.Rows)
	}

	// A retyped column is refused, naming it, unless replace is allowed.
	exec(t, db, `ALTER TABLE t MODIFY v BIGINT`, `INSERT INTO t VALUES (62, 'x', 62)`)
	_, err = importTo(t, fsys, "t", src, appendRun(""))
	if err == nil || !strings.Contains(err.Error(), "column v: was int(11) (int32), now bigint(20) (int64)") || !strings.Contains(err.Error(), "--allow-schema-change replace") {
		t.Fatalf("retyped column: %v", err)
	}
	m = mustImport(t, fsys, "t", src, func(o *Options) { appendRun("")(o); o.AllowSchemaChange = SchemaChangeReplace })
	if m.Rows != 62 || m.Mode != string(TargetReplace) || m.Incremental.LastValueFrom != "none" || m.Incremental.NextValue != "62" {
		t.Errorf("replace after a retype: %d rows, mode %s, %+v", m.Rows, m.Mode, m.Incremental)
	}
	diffRows(t, readRows(t, fsys, "t"), mysqlRows(t, db, "SELECT id, note, v FROM t"))

	// A dropped column is refused too.
	exec(t, db, `ALTER TABLE t DROP COLUMN note`, `INSERT INTO t VALUES (63, 63)`)
	if _, err := importTo(t, fsys, "t", src, appendRun("")); err == nil || !strings.Contains(err.Error(), "column note was dropped") {
		t.Errorf("dropped column: %v", err)
	}
}
