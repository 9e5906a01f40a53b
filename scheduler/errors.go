package scheduler

import "errors"

// Sentinel errors. Callers test them with errors.Is; the messages that wrap
// them name the schedule, window or expression concerned.
var (
	// ErrBadSchedule: a cron expression or zone that cannot be used.
	ErrBadSchedule = errors.New("bad schedule")
	// ErrBadOptions: an Options, Spec or policy that fails Validate.
	ErrBadOptions = errors.New("bad scheduler options")
	// ErrUnknownSchedule: an operation named a schedule the engine does not have.
	ErrUnknownSchedule = errors.New("unknown schedule")
	// ErrNotFound: the store holds no run for the key.
	ErrNotFound = errors.New("run not found")
	// ErrRunning: the operation needs a window that is not running.
	ErrRunning = errors.New("window is running")
	// ErrConflict: the run is not in the status the caller expected.
	ErrConflict = errors.New("run changed status")
	// ErrNotRunnable: Claim found the run neither pending nor interrupted.
	ErrNotRunnable = errors.New("run is not runnable")
	// ErrNotFailed: Retry was asked for a window that has not failed.
	ErrNotFailed = errors.New("window has not failed")
	// ErrWindowOpen: Trigger was asked for a window that has not ended yet.
	ErrWindowOpen = errors.New("window has not ended")
	// ErrLeaseHeld: another holder has the lease and it has not expired.
	ErrLeaseHeld = errors.New("lease held by another holder")
	// ErrLeaseLost: a write carried a fencing token that is no longer
	// current (the lease expired and was taken, or was released).
	ErrLeaseLost = errors.New("lease lost")
	// ErrInputNotReady: a sensor's input did not cover the window within the
	// sensor's timeout.
	ErrInputNotReady = errors.New("input not ready")
	// ErrAttemptTimeout: an attempt ran longer than its policy allows.
	ErrAttemptTimeout = errors.New("attempt timed out")
)
