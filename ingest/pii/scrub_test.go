package pii

import (
	"regexp"
	"testing"
)

func TestScrubText(t *testing.T) {
	k := testKey(t)
	h := func(s string) string { return "<h:" + k.HashString(s)[:16] + ">" }
	tests := []struct{ name, in, want string }{
		{"email and ipv4", "user bob@example.org logged in from 10.1.2.3",
			"user " + h("bob@example.org") + " logged in from " + h("10.1.2.3")},
		{"nothing", "nothing personal", "nothing personal"},
		{"empty", "", ""},
		{"versions", "app 1.2.3 on build 10.0.0.1.5 is fine", "app 1.2.3 on build 10.0.0.1.5 is fine"},
		{"long dotted number", "oid 1.2.3.4.5.6.7.8", "oid 1.2.3.4.5.6.7.8"},
		{"dotted number before", "oid 1.10.0.0.1", "oid 1.10.0.0.1"},
		{"word prefix", "release v1.2.3.4 and x10.0.0.1", "release v1.2.3.4 and x10.0.0.1"},
		{"word suffix", "10.0.0.1abc", "10.0.0.1abc"},
		{"bad octet", "999.1.1.1 and 1.2.3.04", "999.1.1.1 and 1.2.3.04"},
		{"unspecified", "listen 0.0.0.0 and ::", "listen 0.0.0.0 and ::"},
		{"sentence end", "peer 8.8.8.8.", "peer " + h("8.8.8.8") + "."},
		{"port", "dial 10.0.0.1:8080 failed", "dial " + h("10.0.0.1") + ":8080 failed"},
		{"adjacent", "1.1.1.1,8.8.4.4", h("1.1.1.1") + "," + h("8.8.4.4")},
		{"brackets", "(10.0.0.1)", "(" + h("10.0.0.1") + ")"},
		{"ipv6 and a time", "from 2001:db8::7 at 12:30:00", "from " + h("2001:db8::7") + " at 12:30:00"},
		{"ipv6 with port", "[2001:db8::1]:443", "[" + h("2001:db8::1") + "]:443"},
		{"ipv6 sentence end", "blocked 2001:db8::1.", "blocked " + h("2001:db8::1") + "."},
		{"ipv6 then colon", "fe80::1: no route", h("fe80::1") + ": no route"},
		{"ipv6 zone", "via fe80::1%eth0", "via " + h("fe80::1") + "%eth0"},
		{"ipv4-mapped whole", "from ::ffff:10.1.2.3 ok", "from " + h("::ffff:10.1.2.3") + " ok"},
		{"c++ scope", "std::vector<int> and a::b::c", "std::vector<int> and a::b::c"},
		{"mac address", "hw aa:bb:cc:dd:ee:ff", "hw aa:bb:cc:dd:ee:ff"},
		{"email leading dots", "see...bob@x.org", "see..." + h("bob@x.org")},
		{"email with ip domain", "root@10.1.2.3", h("root@10.1.2.3")},
		{"email in brackets", "<alice.smith+x@mail.example.com>", "<" + h("alice.smith+x@mail.example.com") + ">"},
		{"email sentence end", "mail bob@example.org.", "mail " + h("bob@example.org") + "."},
		{"unicode email", "an josé@exämple.de", "an " + h("josé@exämple.de")},
		{"not an email", "@here and a@b", "@here and a@b"},
		{"phone international", "call +49 30 1234567 now", "call " + h("+49 30 1234567") + " now"},
		{"phone us", "cb (555) 123-4567.", "cb " + h("(555) 123-4567") + "."},
		{"phone dashes", "tel 555-123-4567", "tel " + h("555-123-4567")},
		{"phone dots", "tel 555.123.4567", "tel " + h("555.123.4567")},
		{"order number", "payment accepted for order 1234567 (card ending 0042)", "payment accepted for order 1234567 (card ending 0042)"},
		{"date and time", "at 2026-11-21 10:00:00", "at 2026-11-21 10:00:00"},
		{"dotted ip not a phone", "from 192.168.100.200", "from " + h("192.168.100.200")},
		{"version not a phone", "build 1.22.333.4444", "build 1.22.333.4444"},
		{"too short", "room 12-34", "room 12-34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := k.ScrubText(tt.in, Hash); got != tt.want {
				t.Errorf("ScrubText(%q)\n got  %q\n want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScrubTextMask(t *testing.T) {
	var zero Key // masking needs no key
	tests := []struct{ name, in, want string }{
		{"all kinds", "user bob@example.org from 10.1.2.3 and 2001:db8:1234:5678::1",
			"user *@example.org from 10.1.2.0/24 and 2001:db8:1234::/48"},
		{"mapped", "from ::ffff:10.1.2.3", "from 10.1.2.0/24"},
		{"versions kept", "hetl 1.2.3", "hetl 1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := zero.ScrubText(tt.in, Mask); got != tt.want {
				t.Errorf("ScrubText(%q, Mask)\n got  %q\n want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScrubTextScrubActionHashes(t *testing.T) {
	k := testKey(t)
	in := "from 10.1.2.3"
	if a, b := k.ScrubText(in, Scrub), k.ScrubText(in, Hash); a != b {
		t.Errorf("Scrub %q != Hash %q", a, b)
	}
}

// The hand-written email finder agrees with emailRE, its specification.
func FuzzEmailsMatchRegexp(f *testing.F) {
	for _, s := range []string{"bob@example.org", "see...bob@x.org.", "a@b@c.com", "x.@y.z", ".a@b.c", "josé@exämple.de", "a@b", "u@d..com", "1@2.3 and q+x@a-b.c-d.e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []span
		for _, m := range emailRE.FindAllStringIndex(s, -1) {
			want = append(want, span{m[0], m[1]})
		}
		got := appendEmails(nil, s)
		if len(got) != len(want) {
			t.Fatalf("%q: got %v, regexp %v", s, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: got %v, regexp %v", s, got, want)
			}
		}
	})
}

// The hand-written IPv4 and phone scanners agree with the patterns they
// replace.
func FuzzCandidatesMatchRegexp(f *testing.F) {
	for _, s := range []string{"1234.5.6.7.8", "10.0.0.1:80", "1.2.3.4.5", "+49 (30) 1234567", "+(555) 123-4567 x", "12-34 5678901", "((1234567", "999.1.1.1 1.2.3.0004"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			got  [][2]int
			re   *regexp.Regexp
		}{{"ipv4", ipv4Candidates(s), ipv4RE}, {"phone", phoneCandidates(s), phoneRE}} {
			want := c.re.FindAllStringIndex(s, -1)
			if len(want) != len(c.got) {
				t.Fatalf("%s %q: got %v, regexp %v", c.name, s, c.got, want)
			}
			for i := range want {
				if want[i][0] != c.got[i][0] || want[i][1] != c.got[i][1] {
					t.Fatalf("%s %q: got %v, regexp %v", c.name, s, c.got, want)
				}
			}
		}
	})
}
