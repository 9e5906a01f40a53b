package pii

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaskValue protects a value by its format: an email keeps its domain, an IP
// address its network (/24 for IPv4, /48 for IPv6), a phone number its last
// two digits; anything else keeps its first character.
func MaskValue(v string) string {
	if v == "" {
		return ""
	}
	if at := strings.LastIndexByte(v, '@'); at > 0 && at < len(v)-1 && !strings.ContainsAny(v, " \t") {
		return "*@" + v[at+1:]
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return maskAddr(a)
	}
	if isPhone(v) {
		return maskPhone(v)
	}
	_, n := utf8.DecodeRuneInString(v)
	return v[:n] + strings.Repeat("*", utf8.RuneCountInString(v[n:]))
}

func maskAddr(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		p, _ := a.Prefix(24)
		return p.String()
	}
	p, _ := a.WithZone("").Prefix(48)
	return p.String()
}

func isPhone(v string) bool {
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return digits >= 7
}

func maskPhone(v string) string {
	total := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			total++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= total-2 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Patterns for scrubbing free text. IPv4 must not be part of a longer
// dotted number (versions like 1.2.3.4.5) or a word.
var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`)
	ipv4RE  = regexp.MustCompile(`(?:^|[^0-9.])((?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})(?:$|[^0-9.]|\.(?:$|[^0-9]))`)
	ipv6RE  = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`)
)

// ScrubText replaces emails and IP addresses inside free text: with their
// keyed hash ("<h:first 16 hex>") for Hash, or their mask for Mask.
func (k Key) ScrubText(v string, action Action) string {
	replace := func(s string) string {
		if action == Mask {
			return MaskValue(s)
		}
		return "<h:" + k.HashString(s)[:16] + ">"
	}
	v = emailRE.ReplaceAllStringFunc(v, replace)
	v = replaceSubmatch(ipv4RE, v, replace)
	v = ipv6RE.ReplaceAllStringFunc(v, func(s string) string {
		if a, err := netip.ParseAddr(s); err == nil && a.Is6() {
			return replace(s)
		}
		return s
	})
	return v
}

// replaceSubmatch replaces only group 1 of each match.
func replaceSubmatch(re *regexp.Regexp, s string, fn func(string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[2]])
		b.WriteString(fn(s[m[2]:m[3]]))
		last = m[3]
	}
	b.WriteString(s[last:])
	return b.String()
}
