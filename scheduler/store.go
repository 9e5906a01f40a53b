package scheduler

import (
	"context"
	"time"
)

// Store persists what the scheduler knows: per-schedule state, runs and
// their attempts, and leases. Every method is atomic on its own; several
// engines (daemons) may share one store. The store stamps lease expiries
// and Updated with its own clock, so processes sharing a store need
// synchronised clocks. MemStore is the reference implementation and
// storetest.Run the conformance suite every implementation must pass.
type Store interface {
	// State is a schedule's state; a schedule never seen has the zero
	// state with Name set.
	State(ctx context.Context, name string) (ScheduleState, error)
	// SetPaused sets a schedule's paused flag.
	SetPaused(ctx context.Context, name string, paused bool) error
	// Advance adds runs whose keys are not present yet (present ones are
	// left alone), and moves the schedule's cursor forward to cursor (never
	// back), in one transaction fenced by the leader lease: ErrLeaseLost
	// unless leader is the current, unexpired holding of its lease.
	Advance(ctx context.Context, leader Lease, name string, cursor time.Time, runs []Run) error

	// AcquireLease takes the named lease for ttl. ErrLeaseHeld when another
	// holder has it unexpired. Each success has a token greater than any
	// before it for that name, also when the holder re-acquires.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error)
	// RenewLease extends a lease; ErrLeaseLost when its token is no longer
	// current or it expired.
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease gives a lease up; releasing a lost lease is no error.
	ReleaseLease(ctx context.Context, l Lease) error

	// Run is one run; ErrNotFound when absent.
	Run(ctx context.Context, key RunKey) (Run, error)
	// Runs lists the runs f selects, in window order (then schedule name).
	Runs(ctx context.Context, f RunFilter) ([]Run, error)
	// Attempts is a run's attempt history, oldest first.
	Attempts(ctx context.Context, key RunKey) ([]Attempt, error)
	// Queue makes a run pending (creating it when absent): trigger and live
	// as given, Queued now, no backoff, a fresh retry budget, Blocked
	// cleared; a stale trigger counts a stale re-run. ErrRunning when the
	// run is running; ErrConflict when from is not empty and the run's
	// status (or "absent", the empty status) is not in it.
	Queue(ctx context.Context, key RunKey, trigger Trigger, live bool, from ...RunStatus) (Run, error)
	// Claim starts an attempt: a pending or interrupted run becomes running
	// under holder with a new fencing token and a lease of ttl, Seq is
	// incremented and Started stamped. ErrNotRunnable otherwise (ErrRunning
	// when it is running).
	Claim(ctx context.Context, key RunKey, holder string, ttl time.Duration) (Run, error)
	// RenewRun extends a running run's lease; ErrLeaseLost unless it is
	// running under token. A lease that expired but was not reclaimed may
	// still be renewed: nobody else ran the window meanwhile.
	RenewRun(ctx context.Context, key RunKey, token int64, ttl time.Duration) (Run, error)
	// Finish records c.Attempt and moves the run to c.Next; ErrLeaseLost
	// unless the run is running under c.Attempt.Token.
	Finish(ctx context.Context, c Completion) (Run, error)
	// Reclaim is Finish for a run whose holder died: it also requires the
	// lease to have expired (ErrLeaseHeld otherwise).
	Reclaim(ctx context.Context, c Completion) (Run, error)
	// SetBlocked records why a runnable run waits ("" when nothing holds it).
	SetBlocked(ctx context.Context, key RunKey, reason string) error
	// SetAlerted sets the SLA-alert flag; changed is false when it already
	// had that value, so of several engines only one sends an alert.
	SetAlerted(ctx context.Context, key RunKey, alerted bool) (changed bool, err error)
	// Prune deletes final runs (and their attempts) last updated before
	// before, and says how many runs went.
	Prune(ctx context.Context, before time.Time) (int, error)
}
