package hbase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
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
	t := TableName{Namespace: ns, Name: name}
	if ok && ns == "" {
		return TableName{}, fmt.Errorf("hbase: table name %q: empty namespace", s)
	}
	return t, t.validate()
}

// validate checks what keeps a name unambiguous in "ns:table" form; HBase
// checks the rest (allowed characters, reserved names).
func (t TableName) validate() error {
	if t.Name == "" || strings.ContainsAny(t.Name, ": \t\n") || strings.ContainsAny(t.Namespace, ": \t\n") {
		return fmt.Errorf("hbase: table name %q in namespace %q: want a non-empty name without ':' or spaces", t.Name, t.Namespace)
	}
	return nil
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
// len(SplitKeys)+1 regions; they must be distinct and non-empty (HBase sorts
// them).
type TableSpec struct {
	Namespace string // "" means HBase's "default"
	Name      string
	Families  []FamilySpec
	SplitKeys [][]byte
	// Attributes are stored in the table's descriptor (hetl records the
	// schema of what it wrote there).
	Attributes map[string][]byte
}

// Table is the name of the table the spec describes.
func (s TableSpec) Table() TableName { return TableName{Namespace: s.Namespace, Name: s.Name} }

func (s TableSpec) descriptor() (*thrift2.TTableDescriptor, error) {
	table := s.Table()
	if err := table.validate(); err != nil {
		return nil, err
	}
	if len(s.Families) == 0 {
		return nil, fmt.Errorf("hbase: table %s: at least one column family is required", table)
	}
	seen := map[string]bool{}
	for i, k := range s.SplitKeys {
		if len(k) == 0 || seen[string(k)] {
			return nil, fmt.Errorf("hbase: table %s: split key %d (%q) is empty or repeated", table, i, k)
		}
		seen[string(k)] = true
	}
	desc := &thrift2.TTableDescriptor{TableName: table.thrift(), Attributes: s.Attributes}
	for _, f := range s.Families {
		if f.Name == "" || strings.Contains(f.Name, ":") {
			return nil, fmt.Errorf("hbase: table %s: invalid column family name %q", table, f.Name)
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
	return c.call(ctx, "createTable "+spec.Table().String(), func(svc *thrift2.THBaseServiceClient) error {
		return svc.CreateTable(ctx, desc, spec.SplitKeys)
	})
}

// TableExists reports whether the table exists.
func (c *Client) TableExists(ctx context.Context, table TableName) (bool, error) {
	if err := table.validate(); err != nil {
		return false, err
	}
	var exists bool
	err := c.call(ctx, "tableExists "+table.String(), func(svc *thrift2.THBaseServiceClient) error {
		var err error
		exists, err = svc.TableExists(ctx, table.thrift())
		return err
	})
	return exists, err
}

// DeleteTable disables and deletes a table; ErrTableNotFound when missing.
func (c *Client) DeleteTable(ctx context.Context, table TableName) error {
	if err := table.validate(); err != nil {
		return err
	}
	err := c.call(ctx, "deleteTable "+table.String(), func(svc *thrift2.THBaseServiceClient) error {
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
	return c.notFoundIfMissing(ctx, table, err)
}

// notFoundIfMissing turns a gateway error about table into
// ErrTableNotFound when the table is missing. The gateway's message is then
// only the table's name for data calls and isTableEnabled (disable and delete
// name the exception), so ask, on this error path only.
func (c *Client) notFoundIfMissing(ctx context.Context, table TableName, err error) error {
	var gw *GatewayError
	if !errors.As(err, &gw) || gw.Illegal {
		return err
	}
	if exists, xerr := c.TableExists(ctx, table); xerr == nil && !exists {
		return fmt.Errorf("hbase %s: %w", gw.Op, ErrTableNotFound)
	}
	return err
}

// TableAttribute reads one attribute of a table's descriptor (nil when
// it has none).
func (c *Client) TableAttribute(ctx context.Context, table TableName, key string) ([]byte, error) {
	d, err := c.descriptor(ctx, table)
	if err != nil {
		return nil, err
	}
	return d.GetAttributes()[key], nil
}

// SetTableAttribute sets one attribute of an existing table's descriptor
// (an online schema change; the table stays enabled).
func (c *Client) SetTableAttribute(ctx context.Context, table TableName, key string, value []byte) error {
	d, err := c.descriptor(ctx, table)
	if err != nil {
		return err
	}
	if d.Attributes == nil {
		d.Attributes = map[string][]byte{}
	}
	d.Attributes[key] = value
	err = c.call(ctx, "modifyTable "+table.String(), func(svc *thrift2.THBaseServiceClient) error {
		return svc.ModifyTable(ctx, d)
	})
	return c.notFoundIfMissing(ctx, table, err)
}

func (c *Client) descriptor(ctx context.Context, table TableName) (*thrift2.TTableDescriptor, error) {
	if err := table.validate(); err != nil {
		return nil, err
	}
	var d *thrift2.TTableDescriptor
	err := c.call(ctx, "getTableDescriptor "+table.String(), func(svc *thrift2.THBaseServiceClient) error {
		var err error
		d, err = svc.GetTableDescriptor(ctx, table.thrift())
		return err
	})
	if err != nil {
		return nil, c.notFoundIfMissing(ctx, table, err)
	}
	return d, nil
}

// RegionStarts lists the start keys of a table's regions, in order (the
// first is empty).
func (c *Client) RegionStarts(ctx context.Context, table TableName) ([][]byte, error) {
	if err := table.validate(); err != nil {
		return nil, err
	}
	var locs []*thrift2.THRegionLocation
	err := c.call(ctx, "getAllRegionLocations "+table.String(), func(svc *thrift2.THBaseServiceClient) error {
		var err error
		locs, err = svc.GetAllRegionLocations(ctx, table.bytes())
		return err
	})
	if err != nil {
		return nil, c.notFoundIfMissing(ctx, table, err)
	}
	out := make([][]byte, 0, len(locs))
	for _, l := range locs {
		out = append(out, l.GetRegionInfo().GetStartKey())
	}
	sort.Slice(out, func(a, b int) bool { return bytes.Compare(out[a], out[b]) < 0 })
	return out, nil
}
