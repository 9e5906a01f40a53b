package hbase

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// Sentinel errors, always returned wrapped as "hbase <op> <table>: ...";
// test for them with errors.Is.
var (
	// ErrTableNotFound: the table does not exist.
	ErrTableNotFound = errors.New("table not found")
	// ErrTableExists: CreateTable found the table already there.
	ErrTableExists = errors.New("table already exists")
	// ErrClosed: the Client was closed.
	ErrClosed = errors.New("client closed")
)

// GatewayError is an error the Thrift2 gateway reported (an IOException or
// IllegalArgumentException on the HBase side).
type GatewayError struct {
	Op       string // the call and its table, e.g. "createTable ns:t"
	Message  string // HBase's message; often names the Java exception, sometimes only the table
	CanRetry bool   // the gateway's own hint
	Illegal  bool   // true for TIllegalArgument
}

func (e *GatewayError) Error() string {
	kind := "io error"
	if e.Illegal {
		kind = "illegal argument"
	}
	return fmt.Sprintf("hbase %s: %s: %s", e.Op, kind, firstLine(e.Message))
}

// translate maps errors of the generated client onto this package's errors.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var ioErr *thrift2.TIOError
	if errors.As(err, &ioErr) {
		msg := ioErr.GetMessage()
		switch {
		case strings.Contains(msg, "TableNotFoundException"):
			return fmt.Errorf("hbase %s: %w: %s", op, ErrTableNotFound, firstLine(msg))
		case strings.Contains(msg, "TableExistsException"):
			return fmt.Errorf("hbase %s: %w: %s", op, ErrTableExists, firstLine(msg))
		}
		return &GatewayError{Op: op, Message: msg, CanRetry: ioErr.GetCanRetry()}
	}
	var argErr *thrift2.TIllegalArgument
	if errors.As(err, &argErr) {
		return &GatewayError{Op: op, Message: argErr.GetMessage(), Illegal: true}
	}
	return fmt.Errorf("hbase %s: %w", op, err)
}

// firstLine keeps error messages to one line: the gateway often sends a whole
// Java stack trace.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
