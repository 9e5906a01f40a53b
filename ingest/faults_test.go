package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
)

// killer is a Progress that, once the import has read some rows, kills one
// reader's connection from another session — as a DBA, a proxy or a
// network blip would.
type killer struct {
	once   sync.Once
	db     *sql.DB
	table  string
	killed chan error
}

func (k *killer) Start(string, int64) {}
func (k *killer) Done()               {}
func (k *killer) Add(rows, _ int64) {
	if rows <= 0 {
		return
	}
	k.once.Do(func() {
		var id int64
		err := k.db.QueryRow(`SELECT ID FROM information_schema.PROCESSLIST
			WHERE INFO LIKE ? AND ID <> CONNECTION_ID() ORDER BY ID LIMIT 1`, "SELECT % FROM %"+k.table+"%").Scan(&id)
		if err == nil {
			_, err = k.db.Exec(fmt.Sprintf("KILL CONNECTION %d", id))
		}
		k.killed <- err
	})
}

func TestReaderConnectionKilled(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200))`,
		`INSERT INTO big SELECT seq, REPEAT('x', 150) FROM seq_1_to_200000`)
	k := &killer{db: db, table: "big", killed: make(chan error, 1)}
	fsys := localFS(t)
	m := mustImport(t, fsys, "big", src, func(o *Options) {
		o.Table, o.Mappers, o.ChunkRows, o.BatchRows, o.Progress = "big", 2, 50000, 1000, k
	})
	if err := <-k.killed; err != nil {
		t.Fatalf("kill a reader: %v", err)
	}
	if m.Rows != 200000 || !m.Validated {
		t.Errorf("rows %d, validated %v", m.Rows, m.Validated)
	}
	if len(m.Snapshot.RereadChunks) == 0 {
		t.Errorf("no chunk was re-read: %+v", m.Snapshot)
	}
	// No duplicates, no gaps: the ids read back are exactly 1..200000.
	rows := readRows(t, fsys, "big")
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		id := strings.SplitN(r, "|", 2)[0]
		if seen[id] {
			t.Fatalf("id %s written twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 200000 {
		t.Errorf("%d distinct ids", len(seen))
	}
}

// TestSIGKILLLeavesNothing kills a real hetl process mid-import: the
// target must not appear, and a rerun must sweep the leftovers and give
// exact counts.
func TestSIGKILLLeavesNothing(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200))`,
		`INSERT INTO big SELECT seq, REPEAT('y', 180) FROM seq_1_to_300000`)
	bin := filepath.Join(t.TempDir(), "hetl")
	build := osexec.Command("go", "build", "-o", bin, "../cmd/hetl")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build hetl: %v\n%s", err, out)
	}
	root := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte(src.Passwd), 0o600)
	cmd := osexec.Command(bin, "import", "--connect", fmt.Sprintf("mysql://%s@%s/%s", src.User, src.Addr, src.DBName),
		"--password-file", pw, "--table", "big", "--target-dir", filepath.Join(root, "big"), "-m", "2", "--chunk-rows", "20000", "--fetch-size", "500")
	cmd.Stderr, cmd.Stdout = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until data files are being written, then kill without warning.
	deadline := time.Now().Add(60 * time.Second)
	for {
		matches, _ := filepath.Glob(filepath.Join(root, "_hetl_tmp_big_*", "*.parquet"))
		if len(matches) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the import never started writing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(root, "big")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after SIGKILL the target exists: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(root, "_hetl_tmp_big_*"))
	if len(left) == 0 {
		t.Logf("the import finished its temporary directory before the kill landed")
	}
	fsys, err := warehouse.NewLocalFS(root)
	if err != nil {
		t.Fatal(err)
	}
	m := mustImport(t, fsys, "big", src, func(o *Options) { o.Table = "big" })
	if m.Rows != 300000 || !m.Validated {
		t.Errorf("rerun: rows %d validated %v", m.Rows, m.Validated)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "_hetl_tmp_big_*")); len(left) != 0 {
		t.Errorf("stale temporary directories survived the rerun: %v", left)
	}
}

// TestLocalAndHDFSSame imports one table to a local directory and to the
// mini HDFS: the content is the same.
func TestLocalAndHDFSSame(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, allTypes...)
	nn, confDir := testcluster.HDFS(t)
	ctx := context.Background()
	dir := fmt.Sprintf("/hetl-test/ingest-%d", time.Now().UnixNano())
	loc, err := warehouse.ParseLocation(nn + dir)
	if err != nil {
		t.Fatal(err)
	}
	hfs, err := warehouse.NewHDFS(ctx, loc, warehouse.HDFSOptions{HadoopConfDir: confDir})
	if err != nil {
		t.Fatal(err)
	}
	defer warehouse.CloseFS(hfs)
	defer hfs.RemoveAll(ctx, "")
	local := localFS(t)
	for _, fsys := range []warehouse.FS{local, hfs} {
		mustImport(t, fsys, "all_types", src, func(o *Options) { o.Table = "all_types"; o.ChunkRows = 2 })
	}
	diffRows(t, readRows(t, hfs, "all_types"), readRows(t, local, "all_types"))
}
