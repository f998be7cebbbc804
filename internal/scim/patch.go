package scim

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
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
		for k, x := range fields {
			if s := a.SubAttribute(k); s != nil && s.mutability() == Immutable && present(cur[k]) && !equalValue(cur[k], x) {
				return Errorf(http.StatusBadRequest, ErrMutability, "attribute %q is immutable and already set", name+"."+k)
			}
			cur[k] = x
		}
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
			for k, x := range fields {
				if err := setSub(m, a.SubAttribute(k), x, name+"."+k); err != nil {
					return err
				}
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
