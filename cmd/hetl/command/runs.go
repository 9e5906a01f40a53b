package command

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/scheduler"
)

type runsOptions struct {
	failed bool
	since  string
	hour   string
	limit  int
}

func newRunsCommand(g *globalOptions) *cobra.Command {
	o := &runsOptions{}
	cmd := &cobra.Command{
		Use:   "runs [NAME]",
		Short: "List the scheduler's runs (newest window first), or one window's attempts",
		Long: `runs lists the windows the scheduler has run or will run, newest first, as a table: the
schedule, the UTC window, its status, why it was queued (cron, catchup, manual, retry, stale),
its attempts, when the latest attempt started and how long it took, the rows it read, and its
error — or, for a window waiting to run, what it waits for. With NAME and --hour it lists
that window's attempts instead. Runs of hetl run and hetl job exec started by hand are listed
by hetl pipelines and hetl job list; the scheduler's own runs of them appear there too.`,
		Example: `  hetl runs
  hetl runs hourly_activity --failed
  hetl runs --since 24h
  hetl runs events --since 2026-11-21T00
  hetl runs hourly_activity --hour 2026-11-21T10   # the window's attempts`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("hetl runs takes at most one schedule name")
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.failed, "failed", false, "only windows that failed")
	fs.StringVar(&o.since, "since", "", "only windows starting at or after this: a duration back from now (24h) or a UTC hour (2026-11-21T00)")
	fs.StringVar(&o.hour, "hour", "", "with NAME: list this window's attempts")
	fs.IntVar(&o.limit, "limit", 100, "at most this many runs (0: all)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if o.limit < 0 {
			return usagef("--limit %d: want 0 or more", o.limit)
		}
		f := scheduler.RunFilter{Newest: true, Limit: o.limit}
		if len(args) == 1 {
			f.Schedule = args[0]
		}
		if o.failed {
			f.Statuses = []scheduler.RunStatus{scheduler.StatusFailed}
		}
		if o.since != "" {
			from, err := parseSince(o.since, time.Now())
			if err != nil {
				return err
			}
			f.From = from
		}
		var w jobs.Window
		if o.hour != "" {
			if f.Schedule == "" {
				return usagef("--hour lists one window's attempts: name the schedule too")
			}
			var err error
			if w, err = hourFlag(o.hour); err != nil {
				return err
			}
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			if f.Schedule != "" {
				if err := scheduleNamed(e.cfg, f.Schedule); err != nil {
					return err
				}
			}
			k, err := openSchedKit(ctx, e, schedKitOptions{})
			if err != nil {
				return err
			}
			defer k.Close()
			if o.hour != "" {
				return printAttempts(ctx, k, out, f.Schedule, w)
			}
			return printRuns(ctx, k, out, f)
		})(cmd, args)
	}
	return cmd
}

// printRuns prints the runs f selects as a table.
func printRuns(ctx context.Context, k *schedKit, out io.Writer, f scheduler.RunFilter) error {
	runs, err := k.engine.Runs(ctx, f)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintln(out, "no runs")
		return nil
	}
	now := time.Now()
	rows := make([][]string, 0, len(runs))
	for _, r := range runs {
		rows = append(rows, []string{r.Key.Schedule, r.Key.Window.String(), string(r.Status), string(r.Trigger),
			strconv.Itoa(r.Attempts), stamp(r.Started), took(r.Started, r.Finished, r.Status, now), strconv.FormatInt(r.Rows, 10), runNote(r, now)})
	}
	fmt.Fprint(out, renderTable([]string{"schedule", "window", "status", "trigger", "attempts", "started", "took", "rows", "note"},
		rows, []bool{false, false, false, false, true, false, true, true, false}))
	return nil
}

func printAttempts(ctx context.Context, k *schedKit, out io.Writer, name string, w jobs.Window) error {
	as, err := k.engine.Attempts(ctx, name, w)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		fmt.Fprintf(out, "%s %s: no attempts\n", name, w)
		return nil
	}
	rows := make([][]string, 0, len(as))
	for _, a := range as {
		rows = append(rows, []string{strconv.Itoa(a.Seq), string(a.Status), string(a.Trigger), a.Holder, strconv.FormatInt(a.Token, 10),
			stamp(a.Started), took(a.Started, a.Finished, a.Status, time.Now()), strconv.FormatInt(a.Rows, 10), firstLine(a.Error)})
	}
	fmt.Fprintf(out, "%s %s\n", name, w)
	fmt.Fprint(out, renderTable([]string{"attempt", "status", "trigger", "holder", "token", "started", "took", "rows", "error"},
		rows, []bool{true, false, false, false, true, false, true, true, false}))
	return nil
}

// parseSince reads --since: a duration back from now or a UTC hour.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, usagef("--since %s: want a positive duration", s)
		}
		return now.Add(-d).UTC().Truncate(time.Hour), nil
	}
	w, err := jobs.ParseHour(s)
	if err != nil {
		return time.Time{}, usagef("--since %q: want a duration such as 24h or a UTC hour such as 2026-11-21T00", s)
	}
	return w.Start, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func took(started, finished time.Time, status scheduler.RunStatus, now time.Time) string {
	switch {
	case started.IsZero():
		return ""
	case status == scheduler.StatusRunning:
		return now.Sub(started).Round(time.Second).String() + "…"
	case finished.IsZero():
		return ""
	}
	return finished.Sub(started).Round(time.Millisecond).String()
}

// runNote is a run's error, or what a waiting run waits for.
func runNote(r scheduler.Run, now time.Time) string {
	switch {
	case r.Status == scheduler.StatusRunning:
		return "held by " + r.Holder
	case r.Status.Runnable() && r.NotBefore.After(now):
		return "retry after " + stamp(r.NotBefore) + ": " + firstLine(r.Error)
	case r.Status.Runnable() && r.Blocked != "":
		return "waiting: " + r.Blocked
	case r.Status == scheduler.StatusSkipped:
		return "skipped by the catch-up policy"
	}
	return strings.TrimSpace(firstLine(r.Error))
}
