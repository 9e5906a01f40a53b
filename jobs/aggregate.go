package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/jobs/sketch"
	"github.com/hetl/hetl/jobs/spec"
)

// WindowColumn is the column an aggregate puts first: the window's
// start (UTC), so a table of many hours can be queried without its
// partition columns.
const WindowColumn = "window_start"

// QuantileAccuracy is the relative accuracy of percentile measures: each
// is within 1% of the true value of the element of that rank.
const QuantileAccuracy = 0.01

// aggregate groups all its input, then emits one row per group, sorted
// by the group's key bytes so the output does not depend on the order
// rows arrived in.
type aggregate struct {
	in       Stream
	name     string
	window   *Window
	by       []int
	measures []measureDef
	schema   *arrow.Schema
	groups   map[string]*group
	keyBld   []array.Builder // the groups' key values, in creation order
	done     bool
}

type measureDef struct {
	name string
	m    spec.Measure
	col  int // -1 for count(*)
	typ  arrow.DataType
	out  arrow.DataType
}

type group struct {
	idx    int // row in keyBld
	key    string
	states []measureState
}

// measureState is one measure of one group.
type measureState struct {
	n        int64 // non-NULL values (rows for count(*))
	i        int64 // integer sum
	f        float64
	d        decimal128.Num
	min, max arrow.Array // single-value arrays holding the extreme
	minI     int
	maxI     int
	distinct map[string]struct{}
	hll      *sketch.HLL
	q        *sketch.Quantiles
}

// Aggregate groups in by the by columns and computes measures; with a
// window, WindowColumn comes first.
func Aggregate(in Stream, name string, a *spec.Aggregate, window *Window) (Stream, error) {
	s := in.Schema()
	ag := &aggregate{in: in, name: name, window: window, groups: map[string]*group{}}
	var fields []arrow.Field
	if window != nil {
		fields = append(fields, arrow.Field{Name: WindowColumn, Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}})
	}
	for _, c := range a.By {
		j := fieldIndexFold(s, c)
		if j < 0 {
			return nil, fmt.Errorf("%s: by: no column %q (columns: %s)", name, c, fieldNames(s))
		}
		if keyFamily(s.Field(j).Type) == "" {
			return nil, fmt.Errorf("%s: by: cannot group by %s (%s)", name, c, s.Field(j).Type)
		}
		ag.by = append(ag.by, j)
		f := s.Field(j)
		fields = append(fields, arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable, Metadata: f.Metadata})
		ag.keyBld = append(ag.keyBld, array.NewBuilder(memory.DefaultAllocator, f.Type))
	}
	for _, mm := range a.Measures {
		mname, src, err := spec.One(mm)
		if err != nil {
			return nil, fmt.Errorf("%s: measures: %w", name, err)
		}
		m, err := spec.ParseMeasure(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, mname, err)
		}
		d := measureDef{name: mname, m: m, col: -1}
		if m.Column != "" {
			d.col = fieldIndexFold(s, m.Column)
			if d.col < 0 {
				return nil, fmt.Errorf("%s: %s: no column %q (columns: %s)", name, mname, m.Column, fieldNames(s))
			}
			d.typ = s.Field(d.col).Type
		}
		if d.out, err = measureType(m, d.typ); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, mname, err)
		}
		if fieldIndexFold(arrow.NewSchema(fields, nil), mname) >= 0 {
			return nil, fmt.Errorf("%s: measure %s has the name of another output column", name, mname)
		}
		ag.measures = append(ag.measures, d)
		fields = append(fields, arrow.Field{Name: mname, Type: d.out, Nullable: m.Func != "count" && m.Func != "count_distinct" && m.Func != "approx_distinct"})
	}
	ag.schema = arrow.NewSchema(fields, nil)
	return ag, nil
}

func numeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128:
		return true
	}
	return false
}

