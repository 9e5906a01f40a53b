package command

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/internal/testcluster"
)

// hbaseConfig writes dir/hetl.yaml pointing at the test stack's Thrift2
// gateway, makes it the configuration, and returns its path.
func hbaseConfig(t *testing.T, dir string) string {
	t.Helper()
	addr, transport, protocol := testcluster.HBaseGateway(t)
	cfg := filepath.Join(dir, "hetl.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("hbase:\n  thrift: %s\n  transport: %s\n  protocol: %s\n", addr, transport, protocol)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HETL_CONFIG", cfg)
	return cfg
}

// dropHBaseTableLater deletes the table when the test ends.
func dropHBaseTableLater(t *testing.T, name string) {
	addr, transport, protocol := testcluster.HBaseGateway(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opts := hbase.DefaultOptions()
		opts.Transport, opts.Protocol = transport, protocol
		if c, err := hbase.Dial(ctx, addr, opts); err == nil {
			c.DeleteTable(ctx, hbase.TableName{Name: name})
			c.Close()
		}
	})
}
