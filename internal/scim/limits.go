package scim

import (
	"strconv"
	"unicode/utf8"
)

// Size limits on attribute values, close to what Okta and Wrike accept
// (DESIGN.md, "Size limits"): an attribute's MaxLength and MaxValues when
// set, else these. A longer value, or more values, is a 400 invalidValue
// naming the attribute and the limit; discovery states each limit in the
// attribute's description.
const (
	// DefaultMaxLength is the most characters of a string attribute
	// without a limit of its own.
	DefaultMaxLength = 1024
	// DefaultMaxReferenceLength is the most characters of a reference (a URL).
	DefaultMaxReferenceLength = 2048
	// DefaultMaxBinaryLength is the most characters of a binary attribute
	// (base64: a certificate is some 2,000).
	DefaultMaxBinaryLength = 8192
	// DefaultMaxValues is the most values of a multi-valued attribute
	// without a limit of its own: identity providers send one to three
	// addresses or phone numbers.
	DefaultMaxValues = 10
)

// maxLength is the most characters a string, reference or binary value of
// a may have; 0 for other types.
func (a *Attribute) maxLength() int {
	if a.MaxLength > 0 {
		return a.MaxLength
	}
	switch a.Type {
	case TypeString, TypeDateTime:
		return DefaultMaxLength
	case TypeReference:
		return DefaultMaxReferenceLength
	case TypeBinary:
		return DefaultMaxBinaryLength
	}
	return 0
}

// maxValues is the most values a multi-valued attribute may have.
func (a *Attribute) maxValues() int {
	if a.MaxValues > 0 {
		return a.MaxValues
	}
	return DefaultMaxValues
}

// limitNote states a's limits for its discovery description.
func (a *Attribute) limitNote() string {
	note := ""
	if a.MultiValued {
		note += " At most " + strconv.Itoa(a.maxValues()) + " values."
	}
	if n := a.maxLength(); n > 0 {
		note += " At most " + strconv.Itoa(n) + " characters."
	}
	return note
}

// checkSizes checks the attributes of a canonical resource against their
// limits: the common attributes, the core schema's and each extension's.
// With prev, the resource being replaced or patched, an attribute left as
// it was is not checked, so that a user stored before a limit existed can
// still be updated and deactivated.
func checkSizes(rt *ResourceType, res, prev map[string]any) *Error {
	if err := checkSizesIn(commonSchema, "", res, prev); err != nil {
		return err
	}
	if err := checkSizesIn(rt.Schema, "", res, prev); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		if m, ok := res[e.Schema.ID].(map[string]any); ok {
			var pm map[string]any
			if prev != nil {
				pm, _ = prev[e.Schema.ID].(map[string]any)
			}
			if err := checkSizesIn(e.Schema, e.Schema.ID+":", m, pm); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSizesIn(s *Schema, prefix string, m, prev map[string]any) *Error {
	for _, a := range s.Attributes {
		v, ok := m[a.Name]
		if !ok || prev != nil && equalValue(prev[a.Name], v) {
			continue
		}
		if err := checkSize(a, prefix+a.Name, v); err != nil {
			return err
		}
	}
	return nil
}

// checkSize checks one value of a (a list for a multi-valued attribute).
func checkSize(a *Attribute, name string, v any) *Error {
	if list, ok := v.([]any); ok && a.MultiValued {
		if len(list) > a.maxValues() {
			return badRequest(ErrInvalidValue, "attribute %q has %d values; at most %d are accepted", name, len(list), a.maxValues())
		}
		for _, e := range list {
			if err := checkSingleSize(a, name, e); err != nil {
				return err
			}
		}
		return nil
	}
	return checkSingleSize(a, name, v)
}

func checkSingleSize(a *Attribute, name string, v any) *Error {
	switch x := v.(type) {
	case string:
		// A string of at most limit bytes has at most limit characters: most
		// values are counted without decoding.
		if limit := a.maxLength(); limit > 0 && len(x) > limit {
			if n := utf8.RuneCountInString(x); n > limit {
				return badRequest(ErrInvalidValue, "attribute %q is %d characters long; at most %d are accepted", name, n, limit)
			}
		}
	case map[string]any:
		for _, sub := range a.SubAttributes {
			if sv, ok := x[sub.Name]; ok {
				if err := checkSize(sub, name+"."+sub.Name, sv); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
