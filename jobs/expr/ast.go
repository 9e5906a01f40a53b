package expr

import (
	"strings"
)

// Expr is a parsed expression. String prints it back in canonical form
// (keywords upper case, every operation parenthesised).
type Expr interface {
	String() string
	position() int
}

type (
	literal struct {
		pos  int
		kind tokKind // tInt, tFloat, tString, or tIdent for TRUE/FALSE/NULL
		text string
	}
	column struct {
		pos  int
		name string
	}
	unary struct {
		pos int
		op  string // "-" or "NOT"
		x   Expr
	}
	binary struct {
		pos  int
		op   string // + - * / % || = <> < <= > >= AND OR
		l, r Expr
	}
	isNull struct {
		pos int
		x   Expr
		not bool
	}
	inList struct {
		pos  int
		x    Expr
		list []Expr
		not  bool
	}
	like struct {
		pos     int
		x       Expr
		pattern Expr
		not     bool
	}
	call struct {
		pos  int
		name string // upper case
		args []Expr
	}
	caseExpr struct {
		pos   int
		whens []Expr
		thens []Expr
		els   Expr // nil: NULL
	}
)

func (e *literal) position() int  { return e.pos }
func (e *column) position() int   { return e.pos }
func (e *unary) position() int    { return e.pos }
func (e *binary) position() int   { return e.pos }
func (e *isNull) position() int   { return e.pos }
func (e *inList) position() int   { return e.pos }
func (e *like) position() int     { return e.pos }
func (e *call) position() int     { return e.pos }
func (e *caseExpr) position() int { return e.pos }

func (e *literal) String() string {
	switch e.kind {
	case tString:
		return "'" + strings.ReplaceAll(e.text, "'", "''") + "'"
	case tIdent:
		return strings.ToUpper(e.text)
	}
	return e.text
}

func (e *column) String() string { return "`" + strings.ReplaceAll(e.name, "`", "``") + "`" }

func (e *unary) String() string {
	if e.op == "NOT" {
		return "(NOT " + e.x.String() + ")"
	}
	return "(-" + e.x.String() + ")"
}

func (e *binary) String() string { return "(" + e.l.String() + " " + e.op + " " + e.r.String() + ")" }

func (e *isNull) String() string {
	if e.not {
		return "(" + e.x.String() + " IS NOT NULL)"
	}
	return "(" + e.x.String() + " IS NULL)"
}

func (e *inList) String() string {
	parts := make([]string, len(e.list))
	for i, x := range e.list {
		parts[i] = x.String()
	}
	op := " IN ("
	if e.not {
		op = " NOT IN ("
	}
	return "(" + e.x.String() + op + strings.Join(parts, ", ") + "))"
}

func (e *like) String() string {
	op := " LIKE "
	if e.not {
		op = " NOT LIKE "
	}
	return "(" + e.x.String() + op + e.pattern.String() + ")"
}

func (e *call) String() string {
	parts := make([]string, len(e.args))
	for i, x := range e.args {
		parts[i] = x.String()
	}
	return e.name + "(" + strings.Join(parts, ", ") + ")"
}

func (e *caseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for i := range e.whens {
		b.WriteString(" WHEN " + e.whens[i].String() + " THEN " + e.thens[i].String())
	}
	if e.els != nil {
		b.WriteString(" ELSE " + e.els.String())
	}
	b.WriteString(" END")
	return b.String()
}
