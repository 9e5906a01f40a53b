package expr

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tFloat
	tString
	tOp
	tComma
	tLParen
	tRParen
)

type token struct {
	kind   tokKind
	text   string // as in the source (a string's or `name`'s content)
	pos    int    // byte offset, for errors
	quoted bool   // a `name`: never a keyword
}

func (t token) upper() string { return strings.ToUpper(t.text) }

// lex splits src into tokens.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			out = append(out, token{kind: tLParen, text: "(", pos: i})
			i++
		case c == ')':
			out = append(out, token{kind: tRParen, text: ")", pos: i})
			i++
		case c == ',':
			out = append(out, token{kind: tComma, text: ",", pos: i})
			i++
		case c == '\'', c == '`':
			text, next, ok := quoted(src, i)
			if !ok {
				what := "string"
				if c == '`' {
					what = "`name`"
				}
				return nil, fmt.Errorf("position %d: unterminated %s", i+1, what)
			}
			if c == '`' {
				out = append(out, token{kind: tIdent, text: text, pos: i, quoted: true})
			} else {
				out = append(out, token{kind: tString, text: text, pos: i})
			}
			i = next
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			start := i
			isFloat := false
			for i < len(src) && (src[i] >= '0' && src[i] <= '9' || src[i] == '.') {
				isFloat = isFloat || src[i] == '.'
				i++
			}
			if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
				isFloat = true
				i++
				if i < len(src) && (src[i] == '+' || src[i] == '-') {
					i++
				}
				for i < len(src) && src[i] >= '0' && src[i] <= '9' {
					i++
				}
			}
			k := tInt
			if isFloat {
				k = tFloat
			}
			out = append(out, token{kind: k, text: src[start:i], pos: start})
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			// Names are ASCII; others are written `quoted`.
			start := i
			for i < len(src) && (src[i] == '_' || src[i] >= '0' && src[i] <= '9' || src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z') {
				i++
			}
			out = append(out, token{kind: tIdent, text: src[start:i], pos: start})
		default:
			start := i
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "<=", ">=", "<>", "!=", "||":
				out = append(out, token{kind: tOp, text: two, pos: start})
				i += 2
				continue
			}
			if strings.IndexByte("+-*/%=<>", c) < 0 {
				return nil, fmt.Errorf("position %d: unexpected %q", i+1, c)
			}
			out = append(out, token{kind: tOp, text: string(c), pos: start})
			i++
		}
	}
	return append(out, token{kind: tEOF, text: "", pos: len(src)}), nil
}

// quoted reads the quoted text starting at src[i] (a ' or `), where the
// quote character doubled stands for itself; it returns the text and the
// position after the closing quote.
func quoted(src string, i int) (string, int, bool) {
	q := src[i]
	var b strings.Builder
	for i++; i < len(src); i++ {
		if src[i] != q {
			b.WriteByte(src[i])
			continue
		}
		if i+1 < len(src) && src[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", i, false
}
