package ddl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
)

// Format is a table's file format.
type Format string

// The formats hetl writes (ingest/format).
const (
	Parquet Format = "parquet"
	Text    Format = "text"
	Avro    Format = "avro"
)

// Table is a warehouse table as the printer needs it. Describe fills one
// from a table's directory; callers may also build one.
type Table struct {
	// Name is the table's name in the metastore, TABLE or SCHEMA.TABLE
	// (Trino's partition sync needs the schema).
	Name string
	// Dir is the table's directory, relative to the warehouse root.
	Dir string
	// Location is the URI of Dir as the engines reach it, when Describe
	// could tell it from the warehouse FS (local and HDFS warehouses);
	// Options.Location overrides it.
	Location string
	Format   Format
	// Text is the delimiters of a text table (Sqoop's defaults when nil).
	Text *ingest.TextLayout
	// Columns are the files' columns, in order; partition keys are not
	// among them.
	Columns []Column
	// PartitionKeys are "dt" or "dt", "hr"; none for an unpartitioned
	// table.
	PartitionKeys []string
	// Partitions are the published partitions, sorted by path.
	Partitions []Partition
}

// Column is one column of the files.
type Column struct {
	Name     string
	Type     arrow.DataType
	Nullable bool
	// Logical is how hetl encoded a value where the Arrow type alone
	// does not say (field metadata hetl.logical: "time_us", "json",
	// "wkb", "bit", "year", "decimal_text").
	Logical string
	// MySQLType is the source column's MySQL type, when known.
	MySQLType string
}

// Partition is one partition directory.
type Partition struct {
	// Path is relative to the table, e.g. "dt=2026-11-21/hr=10".
	Path string
	// Values are the partition keys' values, in PartitionKeys order.
	Values []string
}

// partValueRE is what a partition value may be: hetl writes dates, hours
// and __HIVE_DEFAULT_PARTITION__, none of which Hive escapes in a path.
var partValueRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ParsePartition reads a partition path for keys, e.g.
// "dt=2026-11-21/hr=10" for dt, hr.
func ParsePartition(p string, keys []string) (Partition, error) {
	parts := strings.Split(p, "/")
	if len(parts) != len(keys) {
		return Partition{}, fmt.Errorf("partition %q: want %d levels (%s)", p, len(keys), strings.Join(keys, ", "))
	}
	out := Partition{Path: p}
	for i, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k != keys[i] {
			return Partition{}, fmt.Errorf("partition %q: level %d is not %s=VALUE", p, i+1, keys[i])
		}
		if !partValueRE.MatchString(v) {
			return Partition{}, fmt.Errorf("partition %q: value %q needs escaping in a path, which hetl never writes", p, v)
		}
		out.Values = append(out.Values, v)
	}
	return out, nil
}

// check validates what every dialect needs of a table.
func (t *Table) check() error {
	if _, _, err := splitName(t.Name); err != nil {
		return err
	}
	switch t.Format {
	case Parquet, Text, Avro:
	default:
		return fmt.Errorf("table %s: format %q: %w", t.Name, t.Format, ErrUnsupportedLayout)
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("table %s has no columns: %w", t.Name, ErrBadIdentifier)
	}
	seen := map[string]string{}
	for _, k := range t.PartitionKeys {
		if !nameRE.MatchString(k) || len(k) > maxName {
			return fmt.Errorf("table %s: partition key %q is not a metastore name: %w", t.Name, k, ErrBadIdentifier)
		}
		if _, ok := seen[strings.ToLower(k)]; ok {
			return fmt.Errorf("table %s: partition key %q twice: %w", t.Name, k, ErrBadIdentifier)
		}
		seen[strings.ToLower(k)] = k
	}
	for _, c := range t.Columns {
		if err := checkColumnName(c.Name); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
		// Hive, Trino and Spark compare names without case.
		low := strings.ToLower(c.Name)
		if other, ok := seen[low]; ok {
			if isKey(t.PartitionKeys, other) {
				return fmt.Errorf("table %s: column %q has the name of partition key %s; rename it in the import (--columns, --query) or the pipeline: %w", t.Name, c.Name, other, ErrBadIdentifier)
			}
			return fmt.Errorf("table %s: columns %q and %q differ only in case, which Hive, Trino and Spark do not tell apart: %w", t.Name, other, c.Name, ErrBadIdentifier)
		}
		seen[low] = c.Name
	}
	for _, p := range t.Partitions {
		if len(p.Values) != len(t.PartitionKeys) {
			return fmt.Errorf("table %s: partition %q has %d values for %d keys", t.Name, p.Path, len(p.Values), len(t.PartitionKeys))
		}
		for _, v := range p.Values {
			if !partValueRE.MatchString(v) {
				return fmt.Errorf("table %s: partition %q: value %q needs escaping in a path", t.Name, p.Path, v)
			}
		}
	}
	return nil
}

func isKey(keys []string, s string) bool {
	for _, k := range keys {
		if k == s {
			return true
		}
	}
	return false
}
