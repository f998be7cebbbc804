package scim

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on filters. A longer or deeper filter is a 400 invalidFilter: they bound
// the work one request can cause, and no identity provider sends anything near them.
const (
	MaxFilterLength = 8192 // bytes
	MaxFilterDepth  = 16   // nested parentheses, not(...) and value paths
)

type compareOp uint8

const (
	opEq compareOp = iota
	opNe
	opCo
	opSw
	opEw
	opGt
	opGe
	opLt
	opLe
	opPr
)

var opNames = [...]string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}

func parseOp(s string) (compareOp, bool) {
	if len(s) != 2 {
		return 0, false
	}
	for i, n := range opNames {
		if strings.EqualFold(s, n) {
			return compareOp(i), true
		}
	}
	return 0, false
}

type nodeKind uint8

const (
	nodeCompare nodeKind = iota
	nodePresent
	nodeAnd
	nodeOr
	nodeNot
	nodeValuePath
)

type valueKind uint8

const (
	valString valueKind = iota
	valNumber
	valBool
	valNull
)

// compValue is a comparison value, pre-converted for the attribute it is compared to.
type compValue struct {
	kind valueKind
	s    string // string values; the number's text for numbers
	key  string // s in the attribute's Key form, for eq and ne: computed once, not per resource
	num  float64
	b    bool
	t    time.Time // dateTime attributes
	isT  bool
}

type node struct {
	kind  nodeKind
	op    compareOp
	ref   attrRef // inside a value path, attr is the sub-attribute and ns is ""
	val   compValue
	kids  []*node // and, or: two or more; not, value path: one
	inner bool    // the node is inside a value path's brackets
}

// Filter is a parsed SCIM filter (RFC 7644 §3.4.2.2) bound to a resource type:
// attribute names are resolved and comparison values converted once, so Match
// is cheap and does not allocate.
type Filter struct {
	rt   *ResourceType
	root *node
}

// ParseFilter parses a filter expression against a resource type. The whole
// grammar of RFC 7644 §3.4.2.2 is accepted: eq ne co sw ew gt ge lt le pr, and,
// or, not(...), parentheses, value paths such as emails[type eq "work" and
// value co "@"], sub-attributes (name.familyName) and URN-qualified attributes,
// with string, number, boolean and null comparison values. Attribute names and
// operators are case-insensitive. Errors are 400 invalidFilter with the reason
// and position: syntax errors, unknown attributes, a comparison the attribute's
// type does not support (gt on a boolean, co on a number, a value of the wrong
// type), and filters over MaxFilterLength or MaxFilterDepth.
func ParseFilter(rt *ResourceType, s string) (*Filter, error) {
	if len(s) > MaxFilterLength {
		return nil, badRequest(ErrInvalidFilter, "filter is %d bytes long; at most %d are accepted", len(s), MaxFilterLength)
	}
	if !utf8.ValidString(s) {
		return nil, badRequest(ErrInvalidFilter, "filter is not valid UTF-8")
	}
	p := parser{lex: lexer{src: s}, rt: rt}
	p.next()
	if p.tok.kind == tokEOF {
		return nil, badRequest(ErrInvalidFilter, "filter is empty")
	}
	root, err := p.parseOr(nil)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %s", p.tok.describe())
	}
	return &Filter{rt: rt, root: root}, nil
}

// Match reports whether a resource in canonical form (as Normalize, ApplyPatch
// and MergeReplace produce) matches the filter. String comparisons follow the
// attribute's caseExact (userName and emails compare case-insensitively, id and
// externalId exactly); a multi-valued attribute matches if any of its values
// does; a filter on a multi-valued complex attribute without a sub-attribute
// (emails co "@x") compares its "value" sub-attribute.
func (f *Filter) Match(res map[string]any) bool {
	if f == nil || f.root == nil {
		return true
	}
	return matchNode(f.root, res)
}

// String renders the filter in a normal form: canonical attribute names, lower-case operators.
func (f *Filter) String() string {
	if f == nil || f.root == nil {
		return ""
	}
	var b strings.Builder
	writeNode(&b, f.root)
	return b.String()
}

// Comparisons is the number of comparisons in the filter (pr included): the
// work of matching one resource, for a server that budgets what a request
// that cannot use an index may cost.
func (f *Filter) Comparisons() int {
	if f == nil || f.root == nil {
		return 0
	}
	return countComparisons(f.root)
}

func countComparisons(n *node) int {
	if n.kind == nodeCompare || n.kind == nodePresent {
		return 1
	}
	c := 0
	for _, k := range n.kids {
		c += countComparisons(k)
	}
	return c
}

