package wrike_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
)

// TestAdminLimits: the admin API's bounds (body size, name and description
// length, domain length) answer the v4 error and change nothing.
func TestAdminLimits(t *testing.T) {
	env := backendtest.Start(t)
	snap := openSnapshot(t, env)
	app := adminCall(t, env, "POST", "/api_apps", `{"name":"bounded"}`).Data(t)[0]
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
		a.WantV4Error(t, status, c.code)
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
		a.WantSCIMError(t, http.StatusRequestEntityTooLarge, "")
		if !strings.Contains(a.Body["detail"].(string), "1048576") && !strings.Contains(strings.ToLower(a.Body["detail"].(string)), "mib") {
			t.Errorf("413 detail does not say the bound: %s", a.Raw)
		}
	}
	// Just under the bound is accepted (the bound is not lower than stated);
	// the padding is an attribute this server does not keep, as no kept
	// attribute may be that long.
	under := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"under@example.com","padding":"` + strings.Repeat("y", 1<<20-200) + `"}`
	scimDo(t, sc, "DELETE", "/Users/"+createUser(t, sc, under)["id"].(string), "").Want(t, http.StatusNoContent)

	// Filters: 8192 bytes and 16 levels of nesting.
	long := `userName eq "` + strings.Repeat("a", 8200) + `"`
	deep := strings.Repeat("(", 17) + `userName eq "x"` + strings.Repeat(")", 17)
	notDeep := "not (" + strings.Repeat("not (", 16) + `userName eq "x"` + strings.Repeat(")", 17)
	for _, f := range []string{long, deep, notDeep} {
		scimDo(t, sc, "GET", filterQuery(f), "").WantSCIMError(t, 400, "invalidFilter")
	}
	ok := strings.Repeat("(", 8) + `userName eq "limits@example.com"` + strings.Repeat(")", 8)
	if got := scimDo(t, sc, "GET", filterQuery(ok), "").Want(t, 200)["totalResults"]; fmt.Sprint(got) != "1" {
		t.Fatalf("a filter within the bounds found %v users", got)
	}
	search := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":%q}`, long)
	scimDo(t, sc, "POST", "/Users/.search", search).WantSCIMError(t, 400, "invalidFilter")
	// A huge filter in the URL is bounded by the request line, not read
	// whole (the answer is net/http's, not SCIM JSON).
	huge := scimSend(nil, sc, "GET", "/Users?filter="+strings.Repeat("a", 2<<20), "")
	if huge.Status < 400 || huge.Status >= 500 {
		t.Fatalf("a 2 MiB filter: %d", huge.Status)
	}

	// Page size: count is capped at 1000, never an error and never more.
	page := scimDo(t, sc, "GET", "/Users?count=100000000", "").Want(t, 200)
	if fmt.Sprint(page["itemsPerPage"]) != "4" || len(page["Resources"].([]any)) != 4 {
		t.Fatalf("count=1e8 answered %v items", page["itemsPerPage"])
	}
	// Beyond int64 it is still an integer, capped like any other.
	if got := scimDo(t, sc, "GET", "/Users?count=99999999999999999999999", "").Want(t, 200); fmt.Sprint(got["itemsPerPage"]) != "4" {
		t.Fatalf("count beyond int64 answered %v items", got["itemsPerPage"])
	}
	scimDo(t, sc, "GET", "/Users?startIndex=x", "").WantSCIMError(t, 400, "")

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
	scimDo(t, sc, "PATCH", user, ops(1001)).WantSCIMError(t, 400, "")
	wantUnchanged(t, env, snap, before)
	if got := scimDo(t, sc, "PATCH", user, ops(1000)).Want(t, 200)["title"]; got != "t999" {
		t.Fatalf("after 1000 operations title = %v", got)
	}
}

