package warehouse_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
	"github.com/hetl/hetl/warehouse/fstest"
)

func TestLocalFSConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) warehouse.FS {
		fsys, err := warehouse.NewLocalFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return fsys
	})
}

func TestMemFSConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) warehouse.FS { return warehouse.NewMemFS() })
}

func TestFaultFSWithoutFaultsConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) warehouse.FS { return warehouse.NewFaultFS(warehouse.NewMemFS()) })
}

func TestHDFSConformance(t *testing.T) {
	nameNode, confDir := testcluster.HDFS(t)
	ctx := context.Background()
	tmpLoc, err := warehouse.ParseLocation(nameNode + "/tmp")
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := warehouse.NewHDFS(ctx, tmpLoc, warehouse.HDFSOptions{User: "hetl"})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer tmp.Close()
	n := 0
	fstest.Run(t, func(t *testing.T) warehouse.FS {
		// A fresh root per subtest; every other one finds its namenode
		// through HADOOP_CONF_DIR's fs.defaultFS instead of the URL.
		n++
		base := fmt.Sprintf("fstest-%d-%d", time.Now().UnixNano(), n)
		loc := warehouse.Location{Scheme: "hdfs", NameNode: tmpLoc.NameNode, Path: "/tmp/" + base}
		opts := warehouse.HDFSOptions{User: "hetl"}
		if n%2 == 0 {
			loc.NameNode, opts.HadoopConfDir = "", confDir
		}
		h, err := warehouse.NewHDFS(ctx, loc, opts)
		if err != nil {
			t.Fatalf("connect to %s: %v", loc, err)
		}
		t.Cleanup(func() {
			h.Close()
			if err := tmp.RemoveAll(context.Background(), base); err != nil {
				t.Errorf("clean up %s: %v", base, err)
			}
		})
		return h
	})
}

func TestOpenFS(t *testing.T) {
	dir := t.TempDir()
	for _, loc := range []string{dir, "file://" + dir} {
		fsys, err := warehouse.OpenFS(context.Background(), loc, warehouse.FSOptions{})
		if err != nil {
			t.Fatalf("OpenFS(%q): %v", loc, err)
		}
		if _, ok := fsys.(*warehouse.LocalFS); !ok {
			t.Errorf("OpenFS(%q) = %T, want *LocalFS", loc, fsys)
		}
	}
	if _, err := warehouse.OpenFS(context.Background(), "s3://bucket/x", warehouse.FSOptions{}); err == nil {
		t.Errorf("OpenFS accepted s3://")
	}
}

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in   string
		want warehouse.Location
		err  bool
	}{
		{in: "/var/w", want: warehouse.Location{Scheme: "file", Path: "/var/w"}},
		{in: ".hetl/warehouse", want: warehouse.Location{Scheme: "file", Path: ".hetl/warehouse"}},
		{in: "file:///var/w/", want: warehouse.Location{Scheme: "file", Path: "/var/w"}},
		{in: "hdfs://nn:8020/w", want: warehouse.Location{Scheme: "hdfs", NameNode: "nn:8020", Path: "/w"}},
		{in: "hdfs://mycluster/w", want: warehouse.Location{Scheme: "hdfs", NameNode: "mycluster", Path: "/w"}},
		{in: "hdfs:///w", want: warehouse.Location{Scheme: "hdfs", Path: "/w"}},
		{in: "s3://b/w", err: true},
		{in: "file://host/w", err: true},
		{in: "hdfs://u@nn/w", err: true},
		{in: "c:w", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := warehouse.ParseLocation(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseLocation(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestFaultFS(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewFaultFS(warehouse.NewMemFS(),
		warehouse.Fault{Op: warehouse.OpWrite, Pattern: "*.parquet", Nth: 3},
		warehouse.Fault{Op: warehouse.OpRename, Err: fs.ErrPermission},
	)
	w, err := fsys.Create(ctx, "part-0.parquet", warehouse.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		_, err := w.Write([]byte("x"))
		if (err != nil) != (i == 3) {
			t.Fatalf("write #%d: err = %v", i, err)
		}
		if i == 3 && !errors.Is(err, warehouse.ErrInjected) {
			t.Fatalf("write #3: err = %v, want ErrInjected", err)
		}
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Errorf("write #4 failed: Nth=3 must fail only the third: %v", err)
	}
	if err := fsys.Rename(ctx, "part-0.parquet", "p"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("rename: err = %v, want the injected ErrPermission", err)
	}
	other, err := fsys.Create(ctx, "manifest.json", warehouse.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := other.Write([]byte("y")); err != nil {
			t.Fatalf("write to a file the pattern does not match: %v", err)
		}
	}
}
