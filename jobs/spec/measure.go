package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Measure is one aggregate: Func over Column (empty for count(*)).
type Measure struct {
	Func   string  // count, count_distinct, approx_distinct, sum, min, max, avg, percentile
	Column string  // "" for count(*)
	P      float64 // percentile's fraction, in (0, 1)
}

var measureRE = regexp.MustCompile(`^\s*([a-z_]+)\s*\(\s*([^,()]*?)\s*(?:,\s*([0-9.]+)\s*)?\)\s*$`)

// Measures are the aggregate functions.
var Measures = []string{"count", "count_distinct", "approx_distinct", "sum", "min", "max", "avg", "percentile"}

// ParseMeasure reads "count(*)", "sum(col)", "percentile(col, 0.95)".
func ParseMeasure(s string) (Measure, error) {
	m := measureRE.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return Measure{}, fmt.Errorf("measure %q: want FUNC(column), count(*) or percentile(column, 0.95)", s)
	}
	// The column keeps the user's spelling.
	orig := measureRE.FindStringSubmatch(s)
	if orig == nil {
		orig = m
	}
	out := Measure{Func: m[1], Column: strings.Trim(orig[2], "`")}
	known := false
	for _, f := range Measures {
		known = known || f == out.Func
	}
	switch {
	case !known:
		return out, fmt.Errorf("measure %q: unknown function %s (known: %s)", s, out.Func, strings.Join(Measures, ", "))
	case out.Column == "*" && out.Func != "count":
		return out, fmt.Errorf("measure %q: only count takes *", s)
	case out.Column == "":
		return out, fmt.Errorf("measure %q: names no column", s)
	case out.Func == "percentile":
		if m[3] == "" {
			return out, fmt.Errorf("measure %q: percentile(column, fraction), e.g. percentile(latency_ms, 0.95)", s)
		}
		p, err := strconv.ParseFloat(m[3], 64)
		if err != nil || p <= 0 || p >= 1 {
			return out, fmt.Errorf("measure %q: the fraction must be in (0, 1)", s)
		}
		out.P = p
	case m[3] != "":
		return out, fmt.Errorf("measure %q: %s takes one argument", s, out.Func)
	}
	if out.Column == "*" {
		out.Column = ""
	}
	return out, nil
}
