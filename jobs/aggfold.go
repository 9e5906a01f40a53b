package jobs

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/hetl/hetl/jobs/sketch"
)

// add folds one batch into the partial's groups: first every row's group
// (one key lookup per row), then each measure over its whole column, so
// the type of a column and the kind of a measure are decided once per
// batch rather than once per row.
func (p *partial) add(rec arrow.RecordBatch) error {
	ag := p.ag
	keys, err := newRowKeys(rec, ag.by)
	if err != nil {
		return fmt.Errorf("%s: %w", ag.name, err)
	}
	n := int(rec.NumRows())
	gs := p.rowGroups[:0]
	var key, lastKey []byte
	var last *group
	for i := range n {
		key, _ = keys.key(key[:0], i)
		if last != nil && bytes.Equal(key, lastKey) {
			gs = append(gs, last) // runs of one group (sorted or clustered input) skip the map
			continue
		}
		g := p.groups[string(key)]
		if g == nil {
			g = &group{from: p, idx: len(p.groups), key: string(key), states: make([]measureState, len(ag.measures))}
			p.groups[g.key] = g
			p.bytes += int64(2*len(key)) + 64 + 120*int64(len(ag.measures))
			for k, j := range ag.by {
				if err := appendValue(p.keyBld[k], rec.Column(j), i); err != nil {
					return err
				}
			}
		}
		gs = append(gs, g)
		last, lastKey = g, append(lastKey[:0], key...)
	}
	p.rowGroups = gs
	for k, d := range ag.measures {
		if d.state != k {
			continue // folded as measure d.state
		}
		if err := p.addMeasure(rec, gs, k, d); err != nil {
			return fmt.Errorf("%s: %s: %w", ag.name, d.name, err)
		}
	}
	clear(gs) // keep no groups reachable from the scratch slice
	return nil
}

// addMeasure folds measure k of every row; gs[i] is row i's group.
func (p *partial) addMeasure(rec arrow.RecordBatch, gs []*group, k int, d measureDef) error {
	if d.col < 0 { // count(*)
		for _, g := range gs {
			g.states[k].n++
		}
		return nil
	}
	a := rec.Column(d.col)
	nulls := a.NullN() > 0
	switch d.m.Func {
	case "count":
		for i, g := range gs {
			if !nulls || a.IsValid(i) {
				g.states[k].n++
			}
		}
	case "sum", "avg":
		return foldSum(a, nulls, gs, k)
	case "min", "max":
		for i, g := range gs {
			if nulls && a.IsNull(i) {
				continue
			}
			st := &g.states[k]
			st.n++
			if err := addExtreme(st, d.m.Func == "min", a, i); err != nil {
				return err
			}
		}
	case "count_distinct":
		if smallInt(d.typ) {
			return eachInt(a, func(i int, v int64) {
				if nulls && a.IsNull(i) {
					return
				}
				st := &gs[i].states[k]
				st.n++
				if st.ints == nil {
					st.ints = &intSet{}
				}
				p.bytes += st.ints.add(v)
			})
		}
		return eachEncoded(a, nulls, gs, k, func(st *measureState, v []byte) {
			if _, seen := st.distinct[string(v)]; seen {
				return
			}
			if st.distinct == nil {
				st.distinct = map[string]struct{}{}
			}
			st.distinct[string(v)] = struct{}{}
			p.bytes += int64(len(v)) + 48
		})
	case "approx_distinct":
		return eachEncoded(a, nulls, gs, k, func(st *measureState, v []byte) {
			if st.hll == nil {
				st.hll = sketch.NewHLL()
				p.bytes += 16 << 10
			}
			st.hll.AddBytes(v)
		})
	case "percentile":
		var err error
		add := func(i int, v float64) {
			if err != nil || (nulls && a.IsNull(i)) {
				return
			}
			st := &gs[i].states[k]
			st.n++
			if st.q == nil {
				if st.q, err = sketch.NewQuantiles(QuantileAccuracy); err != nil {
					return
				}
				p.bytes += 2 << 10 // a few hundred bins
			}
			err = st.q.Add(v)
		}
		if e := eachNumber(a, add); e != nil {
			return e
		}
		return err
	}
	return nil
}

// eachEncoded calls fn with the state of measure k of each non-NULL
// row's group (its count of values already raised) and the row's value
// in key encoding, which is only valid during the call.
func eachEncoded(a arrow.Array, nulls bool, gs []*group, k int, fn func(st *measureState, v []byte)) error {
	enc, err := newKeyEncoder(a)
	if err != nil {
		return err
	}
	var vbuf []byte
	for i, g := range gs {
		if nulls && a.IsNull(i) {
			continue
		}
		st := &g.states[k]
		st.n++
		vbuf = enc(vbuf[:0], i)
		fn(st, vbuf)
	}
	return nil
}

// foldSum adds a column into the groups' sums exactly: integers in int64
// (overflow is an error, not a wrap), decimals in 128 bits, floats in
// float64.
func foldSum(a arrow.Array, nulls bool, gs []*group, k int) error {
	switch a.(type) {
	case *array.Float32, *array.Float64, *array.Decimal128:
		for i, g := range gs {
			if nulls && a.IsNull(i) {
				continue
			}
			st := &g.states[k]
			st.n++
			if err := addSum(st, a, i); err != nil {
				return err
			}
		}
		return nil
	}
	var overflow bool
	err := eachInt(a, func(i int, x int64) {
		if nulls && a.IsNull(i) {
			return
		}
		st := &gs[i].states[k]
		st.n++
		s := st.i + x
		if (x > 0 && s < st.i) || (x < 0 && s > st.i) {
			overflow = true
		}
		st.i = s
	})
	if err == nil && overflow {
		err = errors.New("sum overflows BIGINT")
	}
	return err
}

// eachInt calls f with every row's value of an integer-like column
// (NULL rows included, with whatever value their slot holds), reading
// the typed values slice once instead of switching on the type per row.
func eachInt(a arrow.Array, f func(i int, v int64)) error {
	switch v := a.(type) {
	case *array.Int8:
		eachOf(v.Int8Values(), f)
	case *array.Int16:
		eachOf(v.Int16Values(), f)
	case *array.Int32:
		eachOf(v.Int32Values(), f)
	case *array.Int64:
		eachOf(v.Int64Values(), f)
	case *array.Uint8:
		eachOf(v.Uint8Values(), f)
	case *array.Uint16:
		eachOf(v.Uint16Values(), f)
	case *array.Uint32:
		eachOf(v.Uint32Values(), f)
	case *array.Timestamp:
		eachOf(v.TimestampValues(), f)
	case *array.Date32:
		eachOf(v.Date32Values(), f)
	default:
		return fmt.Errorf("not an integer column: %s", a.DataType())
	}
	return nil
}

func eachOf[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | arrow.Timestamp | arrow.Date32](vals []T, f func(i int, v int64)) {
	for i, x := range vals {
		f(i, int64(x))
	}
}

// eachNumber is eachInt for any numeric column, as float64 (the
// percentile sketch's input).
func eachNumber(a arrow.Array, f func(i int, v float64)) error {
	switch v := a.(type) {
	case *array.Float32:
		for i, x := range v.Float32Values() {
			f(i, float64(x))
		}
	case *array.Float64:
		for i, x := range v.Float64Values() {
			f(i, x)
		}
	case *array.Decimal128:
		for i := range v.Len() {
			if v.IsValid(i) {
				f(i, numberValue(a, i))
			}
		}
	default:
		return eachInt(a, func(i int, x int64) { f(i, float64(x)) })
	}
	return nil
}
