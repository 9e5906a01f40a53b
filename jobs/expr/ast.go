package expr

import (
	"strconv"
	"strings"
)

// Expr is a parsed expression. String prints it back in canonical form:
// keywords and function names upper case, every operation parenthesised,
// names backquoted when they need it; parsing that text gives the same
// expression again.
type Expr interface {
	String() string
	pos() int // 1-based character position, for errors
}

type (
	numLit struct {
		at    int
		text  string // as written: 42, 1.5, 1e3
		float bool
	}
	strLit struct {
		at  int
		val string
	}
	boolLit struct {
		at  int
		val bool
	}
	nullLit struct{ at int }
	// timeLit is TIMESTAMP '...' or DATE '...', checked by the parser.
	timeLit struct {
		at   int
		text string
		date bool
		val  int64 // µs since the epoch, or days for a DATE
	}
	// intervalLit is INTERVAL 'n' unit.
	intervalLit struct {
		at   int
		text string // the count as written, e.g. "15" or "-2"
		unit string // SECOND, MINUTE, HOUR or DAY
		us   int64
	}
	colRef struct {
		at   int
		name string
	}
	unaryExpr struct {
		at int
		op string // "-" or "NOT"
		x  Expr
	}
	binaryExpr struct {
		at   int
		op   string // + - * / % DIV || = <> < <= > >= AND OR
		l, r Expr
	}
	isNullExpr struct {
		at  int
		x   Expr
		not bool
	}
	inExpr struct {
		at   int
		x    Expr
		list []Expr
		not  bool
	}
	betweenExpr struct {
		at        int
		x, lo, hi Expr
		not       bool
	}
	likeExpr struct {
		at     int
		x, pat Expr
		not    bool
	}
	caseExpr struct {
		at      int
		subject Expr // nil for CASE WHEN cond ...
		whens   []Expr
		thens   []Expr
		els     Expr // nil: ELSE NULL
	}
	castExpr struct {
		at  int
		x   Expr
		to  typeName
		try bool
	}
	callExpr struct {
		at   int
		name string // upper case
		args []Expr
	}
)

// typeName is a CAST target.
type typeName struct {
	name       string // BIGINT, DOUBLE, DECIMAL, VARCHAR, BOOLEAN, TIMESTAMP, DATE
	prec, scal int32  // DECIMAL only
}

func (t typeName) String() string {
	if t.name == "DECIMAL" {
		return "DECIMAL(" + strconv.Itoa(int(t.prec)) + "," + strconv.Itoa(int(t.scal)) + ")"
	}
	return t.name
}

func (e *numLit) pos() int      { return e.at }
func (e *strLit) pos() int      { return e.at }
func (e *boolLit) pos() int     { return e.at }
func (e *nullLit) pos() int     { return e.at }
func (e *timeLit) pos() int     { return e.at }
func (e *intervalLit) pos() int { return e.at }
func (e *colRef) pos() int      { return e.at }
func (e *unaryExpr) pos() int   { return e.at }
func (e *binaryExpr) pos() int  { return e.at }
func (e *isNullExpr) pos() int  { return e.at }
func (e *inExpr) pos() int      { return e.at }
func (e *betweenExpr) pos() int { return e.at }
func (e *likeExpr) pos() int    { return e.at }
func (e *caseExpr) pos() int    { return e.at }
func (e *castExpr) pos() int    { return e.at }
func (e *callExpr) pos() int    { return e.at }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteName prints a column name bare when it reads back as the same
// column, else in backquotes.
func quoteName(s string) string {
	plain := s != "" && isNameStart(s[0])
	for i := 1; plain && i < len(s); i++ {
		plain = isNameStart(s[i]) || isDigit(s[i])
	}
	if plain && !reserved[strings.ToUpper(s)] && !special[strings.ToUpper(s)] {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

func (e *numLit) String() string  { return e.text }
func (e *strLit) String() string  { return quoteString(e.val) }
func (e *nullLit) String() string { return "NULL" }
func (e *boolLit) String() string {
	if e.val {
		return "TRUE"
	}
	return "FALSE"
}

func (e *timeLit) String() string {
	if e.date {
		return "DATE " + quoteString(e.text)
	}
	return "TIMESTAMP " + quoteString(e.text)
}

func (e *intervalLit) String() string { return "INTERVAL " + quoteString(e.text) + " " + e.unit }
func (e *colRef) String() string      { return quoteName(e.name) }

func (e *unaryExpr) String() string {
	if e.op == "NOT" {
		return "(NOT " + e.x.String() + ")"
	}
	return "(-" + e.x.String() + ")"
}

func (e *binaryExpr) String() string {
	return "(" + e.l.String() + " " + e.op + " " + e.r.String() + ")"
}

func not(b bool) string {
	if b {
		return " NOT"
	}
	return ""
}

func (e *isNullExpr) String() string {
	return "(" + e.x.String() + " IS" + not(e.not) + " NULL)"
}

func (e *inExpr) String() string {
	return "(" + e.x.String() + not(e.not) + " IN (" + joinExprs(e.list) + "))"
}

func (e *betweenExpr) String() string {
	return "(" + e.x.String() + not(e.not) + " BETWEEN " + e.lo.String() + " AND " + e.hi.String() + ")"
}

func (e *likeExpr) String() string {
	return "(" + e.x.String() + not(e.not) + " LIKE " + e.pat.String() + ")"
}

func (e *caseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.subject != nil {
		b.WriteString(" " + e.subject.String())
	}
	for i := range e.whens {
		b.WriteString(" WHEN " + e.whens[i].String() + " THEN " + e.thens[i].String())
	}
	if e.els != nil {
		b.WriteString(" ELSE " + e.els.String())
	}
	b.WriteString(" END")
	return b.String()
}

func (e *castExpr) String() string {
	name := "CAST"
	if e.try {
		name = "TRY_CAST"
	}
	return name + "(" + e.x.String() + " AS " + e.to.String() + ")"
}

func (e *callExpr) String() string { return e.name + "(" + joinExprs(e.args) + ")" }

func joinExprs(list []Expr) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = x.String()
	}
	return strings.Join(parts, ", ")
}
