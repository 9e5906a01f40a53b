package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// table is one warehouse table as go-mysql-server sees it: the files its
// manifest lists, one partition each. Copies made by WithProjections
// and withPruning read less, never differently.
type table struct {
	name   string
	dir    string
	fsys   warehouse.FS
	m      *ingest.Manifest
	arrow  *arrow.Schema // the table's current schema
	schema gsql.Schema   // arrow's columns, then the partition keys
	keys   []string      // Hive partition keys (dt, hr), from the file paths
	// timeCol is the column the partitions are by (its values lie in
	// their partition's time range), "" when none.
	timeCol string
	files   []fileInfo
	stats   *Stats
	footers *format.FooterCache // nil: none kept

	projection []string       // nil: every column
	bounds     []format.Bound // from the query's filter, for row groups
	keep       func(fileInfo) bool
}

// fileInfo is one data file of the table.
type fileInfo struct {
	path   string // relative to the table
	rows   int64
	schema *arrow.Schema // the file's own (older files may lack columns)
	keys   []string      // its partition key values
	// from, to is the UTC time range its partition holds (zero: unknown).
	from, to time.Time
}

// Stats count what queries read: tests check pruning with them.
type Stats struct {
	FilesOpened atomic.Int64
	RowsRead    atomic.Int64
}

var errNotTable = errors.New("not a hetl table")

// openTable reads a table's manifest.
func openTable(ctx context.Context, fsys warehouse.FS, dir, name string, stats *Stats) (*table, error) {
	m, err := ingest.ReadManifest(ctx, fsys, dir)
	if err != nil {
		return nil, err
	}
	if m.Format != string(format.Parquet) {
		return nil, fmt.Errorf("table %s is %s; the SQL engine reads Parquet tables", name, m.Format)
	}
	t := &table{name: name, dir: dir, fsys: fsys, m: m, stats: stats}
	schemas := map[string]*arrow.Schema{}
	schemaOf := func(fp string) (*arrow.Schema, error) {
		if s, ok := schemas[fp]; ok {
			return s, nil
		}
		enc, ok := m.Schemas[fp]
		if !ok {
			return nil, fmt.Errorf("table %s: the manifest has no schema %s; re-import the table", name, fp)
		}
		s, err := ingest.DecodeSchema(enc)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		schemas[fp] = s
		return s, nil
	}
	if t.arrow, err = schemaOf(m.SchemaFingerprint); err != nil {
		return nil, err
	}
	for _, f := range t.arrow.Fields() {
		typ, err := sqlType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("table %s: column %s: %w", name, f.Name, err)
		}
		t.schema = append(t.schema, &gsql.Column{Name: f.Name, Type: typ, Nullable: true, Source: name})
		if strings.EqualFold(f.Name, m.PartitionBy) {
			t.timeCol = f.Name
		}
	}
	for i, mf := range m.Files {
		fp := mf.Schema
		if fp == "" {
			fp = m.SchemaFingerprint
		}
		fs, err := schemaOf(fp)
		if err != nil {
			return nil, err
		}
		fi := fileInfo{path: mf.Path, rows: mf.Rows, schema: fs}
		var keys []string
		if dir := path.Dir(mf.Path); dir != "." {
			for _, part := range strings.Split(dir, "/") {
				k, v, ok := strings.Cut(part, "=")
				if !ok {
					return nil, fmt.Errorf("table %s: file %s is not in a key=value partition", name, mf.Path)
				}
				keys = append(keys, k)
				fi.keys = append(fi.keys, v)
			}
			fi.from, fi.to = partitionTimes(dir)
		}
		if i == 0 {
			t.keys = keys
		} else if strings.Join(keys, "/") != strings.Join(t.keys, "/") {
			return nil, fmt.Errorf("table %s: files partitioned by both %v and %v", name, t.keys, keys)
		}
		t.files = append(t.files, fi)
	}
	for _, k := range t.keys {
		if t.arrow.FieldIndices(k) != nil {
			return nil, fmt.Errorf("table %s: column %s is also a partition key", name, k)
		}
		t.schema = append(t.schema, &gsql.Column{Name: k, Type: types.Text, Nullable: false, Source: name})
	}
	return t, nil
}

// partitionTimes is the time range of an hour or day partition.
func partitionTimes(dir string) (from, to time.Time) {
	if f, tt, err := ingest.PartitionRange(dir, ingest.ByHour); err == nil {
		return f, tt
	}
	if f, tt, err := ingest.PartitionRange(dir, ingest.ByDay); err == nil {
		return f, tt
	}
	return time.Time{}, time.Time{}
}

func (t *table) Name() string                { return t.name }
func (t *table) String() string              { return t.name }
func (t *table) Collation() gsql.CollationID { return gsql.Collation_Default }
func (t *table) Comment() string {
	return fmt.Sprintf("hetl table %s (%d files, %d rows)", t.dir, len(t.files), t.m.Rows)
}
func (t *table) Projections() []string                                { return t.projection }
func (t *table) Schema() gsql.Schema                                  { return t.projected() }
func (t *table) Partitions(*gsql.Context) (gsql.PartitionIter, error) { return t.partitions(), nil }

