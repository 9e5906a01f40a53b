package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newPauseCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pause NAME",
		Short: "Pause a schedule: no new windows start; running ones finish",
		Long: `pause stops a schedule in every daemon sharing the metastore: no windows are queued or
started for it until hetl unpause. Windows that fall due meanwhile are caught up on unpause as
the schedule's catch_up policy says.`,
		Example: `  hetl pause hourly_activity`,
		Args:    exactArgs(1),
	}
	cmd.RunE = withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
		return setPaused(ctx, e, out, cmd.Flags().Arg(0), true)
	})
	return cmd
}

// setPaused is pause and unpause.
func setPaused(ctx context.Context, e env, out io.Writer, name string, paused bool) error {
	err := withSchedule(ctx, e, name, func(k *schedKit) error {
		if paused {
			return k.engine.Pause(ctx, name)
		}
		return k.engine.Unpause(ctx, name)
	})
	if err != nil {
		return err
	}
	verb := "paused"
	if !paused {
		verb = "unpaused"
	}
	fmt.Fprintf(out, "%s %s\n", verb, name)
	return nil
}
