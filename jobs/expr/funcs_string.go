package expr

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func init() {
	register("LOWER", 1, 1, strFunc(strings.ToLower))
	register("UPPER", 1, 1, strFunc(strings.ToUpper))
	register("TRIM", 1, 1, strFunc(strings.TrimSpace))
	register("LTRIM", 1, 1, strFunc(func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }))
	register("RTRIM", 1, 1, strFunc(func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }))
	register("LENGTH", 1, 1, length)
	register("CONCAT", 1, -1, concat)
	register("CONCAT_WS", 2, -1, concatWS)
	register("SUBSTR", 2, 3, substr)
	register("SUBSTRING", 2, 3, substr)
	register("REPLACE", 3, 3, replace)
	register("STARTS_WITH", 2, 2, startsWith)
	register("SPLIT_PART", 3, 3, splitPart)
}

var kindNames = map[kind]string{kBigint: "BIGINT", kDouble: "DOUBLE", kDecimal: "DECIMAL", kVarchar: "VARCHAR",
	kBoolean: "BOOLEAN", kTimestamp: "TIMESTAMP", kDate: "DATE", kInterval: "INTERVAL", kBinary: "BINARY"}

// wantKinds checks that argument k is one of the kinds (NULL always is).
func wantKinds(e *callExpr, args []*node, k int, kinds ...kind) error {
	t := args[k].t
	if t.k == kNull {
		return nil
	}
	names := make([]string, len(kinds))
	for j, want := range kinds {
		if t.k == want {
			return nil
		}
		names[j] = kindNames[want]
	}
	return errorf(e.args[k].pos(), "%s: argument %d is %s, want %s", e.name, k+1, t, strings.Join(names, " or "))
}

// wantAll checks that every argument is one of the kinds.
func wantAll(e *callExpr, args []*node, kinds ...kind) error {
	for k := range args {
		if err := wantKinds(e, args, k, kinds...); err != nil {
			return err
		}
	}
	return nil
}

// strFunc is a VARCHAR → VARCHAR function.
func strFunc(f func(string) string) func(c *compiler, e *callExpr, args []*node) (*node, error) {
	return func(c *compiler, e *callExpr, args []*node) (*node, error) {
		if err := wantAll(e, args, kVarchar); err != nil {
			return nil, err
		}
		return strictNode(tVarchar, args, func(in []*vec, out *vec, i int) error {
			out.s[i] = f(in[0].s[i])
			return nil
		}), nil
	}
}

// length counts characters, not bytes.
func length(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kVarchar); err != nil {
		return nil, err
	}
	return strictNode(tBigint, args, func(in []*vec, out *vec, i int) error {
		out.i[i] = int64(utf8.RuneCountInString(in[0].s[i]))
		return nil
	}), nil
}

// textable checks that args can be printed as VARCHAR (as CAST does).
func textable(e *callExpr, args []*node, from int) error {
	for k := from; k < len(args); k++ {
		switch args[k].t.k {
		case kBinary, kInterval, kList:
			return errorf(e.args[k].pos(), "%s: argument %d is %s, which has no text form", e.name, k+1, args[k].t)
		}
	}
	return nil
}

// concat joins its arguments (other types printed as CAST AS VARCHAR
// does); NULL if any is NULL, as MySQL.
func concat(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := textable(e, args, 0); err != nil {
		return nil, err
	}
	types := nodeTypes(args)
	return strictNode(tVarchar, args, func(in []*vec, out *vec, i int) error {
		var b strings.Builder
		for k, v := range in {
			b.WriteString(formatValue(v, types[k], i))
		}
		out.s[i] = b.String()
		return nil
	}), nil
}

func nodeTypes(args []*node) []typ {
	out := make([]typ, len(args))
	for k, a := range args {
		out[k] = a.t
	}
	return out
}

