package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newJobDeleteCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a saved job (its target's data stays)",
		Long: `delete removes the job from the metastore. The data it imported, and the last value kept
in the target's manifest, stay where they are.`,
		Example: `  hetl job delete events`,
		Args:    exactArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			store, err := openMetastore(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			if _, _, err := loadJob(ctx, store, args[0]); err != nil {
				if _, declared := e.cfg.Imports[args[0]]; declared {
					return fmt.Errorf("%s is declared in %s; remove it there", args[0], e.cfg.File)
				}
				return err
			}
			if err := store.DeleteJob(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(out, "deleted job %s\n", args[0])
			return nil
		})(cmd, args)
	}
	return cmd
}
