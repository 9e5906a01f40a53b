package pii

import (
	"cmp"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Candidate patterns for ScrubText. Go's regexp has no look-around, so the
// patterns only find candidates; boundaries and validity are checked in
// code, with netip deciding what is an address.
var (
	// The local part is a dot-atom (no leading, trailing or doubled
	// dots), so "see...bob@x.org" finds "bob@x.org", which hashes the
	// same as in a hashed email column.
	emailRE = regexp.MustCompile(`[\p{L}\p{N}_%+\-]+(?:\.[\p{L}\p{N}_%+\-]+)*@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+`)
	ipv4RE  = regexp.MustCompile(`[0-9]{1,3}(?:\.[0-9]{1,3}){3}`)
	// A run of hex digits, colons and dots holding at least two colons
	// (the dots allow an embedded IPv4 as in ::ffff:10.1.2.3).
	ipv6RE = regexp.MustCompile(`[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*`)
	// A phone number candidate: digits with the separators people write
	// (space, '-', '.', parentheses), an optional leading '+'.
	phoneRE = regexp.MustCompile(`\+?\(?[0-9][0-9 ().\-]{5,}[0-9]`)
	dateRE  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}`)
)

// scrubHashHex is how much of the hash a finding keeps: enough to join on,
// short enough to keep the text readable.
const scrubHashHex = 16

// ScrubText replaces the emails, IPv4 and IPv6 addresses and phone
// numbers (see phoneAt) found inside free text and keeps the rest. With Mask each finding becomes its
// MaskValue; with any other action (Hash, Scrub) it becomes
// "<h:" + the first 16 hex characters of its keyed hash + ">", which needs
// a valid key.
//
// An IPv4 address must stand alone: version numbers such as "1.2.3" or
// "10.0.0.1.5" and words such as "v1.2.3.4" are left as they are, while a
// sentence's closing period or a ":port" do not stop a match. The
// unspecified addresses "::" and "0.0.0.0" identify no one and are kept.
func (k Key) ScrubText(v string, action Action) string {
	return k.scrubText(v, action, nil)
}

// scrubText is ScrubText hashing with h (nil: a new hasher when a
// finding needs one).
func (k Key) scrubText(v string, action Action, h *hasher) string {
	spans := findPII(v)
	if len(spans) == 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + len(spans)*(scrubHashHex+4))
	last := 0
	for _, sp := range spans {
		b.WriteString(v[last:sp.start])
		found := v[sp.start:sp.end]
		if action == Mask {
			b.WriteString(MaskValue(found))
		} else {
			if h == nil {
				h = k.newHasher()
			}
			b.WriteString("<h:")
			b.Write(h.hexSumMemo(found)[:scrubHashHex])
			b.WriteByte('>')
		}
		last = sp.end
	}
	b.WriteString(v[last:])
	return b.String()
}

type span struct{ start, end int }

// findPII returns the non-overlapping spans of emails and addresses in v,
// in order. Where two overlap the one starting first wins, so an email
// whose domain is an IP address, or an IPv6 address with an embedded
// IPv4, is replaced whole.
func findPII(v string) []span {
	var spans []span
	// Each pattern needs one character; skipping a regexp on text without
	// it keeps plain log lines cheap.
	if strings.IndexByte(v, '@') >= 0 {
		spans = appendEmails(spans, v)
	}
	if strings.IndexByte(v, ':') >= 0 {
		for _, m := range ipv6RE.FindAllStringIndex(v, -1) {
			if sp, ok := ipv6At(v, m[0], m[1]); ok {
				spans = append(spans, sp)
			}
		}
	}
	if strings.IndexByte(v, '.') >= 0 {
		for _, m := range ipv4Candidates(v) {
			if ipv4At(v, m[0], m[1]) {
				spans = append(spans, span{m[0], m[1]})
			}
		}
	}
	if hasDigits(v, 7) {
		for _, m := range phoneCandidates(v) {
			if phoneAt(v, m[0], m[1]) {
				spans = append(spans, span{m[0], m[1]})
			}
		}
	}
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end))
	})
	out := spans[:1]
	for _, sp := range spans[1:] {
		if sp.start >= out[len(out)-1].end {
			out = append(out, sp)
		}
	}
	return out
}

// appendEmails finds what emailRE matches, without the regexp engine
// (which spent most of a pipeline's scrub time backtracking): from each
// '@', the longest dot-atom before it and the longest run of two or more
// dot-separated labels after it.
func appendEmails(spans []span, v string) []span {
	from, low := 0, 0 // low: the end of the last match, which the next cannot overlap
	for {
		at := strings.IndexByte(v[from:], '@')
		if at < 0 {
			return spans
		}
		at += from
		from = at + 1
		start := localStart(v, low, at)
		if start < 0 {
			continue
		}
		end := domainEnd(v, at+1)
		if end < 0 {
			continue
		}
		spans = append(spans, span{start, end})
		from, low = end, end
	}
}

func isLocalRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '%' || r == '+' || r == '-'
}

func isDomainRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' }

// localStart is where the dot-atom ending at at begins, not before low
// (-1: none): no leading, trailing or doubled dots.
func localStart(v string, low, at int) int {
	i := at
	start := -1
	for i > low {
		r, n := utf8.DecodeLastRuneInString(v[:i])
		switch {
		case isLocalRune(r):
			i -= n
			start = i
			continue
		case r == '.' && start == i && i-n > low:
			// A dot counts only between two atoms.
			if r2, _ := utf8.DecodeLastRuneInString(v[:i-n]); isLocalRune(r2) {
				i -= n
				continue
			}
		}
		break
	}
	return start
}

// domainEnd is where the labels starting at i end (-1: fewer than two).
func domainEnd(v string, i int) int {
	labels, end := 0, -1
	for {
		j := i
		for j < len(v) {
			r, n := utf8.DecodeRuneInString(v[j:])
			if !isDomainRune(r) {
				break
			}
			j += n
		}
		if j == i {
			break
		}
		labels++
		end = j
		if j >= len(v) || v[j] != '.' {
			break
		}
		i = j + 1
	}
	if labels < 2 {
		return -1
	}
	return end
}

// ipv4Candidates is ipv4RE.FindAllStringIndex(v, -1), without the
// regexp engine: a dotted quad of 1-3 digit groups; a start inside a
// longer run of digits matches as the regexp does (ipv4At rejects it).
func ipv4Candidates(v string) [][2]int {
	var out [][2]int
	run := func(i int) int { // digits from i
		j := i
		for j < len(v) && v[j] >= '0' && v[j] <= '9' {
			j++
		}
		return j - i
	}
	for s := 0; s < len(v); {
		if v[s] < '0' || v[s] > '9' {
			s++
			continue
		}
		i, ok := s, true
		for g := 0; g < 3 && ok; g++ {
			n := run(i)
			if n == 0 || n > 3 || i+n >= len(v) || v[i+n] != '.' {
				ok = false
				break
			}
			i += n + 1
		}
		if ok {
			if n := run(i); n > 0 {
				e := i + min(n, 3)
				out = append(out, [2]int{s, e})
				s = e
				continue
			}
		}
		s++
	}
	return out
}

func isPhoneRun(c byte) bool {
	return c >= '0' && c <= '9' || c == ' ' || c == '(' || c == ')' || c == '.' || c == '-'
}

// phoneCandidates is phoneRE.FindAllStringIndex(v, -1) without the
// regexp engine: an optional '+', an optional '(', a digit, then the
// longest run of digits and separators that ends in a digit at least six
// characters on.
func phoneCandidates(v string) [][2]int {
	var out [][2]int
	for s := 0; s < len(v); {
		i := s
		if v[i] == '+' {
			i++
		}
		if i < len(v) && v[i] == '(' {
			i++
		}
		if i >= len(v) || v[i] < '0' || v[i] > '9' {
			s++
			continue
		}
		first := i
		j := first + 1
		for j < len(v) && isPhoneRun(v[j]) {
			j++
		}
		e := -1
		for k := j - 1; k >= first+6; k-- {
			if v[k] >= '0' && v[k] <= '9' {
				e = k + 1
				break
			}
		}
		if e < 0 {
			s++
			continue
		}
		out = append(out, [2]int{s, e})
		s = e
	}
	return out
}

// hasDigits reports whether v has at least n ASCII digits.
func hasDigits(v string, n int) bool {
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			if n--; n == 0 {
				return true
			}
		}
	}
	return false
}

// phoneAt reports whether v[s:e] is a phone number standing alone: 7 to
// 15 digits, written either in international form ("+49 30 1234567") or
// in groups ("(555) 123-4567", "555.123.4567"). Bare digit runs (order
// numbers, card endings), dates, times and IP addresses are not phones.
func phoneAt(v string, s, e int) bool {
	c := v[s:e]
	digits, groups, dots, others := 0, 1, 0, 0
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch >= '0' && ch <= '9':
			digits++
		case ch == '+' || ch == '(':
		default:
			if i > 0 && c[i-1] >= '0' && c[i-1] <= '9' {
				groups++
			}
			if ch == '.' {
				dots++
			} else {
				others++
			}
		}
	}
	if digits < 7 || digits > 15 || dateRE.MatchString(c) {
		return false
	}
	if c[0] != '+' && groups < 2 {
		return false // a bare run of digits
	}
	if others == 0 && dots > 0 && (groups != 3 || ipv4RE.MatchString(c)) {
		return false // dotted: only the 3-group form, and never an address or version
	}
	if s > 0 {
		r, _ := utf8.DecodeLastRuneInString(v[:s])
		if isWordRune(r) || r == '.' || r == '-' || r == '+' || r == ':' {
			return false
		}
	}
	if e < len(v) {
		r, n := utf8.DecodeRuneInString(v[e:])
		if isWordRune(r) || r == ':' || (r == '.' || r == '-') && e+n < len(v) && isDigit(rune(v[e+n])) {
			return false
		}
	}
	return true
}

// ipv4At reports whether v[s:e], a dotted quad, is an address standing
// alone rather than part of a word or of a longer dotted number.
func ipv4At(v string, s, e int) bool {
	if s > 0 {
		r, n := utf8.DecodeLastRuneInString(v[:s])
		if isWordRune(r) {
			return false
		}
		if r == '.' {
			if r2, _ := utf8.DecodeLastRuneInString(v[:s-n]); isDigit(r2) {
				return false
			}
		}
	}
	if e < len(v) {
		r, n := utf8.DecodeRuneInString(v[e:])
		if isWordRune(r) {
			return false
		}
		if r == '.' {
			if r2, _ := utf8.DecodeRuneInString(v[e+n:]); isDigit(r2) {
				return false
			}
		}
	}
	a, err := netip.ParseAddr(v[s:e])
	return err == nil && !a.IsUnspecified()
}

// ipv6At checks a candidate run v[s:e]. A run ending in '.' or ':' (end of
// a sentence, "addr: message") is retried without that character.
func ipv6At(v string, s, e int) (span, bool) {
	a, err := netip.ParseAddr(v[s:e])
	if err != nil && (v[e-1] == '.' || v[e-1] == ':') {
		e--
		a, err = netip.ParseAddr(v[s:e])
	}
	if err != nil || a.IsUnspecified() {
		return span{}, false
	}
	// Hex letters are word characters, so "std::vector" must not give
	// "d::" even though that parses.
	if r, _ := utf8.DecodeLastRuneInString(v[:s]); s > 0 && isWordRune(r) {
		return span{}, false
	}
	if r, _ := utf8.DecodeRuneInString(v[e:]); e < len(v) && isWordRune(r) {
		return span{}, false
	}
	return span{s, e}, true
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
