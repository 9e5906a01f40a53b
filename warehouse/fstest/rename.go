package fstest

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

func testRenameFile(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "tmp/part-0", []byte("rows"))
	mkdir(t, ctx, fsys, "final")
	if err := fsys.Rename(ctx, "tmp/part-0", "final/part-0"); err != nil {
		t.Fatalf("rename: %v", err)
	}
	_, err := fsys.Stat(ctx, "tmp/part-0")
	wantErr(t, "stat renamed source", err, fs.ErrNotExist)
	wantContent(t, ctx, fsys, "final/part-0", "rows")
	err = fsys.Rename(ctx, "final/part-0", "no-such-dir/part-0")
	wantErr(t, "rename into a missing directory", err, fs.ErrNotExist)
	write(t, ctx, fsys, "plain", []byte("p"))
	err = fsys.Rename(ctx, "final/part-0", "plain/part-0")
	wantErr(t, "rename below a file", err, warehouse.ErrNotDir)
}

func testRenameDir(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "t/_tmp-run1/dt=2026-11-21/part-0", []byte("a"))
	write(t, ctx, fsys, "t/_tmp-run1/dt=2026-11-21/part-1", []byte("b"))
	if err := fsys.Rename(ctx, "t/_tmp-run1/dt=2026-11-21", "t/dt=2026-11-21"); err != nil {
		t.Fatalf("rename dir: %v", err)
	}
	wantContent(t, ctx, fsys, "t/dt=2026-11-21/part-1", "b")
	entries, err := fsys.ReadDir(ctx, "t/_tmp-run1")
	if err != nil || len(entries) != 0 {
		t.Errorf("source parent after rename = %v, %v; want empty", names(entries), err)
	}
	err = fsys.Rename(ctx, "t/dt=2026-11-21", "t/dt=2026-11-21/inside")
	wantErr(t, "rename a directory into itself", err, warehouse.ErrInvalidPath)
	err = fsys.Rename(ctx, "t", "t")
	wantErr(t, "rename onto itself", err, warehouse.ErrInvalidPath)
	wantErr(t, "rename the root", fsys.Rename(ctx, "", "elsewhere"), warehouse.ErrInvalidPath)
}

func testRenameOntoExisting(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "src", []byte("new"))
	write(t, ctx, fsys, "dst", []byte("old"))
	wantErr(t, "rename onto a file", fsys.Rename(ctx, "src", "dst"), fs.ErrExist)
	wantContent(t, ctx, fsys, "dst", "old")
	wantContent(t, ctx, fsys, "src", "new")
	// HDFS's old rename would move src inside an existing directory.
	mkdir(t, ctx, fsys, "dir")
	wantErr(t, "rename onto a directory", fsys.Rename(ctx, "src", "dir"), fs.ErrExist)
	if _, err := fsys.Stat(ctx, "dir/src"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("src was moved inside dir: %v", err)
	}
	write(t, ctx, fsys, "dir2/f", []byte("f"))
	wantErr(t, "rename a directory onto a directory", fsys.Rename(ctx, "dir2", "dir"), fs.ErrExist)
	mkdir(t, ctx, fsys, "empty")
	wantErr(t, "rename a directory onto an empty directory", fsys.Rename(ctx, "dir2", "empty"), fs.ErrExist)
	wantContent(t, ctx, fsys, "dir2/f", "f")
}

func testRenameMissing(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	wantErr(t, "rename missing", fsys.Rename(ctx, "nope", "other"), fs.ErrNotExist)
	if _, err := fsys.Stat(ctx, "other"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed rename created its target: %v", err)
	}
}

// testReplaceDir is the publish step: a partition written under a temp
// directory replaces the published one.
func testReplaceDir(t *testing.T, ctx context.Context, fsys warehouse.FS) {
	write(t, ctx, fsys, "t/_tmp-r1/part-0", []byte("v1"))
	if err := warehouse.ReplaceDir(ctx, fsys, "t/_tmp-r1", "t/hr=07"); err != nil {
		t.Fatalf("first publish: %v", err)
	}
	wantContent(t, ctx, fsys, "t/hr=07/part-0", "v1")

	write(t, ctx, fsys, "t/_tmp-r2/part-0", []byte("v2"))
	write(t, ctx, fsys, "t/_tmp-r2/part-1", []byte("v2b"))
	if err := warehouse.ReplaceDir(ctx, fsys, "t/_tmp-r2", "t/hr=07"); err != nil {
		t.Fatalf("republish: %v", err)
	}
	wantContent(t, ctx, fsys, "t/hr=07/part-0", "v2")
	wantContent(t, ctx, fsys, "t/hr=07/part-1", "v2b")
	if got := names(mustReadDir(t, ctx, fsys, "t")); strings.Join(got, ",") != "_tmp-r1,hr=07" && strings.Join(got, ",") != "hr=07" {
		// _tmp-r1 is gone (renamed); nothing else may remain, in particular no _replaced- copy.
		t.Errorf("t holds %v after republish, want only hr=07", got)
	}

	_, err := fsys.Stat(ctx, "t/_tmp-r2")
	wantErr(t, "source after publish", err, fs.ErrNotExist)
	wantErr(t, "replace from a missing dir", warehouse.ReplaceDir(ctx, fsys, "t/_tmp-none", "t/hr=07"), fs.ErrNotExist)
	write(t, ctx, fsys, "t/file", []byte("f"))
	wantErr(t, "replace from a file", warehouse.ReplaceDir(ctx, fsys, "t/file", "t/hr=08"), warehouse.ErrNotDir)
	mkdir(t, ctx, fsys, "t/_tmp-r3")
	wantErr(t, "replace a file", warehouse.ReplaceDir(ctx, fsys, "t/_tmp-r3", "t/file"), warehouse.ErrNotDir)
	wantErr(t, "replace a parent", warehouse.ReplaceDir(ctx, fsys, "t/_tmp-r3", "t"), warehouse.ErrInvalidPath)
}

func mustReadDir(t *testing.T, ctx context.Context, fsys warehouse.FS, name string) []fs.FileInfo {
	t.Helper()
	infos, err := fsys.ReadDir(ctx, name)
	if err != nil {
		t.Fatalf("readdir %s: %v", name, err)
	}
	return infos
}
