package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/jobs/spec"
)

// HBaseLookup is a dimension kept in HBase (a table hetl imported there):
// each batch's keys are fetched with batched gets, so the table is
// never read whole — the way to join a large, current dimension.
type HBaseLookup struct {
	Name   string
	Client *hbase.Client
	Table  hbase.TableName
	Schema hbase.TableSchema
	Retry  hbase.RetryPolicy
}

// OpenHBaseLookup reads the schema hetl recorded on the table.
func OpenHBaseLookup(ctx context.Context, name string, c *hbase.Client, table string) (*HBaseLookup, error) {
	t, err := hbase.ParseTableName(table)
	if err != nil {
		return nil, fmt.Errorf("dimension %s: %w", name, err)
	}
	raw, err := c.TableAttribute(ctx, t, hbase.SchemaAttribute)
	if err != nil {
		return nil, fmt.Errorf("dimension %s: %w", name, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("dimension %s: HBase table %s has no schema recorded by hetl import; only tables hetl imported can be joined", name, t)
	}
	ts, err := hbase.ParseTableSchema(raw)
	if err != nil {
		return nil, fmt.Errorf("dimension %s: %w", name, err)
	}
	return &HBaseLookup{Name: name, Client: c, Table: t, Schema: ts}, nil
}

type lookupJoin struct {
	name    string
	j       *spec.Join
	l       *HBaseLookup
	q       *Quarantine
	stats   *JoinStats
	left    bool
	probe   []int // probe columns, in row-key order
	keys    *arrow.Schema
	enc     *hbase.RowKeyEncoder
	cols    []hbase.Column
	schema  *arrow.Schema
	keyDesc string
}

// LookupJoin joins in with an HBase dimension: on must pair probe
// columns with every row-key column of the table (types equal, as the
// key is encoded from them). Kinds and missing rows behave as in Join.
func LookupJoin(in Stream, name string, j *spec.Join, l *HBaseLookup, q *Quarantine, stats *JoinStats) (Stream, error) {
	s, hs := in.Schema(), l.Schema.Schema
	lj := &lookupJoin{name: name, j: j, l: l, q: q, stats: stats, left: j.Kind == "left"}
	byKeyCol := map[string]int{}
	var desc []string
	for _, pair := range j.On {
		a, b, err := spec.One(pair)
		if err != nil {
			return nil, fmt.Errorf("%s: on: %w", name, err)
		}
		pi := fieldIndexFold(s, a)
		if pi < 0 {
			return nil, fmt.Errorf("%s: on: no column %q in the rows (columns: %s)", name, a, fieldNames(s))
		}
		byKeyCol[strings.ToLower(b)] = pi
		desc = append(desc, a)
	}
	var keyFields []arrow.Field
	for _, k := range l.Schema.RowKey {
		pi, ok := byKeyCol[strings.ToLower(k)]
		if !ok {
			return nil, fmt.Errorf("%s: on must give every row-key column of HBase table %s (%s); %s is missing", name, l.Table, strings.Join(l.Schema.RowKey, ", "), k)
		}
		f := hs.Field(fieldIndexFold(hs, k))
		if !arrow.TypeEqual(s.Field(pi).Type, f.Type) {
			return nil, fmt.Errorf("%s: on %s = %s.%s: types %s and %s differ (the row key is encoded from the value's type)", name, s.Field(pi).Name, l.Name, k, s.Field(pi).Type, f.Type)
		}
		lj.probe = append(lj.probe, pi)
		keyFields = append(keyFields, f)
	}
	if len(byKeyCol) != len(l.Schema.RowKey) {
		return nil, fmt.Errorf("%s: on pairs columns with %d HBase columns; the row key of %s is exactly (%s)", name, len(byKeyCol), l.Table, strings.Join(l.Schema.RowKey, ", "))
	}
	lj.keys = arrow.NewSchema(keyFields, nil)
	var err error
	if lj.enc, err = hbase.NewRowKeyEncoder(lj.keys, l.Schema.RowKey, l.Schema.Salt); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	want := j.Columns
	if want == nil {
		for _, f := range hs.Fields() {
			if !containsFold(l.Schema.RowKey, f.Name) {
				want = append(want, f.Name)
			}
		}
	}
	all := l.Schema.Columns()
	fields := append([]arrow.Field(nil), s.Fields()...)
	for _, c := range want {
		found := false
		for _, col := range all {
			if strings.EqualFold(col.Qualifier, c) {
				lj.cols = append(lj.cols, col)
				f := col.Field
				f.Name, f.Nullable = j.Prefix+f.Name, true
				if fieldIndexFold(arrow.NewSchema(fields, nil), f.Name) >= 0 {
					return nil, fmt.Errorf("%s: the rows already have a column %s; set prefix to tell the dimension's apart", name, f.Name)
				}
				fields = append(fields, f)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: columns: HBase table %s has no column %q", name, l.Table, c)
		}
	}
	lj.schema = arrow.NewSchema(fields, nil)
	lj.keyDesc = strings.Join(desc, ", ")
	// Batches look up in parallel: each is one round of batched gets.
	return ParallelMap(in, lj.schema, 0, lj.batch), nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func (lj *lookupJoin) batch(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	ctx := context.Background()
	n := int(rec.NumRows())
	cols := make([]arrow.Array, len(lj.probe))
	for i, p := range lj.probe {
		cols[i] = rec.Column(p)
	}
	keyRec := array.NewRecordBatch(lj.keys, cols, int64(n))
	defer keyRec.Release()
	// Each distinct key is fetched once.
	slot := make([]int, n) // row → index in uniq, -1: NULL key
	index := map[string]int{}
	var uniq [][]byte
	var buf []byte
	for i := range n {
		slot[i] = -1
		null := false
		for _, c := range cols {
			null = null || c.IsNull(i)
		}
		if null {
			continue
		}
		var err error
		if buf, err = lj.enc.Key(keyRec, i, buf[:0]); err != nil {
			return nil, fmt.Errorf("%s: %w", lj.name, err)
		}
		u, ok := index[string(buf)]
		if !ok {
			u = len(uniq)
			index[string(buf)] = u
			uniq = append(uniq, append([]byte(nil), buf...))
		}
		slot[i] = u
	}
	var found arrow.RecordBatch
	if len(uniq) > 0 {
		var err error
		if found, err = lj.l.Client.GetRecords(ctx, lj.l.Table, uniq, lj.cols, lj.l.Retry); err != nil {
			return nil, fmt.Errorf("%s: look up %d keys in %s: %w", lj.name, len(uniq), lj.l.Table, err)
		}
		defer found.Release()
	}
	mem := memory.DefaultAllocator
	pb, db := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
	defer pb.Release()
	defer db.Release()
	var missing []int
	for i, u := range slot {
		if u >= 0 && found.Column(0).IsValid(u) {
			pb.Append(int64(i))
			db.Append(int64(u))
			continue
		}
		atomic.AddInt64(&lj.stats.Unmatched, 1)
		if lj.left {
			pb.Append(int64(i))
			db.AppendNull()
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 && lj.j.Missing == "quarantine" {
		reason := fmt.Sprintf("no %s row for %s", lj.l.Name, lj.keyDesc)
		if err := lj.q.add(lj.name, rec, missing, func(int) string { return reason }); err != nil {
			return nil, err
		}
	}
	dims := make([]arrow.Array, len(lj.cols))
	if found != nil {
		for c := range lj.cols {
			dims[c] = found.Column(1 + c)
		}
	}
	return assembleJoin(ctx, lj.schema, rec, pb, db, dims)
}
