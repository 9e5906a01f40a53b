package pii

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minPhoneDigits tells a phone number from a short number such as a
// quantity or a year.
const minPhoneDigits = 7

// MaskValue protects a value by its format, without a key:
//
//   - an email keeps its domain: "alice@example.com" → "*@example.com";
//   - an IPv4 address keeps its /24: "192.168.7.42" → "192.168.7.0/24";
//   - an IPv6 address keeps its /48 in canonical form:
//     "2001:db8:1234:5678::1" → "2001:db8:1234::/48"; an IPv4-mapped
//     address is treated as IPv4;
//   - a phone number (digits, spaces, '+', '-', parentheses, at least 7
//     digits) keeps its last two digits and its separators:
//     "+1 (555) 123-4567" → "+* (***) ***-**67";
//   - anything else keeps its first character, and every other character
//     becomes '*': "Alice" → "A****". The empty string stays empty.
//
// (It is not called Mask because that name is the Action.)
func MaskValue(v string) string {
	if v == "" {
		return ""
	}
	if m, ok := maskEmail(v); ok {
		return m
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return maskAddr(a)
	}
	if isPhone(v) {
		return maskPhone(v)
	}
	return maskGeneric(v)
}

// maskEmail keeps the domain. A value with '@' first or last, or with
// spaces, is not an email and falls back to the generic mask.
func maskEmail(v string) (string, bool) {
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return "", false
	}
	return "*@" + v[at+1:], true
}

func maskAddr(a netip.Addr) string {
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	// Prefix drops any zone and cannot fail for these lengths.
	p, _ := a.Prefix(bits)
	return p.String()
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isPhone(v string) bool {
	digits := 0
	for _, r := range v {
		switch {
		case isDigit(r):
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= minPhoneDigits
}

func maskPhone(v string) string {
	keepFrom := -2 // digits before the last two become '*'
	for _, r := range v {
		if isDigit(r) {
			keepFrom++
		}
	}
	var b strings.Builder
	b.Grow(len(v))
	seen := 0
	for _, r := range v {
		if isDigit(r) {
			if seen < keepFrom {
				r = '*'
			}
			seen++
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskGeneric keeps the first character and stars the rest, one '*' per
// character so the length stays visible but nothing else.
func maskGeneric(v string) string {
	r, n := utf8.DecodeRuneInString(v)
	if r == utf8.RuneError && n == 1 {
		// Invalid UTF-8 (binary input) must not reach a utf8 column.
		r = '*'
	}
	var b strings.Builder
	b.Grow(len(v))
	b.WriteRune(r)
	b.WriteString(strings.Repeat("*", utf8.RuneCountInString(v[n:])))
	return b.String()
}