// Equality is an attribute eq "value" clause that must hold for a filter to match.
type Equality struct {
	Attr      string // canonical name: "userName", "emails.value", "urn:...:User:employeeNumber"
	Value     string
	CaseExact bool // false: the server's index must compare case-insensitively
}

// DefaultIndexedAttributes are the attributes Equality looks for when given none.
var DefaultIndexedAttributes = []string{"id", "userName", "externalId", "emails.value"}

// Equality finds a string equality on one of attrs (canonical names; default
// DefaultIndexedAttributes) that every matching resource satisfies: the whole
// filter, or a clause of a top-level "and", or the value path
// emails[value eq "x"]. "emails eq" counts as "emails.value eq". A server
// answers such a filter from its index and confirms candidates with Match.
func (f *Filter) Equality(attrs ...string) (Equality, bool) {
	if f == nil || f.root == nil {
		return Equality{}, false
	}
	if len(attrs) == 0 {
		attrs = DefaultIndexedAttributes
	}
	return findEquality(f.root, attrs, nil)
}

func findEquality(n *node, attrs []string, parent *Attribute) (Equality, bool) {
	switch n.kind {
	case nodeCompare:
		if n.op != opEq || n.val.kind != valString {
			return Equality{}, false
		}
		t := n.ref.target()
		if parent != nil {
			t = n.ref.attr
		}
		for _, a := range attrs {
			if refNamed(n.ref, parent, a) {
				return Equality{Attr: a, Value: n.val.s, CaseExact: t.CaseExact}, true
			}
		}
	case nodeAnd:
		for _, k := range n.kids {
			if e, ok := findEquality(k, attrs, parent); ok {
				return e, true
			}
		}
	case nodeValuePath:
		if parent == nil && n.ref.ns == "" {
			return findEquality(n.kids[0], attrs, n.ref.attr)
		}
	}
	return Equality{}, false
}

// refNamed reports whether a reference (inside the value path of parent, if
// not nil) has the canonical name, without building the name: Equality runs
// on every lookup.
func refNamed(r attrRef, parent *Attribute, name string) bool {
	top, sub := r.attr, r.sub
	if parent != nil {
		top, sub = parent, r.attr
	}
	if r.ns != "" {
		if !strings.HasPrefix(name, r.ns) || len(name) <= len(r.ns) || name[len(r.ns)] != ':' {
			return false
		}
		name = name[len(r.ns)+1:]
	}
	if !strings.HasPrefix(name, top.Name) {
		return false
	}
	rest := name[len(top.Name):]
	if sub == nil {
		return rest == ""
	}
	return len(rest) == len(sub.Name)+1 && rest[0] == '.' && rest[1:] == sub.Name
}

func matchNode(n *node, res map[string]any) bool {
	switch n.kind {
	case nodeAnd:
		for _, k := range n.kids {
			if !matchNode(k, res) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range n.kids {
			if matchNode(k, res) {
				return true
			}
		}
		return false
	case nodeNot:
		return !matchNode(n.kids[0], res)
	case nodeValuePath:
		v := n.ref.get(res)
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok && matchNode(n.kids[0], m) {
					return true
				}
			}
		case map[string]any:
			return matchNode(n.kids[0], x)
		}
		return false
	}
	v := n.ref.get(res)
	if n.ref.sub != nil {
		return matchSub(n, v)
	}
	return matchValues(n, v)
}

// matchSub applies a comparison to a sub-attribute of a complex attribute,
// single- or multi-valued.
func matchSub(n *node, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		sv, _ := lookup(x, n.ref.sub.Name)
		return matchValues(n, sv)
	case []any:
		seen := false
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			sv, ok := lookup(m, n.ref.sub.Name)
			if !ok || sv == nil {
				continue
			}
			seen = true
			if matchValues(n, sv) {
				return true
			}
		}
		if !seen {
			return matchValues(n, nil)
		}
		return false
	}
	return matchValues(n, nil)
}

// matchValues applies a comparison to a value that may be a list of values.
func matchValues(n *node, v any) bool {
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			v = nil
		} else {
			for _, e := range list {
				if matchOne(n, e) {
					return true
				}
			}
			return false
		}
	}
	return matchOne(n, v)
}

