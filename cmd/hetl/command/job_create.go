package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/metastore"
)

var jobNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func newJobCreateCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create NAME -- IMPORT-FLAGS...",
		Short: "Save an import under a name",
		Long: `create checks the import flags as 'hetl import' would and saves them in the metastore.
--password is refused: a saved job names a connection, a --password-file or relies on
$HETL_MYSQL_PASSWORD at execution.`,
		Example: `  hetl job create orders -- --connection shop --table orders \
      --incremental lastmodified --check-column updated_at --append --target-dir /data/orders`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usagef("hetl job create needs a NAME, then -- and the import flags")
			}
			if cmd.ArgsLenAtDash() != 1 {
				return usagef("hetl job create NAME -- IMPORT-FLAGS...: put the import flags after --")
			}
			return nil
		},
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name, flags := args[0], args[1:]
		if !jobNameRE.MatchString(name) {
			return usagef("job name %q: use letters, digits, '.', '_' and '-' (up to 128)", name)
		}
		o, err := parseImportArgs(flags)
		if err != nil {
			return err
		}
		if o.src.password != "" {
			return usagef("a saved job cannot hold a password: use --connection, --password-file or $HETL_MYSQL_PASSWORD")
		}
		if o.src.prompt {
			return usagef("a saved job cannot prompt (-P): use --connection, --password-file or $HETL_MYSQL_PASSWORD")
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			if _, declared := e.cfg.Imports[name]; declared {
				return fmt.Errorf("%s declares an import named %s; pick another name", e.cfg.File, name)
			}
			store, err := openMetastore(ctx, e.cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			spec, _ := json.Marshal(jobSpec{Command: "import", Args: flags})
			err = store.SaveJob(ctx, metastore.Job{Name: name, Kind: "import", Spec: string(spec)})
			if errors.Is(err, metastore.ErrJobExists) {
				return fmt.Errorf("a job named %s exists; delete it first (hetl job delete %s)", name, name)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "saved job %s: hetl import %s\n", name, shellQuote(flags))
			return nil
		})(cmd, args)
	}
	return cmd
}
