package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/metastore"
)

// jobSpec is a saved job as the metastore keeps it: the command and its
// flags. Passwords are never in it: --password is refused at creation.
type jobSpec struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
}

func newJobCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "job",
		Short: "Saved imports kept in the metastore, like `sqoop job`",
		Long: `A saved job is an import command kept under a name in hetl's metastore (hetl.yaml's
metastore.url), to be run again and again — typically an incremental import, whose last value
lives in the target's manifest and so is always where the last published run left it.

Passwords are never saved: a job names a connection, a password file or $HETL_MYSQL_PASSWORD.
Two executions of one job at once are refused, also from two machines sharing a MySQL metastore.`,
		Example: `  hetl job create events -- --connection shop --table events \
      --incremental append --check-column id --partition-by created_at:hour \
      --target-dir hdfs://nn:8020/warehouse/events
  hetl job exec events
  hetl job list`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newJobCreateCommand(g), newJobExecCommand(g), newJobListCommand(g), newJobShowCommand(g), newJobDeleteCommand(g))
	return cmd
}

// parseImportArgs checks a saved job's import flags the way `hetl import`
// would, without running anything.
func parseImportArgs(args []string) (*importOptions, error) {
	o := &importOptions{}
	fs := pflag.NewFlagSet("import", pflag.ContinueOnError)
	fs.SetOutput(devNull{})
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q in the import flags", fs.Arg(0))
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

type devNull struct{}

func (devNull) Write(b []byte) (int, error) { return len(b), nil }

// openMetastore opens the configured metastore.
func openMetastore(ctx context.Context, cfg *config.Config) (*metastore.Store, error) {
	pw, err := cfg.Metastore.Password(ctx)
	if err != nil {
		return nil, err
	}
	url := cfg.Metastore.URL
	if p, ok := strings.CutPrefix(url, "sqlite:"); ok {
		if err := os.MkdirAll(dirOf(p), 0o755); err != nil {
			return nil, fmt.Errorf("metastore: %w", err)
		}
	}
	return metastore.Open(ctx, url, metastore.Options{Password: pw})
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "."
}

// loadJob reads a saved job and its spec.
func loadJob(ctx context.Context, store *metastore.Store, name string) (metastore.Job, jobSpec, error) {
	j, err := store.Job(ctx, name)
	if errors.Is(err, metastore.ErrJobNotFound) {
		return j, jobSpec{}, fmt.Errorf("no saved job named %q (see hetl job list): %w", name, err)
	}
	if err != nil {
		return j, jobSpec{}, err
	}
	var spec jobSpec
	if err := json.Unmarshal([]byte(j.Spec), &spec); err != nil {
		return j, spec, fmt.Errorf("job %s: its spec is not hetl's: %w", name, err)
	}
	if spec.Command != "import" {
		return j, spec, fmt.Errorf("job %s: command %q is not one hetl runs", name, spec.Command)
	}
	return j, spec, nil
}

// declaredImport is an import declared in hetl.yaml, checked like a saved
// job; errors name the file, line and key.
func declaredImport(cfg *config.Config, name string) (args []string, ok bool, err error) {
	args, ok, err = cfg.ImportArgs(name)
	if !ok || err != nil {
		return nil, ok, err
	}
	o, err := parseImportArgs(args)
	if err == nil && o.src.password != "" {
		err = errors.New("a declared import cannot hold a password: use connection, password-file or $HETL_MYSQL_PASSWORD")
	}
	if err == nil && o.src.prompt {
		err = errors.New("a declared import cannot prompt for a password (P)")
	}
	if err != nil {
		return nil, true, cfg.Errorf("imports."+name, "%v", err)
	}
	return args, true, nil
}

// findJob finds a job in hetl.yaml's imports or the metastore; a name in
// both is an error, so what runs is never ambiguous.
func findJob(ctx context.Context, cfg *config.Config, store *metastore.Store, name string) (spec jobSpec, declared bool, err error) {
	args, declared, err := declaredImport(cfg, name)
	if err != nil {
		return spec, declared, err
	}
	_, saved, serr := loadJob(ctx, store, name)
	switch {
	case declared && serr == nil:
		return spec, true, fmt.Errorf("job %s is both declared in %s and saved in the metastore; delete one (hetl job delete %s removes the saved one)", name, cfg.File, name)
	case declared:
		return jobSpec{Command: "import", Args: args}, true, nil
	case serr != nil:
		return spec, false, serr
	}
	return saved, false, nil
}

// watermarkName is where a job's last value is mirrored in the metastore.
func watermarkName(job string) string { return "import:" + job }

// shellQuote prints args so they can be pasted into a shell.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
