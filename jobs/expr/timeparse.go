package expr

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	usPerSecond = int64(1e6)
	usPerMinute = 60 * usPerSecond
	usPerHour   = 60 * usPerMinute
	usPerDay    = 24 * usPerHour
)

var errTimeShape = errors.New("want YYYY-MM-DD[ HH:MM[:SS[.ffffff]]] with an optional Z or ±HH:MM")

// parseTimestamp reads a timestamp as µs since the epoch. Without a zone
// it is taken as is (UTC arithmetic); a Z or ±HH:MM offset converts it
// to UTC. More than 6 fractional digits is an error, not a rounding.
func parseTimestamp(s string) (int64, error) {
	s = strings.TrimSpace(s)
	days, rest, err := readDate(s)
	if err != nil {
		return 0, err
	}
	us := days * usPerDay
	if rest == "" {
		return us, nil
	}
	if rest[0] != ' ' && rest[0] != 'T' && rest[0] != 't' {
		return 0, errTimeShape
	}
	rest = rest[1:]
	h, rest, ok := readDigits(rest, 2)
	if !ok || len(rest) == 0 || rest[0] != ':' {
		return 0, errTimeShape
	}
	m, rest, ok := readDigits(rest[1:], 2)
	if !ok {
		return 0, errTimeShape
	}
	var sec, frac int64
	if len(rest) > 0 && rest[0] == ':' {
		if sec, rest, ok = readDigits(rest[1:], 2); !ok {
			return 0, errTimeShape
		}
		if len(rest) > 0 && rest[0] == '.' {
			n := 0
			for n+1 < len(rest) && isDigit(rest[n+1]) {
				n++
			}
			if n == 0 {
				return 0, errTimeShape
			}
			if n > 6 {
				return 0, fmt.Errorf("%d fractional digits: timestamps keep microseconds (6 digits), more would be lost", n)
			}
			frac, _, _ = readDigits(rest[1:], n)
			for range 6 - n {
				frac *= 10
			}
			rest = rest[n+1:]
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("%02d:%02d:%02d is not a time of day", h, m, sec)
	}
	us += h*usPerHour + m*usPerMinute + sec*usPerSecond + frac
	rest = strings.TrimSpace(rest)
	switch {
	case rest == "":
	case rest == "Z" || rest == "z" || strings.EqualFold(rest, "UTC"):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, _, ok1 := readDigits(rest[1:3], 2)
		om, _, ok2 := readDigits(rest[4:], 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, errTimeShape
		}
		off := oh*usPerHour + om*usPerMinute
		if rest[0] == '+' {
			off = -off
		}
		us += off
	default:
		return 0, errTimeShape
	}
	return us, nil
}

// parseDate reads YYYY-MM-DD as days since the epoch.
func parseDate(s string) (int64, error) {
	days, rest, err := readDate(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	if rest != "" {
		return 0, errors.New("want YYYY-MM-DD")
	}
	return days, nil
}

func readDate(s string) (days int64, rest string, err error) {
	y, rest, ok := readDigits(s, 4)
	if !ok || len(rest) == 0 || rest[0] != '-' {
		return 0, "", errTimeShape
	}
	mo, rest, ok := readDigits(rest[1:], 2)
	if !ok || len(rest) == 0 || rest[0] != '-' {
		return 0, "", errTimeShape
	}
	d, rest, ok := readDigits(rest[1:], 2)
	if !ok {
		return 0, "", errTimeShape
	}
	t := time.Date(int(y), time.Month(mo), int(d), 0, 0, 0, 0, time.UTC)
	if mo < 1 || mo > 12 || t.Day() != int(d) || t.Month() != time.Month(mo) {
		return 0, "", fmt.Errorf("%04d-%02d-%02d is not a date", y, mo, d)
	}
	return t.Unix() / 86400, rest, nil
}

// readDigits reads exactly n decimal digits.
func readDigits(s string, n int) (int64, string, bool) {
	if len(s) < n {
		return 0, s, false
	}
	var v int64
	for i := range n {
		if !isDigit(s[i]) {
			return 0, s, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	return v, s[n:], true
}

// floorDiv divides rounding towards minus infinity, so that times before
// 1970 truncate downwards like those after.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func formatTimestamp(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}

func formatDate(days int64) string {
	return time.Unix(days*86400, 0).UTC().Format("2006-01-02")
}
