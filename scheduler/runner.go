package scheduler

import (
	"context"

	"github.com/hetl/hetl/jobs"
)

// Runner does the work. The engine calls Run once per attempt, with a
// context that ends at the attempt timeout, when the run's lease is lost,
// or after the shutdown grace period; Run must return soon after it ends.
type Runner interface {
	// Run processes the schedule's window. The lease's fencing token is
	// LeaseToken(ctx): check it where the work publishes.
	Run(ctx context.Context, name string, w jobs.Window) (RunResult, error)
	// Stale lists windows of the schedule whose input changed after they
	// ran (late data); the engine re-runs them within the schedule's
	// StalePolicy. A runner with nothing to report returns nil.
	Stale(ctx context.Context, name string) ([]jobs.Window, error)
}

// RunResult is what an attempt reports.
type RunResult struct {
	// Rows the attempt read (an import's rows, a pipeline's input rows).
	Rows int64
	// Bytes the attempt published.
	Bytes int64
}

type tokenKey struct{}

// LeaseToken is the fencing token of the run lease Run was called under.
func LeaseToken(ctx context.Context) (int64, bool) {
	t, ok := ctx.Value(tokenKey{}).(int64)
	return t, ok
}

func withLeaseToken(ctx context.Context, token int64) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}
