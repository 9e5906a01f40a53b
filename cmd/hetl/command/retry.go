package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newRetryCommand(g *globalOptions) *cobra.Command {
	var hour string
	cmd := &cobra.Command{
		Use:   "retry NAME --hour HOUR",
		Short: "Run a failed window of a schedule again, with a fresh retry budget",
		Long: `retry queues a window that failed (it exhausted its retries, or an input sensor timed out)
with a fresh retry budget. A window that has not failed is refused: use hetl trigger to run a
window again whatever its status. HOUR is UTC.`,
		Example: `  hetl retry hourly_activity --hour 2026-11-21T10`,
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
				if _, err := k.engine.Retry(ctx, args[0], w); err != nil {
					return err
				}
				fmt.Fprintf(out, "queued %s %s again; the scheduler starts it on its next pass\n", args[0], w)
				return nil
			})
		})(cmd, args)
	}
	return cmd
}
