package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure an Engine.
type Options struct {
	// Holder names this engine in leases; unique per daemon. Default
	// hostname:pid.
	Holder string
	// LeaseName is the leader lease's name (one per set of daemons).
	LeaseName string
	// MaxConcurrent bounds running windows over all schedules.
	MaxConcurrent int
	// Tick is the longest the loop sleeps; it also wakes at every due
	// time, retry and SLA deadline it knows of.
	Tick time.Duration
	// TickTimeout bounds one pass of the loop (store calls, input checks).
	TickTimeout time.Duration
	// LeaderTTL is the leader lease's time to live; a standby takes over
	// within LeaderTTL + Tick of the leader's last renewal.
	LeaderTTL time.Duration
	// RunLeaseTTL is each running window's lease; a window whose process
	// died is retried once it expires.
	RunLeaseTTL time.Duration
	// ShutdownGrace is how long running work may finish after the
	// engine's context ends before its own context is cancelled.
	ShutdownGrace time.Duration
	// Retention prunes final runs not updated for that long, checked
	// every PruneEvery.
	Retention  time.Duration
	PruneEvery time.Duration
	Logger     *slog.Logger
	// Alerter receives SLA alerts; nil logs them on Logger.
	Alerter Alerter
	// Metrics is where the engine counts; nil makes its own.
	Metrics *Metrics
	// Rand returns uniform numbers in [0, 1) for retry jitter.
	Rand func() float64
}

// DefaultOptions are the options of a single daemon with a 30s leader
// lease, 4 concurrent windows and 30 days of run history.
func DefaultOptions() Options {
	host, _ := os.Hostname()
	return Options{
		Holder: host + ":" + strconv.Itoa(os.Getpid()), LeaseName: "scheduler", MaxConcurrent: 4,
		Tick: 15 * time.Second, TickTimeout: time.Minute, LeaderTTL: 30 * time.Second, RunLeaseTTL: time.Minute,
		ShutdownGrace: time.Minute, Retention: 30 * 24 * time.Hour, PruneEvery: time.Hour,
		Logger: slog.Default(), Rand: rand.Float64,
	}
}

// Validate checks the options.
func (o Options) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadOptions}, args...)...)
	}
	switch {
	case o.Holder == "" || o.LeaseName == "":
		return bad("a holder and a lease name are needed")
	case o.MaxConcurrent < 1:
		return bad("max concurrent %d: want at least 1", o.MaxConcurrent)
	case o.Tick <= 0 || o.TickTimeout <= 0:
		return bad("tick %s, tick timeout %s: want positive", o.Tick, o.TickTimeout)
	case o.LeaderTTL <= 0 || o.RunLeaseTTL <= 0:
		return bad("lease ttls %s, %s: want positive", o.LeaderTTL, o.RunLeaseTTL)
	case o.ShutdownGrace < 0:
		return bad("negative shutdown grace %s", o.ShutdownGrace)
	case o.Retention <= 0 || o.PruneEvery <= 0:
		return bad("retention %s every %s: want positive", o.Retention, o.PruneEvery)
	case o.Logger == nil || o.Rand == nil:
		return bad("a logger and a random source are needed")
	}
	return nil
}

// Engine schedules windows of its specs onto a Runner, with state in a
// Store. Run drives it; the operations (Trigger, Pause, Status …) may be
// called from any goroutine, also on an engine that is not running (a CLI
// talking to the store).
type Engine struct {
	store   Store
	runner  Runner
	opts    Options
	specs   map[string]*Spec
	names   []string
	log     *slog.Logger
	metrics *Metrics
	alerter Alerter
	randMu  sync.Mutex

	wake    chan struct{}
	running atomic.Bool

	mu        sync.Mutex
	lease     Lease
	leader    bool
	lastTick  time.Time // last pass as leader, this term
	lastLoop  time.Time
	lastStale map[string]time.Time
	lastPrune time.Time
	active    map[RunKey]context.CancelCauseFunc

	workBase    context.Context
	wg          sync.WaitGroup
	interrupted atomic.Bool
}

