package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// kind is a value type of the language.
type kind int

const (
	kNull kind = iota // the type of a bare NULL, until context fixes it
	kInt
	kFloat
	kString
	kBool
	kTime
)

func (k kind) String() string {
	return [...]string{"NULL", "BIGINT", "DOUBLE", "VARCHAR", "BOOLEAN", "TIMESTAMP"}[k]
}

// value is one row's value of a node.
type value struct {
	null bool
	i    int64 // BIGINT, TIMESTAMP (µs), BOOLEAN (0/1)
	f    float64
	s    string
}

var null = value{null: true}

// node is a compiled expression: its type and how to compute a row.
type node struct {
	k     kind
	tz    string // TIMESTAMP's zone: "" wall clock, "UTC" instant
	konst bool   // the same value for every row (a literal)
	eval  func(row int) (value, error)
}

// batch is the record the program is evaluating (set by Eval).
type batch struct {
	rec arrow.RecordBatch
	gen int // changes with every batch, for per-batch caches
	mem memory.Allocator
}

// Program is a compiled expression. Eval is not safe for concurrent use;
// compile one program per goroutine.
type Program struct {
	root *node
	cols []string
	b    *batch
}

// CompileString parses and compiles src.
func CompileString(src string, schema *arrow.Schema, reg *Registry) (*Program, error) {
	e, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Compile(e, schema, reg)
}

// Compile type-checks e against schema.
func Compile(e Expr, schema *arrow.Schema, reg *Registry) (*Program, error) {
	if reg == nil {
		reg = NewRegistry()
	}
	c := &compiler{schema: schema, reg: reg, b: &batch{}, seen: map[string]bool{}}
	n, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if n.k == kNull {
		n = &node{k: kString, eval: n.eval} // a bare NULL: a NULL VARCHAR
	}
	return &Program{root: n, cols: c.cols, b: c.b}, nil
}

// Type is the result's Arrow type.
func (p *Program) Type() arrow.DataType {
	switch p.root.k {
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kFloat:
		return arrow.PrimitiveTypes.Float64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kTime:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: p.root.tz}
	}
	return arrow.BinaryTypes.String
}

// Columns are the input columns the expression reads.
func (p *Program) Columns() []string { return append([]string(nil), p.cols...) }

// Eval computes the expression for every row of rec (whose schema must
// be the one compiled against). The caller releases the result.
func (p *Program) Eval(rec arrow.RecordBatch, mem memory.Allocator) (arrow.Array, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	p.b.rec, p.b.mem = rec, mem
	p.b.gen++
	defer func() { p.b.rec = nil }()
	bld := array.NewBuilder(mem, p.Type())
	defer bld.Release()
	n := int(rec.NumRows())
	bld.Reserve(n)
	for i := range n {
		v, err := p.root.eval(i)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		if v.null {
			bld.AppendNull()
			continue
		}
		switch b := bld.(type) {
		case *array.Int64Builder:
			b.Append(v.i)
		case *array.Float64Builder:
			b.Append(v.f)
		case *array.BooleanBuilder:
			b.Append(v.i != 0)
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.i))
		case *array.StringBuilder:
			b.Append(v.s)
		}
	}
	return bld.NewArray(), nil
}

type compiler struct {
	schema *arrow.Schema
	reg    *Registry
	b      *batch
	cols   []string
	seen   map[string]bool
}

func errAt(e Expr, format string, a ...any) error {
	return fmt.Errorf("position %d: %s", e.position()+1, fmt.Sprintf(format, a...))
}

func (c *compiler) compile(e Expr) (*node, error) {
	switch e := e.(type) {
	case *literal:
		return compileLiteral(e)
	case *column:
		return c.column(e)
	case *unary:
		return c.unary(e)
	case *binary:
		return c.binary(e)
	case *isNull:
		x, err := c.compile(e.x)
		if err != nil {
			return nil, err
		}
		not := e.not
		return &node{k: kBool, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			return boolValue(v.null != not), err
		}}, nil
	case *inList:
		return c.in(e)
	case *like:
		return c.like(e)
	case *caseExpr:
		return c.caseExpr(e)
	case *call:
		return c.call(e)
	}
	return nil, errAt(e, "cannot compile %T", e)
}

