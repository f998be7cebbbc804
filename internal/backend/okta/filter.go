package okta

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
)

// filterExpr is a parsed Okta filter or search expression, such as
// `status eq "ACTIVE" and profile.login sw "ann"`. eval charges each
// comparison to m (cost.Compare; nil charges nothing); once m is over its
// budget the result means nothing and the caller refuses the request.
type filterExpr interface {
	eval(get func(attr string) (string, bool), m *cost.Meter) bool
}

type andExpr struct{ l, r filterExpr }
type orExpr struct{ l, r filterExpr }
type cmpExpr struct {
	attr, op, value string
	key             string // value's canonical form, for an address attribute: computed once, not per user
}

func (e andExpr) eval(get func(string) (string, bool), m *cost.Meter) bool {
	return e.l.eval(get, m) && !m.Over() && e.r.eval(get, m)
}

func (e orExpr) eval(get func(string) (string, bool), m *cost.Meter) bool {
	return e.l.eval(get, m) || !m.Over() && e.r.eval(get, m)
}

func (e cmpExpr) eval(get func(string) (string, bool), m *cost.Meter) bool {
	v, ok := get(e.attr)
	if !m.Charge(cost.Compare(e.op, len(v), len(e.value))) {
		return false
	}
	switch e.op {
	case "pr":
		return ok && v != ""
	case "eq":
		return ok && e.equal(v)
	case "ne":
		return !ok || !e.equal(v)
	case "sw":
		return ok && strings.HasPrefix(strings.ToLower(v), strings.ToLower(e.value))
	case "co":
		return ok && strings.Contains(strings.ToLower(v), strings.ToLower(e.value))
	case "gt":
		return ok && v > e.value
	case "ge":
		return ok && v >= e.value
	case "lt":
		return ok && v < e.value
	case "le":
		return ok && v <= e.value
	}
	return false
}

// addressAttrs are compared as email addresses, in canonical form: a
// look-alike of a login never equals it.
var addressAttrs = map[string]bool{"profile.login": true, "profile.email": true, "profile.secondEmail": true}

// equal compares v with the expression's value: addresses in canonical
// form, other strings case-insensitively.
func (e cmpExpr) equal(v string) bool {
	if addressAttrs[e.attr] {
		return mailaddr.Key(v) == e.key
	}
	return strings.EqualFold(v, e.value)
}

// parseFilter parses expr, accepting only attributes allowed reports as
// known. Errors read like Okta's "Invalid search criteria" causes.
func parseFilter(expr string, allowed func(attr string) bool) (filterExpr, error) {
	p := &filterParser{toks: tokenize(expr), allowed: allowed}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("the expression is empty")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return e, nil
}

type filterParser struct {
	toks    []string
	pos     int
	allowed func(string) bool
}

func (p *filterParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *filterParser) or() (filterExpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "or") {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *filterParser) and() (filterExpr, error) {
	l, err := p.factor()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "and") {
		p.pos++
		r, err := p.factor()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *filterParser) factor() (filterExpr, error) {
	tok := p.peek()
	if tok == "" {
		return nil, fmt.Errorf("the expression ends too early")
	}
	if tok == "(" {
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return e, nil
	}
	attr := tok
	p.pos++
	if !p.allowed(attr) {
		return nil, fmt.Errorf("the attribute %q cannot be filtered on", attr)
	}
	op := strings.ToLower(p.peek())
	p.pos++
	switch op {
	case "pr":
		return cmpExpr{attr: attr, op: op}, nil
	case "eq", "ne", "sw", "co", "gt", "ge", "lt", "le":
	default:
		return nil, fmt.Errorf("unknown operator %q after %s", op, attr)
	}
	v := p.peek()
	if v == "" {
		return nil, fmt.Errorf("missing value after %s %s", attr, op)
	}
	p.pos++
	if strings.HasPrefix(v, `"`) {
		if len(v) < 2 || !strings.HasSuffix(v, `"`) {
			return nil, fmt.Errorf("unterminated string %s", v)
		}
		v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
	}
	c := cmpExpr{attr: attr, op: op, value: v}
	if addressAttrs[attr] {
		c.key = mailaddr.Key(v)
	}
	return c, nil
}

func tokenize(s string) []string {
	var toks []string
	i := 0
	for i < len(s) {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}
