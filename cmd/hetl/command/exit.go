package command

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hetl/hetl/config"
)

// Exit codes of the hetl binary.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // the work failed
	ExitUsage    = 2 // bad flags or arguments
	ExitConfig   = 3 // the configuration is invalid
	ExitCanceled = 130
)

// usageError marks errors in how hetl was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Execute runs hetl with args and returns the process exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := NewRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(stderr, "hetl: %v\n", err)
	var ue usageError
	switch {
	case errors.Is(err, context.Canceled):
		return ExitCanceled
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "Run 'hetl --help' for usage.")
		return ExitUsage
	case errors.Is(err, config.ErrInvalid):
		return ExitConfig
	}
	return ExitFailure
}
