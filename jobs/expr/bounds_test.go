package expr

import (
	"strconv"
	"strings"
	"testing"
)

func TestBounds(t *testing.T) {
	show := func(bs []Bound) string {
		var parts []string
		for _, b := range bs {
			end := func(i *int64, r interface{ RatString() string }, s *string) string {
				switch {
				case i != nil:
					return strconv.FormatInt(*i, 10)
				case s != nil:
					return strconv.Quote(*s)
				case r != nil:
					return "~" + r.RatString()
				}
				return "-"
			}
			lo, hi := end(b.Lo, nil, b.StrLo), end(b.Hi, nil, b.StrHi)
			if b.Lo == nil && b.NumLo != nil {
				lo = end(nil, b.NumLo, nil)
			}
			if b.Hi == nil && b.NumHi != nil {
				hi = end(nil, b.NumHi, nil)
			}
			// Integer ends are also exact rationals.
			if b.Lo != nil && (b.NumLo == nil || b.NumLo.RatString() != lo) || b.Hi != nil && (b.NumHi == nil || b.NumHi.RatString() != hi) {
				t.Errorf("%s: integer ends %s,%s without equal rationals", b.Column, lo, hi)
			}
			parts = append(parts, b.Column+"["+lo+","+hi+"]")
		}
		return strings.Join(parts, " ")
	}
	for src, want := range map[string]string{
		"status >= 500":                       "status[500,-]",
		"status >= 400 AND status < 500":      "status[400,-] status[-,499]",
		"100 > latency_ms":                    "latency_ms[-,99]",
		"id = -3 AND s LIKE 'x%'":             "id[-3,-3]",
		"status BETWEEN 200 AND 299":          "status[200,299]",
		"status NOT BETWEEN 200 AND 299":      "",
		"status >= 500 OR latency_ms > 1000":  "",
		"NOT (status < 500)":                  "",
		"status + 1 > 500":                    "",
		"`Mixed Case` <= 9223372036854775807": "Mixed Case[-,9223372036854775807]",
		// Numbers that are not integers bound exactly, strict ends
		// inclusive; the literal is the DOUBLE the language reads.
		"f > 1.5":                  "f[~3/2,-]",
		"f <= -0.25":               "f[-,~-1/4]",
		"amount BETWEEN 1 AND 2.5": "amount[~1,~5/2]",
		"x = 0.1":                  "x[~3602879701896397/36028797018963968,~3602879701896397/36028797018963968]",
		// Strings bound byte-wise.
		"country = 'DE'":                       `country["DE","DE"]`,
		"'m' < name":                           `name["m",-]`,
		"name BETWEEN 'a' AND 'c'":             `name["a","c"]`,
		"event_type IN ('view', 'click', 'x')": `event_type["click","x"]`,
		"status IN (404, 500, 200)":            "status[200,500]",
		"status IN (1, 2.5)":                   "status[~1,~5/2]",
		"status IN (1, 'a')":                   "",
		"status NOT IN (1, 2)":                 "",
		"name BETWEEN 'a' AND 3":               "",
		"name <> 'a'":                          "",
	} {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(Bounds(e)); got != want {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}
