// Package storetest is the conformance suite for scheduler.Store: every
// implementation (scheduler.MemStore, the metastore's SQL store) must pass
// it, so the engine can rely on the same semantics everywhere.
//
// Run starts each case in a testing/synctest bubble and calls the factory
// inside it, so the store under test must take its clock from time.Now
// (the bubble's fake clock) and must not leave goroutines behind: close
// databases with t.Cleanup.
//
// database/sql works in a bubble when every pool the factory uses is
// opened inside it (the metastore's, and an admin pool that creates the
// test database): a pool opened outside would open connections inside the
// bubble and close them outside, which the runtime refuses (fatal "close
// of synctest channel from outside bubble"). Network waits are not durably
// blocking, so the fake clock simply does not move while a query is on the
// wire; the suite needs no change for a networked store.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/scheduler"
)

// Factory makes an empty store for one test case.
type Factory func(t *testing.T) scheduler.Store

// Run runs the suite against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s scheduler.Store)
	}{
		{"State", testState},
		{"Leases", testLeases},
		{"Advance", testAdvance},
		{"ClaimRenewFinish", testClaimRenewFinish},
		{"Reclaim", testReclaim},
		{"Queue", testQueue},
		{"Runs", testRuns},
		{"BlockedAlerted", testBlockedAlerted},
		{"Prune", testPrune},
		{"ClaimRace", testClaimRace},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { c.fn(t, newStore(t)) })
		})
	}
}

var ctx = context.Background()

func win(h int) jobs.Window {
	return jobs.Window{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)}
}

func key(name string, h int) scheduler.RunKey {
	return scheduler.RunKey{Schedule: name, Window: win(h)}
}

// must(f())(t) is f's value, failing t on f's error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func leader(t *testing.T, s scheduler.Store) scheduler.Lease {
	t.Helper()
	return must(s.AcquireLease(ctx, "sched", "a", time.Minute))(t)
}

func pending(name string, h int) scheduler.Run {
	return scheduler.Run{Key: key(name, h), Status: scheduler.StatusPending, Trigger: scheduler.TriggerCron, Live: true}
}

func testState(t *testing.T, s scheduler.Store) {
	st := must(s.State(ctx, "orders"))(t)
	if st.Name != "orders" || !st.Cursor.IsZero() || st.Paused {
		t.Fatalf("new state = %+v", st)
	}
	if err := s.SetPaused(ctx, "orders", true); err != nil {
		t.Fatal(err)
	}
	if st := must(s.State(ctx, "orders"))(t); !st.Paused {
		t.Fatal("not paused")
	}
	if err := s.SetPaused(ctx, "orders", false); err != nil {
		t.Fatal(err)
	}
	if st := must(s.State(ctx, "orders"))(t); st.Paused {
		t.Fatal("still paused")
	}
}

func testLeases(t *testing.T, s scheduler.Store) {
	a := must(s.AcquireLease(ctx, "sched", "a", time.Minute))(t)
	if a.Holder != "a" || a.Token <= 0 || !a.Until.Equal(time.Now().Add(time.Minute)) {
		t.Fatalf("lease = %+v", a)
	}
	_, err := s.AcquireLease(ctx, "sched", "b", time.Minute)
	wantErr(t, err, scheduler.ErrLeaseHeld)
	other := must(s.AcquireLease(ctx, "other", "b", time.Minute))(t)
	if other.Holder != "b" {
		t.Fatalf("other lease = %+v", other)
	}
	a2 := must(s.AcquireLease(ctx, "sched", "a", time.Minute))(t)
	if a2.Token <= a.Token {
		t.Fatalf("re-acquired token %d not above %d", a2.Token, a.Token)
	}
	_, err = s.RenewLease(ctx, a, time.Minute)
	wantErr(t, err, scheduler.ErrLeaseLost)
	time.Sleep(30 * time.Second)
	a2 = must(s.RenewLease(ctx, a2, time.Minute))(t)
	if !a2.Until.Equal(time.Now().Add(time.Minute)) {
		t.Fatalf("renewed until %s", a2.Until)
	}
	time.Sleep(61 * time.Second)
	_, err = s.RenewLease(ctx, a2, time.Minute)
	wantErr(t, err, scheduler.ErrLeaseLost)
	b := must(s.AcquireLease(ctx, "sched", "b", time.Minute))(t)
	if b.Token <= a2.Token {
		t.Fatalf("taken-over token %d not above %d", b.Token, a2.Token)
	}
	if err := s.ReleaseLease(ctx, a2); err != nil {
		t.Fatalf("releasing a lost lease: %v", err)
	}
	if _, err := s.AcquireLease(ctx, "sched", "a", time.Minute); !errors.Is(err, scheduler.ErrLeaseHeld) {
		t.Fatalf("releasing a lost lease freed the holder's: %v", err)
	}
	if err := s.ReleaseLease(ctx, b); err != nil {
		t.Fatal(err)
	}
	c := must(s.AcquireLease(ctx, "sched", "c", time.Minute))(t)
	if c.Token <= b.Token {
		t.Fatalf("token after release %d not above %d", c.Token, b.Token)
	}
	_, err = s.RenewLease(ctx, b, time.Minute)
	wantErr(t, err, scheduler.ErrLeaseLost)
}

