package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/jobs"
)

type runOptions struct {
	hour string
	windowFlags
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
	o.windowFlags.AddFlags(fs)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.windowFlags.Validate(); err != nil {
			return err
		}
		if o.hour == "" {
			return usagef("run needs --hour")
		}
		w, err := jobs.ParseHour(o.hour)
		if err != nil {
			return usagef("--hour: %v", err)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			r, err := o.windowFlags.open(ctx, e, args[0])
			if err != nil {
				return err
			}
			defer r.Close()
			res, err := runWindow(ctx, r.store, args[0], r.spec, r.env, w, r.exec)
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