func present(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func matchOne(n *node, v any) bool {
	if n.kind == nodePresent {
		return present(v)
	}
	if !present(v) {
		// Unassigned: equal to null and different from every value.
		switch n.op {
		case opEq:
			return n.val.kind == valNull
		case opNe:
			return n.val.kind != valNull
		}
		return false
	}
	if n.val.kind == valNull {
		return n.op == opNe
	}
	a := n.ref.target()
	switch n.val.kind {
	case valBool:
		b, ok := v.(bool)
		if !ok {
			s, isStr := v.(string)
			if !isStr {
				return false
			}
			b, ok = strings.EqualFold(s, "true"), strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
			if !ok {
				return false
			}
		}
		return (b == n.val.b) == (n.op == opEq)
	case valNumber:
		var f float64
		switch x := v.(type) {
		case json.Number:
			var err error
			if f, err = strconv.ParseFloat(string(x), 64); err != nil {
				return false
			}
		case float64:
			f = x
		case int:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return false
		}
		return ordered(n.op, cmp.Compare(f, n.val.num))
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	if n.val.isT {
		t, err := parseDateTime(s)
		if err != nil {
			return false
		}
		return ordered(n.op, t.Compare(n.val.t))
	}
	exact := a.CaseExact
	if a.Key != nil && (n.op == opEq || n.op == opNe) {
		return (a.Key(s) == n.val.key) == (n.op == opEq)
	}
	switch n.op {
	case opEq:
		if exact {
			return s == n.val.s
		}
		return strings.EqualFold(s, n.val.s)
	case opNe:
		if exact {
			return s != n.val.s
		}
		return !strings.EqualFold(s, n.val.s)
	case opCo:
		if exact {
			return strings.Contains(s, n.val.s)
		}
		return containsFold(s, n.val.s)
	case opSw:
		if exact {
			return strings.HasPrefix(s, n.val.s)
		}
		return hasPrefixFold(s, n.val.s)
	case opEw:
		if exact {
			return strings.HasSuffix(s, n.val.s)
		}
		return len(s) >= len(n.val.s) && strings.EqualFold(s[len(s)-len(n.val.s):], n.val.s)
	}
	if exact {
		return ordered(n.op, strings.Compare(s, n.val.s))
	}
	return ordered(n.op, compareFold(s, n.val.s))
}

func ordered(op compareOp, c int) bool {
	switch op {
	case opEq:
		return c == 0
	case opNe:
		return c != 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func containsFold(s, sub string) bool {
	if isASCII(s) && isASCII(sub) {
		for i := 0; i+len(sub) <= len(s); i++ {
			if strings.EqualFold(s[i:i+len(sub)], sub) {
				return true
			}
		}
		return false
	}
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func compareFold(a, b string) int {
	if isASCII(a) && isASCII(b) {
		for i := 0; i < len(a) && i < len(b); i++ {
			x, y := lowerASCII(a[i]), lowerASCII(b[i])
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
		}
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// ---- lexer ----

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

// ---- parser ----

type parser struct {
	lex   lexer
	tok   token
	rt    *ResourceType
	depth int
}

func (p *parser) next() { p.tok = p.lex.next() }

func (p *parser) errorf(format string, args ...any) *Error {
	if p.lex.err != nil {
		return p.lex.err
	}
	e := badRequest(ErrInvalidFilter, format, args...)
	e.Detail += " at offset " + strconv.Itoa(p.tok.pos) + " of filter " + strconv.Quote(clip(p.lex.src, 200))
	return e
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) enter() *Error {
	p.depth++
	if p.depth > MaxFilterDepth {
		return badRequest(ErrInvalidFilter, "filter is nested more than %d levels deep", MaxFilterDepth)
	}
	return nil
}

// parseOr parses or-joined and-expressions. parent is the complex attribute
// whose sub-attributes the names refer to inside a value path's brackets.
func (p *parser) parseOr(parent *Attribute) (*node, error) {
	return p.parseJoined(parent, "or", nodeOr, p.parseAnd)
}

func (p *parser) parseAnd(parent *Attribute) (*node, error) {
	return p.parseJoined(parent, "and", nodeAnd, p.parseUnary)
}

// parseJoined parses operands joined by keyword into one node of kind; a
// lone operand stands for itself.
func (p *parser) parseJoined(parent *Attribute, keyword string, kind nodeKind, operand func(*Attribute) (*node, error)) (*node, error) {
	left, err := operand(parent)
	if err != nil {
		return nil, err
	}
	if !p.isKeyword(keyword) {
		return left, nil
	}
	n := &node{kind: kind, kids: []*node{left}, inner: parent != nil}
	for p.isKeyword(keyword) {
		p.next()
		right, err := operand(parent)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, right)
	}
	return n, nil
}

func (p *parser) parseUnary(parent *Attribute) (*node, error) {
	switch p.tok.kind {
	case tokLParen:
		return p.parseGroup(parent)
	case tokWord:
		if p.isKeyword("not") {
			save := p.lex.pos
			saveTok := p.tok
			p.next()
			if p.tok.kind == tokLParen {
				inner, err := p.parseGroup(parent)
				if err != nil {
					return nil, err
				}
				return &node{kind: nodeNot, kids: []*node{inner}, inner: parent != nil}, nil
			}
			// An attribute named "not" is not in any schema here, so this is an error;
			// restoring the token gives the clearer message below.
			p.lex.pos, p.tok = save, saveTok
			return nil, p.errorf(`"not" must be followed by "("`)
		}
		return p.parseAttrExp(parent, p.tok.text)
	case tokEOF:
		return nil, p.errorf("filter ends where an expression was expected")
	}
	return nil, p.errorf("unexpected %s where an attribute or \"(\" was expected", p.tok.describe())
}

func (p *parser) parseGroup(parent *Attribute) (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.next()
	n, err := p.parseOr(parent)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, p.errorf("expected \")\" but found %s", p.tok.describe())
	}
	p.depth--
	p.next()
	return n, nil
}

// resolveName binds an attribute name in a filter.
func (p *parser) resolveName(name string, parent *Attribute) (attrRef, error) {
	if parent != nil {
		a := parent.SubAttribute(name)
		if a == nil {
			return attrRef{}, p.errorf("%q is not a sub-attribute of %q", name, parent.Name)
		}
		return attrRef{attr: a}, nil
	}
	ref, reason := p.rt.resolve(name)
	if reason != "" {
		return attrRef{}, p.errorf("%s", reason)
	}
	if ref.attr == nil {
		return attrRef{}, p.errorf("%q is a schema, not an attribute", name)
	}
	if t := ref.target(); t.returned() == ReturnedNever || ref.attr.returned() == ReturnedNever {
		// Filtering on a never-returned attribute would let a client probe a
		// password; the detail leaves the filter out so the guess is not logged.
		return attrRef{}, badRequest(ErrInvalidFilter, "attribute %q cannot be used in a filter", ref.String())
	}
	return ref, nil
}

func (p *parser) parseAttrExp(parent *Attribute, name string) (*node, error) {
	nameTok := p.tok
	nameTok.text = name
	ref, err := p.resolveName(name, parent)
	if err != nil {
		return nil, err
	}
	p.next()
	if p.tok.kind == tokLBracket {
		if parent != nil {
			return nil, p.errorf("value filters cannot be nested")
		}
		if ref.attr.Type != TypeComplex || ref.sub != nil {
			return nil, p.errorf("%q is not a complex attribute; a value filter needs one", nameTok.text)
		}
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.next()
		inner, err := p.parseOr(ref.attr)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRBracket {
			return nil, p.errorf("expected \"]\" but found %s", p.tok.describe())
		}
		p.depth--
		p.next()
		if p.tok.kind == tokWord && len(p.tok.text) > 1 && p.tok.text[0] == '.' {
			// emails[type eq "work"].value eq "x": not in RFC 7644's filter
			// ABNF, but Microsoft Entra ID and others send it. It means an
			// element that matches the brackets and whose sub-attribute
			// matches the comparison, so it becomes one value path.
			sub, err := p.parseAttrExp(ref.attr, p.tok.text[1:])
			if err != nil {
				return nil, err
			}
			inner = &node{kind: nodeAnd, kids: []*node{inner, sub}, inner: true}
		}
		return &node{kind: nodeValuePath, ref: ref, kids: []*node{inner}}, nil
	}
	if p.tok.kind != tokWord {
		return nil, p.errorf("expected an operator after %q but found %s", nameTok.text, p.tok.describe())
	}
	op, ok := parseOp(p.tok.text)
	if !ok {
		return nil, p.errorf("unknown operator %q (use eq, ne, co, sw, ew, gt, ge, lt, le or pr)", p.tok.text)
	}
	p.next()
	// A multi-valued complex attribute without a sub-attribute compares its "value".
	if ref.sub == nil && ref.attr.Type == TypeComplex {
		if v := ref.attr.SubAttribute("value"); v != nil && ref.attr.MultiValued && parent == nil {
			ref.sub = v
		} else if op != opPr {
			return nil, p.errorf("%q is complex; compare one of its sub-attributes, such as %s.%s", ref.attr.Name, ref.attr.Name, firstSub(ref.attr))
		}
	}
	if op == opPr {
		return &node{kind: nodePresent, op: op, ref: ref, inner: parent != nil}, nil
	}
	val, err := p.compValue(ref.target(), op)
	if err != nil {
		return nil, err
	}
	p.next()
	return &node{kind: nodeCompare, op: op, ref: ref, val: val, inner: parent != nil}, nil
}

func firstSub(a *Attribute) string {
	if len(a.SubAttributes) > 0 {
		return a.SubAttributes[0].Name
	}
	return "value"
}

// compValue reads the comparison value and checks it against the attribute's type.
func (p *parser) compValue(a *Attribute, op compareOp) (compValue, error) {
	var v compValue
	switch p.tok.kind {
	case tokString:
		v = compValue{kind: valString, s: p.tok.text}
	case tokNumber:
		f, err := strconv.ParseFloat(p.tok.text, 64)
		if err != nil {
			return v, p.errorf("%q is not a number", p.tok.text)
		}
		v = compValue{kind: valNumber, s: p.tok.text, num: f}
	case tokWord:
		switch {
		case strings.EqualFold(p.tok.text, "true"), strings.EqualFold(p.tok.text, "false"):
			v = compValue{kind: valBool, b: strings.EqualFold(p.tok.text, "true")}
		case strings.EqualFold(p.tok.text, "null"):
			v = compValue{kind: valNull}
		default:
			return v, p.errorf("comparison value %q must be a quoted string, a number, true, false or null", p.tok.text)
		}
	default:
		if p.tok.kind == tokBad && p.tok.text == "'" {
			return v, p.errorf("strings in filters are enclosed in double quotes, not single quotes")
		}
		return v, p.errorf("expected a comparison value but found %s", p.tok.describe())
	}
	if v.kind == valNull {
		if op != opEq && op != opNe {
			return v, p.errorf("null can only be compared with eq or ne")
		}
		return v, nil
	}
	ordering := op >= opGt
	substring := op == opCo || op == opSw || op == opEw
	switch a.Type {
	case TypeBoolean:
		if v.kind == valString && (strings.EqualFold(v.s, "true") || strings.EqualFold(v.s, "false")) {
			v = compValue{kind: valBool, b: strings.EqualFold(v.s, "true")}
		}
		if v.kind != valBool {
			return v, p.errorf("%q is a boolean; compare it with true or false", a.Name)
		}
		if op != opEq && op != opNe {
			return v, p.errorf("%q is a boolean; only eq and ne apply to it", a.Name)
		}
	case TypeInteger, TypeDecimal:
		if v.kind != valNumber {
			return v, p.errorf("%q is a number; compare it with a number", a.Name)
		}
		if substring {
			return v, p.errorf("%q is a number; co, sw and ew apply to strings only", a.Name)
		}
	case TypeBinary:
		if v.kind != valString {
			return v, p.errorf("%q is binary; compare it with a string", a.Name)
		}
		if ordering {
			return v, p.errorf("%q is binary; gt, ge, lt and le do not apply to it", a.Name)
		}
	default:
		if v.kind != valString {
			return v, p.errorf("%q is a string; compare it with a quoted string", a.Name)
		}
		if a.Type == TypeDateTime && !substring {
			t, err := parseDateTime(v.s)
			if err != nil {
				return v, p.errorf("%q is not a dateTime such as 2024-05-01T12:00:00Z", v.s)
			}
			v.t, v.isT = t, true
		}
	}
	if a.Key != nil && v.kind == valString && (op == opEq || op == opNe) {
		v.key = a.Key(v.s)
	}
	return v, nil
}

// ---- rendering ----

func writeNode(b *strings.Builder, n *node) {
	switch n.kind {
	case nodeAnd, nodeOr:
		sep := " and "
		if n.kind == nodeOr {
			sep = " or "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			paren := (k.kind == nodeOr || k.kind == nodeAnd) && k.kind != n.kind
			if paren {
				b.WriteByte('(')
			}
			writeNode(b, k)
			if paren {
				b.WriteByte(')')
			}
		}
	case nodeNot:
		b.WriteString("not (")
		writeNode(b, n.kids[0])
		b.WriteByte(')')
	case nodeValuePath:
		b.WriteString(n.ref.String())
		b.WriteByte('[')
		writeNode(b, n.kids[0])
		b.WriteByte(']')
	case nodePresent:
		b.WriteString(n.ref.String())
		b.WriteString(" pr")
	case nodeCompare:
		b.WriteString(n.ref.String())
		b.WriteByte(' ')
		b.WriteString(opNames[n.op])
		b.WriteByte(' ')
		switch n.val.kind {
		case valString:
			q, _ := json.Marshal(n.val.s)
			b.Write(q)
		case valNumber:
			b.WriteString(n.val.s)
		case valBool:
			b.WriteString(strconv.FormatBool(n.val.b))
		case valNull:
			b.WriteString("null")
		}
	}
}
