package expr

import (
	"math"
	"strconv"
	"strings"
)

// reserved words are never names of columns or functions (a column so
// named is written `in backquotes`).
var reserved = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IS": true, "NULL": true, "IN": true, "LIKE": true,
	"BETWEEN": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true,
	"TRUE": true, "FALSE": true, "DIV": true, "AS": true,
}

// special words start a construct only in a certain spot (CAST(, DATE
// '...', INTERVAL '15' ...); elsewhere they are names. String() quotes
// columns so named, to stay unambiguous.
var special = map[string]bool{"CAST": true, "TRY_CAST": true, "DATE": true, "TIMESTAMP": true, "INTERVAL": true}

// Parse parses one expression.
func Parse(src string) (Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, errorf(t.pos, "unexpected %s after a complete expression (a missing operator?)", t.describe())
	}
	return e, nil
}

type parser struct {
	toks []token
	i    int
	// depth guards against stack exhaustion on absurd nesting.
	depth int
}

const maxDepth = 1000

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// isKeyword reports whether t is the bare word kw (any case).
func isKeyword(t token, kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) accept(kw string) bool {
	if isKeyword(p.peek(), kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kw string) (token, error) {
	t := p.peek()
	if !p.accept(kw) {
		return t, errorf(t.pos, "want %s, got %s", kw, t.describe())
	}
	return t, nil
}

func (p *parser) expectKind(k tokKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, errorf(t.pos, "want %s, got %s", what, t.describe())
	}
	return t, nil
}

// Binding powers, weakest first.
const (
	bpOr = iota + 1
	bpAnd
	bpNot
	bpCmp // = <> < ... IS, IN, BETWEEN, LIKE
	bpConcat
	bpAdd
	bpMul
	bpUnary
)

func infix(t token) (string, int) {
	switch {
	case isKeyword(t, "OR"):
		return "OR", bpOr
	case isKeyword(t, "AND"):
		return "AND", bpAnd
	case isKeyword(t, "DIV"):
		return "DIV", bpMul
	case t.kind == tOp:
		switch t.text {
		case "=", "<>", "<", "<=", ">", ">=":
			return t.text, bpCmp
		case "!=":
			return "<>", bpCmp
		case "||":
			return "||", bpConcat
		case "+", "-":
			return t.text, bpAdd
		case "*", "/", "%":
			return t.text, bpMul
		}
	}
	return "", 0
}

// expr parses an expression whose operators bind tighter than min.
func (p *parser) expr(min int) (Expr, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, errorf(p.peek().pos, "expression nested too deeply")
	}
	defer func() { p.depth-- }()
	left, err := p.prefix()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if min < bpCmp {
			if e, ok, err := p.postfix(left); err != nil {
				return nil, err
			} else if ok {
				left = e
				continue
			}
		}
		op, bp := infix(t)
		if bp == 0 || bp <= min {
			return left, nil
		}
		p.next()
		right, err := p.expr(bp)
		if err != nil {
			return nil, err
		}
		left = &binaryExpr{at: t.pos, op: op, l: left, r: right}
	}
}

// postfix parses the comparison-strength forms that follow an operand:
// IS [NOT] NULL, [NOT] IN (...), [NOT] BETWEEN a AND b, [NOT] LIKE p.
func (p *parser) postfix(x Expr) (Expr, bool, error) {
	t := p.peek()
	if isKeyword(t, "IS") {
		p.next()
		not := p.accept("NOT")
		if _, err := p.expect("NULL"); err != nil {
			return nil, false, err
		}
		return &isNullExpr{at: t.pos, x: x, not: not}, true, nil
	}
	not := false
	if isKeyword(t, "NOT") {
		n := p.peekAt(1)
		if !isKeyword(n, "IN") && !isKeyword(n, "BETWEEN") && !isKeyword(n, "LIKE") {
			return nil, false, nil
		}
		p.next()
		not, t = true, n
	}
	switch {
	case isKeyword(t, "IN"):
		p.next()
		if p.peek().kind != tLParen {
			return nil, false, errorf(p.peek().pos, "IN wants a parenthesised list, got %s", p.peek().describe())
		}
		list, err := p.args()
		if err != nil {
			return nil, false, err
		}
		if len(list) == 0 {
			return nil, false, errorf(t.pos, "IN () needs at least one value")
		}
		return &inExpr{at: t.pos, x: x, list: list, not: not}, true, nil
	case isKeyword(t, "BETWEEN"):
		p.next()
		lo, err := p.expr(bpCmp)
		if err != nil {
			return nil, false, err
		}
		if _, err := p.expect("AND"); err != nil {
			return nil, false, err
		}
		hi, err := p.expr(bpCmp)
		if err != nil {
			return nil, false, err
		}
		return &betweenExpr{at: t.pos, x: x, lo: lo, hi: hi, not: not}, true, nil
	case isKeyword(t, "LIKE"):
		p.next()
		pat, err := p.expr(bpCmp)
		if err != nil {
			return nil, false, err
		}
		return &likeExpr{at: t.pos, x: x, pat: pat, not: not}, true, nil
	}
	return nil, false, nil
}

