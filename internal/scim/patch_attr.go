package scim

import (
	"net/http"
	"reflect"
	"slices"
)

func removeRequired(a *Attribute, name string) *Error {
	if a.Required {
		return badRequest(ErrInvalidValue, "attribute %q is required and cannot be removed", name)
	}
	return nil
}

// applyAttr handles a path naming a whole attribute.
func applyAttr(holder map[string]any, kind patchKind, a *Attribute, value any, name string) *Error {
	if kind == patchRemove {
		if value != nil && a.MultiValued {
			return removeValues(holder, a, value)
		}
		if err := removeRequired(a, name); err != nil {
			return err
		}
		delete(holder, a.Name)
		return nil
	}
	v, err := coerce(a, value, named(name))
	if err != nil {
		return err
	}
	if v == nil {
		if err := removeRequired(a, name); err != nil {
			return err
		}
		delete(holder, a.Name)
		return nil
	}
	switch {
	case a.MultiValued:
		list, _ := v.([]any) // coerce returns a list for a multi-valued attribute
		if kind == patchReplace {
			holder[a.Name] = list
			return nil
		}
		cur, _ := holder[a.Name].([]any)
		var added []any
		if len(cur)*len(list) <= 64 {
			for _, e := range list {
				if !slices.ContainsFunc(cur, func(c any) bool { return equalValue(c, e) }) {
					cur = append(cur, e)
					added = append(added, e)
				}
			}
		} else {
			// Large lists (group members) are compared through a set, so that a
			// 1 MiB body of members costs linear, not quadratic, time.
			seen := make(map[string]bool, len(cur)+len(list))
			for _, c := range cur {
				seen[valueKey(c)] = true
			}
			for _, e := range list {
				if k := valueKey(e); !seen[k] {
					seen[k] = true
					cur = append(cur, e)
					added = append(added, e)
				}
			}
		}
		holder[a.Name] = cur
		clearOtherPrimaries(cur, added)
	case a.Type == TypeComplex:
		cur, _ := holder[a.Name].(map[string]any)
		if cur == nil {
			holder[a.Name] = v
			return nil
		}
		fields, _ := v.(map[string]any) // coerce returns an object for a complex attribute
		return mergeFields(a, cur, fields, name)
	default:
		holder[a.Name] = v
	}
	return nil
}

// removeValues removes the given values from a multi-valued attribute, the
// form Entra ID uses for group members: {"op":"remove","path":"members","value":[{"value":"id"}]}.
func removeValues(holder map[string]any, a *Attribute, value any) *Error {
	list, ok := value.([]any)
	if !ok {
		list = []any{value}
	}
	cur, _ := holder[a.Name].([]any)
	// Values named by "value" are looked up in a set; others are compared one by one.
	byValue := make(map[string]bool, len(list))
	var others []any
	for _, x := range list {
		if k, ok := elementValueKey(a, x); ok {
			byValue[k] = true
		} else {
			others = append(others, x)
		}
	}
	kept := cur[:0:0]
	for _, c := range cur {
		drop := false
		if k, ok := elementValueKey(a, c); ok && byValue[k] {
			drop = true
		}
		for _, x := range others {
			if drop {
				break
			}
			drop = sameElement(a, c, x)
		}
		if !drop {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		delete(holder, a.Name)
	} else {
		holder[a.Name] = kept
	}
	return nil
}

// sameElement reports whether element c of a multi-valued attribute is the one
// x designates, for an x whose "value" is not a string (elementValueKey
// matches those): complex elements are matched by "value" when x has one.
func sameElement(a *Attribute, c, x any) bool {
	if a.Type == TypeComplex {
		xm, ok := x.(map[string]any)
		cm, ok2 := c.(map[string]any)
		if ok && ok2 {
			if xv, has := lookup(xm, "value"); has {
				return equalValue(cm["value"], xv)
			}
		}
	}
	return equalValue(c, x)
}

// applySub handles "name.givenName" and "emails.value" (no filter).
func applySub(holder map[string]any, kind patchKind, ref attrRef, value any, name string) *Error {
	a, sub := ref.attr, ref.sub
	var v any
	if kind != patchRemove {
		var err *Error
		if v, err = coerce(sub, value, named(name)); err != nil {
			return err
		}
	}
	if a.MultiValued {
		cur, _ := holder[a.Name].([]any)
		if v == nil {
			for _, e := range cur {
				if m, ok := e.(map[string]any); ok {
					delete(m, sub.Name)
				}
			}
			holder[a.Name] = dropEmpty(cur)
			return nil
		}
		if len(cur) == 0 {
			holder[a.Name] = []any{map[string]any{sub.Name: v}}
			return nil
		}
		for _, e := range cur {
			if m, ok := e.(map[string]any); ok {
				if err := setSub(m, sub, v, name); err != nil {
					return err
				}
			}
		}
		if sub.Name == "primary" && v == true && len(cur) > 1 {
			return badRequest(ErrInvalidValue, "%q would mark %d values primary; select one with a value filter", name, len(cur))
		}
		return nil
	}
	cur, _ := holder[a.Name].(map[string]any)
	if v == nil {
		if cur != nil {
			if sub.Required {
				return badRequest(ErrInvalidValue, "attribute %q is required and cannot be removed", name)
			}
			delete(cur, sub.Name)
		}
		return nil
	}
	if cur == nil {
		cur = make(map[string]any)
		holder[a.Name] = cur
	}
	return setSub(cur, sub, v, name)
}

func setSub(m map[string]any, sub *Attribute, v any, name string) *Error {
	if sub.mutability() == Immutable && present(m[sub.Name]) && !equalValue(m[sub.Name], v) {
		return Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name)
	}
	m[sub.Name] = v
	return nil
}

func dropEmpty(list []any) []any {
	out := list[:0]
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && len(m) == 0 {
			continue
		}
		out = append(out, e)
	}
	return out
}

// clearOtherPrimaries sets primary=false on every element but the last of
// chosen that is marked primary, keeping "primary" unique (RFC 7643 §2.4).
func clearOtherPrimaries(list []any, chosen []any) {
	var keep map[string]any
	for _, c := range chosen {
		if m, ok := c.(map[string]any); ok && m["primary"] == true {
			keep = m
		}
	}
	if keep == nil {
		return
	}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["primary"] == true && !sameMap(m, keep) {
			m["primary"] = false
		}
	}
}

func sameMap(a, b map[string]any) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	// Maps are compared by identity: the same element, not an equal one.
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
