package scim

import (
	"testing"
)

func TestMergeReplaceKeepsWhatTheRequestLeavesOut(t *testing.T) {
	stored := babs(t)
	// Okta's profile push: a PUT with the attributes Okta holds, without
	// title, phoneNumbers and the enterprise organization.
	incoming := decode(t, `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	  "id": "someone-else",
	  "userName": "bjensen@example.com",
	  "name": {"givenName": "Barbara", "familyName": "Jensen-Smith"},
	  "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
	  "active": "False",
	  "meta": {"version": "W/\"x\""},
	  "groups": [{"value": "g1"}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Marketing"},
	  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User": {"userType": "collaborator"}
	}`)
	got, err := MergeReplace(UserResourceType, stored, incoming)
	if err != nil {
		t.Fatal(err)
	}
	want := babs(t)
	want["userName"] = "bjensen@example.com"
	want["name"] = map[string]any{"formatted": "Ms. Barbara J Jensen, III", "givenName": "Barbara", "familyName": "Jensen-Smith"}
	want["emails"] = []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}}
	want["active"] = false
	ent := want[SchemaEnterpriseUser].(map[string]any)
	ent["department"] = "Marketing"
	want[SchemaWrikeUser] = map[string]any{"userType": "Collaborator"}
	sameJSON(t, got, mustJSON(t, want))
	sameJSON(t, stored, babsJSON) // the stored resource is untouched
}

func TestMergeReplaceClears(t *testing.T) {
	got, err := MergeReplace(UserResourceType, babs(t), decode(t, `{
	  "userName": "bjensen@example.com",
	  "title": null,
	  "phoneNumbers": [],
	  "displayName": "",
	  "name.formatted": null,
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": null
	}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"title", "phoneNumbers", "displayName", SchemaEnterpriseUser} {
		if _, ok := got[k]; ok {
			t.Errorf("%s kept, want removed", k)
		}
	}
	if _, ok := got["name"].(map[string]any)["formatted"]; ok {
		t.Error("name.formatted kept")
	}
	sameJSON(t, got["schemas"], `["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"]`)
}

func TestMergeReplaceErrors(t *testing.T) {
	_, err := MergeReplace(UserResourceType, babs(t), decode(t, `{"userName": null}`))
	wantError(t, err, 400, ErrInvalidValue, `"userName" is required`)
	_, err = MergeReplace(UserResourceType, babs(t), decode(t, `{"userName": "a", "active": "maybe"}`))
	wantError(t, err, 400, ErrInvalidValue, `"active" must be a boolean`)

	// Immutable attributes may be set once and never changed.
	rt := &ResourceType{ID: "Device", Name: "Device", Schema: newSchema(&Schema{ID: "urn:example:Device", Attributes: []*Attribute{
		{Name: "serial", Type: TypeString, Mutability: Immutable},
		{Name: "label", Type: TypeString},
	}})}
	set, err := MergeReplace(rt, map[string]any{"label": "a"}, decode(t, `{"serial": "S1"}`))
	if err != nil || set["serial"] != "S1" {
		t.Fatalf("first set of an immutable attribute: %v %v", set, err)
	}
	if _, err := MergeReplace(rt, set, decode(t, `{"serial": "S1", "label": "b"}`)); err != nil {
		t.Errorf("same immutable value refused: %v", err)
	}
	_, err = MergeReplace(rt, set, decode(t, `{"serial": "S2"}`))
	wantError(t, err, 400, ErrMutability, `"serial" is immutable`)
	_, err = MergeReplace(rt, set, decode(t, `{"serial": null}`))
	wantError(t, err, 400, ErrMutability, `"serial" is immutable`)
	// ApplyPatch follows the same rule.
	_, err = ApplyPatch(rt, set, []PatchOperation{{Op: "replace", Path: "serial", Value: "S3"}})
	wantError(t, err, 400, ErrMutability, `"serial" is immutable`)
	if _, err = ApplyPatch(rt, map[string]any{}, []PatchOperation{{Op: "add", Path: "serial", Value: "S3"}}); err != nil {
		t.Errorf("PATCH setting an unset immutable attribute: %v", err)
	}
}

// An immutable sub-attribute that is set keeps its value through every
// write that merges sub-attributes: a PUT, a PATCH of the whole complex
// attribute, and a PATCH through a value filter; the other sub-attributes
// change as asked.
func TestImmutableSubAttributeThroughEveryMerge(t *testing.T) {
	badge := []*Attribute{
		{Name: "serial", Type: TypeString, Mutability: Immutable},
		{Name: "label", Type: TypeString},
	}
	rt := &ResourceType{ID: "Device", Name: "Device", Schema: newSchema(&Schema{ID: "urn:example:Device", Attributes: []*Attribute{
		{Name: "badge", Type: TypeComplex, SubAttributes: badge},
		{Name: "keys", Type: TypeComplex, MultiValued: true, SubAttributes: badge},
	}})}
	stored := decode(t, `{"badge": {"serial": "S1", "label": "a"}, "keys": [{"serial": "K1", "label": "a"}]}`)

	_, err := MergeReplace(rt, stored, decode(t, `{"badge": {"serial": "S2"}}`))
	wantError(t, err, 400, ErrMutability, `"badge.serial" is immutable`)
	_, err = ApplyPatch(rt, stored, []PatchOperation{{Op: "add", Path: "badge", Value: map[string]any{"serial": "S2"}}})
	wantError(t, err, 400, ErrMutability, `"badge.serial" is immutable`)
	_, err = ApplyPatch(rt, stored, []PatchOperation{{Op: "replace", Path: `keys[label eq "a"]`, Value: map[string]any{"serial": "K2"}}})
	wantError(t, err, 400, ErrMutability, `"keys[label eq \"a\"].serial" is immutable`)

	got, err := MergeReplace(rt, stored, decode(t, `{"badge": {"serial": "S1", "label": "b"}}`))
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got["badge"], `{"label":"b","serial":"S1"}`)
	got, err = ApplyPatch(rt, stored, []PatchOperation{
		{Op: "add", Path: "badge", Value: map[string]any{"label": "c"}},
		{Op: "replace", Path: `keys[label eq "a"]`, Value: map[string]any{"serial": "K1", "label": "d"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got["badge"], `{"label":"c","serial":"S1"}`)
	sameJSON(t, got["keys"], `[{"label":"d","serial":"K1"}]`)
}
