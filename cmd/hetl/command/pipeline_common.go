package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"time"

	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/builtin"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/warehouse"
)

// pipelineRunKind is the metastore's kind of pipeline runs.
const pipelineRunKind = "pipeline"

// findPipeline looks a pipeline up in hetl.yaml, then among the
// built-in ones.
func findPipeline(cfg *config.Config, name string) (*spec.Pipeline, error) {
	if p, ok := cfg.Pipelines[name]; ok {
		return p, nil
	}
	p, ok, err := builtin.Get(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, usagef("no pipeline %q (hetl pipelines lists them)", name)
	}
	return p, nil
}

// pipelineNames lists every pipeline: hetl.yaml's and the built-in ones.
func pipelineNames(cfg *config.Config) []string {
	seen := map[string]bool{}
	var out []string
	for n := range cfg.Pipelines {
		seen[n] = true
		out = append(out, n)
	}
	for _, n := range builtin.Names() {
		if !seen[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// openWarehouse opens the configured warehouse (or dir, when given).
func openWarehouse(ctx context.Context, cfg *config.Config, dir string) (warehouse.FS, error) {
	loc := cfg.Warehouse.Location
	if dir != "" {
		loc = dir
	}
	if l, err := warehouse.ParseLocation(loc); err == nil && l.Scheme == "file" {
		if err := os.MkdirAll(l.Path, 0o755); err != nil {
			return nil, err
		}
	}
	fsys, err := warehouse.OpenFS(ctx, loc, warehouse.FSOptions{HDFS: cfg.HDFSOptions()})
	if err != nil {
		return nil, fmt.Errorf("open the warehouse %s: %w", loc, err)
	}
	return fsys, nil
}

// pipelineEnv loads what a pipeline needs to run: its PII key when it
// hashes or scrubs, and a client of the HBase gateway when a dimension
// is in HBase (the caller closes env.HBase).
func pipelineEnv(ctx context.Context, e env, fsys warehouse.FS, name string, p *spec.Pipeline) (jobs.Env, error) {
	penv := jobs.Env{FS: fsys, Log: e.log}
	if p.PIIKeyFile != "" || p.PIIKeyEnv != "" {
		k, err := pii.LoadKey(p.PIIKeyFile, p.PIIKeyEnv)
		if err != nil {
			return penv, fmt.Errorf("the pipeline's PII key: %w", err)
		}
		penv.PIIKey = &k
	}
	for _, dn := range sortedNames(p.Dimensions) {
		if p.Dimensions[dn].HBase == "" {
			continue
		}
		if e.cfg.HBase.Thrift == "" {
			return penv, fmt.Errorf("pipeline %s: dimension %s is in HBase: set hbase.thrift in the configuration", name, dn)
		}
		c, err := dialHBase(ctx, e.cfg)
		if err != nil {
			return penv, err
		}
		penv.HBase = c
		break
	}
	return penv, nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pipelineLeaseTTL bounds how long a killed run blocks its window.
const pipelineLeaseTTL = 10 * time.Minute

// runWindow runs one window under the window's lease and records the
// attempt in the metastore.
func runWindow(ctx context.Context, store *metastore.Store, name string, p *spec.Pipeline, env jobs.Env, w jobs.Window, executor jobs.Executor) (*jobs.Result, error) {
	return runWindowFenced(ctx, store, name, p, env, w, executor, nil)
}

// runWindowFenced is runWindow with a check made after the window's
// outputs are prepared and before any is published (the scheduler's
// fencing token).
func runWindowFenced(ctx context.Context, store *metastore.Store, name string, p *spec.Pipeline, env jobs.Env, w jobs.Window, executor jobs.Executor, beforePublish func(context.Context) error) (*jobs.Result, error) {
	host, _ := os.Hostname()
	runID := ingest.NewRunID(time.Now())
	lease, err := store.AcquireLease(ctx, fmt.Sprintf("pipeline:%s:%s", name, w), fmt.Sprintf("%s/%d/%s", host, os.Getpid(), runID), pipelineLeaseTTL)
	if errors.Is(err, metastore.ErrLeaseHeld) {
		return nil, fmt.Errorf("window %s of %s is already running: %w", w, name, err)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = store.ReleaseLease(context.WithoutCancel(ctx), lease) }()
	run, err := store.StartRun(ctx, metastore.RunSpec{Kind: pipelineRunKind, Name: name, WindowStart: w.Start, WindowEnd: w.End()})
	if err != nil {
		return nil, err
	}
	var res *jobs.Result
	var runErr error
	if executor != nil {
		res, runErr = jobs.RunTasks(ctx, name, p, env, jobs.RunOptions{Window: w, RunID: runID, BeforePublish: beforePublish}, executor, 0)
	} else {
		res, runErr = jobs.Run(ctx, name, p, env, jobs.RunOptions{Window: w, RunID: runID, BeforePublish: beforePublish})
	}
	finish := context.WithoutCancel(ctx)
	if runErr != nil {
		if err := store.FinishRun(finish, run.ID, metastore.RunFailed, runErr.Error(), ""); err != nil {
			env.Log.Warn("could not record the failed run", "pipeline", name, "window", w.String(), "err", err)
		}
		return nil, runErr
	}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return res, store.FinishRun(finish, run.ID, metastore.RunSucceeded, "", string(body))
}

// lastSuccess is the newest successful run of a window, with what it
// read; nil when there is none.
func lastSuccess(ctx context.Context, store *metastore.Store, name string, w jobs.Window) (*jobs.Result, error) {
	runs, err := store.ListRuns(ctx, metastore.RunFilter{Kind: pipelineRunKind, Name: name, Window: w.Start, Status: metastore.RunSucceeded, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	var res jobs.Result
	if err := json.Unmarshal([]byte(runs[0].Stats), &res); err != nil {
		return nil, fmt.Errorf("the metastore's record of %s %s: %w", name, w, err)
	}
	return &res, nil
}

// outputSummary is one line per output.
func outputSummary(res *jobs.Result) string {
	s := ""
	for i, o := range res.Outputs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d rows", o.Table, o.Rows)
	}
	return s
}

// openedPipeline is a pipeline with its warehouse and environment.
type openedPipeline struct {
	spec *spec.Pipeline
	fsys warehouse.FS
	env  jobs.Env
}

func (o *openedPipeline) Close() error {
	err := warehouse.CloseFS(o.fsys)
	if o.env.HBase != nil {
		err = errors.Join(err, o.env.HBase.Close())
	}
	return err
}

// openPipeline finds a pipeline and opens what it runs with; the caller
// closes it.
func openPipeline(ctx context.Context, e env, pipelineName, warehouseDir string) (*openedPipeline, error) {
	p, err := findPipeline(e.cfg, pipelineName)
	if err != nil {
		return nil, err
	}
	fsys, err := openWarehouse(ctx, e.cfg, warehouseDir)
	if err != nil {
		return nil, err
	}
	penv, err := pipelineEnv(ctx, e, fsys, pipelineName, p)
	if err != nil {
		warehouse.CloseFS(fsys)
		return nil, err
	}
	return &openedPipeline{spec: p, fsys: fsys, env: penv}, nil
}

// Executors of hetl run and backfill.
const (
	executorOne       = "one"       // the window in this process, no tasks (default)
	executorTasks     = "tasks"     // tasks, in this process
	executorProcesses = "processes" // tasks, each a child process
)

// executorFor is the --executor flag's executor (nil: one process).
func executorFor(name string, e env, warehouseDir string, memoryMB int) (jobs.Executor, error) {
	switch name {
	case executorOne, "":
		return nil, nil
	case executorTasks:
		return jobs.LocalExecutor{Workers: runtime.GOMAXPROCS(0)}, nil
	case executorProcesses:
		return processExecutor{cfg: e.cfg, warehouseDir: warehouseDir, memoryMB: memoryMB, workers: runtime.GOMAXPROCS(0)}, nil
	}
	return nil, usagef("--executor %q: want one, tasks or processes (yarn comes with the YARN executor)", name)
}

// windowFlags are the flags of the commands that run windows (run and
// backfill).
type windowFlags struct {
	warehouseDir string
	memoryMB     int
	executor     string
}

func (f *windowFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.warehouseDir, "warehouse-dir", "", "warehouse to read and write (default: warehouse.location)")
	fs.IntVar(&f.memoryMB, "memory-mb", jobs.DefaultMemoryBudget>>20, "MiB a window holds (dedupe rows, aggregate groups, join dimensions) before it spills to disk")
	fs.StringVar(&f.executor, "executor", executorOne, "one (the window in this process), tasks (split into tasks exchanging rows through the warehouse, in this process) or processes (each task a child process, as on YARN); the same output")
}

func (f *windowFlags) Validate() error {
	if f.memoryMB < 1 {
		return usagef("--memory-mb %d: want at least 1", f.memoryMB)
	}
	return nil
}

// windowRunner is what running windows of a pipeline takes.
type windowRunner struct {
	*openedPipeline
	exec  jobs.Executor // nil: one process
	store *metastore.Store
}

func (r *windowRunner) Close() error {
	return errors.Join(r.store.Close(), r.openedPipeline.Close())
}

// open opens the pipeline, its executor and the metastore.
func (f *windowFlags) open(ctx context.Context, e env, name string) (*windowRunner, error) {
	exec, err := executorFor(f.executor, e, f.warehouseDir, f.memoryMB)
	if err != nil {
		return nil, err
	}
	op, err := openPipeline(ctx, e, name, f.warehouseDir)
	if err != nil {
		return nil, err
	}
	op.env.MemoryBudget = int64(f.memoryMB) << 20
	holdHeapNear(op.env.MemoryBudget)
	store, err := openMetastore(ctx, e.cfg)
	if err != nil {
		op.Close()
		return nil, err
	}
	return &windowRunner{openedPipeline: op, exec: exec, store: store}, nil
}

// heapHeadroom is what a process running windows holds beyond their
// budgets: batches in flight between steps, Parquet pages being encoded
// and decoded, the runtime.
const heapHeadroom = 256 << 20

// holdHeapNear sets the Go runtime's soft memory limit to budget (the
// windows' memory budgets together) plus heapHeadroom, unless GOMEMLIMIT
// is set. Without it the collector lets the heap grow to twice what is
// live, and a 256 MiB budget ran in 1 GiB of RSS; with it, in about
// 520 MiB (docs/pipelines.md, Memory).
func holdHeapNear(budget int64) {
	if os.Getenv("GOMEMLIMIT") != "" || budget <= 0 {
		return
	}
	debug.SetMemoryLimit(budget + heapHeadroom)
}
