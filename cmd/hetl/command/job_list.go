package command

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/metastore"
)

func newJobListCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List saved jobs with their last run and last value",
		Example: `  hetl job list`,
		Args:    exactArgs(0),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			store, err := openMetastore(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			jobs, err := store.ListJobs(ctx)
			if err != nil {
				return err
			}
			for _, name := range e.cfg.ImportNames() {
				jobs = append(jobs, metastore.Job{Name: name, Kind: "import", Spec: declaredSpec})
			}
			sort.SliceStable(jobs, func(a, b int) bool { return jobs[a].Name < jobs[b].Name })
			tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tLAST RUN\tSTATUS\tLAST VALUE")
			for _, j := range jobs {
				last, status := "-", "never run"
				runs, err := store.ListRuns(ctx, metastore.RunFilter{Kind: j.Kind, Name: j.Name, Limit: 1})
				if err != nil {
					return err
				}
				if len(runs) > 0 {
					last, status = runs[0].StartedAt.Format(time.RFC3339), runs[0].Status
				}
				wm, ok, err := store.Watermark(ctx, watermarkName(j.Name))
				if err != nil {
					return err
				}
				if !ok {
					wm = "-"
				}
				kind := j.Kind
				if j.Spec == declaredSpec {
					kind += " (hetl.yaml)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, kind, last, status, wm)
			}
			return tw.Flush()
		})(cmd, args)
	}
	return cmd
}

// declaredSpec marks the imports of hetl.yaml in the listing.
const declaredSpec = "hetl.yaml"
