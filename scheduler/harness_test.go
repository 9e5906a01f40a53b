package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hetl/hetl/jobs"
)

// call is one Runner.Run seen by fakeRunner.
type call struct {
	Name       string
	Window     jobs.Window
	Start, End time.Time
	Err        error
	Token      int64
}

// fakeRunner records calls and fails the test when one window runs twice
// at once. do decides each call's outcome (nil: succeed at once).
type fakeRunner struct {
	t     *testing.T
	do    func(ctx context.Context, name string, w jobs.Window) (RunResult, error)
	stale func(name string) []jobs.Window

	mu      sync.Mutex
	calls   []call
	active  map[RunKey]int
	overlap int
}

func newRunner(t *testing.T) *fakeRunner { return &fakeRunner{t: t, active: map[RunKey]int{}} }

func (f *fakeRunner) Run(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
	k := RunKey{name, w}
	tok, _ := LeaseToken(ctx)
	f.mu.Lock()
	f.active[k]++
	if f.active[k] > 1 {
		f.overlap++
		f.t.Errorf("%s runs %d times at once", k, f.active[k])
	}
	f.mu.Unlock()
	start := time.Now().UTC()
	res, err := RunResult{Rows: 10}, error(nil)
	if f.do != nil {
		res, err = f.do(ctx, name, w)
	}
	f.mu.Lock()
	f.active[k]--
	f.calls = append(f.calls, call{name, w, start, time.Now().UTC(), err, tok})
	f.mu.Unlock()
	return res, err
}

func (f *fakeRunner) Stale(ctx context.Context, name string) ([]jobs.Window, error) {
	if f.stale == nil {
		return nil, nil
	}
	return f.stale(name), nil
}

func (f *fakeRunner) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// windowsRun counts calls per window of a schedule.
func (f *fakeRunner) windowsRun(name string) map[time.Time]int {
	out := map[time.Time]int{}
	for _, c := range f.Calls() {
		if c.Name == name {
			out[c.Window.Start]++
		}
	}
	return out
}

// testOptions are fast, deterministic options.
func testOptions(holder string) Options {
	o := DefaultOptions()
	o.Holder = holder
	o.Tick = time.Minute
	o.Logger = slog.New(slog.DiscardHandler)
	o.Rand = func() float64 { return 0.5 }
	return o
}

func testSpec(name, expr, zone string) Spec {
	sp := NewSpec(name, MustParse(expr, zone, 0))
	sp.Retry.Backoff = time.Minute
	return sp
}

// started is a running engine inside a synctest bubble.
type started struct {
	*Engine
	cancel context.CancelFunc
	done   chan error
}

func startEngine(t *testing.T, store Store, r Runner, specs []Spec, opts Options) *started {
	t.Helper()
	e, err := New(store, r, specs, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{Engine: e, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- e.Run(ctx) }()
	return s
}

// stop cancels the engine and waits for Run to return.
func (s *started) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	if err := <-s.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// sleepUntil moves the bubble's clock to t (2000-01-01 at the start).
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

func runsOf(t *testing.T, s Store, f RunFilter) []Run {
	t.Helper()
	rs, err := s.Runs(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func statuses(rs []Run) map[time.Time]RunStatus {
	out := map[time.Time]RunStatus{}
	for _, r := range rs {
		out[r.Key.Window.Start] = r.Status
	}
	return out
}

func hours(from string, n int) []time.Time {
	var out []time.Time
	for i := range n {
		out = append(out, utc(from).Add(time.Duration(i)*time.Hour))
	}
	return out
}

// flakyStore fails every call while down, as a store behind a partition.
type flakyStore struct {
	Store
	down atomic.Bool
}

var errDown = errors.New("store unreachable")

func (f *flakyStore) check() error {
	if f.down.Load() {
		return errDown
	}
	return nil
}

func (f *flakyStore) State(ctx context.Context, n string) (ScheduleState, error) {
	if err := f.check(); err != nil {
		return ScheduleState{}, err
	}
	return f.Store.State(ctx, n)
}
func (f *flakyStore) Advance(ctx context.Context, l Lease, n string, c time.Time, rs []Run) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.Advance(ctx, l, n, c, rs)
}
func (f *flakyStore) AcquireLease(ctx context.Context, n, h string, ttl time.Duration) (Lease, error) {
	if err := f.check(); err != nil {
		return Lease{}, err
	}
	return f.Store.AcquireLease(ctx, n, h, ttl)
}
func (f *flakyStore) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if err := f.check(); err != nil {
		return l, err
	}
	return f.Store.RenewLease(ctx, l, ttl)
}
func (f *flakyStore) ReleaseLease(ctx context.Context, l Lease) error {
	if err := f.check(); err != nil {
		return err
	}
	return f.Store.ReleaseLease(ctx, l)
}
func (f *flakyStore) Runs(ctx context.Context, fl RunFilter) ([]Run, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.Store.Runs(ctx, fl)
}
func (f *flakyStore) Claim(ctx context.Context, k RunKey, h string, ttl time.Duration) (Run, error) {
	if err := f.check(); err != nil {
		return Run{}, err
	}
	return f.Store.Claim(ctx, k, h, ttl)
}
func (f *flakyStore) RenewRun(ctx context.Context, k RunKey, tok int64, ttl time.Duration) (Run, error) {
	if err := f.check(); err != nil {
		return Run{}, err
	}
	return f.Store.RenewRun(ctx, k, tok, ttl)
}
func (f *flakyStore) Finish(ctx context.Context, c Completion) (Run, error) {
	if err := f.check(); err != nil {
		return Run{}, err
	}
	return f.Store.Finish(ctx, c)
}
func (f *flakyStore) Reclaim(ctx context.Context, c Completion) (Run, error) {
	if err := f.check(); err != nil {
		return Run{}, err
	}
	return f.Store.Reclaim(ctx, c)
}
func (f *flakyStore) Prune(ctx context.Context, before time.Time) (int, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	return f.Store.Prune(ctx, before)
}

// recordingAlerter keeps alerts; it fails the first failFirst sends.
type recordingAlerter struct {
	mu        sync.Mutex
	alerts    []Alert
	failFirst int
}

func (r *recordingAlerter) Alert(ctx context.Context, a Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failFirst > 0 {
		r.failFirst--
		return fmt.Errorf("pager down")
	}
	r.alerts = append(r.alerts, a)
	return nil
}

func (r *recordingAlerter) Alerts() []Alert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Alert(nil), r.alerts...)
}
