package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/metastore/schedstore"
	"github.com/hetl/hetl/scheduler"
	"github.com/hetl/hetl/warehouse"
)

// schedKit is what hetl schedule and the operations commands (trigger,
// pause, unpause, retry, runs, status) share: the metastore, the
// scheduler's store in it, hetl.yaml's schedules as specs, the runner and
// an engine over them. Operations use the engine without running it: they
// change the store, and the daemon sees the change on its next pass.
type schedKit struct {
	ms     *metastore.Store
	store  *schedstore.Store
	runner *schedRunner
	engine *scheduler.Engine
	specs  []scheduler.Spec
}

func (k *schedKit) Close() error {
	return errors.Join(k.runner.Close(), k.ms.Close())
}

// schedKitOptions adjust openSchedKit (tests and hetl demo --schedule).
type schedKitOptions struct {
	// Engine, when set, adjusts the engine's options after hetl.yaml's.
	Engine func(*scheduler.Options)
	// PIIKey, when set, is the key of every pipeline instead of the one
	// its spec names (hetl demo --schedule makes one for its run).
	PIIKey *pii.Key
}

// openSchedKit opens the metastore and builds the schedules of hetl.yaml.
// Every schedule must name a saved import (kind import: hetl.yaml's
// imports or hetl job create) or a pipeline (kind pipeline).
func openSchedKit(ctx context.Context, e env, o schedKitOptions) (*schedKit, error) {
	cfg := e.cfg
	if len(cfg.Schedules.Jobs) == 0 {
		where := cfg.File
		if where == "" {
			where = "the configuration (no file given)"
		}
		return nil, usagef("%s has no schedules: add them under schedules.jobs (docs/scheduling.md)", where)
	}
	ms, err := openMetastore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	k := &schedKit{ms: ms, store: schedstore.New(ms)}
	k.runner = &schedRunner{e: e, ms: ms, store: k.store, kinds: map[string]string{}, specs: map[string]scheduler.Spec{}, piiKey: o.PIIKey}
	fail := func(err error) (*schedKit, error) { return nil, errors.Join(err, k.Close()) }
	for _, name := range cfg.ScheduleNames() {
		sp, _, err := cfg.SchedulerSpec(name)
		if err != nil {
			return fail(err)
		}
		key := "schedules.jobs." + name
		j := cfg.Schedules.Jobs[name]
		switch j.Kind {
		case config.ScheduleImport:
			if _, _, err := findJob(ctx, cfg, ms, name); errors.Is(err, metastore.ErrJobNotFound) {
				return fail(cfg.Errorf(key, "no saved import %q: declare it under imports: or save it with hetl job create", name))
			} else if ce := (*config.Error)(nil); errors.As(err, &ce) {
				return fail(err) // the declared import's own key and line
			} else if err != nil {
				return fail(cfg.Errorf(key, "%v", err))
			}
		case config.SchedulePipeline:
			p, err := findPipeline(cfg, name)
			if err != nil {
				return fail(cfg.Errorf(key, "%v", err))
			}
			sp.Inputs = k.runner.inputs(p, j, sp.Schedule.Lateness())
		}
		k.runner.kinds[name] = j.Kind
		k.runner.specs[name] = sp
		k.specs = append(k.specs, sp)
	}
	opts := scheduler.DefaultOptions()
	s := cfg.Schedules
	opts.MaxConcurrent, opts.Tick, opts.ShutdownGrace, opts.Retention = s.MaxConcurrent, s.Tick, s.ShutdownGrace, s.Retention
	opts.PruneEvery = min(time.Hour, s.Retention)
	opts.Logger = e.log
	var alerter scheduler.Alerter = scheduler.LogAlerter{Logger: e.log}
	hook, err := cfg.WebhookURL(ctx)
	if err != nil {
		return fail(err)
	}
	if hook != "" {
		alerter = scheduler.MultiAlerter{alerter, scheduler.WebhookAlerter{URL: hook}}
	}
	opts.Alerter = alerter
	if o.Engine != nil {
		o.Engine(&opts)
	}
	if k.engine, err = scheduler.New(k.store, k.runner, k.specs, opts); err != nil {
		return fail(err)
	}
	return k, nil
}

// scheduleNamed checks that name is one of hetl.yaml's schedules.
func scheduleNamed(cfg *config.Config, name string) error {
	if _, ok := cfg.Schedules.Jobs[name]; !ok {
		return usagef("no schedule %q in %s (schedules: %s)", name, cfg.File, strings.Join(cfg.ScheduleNames(), ", "))
	}
	return nil
}

