package fstest

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

func testStatAndReadDir(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, n := range []string{"d/b", "d/a", "d/c", "d/B"} {
		write(t, ctx, fsys, n, []byte(n))
	}
	mkdir(t, ctx, fsys, "d/sub")
	entries, err := fsys.ReadDir(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(entries), ","); got != "B,a,b,c,sub" {
		t.Errorf("ReadDir = %s, want byte-sorted B,a,b,c,sub", got)
	}
	if !entries[4].IsDir() || entries[1].IsDir() || entries[1].Size() != 3 {
		t.Errorf("entries wrong: dir=%v size=%d", entries[4].IsDir(), entries[1].Size())
	}
	root, err := fsys.ReadDir(ctx, "")
	if err != nil || strings.Join(names(root), ",") != "d" {
		t.Errorf("ReadDir(root) = %v, %v", names(root), err)
	}
	if info, err := fsys.Stat(ctx, ""); err != nil || !info.IsDir() {
		t.Errorf("Stat(root) = %v, %v", info, err)
	}
	_, err = fsys.Stat(ctx, "d/missing")
	wantErr(t, "stat missing", err, fs.ErrNotExist)
	_, err = fsys.ReadDir(ctx, "missing")
	wantErr(t, "readdir missing", err, fs.ErrNotExist)
	_, err = fsys.ReadDir(ctx, "d/a")
	wantErr(t, "readdir of a file", err, warehouse.ErrNotDir)
	// Paths are cleaned: these all name d/a.
	for _, alias := range []string{"/d/a", "d//a", "./d/a", "d/./a/"} {
		if info, err := fsys.Stat(ctx, alias); err != nil || info.Name() != "a" {
			t.Errorf("stat %q = %v, %v", alias, info, err)
		}
	}
}

func testMkdirAll(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for i := 0; i < 2; i++ { // idempotent
		if err := fsys.MkdirAll(ctx, "p/q/r"); err != nil {
			t.Fatalf("MkdirAll #%d: %v", i+1, err)
		}
	}
	info, err := fsys.Stat(ctx, "p/q")
	if err != nil || !info.IsDir() {
		t.Fatalf("stat p/q = %v, %v", info, err)
	}
	write(t, ctx, fsys, "file", []byte("f"))
	wantErr(t, "MkdirAll over a file", fsys.MkdirAll(ctx, "file"), warehouse.ErrNotDir)
	wantErr(t, "MkdirAll below a file", fsys.MkdirAll(ctx, "file/sub"), warehouse.ErrNotDir)
}

func testRemove(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	wantErr(t, "remove missing", fsys.Remove(ctx, "nope"), fs.ErrNotExist)
	write(t, ctx, fsys, "d/f", []byte("x"))
	wantErr(t, "remove non-empty dir", fsys.Remove(ctx, "d"), warehouse.ErrNotEmpty)
	if err := fsys.Remove(ctx, "d/f"); err != nil {
		t.Fatalf("remove file: %v", err)
	}
	if err := fsys.Remove(ctx, "d"); err != nil {
		t.Fatalf("remove empty dir: %v", err)
	}
	_, err := fsys.Stat(ctx, "d")
	wantErr(t, "stat removed", err, fs.ErrNotExist)
	wantErr(t, "remove root", fsys.Remove(ctx, ""), warehouse.ErrInvalidPath)
}

func testRemoveAll(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "r/a/b/c", []byte("x"))
	write(t, ctx, fsys, "r/d", []byte("y"))
	write(t, ctx, fsys, "r2/keep", []byte("z")) // a sibling sharing the prefix
	if err := fsys.RemoveAll(ctx, "r"); err != nil {
		t.Fatalf("RemoveAll: %v", err)
	}
	_, err := fsys.Stat(ctx, "r")
	wantErr(t, "stat after RemoveAll", err, fs.ErrNotExist)
	wantContent(t, ctx, fsys, "r2/keep", "z")
	if err := fsys.RemoveAll(ctx, "r"); err != nil {
		t.Errorf("RemoveAll of a missing tree: %v", err)
	}
	if err := fsys.RemoveAll(ctx, "r2/keep"); err != nil {
		t.Errorf("RemoveAll of a file: %v", err)
	}
	wantErr(t, "RemoveAll root", fsys.RemoveAll(ctx, ""), warehouse.ErrInvalidPath)
}

func testWalk(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, n := range []string{"w/b/2", "w/a/1", "w/c", "w/skip/x", "w/a/0"} {
		write(t, ctx, fsys, n, nil)
	}
	var seen []string
	err := warehouse.Walk(ctx, fsys, "w", func(name string, info fs.FileInfo) error {
		if info.IsDir() && strings.HasSuffix(name, "skip") {
			return fs.SkipDir
		}
		seen = append(seen, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, " "); got != "w w/a w/a/0 w/a/1 w/b w/b/2 w/c" {
		t.Errorf("walk order = %s", got)
	}
	stop := errors.New("stop")
	n := 0
	err = warehouse.Walk(ctx, fsys, "w", func(string, fs.FileInfo) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("walk stopped by fn: err = %v after %d calls", err, n)
	}
	err = warehouse.Walk(ctx, fsys, "nowhere", func(string, fs.FileInfo) error { return nil })
	wantErr(t, "walk missing", err, fs.ErrNotExist)
}

func testPathEscape(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, bad := range []string{"../etc/passwd", "a/../../b", "a/..", "a\\b", "a\x00b"} {
		_, err := fsys.Create(ctx, bad, warehouse.CreateOptions{})
		wantErr(t, "create "+bad, err, warehouse.ErrInvalidPath)
		_, err = fsys.Stat(ctx, bad)
		wantErr(t, "stat "+bad, err, warehouse.ErrInvalidPath)
		wantErr(t, "rename to "+bad, fsys.Rename(ctx, "x", bad), warehouse.ErrInvalidPath)
		wantErr(t, "removeall "+bad, fsys.RemoveAll(ctx, bad), warehouse.ErrInvalidPath)
	}
}
