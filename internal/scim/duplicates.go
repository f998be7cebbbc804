package scim

import (
	"strings"
)

// collapseDuplicates merges the values of a multi-valued attribute that are
// the same value (RFC 7643 §2.4: "the same type and value"): complex values
// with a "value" compare by type and value, the value in its Key form or
// folded where the schema says so (elementValueKey); others compare whole.
// The first occurrence stays in place and takes the sub-attributes only the
// later ones have; it is primary if any of them was.
func collapseDuplicates(a *Attribute, list []any) []any {
	if len(list) < 2 {
		return list
	}
	first := make(map[string]int, len(list))
	out := list[:0:0]
	for _, e := range list {
		k := duplicateKey(a, e)
		i, dup := first[k]
		if !dup {
			first[k] = len(out)
			out = append(out, e)
			continue
		}
		kept, ok1 := out[i].(map[string]any)
		m, ok2 := e.(map[string]any)
		if !ok1 || !ok2 {
			continue
		}
		for sk, sv := range m {
			if sk == "primary" {
				if sv == true {
					kept["primary"] = true
				}
				continue
			}
			if _, has := kept[sk]; !has {
				kept[sk] = sv
			}
		}
	}
	return out
}

func duplicateKey(a *Attribute, e any) string {
	m, ok := e.(map[string]any)
	if !ok || a.Type != TypeComplex {
		return valueKey(e)
	}
	v, ok := elementValueKey(a, m)
	if !ok {
		return valueKey(e)
	}
	t, _ := m["type"].(string)
	return "t" + strings.ToLower(t) + "\x00" + v
}

// collapseAllDuplicates applies collapseDuplicates to every multi-valued
// attribute of a canonical resource.
func collapseAllDuplicates(rt *ResourceType, res map[string]any) {
	collapseIn := func(s *Schema, holder map[string]any) {
		for _, a := range s.Attributes {
			if list, ok := holder[a.Name].([]any); ok && a.MultiValued {
				holder[a.Name] = collapseDuplicates(a, list)
			}
		}
	}
	collapseIn(rt.Schema, res)
	for _, e := range rt.Extensions {
		if m, ok := res[e.Schema.ID].(map[string]any); ok {
			collapseIn(e.Schema, m)
		}
	}
}