// withSchedule runs fn on the scheduler's kit for one of hetl.yaml's
// schedules: an unknown name is refused before the metastore is opened.
func withSchedule(ctx context.Context, e env, name string, fn func(k *schedKit) error) error {
	if err := scheduleNamed(e.cfg, name); err != nil {
		return err
	}
	k, err := openSchedKit(ctx, e, schedKitOptions{})
	if err != nil {
		return err
	}
	defer k.Close()
	return fn(k)
}

// schedRunner runs the windows of hetl.yaml's schedules: a saved import
// as `hetl job exec NAME` does (incremental imports read what is new, so
// the window only names the run), a pipeline as `hetl run NAME --hour`
// does. Both check the scheduler's fencing token just before they
// publish.
type schedRunner struct {
	e     env
	ms    *metastore.Store
	store *schedstore.Store
	kinds map[string]string
	specs map[string]scheduler.Spec
	// piiKey, when set, replaces the key pipelines name.
	piiKey *pii.Key

	fsMu sync.Mutex
	fsys warehouse.FS // for inputs and stale checks, opened on first use
}

var _ scheduler.Runner = (*schedRunner)(nil)

func (r *schedRunner) Close() error {
	r.fsMu.Lock()
	defer r.fsMu.Unlock()
	if r.fsys == nil {
		return nil
	}
	return warehouse.CloseFS(r.fsys)
}

func (r *schedRunner) warehouse(ctx context.Context) (warehouse.FS, error) {
	r.fsMu.Lock()
	defer r.fsMu.Unlock()
	if r.fsys == nil {
		fsys, err := openWarehouse(ctx, r.e.cfg, "")
		if err != nil {
			return nil, err
		}
		r.fsys = fsys
	}
	return r.fsys, nil
}

// fence is the check made just before publishing: the run must still be
// running under the token this attempt was started with.
func (r *schedRunner) fence(ctx context.Context, name string, w jobs.Window) (func(context.Context) error, error) {
	token, ok := scheduler.LeaseToken(ctx)
	if !ok {
		return nil, errors.New("scheduler: the run has no fencing token")
	}
	key := scheduler.RunKey{Schedule: name, Window: w}
	return func(ctx context.Context) error {
		if err := r.store.CheckFence(ctx, key, token); err != nil {
			return fmt.Errorf("not publishing %s: %w", key, err)
		}
		return nil
	}, nil
}

// leaseWait is how often an attempt looks again at a job or window lease
// held by someone else.
const leaseWait = 5 * time.Second

// Run implements scheduler.Runner. When the import's job lease or the
// pipeline window's lease is held — a run started by hand, or the attempt
// of a daemon that died, whose lease has not expired yet — it waits for
// it (within the attempt's timeout) instead of failing an attempt.
func (r *schedRunner) Run(ctx context.Context, name string, w jobs.Window) (scheduler.RunResult, error) {
	logged := false
	for {
		res, err := r.runOnce(ctx, name, w)
		if !errors.Is(err, metastore.ErrLeaseHeld) {
			return res, err
		}
		if !logged {
			r.e.log.Info("waiting for a lease held elsewhere", "job", name, "partition", w.Partition(), "err", err)
			logged = true
		}
		select {
		case <-ctx.Done():
			return res, errors.Join(err, context.Cause(ctx))
		case <-time.After(leaseWait):
		}
	}
}

func (r *schedRunner) runOnce(ctx context.Context, name string, w jobs.Window) (scheduler.RunResult, error) {
	fence, err := r.fence(ctx, name, w)
	if err != nil {
		return scheduler.RunResult{}, err
	}
	switch r.kinds[name] {
	case config.ScheduleImport:
		prepare := func(o *importOptions) error { o.beforePublish = fence; return nil }
		m, err := execSavedJob(ctx, r.e, r.ms, name, nil, "import", prepare, strings.NewReader(""), io.Discard, io.Discard)
		if err != nil {
			return scheduler.RunResult{}, err
		}
		var res scheduler.RunResult
		if m != nil {
			res = scheduler.RunResult{Rows: m.Rows, Bytes: m.Bytes}
		}
		return res, nil
	case config.SchedulePipeline:
		op, err := r.openPipeline(ctx, name)
		if err != nil {
			return scheduler.RunResult{}, err
		}
		defer op.Close()
		res, err := runWindowFenced(ctx, r.ms, name, op.spec, op.env, w, nil, fence)
		if err != nil {
			return scheduler.RunResult{}, err
		}
		out := scheduler.RunResult{Rows: res.RowsIn}
		for _, o := range res.Outputs {
			for _, f := range o.Files {
				out.Bytes += f.Bytes
			}
		}
		return out, nil
	}
	return scheduler.RunResult{}, fmt.Errorf("schedule %s: unknown kind %q", name, r.kinds[name])
}

