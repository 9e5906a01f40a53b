package schedstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/metastore/schedstore"
	"github.com/hetl/hetl/scheduler"
)

// BenchmarkWindowLifecycle is the store's work for one window on SQLite:
// queue, claim, renew, finish (four transactions), then a pass's listing
// of open runs. It bounds how many windows a daemon can turn over.
func BenchmarkWindowLifecycle(b *testing.B) {
	ctx := context.Background()
	ms, err := metastore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "ms.db"), metastore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ms.Close()
	s := schedstore.New(ms)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	open := []scheduler.RunStatus{scheduler.StatusPending, scheduler.StatusRunning}
	b.ResetTimer()
	for i := range b.N {
		k := scheduler.RunKey{Schedule: "bench", Window: jobs.Window{Start: start.Add(time.Duration(i) * time.Hour)}}
		if _, err := s.Queue(ctx, k, scheduler.TriggerCron, true); err != nil {
			b.Fatal(err)
		}
		r, err := s.Claim(ctx, k, "a", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.RenewRun(ctx, k, r.Token, time.Minute); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Finish(ctx, scheduler.Completion{Attempt: scheduler.Attempt{Key: k, Token: r.Token, Status: scheduler.StatusSucceeded}, Next: scheduler.StatusSucceeded, Attempts: 1}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Runs(ctx, scheduler.RunFilter{Statuses: open}); err != nil {
			b.Fatal(err)
		}
	}
}
