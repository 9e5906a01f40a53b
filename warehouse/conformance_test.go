package warehouse_test

import (
	"context"
	"fmt"
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

// noExchange hides MemFS's Exchanger, so ReplaceDir takes the path HDFS
// takes; the suite must pass that way too.
type noExchange struct{ warehouse.FS }

func TestReplaceWithoutExchangeConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) warehouse.FS { return noExchange{warehouse.NewMemFS()} })
}

// hdfsRoot connects to the mini cluster's /tmp, from which each test's
// fresh base directory is made and removed.
func hdfsRoot(t *testing.T) (nameNode, confDir string, tmp *warehouse.HDFS) {
	t.Helper()
	nameNode, confDir = testcluster.HDFS(t)
	loc, err := warehouse.ParseLocation(nameNode + "/tmp")
	if err != nil {
		t.Fatal(err)
	}
	tmp, err = warehouse.NewHDFS(context.Background(), loc, warehouse.HDFSOptions{User: "hetl"})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { tmp.Close() })
	return nameNode, confDir, tmp
}

// freshHDFS roots an HDFS FS at a new directory under /tmp, removed when
// the test ends.
func freshHDFS(t *testing.T, tmp *warehouse.HDFS, loc warehouse.Location, opts warehouse.HDFSOptions) *warehouse.HDFS {
	t.Helper()
	base := fmt.Sprintf("fstest-%d", time.Now().UnixNano())
	loc.Path = "/tmp/" + base
	h, err := warehouse.NewHDFS(context.Background(), loc, opts)
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
}

func TestHDFSConformance(t *testing.T) {
	nameNode, confDir, tmp := hdfsRoot(t)
	nnLoc, _ := warehouse.ParseLocation(nameNode + "/")
	n := 0
	fstest.Run(t, func(t *testing.T) warehouse.FS {
		// Every other subtest finds its namenode through HADOOP_CONF_DIR's
		// fs.defaultFS (hdfs:///path) instead of the URL.
		n++
		if n%2 == 0 {
			return freshHDFS(t, tmp, warehouse.Location{Scheme: "hdfs"}, warehouse.HDFSOptions{User: "hetl", HadoopConfDir: confDir})
		}
		return freshHDFS(t, tmp, nnLoc, warehouse.HDFSOptions{User: "hetl"})
	})
}

func TestFaultFSOverHDFSConformance(t *testing.T) {
	nameNode, _, tmp := hdfsRoot(t)
	nnLoc, _ := warehouse.ParseLocation(nameNode + "/")
	fstest.Run(t, func(t *testing.T) warehouse.FS {
		return warehouse.NewFaultFS(freshHDFS(t, tmp, nnLoc, warehouse.HDFSOptions{User: "hetl"}))
	})
}
