package metastore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func testRuns(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	s := h.open(t, clk)
	// A window given in another zone, with sub-millisecond noise, comes
	// back as the same instant in UTC at millisecond precision.
	paris := time.FixedZone("CET", 3600)
	w := time.Date(2026, 11, 21, 11, 0, 0, 0, paris)
	r1, err := s.StartRun(ctx, RunSpec{Kind: "pipeline", Name: "hourly", WindowStart: w.Add(999 * time.Microsecond), WindowEnd: w.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	r2, err := s.StartRun(ctx, RunSpec{Kind: "import", Name: "events", WindowStart: w, WindowEnd: w.Add(time.Hour), Attempt: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r1.ID, RunSucceeded, "", `{"rows":10}`); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r2.ID, RunFailed, "mysql: connection refused", ""); err != nil {
		t.Fatal(err)
	}

	all, err := s.ListRuns(ctx, RunFilter{})
	if err != nil || len(all) != 2 || all[0].ID != r2.ID {
		t.Fatalf("ListRuns = %+v, %v; want 2, newest first", all, err)
	}
	got := all[1]
	if !got.WindowStart.Equal(w) || got.WindowStart.Location() != time.UTC || got.WindowEnd.Sub(got.WindowStart) != time.Hour {
		t.Errorf("window = [%v, %v), want [%v, +1h) in UTC", got.WindowStart, got.WindowEnd, w.UTC())
	}
	if got.Status != RunSucceeded || got.Stats != `{"rows":10}` || got.Error != "" || got.Attempt != 1 {
		t.Errorf("run = %+v", got)
	}
	if !got.StartedAt.Equal(newClock().Now()) || got.StartedAt.Location() != time.UTC || !got.FinishedAt.Equal(clk.Now()) {
		t.Errorf("started %v finished %v, want %v and %v in UTC", got.StartedAt, got.FinishedAt, newClock().Now(), clk.Now())
	}
	if r1.WindowStart != got.WindowStart {
		t.Errorf("StartRun returned window %v, ListRuns %v", r1.WindowStart, got.WindowStart)
	}

	tests := []struct {
		filter RunFilter
		want   []int64
	}{
		{RunFilter{Status: RunFailed}, []int64{r2.ID}},
		{RunFilter{Kind: "pipeline"}, []int64{r1.ID}},
		{RunFilter{Name: "events", Kind: "import"}, []int64{r2.ID}},
		{RunFilter{Name: "events", Kind: "pipeline"}, nil},
		{RunFilter{Since: clk.Now().Add(-30 * time.Second)}, []int64{r2.ID}},
		{RunFilter{Window: w}, []int64{r2.ID, r1.ID}},
		{RunFilter{Window: w.Add(time.Hour)}, nil},
		{RunFilter{Limit: 1}, []int64{r2.ID}},
	}
	for _, tt := range tests {
		runs, err := s.ListRuns(ctx, tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range runs {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
			t.Errorf("ListRuns(%+v) = %v, want %v", tt.filter, ids, tt.want)
		}
	}
	failed, _ := s.ListRuns(ctx, RunFilter{Status: RunFailed})
	if failed[0].Error != "mysql: connection refused" || failed[0].Attempt != 2 || failed[0].Stats != "" {
		t.Errorf("failed run = %+v", failed[0])
	}

	if _, err := s.StartRun(ctx, RunSpec{Kind: "import", Name: "x", WindowStart: w, WindowEnd: w.Add(-time.Hour)}); err == nil {
		t.Errorf("a window ending before it starts was accepted")
	}
}

// testRunAttempts: Attempt 0 numbers attempts per (kind, name, window),
// also when processes start them at once; an explicit duplicate fails.
func testRunAttempts(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	w := time.Date(2026, 11, 21, 7, 0, 0, 0, time.UTC)
	spec := RunSpec{Kind: "import", Name: "orders", WindowStart: w, WindowEnd: w.Add(time.Hour)}
	a, b := h.open(t, clk), h.open(t, clk)
	for want := 1; want <= 3; want++ {
		s := a
		if want == 2 {
			s = b
		}
		r, err := s.StartRun(ctx, spec)
		if err != nil || r.Attempt != want {
			t.Fatalf("start #%d: attempt %d, %v", want, r.Attempt, err)
		}
	}
	other := spec
	other.WindowStart, other.WindowEnd = w.Add(time.Hour), w.Add(2*time.Hour)
	if r, err := a.StartRun(ctx, other); err != nil || r.Attempt != 1 {
		t.Errorf("next window: attempt %d, %v; want 1", r.Attempt, err)
	}
	dup := spec
	dup.Attempt = 2
	if _, err := a.StartRun(ctx, dup); err == nil {
		t.Errorf("attempt 2 recorded twice")
	}

	const n = 4
	stores := []*Store{a, b, h.open(t, clk), h.open(t, clk)}
	attempts := make([]int, n)
	race(n, func(i int) {
		s := spec
		s.Name = "racing"
		r, err := stores[i].StartRun(ctx, s)
		if err != nil {
			// A deadlock victim retries inside StartRun, so every racer
			// gets a number; what must never happen is two rows with one.
			t.Errorf("racer %d: %v", i, err)
			return
		}
		attempts[i] = r.Attempt
	})
	seen := map[int]bool{}
	for _, at := range attempts {
		if at != 0 && seen[at] {
			t.Errorf("attempt %d recorded twice: %v", at, attempts)
		}
		seen[at] = true
	}
}

func testFinishRunOnce(t *testing.T, h harness) {
	ctx := context.Background()
	s := h.open(t, newClock())
	r, err := s.StartRun(ctx, RunSpec{Kind: "import", Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r.ID, "done", "", ""); err == nil {
		t.Errorf("finish with a bad status accepted")
	}
	if err := s.FinishRun(ctx, r.ID, RunSucceeded, "", "{not json"); err == nil {
		t.Errorf("finish with invalid stats accepted")
	}
	if err := s.FinishRun(ctx, r.ID, RunSucceeded, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r.ID, RunFailed, "late", ""); !errors.Is(err, ErrRunFinished) {
		t.Errorf("second finish: %v, want ErrRunFinished", err)
	}
	if err := s.FinishRun(ctx, 999999, RunFailed, "", ""); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("finish of a missing run: %v, want ErrRunNotFound", err)
	}
	runs, _ := s.ListRuns(ctx, RunFilter{})
	if len(runs) != 1 || runs[0].Status != RunSucceeded || runs[0].Error != "" {
		t.Errorf("after a refused second finish: %+v", runs)
	}
}

func testPruneRuns(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	s := h.open(t, clk)
	w := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	old, _ := s.StartRun(ctx, RunSpec{Kind: "pipeline", Name: "p", WindowStart: w, WindowEnd: w.Add(time.Hour)})
	s.FinishRun(ctx, old.ID, RunSucceeded, "", "")
	running, _ := s.StartRun(ctx, RunSpec{Kind: "pipeline", Name: "p", WindowStart: w.Add(time.Hour), WindowEnd: w.Add(2 * time.Hour)})
	clk.Add(48 * time.Hour)
	recent, _ := s.StartRun(ctx, RunSpec{Kind: "import", Name: "i", WindowStart: w, WindowEnd: w})
	s.FinishRun(ctx, recent.ID, RunFailed, "boom", "")
	n, err := s.PruneRuns(ctx, clk.Now().Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	left, err := s.ListRuns(ctx, RunFilter{})
	if err != nil || len(left) != 2 || left[0].ID != recent.ID || left[1].ID != running.ID {
		t.Fatalf("left %+v, %v", left, err)
	}
}
