package scheduler

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

// TestTwoEnginesOneStore races two engines on one store: never both
// leading, never one window twice at once; when the leader's store goes
// away (a partition, a hung process) the standby takes over after the
// leader lease expires and re-runs the window the leader was working on.
func TestTwoEnginesOneStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := NewMemStore()
		sa, sb := &flakyStore{Store: mem}, &flakyStore{Store: mem}
		r := newRunner(t)
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			select {
			case <-time.After(20 * time.Minute):
				return RunResult{Rows: 1}, nil
			case <-ctx.Done():
				return RunResult{}, context.Cause(ctx)
			}
		}
		sp := testSpec("orders", "@hourly", "")
		sp.MaxConcurrent = 2
		sleepUntil(utc("2026-06-01T00:00").Add(5 * time.Second))
		a := startEngine(t, sa, r, []Spec{sp}, testOptions("a"))
		synctest.Wait()
		b := startEngine(t, sb, r, []Spec{sp}, testOptions("b"))
		for range 5 * 60 {
			time.Sleep(time.Minute)
			synctest.Wait()
			if a.Leading() && b.Leading() {
				t.Fatal("both engines lead")
			}
		}
		if !a.Leading() || b.Leading() {
			t.Fatalf("leading: a %v, b %v; want a", a.Leading(), b.Leading())
		}
		// 05:00 window started at 06:00; cut a off at 06:05.
		sleepUntil(utc("2026-06-01T06:05"))
		sa.down.Store(true)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if !b.Leading() {
			t.Fatal("standby did not take over within the leader ttl")
		}
		time.Sleep(3 * time.Hour)
		sa.down.Store(false)
		time.Sleep(time.Hour)
		synctest.Wait()
		if a.Leading() || !b.Leading() {
			t.Fatalf("after a came back: a %v, b %v; want b alone", a.Leading(), b.Leading())
		}
		sleepUntil(utc("2026-06-01T10:30")) // between windows
		a.stop(t)
		b.stop(t)

		if r.overlap > 0 {
			t.Fatalf("%d overlapping runs", r.overlap)
		}
		for _, run := range runsOf(t, mem, RunFilter{Schedule: "orders"}) {
			if run.Status != StatusSucceeded {
				t.Errorf("%s %s", run.Key, run.Status)
			}
		}
		w5 := jobs.Window{Start: utc("2026-06-01T05:00")}
		as, _ := mem.Attempts(context.Background(), RunKey{"orders", w5})
		if len(as) != 2 || as[0].Holder != "a" || as[0].Status != StatusLost || as[1].Holder != "b" || as[1].Status != StatusSucceeded {
			t.Errorf("attempts of 05:00 = %+v, want lost by a then succeeded by b", as)
		}
		if !as[1].Started.After(as[0].Started) || as[1].Token <= as[0].Token {
			t.Errorf("takeover attempt %+v not after %+v", as[1], as[0])
		}
	})
}

// TestZombieRecovery: a run left running by a dead process is retried
// once its lease expires.
func TestZombieRecovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store, r := NewMemStore(), newRunner(t)
		sleepUntil(utc("2026-06-01T10:10"))
		k := RunKey{"orders", jobs.Window{Start: utc("2026-06-01T08:00")}}
		if _, err := store.Queue(ctx, k, TriggerCron, true); err != nil {
			t.Fatal(err)
		}
		dead, err := store.Claim(ctx, k, "dead:1", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		e := startEngine(t, store, r, []Spec{testSpec("orders", "@hourly", "")}, testOptions("a"))
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if n := r.windowsRun("orders")[k.Window.Start]; n != 0 {
			t.Fatal("ran a window whose lease had not expired")
		}
		time.Sleep(3 * time.Minute) // the lease expires, then a 1m backoff
		e.stop(t)
		run, _ := store.Run(ctx, k)
		as, _ := store.Attempts(ctx, k)
		if run.Status != StatusSucceeded || len(as) != 2 || as[0].Status != StatusLost || as[0].Holder != "dead:1" ||
			as[1].Status != StatusSucceeded || as[1].Token <= dead.Token {
			t.Fatalf("run %+v, attempts %+v", run, as)
		}
	})
}
