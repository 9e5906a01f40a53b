package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/expression/function/aggregation"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"

	"github.com/hetl/hetl/ingest/format"
)

// aggRuleID names the aggregation rule among the analyzer's.
const aggRuleID analyzer.RuleId = 10_001

// aggregateRule replaces a GROUP BY over a hetl table (under an optional
// filter and alias) by an aggScan, which computes the same rows straight
// from the Arrow batches instead of one go-mysql-server row at a time.
// It runs after the analyzer has assigned every column its index, so
// the nodes above see the GroupBy's schema, unchanged. Anything it does
// not know how to compute exactly as go-mysql-server does is left to
// go-mysql-server.
func aggregateRule(ctx *gsql.Context, a *analyzer.Analyzer, n gsql.Node, scope *plan.Scope, sel analyzer.RuleSelector, qf *gsql.QueryFlags) (gsql.Node, transform.TreeIdentity, error) {
	if !scope.IsEmpty() {
		return n, transform.SameTree, nil // a subquery's rows carry its outer scope
	}
	return transform.NodeWithOpaque(n, func(n gsql.Node) (gsql.Node, transform.TreeIdentity, error) {
		g, ok := n.(*plan.GroupBy)
		if !ok {
			return n, transform.SameTree, nil
		}
		if s := newAggScan(g); s != nil {
			return s, transform.NewTree, nil
		}
		return n, transform.SameTree, nil
	})
}

// measureKind is what one output column of an aggScan computes.
type measureKind int

const (
	firstValue  measureKind = iota // a column's first non-NULL value (go-mysql-server's value of a grouped column)
	countRows                      // COUNT(*), COUNT(1)
	countValues                    // COUNT(col)
	sumValues                      // SUM(col): a float64 sum, as go-mysql-server's
	avgValues                      // AVG(col)
	minValue                       // MIN(col)
	maxValue                       // MAX(col)
)

// numKind is how a measure reads a column's numbers.
type numKind int

const (
	numInt numKind = iota
	numUint
	numFloat
	numTime // a timestamp's raw integer (min/max only)
)

type measure struct {
	kind measureKind
	col  int // index in the table's projected schema (-1: COUNT(*))
	num  numKind
}

// scanConjunct is one AND term of the filter. Terms of partition keys
// only are evaluated once per file; the others per row, with the
// term's last result reused while its one column keeps its value.
type scanConjunct struct {
	expr    gsql.Expression
	cols    []int // columns it reads (projected schema indices)
	keyOnly bool
	memo    bool // deterministic and reads one file column
}

// aggScan is a GROUP BY computed over a hetl table's files: the same
// rows, in the same order (groups in the order their first row is
// read), with the same values and Go types, as go-mysql-server's
// GroupBy over the table's rows.
type aggScan struct {
	g        *plan.GroupBy // what it replaces: its schema and description
	t        *table
	cols     gsql.Schema // the table's projected schema: the indices below are into it
	group    []int
	measures []measure
	filter   []scanConjunct
}

var (
	_ gsql.ExecSourceRel = (*aggScan)(nil)
	_ gsql.Projector     = (*aggScan)(nil)
)