func (p *parser) prefix() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tInt:
		return &numLit{at: t.pos, text: t.text}, nil
	case tFloat:
		return &numLit{at: t.pos, text: t.text, float: true}, nil
	case tString:
		return &strLit{at: t.pos, val: t.text}, nil
	case tQuoted:
		return &colRef{at: t.pos, name: t.text}, nil
	case tLParen:
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if _, err := p.expectKind(tRParen, ")"); err != nil {
			return nil, err
		}
		return e, nil
	case tOp:
		switch t.text {
		case "-":
			x, err := p.expr(bpUnary - 1)
			if err != nil {
				return nil, err
			}
			return &unaryExpr{at: t.pos, op: "-", x: x}, nil
		case "+":
			return p.expr(bpUnary - 1)
		}
	case tIdent:
		return p.word(t)
	case tEOF:
		return nil, errorf(t.pos, "the expression ends too early")
	}
	return nil, errorf(t.pos, "unexpected %s", t.describe())
}

// word parses what starts with a bare word: a keyword construct, a
// function call or a column.
func (p *parser) word(t token) (Expr, error) {
	up := strings.ToUpper(t.text)
	next := p.peek()
	switch up {
	case "NOT":
		x, err := p.expr(bpNot)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{at: t.pos, op: "NOT", x: x}, nil
	case "TRUE", "FALSE":
		return &boolLit{at: t.pos, val: up == "TRUE"}, nil
	case "NULL":
		return &nullLit{at: t.pos}, nil
	case "CASE":
		return p.caseExpr(t)
	case "CAST", "TRY_CAST":
		if next.kind == tLParen {
			return p.cast(t, up == "TRY_CAST")
		}
	case "TIMESTAMP", "DATE":
		if next.kind == tString {
			p.next()
			return timeLiteral(t.pos, next, up == "DATE")
		}
	case "INTERVAL":
		if next.kind == tString || next.kind == tInt {
			p.next()
			return p.interval(t, next)
		}
	}
	if reserved[up] {
		return nil, errorf(t.pos, "unexpected %s (a column so named is written `%s`)", up, t.text)
	}
	if next.kind == tLParen {
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		return &callExpr{at: t.pos, name: up, args: args}, nil
	}
	return &colRef{at: t.pos, name: t.text}, nil
}

func timeLiteral(at int, t token, date bool) (Expr, error) {
	if date {
		d, err := parseDate(t.text)
		if err != nil {
			return nil, errorf(t.pos, "DATE %s: %v", quoteString(t.text), err)
		}
		return &timeLit{at: at, text: t.text, date: true, val: d}, nil
	}
	us, err := parseTimestamp(t.text)
	if err != nil {
		return nil, errorf(t.pos, "TIMESTAMP %s: %v", quoteString(t.text), err)
	}
	return &timeLit{at: at, text: t.text, val: us}, nil
}

var unitMicros = map[string]int64{"SECOND": 1e6, "MINUTE": 60e6, "HOUR": 3600e6, "DAY": 86400e6}

func (p *parser) interval(start, count token) (Expr, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(count.text), 10, 64)
	if err != nil {
		return nil, errorf(count.pos, "INTERVAL wants a whole number, got %s", count.describe())
	}
	u := p.next()
	unit := strings.ToUpper(u.text)
	per, ok := unitMicros[unit]
	if u.kind != tIdent || !ok {
		return nil, errorf(u.pos, "INTERVAL wants a unit SECOND, MINUTE, HOUR or DAY, got %s", u.describe())
	}
	if n > math.MaxInt64/per || n < math.MinInt64/per {
		return nil, errorf(count.pos, "INTERVAL %d %s is too long", n, unit)
	}
	return &intervalLit{at: start.pos, text: count.text, unit: unit, us: n * per}, nil
}

