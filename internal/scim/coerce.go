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
