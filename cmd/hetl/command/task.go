package command

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/warehouse"
)

type taskOptions struct {
	spec         string
	warehouseDir string
	memoryMB     int
}

func newTaskCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "task",
		Short: "Run one task of a pipeline window (what executors start; not needed by hand)",
		Example: `  # what 'hetl run --executor processes' starts for each task
  hetl task run --spec _hetl_tasks/hourly_activity/20261121T10_RUN/specs/map-0000.json`,
	}
	o := &taskOptions{}
	run := &cobra.Command{
		Use:   "run --spec PATH",
		Short: "Run the pipeline task whose JSON spec is at PATH in the warehouse",
		Long: `task run is what an executor starts for each task of a window split into tasks (hetl run
--executor processes, and the YARN executor): it reads the task's spec (JSON, written by the run
into the window's exchange directory in the warehouse), runs it, and leaves its rows, part files
and counts in the warehouse for the next stage and the publish. It shares nothing else with the
run that started it.`,
		Example: `  hetl task run --spec _hetl_tasks/hourly_activity/20261121T10_RUN/specs/map-0000.json`,
		Args:    exactArgs(0),
	}
	run.Flags().StringVar(&o.spec, "spec", "", "the task's spec, relative to the warehouse")
	run.Flags().StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse (default: warehouse.location)")
	run.Flags().IntVar(&o.memoryMB, "memory-mb", jobs.DefaultMemoryBudget>>20, "MiB the task holds (dedupe rows, aggregate groups, join dimensions) before it spills to disk")
	run.RunE = func(cmd *cobra.Command, args []string) error {
		if o.spec == "" {
			return usagef("task run needs --spec")
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			fsys, err := openWarehouse(ctx, e.cfg, o.warehouseDir)
			if err != nil {
				return err
			}
			defer warehouse.CloseFS(fsys)
			f, err := fsys.Open(ctx, o.spec)
			if err != nil {
				return fmt.Errorf("task spec: %w", err)
			}
			var t jobs.TaskSpec
			err = json.NewDecoder(f).Decode(&t)
			f.Close()
			if err != nil {
				return fmt.Errorf("task spec %s: %w", o.spec, err)
			}
			if t.Spec == nil {
				return fmt.Errorf("task spec %s: no pipeline", o.spec)
			}
			penv, err := pipelineEnv(ctx, e, fsys, t.Pipeline, t.Spec)
			if err != nil {
				return err
			}
			if penv.HBase != nil {
				defer penv.HBase.Close()
			}
			penv.MemoryBudget = int64(o.memoryMB) << 20
			holdHeapNear(penv.MemoryBudget)
			return jobs.RunTask(ctx, penv, t)
		})(cmd, args)
	}
	cmd.AddCommand(run)
	return cmd
}

// processExecutor runs each task as a child process of this program
// (hetl task run), so tasks share nothing but the warehouse: the proof
// that a window's tasks can run anywhere, as the YARN executor will run
// them.
type processExecutor struct {
	cfg          *config.Config
	warehouseDir string // as the parent was given it ("" : the configured one)
	memoryMB     int
	workers      int
}

func (p processExecutor) args(specPath string) []string {
	args := []string{"task", "run", "--spec", specPath, "--memory-mb", fmt.Sprint(p.memoryMB),
		"--log-level", p.cfg.Log.Level, "--log-format", p.cfg.Log.Format}
	if p.warehouseDir != "" {
		args = append(args, "--warehouse-dir", p.warehouseDir)
	}
	if p.cfg.File != "" {
		args = append(args, "--config", p.cfg.File)
	}
	keys := make([]string, 0, len(p.cfg.HadoopProperties))
	for k := range p.cfg.HadoopProperties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-D", k+"="+p.cfg.HadoopProperties[k])
	}
	return args
}

func (p processExecutor) Run(ctx context.Context, env jobs.Env, tasks []jobs.TaskSpec) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("executor: find this program: %w", err)
	}
	// Specs go into the exchange directory first: a task reads only the
	// warehouse.
	var specs []string
	for _, t := range tasks {
		body, err := json.Marshal(t)
		if err != nil {
			return err
		}
		name := path.Join(t.Exchange, "specs", t.Name()+".json")
		w, err := env.FS.Create(ctx, name, warehouse.CreateOptions{Overwrite: true})
		if err != nil {
			return err
		}
		if _, err := w.Write(body); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		specs = append(specs, name)
	}
	return jobs.RunEach(ctx, len(specs), p.workers, func(ctx context.Context, i int) error {
		cmd := exec.CommandContext(ctx, self, p.args(specs[i])...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(stderr.String())
			if len(msg) > 2000 {
				msg = "…" + msg[len(msg)-2000:]
			}
			return fmt.Errorf("task %s (process): %w: %s", tasks[i].Name(), err, msg)
		}
		return nil
	})
}
