package typemap

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"0", 0, false},
		{"-9223372036854775808", math.MinInt64, false},
		{"9223372036854775807", math.MaxInt64, false},
		{"9223372036854775808", 0, true},
		{"-9223372036854775809", 0, true},
		{"", 0, true},
		{"-", 0, true},
		{"1a", 0, true},
		{"+7", 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseInt([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseInt(%q) = %d, %v", tt.in, got, err)
			}
		})
	}
}

func TestParseUint(t *testing.T) {
	if v, err := parseUint([]byte("18446744073709551615")); err != nil || v != math.MaxUint64 {
		t.Errorf("max: %d, %v", v, err)
	}
	for _, bad := range []string{"18446744073709551616", "-1", "", "99999999999999999999"} {
		if _, err := parseUint([]byte(bad)); err == nil {
			t.Errorf("parseUint(%q) accepted", bad)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		{"0.00", 2, "0"},
		{"-12.3400", 4, "-123400"},
		{"12.5", 3, "12500"},
		{"99999999999999999999999999999999999999", 0, "99999999999999999999999999999999999999"},
		{"-9999999999999999999999999999.9999999999", 10, "-99999999999999999999999999999999999999"},
		{"1", 0, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := parseDecimal([]byte(tt.in), tt.scale)
			if err != nil {
				t.Fatal(err)
			}
			if got := n.BigInt().String(); got != tt.want {
				t.Errorf("parseDecimal(%q, %d) = %s, want %s", tt.in, tt.scale, got, tt.want)
			}
		})
	}
	if _, err := parseDecimal([]byte("1.234"), 2); err == nil {
		t.Errorf("more fraction digits than the scale accepted (would round)")
	}
	for _, bad := range []string{"", "-", "1.2.3", "abc", "1e5"} {
		if _, err := parseDecimal([]byte(bad), 2); err == nil {
			t.Errorf("parseDecimal(%q) accepted", bad)
		}
	}
}

func TestParseDateAndDatetime(t *testing.T) {
	for _, s := range []string{"1000-01-01", "1970-01-01", "2024-02-29", "9999-12-31", "0001-01-01"} {
		d, err := parseDate([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := civil(int64(d)).Format("2006-01-02"); got != s {
			t.Errorf("parseDate(%s) → %s", s, got)
		}
	}
	for _, zero := range []string{"0000-00-00", "2024-02-30", "2023-02-29", "2024-00-10", "2024-05-00", "2024-13-01"} {
		if _, err := parseDate([]byte(zero)); !errors.Is(err, errZeroDate) {
			t.Errorf("parseDate(%s) = %v, want errZeroDate", zero, err)
		}
		if !IsZeroDate([]byte(zero)) {
			t.Errorf("IsZeroDate(%s) = false", zero)
		}
	}
	tests := []struct{ in, want string }{
		{"2026-11-21 13:45:07", "2026-11-21T13:45:07Z"},
		{"2026-11-21 13:45:07.5", "2026-11-21T13:45:07.5Z"},
		{"2026-11-21 13:45:07.123456", "2026-11-21T13:45:07.123456Z"},
		{"1000-01-01 00:00:00.000000", "1000-01-01T00:00:00Z"},
		{"9999-12-31 23:59:59.999999", "9999-12-31T23:59:59.999999Z"},
		{"1969-12-31 23:59:59.999999", "1969-12-31T23:59:59.999999Z"},
	}
	for _, tt := range tests {
		us, err := parseDatetime([]byte(tt.in))
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if got := time.UnixMicro(us).UTC().Format(time.RFC3339Nano); got != tt.want {
			t.Errorf("parseDatetime(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := parseDatetime([]byte("0000-00-00 00:00:00")); !errors.Is(err, errZeroDate) {
		t.Errorf("zero datetime: %v", err)
	}
	for _, bad := range []string{"2026-11-21 24:00:00", "2026-11-21T13:45:07", "2026-11-21 13:45", "2026-11-21 13:45:07.1234567"} {
		if _, err := parseDatetime([]byte(bad)); err == nil || errors.Is(err, errZeroDate) {
			t.Errorf("parseDatetime(%q) = %v, want a format error", bad, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"00:00:00", 0},
		{"838:59:59", (838*3600 + 59*60 + 59) * 1e6},
		{"-838:59:59.000000", -(838*3600 + 59*60 + 59) * 1e6},
		{"-00:00:01.5", -1_500_000},
		{"25:00:00", 25 * 3600 * 1e6},
		{"12:34:56.000001", (12*3600+34*60+56)*1e6 + 1},
	}
	for _, tt := range tests {
		got, err := parseTime([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("parseTime(%s) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"839:00:00", "12:60:00", "1:2:3", "", "-"} {
		if _, err := parseTime([]byte(bad)); err == nil {
			t.Errorf("parseTime(%q) accepted", bad)
		}
	}
}

func FuzzParseDatetime(f *testing.F) {
	f.Add("2026-11-21 13:45:07.123")
	f.Add("0000-00-00 00:00:00")
	f.Fuzz(func(t *testing.T, s string) {
		us, err := parseDatetime([]byte(s))
		if err != nil {
			return
		}
		// Whatever parses must be a real instant that formats back to
		// the same wall clock.
		got := time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05")
		if len(s) >= 19 && got != s[:19] {
			t.Errorf("parseDatetime(%q) → %s", s, got)
		}
	})
}
