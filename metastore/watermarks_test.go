package metastore

import (
	"context"
	"errors"
	"testing"
	"time"
)

func testWatermarks(t *testing.T, h harness) {
	ctx := context.Background()
	s := h.open(t, newClock())
	if _, ok, err := s.Watermark(ctx, "events"); ok || err != nil {
		t.Fatalf("watermark before any = %v, %v", ok, err)
	}
	err := s.Tx(ctx, func(tx *Tx) error { return tx.SetWatermark(ctx, "events", "1000") })
	if err != nil {
		t.Fatal(err)
	}
	// A failed transaction (say the publish it covers failed) leaves the
	// watermark where it was.
	boom := errors.New("publish failed")
	err = s.Tx(ctx, func(tx *Tx) error {
		if err := tx.SetWatermark(ctx, "events", "2000"); err != nil {
			return err
		}
		if v, _, _ := tx.Watermark(ctx, "events"); v != "2000" {
			t.Errorf("inside the transaction the watermark reads %q", v)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx error = %v", err)
	}
	if v, ok, err := s.Watermark(ctx, "events"); v != "1000" || !ok || err != nil {
		t.Fatalf("after the failed transaction: %q, %v, %v; want 1000", v, ok, err)
	}
	// A new watermark set in a failed transaction does not appear either.
	_ = s.Tx(ctx, func(tx *Tx) error {
		if err := tx.SetWatermark(ctx, "orders", "5"); err != nil {
			return err
		}
		return boom
	})
	if _, ok, _ := s.Watermark(ctx, "orders"); ok {
		t.Errorf("watermark of a rolled-back transaction exists")
	}
	// Setting the same value again is fine (MySQL reports 0 changed rows).
	if err := s.Tx(ctx, func(tx *Tx) error { return tx.SetWatermark(ctx, "events", "1000") }); err != nil {
		t.Fatal(err)
	}
	// A panic inside fn rolls back too, and propagates.
	func() {
		defer func() { recover() }()
		_ = s.Tx(ctx, func(tx *Tx) error {
			_ = tx.SetWatermark(ctx, "events", "3000")
			panic("bug")
		})
	}()
	if v, _, _ := s.Watermark(ctx, "events"); v != "1000" {
		t.Errorf("after a panic in Tx the watermark is %q", v)
	}
}

// testPublishTransaction is how an import ends: fence check, run success
// and watermark in one transaction. A lost lease stops all three.
func testPublishTransaction(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	s := h.open(t, clk)
	lease, err := s.AcquireLease(ctx, "import:orders", "host-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	publish := func(run Run, value string) error {
		return s.Tx(ctx, func(tx *Tx) error {
			if err := tx.CheckFence(ctx, lease.Name, lease.Token); err != nil {
				return err
			}
			if err := tx.FinishRun(ctx, run.ID, RunSucceeded, "", `{"rows":3}`); err != nil {
				return err
			}
			return tx.SetWatermark(ctx, "orders", value)
		})
	}
	r1, _ := s.StartRun(ctx, RunSpec{Kind: "import", Name: "orders"})
	if err := publish(r1, "42"); err != nil {
		t.Fatal(err)
	}
	r2, _ := s.StartRun(ctx, RunSpec{Kind: "import", Name: "orders"})
	clk.Add(2 * time.Minute) // the lease expires mid-import
	if err := publish(r2, "99"); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("publish after the lease expired: %v, want ErrLeaseLost", err)
	}
	if v, _, _ := s.Watermark(ctx, "orders"); v != "42" {
		t.Errorf("watermark %q after a fenced-off publish, want 42", v)
	}
	runs, _ := s.ListRuns(ctx, RunFilter{Status: RunRunning})
	if len(runs) != 1 || runs[0].ID != r2.ID {
		t.Errorf("running runs = %+v, want r2 still running", runs)
	}
}
