package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/hetl/hetl/jobs"
)

// Dependency is an input a window needs before it may run. Ready reports
// whether the input covers the window and, when not, a short reason that
// Status shows ("no _SUCCESS under /warehouse/orders/dt=…/hr=07"). An error
// means the check itself failed; the engine logs it and checks again later.
type Dependency interface {
	Ready(ctx context.Context, w jobs.Window) (ok bool, reason string, err error)
}

// DependencyFunc adapts a function to Dependency.
type DependencyFunc func(ctx context.Context, w jobs.Window) (bool, string, error)

// Ready calls f.
func (f DependencyFunc) Ready(ctx context.Context, w jobs.Window) (bool, string, error) {
	return f(ctx, w)
}

// Sensor is a named Dependency with a timeout: a window whose input is
// still not ready Timeout after the window was queued fails with
// ErrInputNotReady ("input orders not ready after 2h0m0s") instead of
// waiting for ever. Retry re-queues it and restarts the clock.
type Sensor struct {
	Name    string
	Input   Dependency
	Timeout time.Duration // 0: wait for ever
}

// Ready asks the input and names it in the reason.
func (s Sensor) Ready(ctx context.Context, w jobs.Window) (bool, string, error) {
	ok, reason, err := s.Input.Ready(ctx, w)
	if err != nil {
		return false, "", fmt.Errorf("input %s: %w", s.Name, err)
	}
	if !ok {
		if reason == "" {
			reason = "not ready"
		}
		reason = "input " + s.Name + ": " + reason
	}
	return ok, reason, nil
}

// timedOut is the error failing a window queued at queued, or nil while
// the sensor may still wait at now.
func (s Sensor) timedOut(queued, now time.Time) error {
	if s.Timeout <= 0 || now.Sub(queued) < s.Timeout {
		return nil
	}
	return fmt.Errorf("%w: input %s not ready after %s", ErrInputNotReady, s.Name, s.Timeout)
}