// newAggScan is g as an aggScan, or nil when g is not one it computes.
func newAggScan(g *plan.GroupBy) *aggScan {
	child := g.Child
	var filter gsql.Expression
	if f, ok := child.(*plan.Filter); ok {
		filter, child = f.Expression, f.Child
	}
	if ta, ok := child.(*plan.TableAlias); ok {
		child = ta.Child
	}
	rt, ok := child.(*plan.ResolvedTable)
	if !ok {
		return nil
	}
	tbl := rt.Table
	if pt, ok := tbl.(*plan.ProcessTable); ok {
		tbl = pt.Underlying()
	}
	t, ok := tbl.(*table)
	if !ok {
		return nil
	}
	s := &aggScan{g: g, t: t, cols: t.projected()}
	// Every file must hold each column the scan reads with the table's
	// type (or lack it: NULL), so one reading of a column fits all.
	checked := map[*arrow.Schema]bool{} // files share their schema's value
	for _, f := range t.files {
		if checked[f.schema] {
			continue
		}
		checked[f.schema] = true
		for _, c := range s.cols {
			if indexFold(t.keys, c.Name) >= 0 {
				continue
			}
			want := t.arrow.Field(fieldFold(t.arrow, c.Name)).Type
			if i := fieldFold(f.schema, c.Name); i >= 0 && !arrow.TypeEqual(f.schema.Field(i).Type, want) {
				return nil
			}
		}
	}
	for _, e := range g.GroupByExprs {
		j, ok := s.column(e)
		if !ok || !s.groupable(j) {
			return nil
		}
		s.group = append(s.group, j)
	}
	aggregates := 0
	for _, e := range g.SelectedExprs {
		if a, ok := e.(*expression.Alias); ok {
			e = a.Child
		}
		m, ok := s.measure(e)
		if !ok {
			return nil
		}
		if m.kind != firstValue {
			aggregates++
		}
		s.measures = append(s.measures, m)
	}
	if len(s.group) == 0 && aggregates == 0 {
		return nil // go-mysql-server returns every row then
	}
	if filter != nil {
		for _, c := range expression.SplitConjunction(filter) {
			sc, ok := s.conjunct(c)
			if !ok {
				return nil
			}
			s.filter = append(s.filter, sc)
		}
	}
	return s
}

// column is the projected column e reads, if e is a column of the table.
func (s *aggScan) column(e gsql.Expression) (int, bool) {
	f, ok := e.(*expression.GetField)
	if !ok {
		return 0, false
	}
	j := f.Index()
	if j < 0 || j >= len(s.cols) || !strings.EqualFold(s.cols[j].Name, f.Name()) {
		return 0, false
	}
	return j, true
}

// arrowType is column j's type (nil for a partition key).
func (s *aggScan) arrowType(j int) arrow.DataType {
	if indexFold(s.t.keys, s.cols[j].Name) >= 0 {
		return nil
	}
	return s.t.arrow.Field(fieldFold(s.t.arrow, s.cols[j].Name)).Type
}

// groupable says whether rows can be grouped by column j comparing raw
// values: go-mysql-server groups strings by their collation's weights,
// which are the bytes only for a binary collation.
func (s *aggScan) groupable(j int) bool {
	if st, ok := s.cols[j].Type.(gsql.StringType); ok {
		c := st.Collation()
		if c != gsql.Collation_utf8mb4_0900_bin && c != gsql.Collation_binary && c != gsql.Collation_utf8mb4_bin {
			return false
		}
	}
	t := s.arrowType(j)
	if t == nil {
		return true
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.TIMESTAMP, arrow.DATE32, arrow.BOOL:
		return true
	}
	return false
}

// numberKind is how column j's numbers are read, if they can be.
func (s *aggScan) numberKind(j int, times bool) (numKind, bool) {
	t := s.arrowType(j)
	if t == nil {
		return 0, false
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return numInt, true
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return numUint, true
	case arrow.FLOAT32, arrow.FLOAT64:
		return numFloat, true
	case arrow.TIMESTAMP:
		return numTime, times
	}
	return 0, false
}

func (s *aggScan) measure(e gsql.Expression) (measure, bool) {
	if j, ok := s.column(e); ok {
		return measure{kind: firstValue, col: j}, true
	}
	agg, ok := e.(gsql.WindowAdaptableExpression)
	if !ok || agg.Window() != nil {
		return measure{}, false
	}
	var kind measureKind
	var child gsql.Expression
	times := false
	switch x := e.(type) {
	case *aggregation.Count:
		child = x.Child
		switch c := child.(type) {
		case *expression.Star:
			return measure{kind: countRows, col: -1}, true
		case *expression.Literal:
			if c.Val != nil {
				return measure{kind: countRows, col: -1}, true
			}
			return measure{}, false
		}
		j, ok := s.column(child)
		return measure{kind: countValues, col: j}, ok
	case *aggregation.Sum:
		kind, child = sumValues, x.Child
	case *aggregation.Avg:
		kind, child = avgValues, x.Child
	case *aggregation.Min:
		kind, child, times = minValue, x.Child, true
	case *aggregation.Max:
		kind, child, times = maxValue, x.Child, true
	default:
		return measure{}, false
	}
	j, ok := s.column(child)
	if !ok {
		return measure{}, false
	}
	num, ok := s.numberKind(j, times)
	return measure{kind: kind, col: j, num: num}, ok
}

