package hbase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/hbase/internal/thrift2"
	"github.com/hetl/hetl/internal/testcluster"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Options)
		wantErr string
	}{
		{"defaults", func(*Options) {}, ""},
		{"framed compact", func(o *Options) { o.Transport, o.Protocol = "framed", "compact" }, ""},
		{"bad transport", func(o *Options) { o.Transport = "http" }, `transport "http"`},
		{"bad protocol", func(o *Options) { o.Protocol = "json" }, `protocol "json"`},
		{"zero timeout", func(o *Options) { o.CallTimeout = 0 }, "timeouts must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mutate(&o)
			err := o.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTranslate(t *testing.T) {
	msg := func(s string) *string { return &s }
	yes := true
	tests := []struct {
		name string
		in   error
		is   error
		want string
	}{
		{"not found", &thrift2.TIOError{Message: msg("org.apache.hadoop.hbase.TableNotFoundException: t1\n\tat ...")}, ErrTableNotFound, "table not found: org.apache.hadoop.hbase.TableNotFoundException: t1"},
		{"exists", &thrift2.TIOError{Message: msg("org.apache.hadoop.hbase.TableExistsException: t1")}, ErrTableExists, "table already exists"},
		{"other io", &thrift2.TIOError{Message: msg("RegionTooBusyException"), CanRetry: &yes}, nil, "hbase put: io error: RegionTooBusyException"},
		{"illegal", &thrift2.TIllegalArgument{Message: msg("bad family")}, nil, "illegal argument: bad family"},
		{"transport", errors.New("connection reset"), nil, "hbase put: connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate("put", tt.in)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
	var gw *GatewayError
	if err := translate("put", &thrift2.TIOError{CanRetry: &yes}); !errors.As(err, &gw) || !gw.CanRetry {
		t.Errorf("translate lost CanRetry: %#v", err)
	}
}

func TestParseTableName(t *testing.T) {
	for in, want := range map[string]TableName{"users": {Name: "users"}, "ns:users": {Namespace: "ns", Name: "users"}} {
		got, err := ParseTableName(in)
		if err != nil || got != want {
			t.Errorf("ParseTableName(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("String() = %q, want %q", got.String(), in)
		}
	}
	for _, bad := range []string{"", "ns:", "a:b:c", "has space"} {
		if _, err := ParseTableName(bad); err == nil {
			t.Errorf("ParseTableName(%q) accepted", bad)
		}
	}
}

func TestTableSpecDescriptor(t *testing.T) {
	spec := TableSpec{Table: TableName{Name: "t"}, Families: []FamilySpec{{Name: "f", MaxVersions: 3, Compression: "snappy", BloomFilter: "rowcol", TTL: 48 * time.Hour}}}
	desc, err := spec.descriptor()
	if err != nil {
		t.Fatal(err)
	}
	cf := desc.Columns[0]
	if cf.GetMaxVersions() != 3 || cf.GetCompressionType() != thrift2.TCompressionAlgorithm_SNAPPY ||
		cf.GetBloomnFilterType() != thrift2.TBloomFilterType_ROWCOL || cf.GetTimeToLive() != 48*3600 {
		t.Errorf("descriptor = %+v", cf)
	}
	for name, bad := range map[string]TableSpec{
		"no family":   {Table: TableName{Name: "t"}},
		"compression": {Table: TableName{Name: "t"}, Families: []FamilySpec{{Name: "f", Compression: "brotli"}}},
		"bloom":       {Table: TableName{Name: "t"}, Families: []FamilySpec{{Name: "f", BloomFilter: "maybe"}}},
		"family name": {Table: TableName{Name: "t"}, Families: []FamilySpec{{Name: "a:b"}}},
	} {
		if _, err := bad.descriptor(); err == nil {
			t.Errorf("%s: descriptor accepted %+v", name, bad)
		}
	}
}

// dialTestGateway connects to the test stack's Thrift2 gateway with the
// transport and protocol it was started with.
func dialTestGateway(t *testing.T) *Client {
	t.Helper()
	addr := testcluster.HBaseThrift(t)
	opts := DefaultOptions()
	if v := os.Getenv("HETL_TEST_HBASE_THRIFT_TRANSPORT"); v != "" {
		opts.Transport = v
	}
	if v := os.Getenv("HETL_TEST_HBASE_THRIFT_PROTOCOL"); v != "" {
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

	table := TableName{Name: fmt.Sprintf("hetl_smoke_%d", time.Now().UnixNano())}
	spec := TableSpec{
		Table:     table,
		Families:  []FamilySpec{{Name: "f", MaxVersions: 2, BloomFilter: "ROW"}},
		SplitKeys: [][]byte{[]byte("m")},
	}
	if err := c.CreateTable(ctx, spec); err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		if err := c.DeleteTable(context.Background(), table); err != nil {
			t.Errorf("delete table: %v", err)
		}
	})
	if err := c.CreateTable(ctx, spec); !errors.Is(err, ErrTableExists) {
		t.Errorf("second create: err = %v, want ErrTableExists", err)
	}
	if ok, err := c.TableExists(ctx, table); err != nil || !ok {
		t.Fatalf("TableExists = %v, %v; want true", ok, err)
	}

	want := Cell{Family: "f", Qualifier: "email", Value: []byte("a@example.com"), Timestamp: 1_700_000_000_000}
	if err := c.Put(ctx, table, []byte("row-1"), []Cell{want}); err != nil {
		t.Fatalf("put: %v", err)
	}
	got, err := c.Get(ctx, table, []byte("row-1"))
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if len(got) != 1 || got[0].Family != want.Family || got[0].Qualifier != want.Qualifier ||
		!bytes.Equal(got[0].Value, want.Value) || got[0].Timestamp != want.Timestamp {
		t.Fatalf("get = %+v, want [%+v]", got, want)
	}
	if cells, err := c.Get(ctx, table, []byte("no-such-row")); err != nil || len(cells) != 0 {
		t.Errorf("get of a missing row = %v, %v; want no cells", cells, err)
	}

	missing := TableName{Name: table.Name + "_missing"}
	if err := c.Put(ctx, missing, []byte("r"), []Cell{want}); err == nil {
		t.Errorf("put into a missing table succeeded")
	}
	if err := c.DeleteTable(ctx, missing); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("delete of a missing table: err = %v, want ErrTableNotFound", err)
	}
}
