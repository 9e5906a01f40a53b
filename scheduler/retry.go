package scheduler

import (
	"fmt"
	"math"
	"time"
)

// RetryPolicy says how often and how soon a failed window is tried again.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included (>= 1).
	MaxAttempts int
	// Backoff is the delay after the first failure; it doubles after each
	// further failure up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Jitter spreads each delay uniformly over ±Jitter of itself (0..1), so
	// daemons retrying the same failure do not stampede.
	Jitter float64
	// AttemptTimeout cancels an attempt's context when it runs longer; 0
	// means no limit.
	AttemptTimeout time.Duration
}

// DefaultRetry is three attempts, 1m then 2m apart (±20%), 6h per attempt.
func DefaultRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 3, Backoff: time.Minute, MaxBackoff: time.Hour, Jitter: 0.2, AttemptTimeout: 6 * time.Hour}
}

// Validate checks the policy.
func (p RetryPolicy) Validate() error {
	switch {
	case p.MaxAttempts < 1:
		return fmt.Errorf("%w: retry: max attempts %d: want at least 1", ErrBadOptions, p.MaxAttempts)
	case p.Backoff < 0 || p.MaxBackoff < p.Backoff:
		return fmt.Errorf("%w: retry: backoff %s, max %s: want 0 <= backoff <= max", ErrBadOptions, p.Backoff, p.MaxBackoff)
	case p.Jitter < 0 || p.Jitter > 1 || math.IsNaN(p.Jitter):
		return fmt.Errorf("%w: retry: jitter %v: want 0..1", ErrBadOptions, p.Jitter)
	case p.AttemptTimeout < 0:
		return fmt.Errorf("%w: retry: negative attempt timeout %s", ErrBadOptions, p.AttemptTimeout)
	}
	return nil
}

// Delay is the wait after the failed-th failure (1-based): Backoff ×
// 2^(failed-1), capped at MaxBackoff, then jittered with r, a uniform
// number in [0, 1): the result lies in [d×(1-Jitter), d×(1+Jitter)).
func (p RetryPolicy) Delay(failed int, r float64) time.Duration {
	d := float64(p.Backoff)
	for i := 1; i < failed && d < float64(p.MaxBackoff); i++ {
		d *= 2
	}
	d = min(d, float64(p.MaxBackoff))
	d *= 1 + p.Jitter*(2*r-1)
	return time.Duration(d)
}
