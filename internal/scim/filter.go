package scim

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
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
	return matchNode(f.root, res, nil)
}

// MatchWithin is Match charging the work done to m, in bytes examined
// (cost.Compare per comparison, one per element of a multi-valued
// attribute at least). Once m is over its budget the result means nothing:
// the caller checks m.Over() and refuses the request.
func (f *Filter) MatchWithin(res map[string]any, m *cost.Meter) bool {
	if f == nil || f.root == nil {
		return true
	}
	return matchNode(f.root, res, m)
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
