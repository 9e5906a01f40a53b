package expr

import (
	"math"
	"strings"
	"time"
)

// Times are µs since the epoch and computed as UTC, whatever the
// TIMESTAMP's zone label ("" a wall clock, "UTC" an instant): HOUR of a
// DATETIME is its wall clock's hour.

func init() {
	register("HOUR", 1, 1, hour)
	register("DAY", 1, 1, day)
	register("DATE", 1, 1, dateFunc)
	register("DATE_TRUNC", 2, 2, dateTrunc)
	register("TIME_BUCKET", 2, 2, timeBucket)
	builtins["TIME_BUCKET"].intervals = true
	register("TO_UNIXTIME", 1, 1, toUnixtime)
	register("FROM_UNIXTIME", 1, 1, fromUnixtime)
}

func hour(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kTimestamp); err != nil {
		return nil, err
	}
	return strictNode(tBigint, args, func(in []*vec, out *vec, i int) error {
		us := in[0].i[i]
		out.i[i] = (us - floorDiv(us, usPerDay)*usPerDay) / usPerHour
		return nil
	}), nil
}

// daysOf is a TIMESTAMP's or DATE's day number.
func daysOf(v *vec, t typ, i int) int64 {
	if t.k == kDate {
		return v.i[i]
	}
	return floorDiv(v.i[i], usPerDay)
}

// day is the day of the month.
func day(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kTimestamp, kDate); err != nil {
		return nil, err
	}
	t := args[0].t
	return strictNode(tBigint, args, func(in []*vec, out *vec, i int) error {
		out.i[i] = int64(time.Unix(daysOf(in[0], t, i)*86400, 0).UTC().Day())
		return nil
	}), nil
}

func dateFunc(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kTimestamp, kDate); err != nil {
		return nil, err
	}
	t := args[0].t
	return strictNode(tDate, args, func(in []*vec, out *vec, i int) error {
		out.i[i] = daysOf(in[0], t, i)
		return nil
	}), nil
}

var truncUnits = map[string]int64{"second": usPerSecond, "minute": usPerMinute, "hour": usPerHour, "day": usPerDay, "month": -1, "year": -2}

// dateTrunc floors a TIMESTAMP to its unit ('second', 'minute', 'hour',
// 'day', 'month', 'year'), keeping the zone label.
func dateTrunc(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantKinds(e, args, 1, kTimestamp); err != nil {
		return nil, err
	}
	u := args[0]
	if u.t.k != kVarchar || u.konst == nil || !u.konst.isValid(0) {
		return nil, errorf(e.args[0].pos(), "DATE_TRUNC wants its unit as a string constant: 'second', 'minute', 'hour', 'day', 'month' or 'year'")
	}
	per, ok := truncUnits[strings.ToLower(u.konst.s[0])]
	if !ok {
		return nil, errorf(e.args[0].pos(), "DATE_TRUNC: unknown unit %s (want 'second', 'minute', 'hour', 'day', 'month' or 'year')", quoteString(u.konst.s[0]))
	}
	ts := args[1]
	t := ts.t
	if t.k == kNull {
		t = tTimestamp("")
	}
	return strictNode(t, []*node{ts}, func(in []*vec, out *vec, i int) error {
		us := in[0].i[i]
		if per > 0 {
			out.i[i] = floorDiv(us, per) * per
			return nil
		}
		tm := time.UnixMicro(us).UTC()
		month := tm.Month()
		if per == -2 {
			month = time.January
		}
		out.i[i] = time.Date(tm.Year(), month, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
		return nil
	}), nil
}

// timeBucket floors a TIMESTAMP to a multiple of a constant INTERVAL
// since the epoch: TIME_BUCKET(ts, INTERVAL '15' MINUTE).
func timeBucket(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantKinds(e, args, 0, kTimestamp); err != nil {
		return nil, err
	}
	w := args[1]
	if w.t.k != kInterval || w.konst == nil || !w.konst.isValid(0) || w.konst.i[0] <= 0 {
		return nil, errorf(e.args[1].pos(), "TIME_BUCKET wants a positive constant INTERVAL, as INTERVAL '15' MINUTE")
	}
	width := w.konst.i[0]
	ts := args[0]
	t := ts.t
	if t.k == kNull {
		t = tTimestamp("")
	}
	return strictNode(t, []*node{ts}, func(in []*vec, out *vec, i int) error {
		out.i[i] = floorDiv(in[0].i[i], width) * width
		return nil
	}), nil
}

// toUnixtime is seconds since the epoch, with the microseconds as a
// fraction.
func toUnixtime(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kTimestamp, kDate); err != nil {
		return nil, err
	}
	t := args[0].t
	return strictNode(tDouble, args, func(in []*vec, out *vec, i int) error {
		if t.k == kDate {
			out.f[i] = float64(in[0].i[i] * 86400)
		} else {
			out.f[i] = float64(in[0].i[i]) / 1e6
		}
		return nil
	}), nil
}

// fromUnixtime reads seconds since the epoch (fractions to the
// microsecond) as a TIMESTAMP instant in UTC.
func fromUnixtime(c *compiler, e *callExpr, args []*node) (*node, error) {
	if err := wantAll(e, args, kBigint, kDouble); err != nil {
		return nil, err
	}
	xt := args[0].t
	return strictNode(tTimestamp("UTC"), args, func(in []*vec, out *vec, i int) error {
		if xt.k == kBigint {
			s := in[0].i[i]
			us, ok := mulInt(s, usPerSecond)
			if !ok {
				return errorf(e.at, "FROM_UNIXTIME(%d) is out of the TIMESTAMP range", s)
			}
			out.i[i] = us
			return nil
		}
		us := math.Round(in[0].f[i] * 1e6)
		if !(us >= -9223372036854775808.0 && us < 9223372036854775808.0) {
			return errorf(e.at, "FROM_UNIXTIME(%s) is not a TIMESTAMP", fmtFloat(in[0].f[i]))
		}
		out.i[i] = int64(us)
		return nil
	}), nil
}