func measureType(m spec.Measure, t arrow.DataType) (arrow.DataType, error) {
	switch m.Func {
	case "count", "count_distinct", "approx_distinct":
		if t != nil && keyFamily(t) == "" && m.Func != "count" {
			return nil, fmt.Errorf("cannot count distinct values of %s", t)
		}
		return arrow.PrimitiveTypes.Int64, nil
	case "min", "max":
		if _, err := newOrderer(t); err != nil {
			return nil, err
		}
		return t, nil
	case "sum":
		switch {
		case t.ID() == arrow.DECIMAL128:
			return &arrow.Decimal128Type{Precision: 38, Scale: t.(*arrow.Decimal128Type).Scale}, nil
		case t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64:
			return arrow.PrimitiveTypes.Float64, nil
		case t.ID() == arrow.UINT64:
			return nil, errors.New("sum of BIGINT UNSIGNED: cast it first")
		case numeric(t):
			return arrow.PrimitiveTypes.Int64, nil
		}
		return nil, fmt.Errorf("cannot sum %s", t)
	case "avg", "percentile":
		if !numeric(t) || t.ID() == arrow.UINT64 {
			return nil, fmt.Errorf("%s needs a number, not %s", m.Func, t)
		}
		return arrow.PrimitiveTypes.Float64, nil
	}
	return nil, fmt.Errorf("unknown measure %s", m.Func)
}

func (ag *aggregate) Schema() *arrow.Schema { return ag.schema }

func (ag *aggregate) Close() error {
	for _, b := range ag.keyBld {
		b.Release()
	}
	ag.keyBld = nil
	for _, g := range ag.groups {
		for _, st := range g.states {
			releaseState(st)
		}
	}
	ag.groups = nil
	return ag.in.Close()
}

func releaseState(st measureState) {
	if st.min != nil {
		st.min.Release()
	}
	if st.max != nil {
		st.max.Release()
	}
}

func (ag *aggregate) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if ag.done {
		return nil, io.EOF
	}
	ag.done = true
	for {
		rec, err := ag.in.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		err = ag.add(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	return ag.result()
}

// add folds one batch into the groups.
func (ag *aggregate) add(rec arrow.RecordBatch) error {
	keys, err := newRowKeys(rec, ag.by)
	if err != nil {
		return fmt.Errorf("%s: %w", ag.name, err)
	}
	encs := make([]keyEncoder, len(ag.measures))
	for k, d := range ag.measures {
		if d.col >= 0 && (d.m.Func == "count_distinct" || d.m.Func == "approx_distinct") {
			if encs[k], err = newKeyEncoder(rec.Column(d.col)); err != nil {
				return fmt.Errorf("%s: %s: %w", ag.name, d.name, err)
			}
		}
	}
	var key, vbuf []byte
	for i := range int(rec.NumRows()) {
		key, _ = keys.key(key[:0], i)
		g := ag.groups[string(key)]
		if g == nil {
			g = &group{idx: len(ag.groups), key: string(key), states: make([]measureState, len(ag.measures))}
			ag.groups[g.key] = g
			for k, j := range ag.by {
				if err := appendValue(ag.keyBld[k], rec.Column(j), i); err != nil {
					return err
				}
			}
		}
		for k, d := range ag.measures {
			st := &g.states[k]
			if d.col < 0 {
				st.n++
				continue
			}
			a := rec.Column(d.col)
			if a.IsNull(i) {
				continue
			}
			st.n++
			switch d.m.Func {
			case "sum", "avg":
				if err := addSum(st, a, i); err != nil {
					return fmt.Errorf("%s: %s: %w", ag.name, d.name, err)
				}
			case "min", "max":
				if err := addExtreme(st, d.m.Func == "min", a, i); err != nil {
					return err
				}
			case "count_distinct":
				vbuf = encs[k](vbuf[:0], i)
				if st.distinct == nil {
					st.distinct = map[string]struct{}{}
				}
				st.distinct[string(vbuf)] = struct{}{}
			case "approx_distinct":
				vbuf = encs[k](vbuf[:0], i)
				if st.hll == nil {
					st.hll = sketch.NewHLL()
				}
				st.hll.AddBytes(vbuf)
			case "percentile":
				if st.q == nil {
					if st.q, err = sketch.NewQuantiles(QuantileAccuracy); err != nil {
						return err
					}
				}
				if err := st.q.Add(numberValue(a, i)); err != nil {
					return fmt.Errorf("%s: %s: %w", ag.name, d.name, err)
				}
			}
		}
	}
	return nil
}

// addSum adds exactly: integers in int64 (overflow is an error, not a
// wrap), decimals in 128 bits, floats in float64.
func addSum(st *measureState, a arrow.Array, i int) error {
	switch v := a.(type) {
	case *array.Float32, *array.Float64:
		st.f += floatValue(a, i)
	case *array.Decimal128:
		st.d = st.d.Add(v.Value(i))
		if !st.d.FitsInPrecision(38) {
			return errors.New("sum overflows DECIMAL(38)")
		}
	default:
		x := intValue(a, i)
		s := st.i + x
		if (x > 0 && s < st.i) || (x < 0 && s > st.i) {
			return errors.New("sum overflows BIGINT")
		}
		st.i = s
	}
	return nil
}

func addExtreme(st *measureState, isMin bool, a arrow.Array, i int) error {
	cur, curI := st.max, st.maxI
	if isMin {
		cur, curI = st.min, st.minI
	}
	cmp, err := newOrderer(a.DataType())
	if err != nil {
		return err
	}
	if cur != nil {
		c := cmp(a, i, cur, curI)
		if (isMin && c >= 0) || (!isMin && c <= 0) {
			return nil
		}
		cur.Release()
	}
	one := array.NewSlice(a, int64(i), int64(i+1))
	if isMin {
		st.min, st.minI = one, 0
	} else {
		st.max, st.maxI = one, 0
	}
	return nil
}

// numberValue is a numeric value as a float64 (for percentiles).
func numberValue(a arrow.Array, i int) float64 {
	switch v := a.(type) {
	case *array.Float32, *array.Float64:
		return floatValue(a, i)
	case *array.Decimal128:
		return v.Value(i).ToFloat64(v.DataType().(*arrow.Decimal128Type).Scale)
	}
	return float64(intValue(a, i))
}

// result builds the output batch, groups sorted by key.
func (ag *aggregate) result() (arrow.RecordBatch, error) {
	groups := make([]*group, 0, len(ag.groups))
	for _, g := range ag.groups {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(a, b int) bool { return bytes.Compare([]byte(groups[a].key), []byte(groups[b].key)) < 0 })
	if len(groups) == 0 {
		return nil, io.EOF // an empty window has no groups (SQL's GROUP BY)
	}
	mem := memory.DefaultAllocator
	rb := array.NewRecordBuilder(mem, ag.schema)
	defer rb.Release()
	off := 0
	if ag.window != nil {
		tb := rb.Field(0).(*array.TimestampBuilder)
		for range groups {
			tb.Append(arrow.Timestamp(ag.window.Start.UnixMicro()))
		}
		off = 1
	}
	// Keys: taken from the builders in the sorted order.
	for k := range ag.by {
		keys := ag.keyBld[k].NewArray()
		for _, g := range groups {
			if err := appendValue(rb.Field(off+k), keys, g.idx); err != nil {
				keys.Release()
				return nil, err
			}
		}
		keys.Release()
	}
	off += len(ag.by)
	for k, d := range ag.measures {
		b := rb.Field(off + k)
		for _, g := range groups {
			if err := appendMeasure(b, d, g.states[k]); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", ag.name, d.name, err)
			}
		}
	}
	return rb.NewRecordBatch(), nil
}