// concatWS joins the arguments after the first with it as separator,
// skipping NULLs; NULL only if the separator is.
func concatWS(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantKinds(e, args, 0, kVarchar); err != nil {
		return nil, err
	}
	if err := textable(e, args, 1); err != nil {
		return nil, err
	}
	types := nodeTypes(args)
	n := &node{t: tVarchar, eval: func(c *evalCtx, act []bool) (*vec, error) {
		in := make([]*vec, len(args))
		for k, a := range args {
			v, err := a.eval(c, act)
			if err != nil {
				return nil, err
			}
			in[k] = v
		}
		out := newVec(kVarchar, c.n)
		out.valid = andValid(c.n, in[0].valid)
		var b strings.Builder
		for i := range c.n {
			if !live(act, out.valid, i) {
				continue
			}
			b.Reset()
			first := true
			for k := 1; k < len(in); k++ {
				if !in[k].isValid(i) {
					continue
				}
				if !first {
					b.WriteString(in[0].s[i])
				}
				first = false
				b.WriteString(formatValue(in[k], types[k], i))
			}
			out.s[i] = b.String()
		}
		return out, nil
	}}
	return fold(n, args...), nil
}

// substr is SUBSTR(s, pos[, len]) as MySQL: 1-based in characters, a
// negative pos counting from the end; out of range gives an empty string.
func substr(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantKinds(e, args, 0, kVarchar); err != nil {
		return nil, err
	}
	for k := 1; k < len(args); k++ {
		if err := wantKinds(e, args, k, kBigint); err != nil {
			return nil, err
		}
	}
	return strictNode(tVarchar, args, func(in []*vec, out *vec, i int) error {
		s, pos := in[0].s[i], in[1].i[i]
		length := int64(-1)
		if len(in) == 3 {
			if length = in[2].i[i]; length <= 0 {
				out.s[i] = ""
				return nil
			}
		}
		out.s[i] = substring(s, pos, length)
		return nil
	}), nil
}

// substring is the len characters (all if < 0) from 1-based pos.
func substring(s string, pos, length int64) string {
	if pos == 0 {
		return ""
	}
	chars := int64(utf8.RuneCountInString(s))
	start := pos - 1
	if pos < 0 {
		start = chars + pos
	}
	if start < 0 || start >= chars {
		return ""
	}
	end := chars
	if length >= 0 && length < chars-start {
		end = start + length
	}
	// Byte offsets of characters start and end.
	from, to, k := len(s), len(s), int64(0)
	for b := range s {
		if k == start {
			from = b
		}
		if k == end {
			to = b
			break
		}
		k++
	}
	return s[from:to]
}

// replace replaces every from with to; an empty from changes nothing
// (as MySQL).
func replace(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kVarchar); err != nil {
		return nil, err
	}
	return strictNode(tVarchar, args, func(in []*vec, out *vec, i int) error {
		s, from := in[0].s[i], in[1].s[i]
		if from == "" {
			out.s[i] = s
		} else {
			out.s[i] = strings.ReplaceAll(s, from, in[2].s[i])
		}
		return nil
	}), nil
}

func startsWith(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kVarchar); err != nil {
		return nil, err
	}
	return strictNode(tBoolean, args, func(in []*vec, out *vec, i int) error {
		out.b[i] = strings.HasPrefix(in[0].s[i], in[1].s[i])
		return nil
	}), nil
}

// splitPart is field n (1-based; negative from the end) of s split at
// delim, empty past the last field. An empty delim makes s the only field.
func splitPart(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantKinds(e, args, 0, kVarchar); err != nil {
		return nil, err
	}
	if err := wantKinds(e, args, 1, kVarchar); err != nil {
		return nil, err
	}
	if err := wantKinds(e, args, 2, kBigint); err != nil {
		return nil, err
	}
	if k := args[2].konst; k != nil && k.isValid(0) && k.i[0] == 0 {
		return nil, errorf(e.args[2].pos(), "SPLIT_PART: field positions start at 1 (or -1 from the end), not 0")
	}
	at := e.args[2].pos()
	return strictNode(tVarchar, args, func(in []*vec, out *vec, i int) error {
		s, delim, n := in[0].s[i], in[1].s[i], in[2].i[i]
		if n == 0 {
			return errorf(at, "SPLIT_PART: field positions start at 1 (or -1 from the end), not 0")
		}
		parts := []string{s}
		if delim != "" {
			parts = strings.Split(s, delim)
		}
		if n < 0 {
			n += int64(len(parts)) + 1
		}
		if n >= 1 && n <= int64(len(parts)) {
			out.s[i] = parts[n-1]
		}
		return nil
	}), nil
}
