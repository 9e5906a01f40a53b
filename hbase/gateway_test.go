package hbase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
)

// dialTestGateway connects to the test stack's Thrift2 gateway with the
// transport and protocol it was started with.
func dialTestGateway(t *testing.T) *Client {
	t.Helper()
	addr := testcluster.HBaseThrift(t)
	opts := DefaultOptions()
	if v := testcluster.Setting("HETL_TEST_HBASE_THRIFT_TRANSPORT"); v != "" {
		opts.Transport = v
	}
	if v := testcluster.Setting("HETL_TEST_HBASE_THRIFT_PROTOCOL"); v != "" {
		opts.Protocol = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestGatewayCreatePutGetDelete(t *testing.T) {
	c := dialTestGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	spec := TableSpec{
		Name:      fmt.Sprintf("hetl_smoke_%d", time.Now().UnixNano()),
		Families:  []FamilySpec{{Name: "f", MaxVersions: 2, BloomFilter: "ROW", TTL: 24 * time.Hour}},
		SplitKeys: [][]byte{[]byte("m")},
	}
	table := spec.Table()
	if err := c.CreateTable(ctx, spec); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.DeleteTable(ctx, table); err != nil {
			t.Errorf("delete table: %v", err)
		}
		if ok, err := c.TableExists(ctx, table); err != nil || ok {
			t.Errorf("after delete: TableExists = %v, %v; want false", ok, err)
		}
	})
	if err := c.CreateTable(ctx, spec); !errors.Is(err, ErrTableExists) {
		t.Errorf("second create: err = %v, want ErrTableExists", err)
	}
	if ok, err := c.TableExists(ctx, table); err != nil || !ok {
		t.Fatalf("TableExists = %v, %v; want true", ok, err)
	}

	// A timestamp of a fixed past hour would expire under the 24h TTL: use now.
	ts := time.Now().UnixMilli()
	want := []Cell{
		{Family: "f", Qualifier: "email", Value: []byte("a@example.com"), Timestamp: ts},
		{Family: "f", Qualifier: "empty", Value: []byte{}, Timestamp: ts},
	}
	for _, row := range []string{"a-row", "z-row"} { // one on each side of the split
		if err := c.Put(ctx, table, []byte(row), want); err != nil {
			t.Fatalf("put %s: %v", row, err)
		}
		got, err := c.Get(ctx, table, []byte(row))
		if err != nil {
			t.Fatalf("get %s: %v", row, err)
		}
		if len(got) != len(want) {
			t.Fatalf("get %s = %+v, want %+v", row, got, want)
		}
		for i := range want {
			if got[i].Family != want[i].Family || got[i].Qualifier != want[i].Qualifier ||
				!bytes.Equal(got[i].Value, want[i].Value) || got[i].Timestamp != want[i].Timestamp {
				t.Errorf("get %s cell %d = %+v, want %+v", row, i, got[i], want[i])
			}
		}
	}
	if cells, err := c.Get(ctx, table, []byte("no-such-row")); err != nil || len(cells) != 0 {
		t.Errorf("get of a missing row = %v, %v; want no cells", cells, err)
	}

	missing := TableName{Name: table.Name + "_missing"}
	if err := c.Put(ctx, missing, []byte("r"), want); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("put into a missing table: err = %v, want ErrTableNotFound", err)
	}
	if _, err := c.Get(ctx, missing, []byte("r")); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("get from a missing table: err = %v, want ErrTableNotFound", err)
	}
	if err := c.DeleteTable(ctx, missing); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("delete of a missing table: err = %v, want ErrTableNotFound", err)
	}
	// A gateway error arrives as a whole reply: the connection stays usable.
	var gw *GatewayError
	if err := c.Put(ctx, table, []byte("r"), []Cell{{Family: "nope", Qualifier: "q"}}); !errors.As(err, &gw) || errors.Is(err, ErrTableNotFound) {
		t.Errorf("put into a missing family: err = %v, want a *GatewayError", err)
	}
	if ok, err := c.TableExists(ctx, table); err != nil || !ok {
		t.Errorf("after a gateway error: TableExists = %v, %v; want true", ok, err)
	}
}