func boolValue(b bool) value {
	if b {
		return value{i: 1}
	}
	return value{}
}

func compileLiteral(e *literal) (*node, error) {
	switch e.kind {
	case tInt:
		v, err := strconv.ParseInt(e.text, 10, 64)
		if err != nil {
			return nil, errAt(e, "integer %s out of BIGINT range", e.text)
		}
		return constant(kInt, value{i: v}), nil
	case tFloat:
		v, err := strconv.ParseFloat(e.text, 64)
		if err != nil {
			return nil, errAt(e, "bad number %s", e.text)
		}
		return constant(kFloat, value{f: v}), nil
	case tString:
		return constant(kString, value{s: e.text}), nil
	}
	switch e.text {
	case "TRUE":
		return constant(kBool, value{i: 1}), nil
	case "FALSE":
		return constant(kBool, value{}), nil
	}
	return constant(kNull, null), nil
}

func constant(k kind, v value) *node {
	return &node{k: k, konst: true, eval: func(int) (value, error) { return v, nil }}
}

func (c *compiler) column(e *column) (*node, error) {
	idx := -1
	for i, f := range c.schema.Fields() {
		if strings.EqualFold(f.Name, e.name) {
			idx = i
			break
		}
	}
	if idx < 0 {
		names := make([]string, c.schema.NumFields())
		for i, f := range c.schema.Fields() {
			names[i] = f.Name
		}
		return nil, errAt(e, "no column %q (columns: %s)", e.name, strings.Join(names, ", "))
	}
	f := c.schema.Field(idx)
	if !c.seen[f.Name] {
		c.seen[f.Name] = true
		c.cols = append(c.cols, f.Name)
	}
	b := c.b
	col := func() arrow.Array { return b.rec.Column(idx) }
	wrap := func(k kind, get func(a arrow.Array, r int) (value, error)) *node {
		return &node{k: k, eval: func(r int) (value, error) {
			a := col()
			if a.IsNull(r) {
				return null, nil
			}
			return get(a, r)
		}}
	}
	switch t := f.Type.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type, *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type:
		return wrap(kInt, func(a arrow.Array, r int) (value, error) { return value{i: intAt(a, r)}, nil }), nil
	case *arrow.Uint64Type:
		name := f.Name
		return wrap(kInt, func(a arrow.Array, r int) (value, error) {
			v := a.(*array.Uint64).Value(r)
			if v > math.MaxInt64 {
				return null, fmt.Errorf("column %s: %d is out of BIGINT range", name, v)
			}
			return value{i: int64(v)}, nil
		}), nil
	case *arrow.Float32Type:
		return wrap(kFloat, func(a arrow.Array, r int) (value, error) { return value{f: float64(a.(*array.Float32).Value(r))}, nil }), nil
	case *arrow.Float64Type:
		return wrap(kFloat, func(a arrow.Array, r int) (value, error) { return value{f: a.(*array.Float64).Value(r)}, nil }), nil
	case *arrow.StringType:
		return wrap(kString, func(a arrow.Array, r int) (value, error) { return value{s: a.(*array.String).Value(r)}, nil }), nil
	case *arrow.BooleanType:
		return wrap(kBool, func(a arrow.Array, r int) (value, error) { return boolValue(a.(*array.Boolean).Value(r)), nil }), nil
	case *arrow.TimestampType:
		if t.Unit != arrow.Microsecond {
			return nil, errAt(e, "column %s: only microsecond timestamps", f.Name)
		}
		n := wrap(kTime, func(a arrow.Array, r int) (value, error) { return value{i: int64(a.(*array.Timestamp).Value(r))}, nil })
		n.tz = t.TimeZone
		return n, nil
	case *arrow.Date32Type:
		n := wrap(kTime, func(a arrow.Array, r int) (value, error) {
			return value{i: int64(a.(*array.Date32).Value(r)) * 86_400_000_000}, nil
		})
		return n, nil
	case *arrow.Decimal128Type:
		return nil, errAt(e, "column %s is %s: DECIMAL is not supported in expressions yet (it would have to become an inexact DOUBLE)", f.Name, t)
	}
	return nil, errAt(e, "column %s: type %s is not supported in expressions", f.Name, f.Type)
}