// conjunct checks that e reads only columns of the table and no
// subquery, and says how it is evaluated.
func (s *aggScan) conjunct(e gsql.Expression) (scanConjunct, bool) {
	c := scanConjunct{expr: e, keyOnly: true, memo: true}
	ok := true
	seen := map[int]bool{}
	transform.InspectExpr(e, func(x gsql.Expression) bool {
		switch x := x.(type) {
		case *expression.GetField:
			j, good := s.column(x)
			if !good {
				ok = false
				return true
			}
			if !seen[j] {
				seen[j] = true
				c.cols = append(c.cols, j)
			}
			if s.arrowType(j) != nil {
				c.keyOnly = false
			}
		case gsql.ExpressionWithNodes, *expression.BindVar, *expression.ProcedureParam, *expression.UserVar, *expression.SystemVar:
			ok = false
			return true
		case *expression.Literal, *expression.And, *expression.Or, *expression.Not, *expression.Equals, *expression.NullSafeEquals,
			*expression.GreaterThan, *expression.GreaterThanOrEqual, *expression.LessThan, *expression.LessThanOrEqual,
			*expression.Between, *expression.InTuple, *expression.HashInTuple, *expression.IsNull, expression.Tuple:
		default:
			c.memo = false // may depend on more than its column (time, randomness)
		}
		return false
	})
	if c.keyOnly {
		c.memo = false
	} else if len(c.cols) != 1 {
		c.memo = false
	}
	return c, ok
}

// fieldFold is the index of the field named name (any case), or -1.
func fieldFold(s *arrow.Schema, name string) int {
	if idx := s.FieldIndices(name); idx != nil {
		return idx[0]
	}
	for i, f := range s.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

func (s *aggScan) Resolved() bool                    { return true }
func (s *aggScan) IsReadOnly() bool                  { return true }
func (s *aggScan) Schema() gsql.Schema               { return s.g.Schema() }
func (s *aggScan) Children() []gsql.Node             { return nil }
func (s *aggScan) ProjectedExprs() []gsql.Expression { return s.g.SelectedExprs }
func (s *aggScan) CollationCoercibility(*gsql.Context) (gsql.CollationID, byte) {
	return gsql.Collation_binary, 7
}

func (s *aggScan) WithChildren(children ...gsql.Node) (gsql.Node, error) {
	if len(children) != 0 {
		return nil, gsql.ErrInvalidChildrenNumber.New(s, len(children), 0)
	}
	return s, nil
}

func (s *aggScan) String() string {
	p := gsql.NewTreePrinter()
	_ = p.WriteNode("HetlAggregate(%s)", s.t.name)
	var sel, grp, flt []string
	for _, e := range s.g.SelectedExprs {
		sel = append(sel, e.String())
	}
	for _, e := range s.g.GroupByExprs {
		grp = append(grp, e.String())
	}
	for _, c := range s.filter {
		flt = append(flt, c.expr.String())
	}
	children := []string{"SelectedExprs(" + strings.Join(sel, ", ") + ")", "Grouping(" + strings.Join(grp, ", ") + ")"}
	if len(flt) > 0 {
		children = append(children, "Filter("+strings.Join(flt, " AND ")+")")
	}
	children = append(children, fmt.Sprintf("Files(%d of %d)", len(s.t.keptFiles()), len(s.t.files)))
	_ = p.WriteChildren(children...)
	return p.String()
}

// keptFiles are the indices of the files pruning keeps.
func (t *table) keptFiles() []int {
	var out []int
	for i, f := range t.files {
		if t.keep == nil || t.keep(f) {
			out = append(out, i)
		}
	}
	return out
}

// accum is one measure's state in one group.
type accum struct {
	n   int64   // COUNT, AVG's count
	f   float64 // SUM, AVG; MIN/MAX of floats
	i   int64   // MIN/MAX of signed integers and timestamps
	u   uint64  // MIN/MAX of unsigned integers
	set bool    // a value was seen
	v   any     // the first value; MIN/MAX's value as go-mysql-server has it
}

// column is one projected column of one batch, read without boxing:
// from an Arrow array, or raw from Parquet pages (see parquet.go).
type column struct {
	key   bool // a partition key (or a column the file lacks): the same value on every row
	value any  // the key's value (nil: NULL)
	arr   arrow.Array
	box   valueFunc
	ints  func(i int) int64
	uints func(i int) uint64
	flts  func(i int) float64
	// Raw columns: validity (nil: no NULL), strings as an arena and
	// offsets, booleans.
	raw   bool
	valid []bool
	bytes []byte
	offs  []int32
	bools []bool
	buf   *rawBuf // the pooled slices behind them
}

func (c *column) null(i int) bool {
	switch {
	case c.key:
		return c.value == nil
	case c.raw:
		return c.valid != nil && !c.valid[i]
	}
	return c.arr.IsNull(i)
}

// appendKey appends row i's value to a group key: a NULL byte or a
// present byte and the raw value (strings length-prefixed).
func (c *column) appendKey(b []byte, i int) []byte {
	if c.null(i) {
		return append(b, 0)
	}
	b = append(b, 1)
	if c.key {
		s := c.value.(string)
		return append(binary.AppendUvarint(b, uint64(len(s))), s...)
	}
	if c.raw {
		switch {
		case c.offs != nil:
			v := c.bytes[c.offs[i]:c.offs[i+1]]
			return append(binary.AppendUvarint(b, uint64(len(v))), v...)
		case c.bools != nil:
			if c.bools[i] {
				return append(b, 1)
			}
			return append(b, 0)
		}
	}
	switch a := c.arr.(type) {
	case *array.String:
		s := a.Value(i)
		return append(binary.AppendUvarint(b, uint64(len(s))), s...)
	case *array.LargeString:
		s := a.Value(i)
		return append(binary.AppendUvarint(b, uint64(len(s))), s...)
	case *array.Binary:
		v := a.Value(i)
		return append(binary.AppendUvarint(b, uint64(len(v))), v...)
	case *array.LargeBinary:
		v := a.Value(i)
		return append(binary.AppendUvarint(b, uint64(len(v))), v...)
	case *array.Boolean:
		if a.Value(i) {
			return append(b, 1)
		}
		return append(b, 0)
	}
	if c.ints != nil {
		return binary.LittleEndian.AppendUint64(b, uint64(c.ints(i)))
	}
	if c.uints != nil {
		return binary.LittleEndian.AppendUint64(b, c.uints(i))
	}
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(c.flts(i)))
}

