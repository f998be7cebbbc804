package scim

import (
	"strconv"
	"strings"
)

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
