package pii

import (
	"testing"
	"unicode/utf8"
)

func TestMaskValue(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"email", "alice@example.com", "*@example.com"},
		{"email long local", "a.b+tag@sub.example.co.uk", "*@sub.example.co.uk"},
		{"email two @", `"a@b"@example.com`, "*@example.com"},
		{"email @ first", "@nope", "@****"},
		{"email @ last", "alice@", "a*****"},
		{"email with space", "a b@x.io", "a*******"},
		{"ipv4", "192.168.7.42", "192.168.7.0/24"},
		{"ipv4 network", "10.0.0.0", "10.0.0.0/24"},
		{"ipv4 bad octet", "999.1.1.1", "9********"},
		{"ipv6", "2001:db8:1234:5678::1", "2001:db8:1234::/48"},
		{"ipv6 long form", "2001:0DB8:1234:FFFF:0000:0000:0000:0001", "2001:db8:1234::/48"},
		{"ipv6 zone", "fe80::1%eth0", "fe80::/48"},
		{"ipv6 loopback", "::1", "::/48"},
		{"ipv4-mapped", "::ffff:10.1.2.3", "10.1.2.0/24"},
		{"phone", "+1 (555) 123-4567", "+* (***) ***-**67"},
		{"phone digits", "5551234", "*****34"},
		{"phone dashes", "555-123-4567", "***-***-**67"},
		{"too few digits", "555-123", "5******"},
		{"dots are not a phone", "555.123.4567", "5***********"},
		{"generic", "Alice", "A****"},
		{"one char", "A", "A"},
		{"empty", "", ""},
		{"unicode", "ñandú", "ñ****"},
		{"invalid utf8", "\xff\xfeab", "****"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MaskValue(tt.in)
			if got != tt.want {
				t.Errorf("MaskValue(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("MaskValue(%q) is not UTF-8", tt.in)
			}
		})
	}
}
