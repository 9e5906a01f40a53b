package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/metastore"
)

type backfillOptions struct {
	from, to string
	parallel int
	force    bool
	windowFlags
}

func newBackfillCommand(g *globalOptions) *cobra.Command {
	o := &backfillOptions{}
	cmd := &cobra.Command{
		Use:   "backfill PIPELINE --from HOUR --to HOUR",
		Short: "Run a pipeline for every hour of a range, skipping hours already up to date",
		Long: `backfill runs the windows [--from, --to) of a pipeline, --parallel at a time. A window whose
last successful run read exactly the fact-table files the window has now is skipped (its output
is current); late rows or a reimport since then make it run again. --force runs every window.
Each window publishes atomically and is recorded in the metastore, so an interrupted backfill
is simply started again.`,
		Example: `  hetl backfill hourly_activity --from 2026-11-21T00 --to 2026-11-22T00 --parallel 2
  hetl backfill hourly_activity --from 2026-11-21T00 --to 2026-11-21T06 --force`,
		Args: exactArgs(1),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.from, "from", "", "first hour (UTC)")
	fs.StringVar(&o.to, "to", "", "end hour, exclusive (UTC)")
	fs.IntVar(&o.parallel, "parallel", 1, "windows run at once")
	fs.BoolVar(&o.force, "force", false, "run windows that are up to date too")
	o.windowFlags.AddFlags(fs)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.windowFlags.Validate(); err != nil {
			return err
		}
		if o.from == "" || o.to == "" {
			return usagef("backfill needs --from and --to")
		}
		if o.parallel < 1 || o.parallel > 64 {
			return usagef("--parallel %d: want 1..64", o.parallel)
		}
		from, err := jobs.ParseHour(o.from)
		if err != nil {
			return usagef("--from: %v", err)
		}
		to, err := jobs.ParseHour(o.to)
		if err != nil {
			return usagef("--to: %v", err)
		}
		windows, err := jobs.Windows(from, to)
		if err != nil {
			return usagef("%v", err)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return backfill(ctx, e, args[0], windows, o, out)
		})(cmd, args)
	}
	return cmd
}

func backfill(ctx context.Context, e env, name string, windows []jobs.Window, o *backfillOptions, out io.Writer) error {
	r, err := o.windowFlags.open(ctx, e, name)
	if err != nil {
		return err
	}
	defer r.Close()
	holdHeapNear(r.env.MemoryBudget * int64(o.parallel)) // each window has its budget

	var (
		mu                   sync.Mutex
		ran, skipped, failed int
		errs                 []error
		wg                   sync.WaitGroup
	)
	queue := make(chan jobs.Window)
	for range o.parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range queue {
				line, err := backfillWindow(ctx, r.store, name, r.spec, r.env, w, o.force, r.exec)
				mu.Lock()
				switch {
				case err != nil:
					failed++
					errs = append(errs, fmt.Errorf("%s: %w", w, err))
					fmt.Fprintf(out, "%s  failed: %v\n", w, err)
				case line == "":
					skipped++
				default:
					ran++
					fmt.Fprintf(out, "%s  %s\n", w, line)
				}
				mu.Unlock()
			}
		}()
	}
	for _, w := range windows {
		if ctx.Err() != nil {
			break
		}
		queue <- w
	}
	close(queue)
	wg.Wait()
	fmt.Fprintf(out, "%s: %d windows run, %d up to date (skipped), %d failed\n", name, ran, skipped, failed)
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// backfillWindow runs one window unless it is up to date; it returns
// the summary line, "" when skipped.
func backfillWindow(ctx context.Context, store *metastore.Store, name string, p *spec.Pipeline, penv jobs.Env, w jobs.Window, force bool, exec jobs.Executor) (string, error) {
	if !force {
		last, err := lastSuccess(ctx, store, name, w)
		if err != nil {
			return "", err
		}
		if last != nil {
			stale, _, err := jobs.Stale(ctx, p, penv, w, last.Inputs)
			if err != nil {
				return "", err
			}
			if !stale {
				return "", nil
			}
		}
	}
	res, err := runWindow(ctx, store, name, p, penv, w, exec)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d rows in; %s; %d quarantined", res.RowsIn, outputSummary(res), sum(res.Quarantined)), nil
}
