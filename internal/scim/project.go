package scim

import (
	"strings"
)

type attrKey struct{ ns, name string }

// selection is a set of attributes named in "attributes" or "excludedAttributes".
type selection struct {
	whole map[attrKey]bool
	subs  map[attrKey]map[string]bool
	exts  map[string]bool // extension URNs named alone
}

func (s *selection) empty() bool {
	return s == nil || len(s.whole) == 0 && len(s.subs) == 0 && len(s.exts) == 0
}

// Projection applies "attributes" and "excludedAttributes" (RFC 7644 §3.4.2.5,
// §3.9) together with each attribute's "returned" characteristic: "always"
// attributes (id, schemas) are in every response, "never" ones (password) in
// none, "request" ones only when named in attributes, "default" ones unless
// attributes names others or excludedAttributes names them.
type Projection struct {
	rt       *ResourceType
	include  *selection
	excluded *selection
}

// ParseProjection reads the attributes and excludedAttributes parameters. Each
// element may itself be a comma-separated list. Names may be plain
// ("userName"), dotted ("name.givenName", "emails.value"), URN-qualified
// ("urn:...:enterprise:2.0:User:department") or an extension URN alone. An
// unknown name is a 400 invalidValue.
func ParseProjection(rt *ResourceType, attributes, excludedAttributes []string) (*Projection, error) {
	inc, err := parseSelection(rt, "attributes", attributes)
	if err != nil {
		return nil, err
	}
	exc, err := parseSelection(rt, "excludedAttributes", excludedAttributes)
	if err != nil {
		return nil, err
	}
	return &Projection{rt: rt, include: inc, excluded: exc}, nil
}

func parseSelection(rt *ResourceType, param string, lists []string) (*selection, error) {
	var s *selection
	for _, l := range lists {
		for _, name := range strings.Split(l, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			ref, reason := rt.resolve(name)
			if reason != "" {
				if strings.EqualFold(name, "schemas") {
					continue
				}
				return nil, badRequest(ErrInvalidValue, "%s: %s", param, reason)
			}
			if s == nil {
				s = &selection{whole: map[attrKey]bool{}, subs: map[attrKey]map[string]bool{}, exts: map[string]bool{}}
			}
			if ref.attr == nil {
				s.exts[ref.ns] = true
				continue
			}
			k := attrKey{ref.ns, ref.attr.Name}
			if ref.sub == nil {
				s.whole[k] = true
				continue
			}
			if s.subs[k] == nil {
				s.subs[k] = map[string]bool{}
			}
			s.subs[k][ref.sub.Name] = true
		}
	}
	return s, nil
}

// Names reports whether attributes or excludedAttributes named anything:
// without, a server may answer its stored representation as it is.
func (p *Projection) Names() bool {
	return p != nil && (!p.include.empty() || !p.excluded.empty())
}

// Apply returns the projected copy of a resource in canonical form; res is
// not modified. A nil Projection applies only the "returned" rules.
func (p *Projection) Apply(res map[string]any) map[string]any {
	if p == nil {
		return defaultProjection(res)
	}
	out := make(map[string]any, len(res))
	for k, v := range res {
		if k == "schemas" {
			continue
		}
		if ext := p.rt.Extension(k); ext != nil {
			em, ok := v.(map[string]any)
			if !ok {
				continue
			}
			po := make(map[string]any, len(em))
			for ek, ev := range em {
				a := ext.Attribute(ek)
				if a == nil {
					continue
				}
				if pv, ok := p.project(ext.ID, a, ev); ok {
					po[a.Name] = pv
				}
			}
			if len(po) > 0 {
				out[ext.ID] = po
			}
			continue
		}
		a := p.rt.coreAttribute(k)
		if a == nil {
			// Not in the schema: returned only by default.
			if p.include.empty() {
				out[k] = v
			}
			continue
		}
		if pv, ok := p.project("", a, v); ok {
			out[a.Name] = pv
		}
	}
	setSchemas(p.rt, out)
	return out
}

func defaultProjection(res map[string]any) map[string]any {
	// Without a resource type only "password" is known to be never returned.
	if _, ok := res["password"]; !ok {
		return res
	}
	out := make(map[string]any, len(res))
	for k, v := range res {
		if k != "password" {
			out[k] = v
		}
	}
	return out
}

func (p *Projection) project(ns string, a *Attribute, v any) (any, bool) {
	switch a.returned() {
	case ReturnedNever:
		return nil, false
	case ReturnedAlways:
		return filterSubs(a, v, nil, nil), true
	}
	k := attrKey{ns, a.Name}
	if !p.include.empty() {
		if p.include.whole[k] || p.include.exts[ns] && ns != "" {
			return filterSubs(a, v, nil, p.excludedSubs(k)), true
		}
		if subs := p.include.subs[k]; subs != nil {
			out := filterSubs(a, v, subs, nil)
			return out, present(out)
		}
		return nil, false
	}
	if a.returned() == ReturnedRequest {
		return nil, false
	}
	if !p.excluded.empty() {
		if p.excluded.whole[k] || p.excluded.exts[ns] && ns != "" {
			return nil, false
		}
		if subs := p.excluded.subs[k]; subs != nil {
			out := filterSubs(a, v, nil, subs)
			return out, present(out)
		}
	}
	return filterSubs(a, v, nil, nil), true
}

func (p *Projection) excludedSubs(k attrKey) map[string]bool {
	if p.excluded.empty() {
		return nil
	}
	return p.excluded.subs[k]
}

// filterSubs keeps, in a complex value, the sub-attributes in only (when not
// nil) and not in drop, and never those returned "never"; "always"
// sub-attributes stay.
func filterSubs(a *Attribute, v any, only, drop map[string]bool) any {
	if a.Type != TypeComplex || only == nil && drop == nil && !hasNeverSub(a) {
		return v
	}
	one := func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, x := range m {
			s := a.SubAttribute(k)
			if s != nil {
				switch s.returned() {
				case ReturnedNever:
					continue
				case ReturnedAlways:
					out[k] = x
					continue
				}
				k = s.Name
			}
			if only != nil && !only[k] || drop[k] {
				continue
			}
			out[k] = x
		}
		return out
	}
	switch x := v.(type) {
	case map[string]any:
		return one(x)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if pm := one(m); len(pm) > 0 {
					out = append(out, pm)
				}
			}
		}
		return out
	}
	return v
}

func hasNeverSub(a *Attribute) bool {
	for _, s := range a.SubAttributes {
		if s.returned() == ReturnedNever {
			return true
		}
	}
	return false
}
