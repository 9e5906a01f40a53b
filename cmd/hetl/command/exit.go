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

// exitCodeError ends hetl with a code whose reason was already printed
// (by hetl-sql, which hetl sql runs).
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Execute runs hetl with args and returns the process exit code.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := NewRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return exitCode(root.ExecuteContext(ctx), "hetl", stderr)
}

// exitCode prints err (as program: err) and maps it to an exit code.
func exitCode(err error, program string, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	fmt.Fprintf(stderr, "%s: %v\n", program, err)
	var ue usageError
	switch {
	case errors.Is(err, context.Canceled):
		return ExitCanceled
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", program)
		return ExitUsage
	case errors.Is(err, config.ErrInvalid):
		return ExitConfig
	}
	return ExitFailure
}
