package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MemStore is a Store in memory: the reference semantics for SQL stores
// and the store of tests. Several engines may share one. Its clock is
// time.Now unless Now is set before first use.
type MemStore struct {
	Now func() time.Time

	mu       sync.Mutex
	states   map[string]ScheduleState
	leases   map[string]Lease
	runs     map[RunKey]Run
	attempts map[RunKey][]Attempt
	token    int64 // run tokens; lease tokens grow per lease name
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		states:   map[string]ScheduleState{},
		leases:   map[string]Lease{},
		runs:     map[RunKey]Run{},
		attempts: map[RunKey][]Attempt{},
	}
}

func (m *MemStore) now() time.Time {
	if m.Now != nil {
		return m.Now().UTC()
	}
	return time.Now().UTC()
}

func (m *MemStore) State(ctx context.Context, name string) (ScheduleState, error) {
	if err := ctx.Err(); err != nil {
		return ScheduleState{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.states[name]
	if !ok {
		st.Name = name
	}
	return st, nil
}

func (m *MemStore) SetPaused(ctx context.Context, name string, paused bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.states[name]
	st.Name, st.Paused = name, paused
	m.states[name] = st
	return nil
}

func (m *MemStore) Advance(ctx context.Context, leader Lease, name string, cursor time.Time, runs []Run) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkFence(leader); err != nil {
		return err
	}
	now := m.now()
	for _, r := range runs {
		if _, ok := m.runs[r.Key]; ok {
			continue
		}
		r.Updated = now
		if r.Queued.IsZero() {
			r.Queued = now
		}
		m.runs[r.Key] = r
	}
	st := m.states[name]
	st.Name = name
	if cursor.After(st.Cursor) {
		st.Cursor = cursor.UTC()
	}
	m.states[name] = st
	return nil
}

func (m *MemStore) checkFence(l Lease) error {
	cur := m.leases[l.Name]
	if cur.Token != l.Token || cur.Holder == "" || !cur.Until.After(m.now()) {
		return fmt.Errorf("lease %s (token %d, current %d): %w", l.Name, l.Token, cur.Token, ErrLeaseLost)
	}
	return nil
}

func (m *MemStore) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return Lease{}, err
	}
	if name == "" || holder == "" || ttl <= 0 {
		return Lease{}, fmt.Errorf("%w: a lease needs a name, a holder and a positive ttl", ErrBadOptions)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	cur := m.leases[name]
	if cur.Holder != "" && cur.Holder != holder && cur.Until.After(now) {
		return Lease{}, fmt.Errorf("lease %s: %w: %s until %s", name, ErrLeaseHeld, cur.Holder, cur.Until.Format(time.RFC3339))
	}
	l := Lease{Name: name, Holder: holder, Token: cur.Token + 1, Until: now.Add(ttl)}
	m.leases[name] = l
	return l, nil
}

func (m *MemStore) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return l, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.checkFence(l); err != nil {
		return l, err
	}
	l.Until = m.now().Add(ttl)
	m.leases[l.Name] = l
	return l, nil
}

func (m *MemStore) ReleaseLease(ctx context.Context, l Lease) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.leases[l.Name]; cur.Token == l.Token {
		m.leases[l.Name] = Lease{Name: l.Name, Token: cur.Token}
	}
	return nil
}