// openPipeline opens a pipeline as hetl run does, with the runner's key
// when it has one.
func (r *schedRunner) openPipeline(ctx context.Context, name string) (*openedPipeline, error) {
	if r.piiKey == nil {
		return openPipeline(ctx, r.e, name, "")
	}
	p, err := findPipeline(r.e.cfg, name)
	if err != nil {
		return nil, err
	}
	fsys, err := openWarehouse(ctx, r.e.cfg, "")
	if err != nil {
		return nil, err
	}
	return &openedPipeline{spec: p, fsys: fsys, env: jobs.Env{FS: fsys, Log: r.e.log, PIIKey: r.piiKey}}, nil
}

// Stale implements scheduler.Runner with hetl stale's comparison: the
// windows (within the schedule's stale max age) whose fact-table files
// changed since their last successful run.
func (r *schedRunner) Stale(ctx context.Context, name string) ([]jobs.Window, error) {
	if r.kinds[name] != config.SchedulePipeline {
		return nil, nil
	}
	p, err := findPipeline(r.e.cfg, name)
	if err != nil {
		return nil, err
	}
	fsys, err := r.warehouse(ctx)
	if err != nil {
		return nil, err
	}
	var since time.Time
	if age := r.specs[name].Stale.MaxAge; age > 0 {
		since = time.Now().Add(-age)
	}
	stale, _, err := staleWindows(ctx, r.ms, name, p, jobs.Env{FS: fsys, Log: r.e.log}, since)
	if err != nil {
		return nil, err
	}
	out := make([]jobs.Window, len(stale))
	for i, s := range stale {
		out[i] = s.window
	}
	return out, nil
}

// inputs are a pipeline schedule's dependencies: its fact table, then the
// inputs hetl.yaml lists.
func (r *schedRunner) inputs(p *spec.Pipeline, j *config.Schedule, lateness time.Duration) []scheduler.Dependency {
	deps := []scheduler.Dependency{scheduler.Sensor{Name: p.From.Table, Input: tableInput{r: r, table: p.From.Table, lateness: lateness}}}
	for _, in := range j.Inputs {
		if in.Table != "" {
			deps = append(deps, scheduler.Sensor{Name: in.Table, Input: tableInput{r: r, table: in.Table, lateness: lateness}, Timeout: in.Timeout})
		} else {
			deps = append(deps, scheduler.Sensor{Name: in.Path, Input: successInput{r: r, path: in.Path}, Timeout: in.Timeout})
		}
	}
	return deps
}

// tableInput is a warehouse table written by an import: a window is
// covered once the table's published watermark reaches its end plus
// lateness.
type tableInput struct {
	r        *schedRunner
	table    string
	lateness time.Duration
}

func (d tableInput) Ready(ctx context.Context, w jobs.Window) (bool, string, error) {
	fsys, err := d.r.warehouse(ctx)
	if err != nil {
		return false, "", err
	}
	m, err := ingest.ReadManifest(ctx, fsys, d.table)
	if errors.Is(err, fs.ErrNotExist) {
		return false, "not published yet (no " + path.Join(d.table, ingest.SuccessFile) + ")", nil
	}
	if err != nil {
		return false, "", err
	}
	wm, from := importWatermark(m)
	need := w.End().Add(d.lateness)
	if wm.Before(need) {
		return false, fmt.Sprintf("watermark %s (%s) is before the window's end + lateness, %s",
			wm.Format(time.RFC3339), from, need.Format(time.RFC3339)), nil
	}
	return true, "", nil
}

// importWatermark is how far in time an import's published data reaches.
// An incremental import on a DATE/DATETIME/TIMESTAMP check column reaches
// its upper bound (append: the newest value read; lastmodified: the
// source's clock less the lag); any other import reaches the moment it
// started reading the source, as rows created before then were read.
func importWatermark(m *ingest.Manifest) (time.Time, string) {
	if inc := m.Incremental; inc != nil && inc.NextValue != "" {
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02"} {
			if t, err := time.ParseInLocation(layout, inc.NextValue, time.UTC); err == nil {
				return t, "check column " + inc.CheckColumn
			}
		}
	}
	return m.StartedAt.UTC(), "import " + m.RunID + " started"
}

// successInput is an external input: ready once PATH/_SUCCESS exists,
// with {dt} and {hr} in PATH replaced by the window's date and hour.
type successInput struct {
	r    *schedRunner
	path string
}

func (d successInput) Ready(ctx context.Context, w jobs.Window) (bool, string, error) {
	fsys, err := d.r.warehouse(ctx)
	if err != nil {
		return false, "", err
	}
	dir := strings.NewReplacer("{dt}", w.Start.Format("2006-01-02"), "{hr}", w.Start.Format("15")).Replace(d.path)
	marker := path.Join(dir, ingest.SuccessFile)
	if _, err := fsys.Stat(ctx, marker); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, "no " + marker, nil
		}
		return false, "", err
	}
	return true, "", nil
}
