package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"

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
	byTypes  []arrow.DataType
	measures []measureDef
	schema   *arrow.Schema
	workers  int
	done     bool

	budget  int64 // bytes of group state held before spilling (0: never)
	spillMu sync.Mutex
	spill   *spillFiles // nil until a partial outgrows its share of the budget
	out     []arrow.RecordBatch
}

// partial is the groups of the batches one worker saw; partials merge
// into the result. Every measure's state merges exactly and in any order
// (counts, integer and decimal sums, extremes, distinct sets, HLL and
// DDSketch registers), so the result does not depend on which worker saw
// which batch — the basis of splitting a window into tasks.
type partial struct {
	ag     *aggregate
	bytes  int64 // about what the groups hold
	groups map[string]*group
	keyBld []array.Builder // the groups' key values, in creation order
	keys   []arrow.Array   // keyBld's arrays, once done
	extra  []*partial      // partials merged into this one, whose key arrays its groups use

	rowGroups []*group // add's scratch: each row's group
}

type measureDef struct {
	name string
	m    spec.Measure
	col  int // -1 for count(*)
	typ  arrow.DataType
	out  arrow.DataType
	// state is the measure whose state this one reads: itself, or an
	// earlier measure that keeps the same state of the same column
	// (sum and avg; percentiles at different ranks), which is then
	// folded once for both.
	state int
}

type group struct {
	from   *partial // whose key arrays hold the group's key values
	idx    int      // row in them
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
	ints     *intSet // count_distinct of an integer column
	hll      *sketch.HLL
	q        *sketch.Quantiles
}

// Aggregate groups in by the by columns and computes measures; with a
// window, WindowColumn comes first. Groups spill to disk past
// DefaultMemoryBudget.
func Aggregate(in Stream, name string, a *spec.Aggregate, window *Window) (Stream, error) {
	return aggregateWithBudget(in, name, a, window, DefaultMemoryBudget)
}

// aggregateWithBudget is Aggregate holding at most about budget bytes of
// group state (0: no limit) before it spills to disk.
func aggregateWithBudget(in Stream, name string, a *spec.Aggregate, window *Window, budget int64) (Stream, error) {
	s := in.Schema()
	ag := &aggregate{in: in, name: name, window: window, workers: runtime.GOMAXPROCS(0), budget: budget}
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
		ag.byTypes = append(ag.byTypes, f.Type)
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
		if (m.Func == "sum" || m.Func == "avg") && (d.typ.ID() == arrow.FLOAT32 || d.typ.ID() == arrow.FLOAT64) {
			// A float sum depends on the order of its additions; one
			// worker keeps it the same from run to run.
			ag.workers = 1
		}
		d.state = len(ag.measures)
		for k, o := range ag.measures {
			if o.col == d.col && d.col >= 0 && stateKind(o.m.Func) == stateKind(d.m.Func) && stateKind(d.m.Func) != "" {
				d.state = k
				break
			}
		}
		ag.measures = append(ag.measures, d)
		fields = append(fields, arrow.Field{Name: mname, Type: d.out, Nullable: m.Func != "count" && m.Func != "count_distinct" && m.Func != "approx_distinct"})
	}
	ag.schema = arrow.NewSchema(fields, nil)
	return ag, nil
}

// stateKind names what a measure function accumulates, for measures
// that can share one state; "" for those that cannot.
func stateKind(f string) string {
	switch f {
	case "sum", "avg":
		return "sum"
	case "percentile", "count", "count_distinct", "approx_distinct":
		return f
	}
	return ""
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

func (ag *aggregate) Close() error { return ag.in.Close() }

func (p *partial) release() {
	for _, b := range p.keyBld {
		b.Release()
	}
	for _, a := range p.keys {
		a.Release()
	}
	for _, o := range p.extra {
		o.release()
	}
	p.extra = nil
	for _, g := range p.groups {
		for _, st := range g.states {
			releaseState(st)
		}
	}
	p.keyBld, p.keys, p.groups = nil, nil, nil
}

func releaseState(st measureState) {
	if st.min != nil {
		st.min.Release()
	}
	if st.max != nil {
		st.max.Release()
	}
}

func (ag *aggregate) newPartial() *partial {
	p := &partial{ag: ag, groups: map[string]*group{}}
	for _, t := range ag.byTypes {
		p.keyBld = append(p.keyBld, array.NewBuilder(memory.DefaultAllocator, t))
	}
	return p
}

func (ag *aggregate) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !ag.done {
		ag.done = true
		if err := ag.compute(ctx); err != nil {
			return nil, err
		}
	}
	if len(ag.out) == 0 {
		return nil, io.EOF
	}
	rec := ag.out[0]
	ag.out = ag.out[1:]
	return rec, nil
}