// boxed is row i's value as the table's rows have it.
func (c *column) boxed(i int) any {
	if c.key {
		return c.value
	}
	if c.raw && c.null(i) {
		return nil
	}
	return c.box(i)
}

// newColumn reads a batch's array a without boxing where it can.
func newColumn(a arrow.Array) (*column, error) {
	box, err := valuesOf(a)
	if err != nil {
		return nil, err
	}
	c := &column{arr: a, box: box}
	switch x := a.(type) {
	case *array.Int8:
		c.ints = func(i int) int64 { return int64(x.Value(i)) }
	case *array.Int16:
		c.ints = func(i int) int64 { return int64(x.Value(i)) }
	case *array.Int32:
		c.ints = func(i int) int64 { return int64(x.Value(i)) }
	case *array.Int64:
		vs := x.Int64Values()
		c.ints = func(i int) int64 { return vs[i] }
	case *array.Timestamp:
		vs := x.TimestampValues()
		c.ints = func(i int) int64 { return int64(vs[i]) }
	case *array.Date32:
		c.ints = func(i int) int64 { return int64(x.Value(i)) }
	case *array.Uint8:
		c.uints = func(i int) uint64 { return uint64(x.Value(i)) }
	case *array.Uint16:
		c.uints = func(i int) uint64 { return uint64(x.Value(i)) }
	case *array.Uint32:
		c.uints = func(i int) uint64 { return uint64(x.Value(i)) }
	case *array.Uint64:
		c.uints = func(i int) uint64 { return x.Value(i) }
	case *array.Float32:
		c.flts = func(i int) float64 { return float64(x.Value(i)) }
	case *array.Float64:
		vs := x.Float64Values()
		c.flts = func(i int) float64 { return vs[i] }
	}
	return c, nil
}

