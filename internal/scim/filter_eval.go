package scim

import (
	"cmp"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

func matchNode(n *node, res map[string]any, m *cost.Meter) bool {
	switch n.kind {
	case nodeAnd:
		for _, k := range n.kids {
			if !matchNode(k, res, m) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range n.kids {
			if matchNode(k, res, m) {
				return true
			}
		}
		return false
	case nodeNot:
		return !matchNode(n.kids[0], res, m)
	case nodeValuePath:
		v := n.ref.get(res)
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if el, ok := e.(map[string]any); ok && matchNode(n.kids[0], el, m) {
					return true
				}
				if m.Over() {
					return false
				}
			}
		case map[string]any:
			return matchNode(n.kids[0], x, m)
		}
		return false
	}
	v := n.ref.get(res)
	if n.ref.sub != nil {
		return matchSub(n, v, m)
	}
	return matchValues(n, v, m)
}

// matchSub applies a comparison to a sub-attribute of a complex attribute,
// single- or multi-valued.
func matchSub(n *node, v any, m *cost.Meter) bool {
	switch x := v.(type) {
	case map[string]any:
		sv, _ := lookup(x, n.ref.sub.Name)
		return matchValues(n, sv, m)
	case []any:
		seen := false
		for _, e := range x {
			el, ok := e.(map[string]any)
			if !ok {
				continue
			}
			sv, ok := lookup(el, n.ref.sub.Name)
			if !ok || sv == nil {
				continue
			}
			seen = true
			if matchValues(n, sv, m) {
				return true
			}
			if m.Over() {
				return false
			}
		}
		if !seen {
			return matchValues(n, nil, m)
		}
		return false
	}
	return matchValues(n, nil, m)
}

// matchValues applies a comparison to a value that may be a list of values.
func matchValues(n *node, v any, m *cost.Meter) bool {
	if list, ok := v.([]any); ok {
		if len(list) == 0 {
			v = nil
		} else {
			for _, e := range list {
				if matchOne(n, e, m) {
					return true
				}
				if m.Over() {
					return false
				}
			}
			return false
		}
	}
	return matchOne(n, v, m)
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

func matchOne(n *node, v any, m *cost.Meter) bool {
	if m != nil && !m.Charge(compareCost(n, v)) {
		return false
	}
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

// compareCost is what comparing v costs by cost.Compare: a string value by
// its length and the operand's, anything else one unit.
func compareCost(n *node, v any) int64 {
	s, ok := v.(string)
	if !ok {
		if num, isNum := v.(json.Number); isNum {
			return int64(max(len(num), 1))
		}
		return 1
	}
	if n.kind == nodePresent {
		return 1
	}
	return cost.Compare(opNames[n.op], len(s), len(n.val.s))
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