// projected is the schema of the projected columns, in the table's order.
func (t *table) projected() gsql.Schema {
	if t.projection == nil {
		return t.schema
	}
	var out gsql.Schema
	for _, p := range t.projection {
		for _, c := range t.schema {
			if strings.EqualFold(c.Name, p) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func (t *table) WithProjections(cols []string) gsql.Table {
	nt := *t
	nt.projection = nil
	if cols != nil {
		nt.projection = append([]string{}, cols...)
	}
	return &nt
}

// filePartition is a partition: one file, by index.
type filePartition struct{ i int }

func (p filePartition) Key() []byte { return binary.BigEndian.AppendUint32(nil, uint32(p.i)) }

func (t *table) partitions() gsql.PartitionIter {
	var parts []gsql.Partition
	for i, f := range t.files {
		if t.keep == nil || t.keep(f) {
			parts = append(parts, filePartition{i})
		}
	}
	return gsql.PartitionsToPartitionIter(parts...)
}

func (t *table) PartitionRows(ctx *gsql.Context, p gsql.Partition) (gsql.RowIter, error) {
	fp, ok := p.(filePartition)
	if !ok || fp.i >= len(t.files) {
		return nil, fmt.Errorf("table %s: unknown partition %x", t.name, p.Key())
	}
	f := t.files[fp.i]
	schema := t.projected()
	// Each output column: a file column, a partition key, or NULL (a
	// column the file's older schema lacks).
	var cols []string
	src := make([]int, len(schema)) // ≥0: file column; -1-k: key k; len: NULL
	for j, c := range schema {
		src[j] = -1 << 30
		for k, key := range t.keys {
			if strings.EqualFold(c.Name, key) {
				src[j] = -1 - k
			}
		}
		if src[j] != -1<<30 {
			continue
		}
		if idx := f.schema.FieldIndices(c.Name); idx != nil {
			src[j] = len(cols)
			cols = append(cols, c.Name)
		}
	}
	var bounds []format.Bound
	for _, b := range t.bounds {
		if f.schema.FieldIndices(b.Column) != nil {
			bounds = append(bounds, b)
		}
	}
	it := &fileRows{t: t, f: f, src: src, n: len(schema)}
	if len(cols) == 0 {
		// Only keys or NULLs: the row count is in the manifest.
		it.left = f.rows
		return it, nil
	}
	r, err := format.NewReader(ctx, t.fsys, path.Join(t.dir, f.path), format.Parquet, format.ReadOptions{Columns: cols, Bounds: bounds, BatchRows: 4096, Footers: t.footers})
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", t.name, err)
	}
	t.stats.FilesOpened.Add(1)
	it.r = r
	return it, nil
}

// fileRows converts a file's batches to rows.
type fileRows struct {
	t    *table
	f    fileInfo
	r    format.Reader // nil when no file column is read
	src  []int
	n    int
	left int64 // rows to make without a reader

	rec  arrow.RecordBatch
	vals []valueFunc
	i    int
}

func (it *fileRows) Next(ctx *gsql.Context) (gsql.Row, error) {
	if it.r == nil {
		if it.left == 0 {
			return nil, io.EOF
		}
		it.left--
		return it.row(), nil
	}
	for it.rec == nil || it.i >= int(it.rec.NumRows()) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if it.rec != nil {
			it.rec.Release()
			it.rec = nil
		}
		rec, err := it.r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				err = fmt.Errorf("table %s: %w", it.t.name, err)
			}
			return nil, err
		}
		it.t.stats.RowsRead.Add(rec.NumRows())
		it.vals = it.vals[:0]
		for c := range int(rec.NumCols()) {
			v, err := valuesOf(rec.Column(c))
			if err != nil {
				rec.Release()
				return nil, fmt.Errorf("table %s: column %s: %w", it.t.name, rec.ColumnName(c), err)
			}
			it.vals = append(it.vals, v)
		}
		it.rec, it.i = rec, 0
	}
	row := it.row()
	it.i++
	return row, nil
}

func (it *fileRows) row() gsql.Row {
	row := make(gsql.Row, it.n)
	for j, s := range it.src {
		switch {
		case s >= 0:
			row[j] = it.vals[s](it.i)
		case s >= -len(it.f.keys):
			row[j] = it.f.keys[-1-s]
		}
	}
	return row
}

func (it *fileRows) Close(*gsql.Context) error {
	if it.rec != nil {
		it.rec.Release()
		it.rec = nil
	}
	if it.r != nil {
		return it.r.Close()
	}
	return nil
}

// PrimaryKeySchema is the table's whole schema (no key): go-mysql-server
// maps a projection's columns back to their ids through it.
func (t *table) PrimaryKeySchema() gsql.PrimaryKeySchema { return gsql.NewPrimaryKeySchema(t.schema) }
