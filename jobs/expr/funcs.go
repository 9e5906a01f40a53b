package expr

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Func is a Go function callable from expressions by name: fixed
// argument types and a result type. Eval is called once per batch with
// the arguments' arrays (all of length n) and returns an array of
// length n of type Result; NULL handling is the function's. Rows that
// a CASE, IF, AND, OR or COALESCE does not need come in as NULL (a SET
// argument excepted: it is passed as the column is).
//
// Types are those of the language: Int64 (BIGINT), Float64 (DOUBLE),
// Decimal128 (DECIMAL), String (VARCHAR), Boolean, Timestamp in
// microseconds (TIMESTAMP), Date32 (DATE) and Binary; arguments may also
// be List<utf8> (a MySQL SET column).
type Func struct {
	Args   []arrow.DataType
	Result arrow.DataType
	Eval   func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error)
	Doc    string
}

// Registry holds Go functions by name (case-insensitive). Register
// them before compiling; a Registry is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	funcs map[string]Func
}

// NewRegistry has no user functions; built-ins are always available.
func NewRegistry() *Registry { return &Registry{funcs: map[string]Func{}} }

// Register adds a function. A built-in's name, a name registered
// before, or a type the language has no use for is an error.
func (r *Registry) Register(name string, f Func) error {
	up := strings.ToUpper(name)
	ok := up != ""
	for i := 0; ok && i < len(up); i++ {
		ok = isNameStart(up[i]) || i > 0 && isDigit(up[i])
	}
	switch {
	case !ok:
		return fmt.Errorf("function name %q: want [A-Za-z_][A-Za-z0-9_]*", name)
	case builtins[up] != nil || up == "IF" || reserved[up] || special[up]:
		return fmt.Errorf("function %s is built in", up)
	case f.Eval == nil || f.Result == nil:
		return fmt.Errorf("function %s: Eval and Result are required", up)
	}
	if t, err := funcType(f.Result); err != nil || t.k == kList || t.k == kNull {
		return fmt.Errorf("function %s: result type %s is not BIGINT (int64), DOUBLE (float64), DECIMAL (decimal128), VARCHAR (utf8), BOOLEAN, TIMESTAMP (timestamp[us]), DATE (date32) or BINARY", up, f.Result)
	}
	for i, a := range f.Args {
		if a == nil {
			return fmt.Errorf("function %s: argument %d has no type", up, i+1)
		}
		if _, err := funcType(a); err != nil {
			return fmt.Errorf("function %s: argument %d: %v", up, i+1, err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.funcs == nil { // a zero Registry works too
		r.funcs = map[string]Func{}
	}
	if _, dup := r.funcs[up]; dup {
		return fmt.Errorf("function %s is already registered", up)
	}
	f.Args = append([]arrow.DataType(nil), f.Args...)
	r.funcs[up] = f
	return nil
}

// Names lists the registered functions (upper case, sorted).
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.funcs))
	for n := range r.funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (r *Registry) lookup(name string) (Func, bool) {
	if r == nil {
		return Func{}, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.funcs[name]
	return f, ok
}

// funcType is the language type of a Go function's argument or result
// type: exactly one of the language's (no widening, as for columns).
func funcType(dt arrow.DataType) (typ, error) {
	t, err := typeOfArrow(dt)
	if err != nil {
		return t, err
	}
	if t.k == kTimestamp && dt.(*arrow.TimestampType).Unit != arrow.Microsecond {
		return t, fmt.Errorf("timestamps are in microseconds, not %s", dt)
	}
	if !arrow.TypeEqual(dt, t.arrowType()) && t.k != kNull {
		return t, fmt.Errorf("type %s: use %s", dt, t.arrowType())
	}
	return t, nil
}

// builtin is a built-in function: its argument count range and how it
// compiles (args already compiled and counted).
type builtin struct {
	min, max  int  // max -1: any
	intervals bool // takes INTERVAL arguments
	compile   func(c *compiler, e *callExpr, args []*node) (*node, error)
}

// builtins is filled by the funcs_*.go files' init.
var builtins = map[string]*builtin{}

func register(name string, min, max int, f func(c *compiler, e *callExpr, args []*node) (*node, error)) {
	builtins[name] = &builtin{min: min, max: max, compile: f}
}

func init() {
	register("IF", 3, 3, (*compiler).ifFunc)
	register("COALESCE", 1, -1, (*compiler).coalesce)
}

func (c *compiler) call(e *callExpr) (*node, error) {
	if b := builtins[e.name]; b != nil {
		if len(e.args) < b.min || b.max >= 0 && len(e.args) > b.max {
			return nil, errorf(e.at, "%s takes %s, got %d", e.name, argCount(b.min, b.max), len(e.args))
		}
		args := make([]*node, len(e.args))
		for k, a := range e.args {
			var err error
			if b.intervals {
				args[k], err = c.compileAny(a)
				if err == nil && args[k].t.k == kList {
					err = errorf(a.pos(), "%s: argument %d is a %s column: only Go functions take those", e.name, k+1, args[k].t)
				}
			} else {
				args[k], err = c.compile(a)
			}
			if err != nil {
				return nil, err
			}
		}
		return b.compile(c, e, args)
	}
	f, ok := c.reg.lookup(e.name)
	if !ok {
		return nil, errorf(e.at, "unknown function %s", e.name)
	}
	return c.userCall(e, f)
}

func argCount(min, max int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case max < 0:
		return "at least " + plural(min)
	case min == max:
		return plural(min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// userCall calls a registered Go function once per batch.
func (c *compiler) userCall(e *callExpr, f Func) (*node, error) {
	if len(e.args) != len(f.Args) {
		return nil, errorf(e.at, "%s takes %s, got %d", e.name, argCount(len(f.Args), len(f.Args)), len(e.args))
	}
	args := make([]*node, len(e.args))
	argTypes := make([]typ, len(e.args))
	for k, a := range e.args {
		n, err := c.compileAny(a)
		if err != nil {
			return nil, err
		}
		want, _ := funcType(f.Args[k])
		if n.t.k == kInterval || n.t.k == kList && want.k != kList {
			return nil, errorf(a.pos(), "%s: argument %d is %s, want %s", e.name, k+1, n.t, want)
		}
		switch {
		case want.k == kTimestamp && n.t.k == kTimestamp:
			// The zone is a label here: values are µs either way.
		case want.k == kList && n.t.k == kList, n.t.equal(want):
		default:
			m, err := c.coerceArg(a.pos(), n, want)
			if err != nil {
				return nil, errorf(a.pos(), "%s: argument %d is %s, want %s", e.name, k+1, n.t, want)
			}
			n = m
		}
		args[k], argTypes[k] = n, want
	}
	result, _ := funcType(f.Result)
	name := e.name
	return &node{t: result, eval: func(c *evalCtx, act []bool) (*vec, error) {
		arrs := make([]arrow.Array, len(args))
		for k, a := range args {
			v, err := a.eval(c, act)
			if err != nil {
				return nil, err
			}
			if act != nil && argTypes[k].k != kList {
				// Rows nobody needs (a CASE discards them) go in as NULL,
				// not as the meaningless values the vec holds there.
				masked := *v
				masked.valid, masked.arr = andValid(c.n, v.valid, act), nil
				v = &masked
			}
			var arr arrow.Array
			if argTypes[k].k == kList {
				arr = v.arr
				arr.Retain()
			} else if arr, err = toArrow(v, argTypes[k], c.n, c.mem); err != nil {
				return nil, errorf(e.at, "%s: argument %d: %v", name, k+1, err)
			}
			c.keep = append(c.keep, arr)
			arrs[k] = arr
		}
		out, err := f.Eval(arrs, c.n, c.mem)
		if err != nil {
			return nil, errorf(e.at, "%s: %v", name, err)
		}
		if out == nil {
			return nil, errorf(e.at, "%s returned no array", name)
		}
		c.keep = append(c.keep, out)
		if out.Len() != c.n || !arrow.TypeEqual(out.DataType(), f.Result) {
			return nil, errorf(e.at, "%s returned %d rows of %s, want %d of %s", name, out.Len(), out.DataType(), c.n, f.Result)
		}
		v, _ := load(out, result)
		return v, nil
	}}, nil
}

// coerceArg converts an argument to a Go function's declared type where
// that is exact (BIGINT to DOUBLE or DECIMAL, DECIMAL to a wider one,
// NULL to anything).
func (c *compiler) coerceArg(pos int, n *node, want typ) (*node, error) {
	if n.t.k == kList || want.k == kList {
		return nil, errorf(pos, "not a %s", want)
	}
	if n.konst != nil && want.k == kDecimal && (n.t.k == kBigint || n.t.k == kDouble) {
		n = exactDecimalConst(n)
	}
	if n.t.k == kVarchar && n.konst != nil && (want.k == kTimestamp || want.k == kDate) {
		return timeConstant(pos, n, want)
	}
	u, err := unify(n.t, want)
	if err != nil || !u.equal(want) {
		return nil, errorf(pos, "not a %s", want)
	}
	return coerce(pos, n, want)
}
