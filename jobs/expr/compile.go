package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// node is a compiled expression: its type and how to compute it over a
// batch. eval computes the rows where act is true (all rows when act is
// nil); other rows are left meaningless and never raise an error.
type node struct {
	t     typ
	konst *vec // non-nil: the node is this constant (one row)
	eval  func(c *evalCtx, act []bool) (*vec, error)
}

// evalCtx is the state of one Program.Eval call; programs themselves
// hold none, so one program may evaluate batches concurrently.
type evalCtx struct {
	n    int
	rec  arrow.RecordBatch
	idx  []int // a referenced column's slot → its index in rec
	cols []colData
	mem  memory.Allocator
	keep []arrow.Array // arrays the vecs point into, released after Eval
}

type colData struct {
	v   *vec
	bad []int
}

// Program is a compiled expression. It is immutable: Eval may be called
// from several goroutines at once.
type Program struct {
	root *node
	cols []colInfo
	src  string
}

type colInfo struct {
	name  string
	index int // in the schema compiled against
	dt    arrow.DataType
}

// CompileString parses and compiles src.
func CompileString(src string, schema *arrow.Schema, reg *Registry) (*Program, error) {
	e, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Compile(e, schema, reg)
}

// Compile type-checks e against schema, whose column names match
// case-insensitively, and returns a program that computes it. reg may be
// nil (no Go functions).
func Compile(e Expr, schema *arrow.Schema, reg *Registry) (*Program, error) {
	if e == nil {
		return nil, errorf(0, "no expression")
	}
	if schema == nil {
		schema = arrow.NewSchema(nil, nil)
	}
	c := &compiler{schema: schema, reg: reg}
	n, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return &Program{root: n, cols: c.cols, src: e.String()}, nil
}

// Type is the Arrow type of Eval's result.
func (p *Program) Type() arrow.DataType { return p.root.t.arrowType() }

// Columns are the input columns the expression reads, as the schema
// spells them, in order of first use.
func (p *Program) Columns() []string {
	out := make([]string, len(p.cols))
	for i, c := range p.cols {
		out[i] = c.name
	}
	return out
}

// String is the expression in canonical form.
func (p *Program) String() string { return p.src }

// Eval computes the expression for every row of rec, whose columns are
// found by name (rec may hold only Columns()) and must have the types
// compiled against. The result has rec.NumRows() rows; the caller
// releases it. mem nil is the default allocator.
func (p *Program) Eval(rec arrow.RecordBatch, mem memory.Allocator) (arrow.Array, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	c := &evalCtx{n: int(rec.NumRows()), rec: rec, mem: mem, idx: make([]int, len(p.cols)), cols: make([]colData, len(p.cols))}
	defer func() {
		for _, a := range c.keep {
			a.Release()
		}
	}()
	s := rec.Schema()
	for k, col := range p.cols {
		j := col.index
		if j >= s.NumFields() || s.Field(j).Name != col.name {
			if j = fieldIndex(s, col.name); j < 0 {
				return nil, fmt.Errorf("the batch has no column %q", col.name)
			}
		}
		if dt := s.Field(j).Type; !arrow.TypeEqual(dt, col.dt) {
			return nil, fmt.Errorf("column %s is %s in the batch, %s when compiled", col.name, dt, col.dt)
		}
		c.idx[k] = j
	}
	v, err := p.root.eval(c, nil)
	if err != nil {
		return nil, err
	}
	return toArrow(v, p.root.t, c.n, mem)
}

// fieldIndex finds a column by name: the exact spelling first, else the
// only one equal ignoring case (-1: none; -2: several).
func fieldIndex(s *arrow.Schema, name string) int {
	if idx := s.FieldIndices(name); len(idx) > 0 {
		return idx[0]
	}
	found := -1
	for i, f := range s.Fields() {
		if strings.EqualFold(f.Name, name) {
			if found >= 0 {
				return -2
			}
			found = i
		}
	}
	return found
}

type compiler struct {
	schema *arrow.Schema
	reg    *Registry
	cols   []colInfo
}

// compile compiles a value: anything but an INTERVAL or a SET column,
// which only some operators and functions take (they use compileAny).
func (c *compiler) compile(e Expr) (*node, error) {
	n, err := c.compileAny(e)
	if err != nil {
		return nil, err
	}
	switch n.t.k {
	case kInterval:
		return nil, errorf(e.pos(), "an INTERVAL is only added to or subtracted from a TIMESTAMP, or given to TIME_BUCKET")
	case kList:
		return nil, errorf(e.pos(), "%s is a %s column: only Go functions take those", e, n.t)
	}
	return n, nil
}

