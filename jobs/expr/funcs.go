package expr

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Func is a Go function callable from expressions by name: fixed
// argument types and a result type. Eval is called once per batch with
// the arguments' arrays (of length n) and returns n values of type
// Result; NULL handling is the function's.
type Func struct {
	Args   []arrow.DataType
	Result arrow.DataType
	Eval   func(args []arrow.Array, n int, mem memory.Allocator) (arrow.Array, error)
	Doc    string
}

// Registry holds Go functions by name (case-insensitive).
type Registry struct{ funcs map[string]Func }

// NewRegistry has no user functions; built-ins are always there.
func NewRegistry() *Registry { return &Registry{funcs: map[string]Func{}} }

var builtins = map[string]bool{"IF": true, "COALESCE": true, "LOWER": true, "UPPER": true, "TRIM": true, "LENGTH": true,
	"CONCAT": true, "SUBSTR": true, "SUBSTRING": true, "REGEXP_LIKE": true, "REGEXP_EXTRACT": true, "ABS": true, "ROUND": true,
	"FLOOR": true, "CEIL": true, "HOUR": true, "DATE_TRUNC": true}

// Register adds a function; a built-in's name or a second registration
// is an error.
func (r *Registry) Register(name string, f Func) error {
	n := strings.ToUpper(name)
	if builtins[n] {
		return fmt.Errorf("function %s is built in", name)
	}
	if _, ok := r.funcs[n]; ok {
		return fmt.Errorf("function %s is already registered", name)
	}
	if f.Eval == nil || f.Result == nil {
		return fmt.Errorf("function %s: Eval and Result are required", name)
	}
	if _, err := kindOf(f.Result); err != nil {
		return fmt.Errorf("function %s: %w", name, err)
	}
	r.funcs[n] = f
	return nil
}

func kindOf(t arrow.DataType) (kind, error) {
	switch t.ID() {
	case arrow.INT64:
		return kInt, nil
	case arrow.FLOAT64:
		return kFloat, nil
	case arrow.STRING:
		return kString, nil
	case arrow.BOOL:
		return kBool, nil
	case arrow.TIMESTAMP:
		return kTime, nil
	}
	return kNull, fmt.Errorf("type %s is not one of BIGINT (int64), DOUBLE (float64), VARCHAR (utf8), BOOLEAN, TIMESTAMP", t)
}

func (c *compiler) in(e *inList) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	var items []*node
	var cmps []func(a, b value) int
	for _, it := range e.list {
		n, err := c.compile(it)
		if err != nil {
			return nil, err
		}
		if x.k == kTime && n.k == kString && n.konst {
			if n, err = timeLiteral(it, n); err != nil {
				return nil, err
			}
		}
		cmp, err := comparer(e, x, n)
		if err != nil {
			return nil, err
		}
		items, cmps = append(items, n), append(cmps, cmp)
	}
	not := e.not
	return &node{k: kBool, eval: func(r int) (value, error) {
		v, err := x.eval(r)
		if err != nil || v.null {
			return null, err
		}
		sawNull := false
		for k, it := range items {
			w, err := it.eval(r)
			if err != nil {
				return null, err
			}
			if w.null {
				sawNull = true
				continue
			}
			if cmps[k](v, w) == 0 {
				return boolValue(!not), nil
			}
		}
		if sawNull {
			return null, nil // SQL: x IN (…, NULL) is NULL when nothing matched
		}
		return boolValue(not), nil
	}}, nil
}

