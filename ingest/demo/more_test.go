package demo

import (
	"context"
	"testing"
)

func TestAddEvents(t *testing.T) {
	_, db := startEmbedded(t)
	ctx := context.Background()
	if _, err := Seed(ctx, db, SeedOptions{Rows: 1000, Hours: 4, Start: testStart, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	added, first, err := AddEvents(ctx, db, MoreOptions{Rows: 300, Hours: 2, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	if added != 300 || first != 1001 {
		t.Fatalf("added %d from id %d, want 300 from 1001", added, first)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM events WHERE id >= 1001"); n != 300 {
		t.Errorf("%d new events in the table", n)
	}
	// Most new events are in the two hours after the seeded ones; late
	// ones fall into the seeded hours.
	if n := count(t, db, "SELECT COUNT(*) FROM events WHERE id >= 1001 AND created_at >= '2026-11-21 04:00:00' AND created_at < '2026-11-21 06:00:00'"); n < 250 {
		t.Errorf("only %d new events in the following two hours", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM events WHERE id >= 1001 AND created_at < '2026-11-21 04:00:00'"); n == 0 {
		t.Error("no new event arrived late")
	}
	// Every device of a new event belongs to its user.
	if n := count(t, db, "SELECT COUNT(*) FROM events e JOIN devices d ON d.id = e.device_id WHERE e.id >= 1001 AND d.user_id <> e.user_id"); n != 0 {
		t.Errorf("%d new events on another user's device", n)
	}
	if _, _, err := AddEvents(ctx, db, MoreOptions{Rows: 0, Hours: 1}); err == nil {
		t.Error("zero rows accepted")
	}
}
