package scim

import (
	"fmt"
	"strings"
	"testing"
)

// limitCase is one writable string attribute of the User resource type,
// with the way to set it in a resource.
type limitCase struct {
	name string // as errors name it
	attr *Attribute
	set  func(res map[string]any, v any)
}

// limitCases walks the User resource type: every writable string,
// reference or binary attribute and sub-attribute.
func limitCases() []limitCase {
	var out []limitCase
	walk := func(s *Schema, prefix string, holder func(map[string]any) map[string]any) {
		for _, a := range s.Attributes {
			if a.mutability() == ReadOnly || a.CanonicalOnly || a.Name == "password" {
				continue
			}
			a := a
			if a.Type != TypeComplex {
				if a.maxLength() > 0 && !a.MultiValued {
					out = append(out, limitCase{prefix + a.Name, a, func(res map[string]any, v any) { holder(res)[a.Name] = v }})
				}
				continue
			}
			for _, sub := range a.SubAttributes {
				if sub.mutability() == ReadOnly || sub.maxLength() == 0 || len(sub.CanonicalValues) > 0 {
					continue
				}
				sub := sub
				out = append(out, limitCase{prefix + a.Name + "." + sub.Name, sub, func(res map[string]any, v any) {
					el := map[string]any{sub.Name: v}
					if a.MultiValued {
						holder(res)[a.Name] = []any{el}
					} else {
						holder(res)[a.Name] = el
					}
				}})
			}
		}
	}
	top := func(res map[string]any) map[string]any { return res }
	walk(commonSchema, "", top)
	walk(UserSchema, "", top)
	for _, e := range UserResourceType.Extensions {
		id := e.Schema.ID
		walk(e.Schema, id+":", func(res map[string]any) map[string]any {
			m, _ := res[id].(map[string]any)
			if m == nil {
				m = map[string]any{}
				res[id] = m
			}
			return m
		})
	}
	return out
}

// valueOf is a value of n characters valid for a: base64 for binary, and
// two-byte characters for strings, so that characters are counted, not bytes.
func valueOf(a *Attribute, n int) string {
	if a.Type == TypeBinary {
		return strings.Repeat("A", n)
	}
	if a.Key != nil {
		return strings.Repeat("a", n-len("@example.com")) + "@example.com"
	}
	return strings.Repeat("é", n)
}

// TestSizeLimitsAtAndPastTheLimit: every writable string attribute of a
// User takes a value of exactly its limit, by POST (Normalize), PUT
// (MergeReplace) and PATCH (ApplyPatch), and one character more is a 400
// invalidValue naming the attribute and the limit (four more for binary,
// whose lengths are multiples of four).
func TestSizeLimitsAtAndPastTheLimit(t *testing.T) {
	cases := limitCases()
	if len(cases) < 30 {
		t.Fatalf("only %d attributes walked", len(cases))
	}
	base := map[string]any{"schemas": []any{SchemaUser}, "userName": "u@example.com"}
	for _, tc := range cases {
		limit := tc.attr.maxLength()
		past := limit + 1
		if tc.attr.Type == TypeBinary {
			past = limit + 4
		}
		for _, n := range []int{limit, past} {
			in := CloneResource(base)
			tc.set(in, valueOf(tc.attr, n))
			_, errPost := Normalize(UserResourceType, in)
			_, errPut := MergeReplace(UserResourceType, base, in)
			path := tc.name
			var v any = valueOf(tc.attr, n)
			if i := strings.LastIndexByte(tc.name, '.'); i > 0 && !strings.HasPrefix(tc.name, "urn:") {
				parent := UserResourceType.Schema.Attribute(tc.name[:i])
				if parent == nil {
					parent = commonSchema.Attribute(tc.name[:i])
				}
				if parent != nil && parent.MultiValued {
					// A multi-valued attribute's sub-attribute is set by its element.
					path, v = tc.name[:i], []any{map[string]any{tc.name[i+1:]: v}}
				}
			}
			_, errPatch := ApplyPatch(UserResourceType, base, []PatchOperation{{Op: "add", Path: path, Value: v}})
			for how, err := range map[string]error{"POST": errPost, "PUT": errPut, "PATCH " + path: errPatch} {
				if n == limit && err != nil {
					t.Errorf("%s %s of %d characters (the limit): %v", how, tc.name, n, err)
				}
				if n > limit {
					e, ok := AsError(err)
					want := fmt.Sprintf("attribute %q is %d characters long; at most %d are accepted", tc.name, n, limit)
					if !ok || e.Status != 400 || e.ScimType != ErrInvalidValue || e.Detail != want && !strings.HasSuffix(e.Detail, want) {
						t.Errorf("%s %s of %d characters: %v, want 400 %q", how, tc.name, n, err, want)
					}
				}
			}
		}
	}
}

