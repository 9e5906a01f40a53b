package jobs

import (
	"fmt"
	"time"
)

// Window is a UTC hour [Start, Start+1h): the unit every pipeline run is
// keyed by. Local zones are for display only, so a DST change can never
// skip or repeat a window.
type Window struct{ Start time.Time }

// End is the window's exclusive end.
func (w Window) End() time.Time { return w.Start.Add(time.Hour) }

// Partition is the window's Hive partition, dt=YYYY-MM-DD/hr=HH.
func (w Window) Partition() string { return w.Start.Format("dt=2006-01-02/hr=15") }

func (w Window) String() string { return w.Start.Format("2006-01-02T15Z") }

// HourOf is the window holding t.
func HourOf(t time.Time) Window { return Window{Start: t.UTC().Truncate(time.Hour)} }

// ParseHour reads a window's start: 2026-11-21T10 (UTC), 2026-11-21T10:00,
// or an RFC 3339 time with a zone (converted to UTC). It must be on an
// hour boundary.
func ParseHour(s string) (Window, error) {
	for _, layout := range []string{"2006-01-02T15", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return onHour(s, t)
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return onHour(s, t)
	}
	return Window{}, fmt.Errorf("hour %q: want 2026-11-21T10 (UTC) or an RFC 3339 time such as 2026-11-21T11:00:00+01:00", s)
}

func onHour(s string, t time.Time) (Window, error) {
	t = t.UTC()
	if !t.Truncate(time.Hour).Equal(t) {
		return Window{}, fmt.Errorf("hour %q: not on an hour boundary", s)
	}
	return Window{Start: t}, nil
}

// Windows lists the windows covering [from, to).
func Windows(from, to Window) ([]Window, error) {
	if !to.Start.After(from.Start) {
		return nil, fmt.Errorf("--to %s is not after --from %s", to, from)
	}
	var out []Window
	for t := from.Start; t.Before(to.Start); t = t.Add(time.Hour) {
		out = append(out, Window{Start: t})
	}
	return out, nil
}
