package engine

import (
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"
	"github.com/shopspring/decimal"

	"github.com/hetl/hetl/ingest/format"
)

// pruneRuleID names the rule among the analyzer's (past its own ids).
const pruneRuleID analyzer.RuleId = 10_000

// pruneRule gives each hetl table under a filter the filter's bounds, so
// it reads only the partitions and row groups that can match. The filter
// stays where it is: the engine still applies all of it.
func pruneRule(ctx *gsql.Context, a *analyzer.Analyzer, n gsql.Node, scope *plan.Scope, sel analyzer.RuleSelector, qf *gsql.QueryFlags) (gsql.Node, transform.TreeIdentity, error) {
	return transform.NodeWithOpaque(n, func(n gsql.Node) (gsql.Node, transform.TreeIdentity, error) {
		f, ok := n.(*plan.Filter)
		if !ok {
			return n, transform.SameTree, nil
		}
		child, same, err := withBounds(f.Child, f.Expression)
		if err != nil || same {
			return n, transform.SameTree, err
		}
		nf, err := f.WithChildren(child)
		return nf, transform.NewTree, err
	})
}

// withBounds gives the table of a (possibly aliased) resolved table the
// bounds of filter e.
func withBounds(n gsql.Node, e gsql.Expression) (gsql.Node, bool, error) {
	switch x := n.(type) {
	case *plan.TableAlias:
		c, same, err := withBounds(x.Child, e)
		if err != nil || same {
			return n, true, err
		}
		nn, err := x.WithChildren(c)
		return nn, false, err
	case *plan.ResolvedTable:
		t, ok := x.Table.(*table)
		if !ok {
			return n, true, nil
		}
		nt := t.withFilter(e)
		if nt == t {
			return n, true, nil
		}
		nn, err := x.WithTable(nt)
		return nn, false, err
	}
	return n, true, nil
}

// span is what a conjunct says of a column: lo <= value <= hi for the
// ends that are set. Ends are strings, *big.Rat numbers or time.Time.
type span struct {
	col    string
	lo, hi any
	// strict ends exclude their value (col > lo, col < hi); the
	// partition and time checks use it, the rest treat ends as inclusive.
	loStrict, hiStrict bool
}

// spansOf reads the spans among e's AND terms: comparisons, BETWEENs and
// IN lists of a column with literals. Strict comparisons give inclusive
// ends, which only keeps more.
func spansOf(e gsql.Expression) []span {
	var out []span
	for _, c := range expression.SplitConjunction(e) {
		switch x := c.(type) {
		case *expression.Equals, *expression.GreaterThan, *expression.GreaterThanOrEqual, *expression.LessThan, *expression.LessThanOrEqual:
			cmp := x.(expression.Comparer)
			col, lit, flipped := colAndLiteral(cmp.Left(), cmp.Right())
			if col == "" {
				continue
			}
			var greater bool // col > lit or col >= lit
			strict := false
			switch x.(type) {
			case *expression.Equals:
				out = append(out, span{col: col, lo: lit, hi: lit})
				continue
			case *expression.GreaterThan, *expression.LessThan:
				strict = true
			}
			switch x.(type) {
			case *expression.GreaterThan, *expression.GreaterThanOrEqual:
				greater = !flipped
			default:
				greater = flipped
			}
			if greater {
				out = append(out, span{col: col, lo: lit, loStrict: strict})
			} else {
				out = append(out, span{col: col, hi: lit, hiStrict: strict})
			}
		case *expression.Between:
			f, ok := x.Val.(*expression.GetField)
			lo, ok1 := literal(x.Lower)
			hi, ok2 := literal(x.Upper)
			if ok && ok1 && ok2 {
				out = append(out, span{col: f.Name(), lo: lo, hi: hi})
			}
		case *expression.InTuple, *expression.HashInTuple:
			cmp := x.(expression.Comparer)
			f, ok := cmp.Left().(*expression.GetField)
			tuple, ok2 := cmp.Right().(expression.Tuple)
			if !ok || !ok2 || len(tuple) == 0 {
				continue
			}
			var lo, hi any
			all := true
			for _, item := range tuple {
				v, ok := literal(item)
				if !ok || (lo != nil && !sameKind(lo, v)) {
					all = false
					break
				}
				if lo == nil || less(v, lo) {
					lo = v
				}
				if hi == nil || less(hi, v) {
					hi = v
				}
			}
			if all {
				out = append(out, span{col: f.Name(), lo: lo, hi: hi})
			}
		}
	}
	return out
}

// colAndLiteral finds "column op literal" in either order.
func colAndLiteral(l, r gsql.Expression) (col string, lit any, flipped bool) {
	if f, ok := l.(*expression.GetField); ok {
		if v, ok := literal(r); ok {
			return f.Name(), v, false
		}
	}
	if f, ok := r.(*expression.GetField); ok {
		if v, ok := literal(l); ok {
			return f.Name(), v, true
		}
	}
	return "", nil, false
}

