package engine

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

// Nothing a query can do changes the warehouse, the server's files or
// other sessions. (The server turns refused writes into one MySQL error;
// the engine's own messages vary by statement.)
func TestReadOnlyAndGuard(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 2)
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.txt")
	for _, tc := range []struct{ q, want string }{
		{"INSERT INTO agg (country) VALUES ('XX')", ""},
		{"DELETE FROM agg", ""},
		{"UPDATE agg SET events = 0", ""},
		{"CREATE TABLE t (a INT)", "read only"},
		{"DROP TABLE agg", ""},
		{"CREATE DATABASE x", "read only"},
		{"CREATE USER 'x'@'%' IDENTIFIED BY 'y'", ""},
		{"SELECT LOAD_FILE('" + secret + "')", "LOAD_FILE"},
		{"SELECT country FROM agg WHERE country = (SELECT LOAD_FILE('" + secret + "'))", "LOAD_FILE"},
		{"SELECT country FROM agg INTO OUTFILE '" + out + "'", "OUTFILE"},
		{"SET GLOBAL max_connections = 1", "SET GLOBAL"},
		{"SET @@persist.sql_mode = ''", "SET GLOBAL"},
	} {
		err := run(e, tc.q)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.q, err, tc.want)
		}
		if strings.Contains(tc.want, "LOAD") && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s: %v is not ErrNotAllowed", tc.q, err)
		}
	}
	if got := query(t, e, "SELECT COUNT(*) FROM agg"); got[0] != "8" {
		t.Errorf("rows after refused writes: %v", got)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("INTO OUTFILE wrote a file")
	}
	for _, q := range []string{"SET SESSION sql_select_limit = 10", "SET NAMES utf8mb4", "SET @x = 1", "SELECT COUNT(*) FROM agg"} {
		if err := run(e, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func run(e *Engine, q string) error {
	rows, err := e.Query(context.Background(), DefaultDatabase, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for {
		if _, err := rows.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
