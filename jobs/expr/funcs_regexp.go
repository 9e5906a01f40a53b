package expr

import (
	"regexp"
	"regexp/syntax"
)

// Regular expressions are Go's (RE2): no backtracking, linear time. A
// constant pattern is compiled once, at Compile, and an invalid one is
// a compile error; a pattern from a column is compiled per batch and
// value.

func init() {
	register("REGEXP_LIKE", 2, 2, regexpLike)
	register("REGEXP_EXTRACT", 2, 3, regexpExtract)
	register("REGEXP_REPLACE", 3, 3, regexpReplace)
}

type reFunc func(re *regexp.Regexp, in []*vec, out *vec, i int) error

// regexpNode builds a strict node whose argument 1 is a pattern.
func regexpNode(e *callExpr, t typ, args []*node, check func(re *regexp.Regexp) error, f reFunc) (*node, error) {
	if err := wantAll(e, args[:2], kVarchar); err != nil {
		return nil, err
	}
	pat := args[1]
	at := e.args[1].pos()
	if pat.konst != nil {
		if !pat.konst.isValid(0) {
			return nullConst(t), nil
		}
		re, err := regexp.Compile(pat.konst.s[0])
		if err != nil {
			return nil, errorf(at, "%s: bad pattern %s: %v", e.name, quoteString(pat.konst.s[0]), err)
		}
		if err := check(re); err != nil {
			return nil, err
		}
		return strictNode(t, args, func(in []*vec, out *vec, i int) error { return f(re, in, out, i) }), nil
	}
	return &node{t: t, eval: func(c *evalCtx, act []bool) (*vec, error) {
		cache := map[string]*regexp.Regexp{}
		inner := strictNode(t, args, func(in []*vec, out *vec, i int) error {
			p := in[1].s[i]
			re, ok := cache[p]
			if !ok {
				var err error
				if re, err = regexp.Compile(p); err != nil {
					return errorf(at, "%s: bad pattern %s: %v", e.name, quoteString(p), err)
				}
				if err := check(re); err != nil {
					return err
				}
				if len(cache) > 256 {
					clear(cache)
				}
				cache[p] = re
			}
			return f(re, in, out, i)
		})
		return inner.eval(c, act)
	}}, nil
}

func noCheck(*regexp.Regexp) error { return nil }

// regexpLike is whether the pattern matches anywhere in s (anchor it
// with ^ and $ for the whole string).
func regexpLike(c *compiler, e *callExpr, args []*node) (*node, error) {
	if pat := args[1].konst; pat != nil && pat.isValid(0) && wantAll(e, args[:2], kVarchar) == nil {
		if m := classRunMatcher(pat.s[0]); m != nil {
			return strictNode(tBoolean, args, func(in []*vec, out *vec, i int) error {
				out.b[i] = m(in[0].s[i])
				return nil
			}), nil
		}
	}
	return regexpNode(e, tBoolean, args, noCheck, func(re *regexp.Regexp, in []*vec, out *vec, i int) error {
		out.b[i] = re.MatchString(in[0].s[i])
		return nil
	})
}

// regexpExtract is the first match (group 0) or one of its groups;
// NULL when nothing matches or the group took no part.
func regexpExtract(c *compiler, e *callExpr, args []*node) (*node, error) {
	if len(args) == 2 {
		args = append(args, constant(tBigint, &vec{i: []int64{0}}))
	} else if err := wantKinds(e, args, 2, kBigint); err != nil {
		return nil, err
	}
	groupAt := e.at
	if len(e.args) == 3 {
		groupAt = e.args[2].pos()
	}
	badGroup := func(re *regexp.Regexp, g int64) error {
		return errorf(groupAt, "REGEXP_EXTRACT: group %d does not exist; the pattern %s has %d", g, quoteString(re.String()), re.NumSubexp())
	}
	check := func(re *regexp.Regexp) error {
		if g := args[2].konst; g != nil && g.isValid(0) && (g.i[0] < 0 || g.i[0] > int64(re.NumSubexp())) {
			return badGroup(re, g.i[0])
		}
		return nil
	}
	return regexpNode(e, tVarchar, args, check, func(re *regexp.Regexp, in []*vec, out *vec, i int) error {
		g := in[2].i[i]
		if g < 0 || g > int64(re.NumSubexp()) {
			return badGroup(re, g)
		}
		m := re.FindStringSubmatchIndex(in[0].s[i])
		if m == nil || m[2*g] < 0 {
			out.valid[i] = false
			return nil
		}
		out.s[i] = in[0].s[i][m[2*g]:m[2*g+1]]
		return nil
	})
}

// regexpReplace replaces every match; $1 or ${name} in the replacement
// stand for groups.
func regexpReplace(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantKinds(e, args, 2, kVarchar); err != nil {
		return nil, err
	}
	return regexpNode(e, tVarchar, args, noCheck, func(re *regexp.Regexp, in []*vec, out *vec, i int) error {
		out.s[i] = re.ReplaceAllString(in[0].s[i], in[2].s[i])
		return nil
	})
}

// classRunMatcher is a matcher equal to the pattern's, without the
// regexp engine, for the common validation pattern ^[class]+$ (or *)
// whose class holds ASCII characters only: a table lookup per byte. Nil
// for any other pattern. A non-ASCII byte is in no such class, as a
// non-ASCII (or invalid UTF-8) character is not for the regexp.
func classRunMatcher(pattern string) func(string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl) // regexp.Compile's flags
	if err != nil {
		return nil
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) != 3 || re.Sub[0].Op != syntax.OpBeginText || re.Sub[2].Op != syntax.OpEndText {
		return nil
	}
	run := re.Sub[1]
	if (run.Op != syntax.OpPlus && run.Op != syntax.OpStar) || run.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	var in [256]bool
	ranges := run.Sub[0].Rune
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i+1] > 127 {
			return nil
		}
		for c := ranges[i]; c <= ranges[i+1]; c++ {
			in[c] = true
		}
	}
	least := 0
	if run.Op == syntax.OpPlus {
		least = 1
	}
	return func(s string) bool {
		if len(s) < least {
			return false
		}
		for i := 0; i < len(s); i++ {
			if !in[s[i]] {
				return false
			}
		}
		return true
	}
}
