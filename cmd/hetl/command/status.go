package command

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/jobs"
)

func newStatusCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each schedule: next run, lag, and the windows running, failed or waiting (and why)",
		Long: `status reads the scheduler's state from the metastore and shows, for each schedule of
hetl.yaml: its cron expression and zone, whether it is paused, when its next window falls due
(in its zone), the newest window done and how far behind now that is (lag), and how many windows
are running, failed or waiting. Then every waiting window with what holds it — an input whose
watermark has not reached the window's end plus lateness, a missing _SUCCESS marker, retry
backoff, a concurrency limit or the pause — and every failed window (hetl retry runs it again).`,
		Example: `  hetl status`,
		Args:    exactArgs(0),
	}
	cmd.RunE = withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
		k, err := openSchedKit(ctx, e, schedKitOptions{})
		if err != nil {
			return err
		}
		defer k.Close()
		return printStatus(ctx, k, e.cfg, out)
	})
	return cmd
}

// printStatus prints every schedule's state and its waiting and failed
// windows.
func printStatus(ctx context.Context, k *schedKit, cfg *config.Config, out io.Writer) error {
	st, err := k.engine.Status(ctx)
	if err != nil {
		return err
	}
	rows := make([][]string, 0, len(st.Schedules))
	for _, s := range st.Schedules {
		state := "active"
		if s.Paused {
			state = "paused"
		}
		last, lag := "none yet", ""
		if !s.LastDone.Start.IsZero() {
			last, lag = s.LastDone.String(), s.Lag.Round(time.Minute).String()
		}
		rows = append(rows, []string{s.Name, cfg.Schedules.Jobs[s.Name].Kind, s.Expr, s.Zone, s.CatchUp, state,
			s.NextDue.Format("2006-01-02 15:04 MST"), last, lag,
			strconv.Itoa(len(s.Running)), strconv.Itoa(len(s.Failed)), strconv.Itoa(len(s.Waiting))})
	}
	fmt.Fprint(out, renderTable([]string{"schedule", "kind", "cron", "zone", "catch-up", "state", "next due", "last done", "lag", "running", "failed", "waiting"},
		rows, []bool{false, false, false, false, false, false, false, false, true, true, true, true}))
	for _, s := range st.Schedules {
		for _, w := range s.Running {
			fmt.Fprintf(out, "%s %s: running\n", s.Name, w)
		}
		for _, w := range s.Waiting {
			fmt.Fprintf(out, "%s %s: waiting: %s\n", s.Name, w.Window, w.Reason)
		}
		if len(s.Failed) > 0 {
			names := make([]string, len(s.Failed))
			for i, w := range s.Failed {
				names[i] = w.String()
			}
			fmt.Fprintf(out, "%s: failed: %s (hetl retry %s --hour %s runs one again)\n", s.Name, strings.Join(names, ", "), s.Name, hourArg(s.Failed[0]))
		}
	}
	return nil
}

// hourArg is a window as --hour takes it.
func hourArg(w jobs.Window) string { return w.Start.UTC().Format("2006-01-02T15") }