// TestValueCountLimits: a multi-valued attribute takes its limit of
// distinct values, and one more is a 400 naming it, whether sent at once
// or added one by one by PATCH.
func TestValueCountLimits(t *testing.T) {
	for _, name := range []string{"emails", "phoneNumbers", "ims", "photos", "addresses", "entitlements", "roles", "x509Certificates"} {
		a := UserSchema.Attribute(name)
		limit := a.maxValues()
		values := func(n int) []any {
			var out []any
			for i := range n {
				el := map[string]any{"value": fmt.Sprintf("v%d@example.com", i)}
				switch a.SubAttribute("value") {
				case nil:
					el = map[string]any{"streetAddress": fmt.Sprintf("%d Main St", i)}
				default:
					if a.SubAttribute("value").Type == TypeBinary {
						el = map[string]any{"value": fmt.Sprintf("QUF%03d", i)[:4] + fmt.Sprintf("%04d", i)}
					}
				}
				out = append(out, el)
			}
			return out
		}
		base := map[string]any{"schemas": []any{SchemaUser}, "userName": "u@example.com"}
		at := CloneResource(base)
		at[name] = values(limit)
		full, err := Normalize(UserResourceType, at)
		if err != nil {
			t.Fatalf("%s with %d values: %v", name, limit, err)
		}
		want := fmt.Sprintf("attribute %q has %d values; at most %d are accepted", name, limit+1, limit)
		past := CloneResource(base)
		past[name] = values(limit + 1)
		_, errPost := Normalize(UserResourceType, past)
		_, errPatch := ApplyPatch(UserResourceType, full, []PatchOperation{{Op: "add", Path: name, Value: values(limit + 1)[limit:]}})
		for how, err := range map[string]error{"POST": errPost, "PATCH add": errPatch} {
			if e, ok := AsError(err); !ok || e.Status != 400 || !strings.HasSuffix(e.Detail, want) {
				t.Errorf("%s %s with %d values: %v, want %q", how, name, limit+1, err, want)
			}
		}
	}
}

// TestSizeLimitsSpareWhatAnUpdateLeaves: a resource stored before a limit
// existed (a 900,000-character title) can still be patched and replaced
// in its other attributes, deactivated above all; changing the long
// attribute itself is held to the limit.
func TestSizeLimitsSpareWhatAnUpdateLeaves(t *testing.T) {
	stored := map[string]any{"schemas": []any{SchemaUser}, "userName": "u@example.com", "active": true,
		"title": strings.Repeat("t", 900_000)}
	if _, err := ApplyPatch(UserResourceType, stored, []PatchOperation{{Op: "replace", Path: "active", Value: false}}); err != nil {
		t.Fatalf("deactivating a user with a long title: %v", err)
	}
	if _, err := MergeReplace(UserResourceType, stored, map[string]any{"schemas": []any{SchemaUser}, "userName": "u@example.com", "active": false}); err != nil {
		t.Fatalf("replacing a user with a long title: %v", err)
	}
	_, err := ApplyPatch(UserResourceType, stored, []PatchOperation{{Op: "replace", Path: "title", Value: strings.Repeat("t", 900_001)}})
	if e, ok := AsError(err); !ok || !strings.Contains(e.Detail, `attribute "title" is 900001 characters long`) {
		t.Fatalf("lengthening the title: %v", err)
	}
}
