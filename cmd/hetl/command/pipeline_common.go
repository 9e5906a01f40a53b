package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"time"

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
	fsys, err := warehouse.OpenFS(ctx, loc, warehouse.FSOptions{HDFS: warehouse.HDFSOptions{
		HadoopConfDir: cfg.Warehouse.HadoopConfDir,
		Properties:    cfg.HadoopProperties,
		User:          cfg.Warehouse.HDFSUser,
	}})
	if err != nil {
		return nil, fmt.Errorf("open the warehouse %s: %w", loc, err)
	}
	return fsys, nil
}

// pipelineEnv loads what a pipeline needs to run: its PII key when it
// hashes or scrubs.
func pipelineEnv(fsys warehouse.FS, p *spec.Pipeline, log *slog.Logger) (jobs.Env, error) {
	env := jobs.Env{FS: fsys, Log: log}
	if p.PIIKeyFile != "" || p.PIIKeyEnv != "" {
		k, err := pii.LoadKey(p.PIIKeyFile, p.PIIKeyEnv)
		if err != nil {
			return env, fmt.Errorf("the pipeline's PII key: %w", err)
		}
		env.PIIKey = &k
	}
	return env, nil
}

// pipelineLeaseTTL bounds how long a killed run blocks its window.
const pipelineLeaseTTL = 10 * time.Minute

// runWindow runs one window under the window's lease and records the
// attempt in the metastore.
func runWindow(ctx context.Context, store *metastore.Store, name string, p *spec.Pipeline, env jobs.Env, w jobs.Window, executor jobs.Executor) (*jobs.Result, error) {
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
		res, runErr = jobs.RunTasks(ctx, name, p, env, jobs.RunOptions{Window: w, RunID: runID}, executor, 0)
	} else {
		res, runErr = jobs.Run(ctx, name, p, env, jobs.RunOptions{Window: w, RunID: runID})
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
	penv, err := pipelineEnv(fsys, p, e.log)
	if err != nil {
		warehouse.CloseFS(fsys)
		return nil, err
	}
	for name, d := range p.Dimensions {
		if d.HBase == "" || penv.HBase != nil {
			continue
		}
		if e.cfg.HBase.Thrift == "" {
			warehouse.CloseFS(fsys)
			return nil, fmt.Errorf("pipeline %s: dimension %s is in HBase: set hbase.thrift in the configuration", pipelineName, name)
		}
		if penv.HBase, err = dialHBase(ctx, e.cfg); err != nil {
			warehouse.CloseFS(fsys)
			return nil, err
		}
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
