package wrike_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestAdminLimits: the admin API's bounds (body size, name and description
// length, domain length) answer the v4 error and change nothing.
func TestAdminLimits(t *testing.T) {
	env := backendtest.Start(t)
	snap := openSnapshot(t, env)
	app := adminCall(t, env, "POST", "/api_apps", `{"name":"bounded"}`).data(t)[0]
	before := state(t, env, snap)
	for _, c := range []struct{ method, path, body, code string }{
		{"POST", "/approved_domains", `{"domain":"` + strings.Repeat("a", 1<<20) + `.com"}`, "request_too_large"},
		{"POST", "/approved_domains", `{"domain":"` + strings.Repeat("a", 2<<20) + `"}`, "request_too_large"},
		{"POST", "/api_apps", `{"name":"x","description":"` + strings.Repeat("d", 1<<20) + `"}`, "request_too_large"},
		{"PUT", "/scim_integrations/okta", `{"enabled":true,"defaultUserType":"` + strings.Repeat("R", 1<<20) + `"}`, "request_too_large"},
		{"POST", "/approved_domains", `{"domain":"` + strings.Repeat("a.", 127) + `com"}`, "invalid_parameter"},
		{"POST", "/api_apps", `{"name":"` + strings.Repeat("n", 201) + `"}`, "invalid_parameter"},
		{"PUT", "/api_apps/" + app["id"].(string), `{"description":"` + strings.Repeat("d", 2001) + `"}`, "invalid_parameter"},
	} {
		a := adminCall(t, env, c.method, c.path, c.body)
		status := http.StatusBadRequest
		if c.code == "request_too_large" {
			status = http.StatusRequestEntityTooLarge
		}
		a.wantError(t, status, c.code)
	}
	wantUnchanged(t, env, snap, before)
}

// TestSCIMLimits: each bound of the SCIM service answers a clear
// SCIM Error (or clamps, for the page size) and a refused request changes
// nothing: body size, filter length and nesting, page size, PATCH
// operation count, and attribute lists.
func TestSCIMLimits(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id := createUser(t, sc, oktaUser("limits@example.com", "Li", "Mits"))["id"].(string)
	for i := range 3 {
		createUser(t, sc, oktaUser(fmt.Sprintf("page%d@example.com", i), "Pa", "Ge"))
	}
	snap := openSnapshot(t, env)
	before := state(t, env, snap)
	user := "/Users/" + id

	// Bodies: 1 MiB is the bound, for create, replace and patch alike.
	big := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big@example.com","title":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, c := range []struct{ method, path string }{{"POST", "/Users"}, {"PUT", user}, {"PATCH", user}, {"POST", "/Users/.search"}} {
		a := scimDo(t, sc, c.method, c.path, big)
		a.wantSCIMError(t, http.StatusRequestEntityTooLarge, "")
		if !strings.Contains(a.body["detail"].(string), "1048576") && !strings.Contains(strings.ToLower(a.body["detail"].(string)), "mib") {
			t.Errorf("413 detail does not say the bound: %s", a.raw)
		}
	}
	// Just under the bound is accepted (the bound is not lower than stated).
	under := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"under@example.com","title":"` + strings.Repeat("y", 1<<20-200) + `"}`
	scimDo(t, sc, "DELETE", "/Users/"+createUser(t, sc, under)["id"].(string), "").want(t, http.StatusNoContent)

	// Filters: 8192 bytes and 16 levels of nesting.
	long := `userName eq "` + strings.Repeat("a", 8200) + `"`
	deep := strings.Repeat("(", 17) + `userName eq "x"` + strings.Repeat(")", 17)
	notDeep := "not (" + strings.Repeat("not (", 16) + `userName eq "x"` + strings.Repeat(")", 17)
	for _, f := range []string{long, deep, notDeep} {
		scimDo(t, sc, "GET", filterQuery(f), "").wantSCIMError(t, 400, "invalidFilter")
	}
	ok := strings.Repeat("(", 8) + `userName eq "limits@example.com"` + strings.Repeat(")", 8)
	if got := scimDo(t, sc, "GET", filterQuery(ok), "").want(t, 200)["totalResults"]; fmt.Sprint(got) != "1" {
		t.Fatalf("a filter within the bounds found %v users", got)
	}
	search := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":%q}`, long)
	scimDo(t, sc, "POST", "/Users/.search", search).wantSCIMError(t, 400, "invalidFilter")
	// A huge filter in the URL is bounded by the request line, not read
	// whole (the answer is net/http's, not SCIM JSON).
	huge := scimSend(nil, sc, "GET", "/Users?filter="+strings.Repeat("a", 2<<20), "")
	if huge.status < 400 || huge.status >= 500 {
		t.Fatalf("a 2 MiB filter: %d", huge.status)
	}

	// Page size: count is capped at 1000, never an error and never more.
	page := scimDo(t, sc, "GET", "/Users?count=100000000", "").want(t, 200)
	if fmt.Sprint(page["itemsPerPage"]) != "4" || len(page["Resources"].([]any)) != 4 {
		t.Fatalf("count=1e8 answered %v items", page["itemsPerPage"])
	}
	// Beyond int64 it is still an integer, capped like any other.
	if got := scimDo(t, sc, "GET", "/Users?count=99999999999999999999999", "").want(t, 200); fmt.Sprint(got["itemsPerPage"]) != "4" {
		t.Fatalf("count beyond int64 answered %v items", got["itemsPerPage"])
	}
	scimDo(t, sc, "GET", "/Users?startIndex=x", "").wantSCIMError(t, 400, "")

	// PATCH operations: 1000 is the bound.
	ops := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"op":"replace","path":"title","value":"t%d"}`, i)
		}
		b.WriteString("]}")
		return b.String()
	}
	scimDo(t, sc, "PATCH", user, ops(1001)).wantSCIMError(t, 400, "")
	wantUnchanged(t, env, snap, before)
	if got := scimDo(t, sc, "PATCH", user, ops(1000)).want(t, 200)["title"]; got != "t999" {
		t.Fatalf("after 1000 operations title = %v", got)
	}
}
