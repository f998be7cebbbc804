package scim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// patch decodes a PATCH body as a server would and applies it to res.
func patch(t testing.TB, rt *ResourceType, res map[string]any, body string) (map[string]any, error) {
	t.Helper()
	req, err := DecodePatchRequest([]byte(body))
	if err != nil {
		return nil, err
	}
	return ApplyPatch(rt, res, req.Operations)
}

const janeJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "id": "u1",
  "userName": "jane@acme.example.com",
  "name": {"givenName": "Jane", "familyName": "Doe"},
  "emails": [{"value": "jane@acme.example.com", "type": "work", "primary": true}],
  "active": true,
  "meta": {"resourceType": "User", "version": "W/\"1\""}
}`

func TestApplyPatchIdentityProviderForms(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{
			name: "Okta deactivate: pathless replace of active",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want: `{"active": false}`,
		},
		{
			name: "Entra deactivate: Replace with the string False",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
			want: `{"active": false}`,
		},
		{
			name: "Entra update: filtered replace of the work email and a sub-attribute",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@acme.example.com"},
			  {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`,
			want: `{"emails":[{"value":"updatedEmail@acme.example.com","type":"work","primary":true}],"name":{"givenName":"Jane","familyName":"updatedFamilyName"}}`,
		},
		{
			name: "Entra add: a filtered add on a missing element creates it",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
			  {"op":"Add","path":"phoneNumbers[type eq \"work\"].value","value":"+1 555 0100"},
			  {"op":"Add","path":"addresses[type eq \"work\"].locality","value":"Paris"}]}`,
			want: `{"phoneNumbers":[{"type":"work","value":"+1 555 0100"}],"addresses":[{"type":"work","locality":"Paris"}]}`,
		},
		{
			name: "Entra pathless add with dotted and URN-qualified keys",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","value":{
			  "name.givenName":"Janet",
			  "title":"Engineer",
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"R&D",
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType":"collaborator"}}]}`,
			want: `{"name":{"givenName":"Janet","familyName":"Doe"},"title":"Engineer",
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"},
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"Collaborator"},
			  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"]}`,
		},
		{
			name: "pathless replace with an extension object",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"Acme","department":"Sales"}}}]}`,
			want: `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"Acme","department":"Sales"},
			  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]}`,
		},
		{
			name: "URN-qualified path",
			body: `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m1"}]}`,
			want: `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}},
			  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]}`,
		},
		{
			name: "add a second email marked primary clears the old primary",
			body: `{"Operations":[{"op":"add","path":"emails","value":[{"value":"j@home.example","type":"home","primary":true}]}]}`,
			want: `{"emails":[{"value":"jane@acme.example.com","type":"work","primary":false},{"value":"j@home.example","type":"home","primary":true}]}`,
		},
		{
			name: "add an email already present does not duplicate it",
			body: `{"Operations":[{"op":"add","path":"emails","value":[{"value":"jane@acme.example.com","type":"work","primary":true}]}]}`,
			want: `{}`,
		},
		{
			name: "remove with a filter",
			body: `{"Operations":[{"op":"remove","path":"emails[type eq \"work\"]"}]}`,
			want: `{"emails":null}`,
		},
		{
			name: "remove a sub-attribute",
			body: `{"Operations":[{"op":"remove","path":"name.givenName"}]}`,
			want: `{"name":{"familyName":"Doe"}}`,
		},
		{
			name: "op and operations member names in any case",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"REPLACE","PATH":"title","VALUE":"Boss"}]}`,
			want: `{"title":"Boss"}`,
		},
		{
			name: "pathless value echoing id is accepted",
			body: `{"Operations":[{"op":"replace","value":{"id":"u1","active":false}}]}`,
			want: `{"active":false}`,
		},
		{
			name: "an attribute of an extension this server does not have is ignored",
			body: `{"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:CustomAttribute","value":"x"},{"op":"replace","path":"title","value":"Lead"}]}`,
			want: `{"title":"Lead"}`,
		},
		{
			name: "replace with null unassigns",
			body: `{"Operations":[{"op":"replace","path":"name","value":null}]}`,
			want: `{"name":null}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := decode(t, janeJSON)
			got, err := patch(t, UserResourceType, before, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			want := decode(t, janeJSON)
			for k, v := range decode(t, tc.want) {
				if v == nil {
					delete(want, k)
				} else {
					want[k] = v
				}
			}
			sameJSON(t, got, mustJSON(t, want))
			sameJSON(t, before, janeJSON) // the input is untouched
		})
	}
}

