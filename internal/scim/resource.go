package scim

import (
	"maps"
	"slices"
	"strings"
)

// normalized is the result of reading a full resource representation.
type normalized struct {
	res     map[string]any
	cleared []attrRef // attributes the input set to null, "" or []
}

// Normalize reads a resource representation sent for a create (POST) or a
// replace (PUT) and returns its canonical form: attribute names in their
// schema spelling (input names are case-insensitive), values of the schema's
// types (booleans sent as "True"/"False" become booleans), extension attributes
// under their extension URN (URN-qualified top-level keys such as
// "urn:...:enterprise:2.0:User:department" are moved there), and "schemas"
// listing the core schema and each extension that has attributes.
//
// Read-only attributes (id, meta, groups) are ignored, as RFC 7643 §7 asks.
// Unknown attributes and unknown extension URNs are ignored too, so that an
// identity provider mapping an attribute this server does not keep still
// provisions; a known attribute with a wrong type, a value outside a binding
// canonical list, or a missing required attribute is a 400 invalidValue, and a
// "schemas" that does not contain the resource type's core schema is a 400
// invalidSyntax. null, "" and [] mean unassigned and are left out.
func Normalize(rt *ResourceType, in map[string]any) (map[string]any, error) {
	n, err := normalize(rt, in)
	if err != nil {
		return nil, err
	}
	if err := checkRequired(rt, n.res); err != nil {
		return nil, err
	}
	if err := checkSizes(rt, n.res, nil); err != nil {
		return nil, err
	}
	return n.res, nil
}

// liftCore moves the attributes some clients send wrapped under the core
// schema URN ({"urn:...:core:2.0:User": {"userName": ...}}) to the top
// level, where RFC 7643 §3 puts them. An attribute given both ways, or a
// wrapper that is not an object, is a 400 that says so.
func liftCore(rt *ResourceType, in map[string]any) (map[string]any, *Error) {
	var key string
	for k := range in {
		if strings.EqualFold(k, rt.Schema.ID) {
			key = k
		}
	}
	if key == "" {
		return in, nil
	}
	wrapped, ok := in[key].(map[string]any)
	if !ok {
		if in[key] == nil {
			wrapped = map[string]any{}
		} else {
			return nil, badRequest(ErrInvalidSyntax, "%q must be a JSON object of core attributes, not %s", rt.Schema.ID, describe(in[key]))
		}
	}
	out := make(map[string]any, len(in)+len(wrapped))
	for k, v := range in {
		if k != key {
			out[k] = v
		}
	}
	for k, v := range wrapped {
		for o := range out {
			if strings.EqualFold(o, k) && !strings.EqualFold(k, "schemas") {
				return nil, badRequest(ErrInvalidSyntax, "attribute %q is given both at the top level and under %q; send it once", k, rt.Schema.ID)
			}
		}
		if !strings.EqualFold(k, "schemas") {
			out[k] = v
		}
	}
	return out, nil
}

func normalize(rt *ResourceType, in map[string]any) (normalized, error) {
	in, lerr := liftCore(rt, in)
	if lerr != nil {
		return normalized{}, lerr
	}
	out := make(map[string]any, len(in)+1)
	var cleared []attrRef
	for _, k := range slices.Sorted(maps.Keys(in)) {
		v := in[k]
		if strings.EqualFold(k, "schemas") {
			if err := checkSchemas(rt, v); err != nil {
				return normalized{}, err
			}
			continue
		}
		ref, reason := rt.resolve(k)
		if reason != "" {
			continue
		}
		if ref.attr == nil { // an extension object
			if v == nil {
				for _, a := range ref.ext.Attributes {
					cleared = append(cleared, attrRef{ns: ref.ns, ext: ref.ext, attr: a})
				}
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return normalized{}, badRequest(ErrInvalidValue, "extension %q must be a JSON object, not %s", ref.ns, describe(v))
			}
			for _, ek := range slices.Sorted(maps.Keys(m)) {
				a := ref.ext.Attribute(ek)
				if a == nil {
					// "urn:...:User": {"manager.value": "x"} is rare but costs nothing to accept.
					sref, reason := rt.resolve(ref.ns + ":" + ek)
					if reason != "" {
						continue
					}
					if err := setNormalized(out, &cleared, sref, m[ek]); err != nil {
						return normalized{}, err
					}
					continue
				}
				if err := setNormalized(out, &cleared, attrRef{ns: ref.ns, ext: ref.ext, attr: a}, m[ek]); err != nil {
					return normalized{}, err
				}
			}
			continue
		}
		if err := setNormalized(out, &cleared, ref, v); err != nil {
			return normalized{}, err
		}
	}
	setSchemas(rt, out)
	return normalized{res: out, cleared: cleared}, nil
}

