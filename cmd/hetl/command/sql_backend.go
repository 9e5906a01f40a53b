package command

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/warehouse"
)

// SQLBackend runs SQL over the warehouse for `sql query` and `sql serve`.
// hetl has none: go-mysql-server is not linked into it (its start-up
// alone costs every hetl command 0.3 s and 60 MiB), so hetl runs the
// companion program hetl-sql with the same arguments. hetl-sql is these
// commands with a backend plugged in (NewSQLProgram).
type SQLBackend interface {
	Query(ctx context.Context, req SQLQueryRequest) (SQLRows, error)
	// Serve runs the MySQL-protocol endpoint until ctx ends, then shuts
	// it down gracefully.
	Serve(ctx context.Context, req SQLServeRequest) error
}

// SQLQueryRequest is one statement for SQLBackend.Query.
type SQLQueryRequest struct {
	FS        warehouse.FS
	Databases map[string][]string // name → table patterns
	Database  string              // the current database
	Query     string
}

// SQLColumn is a result column.
type SQLColumn struct {
	Name    string
	Numeric bool // right-aligned in tables, a number in JSON
}

// SQLRows is a result, row by row.
type SQLRows interface {
	Columns() []SQLColumn
	// Next returns the next row's values as MySQL's text protocol sends
	// them (nil: NULL), or io.EOF after the last.
	Next() ([][]byte, error)
	Close() error
}

// SQLServeRequest is what SQLBackend.Serve serves.
type SQLServeRequest struct {
	FS                     warehouse.FS
	Databases              map[string][]string
	Addr                   string
	Users                  []config.ResolvedSQLUser
	TLS                    *tls.Config
	RequireSecureTransport bool
	MaxConnections         int
	QueryTimeout           time.Duration
	MaxRows                int64
	ShutdownGrace          time.Duration
	Log                    *slog.Logger
	// Ready is called with the address once the endpoint listens.
	Ready func(addr string)
}

// SQLProgram is the companion program that runs the SQL engine.
const SQLProgram = "hetl-sql"

// SQLProgramEnv names a variable that overrides where SQLProgram is.
const SQLProgramEnv = "HETL_SQL"

// NewSQLProgram is hetl-sql's command tree: `hetl sql`'s query, serve and
// hash-password commands, run in-process by b.
func NewSQLProgram(b SQLBackend) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   SQLProgram,
		Short: "hetl's SQL engine: the commands of 'hetl sql' that run SQL (hetl starts this program)",
		Long: `hetl-sql runs SQL over the warehouse: 'hetl sql query' and 'hetl sql serve' run it with
their own arguments, so people rarely call it directly. It reads the same hetl.yaml.`,
		Example: `  hetl-sql query "SELECT COUNT(*) FROM agg_events_hourly"
  hetl-sql serve --listen 127.0.0.1:3307`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	g.AddFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newSQLQueryCommand(g, b), newSQLServeCommand(g, b), newSQLHashPasswordCommand(), newVersionCommand())
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %s", args[0], SQLProgram)
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	return root
}

// ExecuteSQLProgram runs hetl-sql with args and returns its exit code.
func ExecuteSQLProgram(ctx context.Context, b SQLBackend, args []string, stdout, stderr io.Writer) int {
	root := NewSQLProgram(b)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return exitCode(root.ExecuteContext(ctx), SQLProgram, stderr)
}

// forwardSQL runs `hetl-sql SUB` with the flags set on cmd and args: the
// same command, with the engine. Its output is this command's; when
// ctx ends (SIGINT, SIGTERM) it gets SIGTERM and grace to stop.
func forwardSQL(cmd *cobra.Command, args []string, grace time.Duration) error {
	bin, err := findSQLProgram()
	if err != nil {
		return err
	}
	fwd := []string{cmd.Name()}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				fwd = append(fwd, "--"+f.Name+"="+v)
			}
			return
		}
		fwd = append(fwd, "--"+f.Name+"="+f.Value.String())
	})
	fwd = append(fwd, "--")
	fwd = append(fwd, args...)
	c := exec.CommandContext(cmd.Context(), bin, fwd...)
	c.Stdin, c.Stdout, c.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGTERM) }
	c.WaitDelay = grace + 10*time.Second
	// A pipe the child watches: if hetl dies without a signal to pass on
	// (SIGKILL, a crash), the pipe closes and hetl-sql stops too, rather
	// than serving on as an orphan.
	pr, pw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("run %s: %w", bin, err)
	}
	c.ExtraFiles = []*os.File{pr}
	c.Env = append(os.Environ(), sqlParentFDEnv+"=3")
	err = c.Start()
	pr.Close()
	if err != nil {
		pw.Close()
		return fmt.Errorf("run %s: %w", bin, err)
	}
	err = c.Wait()
	pw.Close()
	var ee *exec.ExitError
	switch {
	case err == nil, c.ProcessState != nil && c.ProcessState.Success():
		return nil // also after a SIGTERM it handled: a graceful stop
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		// hetl-sql said what went wrong; exit as it did.
		return exitCodeError{ee.ExitCode()}
	case cmd.Context().Err() != nil:
		return cmd.Context().Err()
	}
	return fmt.Errorf("run %s: %w", bin, err)
}

// sqlParentFDEnv tells hetl-sql which inherited file to watch for its
// parent's end.
const sqlParentFDEnv = "HETL_SQL_PARENT_FD"

// WatchParent returns a context that ends with ctx or, when hetl started
// this process (hetl-sql), when hetl's end of the pipe it passed closes.
func WatchParent(ctx context.Context) context.Context {
	fd := os.Getenv(sqlParentFDEnv)
	os.Unsetenv(sqlParentFDEnv)
	if fd != "3" {
		return ctx
	}
	f := os.NewFile(3, "hetl-parent")
	if f == nil {
		return ctx
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		_, _ = io.Copy(io.Discard, f) // returns when hetl's end closes
	}()
	return ctx
}

// findSQLProgram looks for SQLProgram: $HETL_SQL, then beside the running
// executable (bin/hetl and bin/hetl-sql), then PATH.
func findSQLProgram() (string, error) {
	if p := os.Getenv(SQLProgramEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", SQLProgramEnv, err)
		}
		return p, nil
	}
	var beside string
	if exe, err := os.Executable(); err == nil {
		beside = filepath.Join(filepath.Dir(exe), SQLProgram)
		if _, err := os.Stat(beside); err == nil {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(SQLProgram); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s (hetl's SQL engine) not found beside %s or on PATH; build it with 'make build' (or go build -o bin/ ./cmd/...), or set $%s", SQLProgram, beside, SQLProgramEnv)
}
