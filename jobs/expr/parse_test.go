package expr

import (
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"a + b * c", "(a + (b * c))"},
		{"a - b - c", "((a - b) - c)"},
		{"-a * b", "((-a) * b)"},
		{"+a", "a"},
		{"NOT a = b AND c", "((NOT (a = b)) AND c)"},
		{"a OR b AND c", "(a OR (b AND c))"},
		{"a || b = c", "((a || b) = c)"},
		{"a || b + 1", "(a || (b + 1))"},
		{"x DIV 2 % 3", "((x DIV 2) % 3)"},
		{"a != b", "(a <> b)"},
		{"x BETWEEN 1 AND 2 AND y", "((x BETWEEN 1 AND 2) AND y)"},
		{"x NOT BETWEEN a + 1 AND b", "(x NOT BETWEEN (a + 1) AND b)"},
		{"x not in (1, 2)", "(x NOT IN (1, 2))"},
		{"s NOT LIKE 'a%' OR s like 'b_'", "((s NOT LIKE 'a%') OR (s LIKE 'b_'))"},
		{"x IS NOT NULL OR y is null", "((x IS NOT NULL) OR (y IS NULL))"},
		{"a + 1 IS NULL", "((a + 1) IS NULL)"},
		{"NOT x IS NULL", "(NOT (x IS NULL))"},
		{"case x when 1 then 'a' else 'b' end", "CASE x WHEN 1 THEN 'a' ELSE 'b' END"},
		{"CASE WHEN a THEN 1 WHEN b THEN 2 END", "CASE WHEN a THEN 1 WHEN b THEN 2 END"},
		{"cast(x as int)", "CAST(x AS BIGINT)"},
		{"try_cast(x AS decimal(10, 2))", "TRY_CAST(x AS DECIMAL(10,2))"},
		{"CAST(x AS numeric(5))", "CAST(x AS DECIMAL(5,0))"},
		{"if(a, lower(b), 'x')", "IF(a, LOWER(b), 'x')"},
		{"`end` + `a``b` + `Mixed Case` + `plain`", "(((`end` + `a``b`) + `Mixed Case`) + plain)"},
		{"date + `timestamp` + interval", "((`date` + `timestamp`) + `interval`)"},
		{"date(ts) = DATE '2026-01-01'", "(DATE(ts) = DATE '2026-01-01')"},
		{"ts >= timestamp '2026-11-21 10:00:00.5'", "(ts >= TIMESTAMP '2026-11-21 10:00:00.5')"},
		{"ts + interval 15 minute", "(ts + INTERVAL '15' MINUTE)"},
		{"ts - INTERVAL '-2' hour", "(ts - INTERVAL '-2' HOUR)"},
		{"'it''s'", "'it''s'"},
		{"1.5e3 + .5 + 2.", "((1.5e3 + .5) + 2.)"},
		{"f()", "F()"},
		{"((a))", "a"},
		{"a\n  AND\tb", "(a AND b)"},
	} {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("%q printed %q, want %q", tt.src, got, tt.want)
		}
		again, err := Parse(e.String())
		if err != nil || again.String() != e.String() {
			t.Errorf("%q: reparsing %q: %v %v", tt.src, e.String(), again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"", "position 1: the expression ends too early"},
		{"a +", "position 4: the expression ends too early"},
		{"(a", "position 3: want ), got the end of the expression"},
		{"a)", `position 2: unexpected ")" after a complete expression`},
		{"f(a b)", `position 5: want , or ), got "b"`},
		{"'abc", "position 1: unterminated string"},
		{"`abc", "position 1: unterminated `name`"},
		{"a ! b", "position 3: unexpected character '!'"},
		{"a | b", "position 3: unexpected character '|'"},
		{"1.2.3", `position 4: unexpected ".3"`},
		{"1e+", "position 1: malformed number"},
		{"a IS b", `want NULL, got "b"`},
		{"CAST(a)", "want AS"},
		{"CAST(a AS)", "want a type"},
		{"CAST(a AS DECIMAL(0,0))", "want 1 <= precision <= 38"},
		{"CAST(a AS DECIMAL(5,6))", "scale <= precision"},
		{"CASE", "CASE needs at least one WHEN"},
		{"CASE WHEN a 1 END", "want THEN"},
		{"WHEN", "unexpected WHEN (a column so named is written `WHEN`)"},
		{"TIMESTAMP '2026-11-21 10:00:00.1234567'", "7 fractional digits"},
		{"DATE '2026-11-21 10:00'", "want YYYY-MM-DD"},
		{"INTERVAL '1.5' HOUR", "INTERVAL wants a whole number"},
		{"INTERVAL '1'", "wants a unit"},
		{strings.Repeat("(", 2000) + "a" + strings.Repeat(")", 2000), "nested too deeply"},
	} {
		_, err := Parse(tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse("a + ('é' ! 1)")
	pe, ok := err.(*Error)
	if !ok || pe.Pos != 10 {
		t.Fatalf("error %#v, want an *Error at position 10", err)
	}
}

func TestParseTimestampText(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // "" for an error
	}{
		{"2026-11-21", "2026-11-21 00:00:00"},
		{"2026-11-21 10:15", "2026-11-21 10:15:00"},
		{"2026-11-21T10:15:30", "2026-11-21 10:15:30"},
		{"2026-11-21 10:15:30.000001", "2026-11-21 10:15:30.000001"},
		{"2026-11-21 10:15:30Z", "2026-11-21 10:15:30"},
		{"2026-11-21 10:15:30 UTC", "2026-11-21 10:15:30"},
		{"2026-11-21T10:15:30-01:30", "2026-11-21 11:45:30"},
		{" 2026-11-21 10:15:30 ", "2026-11-21 10:15:30"},
		{"1969-12-31 23:59:59.5", "1969-12-31 23:59:59.5"},
		{"2024-02-29 00:00:00", "2024-02-29 00:00:00"},
		{"2023-02-29 00:00:00", ""},
		{"2026-11-21 24:00:00", ""},
		{"2026-11-21 10:60", ""},
		{"2026-11-21 10:15:30.", ""},
		{"2026-11-21 10:15:30.1234567", ""},
		{"2026-11-21 10", ""},
		{"26-11-21", ""},
		{"2026/11/21", ""},
		{"2026-11-21 10:15:30+1", ""},
		{"", ""},
	} {
		us, err := parseTimestamp(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%q: got %s, want an error", tt.in, formatTimestamp(us))
		case tt.want != "" && err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case tt.want != "" && formatTimestamp(us) != tt.want:
			t.Errorf("%q: got %s, want %s", tt.in, formatTimestamp(us), tt.want)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts prints as text that
// parses back to the same expression.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"a + 1", "CASE WHEN x IS NULL THEN 'a''b' ELSE `c` END", "f(x, -2.5e3) NOT IN (1, 2)",
		"NOT a LIKE 'x%' OR b", "x BETWEEN 1 AND 2", "CAST(x AS DECIMAL(10,2))", "TRY_CAST(s AS DATE)",
		"ts + INTERVAL '15' MINUTE", "TIMESTAMP '2026-11-21 10:00:00'", "date(ts) = DATE '2026-01-01'",
		"CASE x WHEN 1 THEN 2 END", "a DIV b % c || d", "`a``b` != `date`", "-(-1)", "1.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: error %T, want *Error", s, err)
			}
			return
		}
		printed := e.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("%q: printed %q, then %q", s, printed, again.String())
		}
	})
}
