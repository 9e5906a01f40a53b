package command

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/metastore"
)

func newJobShowCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show NAME",
		Short:   "Show a saved job: its command line and its recent runs",
		Example: `  hetl job show events`,
		Args:    exactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			store, err := openMetastore(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			name := args[0]
			spec, declared, err := findJob(ctx, e.cfg, store, name)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "job:      %s\ncommand:  hetl %s %s\n", name, spec.Command, shellQuote(spec.Args))
			if declared {
				fmt.Fprintf(out, "declared: in %s\n", e.cfg.File)
			} else if j, err := store.Job(ctx, name); err == nil {
				fmt.Fprintf(out, "created:  %s\n", j.CreatedAt.Format(time.RFC3339))
			}
			if wm, ok, err := store.Watermark(ctx, watermarkName(name)); err != nil {
				return err
			} else if ok {
				fmt.Fprintf(out, "last value: %s (the target's manifest holds the value exec continues from)\n", wm)
			}
			var runs []metastore.Run
			for _, kind := range []string{"import", "reimport"} {
				rs, err := store.ListRuns(ctx, metastore.RunFilter{Kind: kind, Name: name, Limit: 10})
				if err != nil {
					return err
				}
				runs = append(runs, rs...)
			}
			sort.Slice(runs, func(a, b int) bool { return runs[a].StartedAt.After(runs[b].StartedAt) })
			if len(runs) > 10 {
				runs = runs[:10]
			}
			if len(runs) == 0 {
				fmt.Fprintln(out, "runs:     none yet")
				return nil
			}
			fmt.Fprintln(out, "recent runs:")
			for _, r := range runs {
				detail := r.Stats
				if r.Status == metastore.RunFailed {
					detail = r.Error
				}
				fmt.Fprintf(out, "  %s  %-8s  %-9s  %s\n", r.StartedAt.Format(time.RFC3339), r.Kind, r.Status, detail)
			}
			return nil
		})(cmd, args)
	}
	return cmd
}
