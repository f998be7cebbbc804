package scim

import (
	"strconv"
	"strings"
)

// attrRef is an attribute name resolved against a resource type: the namespace
// it lives in ("" for the core schema and the common attributes, else an
// extension URN), the attribute, and optionally one sub-attribute.
type attrRef struct {
	ns   string
	ext  *Schema    // the extension schema when ns != ""
	attr *Attribute // nil when the name is an extension URN alone
	sub  *Attribute
}

func (r attrRef) String() string {
	var b strings.Builder
	if r.ns != "" {
		b.WriteString(r.ns)
		if r.attr != nil {
			b.WriteByte(':')
		}
	}
	if r.attr != nil {
		b.WriteString(r.attr.Name)
	}
	if r.sub != nil {
		b.WriteByte('.')
		b.WriteString(r.sub.Name)
	}
	return b.String()
}

// target is the attribute the reference designates: the sub-attribute if any.
func (r attrRef) target() *Attribute {
	if r.sub != nil {
		return r.sub
	}
	return r.attr
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// resolve resolves an attribute name: "userName", "name.givenName",
// "urn:...:core:2.0:User:userName", "urn:...:enterprise:2.0:User:manager.value"
// or an extension URN alone. The reason is empty on success.
func (rt *ResourceType) resolve(name string) (attrRef, string) {
	var ref attrRef
	rest := name
	if hasPrefixFold(name, "urn:") {
		switch {
		case hasPrefixFold(name, rt.Schema.ID) && len(name) > len(rt.Schema.ID) && name[len(rt.Schema.ID)] == ':':
			rest = name[len(rt.Schema.ID)+1:]
		default:
			found := false
			for _, e := range rt.Extensions {
				id := e.Schema.ID
				if len(name) == len(id) && strings.EqualFold(name, id) {
					return attrRef{ns: id, ext: e.Schema}, ""
				}
				if hasPrefixFold(name, id) && len(name) > len(id) && name[len(id)] == ':' {
					ref.ns, ref.ext = id, e.Schema
					rest = name[len(id)+1:]
					found = true
					break
				}
			}
			if !found {
				return ref, "unknown schema in attribute " + strconv.Quote(name)
			}
		}
	}
	attrName, subName, dotted := strings.Cut(rest, ".")
	if attrName == "" {
		return ref, "attribute name is missing in " + strconv.Quote(name)
	}
	if ref.ext != nil {
		ref.attr = ref.ext.Attribute(attrName)
	} else {
		ref.attr = rt.coreAttribute(attrName)
	}
	if ref.attr == nil {
		return ref, "unknown attribute " + strconv.Quote(name)
	}
	if dotted {
		if ref.attr.Type != TypeComplex {
			return ref, "attribute " + strconv.Quote(ref.attr.Name) + " has no sub-attributes"
		}
		ref.sub = ref.attr.SubAttribute(subName)
		if ref.sub == nil {
			return ref, "unknown sub-attribute " + strconv.Quote(name)
		}
	}
	return ref, ""
}

// lookup finds a key exactly, then case-insensitively, so that resources not
// produced by this package still match.
func lookup(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// container returns the map holding the attributes of namespace ns.
func container(res map[string]any, ns string) map[string]any {
	if ns == "" {
		return res
	}
	v, _ := lookup(res, ns)
	m, _ := v.(map[string]any)
	return m
}

// get returns the value of the top-level attribute of the reference (ignoring sub).
func (r attrRef) get(res map[string]any) any {
	c := container(res, r.ns)
	if c == nil || r.attr == nil {
		return nil
	}
	v, _ := lookup(c, r.attr.Name)
	return v
}
