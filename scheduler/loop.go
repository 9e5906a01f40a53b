package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hetl/hetl/jobs"
)

// wakeAt collects the earliest time the loop has something to do.
type wakeAt struct{ t time.Time }

func (w *wakeAt) at(t time.Time) {
	if !t.IsZero() && t.Before(w.t) {
		w.t = t
	}
}

// pass is one turn of the loop: lead, recover zombies, materialise due
// windows, queue stale ones, alert on SLAs, start what may start, prune.
// It returns when it wants to run again.
func (e *Engine) pass(ctx context.Context) time.Time {
	now := time.Now().UTC()
	e.mu.Lock()
	e.lastLoop = now
	e.mu.Unlock()
	wake := &wakeAt{t: now.Add(e.opts.Tick)}
	ctx, cancel := context.WithTimeout(ctx, e.opts.TickTimeout)
	defer cancel()

	leading, renew := e.lead(ctx, now)
	wake.at(renew)
	if !leading {
		return wake.t
	}
	paused := map[string]bool{}
	for _, name := range e.names {
		st, err := e.store.State(ctx, name)
		if err != nil {
			e.log.Warn("read schedule state", "job", name, "err", err)
			paused[name] = true // do nothing for it this pass
			continue
		}
		paused[name] = st.Paused
		if !st.Paused && e.Leading() {
			e.materialise(ctx, e.specs[name], st, now, wake)
		}
	}
	if !e.Leading() { // deposed while materialising
		return wake.t
	}
	e.staleReruns(ctx, now, paused, wake)
	open, err := e.store.Runs(ctx, RunFilter{Statuses: []RunStatus{StatusPending, StatusInterrupted, StatusRunning, StatusFailed}})
	if err != nil {
		e.log.Warn("list runs", "err", err)
		return wake.t
	}
	open = e.reclaimZombies(ctx, open, now, wake)
	e.checkSLAs(ctx, open, paused, now, wake)
	e.dispatch(ctx, open, paused, now, wake)
	e.prune(ctx, now, wake)
	e.updateLag(ctx, now)
	e.mu.Lock()
	if e.leader {
		e.lastTick = now
	}
	e.mu.Unlock()
	return wake.t
}

// materialise turns the schedule's windows that fell due since its cursor
// into runs: live ones (due since this engine's previous pass, or at the
// latest due time on its first) are queued, missed ones as the catch-up
// policy says, the rest recorded as skipped.
func (e *Engine) materialise(ctx context.Context, sp *Spec, st ScheduleState, now time.Time, wake *wakeAt) {
	s := sp.Schedule
	wake.at(s.NextDue(now))
	cursor := st.Cursor
	if cursor.IsZero() {
		cursor = sp.Start
		if cursor.IsZero() {
			cursor = now
			if last := s.LastDue(now); !last.IsZero() {
				cursor = last.Add(-time.Nanosecond)
			}
		}
	}
	var due []jobs.Window
	for _, w := range s.WindowsDue(cursor, now) {
		if !w.Start.Before(sp.Start) {
			due = append(due, w)
		}
	}
	if len(due) == 0 && !st.Cursor.IsZero() {
		return
	}
	e.mu.Lock()
	liveAfter, lease := e.lastTick, e.lease
	e.mu.Unlock()
	if liveAfter.IsZero() {
		liveAfter = s.LastDue(now).Add(-time.Nanosecond)
	}
	var live, missed []jobs.Window
	for _, w := range due {
		if s.Due(w).After(liveAfter) {
			live = append(live, w)
		} else {
			missed = append(missed, w)
		}
	}
	catchUp, skip := sp.CatchUp.Split(missed)
	runs := make([]Run, 0, len(due))
	add := func(ws []jobs.Window, status RunStatus, trigger Trigger, live bool) {
		for _, w := range ws {
			runs = append(runs, Run{Key: RunKey{sp.Name, w}, Status: status, Trigger: trigger, Live: live, Queued: now})
		}
	}
	add(live, StatusPending, TriggerCron, true)
	add(catchUp, StatusPending, TriggerCatchUp, false)
	add(skip, StatusSkipped, TriggerCatchUp, false)
	if err := e.store.Advance(ctx, lease, sp.Name, now, runs); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			e.depose(err)
			return
		}
		e.log.Warn("record due windows", "job", sp.Name, "windows", len(runs), "err", err)
		return
	}
	if len(missed) > 0 {
		e.log.Info("catching up on missed windows", "job", sp.Name, "missed", len(missed),
			"queued", len(catchUp), "skipped", len(skip), "policy", sp.CatchUp.String())
	}
	if len(skip) > 0 {
		e.metrics.skip(sp.Name, len(skip))
	}
}

