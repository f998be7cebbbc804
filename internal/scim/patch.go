package scim

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// MaxPatchOperations bounds the operations of one PATCH request. More is a 400
// invalidValue: tooMany is defined for filters that select too many results,
// and RFC 7644 has no code of its own for this.
const MaxPatchOperations = 1000

// PatchOperation is one operation of a PATCH request. Op is "add", "replace" or
// "remove" in any letter case (Microsoft Entra ID sends "Replace" and "Add").
type PatchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// PatchRequest is the body of a PATCH request (RFC 7644 §3.5.2). Decoding
// accepts "Operations" in any letter case, and op/path/value likewise.
type PatchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []PatchOperation `json:"Operations"`
}

// UnmarshalJSON reads a PATCH body with case-insensitive member names and
// numbers kept as json.Number.
func (r *PatchRequest) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = PatchRequest{}
	for k, v := range raw {
		switch {
		case strings.EqualFold(k, "schemas"):
			if err := json.Unmarshal(v, &r.Schemas); err != nil {
				return badRequest(ErrInvalidSyntax, "\"schemas\" must be a JSON array of strings")
			}
		case strings.EqualFold(k, "Operations"):
			var ops []json.RawMessage
			if err := json.Unmarshal(v, &ops); err != nil {
				return badRequest(ErrInvalidSyntax, "\"Operations\" must be a JSON array of operations")
			}
			if ops == nil {
				continue
			}
			if len(ops) > MaxPatchOperations {
				return badRequest(ErrInvalidValue, "PATCH request has %d operations; at most %d are accepted", len(ops), MaxPatchOperations)
			}
			r.Operations = make([]PatchOperation, len(ops))
			for i, o := range ops {
				if err := r.Operations[i].decode(o, i); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (o *PatchOperation) decode(b []byte, i int) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return badRequest(ErrInvalidSyntax, "Operations[%d] must be a JSON object", i)
	}
	for k, v := range raw {
		switch {
		case strings.EqualFold(k, "op"):
			if err := json.Unmarshal(v, &o.Op); err != nil {
				return badRequest(ErrInvalidSyntax, "Operations[%d].op must be a string", i)
			}
		case strings.EqualFold(k, "path"):
			if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				continue
			}
			if err := json.Unmarshal(v, &o.Path); err != nil {
				return badRequest(ErrInvalidSyntax, "Operations[%d].path must be a string", i)
			}
		case strings.EqualFold(k, "value"):
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(&o.Value); err != nil {
				return badRequest(ErrInvalidSyntax, "Operations[%d].value is not valid JSON", i)
			}
		}
	}
	return nil
}