// args parses "(a, b, ...)".
func (p *parser) args() ([]Expr, error) {
	if _, err := p.expectKind(tLParen, "("); err != nil {
		return nil, err
	}
	var out []Expr
	if p.peek().kind == tRParen {
		p.next()
		return out, nil
	}
	for {
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		switch t := p.next(); t.kind {
		case tComma:
		case tRParen:
			return out, nil
		default:
			return nil, errorf(t.pos, "want , or ), got %s", t.describe())
		}
	}
}

// cast parses CAST(x AS type) after the word.
func (p *parser) cast(start token, try bool) (Expr, error) {
	p.next() // (
	x, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.expect("AS"); err != nil {
		return nil, err
	}
	to, err := p.typeName()
	if err != nil {
		return nil, err
	}
	if _, err := p.expectKind(tRParen, ")"); err != nil {
		return nil, err
	}
	return &castExpr{at: start.pos, x: x, to: to, try: try}, nil
}

// typeSynonyms maps accepted spellings to the language's types.
var typeSynonyms = map[string]string{
	"BIGINT": "BIGINT", "INT": "BIGINT", "INTEGER": "BIGINT", "SIGNED": "BIGINT",
	"DOUBLE": "DOUBLE", "FLOAT": "DOUBLE", "REAL": "DOUBLE",
	"VARCHAR": "VARCHAR", "CHAR": "VARCHAR", "TEXT": "VARCHAR", "STRING": "VARCHAR",
	"BOOLEAN": "BOOLEAN", "BOOL": "BOOLEAN",
	"TIMESTAMP": "TIMESTAMP", "DATETIME": "TIMESTAMP",
	"DATE":    "DATE",
	"DECIMAL": "DECIMAL", "NUMERIC": "DECIMAL",
}

func (p *parser) typeName() (typeName, error) {
	t := p.next()
	name, ok := typeSynonyms[strings.ToUpper(t.text)]
	if t.kind != tIdent || !ok {
		return typeName{}, errorf(t.pos, "want a type (BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BOOLEAN, TIMESTAMP, DATE), got %s", t.describe())
	}
	if name != "DECIMAL" {
		if p.peek().kind == tLParen {
			return typeName{}, errorf(p.peek().pos, "%s takes no length or precision", name)
		}
		return typeName{name: name}, nil
	}
	if p.peek().kind != tLParen {
		return typeName{}, errorf(p.peek().pos, "DECIMAL needs a precision and scale: DECIMAL(p,s)")
	}
	p.next()
	num := func() (int32, error) {
		t, err := p.expectKind(tInt, "a number")
		if err != nil {
			return 0, err
		}
		v, err := strconv.Atoi(t.text)
		if err != nil || v > 38 {
			return 0, errorf(t.pos, "DECIMAL precision and scale are at most 38, got %s", t.text)
		}
		return int32(v), nil
	}
	prec, err := num()
	if err != nil {
		return typeName{}, err
	}
	var scale int32
	if p.peek().kind == tComma {
		p.next()
		if scale, err = num(); err != nil {
			return typeName{}, err
		}
	}
	end, err := p.expectKind(tRParen, ")")
	if err != nil {
		return typeName{}, err
	}
	if prec < 1 || scale > prec {
		return typeName{}, errorf(end.pos, "DECIMAL(%d,%d): want 1 <= precision <= 38 and scale <= precision", prec, scale)
	}
	return typeName{name: "DECIMAL", prec: prec, scal: scale}, nil
}

func (p *parser) caseExpr(start token) (Expr, error) {
	c := &caseExpr{at: start.pos}
	if t := p.peek(); isKeyword(t, "END") || t.kind == tEOF {
		return nil, errorf(t.pos, "CASE needs at least one WHEN, got %s", t.describe())
	}
	if !isKeyword(p.peek(), "WHEN") {
		s, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		c.subject = s
	}
	for p.accept("WHEN") {
		w, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect("THEN"); err != nil {
			return nil, err
		}
		th, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		c.whens, c.thens = append(c.whens, w), append(c.thens, th)
	}
	if len(c.whens) == 0 {
		t := p.peek()
		return nil, errorf(t.pos, "CASE needs at least one WHEN, got %s", t.describe())
	}
	if p.accept("ELSE") {
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		c.els = e
	}
	if _, err := p.expect("END"); err != nil {
		return nil, err
	}
	return c, nil
}