// staleReruns asks the runner which windows saw late data and re-queues
// the newest of those that had succeeded, within each schedule's policy.
func (e *Engine) staleReruns(ctx context.Context, now time.Time, paused map[string]bool, wake *wakeAt) {
	for _, name := range e.names {
		sp := e.specs[name]
		if paused[name] || sp.Stale.MaxPerTick == 0 {
			continue
		}
		e.mu.Lock()
		last := e.lastStale[name]
		e.mu.Unlock()
		if next := last.Add(sp.Stale.Every); !last.IsZero() && now.Before(next) {
			wake.at(next)
			continue
		}
		e.mu.Lock()
		e.lastStale[name] = now
		e.mu.Unlock()
		wake.at(now.Add(sp.Stale.Every))
		ws, err := e.runner.Stale(ctx, name)
		if err != nil {
			e.log.Warn("list stale windows", "job", name, "err", err)
			continue
		}
		slices.SortFunc(ws, func(a, b jobs.Window) int { return b.Start.Compare(a.Start) })
		ws = slices.Compact(ws)
		n := 0
		for _, w := range ws {
			if n == sp.Stale.MaxPerTick {
				break
			}
			if sp.Stale.MaxAge > 0 && w.Start.Before(now.Add(-sp.Stale.MaxAge)) {
				break
			}
			_, err := e.store.Queue(ctx, RunKey{name, w}, TriggerStale, false, StatusSucceeded)
			switch {
			case err == nil:
				n++
				e.log.Info("re-running window for late data", "job", name, "partition", w.Partition())
			case errors.Is(err, ErrConflict), errors.Is(err, ErrRunning):
				// Not run yet, running, or failed: it will run or is
				// waiting for an operator anyway.
			default:
				e.log.Warn("queue stale window", "job", name, "partition", w.Partition(), "err", err)
			}
		}
	}
}

// reclaimZombies finds runs recorded as running whose lease expired (their
// process died) and retries them like a failed attempt (the attempt is
// recorded as lost). It returns open with those runs updated.
func (e *Engine) reclaimZombies(ctx context.Context, open []Run, now time.Time, wake *wakeAt) []Run {
	for i, r := range open {
		if r.Status != StatusRunning {
			continue
		}
		sp := e.specs[r.Key.Schedule]
		e.mu.Lock()
		_, mine := e.active[r.Key]
		e.mu.Unlock()
		if sp == nil || mine {
			continue
		}
		if r.LeaseUntil.After(now) {
			wake.at(r.LeaseUntil)
			continue
		}
		c := e.completion(r, sp, StatusLost, fmt.Sprintf("lease of %s expired at %s: its process died", r.Holder, r.LeaseUntil.Format(time.RFC3339)), 0, r.Started, now, false)
		nr, err := e.store.Reclaim(ctx, c)
		if err != nil {
			e.log.Warn("reclaim expired run", "job", r.Key.Schedule, "partition", r.Key.Window.Partition(), "err", err)
			continue
		}
		e.log.Warn("recovered a run whose process died", "job", r.Key.Schedule, "partition", r.Key.Window.Partition(),
			"holder", r.Holder, "next", nr.Status)
		e.metrics.attempt(r.Key.Schedule, StatusLost, now.Sub(r.Started), RunResult{})
		open[i] = nr
	}
	return open
}