// DecodePatchRequest decodes and checks a PATCH body: valid JSON, a "schemas"
// that, when present, contains the PatchOp URN, one to MaxPatchOperations
// operations, each with a known op. Errors are 400 SCIM errors.
func DecodePatchRequest(body []byte) (*PatchRequest, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] != '{' {
		return nil, badRequest(ErrInvalidSyntax, "PATCH body must be a JSON object")
	}
	var r PatchRequest
	if err := decodeRequest(body, &r); err != nil {
		return nil, err
	}
	if r.Schemas != nil && !slices.ContainsFunc(r.Schemas, func(s string) bool { return strings.EqualFold(s, SchemaPatchOp) }) {
		return nil, badRequest(ErrInvalidSyntax, "\"schemas\" must contain %q", SchemaPatchOp)
	}
	if len(r.Operations) == 0 {
		return nil, badRequest(ErrInvalidSyntax, "PATCH body has no \"Operations\"")
	}
	for i, o := range r.Operations {
		if _, err := opKind(o.Op, i); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

type patchKind uint8

const (
	patchAdd patchKind = iota
	patchReplace
	patchRemove
)

func opKind(op string, i int) (patchKind, *Error) {
	switch {
	case strings.EqualFold(op, "add"):
		return patchAdd, nil
	case strings.EqualFold(op, "replace"):
		return patchReplace, nil
	case strings.EqualFold(op, "remove"):
		return patchRemove, nil
	case op == "":
		return 0, badRequest(ErrInvalidSyntax, "Operations[%d] has no \"op\"; use add, replace or remove", i)
	}
	return 0, badRequest(ErrInvalidSyntax, "Operations[%d].op %q is not add, replace or remove", i, op)
}

// ApplyPatch applies PATCH operations to a resource in canonical form and
// returns the new resource; res is not modified, and on error nothing is
// returned, so a failed PATCH changes nothing. Semantics are RFC 7644 §3.5.2's,
// with the forms identity providers send:
//
//   - op in any letter case; values of the attribute's type, booleans also as
//     "True"/"False"; null, "" and [] as values of add/replace unassign.
//   - No path: the value is an object whose keys are attribute names, dotted
//     names ("name.givenName"), URN-qualified names
//     ("urn:...:enterprise:2.0:User:department") or extension URNs whose value
//     is an object of that extension's attributes. Unknown keys are ignored, as
//     in Normalize, and so is a path in an extension schema the resource
//     type does not have; read-only keys are ignored when their value is unchanged
//     (clients echo "id"), else a mutability error.
//   - add merges into complex attributes and appends to multi-valued ones
//     (values already present are not duplicated); replace replaces, except
//     that sub-attributes of a complex value not given are kept.
//   - A value filter selects elements ("emails[type eq \"work\"].value"). An
//     add or replace whose filter matches nothing creates the element from the
//     filter's eq clauses and the value, as Microsoft Entra ID expects; when the
//     filter is not a conjunction of eq clauses this is noTarget.
//   - remove needs a path (else noTarget); with a filter that matches nothing
//     it is noTarget; with a value on a multi-valued attribute it removes those
//     values (matched by "value" for complex ones). Removing a required
//     attribute is invalidValue.
//   - Writing a readOnly attribute, or changing an assigned immutable one, is a
//     mutability error.
//   - Setting primary=true on an element clears primary on the others.
//   - At most MaxPatchOperations operations (invalidValue beyond).
func ApplyPatch(rt *ResourceType, res map[string]any, ops []PatchOperation) (map[string]any, error) {
	return ApplyPatchWithin(rt, res, ops, nil)
}

// ApplyPatchWithin is ApplyPatch charging the work of paths and value
// filters to m (cost.Compare per comparison, on every element a filter
// examines, and each path's length): past m's budget it is a 400 tooMany
// naming the limit, and nothing changes. Between operations it paces the
// request (m.Pace), whose error it returns as it is.
func ApplyPatchWithin(rt *ResourceType, res map[string]any, ops []PatchOperation, m *cost.Meter) (map[string]any, error) {
	if len(ops) > MaxPatchOperations {
		return nil, badRequest(ErrInvalidValue, "PATCH request has %d operations; at most %d are accepted", len(ops), MaxPatchOperations)
	}
	out := CloneResource(res)
	if out == nil {
		out = map[string]any{}
	}
	for i, o := range ops {
		kind, err := opKind(o.Op, i)
		if err != nil {
			return nil, err
		}
		if err := m.Pace(); err != nil {
			return nil, err
		}
		if !m.Charge(int64(max(len(o.Path), 1))) {
			return nil, patchOverBudget(m, i)
		}
		if err := applyOp(rt, out, kind, o, m); err != nil {
			err.Detail = "Operations[" + strconv.Itoa(i) + "]: " + err.Detail
			return nil, err
		}
		if m.Over() {
			return nil, patchOverBudget(m, i)
		}
	}
	collapseAllDuplicates(rt, out)
	setSchemas(rt, out)
	if err := checkRequired(rt, out); err != nil {
		return nil, err
	}
	if err := checkSizes(rt, out, res); err != nil {
		return nil, err
	}
	return out, nil
}

// patchOverBudget is the answer to a PATCH whose paths and filters cost more
// than its budget, stopped at operation i.
func patchOverBudget(m *cost.Meter, i int) *Error {
	return badRequest(ErrTooMany, "%s; send fewer operations or value filters in one request",
		m.Detail("the PATCH request's paths and value filters (stopped at Operations["+strconv.Itoa(i)+"])"))
}

func applyOp(rt *ResourceType, res map[string]any, kind patchKind, o PatchOperation, m *cost.Meter) *Error {
	if o.Path == "" {
		if kind == patchRemove {
			return badRequest(ErrNoTarget, "remove needs a \"path\"")
		}
		m, ok := o.Value.(map[string]any)
		if !ok {
			return badRequest(ErrInvalidValue, "%s without a \"path\" needs a JSON object \"value\", not %s", opNames2[kind], describe(o.Value))
		}
		return applyPathless(rt, res, kind, m)
	}
	if strings.EqualFold(strings.TrimSpace(o.Path), rt.Schema.ID) {
		// The core schema URN as the path: its value holds core attributes,
		// as a pathless value does.
		if kind == patchRemove {
			return badRequest(ErrNoTarget, "remove cannot take the core schema %q as its path; name the attribute to remove", rt.Schema.ID)
		}
		m, ok := o.Value.(map[string]any)
		if !ok {
			return badRequest(ErrInvalidValue, "value for %q must be a JSON object of its attributes, not %s", rt.Schema.ID, describe(o.Value))
		}
		return applyPathless(rt, res, kind, m)
	}
	p, unknownSchema, err := parsePath(rt, o.Path)
	if unknownSchema {
		// An attribute of an extension this server does not have, such as the
		// custom extension an Entra ID administrator maps: ignored, as Normalize
		// ignores it in a POST, so that one mapping does not fail every update.
		return nil
	}
	if err != nil {
		e, _ := AsError(err)
		return e
	}
	if p.ref.attr == nil { // an extension URN alone
		if kind == patchRemove {
			delete(res, p.ref.ns)
			return nil
		}
		m, ok := o.Value.(map[string]any)
		if !ok {
			return badRequest(ErrInvalidValue, "value for %q must be a JSON object of its attributes, not %s", p.ref.ns, describe(o.Value))
		}
		return applyExtension(rt, res, kind, p.ref, m)
	}
	return apply(res, kind, p, o.Value, false, m)
}

var opNames2 = [...]string{"add", "replace", "remove"}

func applyPathless(rt *ResourceType, res map[string]any, kind patchKind, m map[string]any) *Error {
	m, err := liftCore(rt, m)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if strings.EqualFold(k, "schemas") {
			continue
		}
		ref, reason := rt.resolve(k)
		if reason != "" {
			continue
		}
		if ref.attr == nil {
			em, ok := m[k].(map[string]any)
			if !ok {
				if m[k] == nil {
					delete(res, ref.ns)
					continue
				}
				return badRequest(ErrInvalidValue, "value for %q must be a JSON object of its attributes, not %s", ref.ns, describe(m[k]))
			}
			if err := applyExtension(rt, res, kind, ref, em); err != nil {
				return err
			}
			continue
		}
		if err := apply(res, kind, &Path{ref: ref, raw: k}, m[k], true, nil); err != nil {
			return err
		}
	}
	return nil
}

