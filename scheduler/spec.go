package scheduler

import (
	"fmt"
	"time"
)

// Spec is one schedule as the engine runs it.
type Spec struct {
	// Name is the schedule's (the pipeline's) name; the runner gets it.
	Name     string
	Schedule *Schedule
	// CatchUp limits windows missed while no engine ran or while paused.
	CatchUp CatchUp
	// MaxConcurrent bounds this schedule's running windows (>= 1).
	MaxConcurrent int
	Retry         RetryPolicy
	// SLA: a window not succeeded by its end + SLA raises one alert; 0
	// means none. Windows not yet due at the deadline (lateness > SLA)
	// alert once they are due.
	SLA   time.Duration
	Stale StalePolicy
	// Inputs must all be ready before a window runs; wrap them in Sensor
	// to give up after a timeout.
	Inputs []Dependency
	// Start is the earliest window to schedule; zero means starting from
	// the windows due most recently when the schedule first ticks. Windows
	// from Start that were due before that first tick count as missed, so
	// CatchUp decides which of them run.
	Start time.Time
}

// StalePolicy bounds re-runs of windows whose input changed after they
// ran (Runner.Stale).
type StalePolicy struct {
	// MaxPerTick re-queues at most this many windows per check, newest
	// first; 0 turns stale re-runs off.
	MaxPerTick int
	// MaxAge ignores windows that started longer ago; 0 means no limit.
	MaxAge time.Duration
	// Every is how often the runner is asked.
	Every time.Duration
}

// NewSpec is a Spec with defaults: catch up on all missed windows, one
// window at a time, DefaultRetry, stale re-runs of up to 4 windows of the
// last 7 days checked every 5 minutes, no SLA, no inputs.
func NewSpec(name string, s *Schedule) Spec {
	return Spec{
		Name: name, Schedule: s, CatchUp: CatchUp{Mode: CatchUpAll}, MaxConcurrent: 1, Retry: DefaultRetry(),
		Stale: StalePolicy{MaxPerTick: 4, MaxAge: 7 * 24 * time.Hour, Every: 5 * time.Minute},
	}
}

// Validate checks the spec.
func (s Spec) Validate() error {
	wrap := func(err error) error { return fmt.Errorf("schedule %q: %w", s.Name, err) }
	switch {
	case s.Name == "":
		return fmt.Errorf("%w: a schedule needs a name", ErrBadOptions)
	case s.Schedule == nil:
		return wrap(fmt.Errorf("%w: no cron expression", ErrBadOptions))
	case s.MaxConcurrent < 1:
		return wrap(fmt.Errorf("%w: max concurrent %d: want at least 1", ErrBadOptions, s.MaxConcurrent))
	case s.SLA < 0:
		return wrap(fmt.Errorf("%w: negative SLA %s", ErrBadOptions, s.SLA))
	case s.Stale.MaxPerTick < 0 || s.Stale.MaxAge < 0 || (s.Stale.MaxPerTick > 0 && s.Stale.Every <= 0):
		return wrap(fmt.Errorf("%w: stale policy %+v: want non-negative bounds and a positive interval", ErrBadOptions, s.Stale))
	case !s.Start.IsZero() && !s.Start.Equal(s.Start.Truncate(time.Hour)):
		return wrap(fmt.Errorf("%w: start %s is not on an hour", ErrBadOptions, s.Start))
	}
	for i, in := range s.Inputs {
		if in == nil {
			return wrap(fmt.Errorf("%w: input %d is nil", ErrBadOptions, i))
		}
	}
	if err := s.CatchUp.Validate(); err != nil {
		return wrap(err)
	}
	if err := s.Retry.Validate(); err != nil {
		return wrap(err)
	}
	return nil
}
