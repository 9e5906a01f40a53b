package command

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/warehouse"
)

type reimportOptions struct {
	from, to   string
	partitions []string
	dryRun     bool
}

func newReimportCommand(g *globalOptions) *cobra.Command {
	o := &reimportOptions{}
	cmd := &cobra.Command{
		Use:   "reimport NAME (--from T1 --to T2 | --partition P ...)",
		Short: "Re-read some hours of a saved partitioned import from MySQL and replace exactly those partitions",
		Long: `reimport repairs a bad hour (or day): it re-reads from MySQL the rows of the saved job NAME
(see hetl job) that fall in [--from, --to) or in the given --partition paths, and replaces exactly
those partitions of the job's target — each atomically; a partition with no source rows now is
removed. Nothing else changes: other partitions keep their files, and an incremental job's last
value does not move (rows past it are left to the job's next run, so none is imported twice).
The replaced partitions are listed in the manifest's changed_partitions for downstream jobs.

It runs under the job's lease, like hetl job exec. --dry-run shows each partition with the rows
it has now and the rows it would have.`,
		Example: `  # the hours 02:00-05:00 UTC of 21 November
  hetl reimport events --from 2026-11-21T02 --to 2026-11-21T05 --dry-run
  hetl reimport events --from 2026-11-21T02 --to 2026-11-21T05

  # named partitions
  hetl reimport events --partition dt=2026-11-21/hr=02 --partition dt=2026-11-21/hr=07`,
		Args: exactArgs(1),
	}
	cmd.Flags().StringVar(&o.from, "from", "", "first hour to replace, UTC: 2026-11-21T02 or RFC 3339")
	cmd.Flags().StringVar(&o.to, "to", "", "end of the range (exclusive), UTC")
	cmd.Flags().StringArrayVar(&o.partitions, "partition", nil, "a partition to replace, as the target names it: dt=YYYY-MM-DD/hr=HH (repeatable)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "show the partitions with their rows now and after; change nothing")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if (o.from == "") != (o.to == "") {
			return usagef("give both --from and --to")
		}
		if (o.from == "") == (len(o.partitions) == 0) {
			return usagef("give --from and --to, or --partition")
		}
		var from, to time.Time
		if o.from != "" {
			var err error
			if from, err = parseHour("--from", o.from); err != nil {
				return err
			}
			if to, err = parseHour("--to", o.to); err != nil {
				return err
			}
			if !to.After(from) {
				return usagef("--to %s is not after --from %s", o.to, o.from)
			}
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			prepare := func(io *importOptions) error {
				if io.partitionBy == "" {
					return fmt.Errorf("job %s has no --partition-by: reimport replaces partitions", args[0])
				}
				_, gran, err := ingest.ParsePartitionBy(io.partitionBy)
				if err != nil {
					return err
				}
				parts := o.partitions
				if o.from != "" {
					parts = ingest.PartitionsBetween(from, to, gran)
				}
				for _, p := range parts {
					if _, _, err := ingest.PartitionRange(p, gran); err != nil {
						return usagef("--partition: %v", err)
					}
				}
				io.reimport = &ingest.Reimport{Partitions: parts}
				return nil
			}
			if o.dryRun {
				return planReimport(ctx, e, args[0], prepare, cmd.InOrStdin(), out, cmd.ErrOrStderr())
			}
			return execJob(ctx, e, args[0], nil, "reimport", prepare, cmd.InOrStdin(), out, cmd.ErrOrStderr())
		})(cmd, args)
	}
	return cmd
}

// parseHour reads 2026-11-21T02, 2026-11-21T02:00 or RFC 3339, as UTC.
func parseHour(flag, s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15", "2006-01-02T15:04", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usagef("%s %q: want 2026-11-21T02 or RFC 3339", flag, s)
}

func planReimport(ctx context.Context, e env, name string, prepare func(*importOptions) error, stdin io.Reader, out, stderr io.Writer) error {
	store, err := openMetastore(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	spec, _, err := findJob(ctx, e.cfg, store, name)
	if err != nil {
		return err
	}
	o, err := parseImportArgs(spec.Args)
	if err != nil {
		return fmt.Errorf("job %s: %w", name, err)
	}
	if err := prepare(o); err != nil {
		return err
	}
	opts, err := o.options(ctx, e, stdin, stderr)
	if err != nil {
		return err
	}
	target := o.targetLocation(e)
	fsys, dir, err := openTarget(ctx, e.cfg, target)
	if err != nil {
		return err
	}
	defer warehouse.CloseFS(fsys)
	opts.FS, opts.Dir = fsys, dir
	plan, err := ingest.PlanReimport(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "reimport of job %s would replace %d partition(s) of %s:\n", name, len(plan), target)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PARTITION\tROWS NOW\tROWS AFTER\t")
	for _, p := range plan {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", p.Partition, p.Now, p.WouldHave)
	}
	return tw.Flush()
}
