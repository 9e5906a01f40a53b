package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// dispatch starts runnable windows, highest priority first, within the
// global and per-schedule limits and once their inputs are ready, and
// records on each one left waiting what holds it.
func (e *Engine) dispatch(ctx context.Context, open []Run, paused map[string]bool, now time.Time, wake *wakeAt) {
	running := 0
	perSchedule := map[string]int{}
	var cands []Run
	for _, r := range open {
		switch {
		case r.Status == StatusRunning:
			running++
			perSchedule[r.Key.Schedule]++
		case r.Status.Runnable() && e.specs[r.Key.Schedule] != nil && !paused[r.Key.Schedule]:
			cands = append(cands, r)
		}
	}
	slices.SortFunc(cands, byPriority)
	for _, r := range cands {
		if ctx.Err() != nil {
			return
		}
		sp := e.specs[r.Key.Schedule]
		var reason string
		switch {
		case r.NotBefore.After(now):
			reason = "retry backoff until " + r.NotBefore.Format(time.RFC3339)
			wake.at(r.NotBefore)
		case running >= e.opts.MaxConcurrent:
			reason = fmt.Sprintf("global limit: %d windows running", running)
		case perSchedule[sp.Name] >= sp.MaxConcurrent:
			reason = fmt.Sprintf("schedule limit: %d windows running", perSchedule[sp.Name])
		default:
			var fail error
			reason, fail = e.inputs(ctx, sp, r, now)
			if fail != nil {
				e.failNow(ctx, r, sp, fail, now)
				continue
			}
		}
		if reason != "" {
			if reason != r.Blocked {
				if err := e.store.SetBlocked(ctx, r.Key, reason); err != nil {
					e.log.Warn("record why a window waits", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
				}
			}
			continue
		}
		claimed, err := e.store.Claim(ctx, r.Key, e.opts.Holder, e.opts.RunLeaseTTL)
		if err != nil {
			if !errors.Is(err, ErrNotRunnable) {
				e.log.Warn("claim window", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
			}
			continue
		}
		running++
		perSchedule[sp.Name]++
		e.start(claimed, sp)
	}
}

// inputs asks each of the spec's inputs about the run's window. It returns
// why the window must wait ("" when all are ready), or the error failing
// it when a sensor gave up.
func (e *Engine) inputs(ctx context.Context, sp *Spec, r Run, now time.Time) (string, error) {
	for _, in := range sp.Inputs {
		ok, reason, err := in.Ready(ctx, r.Key.Window)
		if err != nil {
			e.log.Warn("check input", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
			return "checking inputs: " + err.Error(), nil
		}
		if ok {
			continue
		}
		if t, ok := in.(interface {
			timedOut(queued, now time.Time) error
		}); ok {
			if err := t.timedOut(r.Queued, now); err != nil {
				return "", err
			}
		}
		if reason == "" {
			reason = "waiting for an input"
		}
		return reason, nil
	}
	return "", nil
}

// failNow fails a waiting window for good (a sensor gave up): claimed and
// finished at once, so the failure is an attempt in its history.
func (e *Engine) failNow(ctx context.Context, r Run, sp *Spec, cause error, now time.Time) {
	claimed, err := e.store.Claim(ctx, r.Key, e.opts.Holder, e.opts.RunLeaseTTL)
	if err != nil {
		if !errors.Is(err, ErrNotRunnable) {
			e.log.Warn("claim window to fail it", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
		}
		return
	}
	c := e.completion(claimed, sp, StatusFailed, cause.Error(), 0, now, now, true)
	if _, err := e.store.Finish(ctx, c); err != nil {
		e.log.Warn("record failed window", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
		return
	}
	e.log.Warn("window failed", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", cause)
	e.metrics.attempt(sp.Name, StatusFailed, 0, RunResult{})
}

// completion ends the attempt of claimed run r with status, deciding what
// comes next: success is final; an interruption is runnable again without
// using the retry budget; a failure (or a lost attempt) retries after a
// backoff while attempts remain and final is false, else the window fails.
func (e *Engine) completion(r Run, sp *Spec, status RunStatus, msg string, rows int64, started, finished time.Time, final bool) Completion {
	c := Completion{
		Attempt: Attempt{Key: r.Key, Token: r.Token, Trigger: r.Trigger, Status: status, Started: started, Finished: finished, Rows: rows, Error: msg},
		Next:    status, Attempts: r.Attempts + 1,
	}
	switch status {
	case StatusSucceeded:
	case StatusInterrupted:
		c.Attempts = r.Attempts
	default:
		c.Next = StatusFailed
		if !final && c.Attempts < sp.Retry.MaxAttempts {
			c.Next = StatusPending
			c.NotBefore = finished.Add(sp.Retry.Delay(c.Attempts, e.rand()))
		}
	}
	return c
}
