package scheduler

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

// TestGracefulShutdown: on cancellation the engine starts nothing new,
// gives the leader lease up, lets work that finishes within the grace
// period succeed, cancels the rest after it and records it interrupted,
// to be run again by the next engine.
func TestGracefulShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store, r := NewMemStore(), newRunner(t)
		var cancelledAt time.Time
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			d := 30 * time.Second // "quick" finishes within the grace period
			if name == "slow" {
				d = time.Hour
			}
			select {
			case <-time.After(d):
				return RunResult{Rows: 1}, nil
			case <-ctx.Done():
				cancelledAt = time.Now()
				return RunResult{}, ctx.Err()
			}
		}
		specs := []Spec{testSpec("quick", "@hourly", ""), testSpec("slow", "@hourly", "")}
		opts := testOptions("a")
		opts.ShutdownGrace = 2 * time.Minute
		sleepUntil(utc("2026-06-01T10:00").Add(time.Second))
		e := startEngine(t, store, r, specs, opts)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		stopAt := time.Now()
		e.stop(t)
		if got := time.Since(stopAt); got != 2*time.Minute {
			t.Errorf("shutdown took %s, want the 2m grace", got)
		}
		if !cancelledAt.Equal(stopAt.Add(2 * time.Minute)) {
			t.Errorf("slow work cancelled at %s, want %s", cancelledAt, stopAt.Add(2*time.Minute))
		}
		w := jobs.Window{Start: utc("2026-06-01T09:00")}
		if quick, _ := store.Run(ctx, RunKey{"quick", w}); quick.Status != StatusSucceeded {
			t.Errorf("quick = %+v", quick)
		}
		slow, _ := store.Run(ctx, RunKey{"slow", w})
		as, _ := store.Attempts(ctx, RunKey{"slow", w})
		if slow.Status != StatusInterrupted || slow.Attempts != 0 || len(as) != 1 || as[0].Status != StatusInterrupted {
			t.Fatalf("slow = %+v, attempts %+v", slow, as)
		}
		if running := runsOf(t, store, RunFilter{Statuses: []RunStatus{StatusRunning}}); len(running) != 0 {
			t.Fatalf("still running after shutdown: %+v", running)
		}
		// The lease was given up: a successor leads at once and re-runs.
		r.do = nil
		e2 := startEngine(t, store, r, specs, testOptions("b"))
		synctest.Wait()
		if !e2.Leading() {
			t.Fatal("successor does not lead at once")
		}
		time.Sleep(time.Second)
		e2.stop(t)
		if slow, _ := store.Run(ctx, RunKey{"slow", w}); slow.Status != StatusSucceeded {
			t.Fatalf("slow after restart = %+v", slow)
		}
	})
}

// TestRetention: final runs older than the retention are pruned; open
// ones stay.
func TestRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, r := NewMemStore(), newRunner(t)
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			if w.Start.Equal(utc("2026-06-01T00:00")) {
				<-ctx.Done() // stays running until shutdown
				return RunResult{}, ctx.Err()
			}
			return RunResult{}, nil
		}
		sp := testSpec("orders", "@hourly", "")
		sp.Start = utc("2026-06-01T00:00")
		sp.MaxConcurrent = 2
		sp.Retry.AttemptTimeout = 0
		opts := testOptions("a")
		opts.Retention = 48 * time.Hour
		opts.Tick, opts.LeaderTTL = 10*time.Minute, 30*time.Minute
		sleepUntil(utc("2026-06-01T00:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, opts)
		time.Sleep(5*24*time.Hour + 30*time.Minute)
		rs := runsOf(t, store, RunFilter{Schedule: "orders"})
		e.stop(t)
		first := rs[0].Key.Window.Start
		if first != utc("2026-06-01T00:00") || rs[0].Status != StatusRunning {
			t.Errorf("oldest run %+v, want the running 00:00", rs[0])
		}
		// Succeeded runs finish right after their hour ends; keep ~48.
		if second := rs[1].Key.Window.Start; second.Before(time.Now().Add(-50*time.Hour)) || second.After(time.Now().Add(-47*time.Hour)) {
			t.Errorf("oldest final run kept %s, now %s", rs[1].Key.Window, time.Now())
		}
	})
}
