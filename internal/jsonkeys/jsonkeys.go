// Package jsonkeys finds the member names a JSON text repeats within one
// object, exactly or in another letter case. encoding/json keeps the last of
// two equal names and matches struct fields without regard to case, so a body
// with {"userName":"a","USERNAME":"b"} would mean whatever the decoder happens
// to pick; every face refuses such a body instead, naming the key.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Duplicate is a member name that appears twice in one object.
type Duplicate struct {
	First, Second string // the two spellings, in body order
	path          []segment
}

// segment is one step from the top-level value to the object: a member
// name, or an array index when key is empty and index >= 0.
type segment struct {
	key   string
	index int
}

// Path is where the object is, "" for the top-level value, else member
// names and array indexes such as emails[1] or name.
func (d *Duplicate) Path() string {
	var b strings.Builder
	for i := len(d.path) - 1; i >= 0; i-- {
		s := d.path[i]
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// Error says which key is repeated and where, in words a client can act on.
func (d *Duplicate) Error() string {
	where := "the top-level object"
	if p := d.Path(); p != "" {
		where = "the object at " + p
	}
	if d.First == d.Second {
		return fmt.Sprintf("the key %q appears twice in %s; each key may appear once", d.First, where)
	}
	return fmt.Sprintf("the keys %q and %q in %s differ only in letter case; keys are compared without regard to case, so each may appear once",
		d.First, d.Second, where)
}

// maxDepth is encoding/json's nesting limit: a deeper text is refused by the
// decoder before it matters here.
const maxDepth = 10000

// linearKeys is how many names of one object are compared pairwise before
// the object gets a map of folded names.
const linearKeys = 16

// Find returns the first repeated name in b (two names equal under Unicode
// simple case folding, as strings.EqualFold compares them), or nil. It is
// meant for a text encoding/json has accepted; on malformed input it returns
// nil or a duplicate found before the error, and never panics.
func Find(b []byte) *Duplicate {
	s := scanner{b: b}
	return s.value(0)
}

type scanner struct {
	b    []byte
	i    int
	bad  bool
	keys [][]byte // names of the objects being scanned, innermost last
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) value(depth int) *Duplicate {
	s.ws()
	if s.i >= len(s.b) || depth > maxDepth {
		s.bad = true
		return nil
	}
	switch s.b[s.i] {
	case '{':
		return s.object(depth + 1)
	case '[':
		return s.array(depth + 1)
	case '"':
		s.str()
		return nil
	}
	start := s.i
	for s.i < len(s.b) && !delimiter(s.b[s.i]) {
		s.i++
	}
	if s.i == start {
		s.bad = true
	}
	return nil
}

// delimiter reports whether c ends a number or a literal.
func delimiter(c byte) bool {
	switch c {
	case ',', ']', '}', ':', ' ', '\t', '\n', '\r', '"':
		return true
	}
	return false
}

func (s *scanner) array(depth int) *Duplicate {
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for n := 0; !s.bad; n++ {
		if d := s.value(depth); d != nil {
			d.path = append(d.path, segment{index: n})
			return d
		}
		if !s.more(']') {
			return nil
		}
	}
	return nil
}

func (s *scanner) object(depth int) *Duplicate {
	s.i++
	base := len(s.keys)
	defer func() { s.keys = s.keys[:base] }()
	var folded map[string][]byte
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for !s.bad {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			s.bad = true
			return nil
		}
		k := s.str()
		if s.bad {
			return nil
		}
		if prev := s.seen(base, &folded, k); prev != nil {
			return &Duplicate{First: string(prev), Second: string(k)}
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			s.bad = true
			return nil
		}
		s.i++
		if d := s.value(depth); d != nil {
			d.path = append(d.path, segment{key: string(k), index: -1})
			return d
		}
		if !s.more('}') {
			return nil
		}
	}
	return nil
}

// more reads what follows a member of an array or object: a comma (true:
// another member follows) or the closing byte (false). Anything else marks
// the input bad; the end of the input ends it.
func (s *scanner) more(closing byte) bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return true
	case closing:
		s.i++
		return false
	}
	s.bad = true
	return false
}

// seen records k as a name of the object whose names start at keys[base]
// and returns an earlier name equal to it under case folding, or nil.
func (s *scanner) seen(base int, folded *map[string][]byte, k []byte) []byte {
	if *folded == nil {
		for _, p := range s.keys[base:] {
			if bytes.EqualFold(p, k) {
				return p
			}
		}
		s.keys = append(s.keys, k)
		if len(s.keys)-base <= linearKeys {
			return nil
		}
		*folded = make(map[string][]byte, 2*linearKeys)
		for _, p := range s.keys[base:] {
			(*folded)[fold(p)] = p
		}
		return nil
	}
	f := fold(k)
	if p, ok := (*folded)[f]; ok {
		return p
	}
	(*folded)[f] = k
	return nil
}

// str reads a string at s.i and returns its value: the bytes themselves
// when there is no escape, else the unescaped value.
func (s *scanner) str() []byte {
	start := s.i + 1
	escaped := false
	for j := start; j < len(s.b); j++ {
		switch s.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			s.i = j + 1
			if !escaped {
				return s.b[start:j]
			}
			var v string
			if json.Unmarshal(s.b[start-1:j+1], &v) != nil {
				s.bad = true
				return nil
			}
			return []byte(v)
		}
	}
	s.i = len(s.b)
	s.bad = true
	return nil
}

// fold maps each rune of b to the smallest rune of its simple case-folding
// orbit: two names fold alike exactly when bytes.EqualFold says they are equal.
func fold(b []byte) string {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		out = utf8.AppendRune(out, m)
	}
	return string(out)
}
