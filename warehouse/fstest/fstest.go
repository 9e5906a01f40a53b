package fstest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/warehouse"
)

// Run runs the conformance suite. newFS must return an empty filesystem for
// each subtest.
func Run(t *testing.T, newFS func(t *testing.T) warehouse.FS) {
	tests := []struct {
		name string
		fn   func(t *testing.T, ctx context.Context, fsys warehouse.FS)
	}{
		{"CreateReadBack", testCreateReadBack},
		{"EmptyFile", testEmptyFile},
		{"LargeFile", testLargeFile},
		{"CreateExisting", testCreateExisting},
		{"StatAndReadDir", testStatAndReadDir},
		{"MkdirAll", testMkdirAll},
		{"RenameFile", testRenameFile},
		{"RenameDir", testRenameDir},
		{"RenameOntoExisting", testRenameOntoExisting},
		{"RenameMissing", testRenameMissing},
		{"Remove", testRemove},
		{"RemoveAll", testRemoveAll},
		{"Walk", testWalk},
		{"PathEscape", testPathEscape},
		{"OpenDirectory", testOpenDirectory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			tt.fn(t, ctx, newFS(t))
		})
	}
}

func write(t *testing.T, ctx context.Context, fsys warehouse.FS, name string, data []byte) {
	t.Helper()
	w, err := fsys.Create(ctx, name, warehouse.CreateOptions{SizeHint: int64(len(data))})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s: %v", name, err)
	}
}

func read(t *testing.T, ctx context.Context, fsys warehouse.FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(ctx, name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return data
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want errors.Is(err, %v)", what, err, target)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Errorf("%s: err %v is not an *fs.PathError", what, err)
	}
}

func testCreateReadBack(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	want := []byte("id,name\n1,ada\n2,grace\n")
	write(t, ctx, fsys, "a/b/c.csv", want) // parents are created
	if got := read(t, ctx, fsys, "a/b/c.csv"); !bytes.Equal(got, want) {
		t.Fatalf("read back %q, want %q", got, want)
	}
	f, err := fsys.Open(ctx, "a/b/c.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(want)) {
		t.Errorf("Size() = %d, want %d", f.Size(), len(want))
	}
	buf := make([]byte, 5)
	if n, err := f.ReadAt(buf, 8); err != nil || string(buf[:n]) != "1,ada" {
		t.Errorf("ReadAt(8) = %q, %v", buf[:n], err)
	}
	if pos, err := f.Seek(-6, io.SeekEnd); err != nil || pos != int64(len(want))-6 {
		t.Errorf("Seek = %d, %v", pos, err)
	}
	tail, _ := io.ReadAll(f)
	if string(tail) != "grace\n" {
		t.Errorf("read after seek = %q", tail)
	}
}

func testEmptyFile(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "_SUCCESS", nil)
	info, err := fsys.Stat(ctx, "_SUCCESS")
	if err != nil || info.Size() != 0 || info.IsDir() {
		t.Fatalf("stat = %v, %v", info, err)
	}
	if got := read(t, ctx, fsys, "_SUCCESS"); len(got) != 0 {
		t.Errorf("read %d bytes from an empty file", len(got))
	}
}

func testLargeFile(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	// 5 MiB in uneven writes: crosses HDFS packets and the mini cluster's
	// 1 MiB default block size (the HDFS FS sizes the block from the hint).
	want := make([]byte, 5<<20+123)
	for i := range want {
		want[i] = byte(i*7 + i>>12)
	}
	w, err := fsys.Create(ctx, "big.bin", warehouse.CreateOptions{SizeHint: int64(len(want))})
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(want); {
		n := min(len(want)-off, 65536+off%4099)
		if _, err := w.Write(want[off : off+n]); err != nil {
			t.Fatalf("write at %d: %v", off, err)
		}
		off += n
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got := read(t, ctx, fsys, "big.bin"); !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes, want %d identical", len(got), len(want))
	}
	info, err := fsys.Stat(ctx, "big.bin")
	if err != nil || info.Size() != int64(len(want)) {
		t.Fatalf("stat = %v, %v", info, err)
	}
}

func testCreateExisting(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "x", []byte("one"))
	_, err := fsys.Create(ctx, "x", warehouse.CreateOptions{})
	wantErr(t, "create over an existing file", err, fs.ErrExist)
	if got := read(t, ctx, fsys, "x"); string(got) != "one" {
		t.Errorf("existing file changed to %q", got)
	}
}

