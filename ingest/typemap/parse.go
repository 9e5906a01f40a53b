package typemap

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// errZeroDate marks a zero or invalid date; the policy decides.
var errZeroDate = errors.New("zero or invalid date")

// parseInt parses a signed decimal integer without allocating.
func parseInt(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, errors.New("empty integer")
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, fmt.Errorf("bad integer %q", b)
		}
	}
	var u uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad integer %q", b)
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, fmt.Errorf("integer %q out of range", b)
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, fmt.Errorf("integer %q out of range", b)
		}
		return -int64(u), nil
	}
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("integer %q out of range", b)
	}
	return int64(u), nil
}

// parseUint parses an unsigned decimal integer up to 2^64-1.
func parseUint(b []byte) (uint64, error) {
	if len(b) == 0 {
		return 0, errors.New("empty integer")
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad unsigned integer %q", b)
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, fmt.Errorf("unsigned integer %q out of range", b)
		}
		u = u*10 + d
	}
	return u, nil
}

// parseDecimal parses MySQL's exact decimal text ("-12.3400") into an
// unscaled 128-bit integer at the column's scale. The server prints exactly
// scale fraction digits; fewer are padded, more are an error (never
// rounded).
func parseDecimal(b []byte, scale int) (decimal128.Num, error) {
	neg := false
	i := 0
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	var (
		digits   int
		frac     = -1
		u        uint64
		big10    *big.Int
		overflow bool
	)
	for ; i < len(b); i++ {
		c := b[i]
		if c == '.' && frac < 0 {
			frac = 0
			continue
		}
		if c < '0' || c > '9' {
			return decimal128.Num{}, fmt.Errorf("bad decimal %q", b)
		}
		if frac >= 0 {
			frac++
		}
		digits++
		if !overflow && u > (math.MaxUint64-9)/10 {
			overflow = true
			big10 = new(big.Int).SetUint64(u)
		}
		if overflow {
			big10.Mul(big10, bigTen)
			big10.Add(big10, big.NewInt(int64(c-'0')))
		} else {
			u = u*10 + uint64(c-'0')
		}
	}
	if digits == 0 {
		return decimal128.Num{}, fmt.Errorf("bad decimal %q", b)
	}
	if frac < 0 {
		frac = 0
	}
	if frac > scale {
		return decimal128.Num{}, fmt.Errorf("decimal %q has more than %d fraction digits", b, scale)
	}
	var n decimal128.Num
	if overflow {
		n = decimal128.FromBigInt(big10)
	} else {
		n = decimal128.FromU64(u)
	}
	for ; frac < scale; frac++ {
		n = n.Mul(decimal128.FromU64(10))
	}
	if neg {
		n = n.Negate()
	}
	return n, nil
}

var bigTen = big.NewInt(10)

func digit2(b []byte, i int) (int, bool) {
	if i+1 >= len(b) || b[i] < '0' || b[i] > '9' || b[i+1] < '0' || b[i+1] > '9' {
		return 0, false
	}
	return int(b[i]-'0')*10 + int(b[i+1]-'0'), true
}

// parseDate parses "YYYY-MM-DD" into days since 1970-01-01. Zero and
// invalid dates (month or day 0, day past the month's end) are errZeroDate.
func parseDate(b []byte) (int32, error) {
	y, m, d, err := parseYMD(b)
	if err != nil {
		return 0, err
	}
	return int32(daysFromCivil(y, m, d)), nil
}

func parseYMD(b []byte) (y, m, d int, err error) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, fmt.Errorf("bad date %q", b)
	}
	hi, ok1 := digit2(b, 0)
	lo, ok2 := digit2(b, 2)
	mm, ok3 := digit2(b, 5)
	dd, ok4 := digit2(b, 8)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, 0, 0, fmt.Errorf("bad date %q", b)
	}
	y = hi*100 + lo
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(y, mm) {
		return 0, 0, 0, errZeroDate
	}
	return y, mm, dd, nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the proleptic Gregorian day number relative to
// 1970-01-01 (Howard Hinnant's algorithm), valid for MySQL's year range.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseDatetime parses "YYYY-MM-DD HH:MM:SS[.ffffff]" into microseconds
// since 1970-01-01 00:00:00 of the same wall clock (no zone is applied:
// DATETIME has none, TIMESTAMP arrives in the session's UTC).
func parseDatetime(b []byte) (int64, error) {
	y, m, d, err := parseYMD(b)
	if err != nil {
		if errors.Is(err, errZeroDate) {
			return 0, err
		}
		return 0, fmt.Errorf("bad datetime %q", b)
	}
	if len(b) == 10 {
		return daysFromCivil(y, m, d) * 86400e6, nil
	}
	if len(b) < 19 || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return 0, fmt.Errorf("bad datetime %q", b)
	}
	hh, ok1 := digit2(b, 11)
	mi, ok2 := digit2(b, 14)
	ss, ok3 := digit2(b, 17)
	if !ok1 || !ok2 || !ok3 || hh > 23 || mi > 59 || ss > 59 {
		return 0, fmt.Errorf("bad datetime %q", b)
	}
	us, err := parseFraction(b[19:])
	if err != nil {
		return 0, fmt.Errorf("bad datetime %q", b)
	}
	secs := daysFromCivil(y, m, d)*86400 + int64(hh*3600+mi*60+ss)
	return secs*1e6 + us, nil
}

// parseFraction parses "" or ".f..." (1 to 6 digits) into microseconds.
func parseFraction(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if b[0] != '.' || len(b) < 2 || len(b) > 7 {
		return 0, errors.New("bad fraction")
	}
	var us int64
	for _, c := range b[1:] {
		if c < '0' || c > '9' {
			return 0, errors.New("bad fraction")
		}
		us = us*10 + int64(c-'0')
	}
	for i := len(b) - 1; i < 6; i++ {
		us *= 10
	}
	return us, nil
}

// parseTime parses MySQL TIME "[-]H+:MM:SS[.ffffff]" into signed
// microseconds; hours go up to 838.
func parseTime(b []byte) (int64, error) {
	neg := false
	s := b
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	colon := -1
	for i, c := range s {
		if c == ':' {
			colon = i
			break
		}
	}
	if colon < 1 || len(s) < colon+6 || s[colon+3] != ':' {
		return 0, fmt.Errorf("bad time %q", b)
	}
	h, err := parseUint(s[:colon])
	if err != nil || h > 838 {
		return 0, fmt.Errorf("bad time %q", b)
	}
	mi, ok1 := digit2(s, colon+1)
	ss, ok2 := digit2(s, colon+4)
	if !ok1 || !ok2 || mi > 59 || ss > 59 {
		return 0, fmt.Errorf("bad time %q", b)
	}
	us, err := parseFraction(s[colon+6:])
	if err != nil {
		return 0, fmt.Errorf("bad time %q", b)
	}
	v := (int64(h)*3600+int64(mi)*60+int64(ss))*1e6 + us
	if neg {
		v = -v
	}
	return v, nil
}

// civil is used by tests and the renderer.
func civil(days int64) time.Time { return time.Unix(days*86400, 0).UTC() }

// IsZeroDate reports whether a DATE, DATETIME or TIMESTAMP text value is a
// zero or invalid date.
func IsZeroDate(b []byte) bool {
	_, _, _, err := parseYMD(b)
	return errors.Is(err, errZeroDate)
}
