package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var errLeaseLost = errors.New("run lease lost")

// start runs a claimed window in its own goroutine.
func (e *Engine) start(r Run, sp *Spec) {
	ctx, cancel := context.WithCancelCause(e.workBase)
	e.mu.Lock()
	e.active[r.Key] = cancel
	e.mu.Unlock()
	e.wg.Add(1)
	e.metrics.addRunning(sp.Name, 1)
	e.log.Info("starting window", "job", sp.Name, "partition", r.Key.Window.Partition(), "attempt", r.Attempts+1,
		"trigger", r.Trigger, "token", r.Token)
	go func() {
		defer e.wg.Done()
		defer e.poke()
		defer e.metrics.addRunning(sp.Name, -1)
		defer func() {
			e.mu.Lock()
			delete(e.active, r.Key)
			e.mu.Unlock()
			cancel(nil)
		}()
		e.execute(ctx, cancel, r, sp)
	}()
}

type outcome struct {
	res RunResult
	err error
}

// execute runs one attempt under its lease: it renews the lease while the
// runner works, cancels the work when the attempt times out or the lease
// is lost, and records the outcome unless the lease was lost (then the
// window is no longer this engine's to record).
func (e *Engine) execute(ctx context.Context, cancel context.CancelCauseFunc, r Run, sp *Spec) {
	work := withLeaseToken(ctx, r.Token)
	if to := sp.Retry.AttemptTimeout; to > 0 {
		var stop context.CancelFunc
		work, stop = context.WithTimeoutCause(work, to, fmt.Errorf("%w after %s", ErrAttemptTimeout, to))
		defer stop()
	}
	started := time.Now().UTC()
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("runner panicked: %v", p)}
			}
		}()
		res, err := e.runner.Run(work, sp.Name, r.Key.Window)
		done <- outcome{res, err}
	}()

	ttl := e.opts.RunLeaseTTL
	renew := time.NewTicker(ttl / 3)
	defer renew.Stop()
	until, lost := r.LeaseUntil, false
	var out outcome
wait:
	for {
		select {
		case out = <-done:
			break wait
		case <-renew.C:
			if lost {
				continue
			}
			sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), ttl/3)
			nr, err := e.store.RenewRun(sctx, r.Key, r.Token, ttl)
			scancel()
			switch {
			case err == nil:
				until = nr.LeaseUntil
			case errors.Is(err, ErrLeaseLost) || !time.Now().Add(ttl/3).Before(until):
				// Lost, or it would expire before the next renewal: stop
				// the work now, before another engine may reclaim it.
				lost = true
				e.log.Error("lost the window's lease; cancelling its work", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
				cancel(fmt.Errorf("%w: %w", errLeaseLost, err))
			default:
				e.log.Warn("renew window lease", "job", sp.Name, "partition", r.Key.Window.Partition(), "err", err)
			}
		}
	}
	finished := time.Now().UTC()
	took := finished.Sub(started)
	log := e.log.With("job", sp.Name, "partition", r.Key.Window.Partition(), "took", took)
	if lost {
		e.metrics.attempt(sp.Name, StatusLost, took, RunResult{})
		return
	}
	status, msg := StatusSucceeded, ""
	switch {
	case out.err == nil:
	case e.interrupted.Load() && errors.Is(context.Cause(ctx), errShutdown):
		status, msg = StatusInterrupted, "interrupted by shutdown: "+out.err.Error()
	case errors.Is(context.Cause(work), ErrAttemptTimeout):
		status, msg = StatusFailed, context.Cause(work).Error()+": "+out.err.Error()
	default:
		status, msg = StatusFailed, out.err.Error()
	}
	c := e.completion(r, sp, status, msg, out.res.Rows, started, finished, false)
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.TickTimeout)
	defer scancel()
	if _, err := e.store.Finish(sctx, c); err != nil {
		// The lease will expire and the window be retried as lost.
		log.Error("record attempt", "status", status, "err", err)
		return
	}
	e.metrics.attempt(sp.Name, status, took, out.res)
	switch c.Next {
	case StatusSucceeded:
		log.Info("window succeeded", "rows", out.res.Rows)
	case StatusPending:
		log.Warn("window failed; will retry", "attempt", c.Attempts, "retry_at", c.NotBefore, "err", msg)
	case StatusInterrupted:
		log.Warn("window interrupted; it will run again", "err", msg)
	default:
		log.Error("window failed", "attempts", c.Attempts, "err", msg)
	}
}