func testAdvance(t *testing.T, s scheduler.Store) {
	l := leader(t, s)
	now := time.Now()
	if err := s.Advance(ctx, l, "orders", now, []scheduler.Run{pending("orders", 0), pending("orders", 1)}); err != nil {
		t.Fatal(err)
	}
	if st := must(s.State(ctx, "orders"))(t); !st.Cursor.Equal(now) {
		t.Fatalf("cursor %s, want %s", st.Cursor, now)
	}
	r := must(s.Run(ctx, key("orders", 0)))(t)
	if r.Status != scheduler.StatusPending || r.Trigger != scheduler.TriggerCron || !r.Live || r.Updated.IsZero() {
		t.Fatalf("run = %+v", r)
	}
	// Present keys are left alone; the cursor never goes back.
	must(s.Claim(ctx, key("orders", 0), "a", time.Minute))(t)
	skipped := pending("orders", 0)
	skipped.Status = scheduler.StatusSkipped
	if err := s.Advance(ctx, l, "orders", now.Add(-time.Hour), []scheduler.Run{skipped}); err != nil {
		t.Fatal(err)
	}
	if r := must(s.Run(ctx, key("orders", 0)))(t); r.Status != scheduler.StatusRunning {
		t.Fatalf("advance overwrote a run: %+v", r)
	}
	if st := must(s.State(ctx, "orders"))(t); !st.Cursor.Equal(now) {
		t.Fatalf("cursor went back to %s", st.Cursor)
	}
	// A deposed leader's write is refused.
	time.Sleep(2 * time.Minute)
	l2 := must(s.AcquireLease(ctx, "sched", "b", time.Minute))(t)
	err := s.Advance(ctx, l, "orders", time.Now(), []scheduler.Run{pending("orders", 5)})
	wantErr(t, err, scheduler.ErrLeaseLost)
	if _, err := s.Run(ctx, key("orders", 5)); !errors.Is(err, scheduler.ErrNotFound) {
		t.Fatalf("fenced advance wrote a run: %v", err)
	}
	if err := s.Advance(ctx, l2, "orders", time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	// An expired lease nobody took is refused too.
	time.Sleep(2 * time.Minute)
	wantErr(t, s.Advance(ctx, l2, "orders", time.Now(), nil), scheduler.ErrLeaseLost)
}

func testClaimRenewFinish(t *testing.T, s scheduler.Store) {
	l := leader(t, s)
	noErr(t, s.Advance(ctx, l, "orders", time.Now(), []scheduler.Run{pending("orders", 0)}))
	_, err := s.Claim(ctx, key("orders", 9), "a", time.Minute)
	wantErr(t, err, scheduler.ErrNotFound)
	r := must(s.Claim(ctx, key("orders", 0), "a", time.Minute))(t)
	if r.Status != scheduler.StatusRunning || r.Holder != "a" || r.Token <= 0 || r.Seq != 1 ||
		!r.LeaseUntil.Equal(time.Now().Add(time.Minute)) || !r.Started.Equal(time.Now()) {
		t.Fatalf("claimed = %+v", r)
	}
	_, err = s.Claim(ctx, key("orders", 0), "b", time.Minute)
	wantErr(t, err, scheduler.ErrNotRunnable)
	wantErr(t, err, scheduler.ErrRunning)
	time.Sleep(20 * time.Second)
	r2 := must(s.RenewRun(ctx, r.Key, r.Token, time.Minute))(t)
	if !r2.LeaseUntil.Equal(time.Now().Add(time.Minute)) {
		t.Fatalf("renewed until %s", r2.LeaseUntil)
	}
	_, err = s.RenewRun(ctx, r.Key, r.Token+1000, time.Minute)
	wantErr(t, err, scheduler.ErrLeaseLost)
	fail := scheduler.Completion{
		Attempt:  scheduler.Attempt{Key: r.Key, Token: r.Token + 1000, Status: scheduler.StatusFailed, Finished: time.Now(), Error: "boom"},
		Next:     scheduler.StatusPending,
		Attempts: 1,
	}
	_, err = s.Finish(ctx, fail)
	wantErr(t, err, scheduler.ErrLeaseLost)
	fail.Attempt.Token = r.Token
	fail.NotBefore = time.Now().Add(time.Minute)
	r3 := must(s.Finish(ctx, fail))(t)
	if r3.Status != scheduler.StatusPending || r3.Attempts != 1 || !r3.NotBefore.Equal(fail.NotBefore) || r3.Error != "boom" || r3.Holder != "" {
		t.Fatalf("after failure = %+v", r3)
	}
	_, err = s.Finish(ctx, fail)
	wantErr(t, err, scheduler.ErrLeaseLost) // an attempt finishes once
	_, err = s.RenewRun(ctx, r.Key, r.Token, time.Minute)
	wantErr(t, err, scheduler.ErrLeaseLost)

	r4 := must(s.Claim(ctx, r.Key, "b", time.Minute))(t)
	if r4.Token <= r.Token || r4.Seq != 2 || r4.Attempts != 1 {
		t.Fatalf("second claim = %+v", r4)
	}
	ok := scheduler.Completion{
		Attempt:  scheduler.Attempt{Key: r.Key, Token: r4.Token, Status: scheduler.StatusSucceeded, Started: r4.Started, Finished: time.Now(), Rows: 42},
		Next:     scheduler.StatusSucceeded,
		Attempts: 2,
	}
	r5 := must(s.Finish(ctx, ok))(t)
	if r5.Status != scheduler.StatusSucceeded || r5.Rows != 42 || r5.Error != "" {
		t.Fatalf("after success = %+v", r5)
	}
	_, err = s.Claim(ctx, r.Key, "a", time.Minute)
	wantErr(t, err, scheduler.ErrNotRunnable)
	as := must(s.Attempts(ctx, r.Key))(t)
	if len(as) != 2 || as[0].Seq != 1 || as[0].Status != scheduler.StatusFailed || as[0].Holder != "a" || as[0].Error != "boom" ||
		as[1].Seq != 2 || as[1].Status != scheduler.StatusSucceeded || as[1].Holder != "b" || as[1].Rows != 42 || as[1].Trigger != scheduler.TriggerCron {
		t.Fatalf("attempts = %+v", as)
	}
}

func testReclaim(t *testing.T, s scheduler.Store) {
	l := leader(t, s)
	noErr(t, s.Advance(ctx, l, "orders", time.Now(), []scheduler.Run{pending("orders", 0)}))
	r := must(s.Claim(ctx, key("orders", 0), "a", time.Minute))(t)
	lost := scheduler.Completion{
		Attempt:  scheduler.Attempt{Key: r.Key, Token: r.Token, Status: scheduler.StatusLost, Finished: time.Now(), Error: "died"},
		Next:     scheduler.StatusPending,
		Attempts: 1,
	}
	_, err := s.Reclaim(ctx, lost)
	wantErr(t, err, scheduler.ErrLeaseHeld)
	// Expired but not reclaimed: the holder may still renew.
	time.Sleep(90 * time.Second)
	must(s.RenewRun(ctx, r.Key, r.Token, time.Minute))(t)
	time.Sleep(90 * time.Second)
	r2 := must(s.Reclaim(ctx, lost))(t)
	if r2.Status != scheduler.StatusPending || r2.Attempts != 1 {
		t.Fatalf("reclaimed = %+v", r2)
	}
	// The dead holder, back, cannot record or renew.
	_, err = s.RenewRun(ctx, r.Key, r.Token, time.Minute)
	wantErr(t, err, scheduler.ErrLeaseLost)
	_, err = s.Finish(ctx, scheduler.Completion{Attempt: scheduler.Attempt{Key: r.Key, Token: r.Token, Status: scheduler.StatusSucceeded}, Next: scheduler.StatusSucceeded})
	wantErr(t, err, scheduler.ErrLeaseLost)
	if as := must(s.Attempts(ctx, r.Key))(t); len(as) != 1 || as[0].Status != scheduler.StatusLost {
		t.Fatalf("attempts = %+v", as)
	}
}

func testQueue(t *testing.T, s scheduler.Store) {
	k := key("orders", 3)
	_, err := s.Queue(ctx, k, scheduler.TriggerRetry, true, scheduler.StatusFailed)
	wantErr(t, err, scheduler.ErrConflict)
	if _, err := s.Run(ctx, k); !errors.Is(err, scheduler.ErrNotFound) {
		t.Fatalf("refused queue created a run: %v", err)
	}
	r := must(s.Queue(ctx, k, scheduler.TriggerManual, true))(t)
	if r.Status != scheduler.StatusPending || r.Trigger != scheduler.TriggerManual || !r.Live || !r.Queued.Equal(time.Now()) {
		t.Fatalf("queued = %+v", r)
	}
	c := must(s.Claim(ctx, k, "a", time.Minute))(t)
	_, err = s.Queue(ctx, k, scheduler.TriggerManual, true)
	wantErr(t, err, scheduler.ErrRunning)
	must(s.Finish(ctx, scheduler.Completion{
		Attempt: scheduler.Attempt{Key: k, Token: c.Token, Status: scheduler.StatusFailed, Error: "boom"},
		Next:    scheduler.StatusFailed, NotBefore: time.Now().Add(time.Hour), Attempts: 3,
	}))(t)
	_, err = s.Queue(ctx, k, scheduler.TriggerStale, false, scheduler.StatusSucceeded)
	wantErr(t, err, scheduler.ErrConflict)
	time.Sleep(time.Minute)
	r = must(s.Queue(ctx, k, scheduler.TriggerRetry, true, scheduler.StatusFailed))(t)
	if r.Status != scheduler.StatusPending || r.Attempts != 0 || !r.NotBefore.IsZero() || r.Trigger != scheduler.TriggerRetry || !r.Queued.Equal(time.Now()) || r.Seq != 1 {
		t.Fatalf("retried = %+v", r)
	}
	c = must(s.Claim(ctx, k, "a", time.Minute))(t)
	must(s.Finish(ctx, scheduler.Completion{Attempt: scheduler.Attempt{Key: k, Token: c.Token, Status: scheduler.StatusSucceeded}, Next: scheduler.StatusSucceeded, Attempts: 1}))(t)
	r = must(s.Queue(ctx, k, scheduler.TriggerStale, false, scheduler.StatusSucceeded))(t)
	if r.StaleReruns != 1 || r.Live || r.Trigger != scheduler.TriggerStale {
		t.Fatalf("stale re-run = %+v", r)
	}
}

func testRuns(t *testing.T, s scheduler.Store) {
	l := leader(t, s)
	noErr(t, s.Advance(ctx, l, "b", time.Now(), []scheduler.Run{pending("b", 1), pending("b", 2)}))
	noErr(t, s.Advance(ctx, l, "a", time.Now(), []scheduler.Run{pending("a", 2), pending("a", 0)}))
	must(s.Claim(ctx, key("a", 2), "x", time.Minute))(t)
	keys := func(rs []scheduler.Run) []scheduler.RunKey {
		var out []scheduler.RunKey
		for _, r := range rs {
			out = append(out, r.Key)
		}
		return out
	}
	tests := []struct {
		name string
		f    scheduler.RunFilter
		want []scheduler.RunKey
	}{
		{"all", scheduler.RunFilter{}, []scheduler.RunKey{key("a", 0), key("b", 1), key("a", 2), key("b", 2)}},
		{"schedule", scheduler.RunFilter{Schedule: "b"}, []scheduler.RunKey{key("b", 1), key("b", 2)}},
		{"status", scheduler.RunFilter{Statuses: []scheduler.RunStatus{scheduler.StatusRunning}}, []scheduler.RunKey{key("a", 2)}},
		{"range", scheduler.RunFilter{From: win(1).Start, To: win(2).Start}, []scheduler.RunKey{key("b", 1)}},
		{"newest", scheduler.RunFilter{Schedule: "a", Newest: true, Limit: 1}, []scheduler.RunKey{key("a", 2)}},
		{"limit", scheduler.RunFilter{Limit: 2}, []scheduler.RunKey{key("a", 0), key("b", 1)}},
	}
	for _, tt := range tests {
		got := keys(must(s.Runs(ctx, tt.f))(t))
		if len(got) != len(tt.want) {
			t.Errorf("%s: runs %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: runs %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func testBlockedAlerted(t *testing.T, s scheduler.Store) {
	k := key("orders", 0)
	wantErr(t, s.SetBlocked(ctx, k, "x"), scheduler.ErrNotFound)
	must(s.Queue(ctx, k, scheduler.TriggerManual, true))(t)
	noErr(t, s.SetBlocked(ctx, k, "input orders: no _SUCCESS"))
	if r := must(s.Run(ctx, k))(t); r.Blocked != "input orders: no _SUCCESS" {
		t.Fatalf("blocked = %q", r.Blocked)
	}
	if r := must(s.Claim(ctx, k, "a", time.Minute))(t); r.Blocked != "" {
		t.Fatalf("claim kept blocked %q", r.Blocked)
	}
	if !must(s.SetAlerted(ctx, k, true))(t) {
		t.Fatal("first SetAlerted(true) did not change")
	}
	if must(s.SetAlerted(ctx, k, true))(t) {
		t.Fatal("second SetAlerted(true) changed")
	}
	if !must(s.SetAlerted(ctx, k, false))(t) {
		t.Fatal("SetAlerted(false) did not change")
	}
	if r := must(s.Run(ctx, k))(t); r.Alerted {
		t.Fatal("still alerted")
	}
}

func testPrune(t *testing.T, s scheduler.Store) {
	finish := func(k scheduler.RunKey, next scheduler.RunStatus) {
		must(s.Queue(ctx, k, scheduler.TriggerManual, true))(t)
		c := must(s.Claim(ctx, k, "a", time.Minute))(t)
		must(s.Finish(ctx, scheduler.Completion{Attempt: scheduler.Attempt{Key: k, Token: c.Token, Status: scheduler.StatusSucceeded}, Next: next}))(t)
	}
	finish(key("old", 0), scheduler.StatusSucceeded)
	finish(key("old", 1), scheduler.StatusFailed)
	finish(key("old", 2), scheduler.StatusPending)
	must(s.Queue(ctx, key("old", 3), scheduler.TriggerManual, true))(t)
	must(s.Claim(ctx, key("old", 3), "a", time.Hour))(t)
	time.Sleep(48 * time.Hour)
	cut := time.Now().Add(-24 * time.Hour)
	finish(key("new", 0), scheduler.StatusSucceeded)
	n := must(s.Prune(ctx, cut))(t)
	if n != 2 {
		t.Fatalf("pruned %d, want 2", n)
	}
	for _, k := range []scheduler.RunKey{key("old", 0), key("old", 1)} {
		if _, err := s.Run(ctx, k); !errors.Is(err, scheduler.ErrNotFound) {
			t.Errorf("%s not pruned: %v", k, err)
		}
		if as := must(s.Attempts(ctx, k))(t); len(as) != 0 {
			t.Errorf("%s attempts not pruned: %v", k, as)
		}
	}
	for _, k := range []scheduler.RunKey{key("old", 2), key("old", 3), key("new", 0)} {
		must(s.Run(ctx, k))(t)
	}
}

func testClaimRace(t *testing.T, s scheduler.Store) {
	k := key("orders", 0)
	must(s.Queue(ctx, k, scheduler.TriggerManual, true))(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Go(func() {
			if _, err := s.Claim(ctx, k, string(rune('a'+i)), time.Minute); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			} else if !errors.Is(err, scheduler.ErrNotRunnable) {
				t.Errorf("claim: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims won, want 1", won)
	}
}
