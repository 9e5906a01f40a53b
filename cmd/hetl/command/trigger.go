package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newTriggerCommand(g *globalOptions) *cobra.Command {
	var hour string
	cmd := &cobra.Command{
		Use:   "trigger NAME --hour HOUR",
		Short: "Queue one window of a schedule now, whatever its status",
		Long: `trigger queues the window [HOUR, HOUR+1h) of a schedule at live priority: a window that
succeeded runs again, one that failed gets a fresh retry budget, one never scheduled (before the
schedule's start, or skipped by its catch-up policy) runs too. The window must have ended and
must not be running. The daemon (hetl schedule) starts it on its next pass; HOUR is UTC.`,
		Example: `  hetl trigger hourly_activity --hour 2026-11-21T10`,
		Args:    exactArgs(1),
	}
	cmd.Flags().StringVar(&hour, "hour", "", "the window's start: a UTC hour such as 2026-11-21T10")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		w, err := hourFlag(hour)
		if err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return withSchedule(ctx, e, args[0], func(k *schedKit) error {
				r, err := k.engine.Trigger(ctx, args[0], w)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "queued %s %s (%s); the scheduler starts it on its next pass\n", args[0], w, r.Status)
				return nil
			})
		})(cmd, args)
	}
	return cmd
}
