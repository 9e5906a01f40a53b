package metastore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func testJobs(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	s := h.open(t, clk)
	j := Job{Name: "events-hourly", Kind: "import", Spec: `{"table":"events","password_file":"/run/secrets/pw"}`}
	if err := s.SaveJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveJob(ctx, j); !errors.Is(err, ErrJobExists) {
		t.Errorf("second save: %v, want ErrJobExists", err)
	}
	if err := s.SaveJob(ctx, Job{Name: "bad", Kind: "import", Spec: "{"}); err == nil {
		t.Errorf("a spec that is not JSON was accepted")
	}
	clk.Add(time.Second)
	if err := s.SaveJob(ctx, Job{Name: "a-first", Kind: "import", Spec: "{}"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Job(ctx, j.Name)
	if err != nil || got.Spec != j.Spec || got.Kind != "import" {
		t.Fatalf("Job = %+v, %v", got, err)
	}
	if !got.CreatedAt.Equal(newClock().Now()) || got.CreatedAt.Location() != time.UTC || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("times = %v / %v, want %v in UTC", got.CreatedAt, got.UpdatedAt, newClock().Now())
	}
	list, err := s.ListJobs(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "a-first" || list[1].Name != j.Name {
		t.Fatalf("ListJobs = %+v, %v", list, err)
	}
	if err := s.DeleteJob(ctx, j.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Job(ctx, j.Name); !errors.Is(err, ErrJobNotFound) {
		t.Errorf("Job after delete: %v", err)
	}
	if err := s.DeleteJob(ctx, j.Name); !errors.Is(err, ErrJobNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if err := s.SaveJob(ctx, j); err != nil {
		t.Errorf("save after delete: %v", err)
	}
}

// testConcurrentSaveJob: of processes saving one name at once, one wins
// and the others get ErrJobExists, not a driver error.
func testConcurrentSaveJob(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	const n = 5
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = h.open(t, clk)
	}
	errs := make([]error, n)
	race(n, func(i int) {
		errs[i] = stores[i].SaveJob(ctx, Job{Name: "nightly", Kind: "import", Spec: fmt.Sprintf(`{"by":%d}`, i)})
	})
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrJobExists):
			t.Errorf("saver %d: %v, want nil or ErrJobExists", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d saves won, want 1", wins)
	}
}
