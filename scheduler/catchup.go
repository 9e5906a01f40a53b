package scheduler

import (
	"fmt"
	"strconv"

	"github.com/hetl/hetl/jobs"
)

// CatchUp says which windows missed while no engine ran (or while the
// schedule was paused) still get runs. Windows that became due while the
// engine ran are live and always run; the policy only limits the missed
// ones, and those it drops are recorded as skipped (Trigger or Retry can
// still run them).
type CatchUp struct {
	// Mode is "all", "latest", "none" or "max" (the newest Max windows).
	Mode string
	Max  int
}

// Catch-up modes.
const (
	CatchUpAll    = "all"
	CatchUpLatest = "latest" // the newest missed window only; max 1
	CatchUpNone   = "none"
	CatchUpMax    = "max"
)

// ParseCatchUp reads all, latest, none or a window count N.
func ParseCatchUp(s string) (CatchUp, error) {
	switch s {
	case CatchUpAll, CatchUpLatest, CatchUpNone:
		return CatchUp{Mode: s}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return CatchUp{}, fmt.Errorf("%w: catch-up %q: want all, latest, none or a window count", ErrBadOptions, s)
	}
	return CatchUp{Mode: CatchUpMax, Max: n}, nil
}

func (c CatchUp) String() string {
	if c.Mode == CatchUpMax {
		return strconv.Itoa(c.Max)
	}
	return c.Mode
}

// Validate checks the policy.
func (c CatchUp) Validate() error {
	switch c.Mode {
	case CatchUpAll, CatchUpLatest, CatchUpNone:
		return nil
	case CatchUpMax:
		if c.Max >= 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: catch-up %q (max %d)", ErrBadOptions, c.Mode, c.Max)
}

// keep is how many of n missed windows (the newest) get runs.
func (c CatchUp) keep(n int) int {
	switch c.Mode {
	case CatchUpAll:
		return n
	case CatchUpLatest:
		return min(n, 1)
	case CatchUpMax:
		return min(n, c.Max)
	}
	return 0
}

// Split divides missed windows (oldest first) into those to run and those
// to skip under the policy: the newest are kept.
func (c CatchUp) Split(missed []jobs.Window) (run, skip []jobs.Window) {
	k := c.keep(len(missed))
	return missed[len(missed)-k:], missed[:len(missed)-k]
}
