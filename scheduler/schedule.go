package scheduler

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zone names never depend on the host's zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/hetl/hetl/jobs"
)

// Schedule is a parsed cron expression mapped onto UTC hour windows. It is
// immutable and safe for concurrent use.
//
// A firing instant T covers every window whose end lies in (previous
// firing, T]; a window is due at max(T, window end + lateness). See the
// package documentation for why this never skips or repeats a window.
type Schedule struct {
	expr     string
	spec     cron.Schedule
	display  *time.Location
	lateness time.Duration
}

// parser is robfig/cron's standard five-field parser with descriptors.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse reads a cron expression: five fields (minute hour day-of-month
// month day-of-week), a descriptor (@hourly, @daily, @weekly, @monthly,
// @yearly), either optionally after a CRON_TZ=Zone prefix. zone is the
// display zone and, when the expression has no CRON_TZ prefix, the zone the
// fields are read in; "" means UTC. lateness delays each window until that
// long after its end. @every is refused: it is not anchored to the clock.
func Parse(expr, zone string, lateness time.Duration) (*Schedule, error) {
	expr = strings.TrimSpace(expr)
	if lateness < 0 {
		return nil, fmt.Errorf("%w: cron expression %q: negative lateness %s", ErrBadSchedule, expr, lateness)
	}
	display := time.UTC
	if zone != "" {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("%w: cron expression %q: zone %q: %v", ErrBadSchedule, expr, zone, err)
		}
		display = loc
	}
	full := expr
	if !strings.HasPrefix(expr, "CRON_TZ=") && !strings.HasPrefix(expr, "TZ=") {
		full = "CRON_TZ=" + display.String() + " " + expr
	}
	if strings.Contains(full, "@every") {
		return nil, fmt.Errorf("%w: cron expression %q: @every is not anchored to the clock; use a cron expression or @hourly", ErrBadSchedule, expr)
	}
	spec, err := parser.Parse(full)
	if err != nil {
		return nil, fmt.Errorf("%w: cron expression %q: %v", ErrBadSchedule, expr, err)
	}
	s := &Schedule{expr: expr, spec: spec, display: display, lateness: lateness}
	// A day-of-month that no month has (0 0 31 2 *) never fires; robfig
	// reports that as a zero time five years on.
	if s.next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("%w: cron expression %q never fires", ErrBadSchedule, expr)
	}
	return s, nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(expr, zone string, lateness time.Duration) *Schedule {
	s, err := Parse(expr, zone, lateness)
	if err != nil {
		panic(err)
	}
	return s
}

// String is the expression as given.
func (s *Schedule) String() string { return s.expr }

// Location is the display zone.
func (s *Schedule) Location() *time.Location { return s.display }

// Lateness is how long after its end a window waits before it is due.
func (s *Schedule) Lateness() time.Duration { return s.lateness }

// next is the first firing strictly after t, in UTC, or the zero time when
// there is none within five years. robfig's Next is wall-clock arithmetic;
// should it ever return an instant not after t around a DST change, step
// past it rather than loop.
func (s *Schedule) next(t time.Time) time.Time {
	t = t.UTC()
	for i := 0; i < 120; i++ {
		n := s.spec.Next(t)
		if n.IsZero() {
			return n
		}
		if n.After(t) {
			return n.UTC()
		}
		t = t.Add(time.Minute)
	}
	return time.Time{}
}

// NextFiring is the first firing strictly after t, in the display zone.
func (s *Schedule) NextFiring(t time.Time) time.Time {
	n := s.next(t)
	if n.IsZero() {
		return n
	}
	return n.In(s.display)
}

// Firing is the instant that covers w: the first firing at or after the
// window's end. Firings are whole minutes, so "at or after" is "after one
// second before".
func (s *Schedule) Firing(w jobs.Window) time.Time {
	return s.next(w.End().Add(-time.Second))
}

// Due is when w becomes due: max(its firing, its end + lateness). It is
// non-decreasing in the window's start. The zero time means never.
func (s *Schedule) Due(w jobs.Window) time.Time {
	f := s.Firing(w)
	if f.IsZero() {
		return f
	}
	if late := w.End().Add(s.lateness); late.After(f) {
		return late
	}
	return f
}

// firstDueAfter is the earliest window whose due time is after t.
func (s *Schedule) firstDueAfter(t time.Time) jobs.Window {
	// Every window whose end + lateness is after t is due after t; the
	// earliest of those is a bound, and earlier windows may still be due
	// after t when their firing is. Due is monotone, so walk back.
	w := jobs.HourOf(t.Add(-s.lateness))
	for {
		prev := jobs.Window{Start: w.Start.Add(-time.Hour)}
		d := s.Due(prev)
		if d.IsZero() || !d.After(t) {
			return w
		}
		w = prev
	}
}

// WindowsDue lists, oldest first, the windows that become due in
// (since, now]. Calling it for consecutive intervals yields every window
// exactly once.
func (s *Schedule) WindowsDue(since, now time.Time) []jobs.Window {
	var out []jobs.Window
	for w := s.firstDueAfter(since); ; w = (jobs.Window{Start: w.Start.Add(time.Hour)}) {
		d := s.Due(w)
		if d.IsZero() || d.After(now) {
			return out
		}
		out = append(out, w)
	}
}

// NextDue is the earliest due time after t: when the next window becomes
// due. The zero time means never.
func (s *Schedule) NextDue(t time.Time) time.Time {
	return s.Due(s.firstDueAfter(t))
}

// LastDue is the latest due time at or before t, or the zero time when no
// window was due by then (the schedule never fired before t).
func (s *Schedule) LastDue(t time.Time) time.Time {
	w := s.firstDueAfter(t)
	d := s.Due(jobs.Window{Start: w.Start.Add(-time.Hour)})
	if d.After(t) {
		return time.Time{}
	}
	return d
}
