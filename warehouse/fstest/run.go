package fstest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"testing"
	"time"

	"github.com/hetl/hetl/warehouse"
)

// Run runs the conformance suite. newFS must return an empty filesystem for
// each subtest (on a shared server, a fresh base directory).
func Run(t *testing.T, newFS func(t *testing.T) warehouse.FS) {
	tests := []struct {
		name string
		fn   func(t *testing.T, ctx context.Context, fsys warehouse.FS)
	}{
		{"CreateReadBack", testCreateReadBack},
		{"EmptyFile", testEmptyFile},
		{"LargeFileOneBlock", testLargeFileHinted},
		{"LargeFileManyBlocks", testLargeFileUnhinted},
		{"CreateExisting", testCreateExisting},
		{"CreateOverwrite", testCreateOverwrite},
		{"WriteAfterClose", testWriteAfterClose},
		{"StatAndReadDir", testStatAndReadDir},
		{"MkdirAll", testMkdirAll},
		{"RenameFile", testRenameFile},
		{"RenameDir", testRenameDir},
		{"RenameOntoExisting", testRenameOntoExisting},
		{"RenameMissing", testRenameMissing},
		{"ReplaceDir", testReplaceDir},
		{"Remove", testRemove},
		{"RemoveAll", testRemoveAll},
		{"Walk", testWalk},
		{"PathEscape", testPathEscape},
		{"OpenDirectory", testOpenDirectory},
		{"CanceledContext", testCanceledContext},
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
	writeOpts(t, ctx, fsys, name, data, warehouse.CreateOptions{})
}

func writeOpts(t *testing.T, ctx context.Context, fsys warehouse.FS, name string, data []byte, opts warehouse.CreateOptions) {
	t.Helper()
	w, err := fsys.Create(ctx, name, opts)
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

func mkdir(t *testing.T, ctx context.Context, fsys warehouse.FS, name string) {
	t.Helper()
	if err := fsys.MkdirAll(ctx, name); err != nil {
		t.Fatalf("mkdir %s: %v", name, err)
	}
}

// wantErr checks the error contract: an *fs.PathError matching target.
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

func wantContent(t *testing.T, ctx context.Context, fsys warehouse.FS, name, want string) {
	t.Helper()
	if got := read(t, ctx, fsys, name); !bytes.Equal(got, []byte(want)) {
		t.Errorf("%s holds %q, want %q", name, got, want)
	}
}

func names(infos []fs.FileInfo) []string {
	var out []string
	for _, e := range infos {
		out = append(out, e.Name())
	}
	return out
}
