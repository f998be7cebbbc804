package scim

import (
	"encoding/json"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// applyFiltered handles paths with a value filter.
func applyFiltered(holder map[string]any, kind patchKind, p *Path, value any, name string, meter *cost.Meter) *Error {
	a, sub := p.ref.attr, p.ref.sub
	cur, _ := holder[a.Name].([]any)
	var matched []int
	for i, e := range cur {
		if !meter.Charge(1) {
			return nil // the caller answers tooMany
		}
		if m, ok := e.(map[string]any); ok && matchNode(p.filter, m, meter) {
			matched = append(matched, i)
		}
	}
	if meter.Over() {
		return nil
	}
	if kind == patchRemove {
		if len(matched) == 0 {
			return badRequest(ErrNoTarget, "%q matches no value", name)
		}
		if sub == nil {
			drop := make([]bool, len(cur))
			for _, i := range matched {
				drop[i] = true
			}
			kept := make([]any, 0, len(cur)-len(matched))
			for i, e := range cur {
				if !drop[i] {
					kept = append(kept, e)
				}
			}
			holder[a.Name] = kept
			return nil
		}
		if sub.Required {
			return badRequest(ErrInvalidValue, "attribute %q is required and cannot be removed", name)
		}
		for _, i := range matched {
			if m, ok := cur[i].(map[string]any); ok {
				delete(m, sub.Name)
			}
		}
		holder[a.Name] = dropEmpty(cur)
		return nil
	}
	// add or replace
	var v any
	var err *Error
	if sub != nil {
		v, err = coerce(sub, value, named(name))
	} else {
		if _, isList := value.([]any); isList {
			return badRequest(ErrInvalidValue, "value for %q must be one JSON object, not an array", name)
		}
		v, err = coerceSingle(a, value, named(name))
	}
	if err != nil {
		return err
	}
	if v == nil {
		// Unassigning through a filter removes what the filter selects.
		if len(matched) == 0 {
			return nil
		}
		return applyFiltered(holder, patchRemove, p, nil, name, meter)
	}
	if len(matched) == 0 {
		elem, ok := elementFromFilter(p.filter)
		if !ok {
			return badRequest(ErrNoTarget, "%q matches no value, and its filter is not a set of eq clauses from which to create one", name)
		}
		if sub != nil {
			elem[sub.Name] = v
		} else {
			fields, _ := v.(map[string]any) // coerceSingle returns an object for a complex attribute
			for k, x := range fields {
				elem[k] = x
			}
		}
		cur = append(cur, elem)
		holder[a.Name] = cur
		if elem["primary"] == true {
			clearOtherPrimaries(cur, []any{elem})
		}
		return nil
	}
	var touched []any
	for _, i := range matched {
		m, _ := cur[i].(map[string]any) // matched holds objects only
		if sub != nil {
			if err := setSub(m, sub, v, name); err != nil {
				return err
			}
		} else {
			fields, _ := v.(map[string]any)
			if err := mergeFields(a, m, fields, name); err != nil {
				return err
			}
		}
		if m["primary"] == true {
			touched = append(touched, m)
		}
	}
	if len(touched) > 1 {
		return badRequest(ErrInvalidValue, "%q would mark %d values primary; at most one may be", name, len(touched))
	}
	clearOtherPrimaries(cur, touched)
	return nil
}

// elementFromFilter builds the element a filter of eq clauses describes:
// emails[type eq "work"] gives {"type": "work"}.
func elementFromFilter(n *node) (map[string]any, bool) {
	elem := make(map[string]any)
	var walk func(*node) bool
	walk = func(n *node) bool {
		switch n.kind {
		case nodeAnd:
			for _, k := range n.kids {
				if !walk(k) {
					return false
				}
			}
			return true
		case nodeCompare:
			if n.op != opEq {
				return false
			}
			var v any
			switch n.val.kind {
			case valString:
				v = n.val.s
			case valBool:
				v = n.val.b
			case valNumber:
				v = json.Number(n.val.s)
			default:
				return false
			}
			if _, dup := elem[n.ref.attr.Name]; dup {
				return false
			}
			elem[n.ref.attr.Name] = v
			return true
		}
		return false
	}
	if !walk(n) {
		return nil, false
	}
	return elem, true
}