// likeRegexp turns a LIKE pattern (% any run, _ one character, \ escape)
// into an anchored regular expression.
func likeRegexp(p string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?s)^")
	esc := false
	for _, r := range p {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if esc {
		return nil, fmt.Errorf("LIKE pattern %q ends with an escape", p)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func (c *compiler) like(e *like) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	pat, err := c.compile(e.pattern)
	if err != nil {
		return nil, err
	}
	if x.k != kString && x.k != kNull || pat.k != kString && pat.k != kNull {
		return nil, errAt(e, "LIKE needs VARCHARs, not %s and %s", x.k, pat.k)
	}
	var fixed *regexp.Regexp
	if pat.konst {
		v, _ := pat.eval(0)
		if !v.null {
			if fixed, err = likeRegexp(v.s); err != nil {
				return nil, errAt(e, "%v", err)
			}
		}
	}
	not := e.not
	return &node{k: kBool, eval: func(r int) (value, error) {
		v, p, err := both(x, pat, r)
		if err != nil || v.null || p.null {
			return null, err
		}
		re := fixed
		if re == nil {
			if re, err = likeRegexp(p.s); err != nil {
				return null, err
			}
		}
		return boolValue(re.MatchString(v.s) != not), nil
	}}, nil
}

// common is the type two branches share: numbers promote to DOUBLE,
// NULL takes the other's type.
func common(e Expr, a, b *node) (kind, string, error) {
	switch {
	case a.k == kNull:
		return b.k, b.tz, nil
	case b.k == kNull || a.k == b.k && a.tz == b.tz:
		return a.k, a.tz, nil
	case numericKind(a.k) && numericKind(b.k):
		return kFloat, "", nil
	}
	return kNull, "", errAt(e, "the branches have different types, %s and %s", a.k, b.k)
}

// convert makes a node of kind k (only BIGINT→DOUBLE needs work).
func convert(n *node, k kind) *node {
	if n.k == kInt && k == kFloat {
		return &node{k: kFloat, eval: func(r int) (value, error) {
			v, err := n.eval(r)
			if err != nil || v.null {
				return null, err
			}
			return value{f: float64(v.i)}, nil
		}}
	}
	return n
}

func (c *compiler) caseExpr(e *caseExpr) (*node, error) {
	var whens, thens []*node
	k, tz := kNull, ""
	acc := &node{k: kNull}
	for i := range e.whens {
		w, err := c.compile(e.whens[i])
		if err != nil {
			return nil, err
		}
		if w.k != kBool && w.k != kNull {
			return nil, errAt(e.whens[i], "WHEN needs a BOOLEAN, not %s", w.k)
		}
		t, err := c.compile(e.thens[i])
		if err != nil {
			return nil, err
		}
		if k, tz, err = common(e, acc, t); err != nil {
			return nil, err
		}
		acc = &node{k: k, tz: tz}
		whens, thens = append(whens, w), append(thens, t)
	}
	els := constant(kNull, null)
	if e.els != nil {
		var err error
		if els, err = c.compile(e.els); err != nil {
			return nil, err
		}
		if k, tz, err = common(e, acc, els); err != nil {
			return nil, err
		}
	}
	for i := range thens {
		thens[i] = convert(thens[i], k)
	}
	els = convert(els, k)
	return &node{k: k, tz: tz, eval: func(r int) (value, error) {
		for i, w := range whens {
			v, err := w.eval(r)
			if err != nil {
				return null, err
			}
			if !v.null && v.i != 0 {
				return thens[i].eval(r)
			}
		}
		return els.eval(r)
	}}, nil
}

func (c *compiler) call(e *call) (*node, error) {
	args := make([]*node, len(e.args))
	for i, a := range e.args {
		n, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		args[i] = n
	}
	want := func(n int) error {
		if len(args) != n {
			return errAt(e, "%s takes %d argument(s), got %d", e.name, n, len(args))
		}
		return nil
	}
	need := func(i int, ks ...kind) error {
		for _, k := range append(ks, kNull) {
			if args[i].k == k {
				return nil
			}
		}
		return errAt(e, "%s: argument %d is %s, want %s", e.name, i+1, args[i].k, ks[0])
	}
	str := func(fn func(string) value, k kind) (*node, error) {
		if err := want(1); err != nil {
			return nil, err
		}
		if err := need(0, kString); err != nil {
			return nil, err
		}
		x := args[0]
		return &node{k: k, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			return fn(v.s), nil
		}}, nil
	}
	switch e.name {
	case "IF":
		if err := want(3); err != nil {
			return nil, err
		}
		return c.caseExpr(&caseExpr{pos: e.pos, whens: e.args[:1], thens: e.args[1:2], els: e.args[2]})
	case "COALESCE":
		if len(args) == 0 {
			return nil, errAt(e, "COALESCE needs arguments")
		}
		acc := &node{k: kNull}
		for _, a := range args {
			k, tz, err := common(e, acc, a)
			if err != nil {
				return nil, err
			}
			acc = &node{k: k, tz: tz}
		}
		for i := range args {
			args[i] = convert(args[i], acc.k)
		}
		return &node{k: acc.k, tz: acc.tz, eval: func(r int) (value, error) {
			for _, a := range args {
				v, err := a.eval(r)
				if err != nil || !v.null {
					return v, err
				}
			}
			return null, nil
		}}, nil
	case "LOWER":
		return str(func(s string) value { return value{s: strings.ToLower(s)} }, kString)
	case "UPPER":
		return str(func(s string) value { return value{s: strings.ToUpper(s)} }, kString)
	case "TRIM":
		return str(func(s string) value { return value{s: strings.TrimSpace(s)} }, kString)
	case "LENGTH":
		return str(func(s string) value { return value{i: int64(utf8.RuneCountInString(s))} }, kInt)
	case "CONCAT":
		for i := range args {
			if err := need(i, kString); err != nil {
				return nil, err
			}
		}
		return &node{k: kString, eval: func(r int) (value, error) {
			var b strings.Builder
			for _, a := range args {
				v, err := a.eval(r)
				if err != nil || v.null {
					return null, err // MySQL: NULL if any argument is
				}
				b.WriteString(v.s)
			}
			return value{s: b.String()}, nil
		}}, nil
	case "SUBSTR", "SUBSTRING":
		if len(args) != 2 && len(args) != 3 {
			return nil, errAt(e, "%s(s, pos[, len])", e.name)
		}
		for i, k := range []kind{kString, kInt, kInt}[:len(args)] {
			if err := need(i, k); err != nil {
				return nil, err
			}
		}
		return &node{k: kString, eval: func(r int) (value, error) {
			vals := make([]value, len(args))
			for i, a := range args {
				v, err := a.eval(r)
				if err != nil || v.null {
					return null, err
				}
				vals[i] = v
			}
			rs := []rune(vals[0].s)
			pos := vals[1].i
			switch {
			case pos > 0:
				pos--
			case pos < 0:
				pos += int64(len(rs))
			default:
				return value{}, nil // MySQL: position 0 is ''
			}
			if pos < 0 || pos >= int64(len(rs)) {
				return value{}, nil
			}
			end := int64(len(rs))
			if len(vals) == 3 {
				if vals[2].i <= 0 {
					return value{}, nil
				}
				end = min(end, pos+vals[2].i)
			}
			return value{s: string(rs[pos:end])}, nil
		}}, nil
	case "REGEXP_LIKE", "REGEXP_EXTRACT":
		if len(args) < 2 || len(args) > 3 || e.name == "REGEXP_LIKE" && len(args) != 2 {
			return nil, errAt(e, "%s(s, pattern%s)", e.name, map[bool]string{true: "[, group]", false: ""}[e.name == "REGEXP_EXTRACT"])
		}
		if err := need(0, kString); err != nil {
			return nil, err
		}
		if !args[1].konst || args[1].k != kString {
			return nil, errAt(e, "%s: the pattern must be a VARCHAR literal", e.name)
		}
		pv, _ := args[1].eval(0)
		re, err := regexp.Compile(pv.s)
		if err != nil {
			return nil, errAt(e, "%s: bad pattern: %v", e.name, err)
		}
		group := int64(0)
		if len(args) == 3 {
			if !args[2].konst || args[2].k != kInt {
				return nil, errAt(e, "REGEXP_EXTRACT: the group must be an integer literal")
			}
			g, _ := args[2].eval(0)
			if g.i < 0 || g.i > int64(re.NumSubexp()) {
				return nil, errAt(e, "REGEXP_EXTRACT: the pattern has no group %d", g.i)
			}
			group = g.i
		}
		x := args[0]
		if e.name == "REGEXP_LIKE" {
			return &node{k: kBool, eval: func(r int) (value, error) {
				v, err := x.eval(r)
				if err != nil || v.null {
					return null, err
				}
				return boolValue(re.MatchString(v.s)), nil
			}}, nil
		}
		return &node{k: kString, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			m := re.FindStringSubmatchIndex(v.s)
			if m == nil || m[2*group] < 0 {
				return null, nil
			}
			return value{s: v.s[m[2*group]:m[2*group+1]]}, nil
		}}, nil
	case "ABS", "FLOOR", "CEIL", "ROUND":
		if len(args) < 1 || len(args) > 2 || e.name != "ROUND" && len(args) != 1 {
			return nil, errAt(e, "%s takes one number%s", e.name, map[bool]string{true: " and optional digits", false: ""}[e.name == "ROUND"])
		}
		if !numericKind(args[0].k) {
			return nil, errAt(e, "%s needs a number, not %s", e.name, args[0].k)
		}
		x, k, name := args[0], args[0].k, e.name
		digits := int64(0)
		if len(args) == 2 {
			if !args[1].konst || args[1].k != kInt {
				return nil, errAt(e, "ROUND: digits must be an integer literal")
			}
			d, _ := args[1].eval(0)
			digits = d.i
		}
		return &node{k: k, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			if k == kInt {
				if name == "ABS" && v.i < 0 {
					if v.i == math.MinInt64 {
						return null, fmt.Errorf("ABS(%d) overflows BIGINT", v.i)
					}
					v.i = -v.i
				}
				return v, nil
			}
			switch name {
			case "ABS":
				v.f = math.Abs(v.f)
			case "FLOOR":
				v.f = math.Floor(v.f)
			case "CEIL":
				v.f = math.Ceil(v.f)
			default:
				p := math.Pow(10, float64(digits))
				v.f = math.Round(v.f*p) / p
			}
			return v, nil
		}}, nil
	case "HOUR":
		if err := want(1); err != nil {
			return nil, err
		}
		if err := need(0, kTime); err != nil {
			return nil, err
		}
		x := args[0]
		return &node{k: kInt, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			return value{i: int64(time.UnixMicro(v.i).UTC().Hour())}, nil
		}}, nil
	case "DATE_TRUNC":
		if err := want(2); err != nil {
			return nil, err
		}
		if !args[0].konst || args[0].k != kString {
			return nil, errAt(e, "DATE_TRUNC('minute'|'hour'|'day', ts)")
		}
		u, _ := args[0].eval(0)
		unit := map[string]int64{"minute": 60e6, "hour": 3600e6, "day": 86400e6}[strings.ToLower(u.s)]
		if unit == 0 {
			return nil, errAt(e, "DATE_TRUNC: unit %q: want minute, hour or day", u.s)
		}
		if err := need(1, kTime); err != nil {
			return nil, err
		}
		x := args[1]
		return &node{k: kTime, tz: x.tz, eval: func(r int) (value, error) {
			v, err := x.eval(r)
			if err != nil || v.null {
				return null, err
			}
			q := v.i / unit
			if v.i%unit < 0 {
				q-- // floor, also before 1970
			}
			return value{i: q * unit}, nil
		}}, nil
	}
	if f, ok := c.reg.funcs[e.name]; ok {
		return c.userCall(e, f, args)
	}
	return nil, errAt(e, "unknown function %s", e.name)
}

