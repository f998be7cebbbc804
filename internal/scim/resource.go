package scim

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
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

// attrName names an attribute in error details. It is built only when an error
// is reported, so that coercing many sub-attributes does not allocate names.
type attrName struct{ base, sub string }

func (n attrName) String() string {
	if n.sub == "" {
		return n.base
	}
	return n.base + "." + n.sub
}

func named(s string) attrName { return attrName{base: s} }

// coerce converts an input value to the canonical form of attribute a:
// string, bool, json.Number, map[string]any or []any; nil means unassigned
// (null, "", [] and {} all clear an attribute). Names in v are matched
// case-insensitively and take their canonical spelling; read-only
// sub-attributes and unknown sub-attributes are dropped.
func coerce(a *Attribute, v any, where attrName) (any, *Error) {
	if v == nil {
		return nil, nil
	}
	if !a.MultiValued {
		if _, isList := v.([]any); isList {
			return nil, badRequest(ErrInvalidValue, "attribute %q is single-valued; a JSON array was given", where)
		}
		return coerceSingle(a, v, where)
	}
	list, isList := v.([]any)
	if !isList {
		// A single value for a multi-valued attribute is taken as a list of one:
		// clients in the field send `"emails": {...}` now and then.
		list = []any{v}
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		c, err := coerceSingle(a, e, where)
		if err != nil {
			return nil, err
		}
		if c == nil {
			continue
		}
		out = append(out, c)
	}
	out = collapseDuplicates(a, out)
	primaries := 0
	for _, c := range out {
		if m, ok := c.(map[string]any); ok && m["primary"] == true {
			primaries++
		}
	}
	if primaries > 1 {
		return nil, badRequest(ErrInvalidValue, "attribute %q has %d values marked primary; at most one may be", where, primaries)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

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

func coerceSingle(a *Attribute, v any, where attrName) (any, *Error) {
	if v == nil {
		return nil, nil
	}
	switch a.Type {
	case TypeComplex:
		m, ok := v.(map[string]any)
		if !ok {
			// Microsoft Entra ID sends the manager as the manager's id alone
			// ("value": "26118915-…"); a scalar for an attribute with a "value"
			// sub-attribute is taken as that sub-attribute.
			if _, isList := v.([]any); !isList && a.SubAttribute("value") != nil {
				return coerceComplex(a, map[string]any{"value": v}, where)
			}
			return nil, typeError(a, where, "a JSON object", v)
		}
		return coerceComplex(a, m, where)
	case TypeBoolean:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			// Microsoft Entra ID sends booleans as "True" and "False".
			if strings.EqualFold(b, "true") {
				return true, nil
			}
			if strings.EqualFold(b, "false") {
				return false, nil
			}
		}
		return nil, typeError(a, where, "a boolean", v)
	case TypeInteger, TypeDecimal:
		n, ok := toNumber(v)
		if !ok {
			return nil, typeError(a, where, "a number", v)
		}
		if a.Type == TypeInteger {
			if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
				// 2.0 and 2e3 are integers too; they are stored in plain form.
				f, _ := n.Float64()
				if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
					return nil, typeError(a, where, "an integer", v)
				}
				n = json.Number(strconv.FormatInt(int64(f), 10))
			}
		}
		return n, nil
	default:
		s, ok := v.(string)
		if !ok {
			return nil, typeError(a, where, "a string", v)
		}
		if s == "" {
			return nil, nil
		}
		switch a.Type {
		case TypeDateTime:
			if _, err := parseDateTime(s); err != nil {
				return nil, badRequest(ErrInvalidValue, "attribute %q must be an xsd:dateTime such as 2024-05-01T12:00:00Z, not %s", where, describeFor(a, s))
			}
		case TypeBinary:
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				if _, err := base64.RawStdEncoding.DecodeString(s); err != nil {
					return nil, badRequest(ErrInvalidValue, "attribute %q must be base64-encoded binary", where)
				}
			}
		}
		if a.CanonicalOnly && len(a.CanonicalValues) > 0 {
			for _, c := range a.CanonicalValues {
				if strings.EqualFold(c, s) {
					return c, nil
				}
			}
			return nil, badRequest(ErrInvalidValue, "attribute %q must be one of %s, not %s", where, strings.Join(a.CanonicalValues, ", "), describeFor(a, s))
		}
		return s, nil
	}
}

func coerceComplex(a *Attribute, m map[string]any, where attrName) (any, *Error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if err := coerceSub(a, out, k, v, where); err != nil {
			// Of several bad sub-attributes, report the same one every time.
			clear(out)
			for _, k := range slices.Sorted(maps.Keys(m)) {
				if err := coerceSub(a, out, k, m[k], where); err != nil {
					return nil, err
				}
			}
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func coerceSub(a *Attribute, out map[string]any, k string, v any, where attrName) *Error {
	sub := a.SubAttribute(k)
	if sub == nil || sub.mutability() == ReadOnly {
		return nil
	}
	c, err := coerce(sub, v, attrName{where.base, sub.Name})
	if err != nil {
		return err
	}
	if c == nil {
		return nil
	}
	if _, dup := out[sub.Name]; dup {
		return badRequest(ErrInvalidSyntax, "attribute %q is given more than once (names are case-insensitive)", attrName{where.base, sub.Name})
	}
	out[sub.Name] = c
	return nil
}

func typeError(a *Attribute, where attrName, want string, got any) *Error {
	return badRequest(ErrInvalidValue, "attribute %q must be %s, not %s", where, want, describeFor(a, got))
}

// describeFor describes a value for an error detail; the value of a sensitive
// attribute (a password: writeOnly or never returned) is never repeated, since
// details end up in logs.
func describeFor(a *Attribute, v any) string {
	if a != nil && (a.mutability() == WriteOnly || a.returned() == ReturnedNever) {
		switch v.(type) {
		case bool:
			return "a boolean"
		case string:
			return "a string"
		case json.Number, float64, int, int64:
			return "a number"
		}
	}
	return describe(v)
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case string:
		if len(x) > 64 {
			x = x[:64] + "…"
		}
		return "the string " + strconv.Quote(x)
	case json.Number:
		return "the number " + string(x)
	case float64, int, int64:
		return "a number"
	case map[string]any:
		return "a JSON object"
	case []any:
		return "a JSON array"
	}
	return "a value of an unsupported type"
}

func toNumber(v any) (json.Number, bool) {
	switch n := v.(type) {
	case json.Number:
		if _, err := n.Float64(); err != nil {
			return "", false
		}
		return n, true
	case float64:
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return "", false
		}
		return json.Number(strconv.FormatFloat(n, 'f', -1, 64)), true
	case int:
		return json.Number(strconv.Itoa(n)), true
	case int64:
		return json.Number(strconv.FormatInt(n, 10)), true
	}
	return "", false
}

// parseDateTime accepts xsd:dateTime as SCIM uses it: RFC 3339 with or without
// fractional seconds, and without a zone (taken as UTC).
func parseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if t2, err2 := time.Parse("2006-01-02T15:04:05.999999999", s); err2 == nil {
		return t2, nil
	}
	return t, err
}

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
