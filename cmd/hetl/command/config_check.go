package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newConfigCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "config",
		Short:   "Work with hetl's configuration file",
		Example: `  hetl config check --config /etc/hetl/hetl.yaml`,
		Args:    exactArgs(0),
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newConfigCheckCommand(g))
	return cmd
}

// configCheckOptions has no flags of its own: the file is the global --config.
type configCheckOptions struct{}

func newConfigCheckCommand(g *globalOptions) *cobra.Command {
	o := &configCheckOptions{}
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and print it, with defaults filled in and secrets redacted",
		Long: `check loads the configuration exactly as every other command does (strict keys, ${ENV}
interpolation, defaults, validation) and prints the effective configuration as YAML.
Passwords are never printed: connections show only their password_file or password_env.

It exits with status 3 and a message naming file, line and key when the configuration
is invalid.`,
		Example: `  hetl config check --config examples/hetl.yaml
  HETL_CONFIG=/etc/hetl/hetl.yaml hetl config check
  hetl config check -D dfs.replication=2`,
		Args: exactArgs(0),
		RunE: withEnv(g, o.Run),
	}
}

// Run prints the effective configuration.
func (o *configCheckOptions) Run(ctx context.Context, e env, out io.Writer) error {
	for _, name := range e.cfg.ImportNames() {
		if _, _, err := declaredImport(e.cfg, name); err != nil {
			return err
		}
	}
	text, err := e.cfg.Redacted()
	if err != nil {
		return fmt.Errorf("render configuration: %w", err)
	}
	source := e.cfg.File
	if source == "" {
		source = "built-in defaults (no hetl.yaml found)"
	}
	if _, err := fmt.Fprintf(out, "# effective configuration from %s\n%s", source, text); err != nil {
		return err
	}
	if len(e.cfg.HadoopProperties) > 0 {
		fmt.Fprintln(out, "# -D generic options (Hadoop properties):")
		for _, k := range sortedKeys(e.cfg.HadoopProperties) {
			fmt.Fprintf(out, "#   %s=%s\n", k, e.cfg.HadoopProperties[k])
		}
	}
	_, err = fmt.Fprintln(out, "configuration OK")
	return err
}
