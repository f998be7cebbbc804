package scim

import (
	"encoding/json"
	"strconv"
	"strings"
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokNumber
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
	tokBad
)

type token struct {
	kind tokKind
	text string // word or number text; the decoded string for strings
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of filter"
	case tokString:
		return "string " + strconv.Quote(t.text)
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	case tokLBracket:
		return `"["`
	case tokRBracket:
		return `"]"`
	}
	return strconv.Quote(t.text)
}

type lexer struct {
	src string
	pos int
	err *Error
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == ':' || c == '.' || c == '$'
}

func (l *lexer) next() token {
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t' || l.src[l.pos] == '\n' || l.src[l.pos] == '\r') {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}
	}
	c := l.src[l.pos]
	switch c {
	case '(':
		l.pos++
		return token{kind: tokLParen, pos: start}
	case ')':
		l.pos++
		return token{kind: tokRParen, pos: start}
	case '[':
		l.pos++
		return token{kind: tokLBracket, pos: start}
	case ']':
		l.pos++
		return token{kind: tokRBracket, pos: start}
	case '"':
		return l.str()
	}
	if c == '-' || c >= '0' && c <= '9' {
		for l.pos < len(l.src) && strings.IndexByte("0123456789.eE+-", l.src[l.pos]) >= 0 {
			l.pos++
		}
		return token{kind: tokNumber, text: l.src[start:l.pos], pos: start}
	}
	if isWordByte(c) {
		for l.pos < len(l.src) && isWordByte(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tokWord, text: l.src[start:l.pos], pos: start}
	}
	l.pos++
	return token{kind: tokBad, text: l.src[start:l.pos], pos: start}
}

// str reads a JSON string. Strings without escapes are sliced from the source
// without copying.
func (l *lexer) str() token {
	start := l.pos
	escaped := false
	i := l.pos + 1
	for ; i < len(l.src); i++ {
		c := l.src[i]
		if c == '\\' {
			escaped = true
			i++
			continue
		}
		if c == '"' {
			break
		}
	}
	if i >= len(l.src) {
		l.pos = len(l.src)
		l.err = badRequest(ErrInvalidFilter, "string starting at offset %d is not terminated", start)
		return token{kind: tokBad, pos: start}
	}
	l.pos = i + 1
	raw := l.src[start:l.pos]
	if !escaped {
		return token{kind: tokString, text: raw[1 : len(raw)-1], pos: start}
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		l.err = badRequest(ErrInvalidFilter, "string starting at offset %d has an invalid escape", start)
		return token{kind: tokBad, pos: start}
	}
	return token{kind: tokString, text: s, pos: start}
}
