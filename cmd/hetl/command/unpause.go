package command

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

func newUnpauseCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "unpause NAME",
		Short: "Resume a paused schedule",
		Long: `unpause resumes a schedule paused with hetl pause. Windows that fell due while it was paused
are caught up as its catch_up policy says (all, latest, none or the newest N); the others are
recorded as skipped.`,
		Example: `  hetl unpause hourly_activity`,
		Args:    exactArgs(1),
	}
	cmd.RunE = withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
		return setPaused(ctx, e, out, cmd.Flags().Arg(0), false)
	})
	return cmd
}
