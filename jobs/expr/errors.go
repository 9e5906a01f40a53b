package expr

import "fmt"

// Error is a problem with an expression: a syntax error from Parse, a
// type error from Compile, or a value that cannot be computed from Eval.
// Pos is the 1-based character position in the expression's source of
// the part at fault (0 when it is not known).
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string {
	if e.Pos <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("position %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, a ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, a...)}
}