func appendMeasure(b array.Builder, d measureDef, st measureState) error {
	switch d.m.Func {
	case "count":
		b.(*array.Int64Builder).Append(st.n)
	case "count_distinct":
		b.(*array.Int64Builder).Append(int64(len(st.distinct)))
	case "approx_distinct":
		var n uint64
		if st.hll != nil {
			n = st.hll.Estimate()
		}
		b.(*array.Int64Builder).Append(int64(n))
	case "sum", "avg":
		if st.n == 0 {
			b.AppendNull()
			return nil
		}
		switch dt := d.typ.(type) {
		case *arrow.Float32Type, *arrow.Float64Type:
			if d.m.Func == "sum" {
				b.(*array.Float64Builder).Append(st.f)
			} else {
				b.(*array.Float64Builder).Append(st.f / float64(st.n))
			}
		case *arrow.Decimal128Type:
			if d.m.Func == "sum" {
				b.(*array.Decimal128Builder).Append(st.d)
			} else {
				b.(*array.Float64Builder).Append(st.d.ToFloat64(dt.Scale) / float64(st.n))
			}
		default:
			if d.m.Func == "sum" {
				b.(*array.Int64Builder).Append(st.i)
			} else {
				b.(*array.Float64Builder).Append(float64(st.i) / float64(st.n))
			}
		}
	case "min", "max":
		v := st.min
		if d.m.Func == "max" {
			v = st.max
		}
		if v == nil {
			b.AppendNull()
			return nil
		}
		return appendValue(b, v, 0)
	case "percentile":
		if st.q == nil {
			b.AppendNull()
			return nil
		}
		v, ok := st.q.Quantile(d.m.P)
		if !ok || math.IsNaN(v) {
			b.AppendNull()
			return nil
		}
		b.(*array.Float64Builder).Append(v)
	}
	return nil
}
