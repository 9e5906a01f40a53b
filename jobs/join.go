package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/util"

	"github.com/hetl/hetl/jobs/spec"
)

// Dimension is a table read for joins: one batch in memory, or, when it
// outgrew its share of the memory budget, a local spill file that Join
// reads back partition by partition (see gracejoin.go).
type Dimension struct {
	Name    string
	Rec     arrow.RecordBatch // nil when spilled
	Version InputVersion
	spilled *dimensionFile
}

// Schema is the dimension's columns.
func (d *Dimension) Schema() *arrow.Schema {
	if d.spilled != nil {
		return d.spilled.schema
	}
	return d.Rec.Schema()
}

// NumRows is how many rows the dimension has.
func (d *Dimension) NumRows() int64 {
	if d.spilled != nil {
		return d.spilled.rows
	}
	return d.Rec.NumRows()
}

// Spilled reports whether the dimension is on disk, to be joined by
// partitions.
func (d *Dimension) Spilled() bool { return d.spilled != nil }

// Release frees the dimension's memory or removes its spill file.
func (d *Dimension) Release() error {
	if d.Rec != nil {
		d.Rec.Release()
		d.Rec = nil
	}
	if d.spilled != nil {
		err := d.spilled.remove()
		d.spilled = nil
		return err
	}
	return nil
}

// LoadDimension reads a whole table (its latest published version) into
// memory.
func LoadDimension(ctx context.Context, name string, t *Table, columns []string) (*Dimension, error) {
	return loadDimension(ctx, name, t, columns, 0)
}

// hashEntryBytes is about what a row costs in a join's hash table
// beyond its column values (map entry, index slice).
const hashEntryBytes = 48

// loadDimension reads a table for a join, holding at most about budget
// bytes (0: no limit); past it the rows go to a local spill file.
func loadDimension(ctx context.Context, name string, t *Table, columns []string, budget int64) (*Dimension, error) {
	s, v, err := t.Scan(ctx, ScanOptions{Columns: columns})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var (
		recs    []arrow.RecordBatch
		held    int64
		spilled *dimensionFile
	)
	defer func() { release(recs) }()
	for {
		rec, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if spilled != nil {
				err = errors.Join(err, spilled.remove())
			}
			return nil, fmt.Errorf("dimension %s: %w", name, err)
		}
		if spilled != nil {
			err = spilled.write(rec)
			rec.Release()
			if err != nil {
				return nil, fmt.Errorf("dimension %s: %w", name, errors.Join(err, spilled.remove()))
			}
			continue
		}
		recs = append(recs, rec)
		held += util.TotalRecordSize(rec) + hashEntryBytes*rec.NumRows()
		if budget > 0 && held > budget {
			if spilled, err = newDimensionFile(s.Schema()); err != nil {
				return nil, fmt.Errorf("dimension %s: %w", name, err)
			}
			for _, r := range recs {
				if err := spilled.write(r); err != nil {
					return nil, fmt.Errorf("dimension %s: %w", name, errors.Join(err, spilled.remove()))
				}
			}
			release(recs)
			recs = nil
		}
	}
	if spilled != nil {
		if err := spilled.finish(); err != nil {
			return nil, fmt.Errorf("dimension %s: %w", name, errors.Join(err, spilled.remove()))
		}
		return &Dimension{Name: name, Version: v, spilled: spilled}, nil
	}
	rec, err := concatBatches(s.Schema(), recs)
	if err != nil {
		return nil, fmt.Errorf("dimension %s: %w", name, err)
	}
	return &Dimension{Name: name, Rec: rec, Version: v}, nil
}