func (m *MemStore) Run(ctx context.Context, key RunKey) (Run, error) {
	if err := ctx.Err(); err != nil {
		return Run{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[key]
	if !ok {
		return Run{}, fmt.Errorf("run %s: %w", key, ErrNotFound)
	}
	return r, nil
}

func (m *MemStore) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	var sel []*Run
	for k := range m.runs {
		if r := m.runs[k]; f.Match(r) {
			sel = append(sel, &r)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(sel, func(a, b *Run) int {
		c := a.Key.Window.Start.Compare(b.Key.Window.Start)
		if f.Newest {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Key.Schedule, b.Key.Schedule))
	})
	if f.Limit > 0 && len(sel) > f.Limit {
		sel = sel[:f.Limit]
	}
	out := make([]Run, len(sel))
	for i, r := range sel {
		out[i] = *r
	}
	return out, nil
}

func (m *MemStore) Attempts(ctx context.Context, key RunKey) ([]Attempt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.attempts[key]), nil
}

func (m *MemStore) Queue(ctx context.Context, key RunKey, trigger Trigger, live bool, from ...RunStatus) (Run, error) {
	if err := ctx.Err(); err != nil {
		return Run{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[key]
	if ok && r.Status == StatusRunning {
		return r, fmt.Errorf("queue %s: %w", key, ErrRunning)
	}
	if len(from) > 0 && !slices.Contains(from, r.Status) {
		status := string(r.Status)
		if !ok {
			status = "absent"
		}
		return r, fmt.Errorf("queue %s: %w: it is %s", key, ErrConflict, status)
	}
	now := m.now()
	r.Key = key
	r.Status, r.Trigger, r.Live = StatusPending, trigger, live
	r.Queued, r.NotBefore, r.Attempts, r.Blocked = now, time.Time{}, 0, ""
	if trigger == TriggerStale {
		r.StaleReruns++
	}
	r.Updated = now
	m.runs[key] = r
	return r, nil
}

func (m *MemStore) Claim(ctx context.Context, key RunKey, holder string, ttl time.Duration) (Run, error) {
	if err := ctx.Err(); err != nil {
		return Run{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[key]
	switch {
	case !ok:
		return Run{}, fmt.Errorf("claim %s: %w", key, ErrNotFound)
	case r.Status == StatusRunning:
		return r, fmt.Errorf("claim %s: %w: %w (held by %s)", key, ErrNotRunnable, ErrRunning, r.Holder)
	case !r.Status.Runnable():
		return r, fmt.Errorf("claim %s: %w: it is %s", key, ErrNotRunnable, r.Status)
	}
	now := m.now()
	m.token++
	r.Status, r.Holder, r.Token, r.LeaseUntil = StatusRunning, holder, m.token, now.Add(ttl)
	r.Seq++
	r.Started, r.Finished, r.Blocked, r.Updated = now, time.Time{}, "", now
	m.runs[key] = r
	return r, nil
}

func (m *MemStore) RenewRun(ctx context.Context, key RunKey, token int64, ttl time.Duration) (Run, error) {
	if err := ctx.Err(); err != nil {
		return Run{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := m.held(key, token)
	if err != nil {
		return r, err
	}
	r.LeaseUntil = m.now().Add(ttl)
	m.runs[key] = r
	return r, nil
}

// held is the run when it is running under token.
func (m *MemStore) held(key RunKey, token int64) (Run, error) {
	r, ok := m.runs[key]
	if !ok || r.Status != StatusRunning || r.Token != token {
		return r, fmt.Errorf("run %s (token %d, current %d, %s): %w", key, token, r.Token, r.Status, ErrLeaseLost)
	}
	return r, nil
}

func (m *MemStore) Finish(ctx context.Context, c Completion) (Run, error) {
	return m.finish(ctx, c, false)
}

func (m *MemStore) Reclaim(ctx context.Context, c Completion) (Run, error) {
	return m.finish(ctx, c, true)
}

func (m *MemStore) finish(ctx context.Context, c Completion, expired bool) (Run, error) {
	if err := ctx.Err(); err != nil {
		return Run{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := c.Attempt
	r, err := m.held(a.Key, a.Token)
	if err != nil {
		return r, err
	}
	now := m.now()
	if expired && r.LeaseUntil.After(now) {
		return r, fmt.Errorf("reclaim %s: %w: %s until %s", a.Key, ErrLeaseHeld, r.Holder, r.LeaseUntil.Format(time.RFC3339))
	}
	a.Seq, a.Holder = r.Seq, r.Holder
	if a.Trigger == "" {
		a.Trigger = r.Trigger
	}
	if a.Started.IsZero() {
		a.Started = r.Started
	}
	m.attempts[a.Key] = append(m.attempts[a.Key], a)
	r.Status, r.NotBefore, r.Attempts = c.Next, c.NotBefore, c.Attempts
	r.Holder, r.LeaseUntil = "", time.Time{}
	r.Finished, r.Rows, r.Error = a.Finished, a.Rows, a.Error
	r.Updated = now
	m.runs[a.Key] = r
	return r, nil
}

func (m *MemStore) SetBlocked(ctx context.Context, key RunKey, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[key]
	if !ok {
		return fmt.Errorf("run %s: %w", key, ErrNotFound)
	}
	if r.Status.Runnable() {
		r.Blocked = reason
		m.runs[key] = r
	}
	return nil
}

func (m *MemStore) SetAlerted(ctx context.Context, key RunKey, alerted bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[key]
	if !ok {
		return false, fmt.Errorf("run %s: %w", key, ErrNotFound)
	}
	if r.Alerted == alerted {
		return false, nil
	}
	r.Alerted = alerted
	m.runs[key] = r
	return true, nil
}

func (m *MemStore) Prune(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, r := range m.runs {
		if r.Status.Final() && r.Updated.Before(before) {
			delete(m.runs, k)
			delete(m.attempts, k)
			n++
		}
	}
	return n, nil
}