func applyExtension(rt *ResourceType, res map[string]any, kind patchKind, ext attrRef, m map[string]any) *Error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ref, reason := rt.resolve(ext.ns + ":" + k)
		if reason != "" {
			continue
		}
		if err := apply(res, kind, &Path{ref: ref, raw: ext.ns + ":" + k}, m[k], true, nil); err != nil {
			return err
		}
	}
	return nil
}

// apply performs one operation on one path. pathless is set for the keys of a
// pathless value, where echoed read-only values are tolerated.
func apply(res map[string]any, kind patchKind, p *Path, value any, pathless bool, m *cost.Meter) *Error {
	a := p.ref.attr
	// Error details name the attribute as the client wrote it.
	name := p.raw
	if name == "" {
		name = p.String()
	}
	holder := res
	if p.ref.ns != "" {
		holder, _ = res[p.ref.ns].(map[string]any)
		if holder == nil {
			if kind == patchRemove {
				if p.filter != nil {
					return badRequest(ErrNoTarget, "%q matches no value", name)
				}
				return nil
			}
			holder = make(map[string]any)
			res[p.ref.ns] = holder
		}
	}
	if a.mutability() == ReadOnly || (p.ref.sub != nil && p.ref.sub.mutability() == ReadOnly) {
		if pathless && kind != patchRemove && (a.Name == "meta" || equalValue(holder[a.Name], value)) {
			return nil
		}
		return Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is read-only", name)
	}
	var before any
	if a.mutability() == Immutable {
		before = Clone(holder[a.Name])
	}
	var err *Error
	switch {
	case p.filter != nil:
		err = applyFiltered(holder, kind, p, value, name, m)
	case p.ref.sub != nil:
		err = applySub(holder, kind, p.ref, value, name)
	default:
		err = applyAttr(holder, kind, a, value, name)
	}
	if err != nil {
		return err
	}
	if a.mutability() == Immutable && present(before) && !equalValue(before, holder[a.Name]) {
		return Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name)
	}
	if m, ok := holder[a.Name].(map[string]any); ok && len(m) == 0 {
		delete(holder, a.Name)
	}
	if l, ok := holder[a.Name].([]any); ok && len(l) == 0 {
		delete(holder, a.Name)
	}
	if p.ref.ns != "" && len(holder) == 0 {
		delete(res, p.ref.ns)
	}
	return nil
}
