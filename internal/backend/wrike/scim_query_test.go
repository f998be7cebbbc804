package wrike_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
)

// userNames lists the userNames of a ListResponse in order.
func userNames(l map[string]any) []string {
	var out []string
	for _, r := range l["Resources"].([]any) {
		out = append(out, fmt.Sprint(r.(map[string]any)["userName"]))
	}
	return out
}

func TestSCIMSorting(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	for _, u := range []struct{ login, family, title string }{
		{"carol@acme.example.com", "Zed", "B"},
		{"Alice@acme.example.com", "Young", ""},
		{"bob@acme.example.com", "Xu", "A"},
	} {
		body := fmt.Sprintf(`{"schemas":["%s"],"userName":%q,"name":{"familyName":%q},"title":%q}`, coreUser, u.login, u.family, u.title)
		createUser(t, sc, body)
	}
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"sortBy=userName", "Alice@acme.example.com bob@acme.example.com carol@acme.example.com"}, // case-insensitive, like userName
		{"sortBy=USERNAME&sortOrder=descending", "carol@acme.example.com bob@acme.example.com Alice@acme.example.com"},
		{"sortBy=name.familyName", "bob@acme.example.com Alice@acme.example.com carol@acme.example.com"},
		{"sortBy=title", "bob@acme.example.com carol@acme.example.com Alice@acme.example.com"}, // unassigned last
		{"sortBy=userName&startIndex=2&count=1", "bob@acme.example.com"},
		{"sortBy=userName&filter=" + url.QueryEscape(`userName ne "bob@acme.example.com"`), "Alice@acme.example.com carol@acme.example.com"},
		{"", "carol@acme.example.com Alice@acme.example.com bob@acme.example.com"}, // creation order
	} {
		l := scimDo(t, sc, "GET", "/Users?"+tc.query, "").Want(t, http.StatusOK)
		if got := strings.Join(userNames(l), " "); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	s := scimDo(t, sc, "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"sortBy":"name.familyName","sortOrder":"descending"}`).Want(t, http.StatusOK)
	if got := strings.Join(userNames(s), " "); got != "carol@acme.example.com Alice@acme.example.com bob@acme.example.com" {
		t.Errorf(".search sorted: %s", got)
	}
	scimDo(t, sc, "GET", "/Users?sortBy=shoeSize", "").WantSCIMError(t, http.StatusBadRequest, "invalidValue")
	scimDo(t, sc, "GET", "/Users?sortBy=userName&sortOrder=sideways", "").WantSCIMError(t, http.StatusBadRequest, "invalidValue")
}

func TestSCIMGroupQueriesUseTheGroupSchema(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	createUser(t, sc, oktaUser("ann@acme.example.com", "Ann", "A"))
	// What Okta, Entra ID and OneLogin send to /Groups: Group attributes, never "unknown attribute".
	for _, q := range []string{
		"?filter=" + url.QueryEscape(`displayName eq "Engineering"`),
		"?filter=" + url.QueryEscape(`members[value eq "2819c223"]`) + "&attributes=displayName",
		"?excludedAttributes=members",
		"?attributes=members,displayName,externalId&sortBy=displayName",
		"?filter=" + url.QueryEscape(`DISPLAYNAME EQ "x"`) + "&excludedAttributes=MEMBERS",
		"?filter=" + url.QueryEscape(`urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"`),
	} {
		l := scimDo(t, sc, "GET", "/Groups"+q, "").Want(t, http.StatusOK)
		if l["totalResults"] != float64(0) || len(l["Resources"].([]any)) != 0 {
			t.Fatalf("/Groups%s = %v", q, l)
		}
	}
	scimDo(t, sc, "POST", "/Groups/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName eq \"x\"","excludedAttributes":["members"]}`).Want(t, http.StatusOK)
	// User attributes are not Group attributes.
	scimDo(t, sc, "GET", "/Groups?attributes=userName", "").WantSCIMError(t, http.StatusBadRequest, "invalidValue")
	scimDo(t, sc, "GET", "/Groups?filter="+url.QueryEscape(`userName eq "x"`), "").WantSCIMError(t, http.StatusBadRequest, "invalidFilter")

	// Group writes: creating one is 501 (Group is not in /ResourceTypes, so
	// a client that follows discovery never sends it); any other write names
	// a group that does not exist.
	scimDo(t, sc, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"x"}`).WantSCIMError(t, http.StatusNotImplemented, "")
	for _, m := range []string{"PUT", "PATCH", "DELETE", "GET"} {
		scimDo(t, sc, m, "/Groups/g1", `{}`).WantSCIMError(t, http.StatusNotFound, "")
	}
}

