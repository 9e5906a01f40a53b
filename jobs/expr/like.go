package expr

import (
	"strings"
	"unicode/utf8"
)

// likePattern is a compiled LIKE pattern: segments separated by %,
// each a run of literal text and _ (any one character). Matching is
// case-sensitive and by characters (not bytes), like = on VARCHARs.
type likePattern struct {
	segs    [][]likeItem
	anchorL bool // the pattern does not start with %
	anchorR bool // the pattern does not end with %
}

type likeItem struct {
	any  bool // _
	text string
}

// compileLike reads a pattern: % any run, _ any one character, \ makes
// the next character literal (a trailing \ is itself).
func compileLike(p string) *likePattern {
	lp := &likePattern{anchorL: true}
	var seg []likeItem
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			seg = append(seg, likeItem{text: lit.String()})
			lit.Reset()
		}
	}
	sawPercent := false
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == '\\' && i+w < len(p):
			_, w2 := utf8.DecodeRuneInString(p[i+w:])
			lit.WriteString(p[i+w : i+w+w2])
			i += w + w2
			continue
		case r == '%':
			flush()
			if len(seg) > 0 {
				lp.segs, seg = append(lp.segs, seg), nil
			} else if !sawPercent {
				lp.anchorL = false
			}
			sawPercent = true
		case r == '_':
			flush()
			seg = append(seg, likeItem{any: true})
		default:
			lit.WriteString(p[i : i+w])
		}
		i += w
	}
	flush()
	lp.anchorR = len(seg) > 0 || !sawPercent
	if len(seg) > 0 {
		lp.segs = append(lp.segs, seg)
	}
	return lp
}

func (lp *likePattern) match(s string) bool {
	segs := lp.segs
	if len(segs) == 0 {
		// Only %s (or nothing): "" matches only "", any % matches all.
		return !lp.anchorL || s == ""
	}
	pos := 0
	for k, seg := range segs {
		last := k == len(segs)-1
		switch {
		case k == 0 && lp.anchorL:
			n, ok := matchAt(seg, s)
			if !ok {
				return false
			}
			if last && lp.anchorR {
				return n == len(s)
			}
			pos = n
		case last && lp.anchorR:
			// The last segment must end the string: try it there.
			return matchSuffix(seg, s[pos:])
		default:
			at, n, ok := find(seg, s[pos:])
			if !ok {
				return false
			}
			pos += at + n
		}
	}
	return !lp.anchorR || pos == len(s)
}

// matchAt matches seg at the start of s, returning the bytes consumed.
func matchAt(seg []likeItem, s string) (int, bool) {
	n := 0
	for _, it := range seg {
		if it.any {
			if n >= len(s) {
				return 0, false
			}
			_, w := utf8.DecodeRuneInString(s[n:])
			n += w
			continue
		}
		if !strings.HasPrefix(s[n:], it.text) {
			return 0, false
		}
		n += len(it.text)
	}
	return n, true
}

// find is the leftmost match of seg in s: its start and length. The
// leftmost match is always the right one between %s, since any later
// match leaves less for the segments after.
func find(seg []likeItem, s string) (int, int, bool) {
	if len(seg) == 1 && !seg[0].any {
		at := strings.Index(s, seg[0].text)
		return at, len(seg[0].text), at >= 0
	}
	for at := 0; at <= len(s); {
		if n, ok := matchAt(seg, s[at:]); ok {
			return at, n, true
		}
		if at == len(s) {
			break
		}
		_, w := utf8.DecodeRuneInString(s[at:])
		at += w
	}
	return 0, 0, false
}

// matchSuffix reports whether seg matches some suffix of s exactly.
func matchSuffix(seg []likeItem, s string) bool {
	for at := len(s); at >= 0; at-- {
		if at < len(s) && !utf8.RuneStart(s[at]) {
			continue
		}
		if n, ok := matchAt(seg, s[at:]); ok && at+n == len(s) {
			return true
		}
	}
	return false
}

// like compiles x [NOT] LIKE pattern; a constant pattern is compiled
// once, here.
func (c *compiler) like(e *likeExpr) (*node, error) {
	x, err := c.compile(e.x)
	if err != nil {
		return nil, err
	}
	pat, err := c.compile(e.pat)
	if err != nil {
		return nil, err
	}
	for _, n := range []*node{x, pat} {
		if n.t.k != kVarchar && n.t.k != kNull {
			return nil, errorf(e.at, "LIKE matches VARCHARs, not %s", n.t)
		}
	}
	not := e.not
	var fixed *likePattern
	if pat.konst != nil && pat.konst.isValid(0) {
		fixed = compileLike(pat.konst.s[0])
	}
	return strictNode(tBoolean, []*node{x, pat}, func(in []*vec, out *vec, i int) error {
		lp := fixed
		if lp == nil {
			lp = compileLike(in[1].s[i])
		}
		out.b[i] = lp.match(in[0].s[i]) != not
		return nil
	}), nil
}
