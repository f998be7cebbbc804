package scim

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// elementValueKey is the string "value" of a complex element as a set key:
// in the sub-attribute's Key form when it has one, so that duplicates and
// removals go by the canonical address as eq does (strings.ToLower would
// take U+212A KELVIN SIGN for "k"), else folded when it is not caseExact.
func elementValueKey(a *Attribute, v any) (string, bool) {
	if a.Type != TypeComplex {
		return "", false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	x, _ := lookup(m, "value")
	s, ok := x.(string)
	if !ok {
		return "", false
	}
	switch sub := a.SubAttribute("value"); {
	case sub == nil:
	case sub.Key != nil:
		s = sub.Key(s)
	case !sub.CaseExact:
		s = strings.ToLower(s)
	}
	return s, true
}

// valueKey renders a canonical value as a set key: equal values (by
// equalValue) give equal keys.
func valueKey(v any) string {
	var b strings.Builder
	writeKey(&b, v)
	return b.String()
}

func writeKey(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteByte('z')
	case string:
		b.WriteByte('s')
		b.WriteString(strconv.Quote(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case map[string]any:
		b.WriteByte('{')
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if !present(x[k]) {
				continue
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			writeKey(b, x[k])
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for _, e := range x {
			writeKey(b, e)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	default:
		if n, ok := toNumber(v); ok {
			f, _ := n.Float64()
			b.WriteByte('n')
			b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		b.WriteByte('?')
	}
}

// equalValue compares two canonical values deeply.
func equalValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return !present(b)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case json.Number:
		y, ok := toNumber(b)
		if !ok {
			return false
		}
		fx, e1 := x.Float64()
		fy, e2 := y.Float64()
		return e1 == nil && e2 == nil && fx == fy
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		if n, ok := toNumber(a); ok {
			return equalValue(n, b)
		}
	}
	return false
}
