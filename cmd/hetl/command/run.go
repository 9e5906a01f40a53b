package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/jobs"
)

type runOptions struct {
	hour         string
	warehouseDir string
	memoryMB     int
	executor     string
}

func newRunCommand(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run PIPELINE --hour HOUR",
		Short: "Run an hourly pipeline for one UTC hour",
		Long: `run computes one window [HOUR, HOUR+1h) of a pipeline (from hetl.yaml's pipelines, or a
built-in one such as hourly_activity) and publishes each output's partition for that hour
atomically, replacing an earlier run's: rerunning a window is safe and gives the same output
for the same input. Rows a cleanse rule or a join rejected are published with their reason in
_quarantine/PIPELINE. The run is recorded in the metastore with the input versions it read
(see hetl stale). HOUR is UTC (2026-11-21T10); a time with a zone is converted.`,
		Example: `  hetl run hourly_activity --hour 2026-11-21T10
  hetl run hourly_activity --hour 2026-11-21T11:00:00+01:00   # the same window`,
		Args: exactArgs(1),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.hour, "hour", "", "the window's start: a UTC hour such as 2026-11-21T10")
	fs.StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse to read and write (default: warehouse.location)")
	fs.IntVar(&o.memoryMB, "memory-mb", jobs.DefaultMemoryBudget>>20, "MiB of rows dedupe holds before it spills to disk")
	fs.StringVar(&o.executor, "executor", executorOne, "one (the window in this process), tasks (split into tasks exchanging rows through the warehouse, in this process) or processes (each task a child process, as on YARN); the same output")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if o.memoryMB < 1 {
			return usagef("--memory-mb %d: want at least 1", o.memoryMB)
		}
		if o.hour == "" {
			return usagef("run needs --hour")
		}
		w, err := jobs.ParseHour(o.hour)
		if err != nil {
			return usagef("--hour: %v", err)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			op, err := openPipeline(ctx, e, args[0], o.warehouseDir)
			if err != nil {
				return err
			}
			defer op.Close()
			op.env.MemoryBudget = int64(o.memoryMB) << 20
			exec, err := executorFor(o.executor, e, o.warehouseDir, o.memoryMB)
			if err != nil {
				return err
			}
			store, err := openMetastore(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			res, err := runWindow(ctx, store, args[0], op.spec, op.env, w, exec)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s %s: %d rows in; %s; %d quarantined, %d duplicates dropped\n",
				args[0], w, res.RowsIn, outputSummary(res), sum(res.Quarantined), res.Duplicates)
			return nil
		})(cmd, args)
	}
	return cmd
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