func (c *compiler) compileAny(e Expr) (*node, error) {
	switch e := e.(type) {
	case *numLit:
		return numberLiteral(e.at, e.text, e.float, false)
	case *strLit:
		return constant(tVarchar, &vec{s: []string{e.val}}), nil
	case *boolLit:
		return constant(tBoolean, &vec{b: []bool{e.val}}), nil
	case *nullLit:
		return nullConst(tNull), nil
	case *timeLit:
		if e.date {
			return constant(tDate, &vec{i: []int64{e.val}}), nil
		}
		return constant(tTimestamp(""), &vec{i: []int64{e.val}}), nil
	case *intervalLit:
		return constant(tInterval, &vec{i: []int64{e.us}}), nil
	case *colRef:
		return c.column(e)
	case *unaryExpr:
		if e.op == "NOT" {
			return c.not(e)
		}
		return c.negate(e)
	case *binaryExpr:
		return c.binary(e)
	case *isNullExpr:
		return c.isNull(e)
	case *inExpr:
		return c.in(e)
	case *betweenExpr:
		return c.between(e)
	case *likeExpr:
		return c.like(e)
	case *caseExpr:
		return c.caseWhen(e)
	case *castExpr:
		return c.cast(e)
	case *callExpr:
		return c.call(e)
	}
	return nil, errorf(0, "cannot compile %T", e)
}

func constant(t typ, v *vec) *node {
	return &node{t: t, konst: v, eval: func(c *evalCtx, _ []bool) (*vec, error) { return broadcast(v, c.n), nil }}
}

// nullConst is a NULL of type t.
func nullConst(t typ) *node {
	v := newVec(t.k, 1)
	v.valid = []bool{false}
	return constant(t, v)
}

// numberLiteral reads a number as written (neg: under a unary minus, so
// that -9223372036854775808 is a BIGINT).
func numberLiteral(pos int, text string, float, neg bool) (*node, error) {
	if neg {
		text = "-" + text
	}
	if !float {
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, errorf(pos, "integer %s is out of BIGINT range (write it as a DOUBLE, %se0, or CAST('%s' AS DECIMAL(38,0)))", text, text, text)
		}
		return constant(tBigint, &vec{i: []int64{v}}), nil
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) {
		return nil, errorf(pos, "number %s is out of DOUBLE range", text)
	}
	return constant(tDouble, &vec{f: []float64{v}}), nil
}

// fold replaces a node whose inputs are all constants with its value,
// computed once here. A node that fails (an overflow, a bad cast) is
// kept: the error belongs to the rows that use it, if any do.
func fold(n *node, inputs ...*node) *node {
	for _, in := range inputs {
		if in.konst == nil {
			return n
		}
	}
	v, err := n.eval(&evalCtx{n: 1}, nil)
	if err != nil {
		return n
	}
	return constant(n.t, v)
}

func (c *compiler) column(e *colRef) (*node, error) {
	idx := fieldIndex(c.schema, e.name)
	if idx == -2 {
		return nil, errorf(e.at, "column %q is ambiguous: several columns have that name in different cases (write it exactly, in `backquotes`)", e.name)
	}
	if idx < 0 {
		names := make([]string, c.schema.NumFields())
		for i, f := range c.schema.Fields() {
			names[i] = f.Name
		}
		return nil, errorf(e.at, "unknown column %q (columns: %s)", e.name, strings.Join(names, ", "))
	}
	f := c.schema.Field(idx)
	t, err := typeOfArrow(f.Type)
	if err != nil {
		return nil, errorf(e.at, "column %s: %v", f.Name, err)
	}
	slot := -1
	for k, ci := range c.cols {
		if ci.index == idx {
			slot = k
		}
	}
	if slot < 0 {
		slot = len(c.cols)
		c.cols = append(c.cols, colInfo{name: f.Name, index: idx, dt: f.Type})
	}
	name := f.Name
	return &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		cd := &c.cols[slot]
		if cd.v == nil {
			cd.v, cd.bad = load(c.rec.Column(c.idx[slot]), t)
		}
		for _, i := range cd.bad {
			if act == nil || act[i] {
				return nil, errorf(e.at, "column %s: %s does not fit a %s", name, c.rec.Column(c.idx[slot]).ValueStr(i), t)
			}
		}
		return cd.v, nil
	}}, nil
}