// concatBatches makes one batch of many.
func concatBatches(schema *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	for j := range cols {
		if len(recs) == 0 {
			cols[j] = array.MakeArrayOfNull(memory.DefaultAllocator, schema.Field(j).Type, 0)
			continue
		}
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(j)
		}
		c, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[j] = c
	}
	rec := array.NewRecordBatch(schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

// JoinStats count what a join did.
type JoinStats struct {
	Unmatched int64 // probe rows without a match (dropped, quarantined or kept by a left join)
}

// join holds a dimension's hash table; Join probes it batch by batch.
type join struct {
	in      Stream
	name    string
	j       *spec.Join
	dim     *Dimension
	q       *Quarantine
	stats   *JoinStats
	left    bool
	probe   []int
	build   []int // the dimension's key columns
	addCols []int // dimension columns added
	schema  *arrow.Schema
	// intKeys: a single integer key on both sides, the common case (ids)
	// and much cheaper to hash than encoded keys.
	intKeys bool

	rec   arrow.RecordBatch // the dimension rows the table indexes
	table map[string][]int64
	ints  map[int64][]int64
}

// Join joins in with dim on the key pairs of j. A dimension in memory is
// a hash table probed batch by batch; a spilled one is joined partition
// by partition after both sides are split by key hash (a grace hash
// join), so neither side needs to fit in memory.
func Join(in Stream, name string, j *spec.Join, dim *Dimension, q *Quarantine, stats *JoinStats) (Stream, error) {
	s, ds := in.Schema(), dim.Schema()
	jn := &join{in: in, name: name, j: j, dim: dim, q: q, stats: stats, left: j.Kind == "left"}
	isKey := map[int]bool{}
	for _, pair := range j.On {
		a, b, err := spec.One(pair)
		if err != nil {
			return nil, fmt.Errorf("%s: on: %w", name, err)
		}
		pi, di := fieldIndexFold(s, a), fieldIndexFold(ds, b)
		if pi < 0 {
			return nil, fmt.Errorf("%s: on: no column %q in the rows (columns: %s)", name, a, fieldNames(s))
		}
		if di < 0 {
			return nil, fmt.Errorf("%s: on: dimension %s has no column %q (columns: %s)", name, dim.Name, b, fieldNames(ds))
		}
		if fa, fb := keyFamily(s.Field(pi).Type), keyFamily(ds.Field(di).Type); fa == "" || fa != fb {
			return nil, fmt.Errorf("%s: on %s = %s.%s: types %s and %s cannot be compared", name, a, dim.Name, b, s.Field(pi).Type, ds.Field(di).Type)
		}
		jn.probe = append(jn.probe, pi)
		jn.build = append(jn.build, di)
		isKey[di] = true
	}
	fields := append([]arrow.Field(nil), s.Fields()...)
	if j.Columns != nil {
		for _, c := range j.Columns {
			di := fieldIndexFold(ds, c)
			if di < 0 {
				return nil, fmt.Errorf("%s: columns: dimension %s has no column %q (columns: %s)", name, dim.Name, c, fieldNames(ds))
			}
			jn.addCols = append(jn.addCols, di)
		}
	} else {
		for di := range ds.NumFields() {
			if !isKey[di] {
				jn.addCols = append(jn.addCols, di)
			}
		}
	}
	for _, di := range jn.addCols {
		f := ds.Field(di)
		f.Name = j.Prefix + f.Name
		f.Nullable = f.Nullable || jn.left
		if fieldIndexFold(arrow.NewSchema(fields, nil), f.Name) >= 0 {
			return nil, fmt.Errorf("%s: the rows already have a column %s; set prefix to tell the dimension's apart", name, f.Name)
		}
		fields = append(fields, f)
	}
	jn.schema = arrow.NewSchema(fields, nil)
	jn.intKeys = len(jn.build) == 1 && smallInt(s.Field(jn.probe[0]).Type) && smallInt(ds.Field(jn.build[0]).Type)

	if dim.Spilled() {
		return &graceJoin{jn: jn}, nil
	}
	if err := jn.index(dim.Rec); err != nil {
		return nil, err
	}
	// The hash table is read-only from here: probe batches in parallel.
	return ParallelMap(in, jn.schema, 0, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		return jn.batch(context.Background(), rec)
	}), nil
}

// index builds the hash table of rec's rows (it does not retain rec).
func (j *join) index(rec arrow.RecordBatch) error {
	j.rec, j.table, j.ints = rec, nil, nil
	if j.intKeys {
		col := rec.Column(j.build[0])
		j.ints = make(map[int64][]int64, col.Len())
		for i := range col.Len() {
			if col.IsValid(i) {
				k := intValue(col, i)
				j.ints[k] = append(j.ints[k], int64(i))
			}
		}
		return nil
	}
	keys, err := newRowKeys(rec, j.build)
	if err != nil {
		return fmt.Errorf("%s: %w", j.name, err)
	}
	j.table = map[string][]int64{}
	var key []byte
	for i := range int(rec.NumRows()) {
		var null bool
		key, null = keys.key(key[:0], i)
		if !null { // a NULL key never matches
			j.table[string(key)] = append(j.table[string(key)], int64(i))
		}
	}
	return nil
}

