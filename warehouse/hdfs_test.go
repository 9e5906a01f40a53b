package warehouse_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

// TestHDFSBlocks checks that a file without a size hint really spans
// several blocks on the mini cluster (1 MiB blocks) and that -D
// dfs.blocksize reaches new files.
func TestHDFSBlocks(t *testing.T) {
	ctx := context.Background()
	nameNode, _, tmp := hdfsRoot(t)
	loc, _ := warehouse.ParseLocation(nameNode + "/")
	tests := []struct {
		name      string
		props     map[string]string
		hint      int64
		wantBlock uint64
	}{
		{"server default", nil, 0, 1 << 20},
		{"-D dfs.blocksize", map[string]string{"dfs.blocksize": "2097152"}, 0, 2 << 20},
		{"size hint", nil, 5<<20 + 7, 6 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := freshHDFS(t, tmp, loc, warehouse.HDFSOptions{User: "hetl", Properties: tt.props})
			data := bytes.Repeat([]byte("0123456789abcdef"), (5<<20+7)/16)
			w, err := h.Create(ctx, "f", warehouse.CreateOptions{SizeHint: tt.hint})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(data); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			info, err := h.Stat(ctx, "f")
			if err != nil || info.Size() != int64(len(data)) {
				t.Fatalf("stat = %v, %v", info, err)
			}
			st, ok := info.Sys().(interface{ GetBlocksize() uint64 })
			if !ok {
				t.Fatalf("Sys() = %T, want the namenode's file status", info.Sys())
			}
			if got := st.GetBlocksize(); got != tt.wantBlock {
				t.Errorf("block size %d, want %d", got, tt.wantBlock)
			}
		})
	}
}

// TestHDFSPermission: the namenode's AccessControlException arrives as
// fs.ErrPermission.
func TestHDFSPermission(t *testing.T) {
	ctx := context.Background()
	nameNode, _, tmp := hdfsRoot(t)
	loc, _ := warehouse.ParseLocation(nameNode + "/")
	owner := freshHDFS(t, tmp, loc, warehouse.HDFSOptions{User: "hetl"})
	if err := owner.MkdirAll(ctx, "private"); err != nil {
		t.Fatal(err)
	}
	loc, _ = warehouse.ParseLocation(owner.String())
	intruder, err := warehouse.NewHDFS(ctx, loc, warehouse.HDFSOptions{User: "intruder"})
	if err != nil {
		t.Fatal(err)
	}
	defer intruder.Close()
	_, err = intruder.Create(ctx, "private/x", warehouse.CreateOptions{})
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("create as another user: %v, want fs.ErrPermission", err)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "private/x" {
		t.Errorf("error %v does not name the caller's path", err)
	}
}

func TestOpenFSHDFS(t *testing.T) {
	nameNode, confDir, tmp := hdfsRoot(t)
	ctx := context.Background()
	for _, loc := range []string{nameNode + "/tmp/openfs-a", "hdfs:///tmp/openfs-b"} {
		fsys, err := warehouse.OpenFS(ctx, loc, warehouse.FSOptions{HDFS: warehouse.HDFSOptions{User: "hetl", HadoopConfDir: confDir}})
		if err != nil {
			t.Fatalf("OpenFS(%s): %v", loc, err)
		}
		if _, ok := fsys.(*warehouse.HDFS); !ok {
			t.Errorf("OpenFS(%s) = %T", loc, fsys)
		}
		if err := warehouse.CloseFS(fsys); err != nil {
			t.Error(err)
		}
	}
	for _, d := range []string{"openfs-a", "openfs-b"} {
		if err := tmp.RemoveAll(ctx, d); err != nil {
			t.Error(err)
		}
	}
}
