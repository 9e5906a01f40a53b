package scheduler

import (
	"time"

	"github.com/hetl/hetl/jobs"
)

// RunKey names one run: a schedule's window. There is at most one run per
// key; re-runs reuse it and add attempts.
type RunKey struct {
	Schedule string
	Window   jobs.Window
}

func (k RunKey) String() string { return k.Schedule + "@" + k.Window.String() }

// RunStatus is where a run stands.
type RunStatus string

// Run statuses. Pending and Interrupted runs are runnable; Succeeded,
// Failed and Skipped are final until a Trigger, Retry or stale re-run.
// Lost only ever appears on an attempt: its process died holding the lease.
const (
	StatusPending     RunStatus = "pending"
	StatusRunning     RunStatus = "running"
	StatusSucceeded   RunStatus = "succeeded"
	StatusFailed      RunStatus = "failed"
	StatusSkipped     RunStatus = "skipped"
	StatusInterrupted RunStatus = "interrupted"
	StatusLost        RunStatus = "lost"
)

// Runnable reports whether a run in this status may be claimed.
func (s RunStatus) Runnable() bool { return s == StatusPending || s == StatusInterrupted }

// Final reports whether a run in this status waits for nothing.
func (s RunStatus) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusSkipped
}

// Trigger says why a run was (last) queued.
type Trigger string

// Triggers.
const (
	TriggerCron    Trigger = "cron"    // the window became due while the engine ran
	TriggerCatchUp Trigger = "catchup" // the window became due while no engine ran (or paused)
	TriggerManual  Trigger = "manual"  // Engine.Trigger
	TriggerRetry   Trigger = "retry"   // Engine.Retry after the window failed
	TriggerStale   Trigger = "stale"   // the runner reported its input changed
)

// Run is the state of one (schedule, window). Times are UTC.
type Run struct {
	Key     RunKey
	Status  RunStatus
	Trigger Trigger
	// Live runs were due in the engine's current tick (or were triggered by
	// hand); they are started before catch-up, backfill and stale re-runs.
	Live bool
	// Queued is when the run last became pending: sensor timeouts count
	// from it.
	Queued time.Time
	// NotBefore holds a pending run back (retry backoff).
	NotBefore time.Time
	// Attempts counts attempts against the retry budget since the run was
	// last queued; Seq numbers every attempt ever made, so attempt history
	// survives re-runs.
	Attempts int
	Seq      int
	// Holder, Token and LeaseUntil are the run's lease while it runs.
	Holder     string
	Token      int64
	LeaseUntil time.Time
	// Started and Finished are the latest attempt's; Rows and Error its
	// result.
	Started  time.Time
	Finished time.Time
	Rows     int64
	Error    string
	// Blocked says why a runnable run is not running (an input, backoff,
	// a concurrency limit); empty when nothing holds it.
	Blocked string
	// Alerted is set once the window's SLA alert went out.
	Alerted bool
	// StaleReruns counts re-runs for late data.
	StaleReruns int
	// Updated is the last change; retention prunes by it.
	Updated time.Time
}

// Attempt is one try at a run.
type Attempt struct {
	Key      RunKey
	Seq      int
	Token    int64
	Holder   string
	Trigger  Trigger
	Status   RunStatus // succeeded, failed, interrupted or lost
	Started  time.Time
	Finished time.Time
	Rows     int64
	Error    string
}

// Completion ends the attempt a claim started and says what happens to the
// run next.
type Completion struct {
	Attempt Attempt
	// Next is the run's status afterwards: succeeded, failed (retries
	// exhausted), pending (retry after NotBefore) or interrupted.
	Next      RunStatus
	NotBefore time.Time
	// Attempts is the run's retry-budget count afterwards.
	Attempts int
}

// RunFilter selects runs. Zero fields match everything.
type RunFilter struct {
	Schedule string
	Statuses []RunStatus
	// From and To bound window starts: From <= start < To.
	From, To time.Time
	// Newest orders newest window first (default oldest first); Limit
	// caps the count after ordering.
	Newest bool
	Limit  int
}

// Match reports whether r passes the filter (ignoring order and limit).
func (f RunFilter) Match(r Run) bool {
	if f.Schedule != "" && r.Key.Schedule != f.Schedule {
		return false
	}
	if len(f.Statuses) > 0 {
		ok := false
		for _, s := range f.Statuses {
			ok = ok || r.Status == s
		}
		if !ok {
			return false
		}
	}
	if !f.From.IsZero() && r.Key.Window.Start.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && !r.Key.Window.Start.Before(f.To) {
		return false
	}
	return true
}

// ScheduleState is what the store keeps per schedule.
type ScheduleState struct {
	Name string
	// Cursor: every window due at or before it has a run (or was skipped).
	// Zero means the schedule never ticked.
	Cursor time.Time
	Paused bool
}

// Lease is the right to act until Until; Token is its fencing token, which
// grows with every acquisition.
type Lease struct {
	Name   string
	Holder string
	Token  int64
	Until  time.Time
}