// checkSLAs alerts once for every window past its end + SLA that has not
// succeeded.
func (e *Engine) checkSLAs(ctx context.Context, open []Run, paused map[string]bool, now time.Time, wake *wakeAt) {
	for _, r := range open {
		sp := e.specs[r.Key.Schedule]
		if sp == nil || sp.SLA == 0 || r.Alerted || paused[r.Key.Schedule] {
			continue
		}
		deadline := r.Key.Window.End().Add(sp.SLA)
		if now.Before(deadline) {
			wake.at(deadline)
			continue
		}
		changed, err := e.store.SetAlerted(ctx, r.Key, true)
		if err != nil || !changed {
			if err != nil {
				e.log.Warn("mark SLA alert", "job", r.Key.Schedule, "partition", r.Key.Window.Partition(), "err", err)
			}
			continue
		}
		a := Alert{
			Kind: AlertSLAMissed, Schedule: r.Key.Schedule, Window: r.Key.Window, Deadline: deadline, Status: r.Status, Error: r.Error,
			Message: fmt.Sprintf("%s window %s not done by %s (SLA %s): %s", r.Key.Schedule, r.Key.Window, deadline.Format(time.RFC3339), sp.SLA, r.Status),
		}
		if err := e.alerter.Alert(ctx, a); err != nil {
			e.log.Warn("send SLA alert; will try again", "job", r.Key.Schedule, "partition", r.Key.Window.Partition(), "err", err)
			e.metrics.alert(r.Key.Schedule, a.Kind, true)
			if _, err := e.store.SetAlerted(ctx, r.Key, false); err != nil {
				e.log.Warn("unmark SLA alert", "job", r.Key.Schedule, "err", err)
			}
			continue
		}
		e.metrics.alert(r.Key.Schedule, a.Kind, false)
	}
}

// prune drops run history past retention, every PruneEvery.
func (e *Engine) prune(ctx context.Context, now time.Time, wake *wakeAt) {
	e.mu.Lock()
	last := e.lastPrune
	e.mu.Unlock()
	if !last.IsZero() && now.Sub(last) < e.opts.PruneEvery {
		wake.at(last.Add(e.opts.PruneEvery))
		return
	}
	n, err := e.store.Prune(ctx, now.Add(-e.opts.Retention))
	if err != nil {
		e.log.Warn("prune run history", "err", err)
		return
	}
	e.mu.Lock()
	e.lastPrune = now
	e.mu.Unlock()
	if n > 0 {
		e.log.Info("pruned run history", "runs", n, "older_than", now.Add(-e.opts.Retention))
	}
}

// updateLag sets each schedule's lag gauge.
func (e *Engine) updateLag(ctx context.Context, now time.Time) {
	for _, name := range e.names {
		done, err := e.lastDone(ctx, name)
		if err != nil || done.Start.IsZero() {
			continue
		}
		e.metrics.setLag(name, now.Sub(done.End()))
	}
}

// lastDone is the schedule's newest succeeded window (zero when none).
func (e *Engine) lastDone(ctx context.Context, name string) (jobs.Window, error) {
	rs, err := e.store.Runs(ctx, RunFilter{Schedule: name, Statuses: []RunStatus{StatusSucceeded}, Newest: true, Limit: 1})
	if err != nil || len(rs) == 0 {
		return jobs.Window{}, err
	}
	return rs[0].Key.Window, nil
}

// byPriority orders runnable runs: live before catch-up, backfill and
// stale re-runs, then oldest window first.
func byPriority(a, b Run) int {
	if a.Live != b.Live {
		if a.Live {
			return -1
		}
		return 1
	}
	return cmp.Or(a.Key.Window.Start.Compare(b.Key.Window.Start), cmp.Compare(a.Key.Schedule, b.Key.Schedule))
}