func TestApplyPatchErrors(t *testing.T) {
	tests := []struct {
		name, body, scimType, detail string
	}{
		{"remove without path", `{"Operations":[{"op":"remove"}]}`, ErrNoTarget, "needs a \"path\""},
		{"unknown op", `{"Operations":[{"op":"merge","path":"title","value":"x"}]}`, ErrInvalidSyntax, `"merge" is not add, replace or remove`},
		{"no op", `{"Operations":[{"path":"title","value":"x"}]}`, ErrInvalidSyntax, `has no "op"`},
		{"no operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, ErrInvalidSyntax, "no \"Operations\""},
		{"wrong schemas", `{"schemas":["urn:x"],"Operations":[{"op":"add","path":"title","value":"x"}]}`, ErrInvalidSyntax, "PatchOp"},
		{"bad path", `{"Operations":[{"op":"add","path":"emails[type eq","value":"x"}]}`, ErrInvalidPath, "emails[type eq"},
		{"unknown attribute in path", `{"Operations":[{"op":"add","path":"nosuch","value":"x"}]}`, ErrInvalidPath, `unknown attribute "nosuch"`},
		{"read-only attribute", `{"Operations":[{"op":"replace","path":"id","value":"x"}]}`, ErrMutability, `"id" is read-only`},
		{"read-only groups", `{"Operations":[{"op":"add","path":"groups","value":[{"value":"g"}]}]}`, ErrMutability, `read-only`},
		{"pathless read-only change", `{"Operations":[{"op":"replace","value":{"id":"other"}}]}`, ErrMutability, `read-only`},
		{"required attribute removed", `{"Operations":[{"op":"remove","path":"userName"}]}`, ErrInvalidValue, `"userName" is required`},
		{"wrong type", `{"Operations":[{"op":"replace","path":"active","value":"maybe"}]}`, ErrInvalidValue, `"active" must be a boolean`},
		{"pathless value not an object", `{"Operations":[{"op":"add","value":"x"}]}`, ErrInvalidValue, "JSON object"},
		{"remove filter matches nothing", `{"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`, ErrNoTarget, "matches no value"},
		{"replace filter matches nothing and cannot create", `{"Operations":[{"op":"replace","path":"emails[value co \"zzz\"].type","value":"home"}]}`, ErrNoTarget, "matches no value"},
		{"bad userType", `{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType","value":"Boss"}]}`, ErrInvalidValue, "Regular, External, Collaborator"},
		{"second operation fails", `{"Operations":[{"op":"replace","path":"title","value":"x"},{"op":"replace","path":"nosuch","value":"x"}]}`, ErrInvalidPath, "Operations[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := decode(t, janeJSON)
			got, err := patch(t, UserResourceType, before, tc.body)
			if err == nil {
				t.Fatalf("accepted: %s", mustJSON(t, got))
			}
			wantError(t, err, http.StatusBadRequest, tc.scimType, tc.detail)
			sameJSON(t, before, janeJSON)
		})
	}
}

