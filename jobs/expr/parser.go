package expr

import (
	"fmt"
	"strings"
)

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
		return nil, p.errorf(t, "unexpected %q after the expression", t.text)
	}
	return e, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errorf(t token, format string, a ...any) error {
	return fmt.Errorf("position %d: %s", t.pos+1, fmt.Sprintf(format, a...))
}

// keyword reports whether t is the (unquoted) keyword kw.
func keyword(t token, kw string) bool {
	return t.kind == tIdent && !t.quoted && strings.EqualFold(t.text, kw)
}

func (p *parser) accept(kw string) bool {
	if keyword(p.peek(), kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kw string) error {
	if !p.accept(kw) {
		t := p.peek()
		return p.errorf(t, "want %s, got %q", kw, t.text)
	}
	return nil
}

// Binding powers, lowest first: OR, AND, NOT, comparison, ||, + -, * / %.
const (
	bpOr = iota + 1
	bpAnd
	bpNot
	bpCmp
	bpConcat
	bpAdd
	bpMul
	bpUnary
)

func binaryPower(t token) (string, int) {
	switch {
	case keyword(t, "OR"):
		return "OR", bpOr
	case keyword(t, "AND"):
		return "AND", bpAnd
	case t.kind == tOp:
		switch t.text {
		case "=", "<>", "!=", "<", "<=", ">", ">=":
			if t.text == "!=" {
				return "<>", bpCmp
			}
			return t.text, bpCmp
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
	left, err := p.prefix()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		// Postfix forms at comparison strength: IS [NOT] NULL, [NOT] IN,
		// [NOT] LIKE.
		if min < bpCmp {
			if keyword(t, "IS") {
				p.next()
				not := p.accept("NOT")
				if err := p.expect("NULL"); err != nil {
					return nil, err
				}
				left = &isNull{pos: t.pos, x: left, not: not}
				continue
			}
			not := false
			if keyword(t, "NOT") && (keyword(p.toks[p.i+1], "IN") || keyword(p.toks[p.i+1], "LIKE")) {
				p.next()
				not = true
				t = p.peek()
			}
			if keyword(t, "IN") {
				p.next()
				list, err := p.args()
				if err != nil {
					return nil, err
				}
				if len(list) == 0 {
					return nil, p.errorf(t, "IN () needs at least one value")
				}
				left = &inList{pos: t.pos, x: left, list: list, not: not}
				continue
			}
			if keyword(t, "LIKE") {
				p.next()
				pat, err := p.expr(bpCmp)
				if err != nil {
					return nil, err
				}
				left = &like{pos: t.pos, x: left, pattern: pat, not: not}
				continue
			}
		}
		op, bp := binaryPower(t)
		if bp == 0 || bp <= min {
			return left, nil
		}
		p.next()
		right, err := p.expr(bp)
		if err != nil {
			return nil, err
		}
		left = &binary{pos: t.pos, op: op, l: left, r: right}
	}
}

func (p *parser) prefix() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tInt, tFloat, tString:
		return &literal{pos: t.pos, kind: t.kind, text: t.text}, nil
	case tLParen:
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errorf(c, "want ), got %q", c.text)
		}
		return e, nil
	case tOp:
		if t.text == "-" {
			x, err := p.expr(bpUnary)
			if err != nil {
				return nil, err
			}
			return &unary{pos: t.pos, op: "-", x: x}, nil
		}
		if t.text == "+" {
			return p.expr(bpUnary)
		}
	case tIdent:
		switch {
		case t.quoted:
			return &column{pos: t.pos, name: t.text}, nil
		case keyword(t, "NOT"):
			x, err := p.expr(bpNot)
			if err != nil {
				return nil, err
			}
			return &unary{pos: t.pos, op: "NOT", x: x}, nil
		case keyword(t, "TRUE"), keyword(t, "FALSE"), keyword(t, "NULL"):
			return &literal{pos: t.pos, kind: tIdent, text: strings.ToUpper(t.text)}, nil
		case keyword(t, "CASE"):
			return p.caseExpr(t)
		}
		if p.peek().kind == tLParen {
			args, err := p.args()
			if err != nil {
				return nil, err
			}
			return &call{pos: t.pos, name: strings.ToUpper(t.text), args: args}, nil
		}
		return &column{pos: t.pos, name: t.text}, nil
	case tEOF:
		return nil, p.errorf(t, "the expression ends too early")
	}
	return nil, p.errorf(t, "unexpected %q", t.text)
}

// args parses "(a, b, ...)".
func (p *parser) args() ([]Expr, error) {
	if t := p.next(); t.kind != tLParen {
		return nil, p.errorf(t, "want (, got %q", t.text)
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
			return nil, p.errorf(t, "want , or ), got %q", t.text)
		}
	}
}

func (p *parser) caseExpr(start token) (Expr, error) {
	c := &caseExpr{pos: start.pos}
	var subject Expr
	if !keyword(p.peek(), "WHEN") {
		var err error
		if subject, err = p.expr(0); err != nil {
			return nil, err
		}
	}
	for p.accept("WHEN") {
		w, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if subject != nil {
			w = &binary{pos: w.position(), op: "=", l: subject, r: w}
		}
		if err := p.expect("THEN"); err != nil {
			return nil, err
		}
		th, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		c.whens, c.thens = append(c.whens, w), append(c.thens, th)
	}
	if len(c.whens) == 0 {
		return nil, p.errorf(p.peek(), "CASE needs at least one WHEN")
	}
	if p.accept("ELSE") {
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		c.els = e
	}
	if err := p.expect("END"); err != nil {
		return nil, err
	}
	return c, nil
}