func TestSCIMScanBudget(t *testing.T) {
	// A budget that admits decoding 60 users and a few comparisons each
	// (a user's document is some 900 bytes, decoded at cost.DecodeWeight).
	const budget = 7_000_000
	env := backendtest.Start(t, backendtest.WithWrike(func(c *wrike.Config) { c.ScanBudget = budget }))
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	for i := range 60 {
		createUser(t, sc, strings.Replace(oktaUser(fmt.Sprintf("u%02d@acme.example.com", i), "U", "Ser"), `"active":true`, fmt.Sprintf(`"active":true,"externalId":"ext-u%02d"`, i), 1))
	}
	// Within the budget: a scan of 60 users with one or two comparisons.
	if l := scimDo(t, sc, "GET", filterQuery(`title eq "Engineer"`), "").Want(t, http.StatusOK); l["totalResults"] != float64(60) {
		t.Fatalf("scan: %v", l["totalResults"])
	}
	// Over it: co clauses whose operands, times the titles they are looked
	// for in, cost more than is left after decoding (60 × 100 bytes × 8 per user).
	var clauses []string
	for i := range 60 {
		clauses = append(clauses, fmt.Sprintf(`title co "%s%03d"`, strings.Repeat("x", 97), i))
	}
	wide := strings.Join(clauses, " or ")
	a := scimDo(t, sc, "GET", filterQuery(wide), "")
	a.WantSCIMError(t, http.StatusBadRequest, "tooMany")
	if d := a.Body["detail"].(string); !strings.Contains(d, fmt.Sprint(budget)) || !strings.Contains(d, "bytes") || !strings.Contains(d, "userName eq") {
		t.Fatalf("detail does not say why and what to do: %s", d)
	}
	scimDo(t, sc, "POST", "/Users/.search", fmt.Sprintf(`{"filter":%q}`, wide)).WantSCIMError(t, http.StatusBadRequest, "tooMany")
	// The same number of clauses with short operands is within it: the
	// budget counts bytes, not clauses.
	short := strings.ReplaceAll(wide, strings.Repeat("x", 97), "")
	scimDo(t, sc, "GET", filterQuery(short), "").Want(t, http.StatusOK)
	// The same clauses behind an indexed equality are answered from the
	// index: emails by type too.
	for _, eq := range []string{`userName eq "u07@acme.example.com"`, `emails[type eq "work"].value eq "U07@acme.example.com"`,
		`emails[type eq "work" and value eq "u07@acme.example.com"]`, `externalId eq "ext-u07"`} {
		l := scimDo(t, sc, "GET", filterQuery(eq+` and (`+wide+` or title pr)`), "").Want(t, http.StatusOK)
		if l["totalResults"] != float64(1) {
			t.Fatalf("%s: %v", eq, l["totalResults"])
		}
	}
	// More users than the budget can decode at all: refused before the scan.
	env2 := backendtest.Start(t, backendtest.WithWrike(func(c *wrike.Config) { c.ScanBudget = 59 * 200 * 100 }))
	sc2 := env2.SetupSCIM(t, "okta", "acme.example.com")
	for i := range 60 {
		createUser(t, sc2, oktaUser(fmt.Sprintf("u%02d@acme.example.com", i), "U", "Ser"))
	}
	a = scimDo(t, sc2, "GET", filterQuery(`title pr`), "")
	a.WantSCIMError(t, http.StatusBadRequest, "tooMany")
	if d := a.Body["detail"].(string); !strings.Contains(d, "would examine 60 users") {
		t.Fatalf("detail: %s", d)
	}
}
