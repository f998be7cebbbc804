package scim

import "net/http"

// MergeReplace computes the result of a replace (PUT) under this product's
// rule that attributes the request leaves out are kept: Okta omits attributes
// whose profile value is empty, and Wrike keeps what it holds. incoming is the
// decoded request body; existing is the stored resource in canonical form.
//
// Attributes present in incoming replace the stored ones (a single-valued
// complex attribute such as name is merged by sub-attribute, so name.middleName
// survives a PUT that sends only givenName and familyName); attributes absent
// from incoming are kept; an attribute sent as null, "" or [] is removed.
// Read-only attributes (id, meta, groups) are kept from existing whatever
// incoming says; an immutable attribute that is already set cannot change
// (400 mutability). incoming is read as Normalize reads it, and the result
// must still have the required attributes. existing is not modified.
func MergeReplace(rt *ResourceType, existing, incoming map[string]any) (map[string]any, error) {
	n, err := normalize(rt, incoming)
	if err != nil {
		return nil, err
	}
	out := CloneResource(existing)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range n.res {
		if k == "schemas" {
			continue
		}
		if ext := rt.Extension(k); ext != nil {
			em, _ := v.(map[string]any)
			holder, _ := out[ext.ID].(map[string]any)
			if holder == nil {
				holder = make(map[string]any, len(em))
				out[ext.ID] = holder
			}
			for ek, ev := range em {
				if err := mergeAttr(holder, ext.Attribute(ek), ev, ext.ID+":"+ek); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := mergeAttr(out, rt.coreAttribute(k), v, k); err != nil {
			return nil, err
		}
	}
	for _, c := range n.cleared {
		holder := container(out, c.ns)
		if holder == nil || setBy(n.res, c) {
			continue
		}
		name := c.String()
		if c.sub != nil {
			if m, ok := holder[c.attr.Name].(map[string]any); ok {
				if c.sub.mutability() == Immutable && present(m[c.sub.Name]) {
					return nil, Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name)
				}
				delete(m, c.sub.Name)
				if len(m) == 0 {
					delete(holder, c.attr.Name)
				}
			}
			continue
		}
		if c.attr.mutability() == Immutable && present(holder[c.attr.Name]) {
			return nil, Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name)
		}
		delete(holder, c.attr.Name)
	}
	setSchemas(rt, out)
	if err := checkRequired(rt, out); err != nil {
		return nil, err
	}
	if err := checkSizes(rt, out, existing); err != nil {
		return nil, err
	}
	return out, nil
}

func mergeAttr(holder map[string]any, a *Attribute, v any, name string) *Error {
	if a == nil {
		return nil
	}
	cur := holder[a.Name]
	if a.mutability() == Immutable && present(cur) && !equalValue(cur, v) {
		return Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name)
	}
	cm, isMap := cur.(map[string]any)
	vm, vIsMap := v.(map[string]any)
	if a.Type == TypeComplex && !a.MultiValued && isMap && vIsMap {
		return mergeFields(a, cm, vm, name)
	}
	holder[a.Name] = v
	return nil
}

// mergeFields writes the sub-attributes in fields into cur, a value (or an
// element) of complex attribute a, keeping those fields leaves out; an
// immutable sub-attribute already set to another value is a mutability
// error. name is the attribute as the client wrote it.
func mergeFields(a *Attribute, cur, fields map[string]any, name string) *Error {
	for k, x := range fields {
		if s := a.SubAttribute(k); s != nil && s.mutability() == Immutable && present(cur[k]) && !equalValue(cur[k], x) {
			return Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name+"."+k)
		}
		cur[k] = x
	}
	return nil
}

// setBy reports whether the request also gave the cleared attribute a value
// under another spelling ("title": null beside "TITLE": "x"); the value wins.
func setBy(res map[string]any, c attrRef) bool {
	holder := container(res, c.ns)
	if holder == nil {
		return false
	}
	v, ok := holder[c.attr.Name]
	if !ok || c.sub == nil {
		return ok
	}
	m, _ := v.(map[string]any)
	_, ok = m[c.sub.Name]
	return ok
}
