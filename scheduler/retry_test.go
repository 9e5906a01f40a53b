package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

func TestRetryDelay(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, Backoff: time.Minute, MaxBackoff: 10 * time.Minute, Jitter: 0.2}
	tests := []struct {
		failed int
		r      float64
		want   time.Duration
	}{
		{1, 0.5, time.Minute},
		{2, 0.5, 2 * time.Minute},
		{3, 0.5, 4 * time.Minute},
		{4, 0.5, 8 * time.Minute},
		{5, 0.5, 10 * time.Minute}, // capped
		{9, 0.5, 10 * time.Minute},
		{1, 0, 48 * time.Second},
		{1, 1, 72 * time.Second},
		{3, 0, 192 * time.Second},
		{5, 0.75, 11 * time.Minute},
	}
	for _, tt := range tests {
		if got := p.Delay(tt.failed, tt.r); got != tt.want {
			t.Errorf("Delay(%d, %v) = %s, want %s", tt.failed, tt.r, got, tt.want)
		}
	}
	// Jittered delays stay within bounds and still grow.
	prevMax := time.Duration(0)
	for n := 1; n <= 3; n++ {
		lo, hi := p.Delay(n, 0), p.Delay(n, 0.999999)
		base := p.Delay(n, 0.5)
		if lo < base*8/10 || hi > base*12/10 || lo <= prevMax {
			t.Errorf("failure %d: delays %s..%s around %s, previous max %s", n, lo, hi, base, prevMax)
		}
		prevMax = hi
	}
}

// TestRetries: a failing window is retried after growing, jittered delays
// until MaxAttempts, then stays failed until Retry.
func TestRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, r := NewMemStore(), newRunner(t)
		fail := true
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			if fail {
				return RunResult{}, errors.New("mysql: connection refused")
			}
			return RunResult{Rows: 5}, nil
		}
		sp := testSpec("orders", "@daily", "")
		sp.Retry = RetryPolicy{MaxAttempts: 4, Backoff: time.Minute, MaxBackoff: time.Hour, Jitter: 0.2}
		sp.Start = utc("2026-06-01T23:00")
		rands := []float64{0, 0.99, 0.5}
		opts := testOptions("a")
		opts.Rand = func() float64 { x := rands[0]; rands = append(rands[1:], x); return x }
		sleepUntil(utc("2026-06-02T00:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, opts)
		time.Sleep(3 * time.Hour)
		calls := r.Calls()
		if len(calls) != 4 {
			t.Fatalf("%d attempts, want 4", len(calls))
		}
		want := []time.Duration{48 * time.Second, time.Duration(float64(2*time.Minute) * (1 + 0.2*(2*0.99-1))), 4 * time.Minute}
		for i := 1; i < len(calls); i++ {
			if got := calls[i].Start.Sub(calls[i-1].End); got != want[i-1] {
				t.Errorf("delay before attempt %d = %s, want %s", i+1, got, want[i-1])
			}
		}
		ctx := context.Background()
		k := RunKey{"orders", jobs.Window{Start: utc("2026-06-01T23:00")}}
		run, _ := store.Run(ctx, k)
		if run.Status != StatusFailed || run.Attempts != 4 || !strings.Contains(run.Error, "connection refused") {
			t.Fatalf("run = %+v", run)
		}
		as, _ := store.Attempts(ctx, k)
		if len(as) != 4 || as[3].Seq != 4 || as[3].Status != StatusFailed {
			t.Fatalf("attempts = %+v", as)
		}
		if _, err := e.Retry(ctx, "orders", jobs.Window{Start: utc("2026-06-01T22:00")}); !errors.Is(err, ErrNotFailed) {
			t.Errorf("Retry of a window without a run = %v, want ErrNotFailed", err)
		}
		fail = false
		if _, err := e.Retry(ctx, "orders", k.Window); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		e.stop(t)
		run, _ = store.Run(ctx, k)
		as, _ = store.Attempts(ctx, k)
		if run.Status != StatusSucceeded || run.Attempts != 1 || len(as) != 5 || as[4].Trigger != TriggerRetry || as[4].Seq != 5 {
			t.Fatalf("after Retry: run %+v, attempts %+v", run, as)
		}
		if _, err := e.Retry(ctx, "orders", k.Window); !errors.Is(err, ErrNotFailed) {
			t.Errorf("Retry of a succeeded window = %v, want ErrNotFailed", err)
		}
	})
}

// TestAttemptTimeout: an attempt running past its timeout has its context
// cancelled, and the failure names the timeout.
func TestAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, r := NewMemStore(), newRunner(t)
		var cancelledAt time.Time
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			<-ctx.Done()
			cancelledAt = time.Now()
			return RunResult{}, ctx.Err()
		}
		sp := testSpec("orders", "@hourly", "")
		sp.Retry = RetryPolicy{MaxAttempts: 1, AttemptTimeout: 10 * time.Minute}
		sleepUntil(utc("2026-06-01T10:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, testOptions("a"))
		time.Sleep(30 * time.Minute)
		e.stop(t)
		calls := r.Calls()
		if len(calls) != 1 || !cancelledAt.Equal(calls[0].Start.Add(10*time.Minute)) {
			t.Fatalf("calls %+v, cancelled at %s", calls, cancelledAt)
		}
		run, _ := store.Run(context.Background(), RunKey{"orders", jobs.Window{Start: utc("2026-06-01T09:00")}})
		if run.Status != StatusFailed || !strings.Contains(run.Error, "attempt timed out after 10m0s") {
			t.Fatalf("run = %+v", run)
		}
	})
}
