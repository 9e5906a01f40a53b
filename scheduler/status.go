package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/hetl/hetl/jobs"
)

// Status is the engine's view of its schedules.
type Status struct {
	// Leading: this engine holds the leader lease.
	Leading   bool
	Schedules []ScheduleStatus
}

// ScheduleStatus is one schedule's state.
type ScheduleStatus struct {
	Name    string
	Expr    string
	Zone    string
	CatchUp string
	Paused  bool
	// NextFiring is the cron's next firing, in the schedule's zone;
	// NextDue when the next window becomes due (later with lateness).
	NextFiring time.Time
	NextDue    time.Time
	// LastDone is the newest succeeded window (zero Start when none) and
	// Lag is now minus its end.
	LastDone jobs.Window
	Lag      time.Duration
	Running  []jobs.Window
	Failed   []jobs.Window
	// Waiting are the runnable windows not running, with what holds each.
	Waiting []Waiting
}

// Waiting is a window that could run but does not, and why.
type Waiting struct {
	Window jobs.Window
	Reason string
}

// Status reads every schedule's state from the store.
func (e *Engine) Status(ctx context.Context) (Status, error) {
	now := time.Now().UTC()
	out := Status{Leading: e.Leading()}
	for _, name := range e.names {
		sp := e.specs[name]
		st, err := e.store.State(ctx, name)
		if err != nil {
			return out, fmt.Errorf("status %s: %w", name, err)
		}
		ss := ScheduleStatus{
			Name: name, Expr: sp.Schedule.String(), Zone: sp.Schedule.Location().String(), CatchUp: sp.CatchUp.String(),
			Paused: st.Paused, NextFiring: sp.Schedule.NextFiring(now), NextDue: sp.Schedule.NextDue(now).In(sp.Schedule.Location()),
		}
		if ss.LastDone, err = e.lastDone(ctx, name); err != nil {
			return out, fmt.Errorf("status %s: %w", name, err)
		}
		if !ss.LastDone.Start.IsZero() {
			ss.Lag = now.Sub(ss.LastDone.End())
		}
		open, err := e.store.Runs(ctx, RunFilter{Schedule: name, Statuses: []RunStatus{StatusPending, StatusInterrupted, StatusRunning, StatusFailed}})
		if err != nil {
			return out, fmt.Errorf("status %s: %w", name, err)
		}
		for _, r := range open {
			switch r.Status {
			case StatusRunning:
				ss.Running = append(ss.Running, r.Key.Window)
			case StatusFailed:
				ss.Failed = append(ss.Failed, r.Key.Window)
			default:
				ss.Waiting = append(ss.Waiting, Waiting{Window: r.Key.Window, Reason: waitReason(r, st, now)})
			}
		}
		out.Schedules = append(out.Schedules, ss)
	}
	return out, nil
}

func waitReason(r Run, st ScheduleState, now time.Time) string {
	switch {
	case st.Paused:
		return "schedule paused"
	case r.NotBefore.After(now):
		return "retry backoff until " + r.NotBefore.Format(time.RFC3339)
	case r.Blocked != "":
		return r.Blocked
	case r.Status == StatusInterrupted:
		return "interrupted; queued to run again"
	}
	return "queued"
}