// float is row i's number as go-mysql-server's SUM and AVG add it.
func (c *column) float(i int) float64 {
	switch {
	case c.ints != nil:
		return float64(c.ints(i))
	case c.uints != nil:
		return float64(c.uints(i))
	}
	return c.flts(i)
}

// cmpFloat is go-mysql-server's comparison of two DOUBLEs (a NaN is
// "greater" than anything, as there).
func cmpFloat(a, b float64) int {
	switch {
	case a == b:
		return 0
	case a < b:
		return -1
	}
	return 1
}

// update adds row i to a group's accumulators.
func (s *aggScan) update(acc []accum, cols []*column, i int) {
	for k, m := range s.measures {
		a := &acc[k]
		switch m.kind {
		case countRows:
			a.n++
			continue
		}
		c := cols[m.col]
		if c.null(i) {
			continue
		}
		switch m.kind {
		case firstValue:
			if !a.set {
				a.v, a.set = c.boxed(i), true
			}
		case countValues:
			a.n++
		case sumValues, avgValues:
			a.f += c.float(i)
			a.n++
			a.set = true
		case minValue, maxValue:
			want := 1
			if m.kind == minValue {
				want = -1
			}
			var cmp int
			switch m.num {
			case numInt, numTime:
				v := c.ints(i)
				if a.set {
					cmp = compare(v, a.i)
				}
				if !a.set || cmp == want {
					a.i = v
				}
			case numUint:
				v := c.uints(i)
				if a.set {
					cmp = compare(v, a.u)
				}
				if !a.set || cmp == want {
					a.u = v
				}
			case numFloat:
				v := c.flts(i)
				if a.set {
					cmp = cmpFloat(v, a.f)
				}
				if !a.set || cmp == want {
					a.f = v
				}
			}
			if !a.set || cmp == want {
				a.v, a.set = c.boxed(i), true
			}
		}
	}
}

func compare[T int64 | uint64](a, b T) int {
	switch {
	case a == b:
		return 0
	case a < b:
		return -1
	}
	return 1
}

// result is a group's row, as go-mysql-server's buffers evaluate.
func (s *aggScan) result(acc []accum) gsql.Row {
	row := make(gsql.Row, len(s.measures))
	for k, m := range s.measures {
		a := acc[k]
		switch m.kind {
		case firstValue, minValue, maxValue:
			row[k] = a.v
		case countRows, countValues:
			row[k] = a.n
		case sumValues:
			if a.set {
				row[k] = a.f
			}
		case avgValues:
			if a.set {
				row[k] = a.f / float64(a.n)
			}
		}
	}
	return row
}

func (s *aggScan) RowIter(ctx *gsql.Context, _ gsql.Row) (gsql.RowIter, error) {
	rows, err := s.compute(ctx)
	if err != nil {
		return nil, err
	}
	return gsql.RowsToRowIter(rows...), nil
}

// holds is whether e is TRUE for row (FALSE and NULL filter a row out).
func holds(ctx *gsql.Context, e gsql.Expression, row gsql.Row) (bool, error) {
	v, err := gsql.EvaluateCondition(ctx, e, row)
	return gsql.IsTrue(v), err
}

// memo is a per-row conjunct's last result and the value it was for.
type memo struct {
	key    []byte
	valid  bool
	result bool
}

