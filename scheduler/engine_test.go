package scheduler

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

// TestEngineWindowsOnceAcrossDST runs the engine for a week spanning a DST
// change and checks it ran every UTC hour from its first window on exactly
// once.
func TestEngineWindowsOnceAcrossDST(t *testing.T) {
	tests := []struct {
		name, expr, zone string
		from             string
	}{
		{"hourly NY spring", "0 * * * *", "America/New_York", "2026-03-05T00:10"},
		{"hourly NY fall", "0 * * * *", "America/New_York", "2026-10-29T00:10"},
		{"hourly Berlin spring", "0 * * * *", "Europe/Berlin", "2026-03-26T00:10"},
		{"hourly Berlin fall", "0 * * * *", "Europe/Berlin", "2026-10-22T00:10"},
		{"half past Berlin spring", "CRON_TZ=Europe/Berlin 30 * * * *", "America/New_York", "2026-03-26T00:10"},
		{"half past Berlin fall", "CRON_TZ=Europe/Berlin 30 * * * *", "America/New_York", "2026-10-22T00:10"},
		{"daily Berlin spring", "0 2 * * *", "Europe/Berlin", "2026-03-26T00:10"},
		{"daily Berlin fall", "0 2 * * *", "Europe/Berlin", "2026-10-22T00:10"},
		{"daily NY spring", "0 2 * * *", "America/New_York", "2026-03-05T00:10"},
		{"daily NY fall", "0 2 * * *", "America/New_York", "2026-10-29T00:10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sleepUntil(utc(tt.from))
				store, r := NewMemStore(), newRunner(t)
				sp := testSpec("orders", tt.expr, tt.zone)
				sp.MaxConcurrent = 4
				// Wake rarely: the engine still wakes at every due time.
				opts := testOptions("a")
				opts.Tick, opts.LeaderTTL = 10*time.Minute, 30*time.Minute
				e := startEngine(t, store, r, []Spec{sp}, opts)
				time.Sleep(7 * 24 * time.Hour)
				e.stop(t)

				seen := r.windowsRun("orders")
				var starts []time.Time
				for s, n := range seen {
					starts = append(starts, s)
					if n != 1 {
						t.Errorf("window %s ran %d times", jobs.Window{Start: s}, n)
					}
				}
				slices.SortFunc(starts, time.Time.Compare)
				first, last := starts[0], starts[len(starts)-1]
				if got := int(last.Sub(first)/time.Hour) + 1; got != len(starts) {
					t.Errorf("windows %s..%s: %d ran, want %d (a gap)", jobs.Window{Start: first}, jobs.Window{Start: last}, len(starts), got)
				}
				if len(starts) < 6*24 {
					t.Errorf("only %d windows in a week", len(starts))
				}
				// Nothing due an hour before the end was left behind.
				if d := sp.Schedule.Due(jobs.Window{Start: last.Add(time.Hour)}); d.Before(time.Now().Add(-time.Hour)) {
					t.Errorf("last window run %s, but the next was due at %s", jobs.Window{Start: last}, d)
				}
			})
		})
	}
}

// TestCatchUpPolicies stops an hourly engine for ten hours and checks what
// its successor runs under each policy.
func TestCatchUpPolicies(t *testing.T) {
	missed := hours("2026-06-01T02:00", 9) // due 03:00 .. 11:00, all missed
	tests := []struct {
		policy string
		run    []time.Time // of the missed windows
	}{
		{"all", missed},
		{"latest", missed[8:]},
		{"none", nil},
		{"3", missed[6:]},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store, r := NewMemStore(), newRunner(t)
				sp := testSpec("orders", "@hourly", "")
				var err error
				if sp.CatchUp, err = ParseCatchUp(tt.policy); err != nil {
					t.Fatal(err)
				}
				sleepUntil(utc("2026-06-01T00:00").Add(30 * time.Second))
				e := startEngine(t, store, r, []Spec{sp}, testOptions("a"))
				time.Sleep(2*time.Hour + 15*time.Minute)
				e.stop(t)
				before := len(r.Calls())
				if before != 3 { // 23:00 (live at start), 00:00, 01:00
					t.Fatalf("%d windows before the outage, want 3", before)
				}
				sleepUntil(utc("2026-06-01T12:20"))
				e = startEngine(t, store, r, []Spec{sp}, testOptions("b"))
				time.Sleep(30 * time.Minute)
				e.stop(t)

				calls := r.Calls()[before:]
				if calls[0].Window.Start != utc("2026-06-01T11:00") {
					t.Errorf("first window after restart %s, want the live 11:00", calls[0].Window)
				}
				var got []time.Time
				for _, c := range calls[1:] {
					got = append(got, c.Window.Start)
				}
				if !slices.Equal(got, tt.run) {
					t.Errorf("caught up %v, want %v", got, tt.run)
				}
				st := statuses(runsOf(t, store, RunFilter{Schedule: "orders"}))
				for _, w := range missed {
					want := StatusSkipped
					if slices.Contains(tt.run, w) {
						want = StatusSucceeded
					}
					if st[w] != want {
						t.Errorf("window %s %s, want %s", jobs.Window{Start: w}, st[w], want)
					}
				}
			})
		})
	}
}

// TestLimitsAndPriority catches up three schedules under a global limit
// of 2 and a per-schedule limit of 1, and checks live windows go first.
func TestLimitsAndPriority(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, r := NewMemStore(), newRunner(t)
		var running, most int
		perSchedule := map[string]int{}
		mu := make(chan struct{}, 1)
		mu <- struct{}{}
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			<-mu
			running++
			perSchedule[name]++
			most = max(most, running)
			if perSchedule[name] > 1 {
				t.Errorf("%s runs %d windows at once", name, perSchedule[name])
			}
			mu <- struct{}{}
			time.Sleep(10 * time.Minute)
			<-mu
			running--
			perSchedule[name]--
			mu <- struct{}{}
			return RunResult{}, nil
		}
		var specs []Spec
		for _, n := range []string{"a", "b", "c"} {
			sp := testSpec(n, "@hourly", "")
			sp.Start = utc("2026-06-01T00:00")
			specs = append(specs, sp)
		}
		sleepUntil(utc("2026-06-01T05:30"))
		opts := testOptions("x")
		opts.MaxConcurrent = 2
		e := startEngine(t, store, r, specs, opts)
		time.Sleep(10 * time.Hour)
		e.stop(t)
		if most != 2 {
			t.Errorf("at most %d running, want 2", most)
		}
		calls := r.Calls()
		if len(calls) != 3*15 {
			t.Errorf("%d runs, want 45", len(calls))
		}
		// The live windows (04:00) start before any catch-up.
		for _, c := range calls[:2] {
			if c.Window.Start != utc("2026-06-01T04:00") {
				t.Errorf("early call %s %s, want a live 04:00 window", c.Name, c.Window)
			}
		}
	})
}