func intAt(a arrow.Array, r int) int64 {
	switch v := a.(type) {
	case *array.Int8:
		return int64(v.Value(r))
	case *array.Int16:
		return int64(v.Value(r))
	case *array.Int32:
		return int64(v.Value(r))
	case *array.Int64:
		return v.Value(r)
	case *array.Uint8:
		return int64(v.Value(r))
	case *array.Uint16:
		return int64(v.Value(r))
	case *array.Uint32:
		return int64(v.Value(r))
	}
	panic("intAt: " + a.DataType().String())
}

func (c *compiler) unary(e *unary) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	if e.op == "NOT" {
		if x.k != kBool && x.k != kNull {
			return nil, errAt(e, "NOT needs a BOOLEAN, not %s", x.k)
		}
		return &node{k: kBool, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			return boolValue(v.i == 0), nil
		}}, nil
	}
	switch x.k {
	case kInt:
		return &node{k: kInt, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			if v.i == math.MinInt64 {
				return null, fmt.Errorf("-(%d) overflows BIGINT", v.i)
			}
			return value{i: -v.i}, nil
		}}, nil
	case kFloat, kNull:
		return &node{k: kFloat, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			return value{f: -v.f}, nil
		}}, nil
	}
	return nil, errAt(e, "cannot negate %s", x.k)
}

// asFloat reads a BIGINT or DOUBLE node's value as a double.
func asFloat(k kind, v value) float64 {
	if k == kInt {
		return float64(v.i)
	}
	return v.f
}

func (c *compiler) binary(e *binary) (*node, error) {
	l, err := c.compile(e.l)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "AND", "OR":
		for _, x := range []*node{l, r} {
			if x.k != kBool && x.k != kNull {
				return nil, errAt(e, "%s needs BOOLEANs, not %s", e.op, x.k)
			}
		}
		and := e.op == "AND"
		return &node{k: kBool, eval: func(row int) (value, error) {
			a, err := l.eval(row)
			if err != nil {
				return null, err
			}
			// Short cut: FALSE AND x, TRUE OR x.
			if !a.null && (a.i != 0) != and {
				return boolValue(!and), nil
			}
			b, err := r.eval(row)
			if err != nil {
				return null, err
			}
			if !b.null && (b.i != 0) != and {
				return boolValue(!and), nil
			}
			if a.null || b.null {
				return null, nil
			}
			return boolValue(and), nil
		}}, nil
	case "||":
		for _, x := range []*node{l, r} {
			if x.k != kString && x.k != kNull {
				return nil, errAt(e, "|| joins VARCHARs, not %s (use CONCAT with a CAST)", x.k)
			}
		}
		return &node{k: kString, eval: func(row int) (value, error) {
			a, b, err := both(l, r, row)
			if err != nil || a.null || b.null {
				return null, err
			}
			return value{s: a.s + b.s}, nil
		}}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		return c.compare(e, e.op, l, r)
	}
	return arithmetic(e, l, r)
}

func both(l, r *node, row int) (value, value, error) {
	a, err := l.eval(row)
	if err != nil {
		return null, null, err
	}
	b, err := r.eval(row)
	return a, b, err
}

func numericKind(k kind) bool { return k == kInt || k == kFloat || k == kNull }