// compute reads the kept files in order and folds their rows into
// groups.
func (s *aggScan) compute(ctx *gsql.Context) ([]gsql.Row, error) {
	t := s.t
	needed := make([]bool, len(s.cols))
	for _, j := range s.group {
		needed[j] = true
	}
	for _, m := range s.measures {
		if m.col >= 0 {
			needed[m.col] = true
		}
	}
	for _, c := range s.filter {
		for _, j := range c.cols {
			needed[j] = true
		}
	}
	var (
		groups   = map[string]int{}
		accs     [][]accum
		evalRow  = make(gsql.Row, len(s.cols))
		key, buf []byte
		lastKey  []byte
		last     = -1 // the group of the row before
		memos    = make([]memo, len(s.filter))
		cols     = make([]*column, len(s.cols))
	)
	var l2g []int // a batch's local group → group (-1: not looked up yet)
	process := func(n int, local []int32, localKeys []string) error {
		if local != nil {
			l2g = grow(l2g, len(localKeys))
			for k := range l2g {
				l2g[k] = -1
			}
		}
	rows:
		for i := range n {
			for k, c := range s.filter {
				if c.keyOnly {
					continue
				}
				if c.memo {
					col := cols[c.cols[0]]
					buf = col.appendKey(buf[:0], i)
					if m := &memos[k]; m.valid && string(m.key) == string(buf) {
						if !m.result {
							continue rows
						}
						continue
					}
					evalRow[c.cols[0]] = col.boxed(i)
					ok, err := holds(ctx, c.expr, evalRow)
					if err != nil {
						return err
					}
					memos[k] = memo{key: append(memos[k].key[:0], buf...), valid: true, result: ok}
					if !ok {
						continue rows
					}
					continue
				}
				for _, j := range c.cols {
					evalRow[j] = cols[j].boxed(i)
				}
				ok, err := holds(ctx, c.expr, evalRow)
				if err != nil {
					return err
				}
				if !ok {
					continue rows
				}
			}
			if local != nil {
				// The reader grouped the batch's rows: one lookup per group.
				lg := local[i]
				g := l2g[lg]
				if g < 0 {
					var ok bool
					if g, ok = groups[localKeys[lg]]; !ok {
						g = len(accs)
						groups[localKeys[lg]] = g
						accs = append(accs, make([]accum, len(s.measures)))
					}
					l2g[lg] = g
				}
				s.update(accs[g], cols, i)
				continue
			}
			key = key[:0]
			for _, j := range s.group {
				key = cols[j].appendKey(key, i)
			}
			// Rows of a group often follow each other (an aggregate's
			// rows are sorted by its keys): the last group first.
			g := last
			if g < 0 || string(key) != string(lastKey) {
				var ok bool
				if g, ok = groups[string(key)]; !ok {
					g = len(accs)
					groups[string(key)] = g
					accs = append(accs, make([]accum, len(s.measures)))
				}
				last, lastKey = g, append(lastKey[:0], key...)
			}
			s.update(accs[g], cols, i)
		}
		return nil
	}
	// The files to read: those pruning keeps whose partition keys the
	// filter's key-only terms accept (evaluated once per file).
	type plannedFile struct {
		f       fileInfo
		read    []string // file columns to read, in batch order
		readIdx []int    // their projected indices
	}
	var plan []plannedFile
files:
	for _, fi := range t.keptFiles() {
		f := t.files[fi]
		pf := plannedFile{f: f}
		for j, c := range s.cols {
			evalRow[j] = nil
			if k := indexFold(t.keys, c.Name); k >= 0 {
				evalRow[j] = f.keys[k]
				continue
			}
			if needed[j] && fieldFold(f.schema, c.Name) >= 0 {
				pf.read = append(pf.read, c.Name)
				pf.readIdx = append(pf.readIdx, j)
			}
		}
		for _, c := range s.filter {
			if !c.keyOnly {
				continue
			}
			ok, err := holds(ctx, c.expr, evalRow)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue files
			}
		}
		plan = append(plan, pf)
	}
	files := make([]fileInfo, len(plan))
	for k, pf := range plan {
		files[k] = pf.f
	}
	batches := s.prefetch(ctx, files, func(k int) ([]string, []format.Bound, []int) {
		var bounds []format.Bound
		for _, b := range t.bounds {
			if plan[k].f.schema.FieldIndices(b.Column) != nil {
				bounds = append(bounds, b)
			}
		}
		return plan[k].read, bounds, plan[k].readIdx
	})
	defer batches.stop()
	for k, pf := range plan {
		f := pf.f
		for j, c := range s.cols {
			if kk := indexFold(t.keys, c.Name); kk >= 0 {
				cols[j] = &column{key: true, value: f.keys[kk]}
			} else if needed[j] {
				cols[j] = &column{key: true} // a column older files lack: NULL
			}
		}
		if len(pf.read) == 0 {
			// Only keys and NULLs: the manifest has the row count.
			for range batches.file(k) {
			}
			batches.folded()
			if err := process(int(f.rows), nil, nil); err != nil {
				return nil, err
			}
			continue
		}
		for b := range batches.file(k) {
			if b.err != nil {
				return nil, fmt.Errorf("table %s: %s: %w", t.name, f.path, b.err)
			}
			for c, j := range pf.readIdx {
				cols[j] = b.cols[c]
			}
			err := process(b.n, b.local, b.localKeys)
			b.done()
			if err != nil {
				return nil, err
			}
		}
		batches.folded()
	}
	if len(s.group) == 0 && len(accs) == 0 {
		accs = append(accs, make([]accum, len(s.measures))) // one row, as over no rows
	}
	rows := make([]gsql.Row, len(accs))
	for g, acc := range accs {
		rows[g] = s.result(acc)
	}
	return rows, nil
}

