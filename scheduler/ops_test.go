package scheduler

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

// TestPauseUnpause: nothing starts while paused; on unpause the windows
// due meanwhile go by the catch-up policy, and Status says so.
func TestPauseUnpause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store, r := NewMemStore(), newRunner(t)
		sp := testSpec("orders", "@hourly", "")
		sp.CatchUp = CatchUp{Mode: CatchUpLatest}
		sleepUntil(utc("2026-06-01T10:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, testOptions("a"))
		time.Sleep(10 * time.Minute)
		if err := e.Pause(ctx, "orders"); err != nil {
			t.Fatal(err)
		}
		st, err := e.Status(ctx)
		if err != nil || len(st.Schedules) != 1 || !st.Schedules[0].Paused || !st.Leading {
			t.Fatalf("status %+v, %v", st, err)
		}
		time.Sleep(5 * time.Hour) // 10:00 .. 14:00 due while paused
		if n := len(r.Calls()); n != 1 {
			t.Fatalf("%d windows ran, want only 09:00 before the pause", n)
		}
		if err := e.Unpause(ctx, "orders"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		e.stop(t)
		got := statuses(runsOf(t, store, RunFilter{Schedule: "orders"}))
		want := map[time.Time]RunStatus{}
		for i, h := range hours("2026-06-01T09:00", 6) {
			want[h] = StatusSkipped
			if i == 0 || i == 5 { // 09:00 before the pause; 14:00 the newest missed
				want[h] = StatusSucceeded
			}
		}
		for h, s := range want {
			if got[h] != s {
				t.Errorf("%s %s, want %s", jobs.Window{Start: h}, got[h], s)
			}
		}
	})
}

// TestInputsAndSensors: a window waits for its inputs, Status says on
// what; a sensor gives up after its timeout and the window fails; Retry
// runs it once the input is there.
func TestInputsAndSensors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store, r := NewMemStore(), newRunner(t)
		var ready atomic.Bool
		marker := DependencyFunc(func(ctx context.Context, w jobs.Window) (bool, string, error) {
			if ready.Load() {
				return true, "", nil
			}
			return false, "no _SUCCESS under /warehouse/orders/" + w.Partition(), nil
		})
		sp := testSpec("orders", "@hourly", "")
		sp.Inputs = []Dependency{Sensor{Name: "orders", Input: marker, Timeout: 2 * time.Hour}}
		sleepUntil(utc("2026-06-01T10:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, testOptions("a"))
		time.Sleep(30 * time.Minute)
		st, err := e.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w9 := jobs.Window{Start: utc("2026-06-01T09:00")}
		ss := st.Schedules[0]
		if len(ss.Waiting) != 1 || ss.Waiting[0].Window != w9 ||
			ss.Waiting[0].Reason != "input orders: no _SUCCESS under /warehouse/orders/dt=2026-06-01/hr=09" {
			t.Fatalf("waiting %+v", ss.Waiting)
		}
		time.Sleep(2 * time.Hour)
		run, _ := store.Run(ctx, RunKey{"orders", w9})
		if run.Status != StatusFailed || run.Error != "input not ready: input orders not ready after 2h0m0s" {
			t.Fatalf("after the sensor timeout: %+v", run)
		}
		if len(r.Calls()) != 0 {
			t.Fatal("ran without its input")
		}
		ready.Store(true)
		if _, err := e.Retry(ctx, "orders", w9); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		e.stop(t)
		if run, _ := store.Run(ctx, RunKey{"orders", w9}); run.Status != StatusSucceeded {
			t.Fatalf("after Retry: %+v", run)
		}
	})
}

// TestStaleReruns: windows the runner reports stale are re-run, at most
// MaxPerTick per check, newest first, none older than MaxAge.
func TestStaleReruns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store, r := NewMemStore(), newRunner(t)
		stale := map[time.Time]bool{}
		var mu = make(chan struct{}, 1)
		mu <- struct{}{}
		r.stale = func(string) []jobs.Window {
			<-mu
			defer func() { mu <- struct{}{} }()
			var out []jobs.Window
			for s := range stale {
				out = append(out, jobs.Window{Start: s})
			}
			return out
		}
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			<-mu
			delete(stale, w.Start)
			mu <- struct{}{}
			return RunResult{}, nil
		}
		sp := testSpec("orders", "@hourly", "")
		sp.Start = utc("2026-06-01T00:00")
		sp.Stale = StalePolicy{MaxPerTick: 2, MaxAge: 6 * time.Hour, Every: 10 * time.Minute}
		sleepUntil(utc("2026-06-01T10:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, testOptions("a"))
		time.Sleep(5 * time.Minute) // 00:00 .. 09:00 done
		<-mu
		for _, h := range []string{"2026-06-01T01:00", "2026-06-01T05:00", "2026-06-01T06:00", "2026-06-01T07:00", "2026-06-01T08:00"} {
			stale[utc(h)] = true
		}
		mu <- struct{}{}
		before := len(r.Calls())
		time.Sleep(10 * time.Minute)
		var first []string
		for _, c := range r.Calls()[before:] {
			first = append(first, c.Window.String())
		}
		time.Sleep(30 * time.Minute)
		e.stop(t)
		var all []string
		for _, c := range r.Calls()[before:] {
			all = append(all, c.Window.String())
		}
		if got, want := strings.Join(first, " "), "2026-06-01T07Z 2026-06-01T08Z"; got != want {
			t.Errorf("first check re-ran %s, want %s", got, want)
		}
		// 01:00 is older than MaxAge and never re-runs.
		if got, want := strings.Join(all, " "), "2026-06-01T07Z 2026-06-01T08Z 2026-06-01T05Z 2026-06-01T06Z"; got != want {
			t.Errorf("re-ran %s, want %s", got, want)
		}
		run, _ := store.Run(ctx, RunKey{"orders", jobs.Window{Start: utc("2026-06-01T08:00")}})
		if run.StaleReruns != 1 || run.Trigger != TriggerStale || run.Status != StatusSucceeded {
			t.Errorf("re-run window %+v", run)
		}
	})
}

func TestOperationErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		sleepUntil(utc("2026-06-01T10:30"))
		store := NewMemStore()
		e, err := New(store, newRunner(t), []Spec{testSpec("orders", "@hourly", "")}, testOptions("a"))
		if err != nil {
			t.Fatal(err)
		}
		now := jobs.HourOf(time.Now())
		tests := []struct {
			name string
			err  error
			want error
		}{
			{"trigger unknown", func() error { _, err := e.Trigger(ctx, "nope", jobs.Window{}); return err }(), ErrUnknownSchedule},
			{"trigger open window", func() error { _, err := e.Trigger(ctx, "orders", now); return err }(), ErrWindowOpen},
			{"retry unknown", func() error { _, err := e.Retry(ctx, "nope", now); return err }(), ErrUnknownSchedule},
			{"pause unknown", e.Pause(ctx, "nope"), ErrUnknownSchedule},
		}
		for _, tt := range tests {
			if !errors.Is(tt.err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
			}
		}
		prev := jobs.Window{Start: now.Start.Add(-time.Hour)}
		if r, err := e.Trigger(ctx, "orders", prev); err != nil || r.Status != StatusPending || r.Trigger != TriggerManual || !r.Live {
			t.Fatalf("Trigger = %+v, %v", r, err)
		}
		if _, err := store.Claim(ctx, RunKey{"orders", prev}, "x", time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Trigger(ctx, "orders", prev); !errors.Is(err, ErrRunning) {
			t.Errorf("Trigger of a running window = %v, want ErrRunning", err)
		}
		st, _ := e.Status(ctx)
		if st.Leading || len(st.Schedules[0].Running) != 1 {
			t.Errorf("status of an engine not running: %+v", st)
		}
	})
}

func TestValidate(t *testing.T) {
	good := testSpec("orders", "@hourly", "")
	tests := []struct {
		name string
		edit func(*Spec, *Options)
		want string
	}{
		{"ok", func(*Spec, *Options) {}, ""},
		{"no name", func(s *Spec, _ *Options) { s.Name = "" }, "needs a name"},
		{"no schedule", func(s *Spec, _ *Options) { s.Schedule = nil }, "no cron expression"},
		{"concurrency", func(s *Spec, _ *Options) { s.MaxConcurrent = 0 }, "max concurrent 0"},
		{"attempts", func(s *Spec, _ *Options) { s.Retry.MaxAttempts = 0 }, "max attempts 0"},
		{"jitter", func(s *Spec, _ *Options) { s.Retry.Jitter = 2 }, "jitter 2"},
		{"catch-up", func(s *Spec, _ *Options) { s.CatchUp = CatchUp{Mode: "some"} }, "catch-up"},
		{"start", func(s *Spec, _ *Options) { s.Start = utc("2026-06-01T10:30") }, "not on an hour"},
		{"stale", func(s *Spec, _ *Options) { s.Stale.Every = 0 }, "stale policy"},
		{"holder", func(_ *Spec, o *Options) { o.Holder = "" }, "holder"},
		{"global", func(_ *Spec, o *Options) { o.MaxConcurrent = 0 }, "max concurrent 0"},
		{"ttl", func(_ *Spec, o *Options) { o.LeaderTTL = 0 }, "lease ttls"},
		{"retention", func(_ *Spec, o *Options) { o.Retention = 0 }, "retention"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, o := good, testOptions("a")
			tt.edit(&sp, &o)
			_, err := New(NewMemStore(), newRunner(t), []Spec{sp}, o)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrBadOptions) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want ErrBadOptions mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := New(NewMemStore(), newRunner(t), []Spec{good, good}, testOptions("a")); !errors.Is(err, ErrBadOptions) {
		t.Errorf("duplicate schedule: %v", err)
	}
	for _, s := range []string{"all", "latest", "none", "0", "12"} {
		c, err := ParseCatchUp(s)
		if err != nil || c.String() != s {
			t.Errorf("ParseCatchUp(%q) = %v, %v", s, c, err)
		}
	}
	if _, err := ParseCatchUp("-1"); !errors.Is(err, ErrBadOptions) {
		t.Errorf("ParseCatchUp(-1) = %v", err)
	}
}
