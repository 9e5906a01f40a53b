package jobs

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/util"

	"github.com/hetl/hetl/jobs/sketch"
)

// A partial aggregate travels between tasks (possibly processes on other
// machines) as a record batch: one row per group, the group's key
// columns, then each measure's state — its count, integer, float and
// decimal sums, extremes, and a blob for distinct sets and sketches. It
// merges into other partials exactly as in memory.

// partialSchema is the batch form of the aggregate's partials.
func (ag *aggregate) partialSchema() *arrow.Schema {
	var fields []arrow.Field
	for i, t := range ag.byTypes {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("k%d", i), Type: t, Nullable: true})
	}
	for k, d := range ag.measures {
		p := fmt.Sprintf("m%d_", k)
		fields = append(fields,
			arrow.Field{Name: p + "n", Type: arrow.PrimitiveTypes.Int64},
			arrow.Field{Name: p + "i", Type: arrow.PrimitiveTypes.Int64},
			arrow.Field{Name: p + "f", Type: arrow.PrimitiveTypes.Float64})
		if dt, ok := d.typ.(*arrow.Decimal128Type); ok {
			fields = append(fields, arrow.Field{Name: p + "d", Type: &arrow.Decimal128Type{Precision: 38, Scale: dt.Scale}})
		}
		if d.m.Func == "min" || d.m.Func == "max" {
			fields = append(fields, arrow.Field{Name: p + "x", Type: d.typ, Nullable: true})
		}
		fields = append(fields, arrow.Field{Name: p + "b", Type: arrow.BinaryTypes.Binary, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// marshal is the partial as a batch (its key arrays must be built).
func (p *partial) marshal() (arrow.RecordBatch, error) {
	groups := make([]*group, 0, len(p.groups))
	for _, g := range p.groups {
		groups = append(groups, g)
	}
	return p.marshalGroups(groups)
}

// marshalGroups is some of the partial's groups as a batch, by key.
func (p *partial) marshalGroups(groups []*group) (arrow.RecordBatch, error) {
	ag := p.ag
	rb := array.NewRecordBuilder(memory.DefaultAllocator, ag.partialSchema())
	defer rb.Release()
	slices.SortFunc(groups, func(a, b *group) int { return strings.Compare(a.key, b.key) })
	for _, g := range groups {
		f := 0
		for k := range ag.byTypes {
			if err := appendValue(rb.Field(f), g.from.keys[k], g.idx); err != nil {
				return nil, err
			}
			f++
		}
		for k, d := range ag.measures {
			st := g.states[k]
			rb.Field(f).(*array.Int64Builder).Append(st.n)
			rb.Field(f + 1).(*array.Int64Builder).Append(st.i)
			rb.Field(f + 2).(*array.Float64Builder).Append(st.f)
			f += 3
			if _, ok := d.typ.(*arrow.Decimal128Type); ok {
				rb.Field(f).(*array.Decimal128Builder).Append(st.d)
				f++
			}
			if d.m.Func == "min" || d.m.Func == "max" {
				x := st.min
				if d.m.Func == "max" {
					x = st.max
				}
				if x == nil {
					rb.Field(f).AppendNull()
				} else if err := appendValue(rb.Field(f), x, 0); err != nil {
					return nil, err
				}
				f++
			}
			blob, err := stateBlob(d, st)
			if err != nil {
				return nil, err
			}
			if blob == nil {
				rb.Field(f).AppendNull()
			} else {
				rb.Field(f).(*array.BinaryBuilder).Append(blob)
			}
			f++
		}
	}
	return rb.NewRecordBatch(), nil
}

// stateBlob encodes distinct sets (sorted, so equal sets encode equal)
// and sketches.
func stateBlob(d measureDef, st measureState) ([]byte, error) {
	switch d.m.Func {
	case "count_distinct":
		if smallInt(d.typ) {
			vals := st.ints.values()
			b := binary.AppendUvarint(nil, uint64(len(vals)))
			for _, v := range vals {
				b = binary.AppendVarint(b, v)
			}
			return b, nil
		}
		vals := make([]string, 0, len(st.distinct))
		for v := range st.distinct {
			vals = append(vals, v)
		}
		slices.Sort(vals)
		b := binary.AppendUvarint(nil, uint64(len(vals)))
		for _, v := range vals {
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		}
		return b, nil
	case "approx_distinct":
		if st.hll == nil {
			return nil, nil
		}
		return st.hll.MarshalBinary()
	case "percentile":
		if st.q == nil {
			return nil, nil
		}
		return st.q.MarshalBinary()
	}
	return nil, nil
}

// unmarshalPartial reads a partial back; it keeps references to rec's
// key columns.
func (ag *aggregate) unmarshalPartial(rec arrow.RecordBatch) (*partial, error) {
	if !rec.Schema().Equal(ag.partialSchema()) {
		return nil, fmt.Errorf("partial aggregate: schema %s, want %s", rec.Schema(), ag.partialSchema())
	}
	// In memory a group's state takes about twice its batch form, plus
	// the map entry.
	p := &partial{ag: ag, groups: map[string]*group{}, bytes: 2*util.TotalRecordSize(rec) + 64*rec.NumRows()}
	idx := make([]int, len(ag.byTypes))
	for k := range idx {
		idx[k] = k
		a := rec.Column(k)
		a.Retain()
		p.keys = append(p.keys, a)
	}
	keys, err := newRowKeys(rec, idx)
	if err != nil {
		p.release()
		return nil, err
	}
	var key []byte
	for r := range int(rec.NumRows()) {
		key, _ = keys.key(key[:0], r)
		g := &group{from: p, idx: r, key: string(key), states: make([]measureState, len(ag.measures))}
		f := len(ag.byTypes)
		for k, d := range ag.measures {
			st := &g.states[k]
			st.n = rec.Column(f).(*array.Int64).Value(r)
			st.i = rec.Column(f + 1).(*array.Int64).Value(r)
			st.f = rec.Column(f + 2).(*array.Float64).Value(r)
			f += 3
			if _, ok := d.typ.(*arrow.Decimal128Type); ok {
				st.d = rec.Column(f).(*array.Decimal128).Value(r)
				f++
			}
			if d.m.Func == "min" || d.m.Func == "max" {
				if x := rec.Column(f); x.IsValid(r) {
					one := array.NewSlice(x, int64(r), int64(r+1))
					if d.m.Func == "min" {
						st.min = one
					} else {
						st.max = one
					}
				}
				f++
			}
			if b := rec.Column(f).(*array.Binary); b.IsValid(r) {
				if err := readBlob(d, st, b.Value(r)); err != nil {
					p.release()
					return nil, fmt.Errorf("partial aggregate: %s: %w", d.name, err)
				}
			}
			f++
		}
		if _, dup := p.groups[g.key]; dup {
			p.release()
			return nil, fmt.Errorf("partial aggregate: a group appears twice")
		}
		p.groups[g.key] = g
	}
	return p, nil
}

func readBlob(d measureDef, st *measureState, b []byte) error {
	bad := fmt.Errorf("corrupt %s state", d.m.Func)
	switch d.m.Func {
	case "count_distinct":
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return bad
		}
		b = b[k:]
		if smallInt(d.typ) {
			st.ints = &intSet{}
			for range n {
				v, k := binary.Varint(b)
				if k <= 0 {
					return bad
				}
				b = b[k:]
				st.ints.add(v)
			}
			return nil
		}
		st.distinct = make(map[string]struct{}, n)
		for range n {
			l, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < l {
				return bad
			}
			st.distinct[string(b[k:k+int(l)])] = struct{}{}
			b = b[k+int(l):]
		}
		return nil
	case "approx_distinct":
		st.hll = sketch.NewHLL()
		return st.hll.UnmarshalBinary(b)
	case "percentile":
		q, err := sketch.NewQuantiles(QuantileAccuracy)
		if err != nil {
			return err
		}
		st.q = q
		return q.UnmarshalBinary(b)
	}
	return nil
}
