package wrike_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestHardeningSCIMLimits: each bound of the SCIM service answers a clear
// SCIM Error (or clamps, for the page size) and a refused request changes
// nothing: body size, filter length and nesting, page size, PATCH
// operation count, and attribute lists.
func TestHardeningSCIMLimits(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id, _ := hardCreate(t, sc, "limits@example.com")
	for i := range 3 {
		hardCreate(t, sc, fmt.Sprintf("page%d@example.com", i))
	}
	h := &hardFace{env: env, handler: env.Backend.Wrike, adminTok: env.WrikeAdminToken, v4Token: sc.Token, snap: hardOpenSnap(t, env)}
	before := h.state(t)
	user := sc.BaseURL + "/Users/" + id

	// Bodies: 1 MiB is the bound, for create, replace and patch alike.
	big := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big@example.com","title":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, c := range []struct{ method, url string }{{"POST", sc.BaseURL + "/Users"}, {"PUT", user}, {"PATCH", user}, {"POST", sc.BaseURL + "/Users/.search"}} {
		a := hardSCIMCall(nil, c.method, c.url, sc.Token, big)
		hardWantError(t, a, http.StatusRequestEntityTooLarge, "", c.method+" with a body over 1 MiB")
		if !strings.Contains(a.body["detail"].(string), "1048576") && !strings.Contains(strings.ToLower(a.body["detail"].(string)), "mib") {
			t.Errorf("413 detail does not say the bound: %s", a.raw)
		}
	}
	// Just under the bound is accepted (the bound is not lower than stated).
	under := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"under@example.com","title":"` + strings.Repeat("y", 1<<20-200) + `"}`
	underAnswer := hardSCIMCall(nil, "POST", sc.BaseURL+"/Users", sc.Token, under)
	hardWant(t, underAnswer, http.StatusCreated, "a body just under 1 MiB")
	hardWant(t, hardSCIMCall(nil, "DELETE", sc.BaseURL+"/Users/"+underAnswer.body["id"].(string), sc.Token, ""), http.StatusNoContent, "delete")

	// Filters: 8192 bytes and 16 levels of nesting.
	long := `userName eq "` + strings.Repeat("a", 8200) + `"`
	hardWantError(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?filter="+url.QueryEscape(long), sc.Token, ""), 400, "invalidFilter", "a filter over 8192 bytes")
	deep := strings.Repeat("(", 17) + `userName eq "x"` + strings.Repeat(")", 17)
	hardWantError(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?filter="+url.QueryEscape(deep), sc.Token, ""), 400, "invalidFilter", "a filter nested 17 deep")
	notDeep := "not (" + strings.Repeat("not (", 16) + `userName eq "x"` + strings.Repeat(")", 17)
	hardWantError(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?filter="+url.QueryEscape(notDeep), sc.Token, ""), 400, "invalidFilter", "17 nested nots")
	ok := strings.Repeat("(", 8) + `userName eq "limits@example.com"` + strings.Repeat(")", 8)
	if got := hardWant(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?filter="+url.QueryEscape(ok), sc.Token, ""), 200, "8 levels")["totalResults"]; fmt.Sprint(got) != "1" {
		t.Fatalf("a filter within the bounds found %v users", got)
	}
	search := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":%q}`, long)
	hardWantError(t, hardSCIMCall(nil, "POST", sc.BaseURL+"/Users/.search", sc.Token, search), 400, "invalidFilter", ".search with a long filter")
	// A huge filter in the URL is bounded by the request line, not read whole.
	huge := hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?filter="+strings.Repeat("a", 2<<20), sc.Token, "")
	if huge.status < 400 || huge.status >= 500 {
		t.Fatalf("a 2 MiB filter: %d", huge.status)
	}

	// Page size: count is capped at 1000, never an error and never more.
	page := hardWant(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?count=100000000", sc.Token, ""), 200, "count=1e8")
	if fmt.Sprint(page["itemsPerPage"]) != "4" || len(page["Resources"].([]any)) != 4 {
		t.Fatalf("count=1e8 answered %v items", page["itemsPerPage"])
	}
	// Beyond int64 it is still an integer, capped like any other.
	if got := hardWant(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?count=99999999999999999999999", sc.Token, ""), 200, "count beyond int64"); fmt.Sprint(got["itemsPerPage"]) != "4" {
		t.Fatalf("count beyond int64 answered %v items", got["itemsPerPage"])
	}
	hardWantError(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users?startIndex=x", sc.Token, ""), 400, "", "startIndex=x")

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
	hardWantError(t, hardSCIMCall(nil, "PATCH", user, sc.Token, ops(1001)), 400, "", "1001 PATCH operations")
	if after := h.state(t); after != before {
		t.Fatalf("refused requests changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if got := hardWant(t, hardSCIMCall(nil, "PATCH", user, sc.Token, ops(1000)), 200, "1000 PATCH operations")["title"]; got != "t999" {
		t.Fatalf("after 1000 operations title = %v", got)
	}
}