// args compiles a list of value expressions.
func (c *compiler) args(list []Expr) ([]*node, error) {
	out := make([]*node, len(list))
	for i, e := range list {
		n, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// unifyNodes gives nodes one type (for CASE branches, COALESCE, IN,
// comparisons): VARCHAR constants next to TIMESTAMPs or DATEs are read as
// such once, here; number constants next to DECIMALs become exact
// DECIMALs; then unify and coerce.
func (c *compiler) unifyNodes(pos int, what string, nodes []*node) (typ, []*node, error) {
	nodes = append([]*node(nil), nodes...)
	var timeType *typ
	hasDecimal := false
	for _, n := range nodes {
		if n.t.k == kTimestamp || n.t.k == kDate {
			t := n.t
			if timeType == nil || timeType.k == kDate {
				timeType = &t
			}
		}
		hasDecimal = hasDecimal || n.t.k == kDecimal
	}
	for i, n := range nodes {
		var err error
		if timeType != nil && n.t.k == kVarchar && n.konst != nil {
			if nodes[i], err = timeConstant(pos, n, *timeType); err != nil {
				return typ{}, nil, err
			}
		}
		if hasDecimal && n.konst != nil && (n.t.k == kBigint || n.t.k == kDouble) {
			nodes[i] = exactDecimalConst(n)
		}
	}
	t := tNull
	for _, n := range nodes {
		u, err := unify(t, n.t)
		if err != nil {
			return typ{}, nil, errorf(pos, "%s: %v", what, err)
		}
		t = u
	}
	for i, n := range nodes {
		m, err := coerce(pos, n, t)
		if err != nil {
			return typ{}, nil, err
		}
		nodes[i] = m
	}
	return t, nodes, nil
}

// timeConstant reads a VARCHAR constant as a TIMESTAMP or DATE of type t.
func timeConstant(pos int, n *node, t typ) (*node, error) {
	if !n.konst.isValid(0) {
		return nullConst(t), nil
	}
	s := n.konst.s[0]
	if t.k == kDate {
		d, err := parseDate(s)
		if err != nil {
			return nil, errorf(pos, "%s is not a DATE: %v", quoteString(s), err)
		}
		return constant(t, &vec{i: []int64{d}}), nil
	}
	us, err := parseTimestamp(s)
	if err != nil {
		return nil, errorf(pos, "%s is not a TIMESTAMP: %v", quoteString(s), err)
	}
	return constant(t, &vec{i: []int64{us}}), nil
}

// coerce converts n's values to type t (a type unify chose, so the
// conversion is exact; a value that does not fit fails at run time).
func coerce(pos int, n *node, t typ) (*node, error) {
	if n.t.equal(t) {
		return n, nil
	}
	if n.t.k == kNull {
		return nullConst(t), nil
	}
	from := n.t
	var m *node
	switch {
	case from.k == kBigint && t.k == kDouble:
		m = mapNode(t, n, func(in, out *vec, i int) error { out.f[i] = float64(in.i[i]); return nil })
	case from.k == kBigint && t.k == kDecimal, from.k == kDecimal && t.k == kDecimal:
		m = mapNode(t, n, func(in, out *vec, i int) error {
			d, ok := toDecimal(in, from, i, t)
			if !ok {
				return errorf(pos, "%s does not fit %s", formatValue(in, from, i), t)
			}
			out.d[i] = d
			return nil
		})
	default:
		return nil, errorf(pos, "cannot use a %s as a %s", from, t)
	}
	return fold(m, n), nil
}

// mapNode is a node computing f for each live row of x (NULL in, NULL
// out). f may make a row NULL with out.setNull(i); an error from f fails
// the evaluation (f only sees rows that are needed).
func mapNode(t typ, x *node, f func(in, out *vec, i int) error) *node {
	return &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		in, err := x.eval(c, act)
		if err != nil {
			return nil, err
		}
		out := newVec(t.k, c.n)
		out.valid = andValid(c.n, in.valid)
		for i := range c.n {
			if !live(act, in.valid, i) {
				continue
			}
			if err := f(in, out, i); err != nil {
				return nil, err
			}
		}
		return out, nil
	}}
}

// strictNode is a node over several inputs computing f for the rows
// where all are non-NULL (and live). out.valid is allocated, so f may
// set a row NULL.
func strictNode(t typ, inputs []*node, f func(in []*vec, out *vec, i int) error) *node {
	n := &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		in := make([]*vec, len(inputs))
		valids := make([][]bool, len(inputs))
		for k, x := range inputs {
			v, err := x.eval(c, act)
			if err != nil {
				return nil, err
			}
			in[k], valids[k] = v, v.valid
		}
		out := newVec(t.k, c.n)
		out.valid = andValid(c.n, valids...)
		if out.valid == nil {
			out.valid = fill(true, c.n)
		}
		for i := range c.n {
			if !live(act, out.valid, i) {
				continue
			}
			if err := f(in, out, i); err != nil {
				return nil, err
			}
		}
		return out, nil
	}}
	return fold(n, inputs...)
}
