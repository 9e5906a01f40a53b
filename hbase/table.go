package hbase

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// TableName names a table; an empty Namespace means HBase's "default".
type TableName struct {
	Namespace string
	Name      string
}

func (t TableName) String() string {
	if t.Namespace == "" || t.Namespace == "default" {
		return t.Name
	}
	return t.Namespace + ":" + t.Name
}

// ParseTableName reads "ns:table" or "table".
func ParseTableName(s string) (TableName, error) {
	ns, name, ok := strings.Cut(s, ":")
	if !ok {
		ns, name = "", s
	}
	if name == "" || strings.ContainsAny(name, ": ") || strings.ContainsAny(ns, ": ") {
		return TableName{}, fmt.Errorf("hbase: table name %q: want [namespace:]table", s)
	}
	return TableName{Namespace: ns, Name: name}, nil
}

func (t TableName) thrift() *thrift2.TTableName {
	tn := &thrift2.TTableName{Qualifier: []byte(t.Name)}
	if t.Namespace != "" {
		tn.Ns = []byte(t.Namespace)
	}
	return tn
}

// bytes is the table name as the data calls (put, get) take it.
func (t TableName) bytes() []byte { return []byte(t.String()) }

// FamilySpec describes a column family of a new table.
type FamilySpec struct {
	Name        string
	MaxVersions int32         // 0 keeps HBase's default (1)
	Compression string        // NONE, GZ, SNAPPY, LZ4, ZSTD, ...; "" keeps the default
	BloomFilter string        // NONE, ROW, ROWCOL; "" keeps the default (ROW)
	TTL         time.Duration // 0 means cells never expire
}

// TableSpec describes a table to create. SplitKeys pre-split it into
// len(SplitKeys)+1 regions.
type TableSpec struct {
	Table     TableName
	Families  []FamilySpec
	SplitKeys [][]byte
}

func (s TableSpec) descriptor() (*thrift2.TTableDescriptor, error) {
	if len(s.Families) == 0 {
		return nil, fmt.Errorf("hbase: table %s: at least one column family is required", s.Table)
	}
	desc := &thrift2.TTableDescriptor{TableName: s.Table.thrift()}
	for _, f := range s.Families {
		if f.Name == "" || strings.Contains(f.Name, ":") {
			return nil, fmt.Errorf("hbase: table %s: invalid column family name %q", s.Table, f.Name)
		}
		cf := &thrift2.TColumnFamilyDescriptor{Name: []byte(f.Name)}
		if f.MaxVersions > 0 {
			cf.MaxVersions = &f.MaxVersions
		}
		if f.Compression != "" {
			c, err := thrift2.TCompressionAlgorithmFromString(strings.ToUpper(f.Compression))
			if err != nil {
				return nil, fmt.Errorf("hbase: family %s: unknown compression %q", f.Name, f.Compression)
			}
			cf.CompressionType = &c
		}
		if f.BloomFilter != "" {
			b, err := thrift2.TBloomFilterTypeFromString(strings.ToUpper(f.BloomFilter))
			if err != nil {
				return nil, fmt.Errorf("hbase: family %s: unknown bloom filter %q", f.Name, f.BloomFilter)
			}
			cf.BloomnFilterType = &b
		}
		if f.TTL > 0 {
			secs := f.TTL / time.Second
			if secs < 1 || secs > 1<<31-1 {
				return nil, fmt.Errorf("hbase: family %s: TTL %s out of range (1s to 68 years)", f.Name, f.TTL)
			}
			ttl := int32(secs)
			cf.TimeToLive = &ttl
		}
		desc.Columns = append(desc.Columns, cf)
	}
	return desc, nil
}

// CreateTable creates a table; ErrTableExists when it already exists.
func (c *Client) CreateTable(ctx context.Context, spec TableSpec) error {
	desc, err := spec.descriptor()
	if err != nil {
		return err
	}
	return c.call(ctx, "createTable", func(svc *thrift2.THBaseServiceClient) error {
		return svc.CreateTable(ctx, desc, spec.SplitKeys)
	})
}

// TableExists reports whether the table exists.
func (c *Client) TableExists(ctx context.Context, table TableName) (bool, error) {
	var exists bool
	err := c.call(ctx, "tableExists", func(svc *thrift2.THBaseServiceClient) error {
		var err error
		exists, err = svc.TableExists(ctx, table.thrift())
		return err
	})
	return exists, err
}

// DeleteTable disables and deletes a table; ErrTableNotFound when missing.
func (c *Client) DeleteTable(ctx context.Context, table TableName) error {
	return c.call(ctx, "deleteTable", func(svc *thrift2.THBaseServiceClient) error {
		// The gateway's error for a missing table carries only the table's
		// name, not the exception class: ask first.
		exists, err := svc.TableExists(ctx, table.thrift())
		if err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("%w: %s", ErrTableNotFound, table)
		}
		enabled, err := svc.IsTableEnabled(ctx, table.thrift())
		if err != nil {
			return err
		}
		if enabled {
			if err := svc.DisableTable(ctx, table.thrift()); err != nil {
				return err
			}
		}
		return svc.DeleteTable(ctx, table.thrift())
	})
}