func TestApplyPatchCorners(t *testing.T) {
	twoEmails := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x",
	  "emails":[{"value":"j@x","type":"work","primary":true},{"value":"j@home"}]}`
	tests := []struct {
		name, start, body, want string
	}{
		{"sub-attribute of every element", twoEmails,
			`{"Operations":[{"op":"add","path":"emails.type","value":"other"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"value":"j@x","type":"other","primary":true},{"value":"j@home","type":"other"}]}`},
		{"sub-attribute removed from every element", twoEmails,
			`{"Operations":[{"op":"remove","path":"emails.value"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"type":"work","primary":true}]}`},
		{"sub-attribute of a missing multi-valued attribute creates an element", `{"userName":"j@x"}`,
			`{"Operations":[{"op":"replace","path":"phoneNumbers.value","value":"123"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","phoneNumbers":[{"value":"123"}]}`},
		{"primary moved with a filter", twoEmails,
			`{"Operations":[{"op":"replace","path":"emails[value eq \"j@home\"].primary","value":true}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"value":"j@x","type":"work","primary":false},{"value":"j@home","primary":true}]}`},
		{"filtered replace of a whole element merges it", twoEmails,
			`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"new@x"}}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"value":"new@x","type":"work","primary":true},{"value":"j@home"}]}`},
		{"filtered add of a whole element creates it with the filter's values", twoEmails,
			`{"Operations":[{"op":"add","path":"phoneNumbers[type eq \"mobile\" and primary eq true]","value":{"value":"555"}}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"value":"j@x","type":"work","primary":true},{"value":"j@home"}],
			  "phoneNumbers":[{"type":"mobile","primary":true,"value":"555"}]}`},
		{"filtered add of a primary element clears the other primary", twoEmails,
			`{"Operations":[{"op":"add","path":"emails[type eq \"home\" and primary eq true].value","value":"h@x"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"value":"j@x","type":"work","primary":false},{"value":"j@home"},{"type":"home","primary":true,"value":"h@x"}]}`},
		{"filtered replace with null removes what it selects", twoEmails,
			`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":null}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"type":"work","primary":true},{"value":"j@home"}]}`},
		{"a whole extension replaced, then removed", `{"userName":"j@x","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"division":"D"}}`,
			`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"costCenter":"C"}},
			  {"op":"add","path":"urn:ietf:params:scim:schemas:extension:wrike:2.0:User:userType","value":"REGULAR"},
			  {"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],"userName":"j@x",
			  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"Regular"}}`},
		{"pathless null extension removes it", `{"userName":"j@x","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"division":"D"}}`,
			`{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null,"nickName":"J","unknown":1}}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","nickName":"J"}`},
		{"pathless nested extension with a dotted key", `{"userName":"j@x"}`,
			`{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager.value":"m","nosuch":1}}}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"j@x",
			  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}`},
		{"remove an absent attribute is a no-op", `{"userName":"j@x"}`,
			`{"Operations":[{"op":"remove","path":"title"},{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},{"op":"remove","path":"name.givenName"}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x"}`},
		{"remove values that are not there is a no-op", twoEmails,
			`{"Operations":[{"op":"remove","path":"emails","value":[{"value":"J@HOME"},{"value":"nobody@x"}]}]}`,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"j@x","emails":[{"value":"j@x","type":"work","primary":true}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start, err := Normalize(UserResourceType, decode(t, tc.start))
			if err != nil {
				t.Fatal(err)
			}
			got, err := patch(t, UserResourceType, start, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, got, tc.want)
		})
	}

	bad := []struct{ name, start, body, scimType, detail string }{
		{"primary on every element", twoEmails, `{"Operations":[{"op":"replace","path":"emails.primary","value":true}]}`, ErrInvalidValue, "would mark 2 values primary"},
		{"filter selecting two elements for primary", twoEmails, `{"Operations":[{"op":"replace","path":"emails[value co \"j\"].primary","value":"True"}]}`, ErrInvalidValue, "at most one"},
		{"filtered add that cannot create", twoEmails, `{"Operations":[{"op":"add","path":"emails[value sw \"zzz\"].type","value":"x"}]}`, ErrNoTarget, "not a set of eq clauses"},
		{"filtered add of a list", twoEmails, `{"Operations":[{"op":"add","path":"emails[type eq \"x\"]","value":[{"value":"a"}]}]}`, ErrInvalidValue, "not an array"},
		{"read-only sub-attribute", `{"userName":"j@x"}`, `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName","value":"x"}]}`, ErrMutability, "read-only"},
		{"extension value not an object", `{"userName":"j@x"}`, `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":"x"}]}`, ErrInvalidValue, "JSON object"},
		{"pathless extension value not an object", `{"userName":"j@x"}`, `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}}]}`, ErrInvalidValue, "JSON object"},
		{"remove filter in a missing extension", `{"userName":"j@x"}`, `{"Operations":[{"op":"remove","path":"emails[type eq \"work\"]"}]}`, ErrNoTarget, "matches no value"},
		{"userName set to empty", `{"userName":"j@x"}`, `{"Operations":[{"op":"replace","path":"userName","value":""}]}`, ErrInvalidValue, "required"},
		{"too many operations", `{"userName":"j@x"}`, `{"Operations":[` + strings.Repeat(`{"op":"add","path":"title","value":"x"},`, MaxPatchOperations) + `{"op":"add","path":"title","value":"x"}]}`, ErrInvalidValue, "at most 1000"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			start, err := Normalize(UserResourceType, decode(t, tc.start))
			if err != nil {
				t.Fatal(err)
			}
			got, err := patch(t, UserResourceType, start, tc.body)
			if err == nil {
				t.Fatalf("accepted: %s", mustJSON(t, got))
			}
			wantError(t, err, 400, tc.scimType, tc.detail)
		})
	}
	ops := make([]PatchOperation, MaxPatchOperations+1)
	_, err := ApplyPatch(UserResourceType, map[string]any{"userName": "x"}, ops)
	wantError(t, err, 400, ErrInvalidValue, "at most 1000")
}

