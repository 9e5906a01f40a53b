package jobs

import (
	"context"

	"github.com/hetl/hetl/jobs/spec"
)

// FactVersion is the version of the fact table's rows a run of window w
// would read now (files are listed, not read).
func FactVersion(ctx context.Context, p *spec.Pipeline, env Env, w Window) (InputVersion, error) {
	t, err := OpenTable(ctx, env.FS, p.From.Table)
	if err != nil {
		return InputVersion{}, err
	}
	v, _, err := t.Version(ScanOptions{Columns: p.From.Columns, Window: &w, TimeColumn: p.From.Time})
	return v, err
}

// Stale reports whether a window's fact input changed since a run that
// read recorded (late rows appended, a partition re-imported). A change
// of a dimension table alone does not make a window stale: dimensions
// are read as of the run, and re-running every past hour whenever users
// are re-imported would be wrong as often as right.
func Stale(ctx context.Context, p *spec.Pipeline, env Env, w Window, recorded []InputVersion) (bool, InputVersion, error) {
	now, err := FactVersion(ctx, p, env, w)
	if err != nil {
		return false, now, err
	}
	if len(recorded) == 0 {
		return true, now, nil
	}
	return recorded[0].Fingerprint != now.Fingerprint, now, nil
}
