package scim

// Clone returns a deep copy of a resource or of any value in one.
func Clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return CloneResource(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Clone(e)
		}
		return out
	default:
		return v
	}
}

// CloneResource returns a deep copy of a resource.
func CloneResource(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = Clone(v)
	}
	return out
}

// String returns a string attribute of a canonical resource ("userName",
// "name.givenName", "urn:...:enterprise:2.0:User:department"), or "".
func String(rt *ResourceType, res map[string]any, name string) string {
	ref, reason := rt.resolve(name)
	if reason != "" || ref.attr == nil || ref.attr.MultiValued {
		return ""
	}
	v := ref.get(res)
	if ref.sub != nil {
		m, _ := v.(map[string]any)
		v, _ = lookup(m, ref.sub.Name)
	}
	s, _ := v.(string)
	return s
}

// Primary returns the primary value of a multi-valued attribute ("emails",
// "phoneNumbers"): the "value" of the element marked primary, else of the first.
func Primary(rt *ResourceType, res map[string]any, name string) string {
	ref, reason := rt.resolve(name)
	if reason != "" || ref.attr == nil || !ref.attr.MultiValued {
		return ""
	}
	list, _ := ref.get(res).([]any)
	first := ""
	for i, e := range list {
		m, _ := e.(map[string]any)
		if m == nil {
			continue
		}
		s, _ := m["value"].(string)
		if i == 0 {
			first = s
		}
		if p, _ := m["primary"].(bool); p {
			return s
		}
	}
	return first
}

// Bool returns a boolean attribute of a canonical resource and whether it is set.
func Bool(rt *ResourceType, res map[string]any, name string) (value, ok bool) {
	ref, reason := rt.resolve(name)
	if reason != "" || ref.attr == nil || ref.sub != nil {
		return false, false
	}
	b, ok := ref.get(res).(bool)
	return b, ok
}
