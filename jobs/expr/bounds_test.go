package expr

import (
	"fmt"
	"strings"
	"testing"
)

func TestIntBounds(t *testing.T) {
	show := func(bs []Bound) string {
		var parts []string
		for _, b := range bs {
			lo, hi := "-", "-"
			if b.Lo != nil {
				lo = fmt.Sprint(*b.Lo)
			}
			if b.Hi != nil {
				hi = fmt.Sprint(*b.Hi)
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
		"f > 1.5":                             "",
		"`Mixed Case` <= 9223372036854775807": "Mixed Case[-,9223372036854775807]",
	} {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := show(IntBounds(e)); got != want {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}
