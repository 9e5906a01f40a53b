package command

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
)

// globalOptions are the flags every command has.
type globalOptions struct {
	configFile string
	defines    []string
	logLevel   string
	logFormat  string

	explicitConfig bool // --config given, or $HETL_CONFIG set
}

func (o *globalOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.configFile, "config", "", "configuration file (default $HETL_CONFIG, else ./hetl.yaml)")
	fs.StringArrayVarP(&o.defines, "define", "D", nil, "Hadoop-style generic option key=value, repeatable (e.g. -D dfs.replication=2)")
	fs.StringVar(&o.logLevel, "log-level", "", "log level: debug, info, warn or error (default from the config, else info)")
	fs.StringVar(&o.logFormat, "log-format", "", "log format: text or json (default from the config, else text)")
}

// Validate checks the flags themselves; the file is checked when loaded.
func (o *globalOptions) Validate() error {
	for _, d := range o.defines {
		k, _, ok := strings.Cut(d, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(k, " \t") {
			return usagef("-D %q: want key=value", d)
		}
	}
	if o.logLevel != "" && !oneOf(o.logLevel, "debug", "info", "warn", "error") {
		return usagef("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	if o.logFormat != "" && !oneOf(o.logFormat, "text", "json") {
		return usagef("--log-format %q: want text or json", o.logFormat)
	}
	return nil
}

// configPath says which file to read and whether its absence is an error.
func (o *globalOptions) configPath() (path string, explicit bool) {
	if o.configFile != "" {
		return o.configFile, true
	}
	if env := os.Getenv("HETL_CONFIG"); env != "" {
		return env, true
	}
	return "hetl.yaml", false
}

// loadConfig reads the configuration: an explicit file must exist; without
// one, ./hetl.yaml is used when present, else the built-in defaults.
func (o *globalOptions) loadConfig() (*config.Config, error) {
	path, explicit := o.configPath()
	var cfg *config.Config
	if _, err := os.Stat(path); err != nil && !explicit {
		cfg = config.Default()
		if err := cfg.Validate(nil); err != nil {
			return nil, err
		}
	} else {
		loaded, err := config.Load(path, nil)
		if err != nil {
			return nil, err
		}
		cfg = loaded
	}
	cfg.HadoopProperties = map[string]string{}
	for _, d := range o.defines {
		k, v, _ := strings.Cut(d, "=")
		cfg.HadoopProperties[strings.TrimSpace(k)] = v
	}
	if o.logLevel != "" {
		cfg.Log.Level = o.logLevel
	}
	if o.logFormat != "" {
		cfg.Log.Format = o.logFormat
	}
	return cfg, nil
}

// newLogger builds the logger every command receives; logs go to stderr so
// stdout stays for results.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	switch level {
	case "debug":
		lv = slog.LevelDebug
	case "warn":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// env is what a subcommand's Run gets besides ctx and out.
type env struct {
	cfg *config.Config
	log *slog.Logger
}

// withEnv wraps a Run function: it validates the global flags, loads the
// configuration and builds the logger first.
func withEnv(g *globalOptions, run func(ctx context.Context, e env, out io.Writer) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if err := g.Validate(); err != nil {
			return err
		}
		cfg, err := g.loadConfig()
		if err != nil {
			return err
		}
		log := newLogger(cmd.ErrOrStderr(), cfg.Log.Level, cfg.Log.Format)
		return run(cmd.Context(), env{cfg: cfg, log: log}, cmd.OutOrStdout())
	}
}

// NewRootCommand builds hetl's command tree.
func NewRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "hetl",
		Short: "Batch ETL for MySQL + Hadoop: import like Sqoop, hourly jobs, SQL for analysts",
		Long: `hetl moves MySQL tables into HDFS (Parquet, Hive-style hourly partitions) and HBase,
runs hourly cleanse/anonymize/aggregate jobs over them, and serves the results to analysts.

Configuration comes from hetl.yaml (see docs/configuration.md); every command takes
--config, -D key=value, --log-level and --log-format.`,
		Example: `  # the demo: seed an embedded MySQL-compatible server and import it
  hetl demo run

  # import a table into hourly Parquet partitions, protecting personal data
  hetl import --connection shop --table events --partition-by created_at:hour \
      --pii email=hash --pii-key-file /etc/hetl/pii.key --target-dir hdfs://nn:8020/warehouse/events

  # save it as an incremental job and run it
  hetl job create events -- --connection shop --table events --incremental append --check-column id \
      --partition-by created_at:hour --target-dir hdfs://nn:8020/warehouse/events
  hetl job exec events

  # check a configuration file and print it with secrets redacted
  hetl config check --config examples/hetl.yaml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	g.AddFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newVersionCommand(), newConfigCommand(g), newDocsCommand(), newCompletionCommand())
	root.AddCommand(newImportCommand(g), newDemoCommand(g))
	root.AddCommand(newJobCommand(g))
	root.AddCommand(newReimportCommand(g))
	root.AddCommand(newHBaseCommand(g))
	root.AddCommand(newExportCommand(g))
	root.AddCommand(newRunCommand(g), newBackfillCommand(g), newPipelinesCommand(g), newExplainCommand(g), newStaleCommand(g), newTaskCommand(g))
	root.AddCommand(newImportAllTablesCommand(g), newListDatabasesCommand(g), newListTablesCommand(g), newEvalCommand(g))
	root.AddCommand(newSQLCommand(g))
	root.AddCommand(newScheduleCommand(g), newTriggerCommand(g), newPauseCommand(g), newUnpauseCommand(g), newRetryCommand(g),
		newRunsCommand(g), newStatusCommand(g))
	// Unknown subcommands and bad arguments are usage errors too.
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for hetl", args[0])
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	return root
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// exactArgs is cobra.ExactArgs as a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}
