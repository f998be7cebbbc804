package wrike_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestDuplicateKeysRefused: a body that names one key twice in an object,
// exactly or in another letter case, at any depth, is a 400 naming the key
// on every SCIM and admin endpoint that reads JSON, and changes nothing.
func TestDuplicateKeysRefused(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	id := createUser(t, sc, oktaUser("ann.lee@acme.example.com", "Ann", "Lee"))["id"].(string)
	before := scimDo(t, sc, "GET", "/Users/"+id, "").Raw

	user := func(extra string) string {
		return `{"schemas":["` + coreUser + `"],"userName":"ann.lee@acme.example.com",` + extra + `}`
	}
	for _, tc := range []struct{ name, method, path, body, key string }{
		{"create, exact", "POST", "/Users", user(`"userName":"eve@acme.example.com"`), `"userName"`},
		{"create, case", "POST", "/Users", user(`"USERNAME":"eve@acme.example.com"`), `"USERNAME"`},
		{"create, nested", "POST", "/Users", user(`"emails":[{"value":"a@acme.example.com","Value":"b@acme.example.com"}]`), `"Value"`},
		{"replace", "PUT", "/Users/" + id, user(`"active":true,"Active":false`), `"Active"`},
		{"patch, top level", "PATCH", "/Users/" + id, `{"schemas":["` + patchOp + `"],"Operations":[],"operations":[{"op":"replace","path":"title","value":"x"}]}`, `"operations"`},
		{"patch, in an operation", "PATCH", "/Users/" + id, patchOps(`{"op":"replace","path":"title","value":"x","PATH":"active"}`), `"PATH"`},
		{"patch, in a value", "PATCH", "/Users/" + id, patchOps(`{"op":"replace","value":{"title":"x","title":"y"}}`), `"title"`},
		{"search", "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"title pr","Filter":"userName pr"}`, `"Filter"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := scimDo(t, sc, tc.method, tc.path, tc.body)
			a.WantSCIMError(t, http.StatusBadRequest, "invalidSyntax")
			if d, _ := a.Body["detail"].(string); !strings.Contains(d, tc.key) {
				t.Fatalf("detail does not name %s: %s", tc.key, d)
			}
		})
	}
	if after := scimDo(t, sc, "GET", "/Users/"+id, "").Raw; after != before {
		t.Fatalf("a refused body changed the user:\nbefore %s\nafter  %s", before, after)
	}
	if l := scimDo(t, sc, "GET", "/Users", "").Want(t, 200); l["totalResults"] != float64(1) {
		t.Fatalf("users after refused bodies: %v", l["totalResults"])
	}

	for _, tc := range []struct{ contentType, body, key string }{
		{"application/json", `{"domain":"evil.example.org","domain":"curl.example.com"}`, `"domain"`},
		{"application/x-www-form-urlencoded", "domain=evil.example.org&domain=curl.example.com", `"domain"`},
	} {
		a := adminCall(t, env, "POST", "/approved_domains", tc.body, "Content-Type", tc.contentType)
		a.WantV4Error(t, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(a.Raw, strings.ReplaceAll(tc.key, `"`, `\"`)) {
			t.Fatalf("%s: the description does not name %s: %s", tc.contentType, tc.key, a.Raw)
		}
	}
	for _, d := range adminCall(t, env, "GET", "/approved_domains", "").Data(t) {
		if d["domain"] != "acme.example.com" {
			t.Fatalf("a domain was approved from an ambiguous body: %v", d)
		}
	}
}