// batch is n rows of a file's columns (in the order asked for), or
// the error that ended the file. With a GROUP BY, the reader also
// groups its rows: local[i] is row i's group among the batch's, whose
// keys are localKeys (in the order of their first rows).
type batch struct {
	cols      []*column
	n         int
	local     []int32
	localKeys []string
	release   func() // nil: nothing to release
	err       error
}

// grouper groups a batch's rows on a reader's goroutine.
type grouper struct {
	m         map[string]int32
	key, last []byte
	cols      []*column
}

// groupRows sets b.local and b.localKeys: rows keyed by the GROUP BY columns
// (file f's partition keys, the batch's columns at their indices in
// readIdx, NULL for a column the file lacks).
func (s *aggScan) groupRows(gr *grouper, f fileInfo, readIdx []int, b *batch) {
	gr.cols = gr.cols[:0]
	for _, j := range s.group {
		var c *column
		if k := indexFold(s.t.keys, s.cols[j].Name); k >= 0 {
			c = &column{key: true, value: f.keys[k]}
		} else if p := slices.Index(readIdx, j); p >= 0 {
			c = b.cols[p]
		} else {
			c = &column{key: true}
		}
		gr.cols = append(gr.cols, c)
	}
	clear(gr.m)
	b.local = make([]int32, b.n)
	lg := int32(-1)
	for i := range b.n {
		gr.key = gr.key[:0]
		for _, c := range gr.cols {
			gr.key = c.appendKey(gr.key, i)
		}
		if lg < 0 || string(gr.key) != string(gr.last) {
			var ok bool
			if lg, ok = gr.m[string(gr.key)]; !ok {
				lg = int32(len(b.localKeys))
				k := string(gr.key)
				gr.m[k] = lg
				b.localKeys = append(b.localKeys, k)
			}
			gr.last = append(gr.last[:0], gr.key...)
		}
		b.local[i] = lg
	}
}

func (b batch) done() {
	if b.release != nil {
		b.release()
	}
}

// prefetcher reads files on a few goroutines ahead of the one folding
// their batches, which takes them file by file in order: the rows are
// folded in the order a single reader would give them (float sums come
// out the same). Each file holds at most a few batches in waiting.
type prefetcher struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	out    []chan batch
	// ahead holds a token per file started and not yet folded: readers
	// stay at most cap(ahead) files ahead of the folding.
	ahead chan struct{}
}

// readRawParquet turns the raw Parquet reading on (tests turn it off to
// check the Arrow reading too).
var readRawParquet = true

// prefetchWorkers is how many files are read at once.
var prefetchWorkers = min(runtime.GOMAXPROCS(0), 4)

// prefetch starts reading files; what(k) names file k's columns and
// bounds.
func (s *aggScan) prefetch(ctx context.Context, files []fileInfo, what func(k int) (cols []string, bounds []format.Bound, readIdx []int)) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{cancel: cancel, out: make([]chan batch, len(files)), ahead: make(chan struct{}, 2*prefetchWorkers+2)}
	for k := range p.out {
		p.out[k] = make(chan batch, 4)
	}
	var next atomic.Int64
	for range min(prefetchWorkers, len(files)) {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			var gr *grouper
			if len(s.group) > 0 {
				gr = &grouper{m: map[string]int32{}}
			}
			for {
				// The token comes before the file: files are then started in
				// the order of their tokens, so the earliest file not yet
				// folded always holds one and is being read.
				select {
				case p.ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				k := int(next.Add(1) - 1)
				if k >= len(files) || ctx.Err() != nil {
					return
				}
				if cols, bounds, readIdx := what(k); len(cols) > 0 {
					s.readFile(ctx, files[k], cols, bounds, p.out[k], func(b *batch) {
						if gr != nil {
							s.groupRows(gr, files[k], readIdx, b)
						}
					})
				}
				close(p.out[k])
			}
		}()
	}
	return p
}