func arithmetic(e *binary, l, r *node) (*node, error) {
	if !numericKind(l.k) || !numericKind(r.k) {
		return nil, errAt(e, "%s needs numbers, not %s and %s", e.op, l.k, r.k)
	}
	op := e.op
	if l.k != kFloat && r.k != kFloat && op != "/" {
		// BIGINT arithmetic, overflow checked.
		return &node{k: kInt, eval: func(row int) (value, error) {
			a, b, err := both(l, r, row)
			if err != nil || a.null || b.null {
				return null, err
			}
			x, y := a.i, b.i
			var z int64
			switch op {
			case "+":
				z = x + y
				if (y > 0 && z < x) || (y < 0 && z > x) {
					return null, fmt.Errorf("%d + %d overflows BIGINT", x, y)
				}
			case "-":
				z = x - y
				if (y < 0 && z < x) || (y > 0 && z > x) {
					return null, fmt.Errorf("%d - %d overflows BIGINT", x, y)
				}
			case "*":
				if x != 0 && y != 0 {
					z = x * y
					if z/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
						return null, fmt.Errorf("%d * %d overflows BIGINT", x, y)
					}
				}
			case "%":
				if y == 0 {
					return null, nil // MySQL: NULL
				}
				if y == -1 {
					return value{}, nil
				}
				z = x % y
			}
			return value{i: z}, nil
		}}, nil
	}
	lk, rk := l.k, r.k
	return &node{k: kFloat, eval: func(row int) (value, error) {
		a, b, err := both(l, r, row)
		if err != nil || a.null || b.null {
			return null, err
		}
		x, y := asFloat(lk, a), asFloat(rk, b)
		var z float64
		switch op {
		case "+":
			z = x + y
		case "-":
			z = x - y
		case "*":
			z = x * y
		case "/":
			if y == 0 {
				return null, nil
			}
			z = x / y
		case "%":
			if y == 0 {
				return null, nil
			}
			z = math.Mod(x, y)
		}
		return value{f: z}, nil
	}}, nil
}

// compare compiles a comparison; a VARCHAR literal compared with a
// TIMESTAMP is read as a timestamp once, here.
func (c *compiler) compare(e Expr, op string, l, r *node) (*node, error) {
	var err error
	if l.k == kTime && r.k == kString && r.konst {
		if r, err = timeLiteral(e, r); err != nil {
			return nil, err
		}
	}
	if r.k == kTime && l.k == kString && l.konst {
		if l, err = timeLiteral(e, l); err != nil {
			return nil, err
		}
	}
	cmp, err := comparer(e, l, r)
	if err != nil {
		return nil, err
	}
	return &node{k: kBool, eval: func(row int) (value, error) {
		a, b, err := both(l, r, row)
		if err != nil || a.null || b.null {
			return null, err
		}
		c := cmp(a, b)
		switch op {
		case "=":
			return boolValue(c == 0), nil
		case "<>":
			return boolValue(c != 0), nil
		case "<":
			return boolValue(c < 0), nil
		case "<=":
			return boolValue(c <= 0), nil
		case ">":
			return boolValue(c > 0), nil
		}
		return boolValue(c >= 0), nil
	}}, nil
}

// comparer orders two non-NULL values of l's and r's kinds.
func comparer(e Expr, l, r *node) (func(a, b value) int, error) {
	lk, rk := l.k, r.k
	switch {
	case lk == kNull || rk == kNull:
		return func(a, b value) int { return 0 }, nil // never reached: NULL
	case lk == kInt && rk == kInt, lk == kTime && rk == kTime, lk == kBool && rk == kBool:
		return func(a, b value) int { return cmp3(a.i < b.i, a.i > b.i) }, nil
	case numericKind(lk) && numericKind(rk):
		return func(a, b value) int {
			x, y := asFloat(lk, a), asFloat(rk, b)
			return cmp3(x < y, x > y)
		}, nil
	case lk == kString && rk == kString:
		return func(a, b value) int { return strings.Compare(a.s, b.s) }, nil
	}
	return nil, errAt(e, "cannot compare %s with %s", lk, rk)
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

var timeLayouts = []string{"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999", "2006-01-02 15:04", "2006-01-02"}

// timeLiteral reads a constant VARCHAR node as a TIMESTAMP.
func timeLiteral(e Expr, n *node) (*node, error) {
	v, _ := n.eval(0)
	if v.null {
		return &node{k: kTime, eval: n.eval}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, v.s, time.UTC); err == nil {
			return constant(kTime, value{i: t.UnixMicro()}), nil
		}
	}
	return nil, errAt(e, "%q is not a time (want 2026-11-21 10:00:00[.ffffff])", v.s)
}