func setNormalized(out map[string]any, cleared *[]attrRef, ref attrRef, v any) *Error {
	if ref.attr.mutability() == ReadOnly || (ref.sub != nil && ref.sub.mutability() == ReadOnly) {
		return nil
	}
	name := ref.String()
	var c any
	var err *Error
	if ref.sub != nil {
		c, err = coerce(ref.sub, v, named(name))
	} else {
		c, err = coerce(ref.attr, v, named(name))
	}
	if err != nil {
		return err
	}
	if c == nil {
		*cleared = append(*cleared, ref)
		return nil
	}
	holder := out
	if ref.ns != "" {
		h, _ := out[ref.ns].(map[string]any)
		if h == nil {
			h = make(map[string]any)
			out[ref.ns] = h
		}
		holder = h
	}
	if ref.sub == nil {
		if prev, dup := holder[ref.attr.Name]; dup {
			pm, ok1 := prev.(map[string]any)
			cm, ok2 := c.(map[string]any)
			if !ok1 || !ok2 {
				return badRequest(ErrInvalidSyntax, "attribute %q is given more than once (names are case-insensitive)", name)
			}
			for k, x := range cm {
				if _, d := pm[k]; d {
					return badRequest(ErrInvalidSyntax, "attribute %q is given more than once (names are case-insensitive)", name+"."+k)
				}
				pm[k] = x
			}
			return nil
		}
		holder[ref.attr.Name] = c
		return nil
	}
	// A dotted key such as "name.givenName".
	if ref.attr.MultiValued {
		return badRequest(ErrInvalidValue, "attribute %q is multi-valued; give its values as a JSON array of objects", ref.attr.Name)
	}
	pm, _ := holder[ref.attr.Name].(map[string]any)
	if pm == nil {
		pm = make(map[string]any)
		holder[ref.attr.Name] = pm
	}
	if _, dup := pm[ref.sub.Name]; dup {
		return badRequest(ErrInvalidSyntax, "attribute %q is given more than once (names are case-insensitive)", name)
	}
	pm[ref.sub.Name] = c
	return nil
}

func checkSchemas(rt *ResourceType, v any) *Error {
	var list []any
	switch x := v.(type) {
	case []any:
		list = x
	case string:
		list = []any{x}
	case nil:
		return nil
	default:
		return badRequest(ErrInvalidSyntax, "\"schemas\" must be a JSON array of schema URNs, not %s", describe(v))
	}
	found := false
	for _, s := range list {
		u, ok := s.(string)
		if !ok {
			return badRequest(ErrInvalidSyntax, "\"schemas\" must contain only strings, found %s", describe(s))
		}
		if strings.EqualFold(u, rt.Schema.ID) {
			found = true
		}
	}
	if !found {
		return badRequest(ErrInvalidSyntax, "\"schemas\" must contain %q", rt.Schema.ID)
	}
	return nil
}

// setSchemas sets "schemas" to the core schema and each extension present.
func setSchemas(rt *ResourceType, res map[string]any) {
	s := make([]any, 1, 1+len(rt.Extensions))
	s[0] = rt.Schema.ID
	for _, e := range rt.Extensions {
		if m, ok := res[e.Schema.ID].(map[string]any); ok {
			if len(m) == 0 {
				delete(res, e.Schema.ID)
				continue
			}
			s = append(s, e.Schema.ID)
		}
	}
	res["schemas"] = s
}

func checkRequired(rt *ResourceType, res map[string]any) *Error {
	if err := checkRequiredIn(rt.Schema, "", res); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		m, ok := res[e.Schema.ID].(map[string]any)
		if !ok {
			if e.Required {
				return badRequest(ErrInvalidValue, "extension %q is required", e.Schema.ID)
			}
			continue
		}
		if err := checkRequiredIn(e.Schema, e.Schema.ID+":", m); err != nil {
			return err
		}
	}
	return nil
}

func checkRequiredIn(s *Schema, prefix string, m map[string]any) *Error {
	for _, a := range s.Attributes {
		if a.Required && a.mutability() != ReadOnly {
			if v, ok := m[a.Name]; !ok || v == nil {
				return badRequest(ErrInvalidValue, "attribute %q is required", prefix+a.Name)
			}
		}
	}
	return nil
}