// keyFamily groups types whose values can be equal.
func keyFamily(t arrow.DataType) string {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return "int"
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY:
		return "bytes"
	case arrow.FLOAT32, arrow.FLOAT64:
		return "float"
	case arrow.TIMESTAMP:
		return "time"
	case arrow.DATE32:
		return "date"
	case arrow.DECIMAL128:
		return "decimal:" + t.String()
	case arrow.BOOL:
		return "bool"
	}
	return ""
}

// smallInt reports whether a type's values all fit int64 (every
// integer type but BIGINT UNSIGNED).
func smallInt(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return true
	}
	return false
}

func (j *join) batch(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	var keys *rowKeys
	var probeCol arrow.Array
	if j.intKeys {
		probeCol = rec.Column(j.probe[0])
	} else {
		var err error
		if keys, err = newRowKeys(rec, j.probe); err != nil {
			return nil, fmt.Errorf("%s: %w", j.name, err)
		}
	}
	mem := memory.DefaultAllocator
	pb, db := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
	defer pb.Release()
	defer db.Release()
	var missing []int
	var key []byte
	for i := range int(rec.NumRows()) {
		var matches []int64
		if probeCol != nil {
			if probeCol.IsValid(i) {
				matches = j.ints[intValue(probeCol, i)]
			}
		} else {
			var null bool
			if key, null = keys.key(key[:0], i); !null {
				matches = j.table[string(key)]
			}
		}
		if len(matches) == 0 {
			atomic.AddInt64(&j.stats.Unmatched, 1)
			if j.left {
				pb.Append(int64(i))
				db.AppendNull()
			} else {
				missing = append(missing, i)
			}
			continue
		}
		for _, m := range matches {
			pb.Append(int64(i))
			db.Append(m)
		}
	}
	if len(missing) > 0 && j.j.Missing == "quarantine" {
		reason := fmt.Sprintf("no %s row for %s", j.dim.Name, j.keyNames())
		if err := j.q.add(j.name, rec, missing, func(int) string { return reason }); err != nil {
			return nil, err
		}
	}
	dims := make([]arrow.Array, len(j.addCols))
	for k, c := range j.addCols {
		dims[k] = j.rec.Column(c)
	}
	return assembleJoin(ctx, j.schema, rec, pb, db, dims)
}

// assembleJoin builds a join's output batch: the probe rows pb of rec,
// then each dimension column taken at db (a NULL index: no match, NULL
// values); nil when no row goes out. A nil dims entry is all NULL.
func assembleJoin(ctx context.Context, schema *arrow.Schema, rec arrow.RecordBatch, pb, db *array.Int64Builder, dims []arrow.Array) (arrow.RecordBatch, error) {
	if pb.Len() == 0 {
		return nil, nil
	}
	pidx, didx := pb.NewInt64Array(), db.NewInt64Array()
	defer pidx.Release()
	defer didx.Release()
	cols := make([]arrow.Array, 0, schema.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	// Every probe row once, in order (a left join, or an inner one where
	// all matched once): the probe columns go out as they are.
	identity := int64(pidx.Len()) == rec.NumRows()
	for i, v := range pidx.Int64Values() {
		if !identity || v != int64(i) {
			identity = false
			break
		}
	}
	for c := range int(rec.NumCols()) {
		if identity {
			a := rec.Column(c)
			a.Retain()
			cols = append(cols, a)
			continue
		}
		a, err := compute.TakeArray(ctx, rec.Column(c), pidx)
		if err != nil {
			return nil, err
		}
		cols = append(cols, a)
	}
	for k, d := range dims {
		if d == nil {
			cols = append(cols, array.MakeArrayOfNull(memory.DefaultAllocator, schema.Field(int(rec.NumCols())+k).Type, pidx.Len()))
			continue
		}
		a, err := compute.TakeArray(ctx, d, didx)
		if err != nil {
			return nil, err
		}
		cols = append(cols, a)
	}
	return array.NewRecordBatch(schema, cols, int64(pidx.Len())), nil
}

func (j *join) keyNames() string {
	var parts []string
	for _, p := range j.probe {
		parts = append(parts, j.in.Schema().Field(p).Name)
	}
	return strings.Join(parts, ", ")
}
