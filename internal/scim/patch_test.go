package scim

import (
	"net/http"
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