func testStatAndReadDir(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, n := range []string{"d/b", "d/a", "d/c"} {
		write(t, ctx, fsys, n, []byte(n))
	}
	if err := fsys.MkdirAll(ctx, "d/sub"); err != nil {
		t.Fatal(err)
	}
	entries, err := fsys.ReadDir(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "a,b,c,sub" {
		t.Errorf("ReadDir = %v, want sorted a,b,c,sub", names)
	}
	if !entries[3].IsDir() || entries[0].IsDir() || entries[0].Size() != 3 {
		t.Errorf("entries wrong: dir=%v size=%d", entries[3].IsDir(), entries[0].Size())
	}
	_, err = fsys.Stat(ctx, "d/missing")
	wantErr(t, "stat missing", err, fs.ErrNotExist)
	_, err = fsys.ReadDir(ctx, "missing")
	wantErr(t, "readdir missing", err, fs.ErrNotExist)
	_, err = fsys.ReadDir(ctx, "d/a")
	wantErr(t, "readdir of a file", err, warehouse.ErrNotDir)
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
	err = fsys.MkdirAll(ctx, "file")
	if err == nil {
		t.Fatalf("MkdirAll over a file succeeded")
	}
}

func testRenameFile(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "tmp/part-0", []byte("rows"))
	if err := fsys.MkdirAll(ctx, "final"); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Rename(ctx, "tmp/part-0", "final/part-0"); err != nil {
		t.Fatalf("rename: %v", err)
	}
	_, err := fsys.Stat(ctx, "tmp/part-0")
	wantErr(t, "stat renamed source", err, fs.ErrNotExist)
	if got := read(t, ctx, fsys, "final/part-0"); string(got) != "rows" {
		t.Errorf("renamed file holds %q", got)
	}
	err = fsys.Rename(ctx, "final/part-0", "no-such-dir/part-0")
	wantErr(t, "rename into a missing directory", err, fs.ErrNotExist)
}

func testRenameDir(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "t/_tmp-run1/dt=2026-11-21/part-0", []byte("a"))
	write(t, ctx, fsys, "t/_tmp-run1/dt=2026-11-21/part-1", []byte("b"))
	if err := fsys.Rename(ctx, "t/_tmp-run1/dt=2026-11-21", "t/dt=2026-11-21"); err != nil {
		t.Fatalf("rename dir: %v", err)
	}
	if got := read(t, ctx, fsys, "t/dt=2026-11-21/part-1"); string(got) != "b" {
		t.Errorf("moved file holds %q", got)
	}
	err := fsys.Rename(ctx, "t/dt=2026-11-21", "t/dt=2026-11-21/inside")
	if err == nil {
		t.Fatalf("renaming a directory into itself succeeded")
	}
}

func testRenameOntoExisting(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "src", []byte("new"))
	write(t, ctx, fsys, "dst", []byte("old"))
	wantErr(t, "rename onto a file", fsys.Rename(ctx, "src", "dst"), fs.ErrExist)
	if got := read(t, ctx, fsys, "dst"); string(got) != "old" {
		t.Errorf("target replaced: %q", got)
	}
	// HDFS would move src inside an existing directory: the seam refuses.
	if err := fsys.MkdirAll(ctx, "dir"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "rename onto a directory", fsys.Rename(ctx, "src", "dir"), fs.ErrExist)
	if _, err := fsys.Stat(ctx, "dir/src"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("src was moved inside dir: %v", err)
	}
	if err := fsys.MkdirAll(ctx, "dir2"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "rename a directory onto a directory", fsys.Rename(ctx, "dir2", "dir"), fs.ErrExist)
}

func testRenameMissing(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	wantErr(t, "rename missing", fsys.Rename(ctx, "nope", "other"), fs.ErrNotExist)
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
}

func testRemoveAll(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "r/a/b/c", []byte("x"))
	write(t, ctx, fsys, "r/d", []byte("y"))
	if err := fsys.RemoveAll(ctx, "r"); err != nil {
		t.Fatalf("RemoveAll: %v", err)
	}
	_, err := fsys.Stat(ctx, "r")
	wantErr(t, "stat after RemoveAll", err, fs.ErrNotExist)
	if err := fsys.RemoveAll(ctx, "r"); err != nil {
		t.Errorf("RemoveAll of a missing tree: %v", err)
	}
}

func testWalk(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, n := range []string{"w/b/2", "w/a/1", "w/c", "w/skip/x"} {
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
	if got := strings.Join(seen, " "); got != "w w/a w/a/1 w/b w/b/2 w/c" {
		t.Errorf("walk order = %s", got)
	}
}

func testPathEscape(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	for _, bad := range []string{"../etc/passwd", "a/../../b", "a\\b"} {
		_, err := fsys.Create(ctx, bad, warehouse.CreateOptions{})
		wantErr(t, "create "+bad, err, warehouse.ErrInvalidPath)
		_, err = fsys.Stat(ctx, bad)
		wantErr(t, "stat "+bad, err, warehouse.ErrInvalidPath)
	}
	wantErr(t, "remove root", fsys.RemoveAll(ctx, ""), warehouse.ErrInvalidPath)
}

func testOpenDirectory(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	if err := fsys.MkdirAll(ctx, "dir"); err != nil {
		t.Fatal(err)
	}
	_, err := fsys.Open(ctx, "dir")
	wantErr(t, "open a directory", err, warehouse.ErrIsDir)
	_, err = fsys.Open(ctx, "missing")
	wantErr(t, "open missing", err, fs.ErrNotExist)
}
