package ddl

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Options tune the statements.
type Options struct {
	// Location is the URI of the warehouse root as the engines reach it:
	// hdfs://namenode:8020/warehouse, file:/data/warehouse, or an
	// absolute path (taken as file:). A table's location is
	// Location/Table.Dir. Empty: Table.Location.
	Location string
	// IfNotExists makes CREATE leave an existing table alone.
	IfNotExists bool
	// PartitionsPerStatement is how many partitions one Hive or Spark
	// ALTER TABLE ... ADD registers (each statement is one metastore
	// call).
	PartitionsPerStatement int
	// TrinoTimestampPrecision is the precision Trino timestamp columns are
	// declared with; it must be the catalog's hive.timestamp-precision
	// (3 for MILLISECONDS, the connector's default, 6 for MICROSECONDS,
	// 9 for NANOSECONDS). hetl writes microseconds: 3 truncates them.
	TrinoTimestampPrecision int
	// TrinoCatalog, when set, qualifies Trino's table and procedure
	// (catalog.schema.table, CALL catalog.system....).
	TrinoCatalog string
}

// DefaultOptions are IF NOT EXISTS, 100 partitions per statement and
// microsecond Trino timestamps.
func DefaultOptions() Options {
	return Options{IfNotExists: true, PartitionsPerStatement: 100, TrinoTimestampPrecision: 6}
}

// schemeRE is the scheme of a location URI.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// Validate checks the options up front.
func (o Options) Validate() error {
	if o.PartitionsPerStatement < 1 {
		return fmt.Errorf("partitions per statement %d: want at least 1", o.PartitionsPerStatement)
	}
	switch o.TrinoTimestampPrecision {
	case 3, 6, 9:
	default:
		return fmt.Errorf("Trino timestamp precision %d: want 3, 6 or 9 (the catalog's hive.timestamp-precision)", o.TrinoTimestampPrecision)
	}
	if o.TrinoCatalog != "" && (!nameRE.MatchString(o.TrinoCatalog) || len(o.TrinoCatalog) > maxName) {
		return fmt.Errorf("Trino catalog %q: want letters, digits and _: %w", o.TrinoCatalog, ErrBadIdentifier)
	}
	if o.Location != "" {
		if _, err := normLocation(o.Location); err != nil {
			return err
		}
	}
	return nil
}

// normLocation checks a location URI and makes a plain absolute path a
// file: URI, without a trailing slash.
func normLocation(loc string) (string, error) {
	if strings.ContainsFunc(loc, isControl) {
		return "", fmt.Errorf("location %q holds a control character", loc)
	}
	switch {
	case strings.HasPrefix(loc, "/"):
		return "file:" + path.Clean(loc), nil
	case schemeRE.MatchString(loc):
		if t := strings.TrimRight(loc, "/"); !strings.HasSuffix(t, ":") {
			return t, nil
		}
		return loc, nil
	}
	return "", fmt.Errorf("location %q: want an absolute path or a URI such as hdfs://namenode:8020/warehouse", loc)
}

// tableLocation is where the engines find t's files.
func tableLocation(t *Table, o Options) (string, error) {
	if o.Location == "" {
		if t.Location == "" {
			return "", fmt.Errorf("table %s: pass the warehouse's location (hdfs://namenode:port/path or file:/path): %w", t.Name, ErrNoLocation)
		}
		return normLocation(t.Location)
	}
	base, err := normLocation(o.Location)
	if err != nil {
		return "", err
	}
	dir := strings.Trim(path.Clean("/"+t.Dir), "/")
	if dir == "" {
		return base, nil
	}
	if strings.HasSuffix(base, "/") {
		return base + dir, nil
	}
	return base + "/" + dir, nil
}
