package scheduler

import (
	"context"
	"errors"
	"time"
)

// lead makes sure this engine leads before it schedules: it renews the
// leader lease once a third of its life is gone, or tries to take it. It
// reports whether the engine leads and when it wants to be woken to renew
// or try again.
func (e *Engine) lead(ctx context.Context, now time.Time) (bool, time.Time) {
	ttl := e.opts.LeaderTTL
	e.mu.Lock()
	lease, leader := e.lease, e.leader
	e.mu.Unlock()
	if leader {
		renewAt := lease.Until.Add(-2 * ttl / 3)
		if now.Before(renewAt) {
			return true, renewAt
		}
		l, err := e.store.RenewLease(ctx, lease, ttl)
		if err == nil {
			e.mu.Lock()
			e.lease = l
			e.mu.Unlock()
			return true, l.Until.Add(-2 * ttl / 3)
		}
		if !errors.Is(err, ErrLeaseLost) && now.Before(lease.Until) {
			e.log.Warn("renew leader lease; still leading until it expires", "err", err, "until", lease.Until)
			return true, now.Add(ttl / 10)
		}
		e.depose(err)
		return false, now.Add(e.opts.Tick)
	}
	l, err := e.store.AcquireLease(ctx, e.opts.LeaseName, e.opts.Holder, ttl)
	if err != nil {
		if !errors.Is(err, ErrLeaseHeld) {
			e.log.Warn("take leader lease", "err", err)
		}
		return false, now.Add(min(e.opts.Tick, ttl/2))
	}
	e.log.Info("leading", "token", l.Token, "until", l.Until)
	e.mu.Lock()
	e.lease, e.leader, e.lastTick = l, true, time.Time{}
	e.mu.Unlock()
	e.metrics.setLeader(true)
	return true, l.Until.Add(-2 * ttl / 3)
}

// depose makes the engine a standby after it lost the leader lease.
func (e *Engine) depose(err error) {
	e.log.Warn("lost the leader lease; standing by", "err", err)
	e.mu.Lock()
	e.leader, e.lastTick = false, time.Time{}
	e.mu.Unlock()
	e.metrics.setLeader(false)
}

// Leading reports whether this engine holds the leader lease (as far as
// it last knew).
func (e *Engine) Leading() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.leader
}
