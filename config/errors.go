package config

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every configuration error: errors.Is(err, ErrInvalid).
var ErrInvalid = errors.New("invalid configuration")

// Error is a configuration problem at a place in a file.
type Error struct {
	File string // path of the configuration file; "" for built-in defaults
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key path, e.g. connections.app.password_file
	Msg  string
}

func (e *Error) Error() string {
	where := e.File
	if where == "" {
		where = "configuration"
	}
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Line)
	}
	if e.Key == "" {
		return where + ": " + e.Msg
	}
	return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Msg)
}

func (e *Error) Unwrap() error { return ErrInvalid }