// New checks specs and options and returns an engine; it does not start.
func New(store Store, runner Runner, specs []Spec, opts Options) (*Engine, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if store == nil || runner == nil {
		return nil, fmt.Errorf("%w: a store and a runner are needed", ErrBadOptions)
	}
	e := &Engine{
		store: store, runner: runner, opts: opts, specs: map[string]*Spec{},
		log: opts.Logger.With("component", "scheduler"), metrics: opts.Metrics, alerter: opts.Alerter,
		wake: make(chan struct{}, 1), lastStale: map[string]time.Time{}, active: map[RunKey]context.CancelCauseFunc{},
	}
	if e.metrics == nil {
		e.metrics = NewMetrics()
	}
	if e.alerter == nil {
		e.alerter = LogAlerter{Logger: opts.Logger}
	}
	for i := range specs {
		sp := specs[i]
		if err := sp.Validate(); err != nil {
			return nil, err
		}
		if _, dup := e.specs[sp.Name]; dup {
			return nil, fmt.Errorf("%w: schedule %q twice", ErrBadOptions, sp.Name)
		}
		e.specs[sp.Name] = &sp
		e.names = append(e.names, sp.Name)
	}
	return e, nil
}

// Metrics is the engine's metrics.
func (e *Engine) Metrics() *Metrics { return e.metrics }

// Handler serves /metrics and /healthz for this engine.
func (e *Engine) Handler() http.Handler { return e.metrics.Handler(e.Healthy) }

// Healthy is nil while Run's loop is turning.
func (e *Engine) Healthy() error {
	if !e.running.Load() {
		return errors.New("scheduler is not running")
	}
	e.mu.Lock()
	last := e.lastLoop
	e.mu.Unlock()
	if since := time.Since(last); since > 2*e.opts.Tick+e.opts.TickTimeout {
		return fmt.Errorf("scheduler loop stalled: last pass %s ago", since.Round(time.Second))
	}
	return nil
}

func (e *Engine) rand() float64 {
	e.randMu.Lock()
	defer e.randMu.Unlock()
	return e.opts.Rand()
}

// poke wakes the loop early.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run schedules until ctx ends, then shuts down gracefully: it starts no
// new work, gives the leader lease up, lets running work finish for
// ShutdownGrace, then cancels it, and records what did not finish as
// interrupted (runnable again). It returns once every attempt has
// returned; Runners must honour their context.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("scheduler: engine already running")
	}
	defer e.running.Store(false)
	work, hardStop := context.WithCancelCause(context.WithoutCancel(ctx))
	defer hardStop(nil)
	e.workBase = work
	e.interrupted.Store(false)
	e.log.Info("scheduler starting", "holder", e.opts.Holder, "schedules", len(e.specs))

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return e.shutdown(hardStop)
		case <-timer.C:
		case <-e.wake:
		}
		next := e.pass(ctx)
		timer.Reset(max(time.Until(next), 0))
	}
}

// shutdown drains running work and gives leadership up.
func (e *Engine) shutdown(hardStop context.CancelCauseFunc) error {
	e.mu.Lock()
	n := len(e.active)
	lease, leader := e.lease, e.leader
	e.leader = false
	e.mu.Unlock()
	e.metrics.setLeader(false)
	bg, cancel := context.WithTimeout(context.Background(), e.opts.TickTimeout)
	defer cancel()
	if leader {
		// A standby may start scheduling while this engine drains; the
		// run leases keep the windows still running here to themselves.
		if err := e.store.ReleaseLease(bg, lease); err != nil {
			e.log.Warn("release leader lease", "err", err)
		}
	}
	e.log.Info("scheduler stopping", "running", n, "grace", e.opts.ShutdownGrace)
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	grace := time.NewTimer(e.opts.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		e.interrupted.Store(true)
		hardStop(errShutdown)
		<-done
	}
	e.log.Info("scheduler stopped")
	return nil
}

var errShutdown = errors.New("scheduler shutting down")
