package metastore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func testLeases(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	a, b := h.open(t, clk), h.open(t, clk) // two processes on one metastore
	la, err := a.AcquireLease(ctx, "job:events", "host-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !la.ExpiresAt.Equal(clk.Now().Add(time.Minute)) || la.ExpiresAt.Location() != time.UTC {
		t.Errorf("expires at %v, want %v UTC", la.ExpiresAt, clk.Now().Add(time.Minute))
	}
	_, err = b.AcquireLease(ctx, "job:events", "host-b", time.Minute)
	if !errors.Is(err, ErrLeaseHeld) || !strings.Contains(err.Error(), "host-a") {
		t.Fatalf("second holder: err = %v, want ErrLeaseHeld naming host-a", err)
	}
	if _, err := b.AcquireLease(ctx, "job:orders", "host-b", time.Minute); err != nil {
		t.Errorf("a different lease name: %v", err)
	}
	clk.Add(30 * time.Second)
	if la, err = a.RenewLease(ctx, la, time.Minute); err != nil {
		t.Fatalf("renew: %v", err)
	}
	clk.Add(45 * time.Second) // past the first expiry, within the renewed one
	if err := a.CheckFence(ctx, "job:events", la.Token); err != nil {
		t.Errorf("fence after renewal: %v", err)
	}
	if _, err := b.AcquireLease(ctx, "job:events", "host-b", time.Minute); !errors.Is(err, ErrLeaseHeld) {
		t.Errorf("acquire of a renewed lease: %v, want ErrLeaseHeld", err)
	}
	clk.Add(16 * time.Second) // a stops renewing: the lease expires
	if err := a.CheckFence(ctx, "job:events", la.Token); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("fence after expiry: %v, want ErrLeaseLost", err)
	}
	lb, err := b.AcquireLease(ctx, "job:events", "host-b", time.Minute)
	if err != nil {
		t.Fatalf("take over an expired lease: %v", err)
	}
	if lb.Token <= la.Token {
		t.Fatalf("token %d after %d: fencing tokens must grow", lb.Token, la.Token)
	}
	if _, err := a.RenewLease(ctx, la, time.Minute); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("renew by the old holder: %v, want ErrLeaseLost", err)
	}
	err = a.Tx(ctx, func(tx *Tx) error { return tx.CheckFence(ctx, "job:events", la.Token) })
	if !errors.Is(err, ErrLeaseLost) {
		t.Errorf("fence check with a stale token: %v, want ErrLeaseLost", err)
	}
	if err := b.Tx(ctx, func(tx *Tx) error { return tx.CheckFence(ctx, "job:events", lb.Token) }); err != nil {
		t.Errorf("fence check by the holder: %v", err)
	}
	// The old holder releasing its lost lease changes nothing.
	if err := a.ReleaseLease(ctx, la); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckFence(ctx, "job:events", lb.Token); err != nil {
		t.Errorf("a stale release freed the current lease: %v", err)
	}
	// Re-acquiring one's own lease gives a new token.
	lb2, err := b.AcquireLease(ctx, "job:events", "host-b", time.Minute)
	if err != nil || lb2.Token <= lb.Token {
		t.Fatalf("re-acquire = %+v, %v", lb2, err)
	}
	if err := b.ReleaseLease(ctx, lb2); err != nil {
		t.Fatal(err)
	}
	if err := b.CheckFence(ctx, "job:events", lb2.Token); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("fence after release: %v, want ErrLeaseLost", err)
	}
	lc, err := a.AcquireLease(ctx, "job:events", "host-a", time.Minute)
	if err != nil || lc.Token <= lb2.Token {
		t.Fatalf("acquire after release = %+v, %v", lc, err)
	}
	if _, err := a.AcquireLease(ctx, "job:events", "host-a", 0); err == nil {
		t.Errorf("a zero ttl was accepted")
	}
}

// testConcurrentLeases: Stores racing for one lease, on a new name and
// again after it expired, produce exactly one winner each round, with
// growing tokens.
func testConcurrentLeases(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	const n = 6
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = h.open(t, clk)
	}
	var last int64
	for round := 0; round < 3; round++ {
		leases := make([]Lease, n)
		errs := make([]error, n)
		race(n, func(i int) {
			leases[i], errs[i] = stores[i].AcquireLease(ctx, "schedule:hourly", fmt.Sprintf("host-%d", i), time.Minute)
		})
		var winners []Lease
		for i, err := range errs {
			switch {
			case err == nil:
				winners = append(winners, leases[i])
			case !errors.Is(err, ErrLeaseHeld):
				t.Errorf("round %d, host-%d: %v", round, i, err)
			}
		}
		if len(winners) != 1 {
			t.Fatalf("round %d: winners = %+v, want exactly one", round, winners)
		}
		if winners[0].Token <= last {
			t.Errorf("round %d: token %d after %d", round, winners[0].Token, last)
		}
		last = winners[0].Token
		clk.Add(2 * time.Minute) // let it expire for the next round
	}
}