// literal is a literal's value as a span end: a string, an exact
// *big.Rat, or a time.Time.
func literal(e gsql.Expression) (any, bool) {
	l, ok := e.(*expression.Literal)
	if !ok || l.Val == nil {
		return nil, false
	}
	switch v := l.Val.(type) {
	case string:
		return v, true
	case int8:
		return big.NewRat(int64(v), 1), true
	case int16:
		return big.NewRat(int64(v), 1), true
	case int32:
		return big.NewRat(int64(v), 1), true
	case int64:
		return big.NewRat(v, 1), true
	case int:
		return big.NewRat(int64(v), 1), true
	case uint8:
		return big.NewRat(int64(v), 1), true
	case uint16:
		return big.NewRat(int64(v), 1), true
	case uint32:
		return big.NewRat(int64(v), 1), true
	case uint64:
		return new(big.Rat).SetFrac(new(big.Int).SetUint64(v), big.NewInt(1)), true
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(v) == nil {
			return nil, false
		}
		return r, true
	case float32:
		r := new(big.Rat)
		if r.SetFloat64(float64(v)) == nil {
			return nil, false
		}
		return r, true
	case decimal.Decimal:
		return v.Rat(), true
	case time.Time:
		return v, true
	}
	return nil, false
}

func sameKind(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case *big.Rat:
		_, ok := b.(*big.Rat)
		return ok
	case time.Time:
		_, ok := b.(time.Time)
		return ok
	}
	return false
}

func less(a, b any) bool {
	switch x := a.(type) {
	case string:
		return x < b.(string)
	case *big.Rat:
		return x.Cmp(b.(*big.Rat)) < 0
	case time.Time:
		return x.Before(b.(time.Time))
	}
	return false
}

// timeLayouts are how a DATETIME is written as a string literal.
var timeLayouts = []string{"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999", "2006-01-02 15:04", "2006-01-02"}

// asTime reads a span end as a time (a DATETIME column's literal).
func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), true
	case string:
		for _, l := range timeLayouts {
			if t, err := time.ParseInLocation(l, x, time.UTC); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// withFilter is t reading only what filter e can match (t itself when
// e says nothing it can use).
func (t *table) withFilter(e gsql.Expression) *table {
	spans := spansOf(e)
	if len(spans) == 0 {
		return t
	}
	nt := *t
	nt.bounds = append([]format.Bound(nil), t.bounds...)
	var keyChecks []func(fileInfo) bool
	for _, s := range spans {
		if k := indexFold(t.keys, s.col); k >= 0 {
			lo, okLo := s.lo.(string)
			hi, okHi := s.hi.(string)
			if (s.lo != nil && !okLo) || (s.hi != nil && !okHi) {
				continue // a number against a string key compares as numbers
			}
			keyChecks = append(keyChecks, func(f fileInfo) bool {
				v := f.keys[k]
				return (!okLo || v >= lo) && (!okHi || v <= hi)
			})
			continue
		}
		idx := t.arrow.FieldIndices(s.col)
		if idx == nil {
			for i, f := range t.arrow.Fields() {
				if strings.EqualFold(f.Name, s.col) {
					idx = []int{i}
				}
			}
		}
		if idx == nil {
			continue
		}
		field := t.arrow.Field(idx[0])
		b := format.Bound{Column: field.Name}
		switch typ := field.Type.(type) {
		case *arrow.TimestampType:
			lo, okLo := asTime(s.lo)
			hi, okHi := asTime(s.hi)
			if !okLo && !okHi {
				continue
			}
			if typ.Unit == arrow.Microsecond {
				if okLo {
					v := lo.UnixMicro()
					if s.loStrict && lo.Equal(time.UnixMicro(v)) {
						v++
					}
					b.Lo = &v
				}
				if okHi {
					v := hi.UnixMicro()
					if s.hiStrict && hi.Equal(time.UnixMicro(v)) {
						v--
					}
					b.Hi = &v
				}
				nt.bounds = append(nt.bounds, b)
			}
			if strings.EqualFold(field.Name, t.timeCol) {
				hiStrict := s.hiStrict
				keyChecks = append(keyChecks, func(f fileInfo) bool {
					if f.from.IsZero() {
						return true
					}
					// A partition holds [from, to).
					return (!okLo || f.to.After(lo)) && (!okHi || f.from.Before(hi) || !hiStrict && f.from.Equal(hi))
				})
			}
		case *arrow.StringType, *arrow.LargeStringType:
			if v, ok := s.lo.(string); ok {
				b.StrLo = &v
			}
			if v, ok := s.hi.(string); ok {
				b.StrHi = &v
			}
			if b.StrLo != nil || b.StrHi != nil {
				nt.bounds = append(nt.bounds, b)
			}
		case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type, *arrow.Decimal128Type:
			if v, ok := s.lo.(*big.Rat); ok {
				b.NumLo = v
			}
			if v, ok := s.hi.(*big.Rat); ok {
				b.NumHi = v
			}
			if b.NumLo != nil || b.NumHi != nil {
				nt.bounds = append(nt.bounds, b)
			}
		}
	}
	if len(keyChecks) > 0 {
		prev := t.keep
		nt.keep = func(f fileInfo) bool {
			if prev != nil && !prev(f) {
				return false
			}
			for _, c := range keyChecks {
				if !c(f) {
					return false
				}
			}
			return true
		}
	}
	return &nt
}

func indexFold(names []string, s string) int {
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return i
		}
	}
	return -1
}
