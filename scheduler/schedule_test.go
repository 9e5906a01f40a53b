package scheduler

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/jobs"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr, zone string
		lateness   time.Duration
		want       string
	}{
		{"0 25 * * *", "", 0, `cron expression "0 25 * * *"`},
		{"* * * *", "", 0, `cron expression "* * * *"`},
		{"0 * * * *", "Mars/Olympus", 0, `zone "Mars/Olympus"`},
		{"CRON_TZ=Nowhere/Else 0 * * * *", "", 0, `"CRON_TZ=Nowhere/Else 0 * * * *"`},
		{"@every 1h", "", 0, "@every is not anchored"},
		{"0 0 31 2 *", "", 0, "never fires"},
		{"0 * * * *", "", -time.Minute, "negative lateness"},
		{"@fortnightly", "", 0, `"@fortnightly"`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := Parse(tt.expr, tt.zone, tt.lateness)
			if !errors.Is(err, ErrBadSchedule) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q, %q) = %v, want ErrBadSchedule mentioning %q", tt.expr, tt.zone, err, tt.want)
			}
		})
	}
	for _, ok := range []string{"0 * * * *", "@hourly", "@daily", "@weekly", "@monthly", "@yearly", "CRON_TZ=Europe/Berlin 30 * * * *", "TZ=UTC 0 2 * * 1-5"} {
		if _, err := Parse(ok, "America/New_York", 0); err != nil {
			t.Errorf("Parse(%q) = %v", ok, err)
		}
	}
}

// TestWindowsExactlyOnceAcrossDST walks a week spanning each DST change
// minute by minute and checks every UTC hour window becomes due exactly
// once, at or after its end (and its end + lateness), and in order.
func TestWindowsExactlyOnceAcrossDST(t *testing.T) {
	weeks := []struct {
		name     string
		from, to time.Time
	}{
		{"NY spring forward", utc("2026-03-05T00:00"), utc("2026-03-12T00:00")},
		{"NY fall back", utc("2026-10-29T00:00"), utc("2026-11-05T00:00")},
		{"Berlin spring forward", utc("2026-03-26T00:00"), utc("2026-04-02T00:00")},
		{"Berlin fall back", utc("2026-10-22T00:00"), utc("2026-10-29T00:00")},
	}
	scheds := []struct{ expr, zone string }{
		{"0 * * * *", "America/New_York"},
		{"0 * * * *", "Europe/Berlin"},
		{"CRON_TZ=Europe/Berlin 30 * * * *", "America/New_York"},
		{"0 2 * * *", "America/New_York"},
		{"0 2 * * *", "Europe/Berlin"},
		{"30 1 * * *", "America/New_York"}, // 01:30 happens twice at fall back
		{"@daily", "Europe/Berlin"},
		{"15 */3 * * 1-5", "Europe/Berlin"},
	}
	for _, wk := range weeks {
		for _, sc := range scheds {
			for _, late := range []time.Duration{0, 90 * time.Minute} {
				t.Run(wk.name+"/"+sc.expr+"/"+sc.zone+"/"+late.String(), func(t *testing.T) {
					s := MustParse(sc.expr, sc.zone, late)
					seen := map[time.Time]int{}
					var prev time.Time
					for now := wk.from.Add(5 * time.Minute); !now.After(wk.to); now = now.Add(5 * time.Minute) {
						for _, w := range s.WindowsDue(now.Add(-5*time.Minute), now) {
							seen[w.Start]++
							if w.End().Add(late).After(now) {
								t.Fatalf("%s due at %s before its end + lateness", w, now)
							}
							if !w.Start.After(prev) && !prev.IsZero() {
								t.Fatalf("%s due after %s", w, jobs.Window{Start: prev})
							}
							prev = w.Start
						}
					}
					first := s.firstDueAfter(wk.from).Start
					last := s.firstDueAfter(wk.to).Start
					for h := first; h.Before(last); h = h.Add(time.Hour) {
						if seen[h] != 1 {
							t.Errorf("window %s due %d times", jobs.Window{Start: h}, seen[h])
						}
						delete(seen, h)
					}
					if len(seen) > 0 {
						t.Errorf("unexpected windows %v", seen)
					}
					if n := last.Sub(first) / time.Hour; n < 24*6 {
						t.Errorf("only %d windows in a week", n)
					}
					// One big interval gives the same windows as many small ones.
					if got := s.WindowsDue(wk.from, wk.to); len(got) != int(last.Sub(first)/time.Hour) {
						t.Errorf("WindowsDue over the week = %d windows, want %d", len(got), last.Sub(first)/time.Hour)
					}
				})
			}
		}
	}
}

func TestDue(t *testing.T) {
	tests := []struct {
		expr, zone string
		lateness   time.Duration
		window     string
		want       string
	}{
		{"0 * * * *", "", 0, "2026-06-01T09:00", "2026-06-01T10:00"},
		{"0 * * * *", "", 20 * time.Minute, "2026-06-01T09:00", "2026-06-01T10:20"},
		{"30 * * * *", "", 0, "2026-06-01T09:00", "2026-06-01T10:30"},
		// Daily at 02:00 Berlin (00:00 UTC in summer) owns the 24 hours before.
		{"0 2 * * *", "Europe/Berlin", 0, "2026-06-01T00:00", "2026-06-02T00:00"},
		{"0 2 * * *", "Europe/Berlin", 0, "2026-05-31T23:00", "2026-06-01T00:00"},
		{"0 2 * * *", "Europe/Berlin", 3 * time.Hour, "2026-05-31T23:00", "2026-06-01T03:00"},
		// NY spring forward: 02:00 does not exist on 2026-03-08, robfig
		// skips that day's firing, and the next day's covers both days.
		{"0 2 * * *", "America/New_York", 0, "2026-03-08T05:00", "2026-03-09T06:00"},
		{"0 2 * * *", "America/New_York", 0, "2026-03-09T05:00", "2026-03-09T06:00"},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" "+tt.window, func(t *testing.T) {
			s := MustParse(tt.expr, tt.zone, tt.lateness)
			if got := s.Due(jobs.Window{Start: utc(tt.window)}); !got.Equal(utc(tt.want)) {
				t.Errorf("Due(%s) = %s, want %s", tt.window, got, tt.want)
			}
		})
	}
}

func TestNextAndLastDue(t *testing.T) {
	s := MustParse("0 2 * * *", "Europe/Berlin", 0)
	now := utc("2026-06-01T12:00")
	if got, want := s.NextDue(now), utc("2026-06-02T00:00"); !got.Equal(want) {
		t.Errorf("NextDue = %s, want %s", got, want)
	}
	if got, want := s.LastDue(now), utc("2026-06-01T00:00"); !got.Equal(want) {
		t.Errorf("LastDue = %s, want %s", got, want)
	}
	if got := s.NextFiring(now); got.Location().String() != "Europe/Berlin" || got.Hour() != 2 {
		t.Errorf("NextFiring = %s, want 02:00 Berlin", got)
	}
}
