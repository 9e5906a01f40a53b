package expr

import "testing"

func TestLikePattern(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"%", "", true},
		{"%", "anything", true},
		{"%%", "", true},
		{"_", "", false},
		{"_", "a", true},
		{"_", "é", true}, // one character, two bytes
		{"_", "ab", false},
		{"__", "é", false},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"abc", "ABC", false}, // case-sensitive, like =
		{"a%", "a", true},
		{"a%", "ba", false},
		{"%a", "ba", true},
		{"%a", "ab", false},
		{"%b%", "abc", true},
		{"%b%", "ac", false},
		{"a%c", "ac", true},
		{"a%c", "abbbc", true},
		{"a%c", "abbbcd", false},
		{"a%b%c", "aXbYc", true},
		{"a%b%c", "aXcYb", false},
		{"%ab%ab%", "xabyab", true},
		{"%ab%ab%", "xaby", false},
		{"%aab", "aaab", true}, // the last segment is matched at the end
		{"a_c", "abc", true},
		{"a_c", "ac", false},
		{"%_b", "ab", true},
		{"%_b", "b", false},
		{"%a_c%", "xxabcxx", true},
		{"%a_c%", "xxacxx", false},
		{"h_llo%", "héllo world", true},
		{`a\%c`, "a%c", true},
		{`a\%c`, "abc", false},
		{`a\_c`, "a_c", true},
		{`a\_c`, "abc", false},
		{`a\\c`, `a\c`, true},
		{`abc\`, `abc\`, true}, // a trailing backslash is itself
		{`\a`, "a", true},
		{"100%", "100% sure", true},
		{"%\xff%", "a\xffb", true}, // bytes that are not UTF-8 still match themselves
	} {
		if got := compileLike(tt.pattern).match(tt.s); got != tt.want {
			t.Errorf("%q LIKE %q = %v, want %v", tt.s, tt.pattern, got, tt.want)
		}
	}
}