// compute folds the input and queues the result: one batch, or, when
// the groups outgrew the budget, one per spilled partition.
func (ag *aggregate) compute(ctx context.Context) error {
	final, parts, err := ag.fold(ctx)
	defer func() {
		for _, p := range parts {
			p.release()
		}
	}()
	if err != nil {
		return err
	}
	ag.out, err = ag.results(final)
	return err
}

// fold reads the whole input into one partial, final, with its key
// arrays built; the caller releases every partial of parts (final is
// one of them).
func (ag *aggregate) fold(ctx context.Context) (final *partial, parts []*partial, err error) {
	// Workers fold batches into their own partials; the partials are
	// merged at the end.
	parts = make([]*partial, ag.workers)
	for i := range parts {
		parts[i] = ag.newPartial()
	}
	batches := make(chan arrow.RecordBatch, ag.workers)
	errs := make([]error, ag.workers)
	var wg sync.WaitGroup
	for w := range ag.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rec := range batches {
				if errs[w] == nil {
					errs[w] = parts[w].add(rec)
				}
				if errs[w] == nil && ag.budget > 0 && parts[w].bytes > ag.budget/int64(ag.workers) {
					errs[w] = ag.spillPartial(parts[w])
				}
				rec.Release()
			}
		}()
	}
	var readErr error
	for {
		rec, err := ag.in.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		batches <- rec
	}
	close(batches)
	wg.Wait()
	if err := errors.Join(append(errs, readErr)...); err != nil {
		return nil, parts, err
	}
	if ag.spill != nil {
		// Some groups are on disk: all go there, and are merged
		// partition by partition.
		for _, p := range parts {
			if err := ag.spillPartial(p); err != nil {
				return nil, parts, err
			}
		}
		return nil, parts, ag.spill.finish()
	}
	final = parts[0]
	for _, p := range parts[1:] {
		if err := final.merge(p); err != nil {
			return nil, parts, fmt.Errorf("%s: %w", ag.name, err)
		}
	}
	for _, p := range parts {
		for _, b := range p.keyBld {
			p.keys = append(p.keys, b.NewArray())
		}
	}
	return final, parts, nil
}

// merge folds o's groups into p's; o's key arrays stay o's.
func (p *partial) merge(o *partial) error {
	for k, og := range o.groups {
		g := p.groups[k]
		if g == nil {
			p.groups[k] = og
			delete(o.groups, k) // now p's to release
			continue
		}
		for i, d := range p.ag.measures {
			if err := mergeState(&g.states[i], &og.states[i], d); err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
		}
	}
	return nil
}

func mergeState(st, o *measureState, d measureDef) error {
	st.n += o.n
	switch d.m.Func {
	case "sum", "avg":
		switch d.typ.ID() {
		case arrow.FLOAT32, arrow.FLOAT64:
			st.f += o.f
		case arrow.DECIMAL128:
			st.d = st.d.Add(o.d)
			if !st.d.FitsInPrecision(38) {
				return errors.New("sum overflows DECIMAL(38)")
			}
		default:
			s := st.i + o.i
			if (o.i > 0 && s < st.i) || (o.i < 0 && s > st.i) {
				return errors.New("sum overflows BIGINT")
			}
			st.i = s
		}
	case "min", "max":
		isMin := d.m.Func == "min"
		src := o.max
		if isMin {
			src = o.min
		}
		if src != nil {
			if err := addExtreme(st, isMin, src, 0); err != nil {
				return err
			}
		}
	case "count_distinct":
		if len(o.distinct) > 0 && st.distinct == nil {
			st.distinct = map[string]struct{}{}
		}
		for v := range o.distinct {
			st.distinct[v] = struct{}{}
		}
		if o.ints != nil {
			if st.ints == nil {
				st.ints = &intSet{}
			}
			st.ints.merge(o.ints)
		}
	case "approx_distinct":
		if o.hll != nil {
			if st.hll == nil {
				st.hll = sketch.NewHLL()
			}
			st.hll.Merge(o.hll)
		}
	case "percentile":
		if o.q != nil {
			if st.q == nil {
				st.q = o.q
				o.q = nil
				return nil
			}
			return st.q.Merge(o.q)
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
func (ag *aggregate) result(final *partial) (arrow.RecordBatch, error) {
	groups := make([]*group, 0, len(final.groups))
	for _, g := range final.groups {
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
	// Keys: taken from the partials' key arrays in the sorted order.
	for k := range ag.by {
		for _, g := range groups {
			if err := appendValue(rb.Field(off+k), g.from.keys[k], g.idx); err != nil {
				return nil, err
			}
		}
	}
	off += len(ag.by)
	for k, d := range ag.measures {
		b := rb.Field(off + k)
		for _, g := range groups {
			if err := appendMeasure(b, d, g.states[d.state]); err != nil {
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
		b.(*array.Int64Builder).Append(int64(len(st.distinct) + st.ints.len()))
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
