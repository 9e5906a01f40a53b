package ingest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/internal/testcluster"
)

// An import pointed at the embedded demo server without Options.Embedded
// must notice the server and promise no snapshot it cannot give.
func TestEmbeddedServerDetected(t *testing.T) {
	testcluster.DemoMySQL(t)
	ctx := context.Background()
	srv, err := demo.StartEmbedded(ctx, demo.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	db, err := sql.Open("mysql", srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := source.Identify(ctx, db); got.HasSnapshots() {
		t.Fatalf("Identify = %+v: want a server without snapshots", got)
	}
	if _, err := demo.Seed(ctx, db, demo.SeedOptions{Rows: 300, Hours: 2, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	var want int64
	if err := db.QueryRow("SELECT COUNT(*) FROM users").Scan(&want); err != nil {
		t.Fatal(err)
	}
	fsys := localFS(t)
	m := mustImport(t, fsys, "users", srv.Config(), func(o *Options) { o.Table = "users"; o.Validate = false })
	if m.Snapshot.Consistent || m.Snapshot.Method != "none" || m.Snapshot.Why == "" {
		t.Errorf("snapshot = %+v: want method none with a reason", m.Snapshot)
	}
	if m.Rows != want {
		t.Errorf("rows = %d, want %d", m.Rows, want)
	}
}

// MariaDB is identified as a server with snapshots.
func TestMariaDBHasSnapshots(t *testing.T) {
	db, _ := testDB(t)
	if s := source.Identify(context.Background(), db); !s.HasSnapshots() || s.Version == "" {
		t.Errorf("Identify(MariaDB) = %+v", s)
	}
}