// file yields file k's batches.
func (p *prefetcher) file(k int) <-chan batch { return p.out[k] }

// folded says a file's batches have all been taken.
func (p *prefetcher) folded() { <-p.ahead }

// stop ends the reading and releases what was read and not taken.
func (p *prefetcher) stop() {
	p.cancel() // a worker waiting to send gives up
	p.wg.Wait()
	for _, ch := range p.out {
	drain:
		for {
			select {
			case b, ok := <-ch:
				if !ok {
					break drain
				}
				b.done()
			default:
				break drain
			}
		}
	}
}

// readFile sends every batch of one file to out (an error last): its
// columns raw from the Parquet pages when they all can be, else through
// Arrow.
func (s *aggScan) readFile(ctx context.Context, f fileInfo, cols []string, bounds []format.Bound, out chan<- batch, prepare func(*batch)) {
	send := func(b batch) bool {
		if b.err == nil {
			prepare(&b)
		}
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			b.done()
			return false
		}
	}
	name := path.Join(s.t.dir, f.path)
	wf, err := s.t.fsys.Open(ctx, name)
	if err != nil {
		send(batch{err: err})
		return
	}
	s.t.stats.FilesOpened.Add(1)
	popts := []file.ReadOption{file.WithReadProps(readProps)}
	if s.t.footers != nil {
		md, err := s.t.footers.Footer(name, wf, wf.Size())
		if err != nil {
			send(batch{err: errors.Join(err, wf.Close())})
			return
		}
		if md != nil {
			popts = append(popts, file.WithMetadata(md))
		}
	}
	pr, err := file.NewParquetReader(io.NewSectionReader(wf, 0, wf.Size()), popts...)
	if err != nil {
		send(batch{err: errors.Join(err, wf.Close())})
		return
	}
	// pr.Close would not close wf: the section reader is no Closer.
	leaves, types, ok := rawLeaves(pr, f.schema, cols)
	if ok && readRawParquet {
		groups, err := format.ParquetRowGroups(pr.MetaData(), f.schema, bounds)
		if err == nil {
			err = readRaw(pr, groups, leaves, types, s.t.stats, send)
		}
		cerr := wf.Close()
		if errors.Is(err, io.EOF) {
			return // the query ended
		}
		if err = errors.Join(err, cerr); err != nil {
			send(batch{err: err})
		}
		return
	}
	if err := wf.Close(); err != nil {
		send(batch{err: err})
		return
	}
	batchRows := int(min(max(f.rows, 1), 64<<10)) // the reader sizes its buffers by the batch
	r, err := format.NewReader(ctx, s.t.fsys, name, format.Parquet, format.ReadOptions{Columns: cols, Bounds: bounds, BatchRows: batchRows, Footers: s.t.footers})
	if err != nil {
		send(batch{err: err})
		return
	}
	for {
		if err := ctx.Err(); err != nil {
			send(batch{err: errors.Join(err, r.Close())})
			return
		}
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			if err := r.Close(); err != nil {
				send(batch{err: err})
			}
			return
		}
		if err != nil {
			send(batch{err: errors.Join(err, r.Close())})
			return
		}
		s.t.stats.RowsRead.Add(rec.NumRows())
		b := batch{n: int(rec.NumRows()), release: rec.Release}
		for k := range cols {
			c, err := newColumn(rec.Column(k))
			if err != nil {
				rec.Release()
				send(batch{err: errors.Join(fmt.Errorf("column %s: %w", cols[k], err), r.Close())})
				return
			}
			b.cols = append(b.cols, c)
		}
		if !send(b) {
			r.Close() // the query ended: nobody reads this error
			return
		}
	}
}
