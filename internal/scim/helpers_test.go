package scim

import (
	"encoding/json"
	"strings"
	"testing"
)

// decode parses JSON the way a server does (numbers as json.Number).
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	m, err := DecodeObject([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameJSON compares two values by their JSON text after a round trip, so that
// key order and number representation do not matter.
func sameJSON(t testing.TB, got any, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(mustJSON(t, got)), &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON %s: %v", want, err)
	}
	if mustJSON(t, g) != mustJSON(t, w) {
		t.Errorf("got  %s\nwant %s", mustJSON(t, g), mustJSON(t, w))
	}
}

// wantError checks that err is an *Error with the status, scimType and a detail containing part.
func wantError(t testing.TB, err error, status int, scimType, part string) {
	t.Helper()
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *scim.Error", err, err)
	}
	if e.Status != status || e.ScimType != scimType {
		t.Errorf("got %d %q (%s), want %d %q", e.Status, e.ScimType, e.Detail, status, scimType)
	}
	if e.Detail == "" {
		t.Errorf("empty detail")
	}
	if part != "" && !strings.Contains(e.Detail, part) {
		t.Errorf("detail %q does not mention %q", e.Detail, part)
	}
}

// babs is a stored user in canonical form, as the Wrike face keeps users.
const babsJSON = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
              "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "externalId": "00u1abcdEFGH",
  "userName": "Bjensen@Example.com",
  "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara"},
  "displayName": "Babs Jensen",
  "title": "Tour Guide",
  "active": true,
  "emails": [
    {"value": "bjensen@example.com", "type": "work", "primary": true},
    {"value": "babs@jensen.org", "type": "home"}
  ],
  "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
  "x509Certificates": [{"value": "TUlJRE9qQ0NBaUtnQXdJQkFnSUxBT2Zr"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "701984", "organization": "Universal Studios", "department": "Tour Operations",
    "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
  },
  "urn:ietf:params:scim:schemas:extension:wrike:2.0:User": {"userType": "Regular"},
  "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff591\""}
}`

func babs(t testing.TB) map[string]any { return decode(t, babsJSON) }
