package scim

import (
	"cmp"
	"strings"
)

// Compare orders two canonical resources by q.SortBy and q.SortDescending
// (RFC 7644 §3.4.2.3), for a server that sorts: strings by the attribute's
// caseExact, numbers and dateTimes by value, false before true; a
// multi-valued attribute sorts by its primary value, else its first;
// unassigned values sort last when ascending. Without SortBy every pair is equal,
// so a stable sort keeps the server's own order.
func (q *Query) Compare(a, b map[string]any) int {
	if q == nil || q.SortBy == nil {
		return 0
	}
	ref := q.SortBy.ref
	t := ref.target()
	if ref.sub == nil && ref.attr.Type == TypeComplex {
		t = ref.attr.SubAttribute("value")
		if t == nil {
			return 0
		}
	}
	va, vb := sortValue(ref, t, a), sortValue(ref, t, b)
	c := compareSortValues(t, va, vb)
	if q.SortDescending {
		return -c
	}
	return c
}

func sortValue(ref attrRef, t *Attribute, res map[string]any) any {
	v := ref.get(res)
	if list, ok := v.([]any); ok {
		var chosen any
		for i, e := range list {
			if m, ok := e.(map[string]any); ok && m["primary"] == true {
				chosen = e
				break
			}
			if i == 0 {
				chosen = e
			}
		}
		v = chosen
	}
	if m, ok := v.(map[string]any); ok {
		x, _ := lookup(m, t.Name)
		return x
	}
	return v
}

func compareSortValues(t *Attribute, a, b any) int {
	pa, pb := present(a), present(b)
	switch {
	case !pa && !pb:
		return 0
	case !pa:
		return 1
	case !pb:
		return -1
	}
	switch t.Type {
	case TypeBoolean:
		x, _ := a.(bool)
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case TypeInteger, TypeDecimal:
		return cmp.Compare(number(a), number(b))
	case TypeDateTime:
		sa, _ := a.(string)
		sb, _ := b.(string)
		ta, ea := parseDateTime(sa)
		tb, eb := parseDateTime(sb)
		if ea == nil && eb == nil {
			return ta.Compare(tb)
		}
	}
	sa, _ := a.(string)
	sb, _ := b.(string)
	if t.CaseExact {
		return strings.Compare(sa, sb)
	}
	return compareFold(sa, sb)
}

func number(v any) float64 {
	n, ok := toNumber(v)
	if !ok {
		return 0
	}
	f, _ := n.Float64()
	return f
}