func TestApplyPatchNumbersAndSimpleLists(t *testing.T) {
	rt := &ResourceType{ID: "Thing", Name: "Thing", Schema: newSchema(&Schema{ID: "urn:example:Thing", Attributes: []*Attribute{
		{Name: "sizes", Type: TypeInteger, MultiValued: true},
		{Name: "tags", Type: TypeString, MultiValued: true},
		{Name: "ratio", Type: TypeDecimal},
	}})}
	start := decode(t, `{"sizes":[1,2],"tags":["a","b"]}`)
	got, err := patch(t, rt, start, `{"Operations":[
	  {"op":"add","path":"sizes","value":[2.0,3]},
	  {"op":"remove","path":"tags","value":"a"},
	  {"op":"add","path":"ratio","value":0.25}]}`)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, got, `{"schemas":["urn:example:Thing"],"sizes":[1,2,3],"tags":["b"],"ratio":0.25}`)
	_, err = patch(t, rt, start, `{"Operations":[{"op":"add","path":"sizes","value":[1.5]}]}`)
	wantError(t, err, 400, ErrInvalidValue, "an integer")
	_, err = patch(t, rt, start, `{"Operations":[{"op":"add","path":"ratio","value":"0.5"}]}`)
	wantError(t, err, 400, ErrInvalidValue, "a number")
}

func TestApplyPatchOddInputsDoNotPanic(t *testing.T) {
	// Values built in Go rather than decoded from JSON, and a stored resource
	// whose attributes have the wrong shapes: rejected or handled, never a panic.
	odd := []any{nil, 1, 2.5, int64(3), "x", true, []string{"a"}, map[string]string{"value": "a"}, []any{nil, 1}, map[string]any{"value": []any{}}}
	stored := map[string]any{"userName": "u", "emails": "not-a-list", "name": []any{1}, SchemaEnterpriseUser: "not-an-object", "active": "yes"}
	paths := []string{"", "emails", "emails.value", `emails[type eq "work"].value`, "name", "name.givenName", "active",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "members"}
	for _, op := range []string{"add", "replace", "remove"} {
		for _, p := range paths {
			for _, v := range odd {
				for _, res := range []map[string]any{stored, babs(t), nil} {
					_, err := ApplyPatch(UserResourceType, res, []PatchOperation{{Op: op, Path: p, Value: v}})
					if err != nil {
						if e, ok := AsError(err); !ok || e.Detail == "" {
							t.Fatalf("%s %s %v: %v", op, p, v, err)
						}
					}
				}
			}
		}
	}
}

func TestApplyPatchLargeMemberLists(t *testing.T) {
	members := func(from, to int, upper bool) []any {
		var out []any
		for i := from; i < to; i++ {
			v := fmt.Sprintf("member-%05d", i)
			if upper {
				v = strings.ToUpper(v)
			}
			out = append(out, map[string]any{"value": v})
		}
		return out
	}
	g := map[string]any{"displayName": "Everyone", "members": members(0, 3000, false)}
	// 3000 more, 1000 of which are already members: 5000 in all.
	got, err := ApplyPatch(GroupResourceType, g, []PatchOperation{{Op: "add", Path: "members", Value: members(2000, 5000, false)}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got["members"].([]any)); n != 5000 {
		t.Fatalf("after add: %d members, want 5000", n)
	}
	// Remove 2500 by value, named in upper case (members.value is not caseExact).
	got, err = ApplyPatch(GroupResourceType, got, []PatchOperation{{Op: "remove", Path: "members", Value: members(1000, 3500, true)}})
	if err != nil {
		t.Fatal(err)
	}
	left := got["members"].([]any)
	if len(left) != 2500 || left[0].(map[string]any)["value"] != "member-00000" || left[1000].(map[string]any)["value"] != "member-03500" {
		t.Fatalf("after remove: %d members, first %v", len(left), left[0])
	}
}
