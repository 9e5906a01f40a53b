package command

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/warehouse"
)

func newPipelinesCommand(g *globalOptions) *cobra.Command {
	var runs int
	cmd := &cobra.Command{
		Use:   "pipelines",
		Short: "List the pipelines (hetl.yaml's and the built-in ones) with their last runs",
		Example: `  hetl pipelines
  hetl pipelines --runs 10`,
		Args: exactArgs(0),
	}
	cmd.Flags().IntVar(&runs, "runs", 3, "recent runs shown per pipeline")
	cmd.RunE = withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
		store, err := openMetastore(ctx, e.cfg)
		if err != nil {
			return err
		}
		defer store.Close()
		for _, name := range pipelineNames(e.cfg) {
			p, err := findPipeline(e.cfg, name)
			if err != nil {
				return err
			}
			src := "built in"
			if _, ok := e.cfg.Pipelines[name]; ok {
				src = e.cfg.File
			}
			var outs []string
			for _, st := range p.Steps {
				if st.Write != nil {
					outs = append(outs, st.Write.Table)
				}
			}
			fmt.Fprintf(out, "%s (%s): %s → %s\n", name, src, p.From.Table, strings.Join(outs, ", "))
			if p.Description != "" {
				fmt.Fprintf(out, "  %s\n", p.Description)
			}
			list, err := store.ListRuns(ctx, metastore.RunFilter{Kind: pipelineRunKind, Name: name, Limit: runs})
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(out, "  no runs yet")
				continue
			}
			tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			for _, r := range list {
				took := ""
				if !r.FinishedAt.IsZero() {
					took = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
				}
				fmt.Fprintf(tw, "  %s\tattempt %d\t%s\t%s\t%s\n", jobs.Window{Start: r.WindowStart}, r.Attempt, r.Status, took, firstLine(r.Error))
			}
			tw.Flush()
		}
		return nil
	})
	return cmd
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

type explainOptions struct {
	hour         string
	warehouseDir string
}

func newExplainCommand(g *globalOptions) *cobra.Command {
	o := &explainOptions{}
	cmd := &cobra.Command{
		Use:     "explain PIPELINE",
		Short:   "Show a pipeline's plan: each stage, the columns after it, and the inputs it reads",
		Example: `  hetl explain hourly_activity --hour 2026-11-21T10`,
		Args:    exactArgs(1),
	}
	cmd.Flags().StringVar(&o.hour, "hour", "", "the window to plan (default: the last full hour)")
	cmd.Flags().StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse to read (default: warehouse.location)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		w := jobs.HourOf(time.Now().Add(-time.Hour))
		if o.hour != "" {
			var err error
			if w, err = jobs.ParseHour(o.hour); err != nil {
				return usagef("--hour: %v", err)
			}
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			op, err := openPipeline(ctx, e, args[0], o.warehouseDir)
			if err != nil {
				return err
			}
			defer op.Close()
			text, err := jobs.Explain(ctx, args[0], op.spec, op.env, w)
			if err != nil {
				return err
			}
			_, err = io.WriteString(out, text)
			return err
		})(cmd, args)
	}
	return cmd
}

type staleOptions struct {
	warehouseDir string
}

func newStaleCommand(g *globalOptions) *cobra.Command {
	o := &staleOptions{}
	cmd := &cobra.Command{
		Use:   "stale PIPELINE",
		Short: "List the windows whose input changed after their last successful run",
		Long: `stale compares, for every window the pipeline has run successfully, the fact-table files the
window has now with those its last run read: late rows appended by an incremental import, or a
partition replaced by hetl reimport, make it stale. Rerun them with hetl run or hetl backfill
(which skips the windows that are not stale).`,
		Example: `  hetl stale hourly_activity`,
		Args:    exactArgs(1),
	}
	cmd.Flags().StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse to read (default: warehouse.location)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			name := args[0]
			p, err := findPipeline(e.cfg, name)
			if err != nil {
				return err
			}
			// Stale needs no PII key: it lists files, reads no rows.
			fsys, err := openWarehouse(ctx, e.cfg, o.warehouseDir)
			if err != nil {
				return err
			}
			defer warehouse.CloseFS(fsys)
			store, err := openMetastore(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			stale, checked, err := staleWindows(ctx, store, name, p, jobs.Env{FS: fsys, Log: e.log}, time.Time{})
			if err != nil {
				return err
			}
			for _, sw := range stale {
				fmt.Fprintf(out, "%s  stale: %s had %d rows when it ran, has %d now\n", sw.window, sw.now.Table, sw.was, sw.now.Rows)
			}
			fmt.Fprintf(out, "%s: %d of %d windows stale\n", name, len(stale), checked)
			return nil
		})(cmd, args)
	}
	return cmd
}

// staleWindow is a window whose fact input changed since its last
// successful run.
type staleWindow struct {
	window jobs.Window
	was    int64             // fact rows its last run read
	now    jobs.InputVersion // what it would read now
}

// staleWindows checks every window of a pipeline that succeeded (and
// starts at or after since, when set), newest first; checked is how many
// windows were compared. hetl stale and the scheduler's stale re-runs
// share it.
func staleWindows(ctx context.Context, store *metastore.Store, name string, p *spec.Pipeline, penv jobs.Env, since time.Time) (stale []staleWindow, checked int, err error) {
	runs, err := store.ListRuns(ctx, metastore.RunFilter{Kind: pipelineRunKind, Name: name, Status: metastore.RunSucceeded, Limit: 100000})
	if err != nil {
		return nil, 0, err
	}
	seen := map[time.Time]bool{}
	for _, r := range runs { // newest first: the first per window is its last
		if seen[r.WindowStart] || (!since.IsZero() && r.WindowStart.Before(since)) {
			continue
		}
		seen[r.WindowStart] = true
		w := jobs.Window{Start: r.WindowStart}
		last, err := lastSuccess(ctx, store, name, w)
		if err != nil {
			return nil, 0, err
		}
		isStale, now, err := jobs.Stale(ctx, p, penv, w, last.Inputs)
		if err != nil {
			return nil, 0, err
		}
		if isStale {
			was := int64(0)
			if len(last.Inputs) > 0 {
				was = last.Inputs[0].Rows
			}
			stale = append(stale, staleWindow{window: w, was: was, now: now})
		}
	}
	return stale, len(seen), nil
}
