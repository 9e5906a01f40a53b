package expr

import (
	"strings"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // a bare name or keyword
	tQuoted         // a `quoted name`: always a column, never a keyword
	tInt            // 42
	tFloat          // 1.5, .5, 1e3
	tString         // 'text' (text holds the content, quotes undone)
	tOp             // + - * / % = <> != < <= > >= ||
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based character position, for errors
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the expression"
	case tString:
		return "'" + t.text + "'"
	case tQuoted:
		return "`" + t.text + "`"
	}
	return "\"" + t.text + "\""
}

// lex splits src into tokens. Names are ASCII ([A-Za-z_][A-Za-z0-9_]*);
// anything else is written `quoted`.
func lex(src string) ([]token, error) {
	var out []token
	i, chars := 0, 0 // byte offset, characters before it
	advance := func(to int) {
		for ; i < to; i++ {
			if src[i]&0xC0 != 0x80 { // not a UTF-8 continuation byte
				chars++
			}
		}
	}
	for i < len(src) {
		c := src[i]
		start, pos := i, chars+1
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			advance(i + 1)
		case c == '(' || c == ')' || c == ',':
			k := tLParen
			if c == ')' {
				k = tRParen
			} else if c == ',' {
				k = tComma
			}
			out = append(out, token{kind: k, text: string(c), pos: pos})
			advance(i + 1)
		case c == '\'' || c == '`':
			text, end, ok := readQuoted(src, i)
			if !ok {
				if c == '`' {
					return nil, errorf(pos, "unterminated `name` (a backquote inside a name is written ``)")
				}
				return nil, errorf(pos, "unterminated string (a quote inside a string is written '')")
			}
			k := tString
			if c == '`' {
				k = tQuoted
			}
			out = append(out, token{kind: k, text: text, pos: pos})
			advance(end)
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			end, float, ok := scanNumber(src, i)
			if !ok {
				return nil, errorf(pos, "malformed number %q", src[start:end])
			}
			k := tInt
			if float {
				k = tFloat
			}
			out = append(out, token{kind: k, text: src[start:end], pos: pos})
			advance(end)
		case isNameStart(c):
			end := i + 1
			for end < len(src) && (isNameStart(src[end]) || isDigit(src[end])) {
				end++
			}
			out = append(out, token{kind: tIdent, text: src[start:end], pos: pos})
			advance(end)
		default:
			if i+1 < len(src) {
				switch two := src[i : i+2]; two {
				case "<=", ">=", "<>", "!=", "||":
					out = append(out, token{kind: tOp, text: two, pos: pos})
					advance(i + 2)
					continue
				}
			}
			if strings.IndexByte("+-*/%=<>", c) < 0 {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, errorf(pos, "unexpected character %q (names other than [A-Za-z_][A-Za-z0-9_]* are written in `backquotes`)", r)
			}
			out = append(out, token{kind: tOp, text: string(c), pos: pos})
			advance(i + 1)
		}
	}
	return append(out, token{kind: tEOF, pos: chars + 1}), nil
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// scanNumber reads digits[.digits][e[+-]digits] (or .digits...) from
// src[i:]; it returns the end, whether the number is a DOUBLE, and false
// for an exponent without digits.
func scanNumber(src string, i int) (end int, float, ok bool) {
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	if i < len(src) && src[i] == '.' {
		float = true
		i++
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j >= len(src) || !isDigit(src[j]) {
			return j, true, false
		}
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		return j, true, true
	}
	return i, float, true
}

// readQuoted reads the quoted text starting at src[i] (a ' or `), where
// the quote doubled stands for itself; it returns the text and the offset
// after the closing quote.
func readQuoted(src string, i int) (string, int, bool) {
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