// userCall evaluates a Go function once per batch and reads its result
// row by row.
func (c *compiler) userCall(e *call, f Func, args []*node) (*node, error) {
	if len(args) != len(f.Args) {
		return nil, errAt(e, "%s takes %d argument(s), got %d", e.name, len(f.Args), len(args))
	}
	for i, t := range f.Args {
		k, err := kindOf(t)
		if err != nil {
			return nil, errAt(e, "%s: %v", e.name, err)
		}
		if args[i].k != k && args[i].k != kNull {
			return nil, errAt(e, "%s: argument %d is %s, want %s", e.name, i+1, args[i].k, k)
		}
	}
	rk, _ := kindOf(f.Result)
	b := c.b
	gen := -1
	var res arrow.Array
	name := e.name
	return &node{k: rk, eval: func(r int) (value, error) {
		if gen != b.gen {
			if res != nil {
				res.Release()
				res = nil
			}
			n := int(b.rec.NumRows())
			arrs := make([]arrow.Array, len(args))
			defer func() {
				for _, a := range arrs {
					if a != nil {
						a.Release()
					}
				}
			}()
			for i, a := range args {
				bld := array.NewBuilder(b.mem, f.Args[i])
				for row := range n {
					v, err := a.eval(row)
					if err != nil {
						bld.Release()
						return null, err
					}
					appendTo(bld, v)
				}
				arrs[i] = bld.NewArray()
				bld.Release()
			}
			out, err := f.Eval(arrs, n, b.mem)
			if err != nil {
				return null, fmt.Errorf("%s: %w", name, err)
			}
			if out.Len() != n || !arrow.TypeEqual(out.DataType(), f.Result) {
				out.Release()
				return null, fmt.Errorf("%s returned %d values of %s, want %d of %s", name, out.Len(), out.DataType(), n, f.Result)
			}
			res, gen = out, b.gen
		}
		if res.IsNull(r) {
			return null, nil
		}
		switch a := res.(type) {
		case *array.Int64:
			return value{i: a.Value(r)}, nil
		case *array.Float64:
			return value{f: a.Value(r)}, nil
		case *array.String:
			return value{s: a.Value(r)}, nil
		case *array.Boolean:
			return boolValue(a.Value(r)), nil
		case *array.Timestamp:
			return value{i: int64(a.Value(r))}, nil
		}
		return null, fmt.Errorf("%s: unexpected result %s", name, res.DataType())
	}}, nil
}

func appendTo(b array.Builder, v value) {
	if v.null {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.i)
	case *array.Float64Builder:
		b.Append(v.f)
	case *array.StringBuilder:
		b.Append(v.s)
	case *array.BooleanBuilder:
		b.Append(v.i != 0)
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.i))
	}
}
