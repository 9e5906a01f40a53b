package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hetl/hetl/jobs"
)

func (e *Engine) spec(name string) (*Spec, error) {
	sp, ok := e.specs[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSchedule, name)
	}
	return sp, nil
}

// Trigger queues a window of a schedule now, at live priority, whatever
// its status (a succeeded window runs again, a failed one gets a fresh
// retry budget); ErrRunning when it is running, ErrWindowOpen when it has
// not ended.
func (e *Engine) Trigger(ctx context.Context, name string, w jobs.Window) (Run, error) {
	if _, err := e.spec(name); err != nil {
		return Run{}, err
	}
	if w.End().After(time.Now()) {
		return Run{}, fmt.Errorf("trigger %s %s: %w (it ends %s)", name, w, ErrWindowOpen, w.End().Format(time.RFC3339))
	}
	r, err := e.store.Queue(ctx, RunKey{name, w}, TriggerManual, true)
	if err != nil {
		return r, fmt.Errorf("trigger %s %s: %w", name, w, err)
	}
	e.poke()
	return r, nil
}

// Retry queues a failed window again with a fresh retry budget;
// ErrNotFailed when the window has not failed.
func (e *Engine) Retry(ctx context.Context, name string, w jobs.Window) (Run, error) {
	if _, err := e.spec(name); err != nil {
		return Run{}, err
	}
	r, err := e.store.Queue(ctx, RunKey{name, w}, TriggerRetry, true, StatusFailed)
	if errors.Is(err, ErrConflict) || errors.Is(err, ErrRunning) {
		return r, fmt.Errorf("retry %s %s: %w: %w", name, w, ErrNotFailed, err)
	}
	if err != nil {
		return r, fmt.Errorf("retry %s %s: %w", name, w, err)
	}
	e.poke()
	return r, nil
}

// Pause stops a schedule: no new windows are queued and none start;
// running ones finish. Windows due while paused are caught up on Unpause
// as its catch-up policy says.
func (e *Engine) Pause(ctx context.Context, name string) error {
	return e.setPaused(ctx, name, true)
}

// Unpause resumes a paused schedule.
func (e *Engine) Unpause(ctx context.Context, name string) error {
	return e.setPaused(ctx, name, false)
}

func (e *Engine) setPaused(ctx context.Context, name string, paused bool) error {
	if _, err := e.spec(name); err != nil {
		return err
	}
	if err := e.store.SetPaused(ctx, name, paused); err != nil {
		return fmt.Errorf("pause %s: %w", name, err)
	}
	e.poke()
	return nil
}

// Runs lists runs.
func (e *Engine) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	return e.store.Runs(ctx, f)
}

// Attempts is a window's attempt history, oldest first.
func (e *Engine) Attempts(ctx context.Context, name string, w jobs.Window) ([]Attempt, error) {
	return e.store.Attempts(ctx, RunKey{name, w})
}