// TestSCIMAttributeSizeLimits: the Wrike face takes a title and an email
// list at their limits, and refuses one character or one value more with a
// 400 naming the attribute and the limit, by POST, PUT and PATCH, changing
// nothing; discovery states the limits.
func TestSCIMAttributeSizeLimits(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	u := createUser(t, sc, oktaUser("ann@acme.example.com", "Ann", "Lee"))
	loc := "/Users/" + u["id"].(string)
	withTitle := func(n int) string {
		return strings.Replace(oktaUser("ann@acme.example.com", "Ann", "Lee"), `"title":"Engineer"`, `"title":"`+strings.Repeat("t", n)+`"`, 1)
	}
	emails := func(n int) string {
		var list []string
		for i := range n {
			list = append(list, fmt.Sprintf(`{"value":"ann+%d@acme.example.com","type":"other"}`, i))
		}
		list[0] = `{"value":"ann@acme.example.com","type":"work","primary":true}`
		return "[" + strings.Join(list, ",") + "]"
	}
	withEmails := func(n int) string {
		return strings.Replace(oktaUser("ben@acme.example.com", "Ben", "Lee"), `[{"primary":true,"value":"ben@acme.example.com","type":"work"}]`, strings.ReplaceAll(emails(n), "ann", "ben"), 1)
	}
	scimDo(t, sc, "PUT", loc, withTitle(256)).Want(t, http.StatusOK)
	createUser(t, sc, withEmails(10))
	before := scimDo(t, sc, "GET", loc, "").Want(t, http.StatusOK)
	for _, c := range []struct{ method, path, body, detail string }{
		{"POST", "/Users", strings.ReplaceAll(withTitle(257), "ann@", "cy@"), `attribute "title" is 257 characters long; at most 256 are accepted`},
		{"POST", "/Users", strings.ReplaceAll(withTitle(900_000), "ann@", "cy@"), `attribute "title" is 900000 characters long; at most 256 are accepted`},
		{"PUT", loc, withTitle(257), `attribute "title" is 257 characters long; at most 256 are accepted`},
		{"PATCH", loc, `{"Operations":[{"op":"replace","path":"title","value":"` + strings.Repeat("t", 257) + `"}]}`, `at most 256 are accepted`},
		{"POST", "/Users", strings.ReplaceAll(withEmails(11), "ben", "cy"), `attribute "emails" has 11 values; at most 10 are accepted`},
		{"PATCH", loc, `{"Operations":[{"op":"add","path":"emails","value":` + emails(11) + `}]}`, `attribute "emails" has 11 values; at most 10 are accepted`},
	} {
		a := scimDo(t, sc, c.method, c.path, c.body)
		a.WantSCIMError(t, http.StatusBadRequest, "invalidValue")
		if d, _ := a.Body["detail"].(string); !strings.Contains(d, c.detail) {
			t.Errorf("%s %s: detail %q, want %q", c.method, c.path, d, c.detail)
		}
	}
	if after := scimDo(t, sc, "GET", loc, "").Want(t, http.StatusOK); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a refused request changed the user:\n%v\n%v", before, after)
	}
	if l := scimDo(t, sc, "GET", filterQuery(`userName sw "cy@"`), "").Want(t, http.StatusOK); l["totalResults"] != float64(0) {
		t.Fatalf("a refused POST created a user: %v", l)
	}
	schema := scimDo(t, sc, "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "").Want(t, http.StatusOK)
	b, _ := json.Marshal(schema)
	for _, note := range []string{`such as \"Vice President\". At most 256 characters.`, `Email addresses for the user. At most 10 values.`} {
		if !strings.Contains(string(b), note) {
			t.Errorf("discovery does not say %q", note)
		}
	}
}

// TestAdminListingBudget: the admin listing's filters are charged by the
// bytes they compare, as every expression is: a budget of exactly what
// counting 30 users by domain costs answers, one unit less is a 400
// invalid_parameter naming the limit. Decoding the page's users is charged
// too: past the budget the page ends early, and its nextPageToken goes on
// without losing or repeating a user.
func TestAdminListingBudget(t *testing.T) {
	const users = 30
	perUser := 1 + len("acme.example.com")*2 // one unit, then the domains compared (cost.Compare "eq")
	for _, c := range []struct {
		budget int
		status int
	}{{users * perUser, http.StatusOK}, {users*perUser - 1, http.StatusBadRequest}} {
		env := backendtest.Start(t, backendtest.WithWrike(func(cfg *wrike.Config) { cfg.ScanBudget = c.budget }))
		sc := env.SetupSCIM(t, "okta", "acme.example.com")
		for i := range users {
			createUser(t, sc, oktaUser(fmt.Sprintf("u%02d@acme.example.com", i), "U", "Ser"))
		}
		a := adminCall(t, env, "GET", "/users?domain=acme.example.com", "")
		if c.status == http.StatusBadRequest {
			a.WantV4Error(t, http.StatusBadRequest, "invalid_parameter")
			if d := fmt.Sprint(a.Body); !strings.Contains(d, fmt.Sprint(c.budget)) {
				t.Fatalf("budget %d: the error does not name the limit: %s", c.budget, d)
			}
			continue
		}
		seen := map[string]bool{}
		for pages := 0; ; pages++ {
			if a.Body["responseSize"] != float64(users) {
				t.Fatalf("responseSize %v", a.Body["responseSize"])
			}
			data := a.Data(t)
			if len(data) == 0 {
				t.Fatal("an empty page")
			}
			for _, u := range data {
				if seen[u["id"].(string)] {
					t.Fatalf("user %v listed twice", u["id"])
				}
				seen[u["id"].(string)] = true
			}
			next, _ := a.Body["nextPageToken"].(string)
			if next == "" {
				break
			}
			if pages > users {
				t.Fatal("the pages do not end")
			}
			a = adminCall(t, env, "GET", "/users?domain=acme.example.com&nextPageToken="+next, "")
		}
		if len(seen) != users {
			t.Fatalf("listed %d of %d users", len(seen), users)
		}
	}
}

// TestSCIMProjectedPageEndsAtTheBudget: projecting a page decodes its users;
// past the budget the page ends early (itemsPerPage says how many, at least
// one), and paging on by startIndex lists every user once.
func TestSCIMProjectedPageEndsAtTheBudget(t *testing.T) {
	const users = 12
	env := backendtest.Start(t, backendtest.WithWrike(func(c *wrike.Config) { c.ScanBudget = 300_000 })) // some three users' decoding
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	for i := range users {
		createUser(t, sc, oktaUser(fmt.Sprintf("u%02d@acme.example.com", i), "U", "Ser"))
	}
	seen := map[string]bool{}
	for start := 1; start <= users; {
		l := scimDo(t, sc, "GET", fmt.Sprintf("/Users?attributes=userName&count=%d&startIndex=%d", users, start), "").Want(t, http.StatusOK)
		n := int(l["itemsPerPage"].(float64))
		if n < 1 || n >= users || l["totalResults"] != float64(users) {
			t.Fatalf("page at %d: itemsPerPage %d, totalResults %v", start, n, l["totalResults"])
		}
		for _, r := range l["Resources"].([]any) {
			seen[r.(map[string]any)["userName"].(string)] = true
		}
		start += n
	}
	if len(seen) != users {
		t.Fatalf("listed %d of %d users", len(seen), users)
	}
}
