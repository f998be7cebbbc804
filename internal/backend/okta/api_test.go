package okta_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

// TestOversizedBodyIs413: a body over 1 MiB is 413, as on the Wrike face,
// with Okta's error body saying the bound.
func TestOversizedBodyIs413(t *testing.T) {
	o := newEmptyOrg(t)
	a := o.do("POST", "/api/v1/groups", `{"profile":{"name":"`+strings.Repeat("x", 1<<20)+`"}}`)
	if a.Status != 413 || a.OktaErrorCode() != "E0000003" || !strings.Contains(a.Raw, "exceeds 1048576 bytes") {
		t.Fatalf("oversized body: %d %.300s", a.Status, a.Raw)
	}
}

func TestAuthenticationRateLimitAndErrorBodies(t *testing.T) {
	o := newEmptyOrg(t, withOkta(func(c *okta.Config) { c.RateLimit = 5 }))
	a := request("GET", o.env.OktaURL+"/api/v1/users", "", nil)
	if a.Status != http.StatusUnauthorized || a.Header.Get("X-Rate-Limit-Limit") != "" {
		t.Fatalf("no token: %d, limit header %q (a refused caller is told nothing of the budget)", a.Status, a.Header.Get("X-Rate-Limit-Limit"))
	}
	a = o.do("GET", "/api/v1/nothing", nil)
	if a.Status != 404 || a.OktaErrorCode() != "E0000007" {
		t.Fatalf("unknown path: %d %s", a.Status, a.Raw)
	}
	a = o.do("PATCH", "/api/v1/users", nil)
	if a.Status != 405 || a.OktaErrorCode() != "E0000022" {
		t.Fatalf("bad method: %d %s", a.Status, a.Raw)
	}
	a = o.do("POST", "/api/v1/groups", "{not json")
	if a.Status != 400 || a.OktaErrorCode() != "E0000003" {
		t.Fatalf("malformed body: %d %s", a.Status, a.Raw)
	}
	if got := a.Header.Get("X-Rate-Limit-Remaining"); got != "2" {
		t.Fatalf("remaining after 3 authenticated requests = %q, want 2", got)
	}
	o.do("GET", "/api/v1/users", nil)
	o.do("GET", "/api/v1/users", nil)
	a = o.do("GET", "/api/v1/users", nil)
	if a.Status != 429 || a.OktaErrorCode() != "E0000047" || a.Header.Get("X-Rate-Limit-Remaining") != "0" || a.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("over the limit: %d %v %s", a.Status, a.Header, a.Raw)
	}
}

// TestFailedAuthenticationSpendsNoBudget: requests refused with 401 (no
// token, an unknown one, the wrong scheme) far beyond the org's limit leave
// the budget of the valid token whole; the valid caller still meets 429
// E0000047 with the X-Rate-Limit-* headers once it spends the budget itself.
func TestFailedAuthenticationSpendsNoBudget(t *testing.T) {
	o := newEmptyOrg(t, withOkta(func(c *okta.Config) { c.RateLimit = 5 }))
	for i := range 60 {
		auth := []string{"", "SSWS 00notatoken", "Bearer " + o.env.OktaAPIToken}[i%3]
		a := request("GET", o.env.OktaURL+"/api/v1/users", auth, nil)
		if a.Status != http.StatusUnauthorized || a.Header.Get("X-Rate-Limit-Remaining") != "" {
			t.Fatalf("refused request %d (%q): %d, X-Rate-Limit-Remaining %q", i, auth, a.Status, a.Header.Get("X-Rate-Limit-Remaining"))
		}
	}
	for want := 4; want >= 0; want-- {
		a := o.do("GET", "/api/v1/users", nil)
		if a.Status != 200 || a.Header.Get("X-Rate-Limit-Remaining") != strconv.Itoa(want) || a.Header.Get("X-Rate-Limit-Limit") != "5" {
			t.Fatalf("valid token after 60 refused requests: %d, remaining %q, want 200 and %d", a.Status, a.Header.Get("X-Rate-Limit-Remaining"), want)
		}
	}
	a := o.do("GET", "/api/v1/users", nil)
	if a.Status != 429 || a.OktaErrorCode() != "E0000047" || a.Header.Get("X-Rate-Limit-Remaining") != "0" || a.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("the valid caller over its budget: %d %v %s", a.Status, a.Header, a.Raw)
	}
}

func TestUsersGroupsAndPaging(t *testing.T) {
	o := newEmptyOrg(t)
	var ids []string
	for _, n := range []string{"ann", "bob", "cid", "dee", "eve"} {
		ids = append(ids, o.user(map[string]string{"login": n + "@acme.example.com", "email": n + "@acme.example.com",
			"firstName": strings.ToUpper(n[:1]) + n[1:], "lastName": "Smith", "title": "Engineer"}))
	}
	if !strings.HasPrefix(ids[0], "00u") || len(ids[0]) != 20 {
		t.Fatalf("user id %q is not Okta-like", ids[0])
	}
	a := o.do("POST", "/api/v1/users", map[string]any{"profile": map[string]string{"login": "ann@acme.example.com", "email": "x@acme.example.com", "firstName": "A", "lastName": "B"}})
	if a.Status != 400 || a.OktaErrorCode() != "E0000001" || !strings.Contains(a.Raw, "already exists") {
		t.Fatalf("duplicate login: %d %s", a.Status, a.Raw)
	}
	a = o.do("POST", "/api/v1/users", map[string]any{"profile": map[string]string{"login": "nope", "shoeSize": "9"}})
	var e struct{ ErrorCauses []any }
	if err := a.Check(400, &e); err != nil || len(e.ErrorCauses) < 4 {
		t.Fatalf("invalid profile: %d %s", a.Status, a.Raw)
	}

	// Paging: two per page, Link rel="next" until the end.
	if seen := len(allPages[struct{ ID string }](o, "/api/v1/users?limit=2", 6)); seen != 5 {
		t.Fatalf("paged through %d users, want 5", seen)
	}

	var found []struct {
		ID      string
		Profile map[string]string
	}
	o.call(200, "GET", `/api/v1/users?search=profile.login+eq+"BOB@acme.example.com"`, nil, &found)
	if len(found) != 1 || found[0].ID != ids[1] {
		t.Fatalf("search by login: %+v", found)
	}
	o.call(200, "GET", `/api/v1/users?filter=status+eq+"ACTIVE"+and+profile.firstName+sw+"c"`, nil, &found)
	if len(found) != 1 || found[0].ID != ids[2] {
		t.Fatalf("filter: %+v", found)
	}
	if a := o.do("GET", `/api/v1/users?filter=password+eq+"x"`, nil); a.Status != 400 || a.OktaErrorCode() != "E0000031" {
		t.Fatalf("bad filter: %d %s", a.Status, a.Raw)
	}

	// Partial update keeps other attributes; null clears one.
	var u struct {
		Status  string
		Profile map[string]string
	}
	o.call(200, "POST", "/api/v1/users/"+ids[0], map[string]any{"profile": map[string]any{"department": "R&D", "title": nil}}, &u)
	if u.Profile["department"] != "R&D" || u.Profile["title"] != "" || u.Profile["firstName"] != "Ann" {
		t.Fatalf("partial update: %+v", u.Profile)
	}

	g := o.group("Engineering")
	if a := o.do("POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": "engineering"}}); a.Status != 400 {
		t.Fatalf("duplicate group name: %d", a.Status)
	}
	o.call(204, "PUT", "/api/v1/groups/"+g+"/users/"+ids[0], nil, nil)
	var members []struct{ ID string }
	o.call(200, "GET", "/api/v1/groups/"+g+"/users", nil, &members)
	if len(members) != 1 || members[0].ID != ids[0] {
		t.Fatalf("members: %+v", members)
	}
	var groups []struct {
		ID      string
		Type    string
		Profile map[string]string
	}
	o.call(200, "GET", `/api/v1/groups?q=Every`, nil, &groups)
	if len(groups) != 1 || groups[0].Type != "BUILT_IN" {
		t.Fatalf("Everyone: %+v", groups)
	}
	o.call(200, "GET", "/api/v1/groups/"+groups[0].ID+"/users", nil, &members)
	if len(members) != 5 {
		t.Fatalf("Everyone has %d members, want 5", len(members))
	}
	if a := o.do("DELETE", "/api/v1/groups/"+groups[0].ID, nil); a.Status != 403 {
		t.Fatalf("deleting Everyone: %d", a.Status)
	}
	if a := o.do("GET", "/api/v1/groups/00gnothere", nil); a.Status != 404 || a.OktaErrorCode() != "E0000007" {
		t.Fatalf("unknown group: %d %s", a.Status, a.Raw)
	}

	// Lifecycle and delete: a first DELETE deactivates, a second deletes.
	o.call(200, "POST", "/api/v1/users/"+ids[4]+"/lifecycle/deactivate", nil, nil)
	o.call(200, "GET", "/api/v1/users/"+ids[4], nil, &u)
	if u.Status != "DEPROVISIONED" {
		t.Fatalf("status after deactivate: %s", u.Status)
	}
	if a := o.do("POST", "/api/v1/users/"+ids[3]+"/lifecycle/activate", nil); a.Status != 403 || a.OktaErrorCode() != "E0000016" {
		t.Fatalf("activating an active user: %d %s", a.Status, a.Raw)
	}
	o.call(204, "DELETE", "/api/v1/users/"+ids[3], nil, nil)
	o.call(200, "GET", "/api/v1/users/"+ids[3], nil, &u)
	if u.Status != "DEPROVISIONED" {
		t.Fatalf("first delete: status %s", u.Status)
	}
	o.call(204, "DELETE", "/api/v1/users/"+ids[3], nil, nil)
	if a := o.do("GET", "/api/v1/users/"+ids[3], nil); a.Status != 404 {
		t.Fatalf("after second delete: %d", a.Status)
	}
}

func TestConnectionTestCredentials(t *testing.T) {
	o := newOrg(t)
	app, token := o.appID, o.scim.Token

	var conn map[string]any
	o.call(200, "GET", "/api/v1/apps/"+app+"/connections/default", nil, &conn)
	if conn["status"] != "DISABLED" || conn["authScheme"] != "TOKEN" {
		t.Fatalf("fresh connection: %v", conn)
	}
	cases := []struct{ name, base, token, want string }{
		{"unreachable", "http://127.0.0.1:1/scim/v2", token, "could not reach"},
		{"bad token", o.scimURL, "wrong", "HTTP 401"},
		{"not SCIM", o.link.srv.URL + "/elsewhere", token, "HTTP 404"},
		{"not a URL", "ftp:/x", token, "baseUrl"},
	}
	for _, c := range cases {
		a := o.do("POST", "/api/v1/apps/"+app+"/connections/default?activate=true",
			map[string]any{"baseUrl": c.base, "profile": map[string]string{"authScheme": "TOKEN", "token": c.token}})
		if a.Status != 400 || a.OktaErrorCode() != "E0000001" || !strings.Contains(a.Raw, c.want) {
			t.Errorf("%s: %d %s", c.name, a.Status, a.Raw)
		}
		if strings.Contains(a.Raw, token) {
			t.Errorf("%s: the answer contains the token", c.name)
		}
	}
	o.call(200, "GET", "/api/v1/apps/"+app+"/connections/default", nil, &conn)
	if conn["status"] != "DISABLED" || conn["baseUrl"] != nil {
		t.Fatalf("a failed test saved the connection: %v", conn)
	}
	a := o.call(200, "POST", "/api/v1/apps/"+app+"/connections/default?activate=true",
		map[string]any{"baseUrl": o.scimURL + "/", "profile": map[string]string{"authScheme": "TOKEN", "token": token}}, &conn)
	if conn["status"] != "ENABLED" || conn["baseUrl"] != o.scimURL || strings.Contains(a.Raw, token) {
		t.Fatalf("saved connection: %s", a.Raw)
	}
	o.env.Admin(t, "POST", "/api_apps/"+o.scim.AppID+"/regenerate_token", nil, nil)
	if a := o.do("POST", "/api/v1/apps/"+app+"/connections/default/lifecycle/activate", nil); a.Status != 400 {
		t.Fatalf("activate with a revoked token: %d %s", a.Status, a.Raw)
	}
	o.call(204, "POST", "/api/v1/apps/"+app+"/connections/default/lifecycle/deactivate", nil, nil)
	o.call(200, "GET", "/api/v1/apps/"+app+"/connections/default", nil, &conn)
	if conn["status"] != "DISABLED" {
		t.Fatalf("after deactivate: %v", conn)
	}
	evs := o.events(`eventType eq "application.provision.connection.test"`)
	if len(evs) != 5 {
		t.Fatalf("%d connection test events, want 5 (4 reached the test)", len(evs))
	}
	if evs[0].Outcome.Result != "FAILURE" || evs[0].Outcome.Reason == "" || evs[3].Outcome.Result != "SUCCESS" {
		t.Fatalf("connection test outcomes: %+v", evs)
	}

	// An app this face cannot provision answers as Okta does for OIN apps.
	var other struct{ ID string }
	o.call(200, "POST", "/api/v1/apps", map[string]any{"name": "bookmark", "label": "Intranet", "signOnMode": "BOOKMARK"}, &other)
	o.call(200, "GET", "/api/v1/apps/"+other.ID+"/connections/default", nil, &conn)
	if conn["status"] != "UNKNOWN" || conn["authScheme"] != "UNKNOWN" {
		t.Fatalf("unprovisionable app: %v", conn)
	}
}

func TestFeaturesValidation(t *testing.T) {
	o := newOrg(t)
	app := o.appID
	for _, body := range []map[string]any{
		{"create": map[string]any{"lifecycleCreate": map[string]string{"status": "ON"}}},
		{"update": map[string]any{"password": map[string]string{"status": "ENABLED"}}},
	} {
		if a := o.do("PUT", "/api/v1/apps/"+app+"/features/USER_PROVISIONING", body); a.Status != 400 || a.OktaErrorCode() != "E0000001" {
			t.Errorf("%v: %d %s", body, a.Status, a.Raw)
		}
	}
	var f struct {
		Capabilities struct {
			Create struct{ LifecycleCreate struct{ Status string } }
			Update struct{ Profile, LifecycleDeactivate struct{ Status string } }
		}
	}
	o.call(200, "PUT", "/api/v1/apps/"+app+"/features/USER_PROVISIONING", map[string]any{
		"capabilities": map[string]any{"update": map[string]any{"profile": map[string]string{"status": "ENABLED"}}}}, &f)
	if f.Capabilities.Update.Profile.Status != "ENABLED" || f.Capabilities.Create.LifecycleCreate.Status != "DISABLED" {
		t.Fatalf("partial update of capabilities: %+v", f)
	}
	if a := o.do("GET", "/api/v1/apps/"+app+"/features/PUSH_PASSWORDS", nil); a.Status != 404 {
		t.Fatalf("unknown feature: %d", a.Status)
	}
	if a := o.do("PUT", "/api/v1/apps/"+app+"/groups/00gnothere", map[string]any{}); a.Status != 404 {
		t.Fatalf("assigning an unknown group: %d", a.Status)
	}
	g := o.group("Sales")
	if a := o.do("PUT", "/api/v1/apps/"+app+"/groups/"+g, map[string]any{"profile": map[string]string{"userType": "Boss"}}); a.Status != 400 {
		t.Fatalf("unknown user type: %d %s", a.Status, a.Raw)
	}
}

func TestInvalidUTF8BodyRefused(t *testing.T) {
	o := newEmptyOrg(t)
	// 0xC5 0x7F is not UTF-8; decoded leniently it would be stored as U+FFFD.
	a := o.do("POST", "/api/v1/users", "{\"profile\":{\"login\":\"k\xc5\x7fss@acme.example.com\",\"email\":\"kiss@acme.example.com\",\"firstName\":\"K\",\"lastName\":\"S\"}}")
	if a.Status != 400 || a.OktaErrorCode() != "E0000003" || !strings.Contains(a.Raw, "not valid UTF-8") {
		t.Fatalf("invalid UTF-8: %d %s", a.Status, a.Raw)
	}
	var users []map[string]any
	o.call(200, "GET", "/api/v1/users", nil, &users)
	if len(users) != 0 {
		t.Fatalf("a user was created from an invalid body: %v", users)
	}
}

// TestMixedScriptLoginRefused: a login or email whose local part or a
// domain label mixes scripts the way look-alikes do (a Cyrillic а among
// Latin letters) is E0000001 naming the code point, next to the real login;
// single-script names in other scripts are accepted.
func TestMixedScriptLoginRefused(t *testing.T) {
	o := newEmptyOrg(t)
	o.user(person("ann.lee@acme.example.com"))
	for _, k := range []string{"login", "email"} {
		p := person("ann.lee@acme.example.com")
		p["login"] = "ann.lee2@acme.example.com"
		p[k] = "\u0430nn.lee@acme.example.com"
		a := o.do("POST", "/api/v1/users", map[string]any{"profile": p})
		if a.Status != 400 || a.OktaErrorCode() != "E0000001" || !strings.Contains(a.Raw, "U+0430") || !strings.Contains(a.Raw, "Cyrillic and Latin") {
			t.Fatalf("%s with a Cyrillic a: %d %s", k, a.Status, a.Raw)
		}
	}
	a := o.do("POST", "/api/v1/users", map[string]any{"profile": person("ann.lee@\u0430cme.example.com")})
	if a.Status != 400 || !strings.Contains(a.Raw, "U+0430") {
		t.Fatalf("a domain label with a Cyrillic a: %d %s", a.Status, a.Raw)
	}
	o.user(person("анна@acme.example.com"))
	var users []map[string]any
	o.call(200, "GET", "/api/v1/users", nil, &users)
	if len(users) != 2 {
		t.Fatalf("%d users, want ann.lee and анна", len(users))
	}
}

// TestDuplicateKeysRefused: a body naming one key twice in an object,
// exactly or in another letter case, is E0000003 naming the key, and creates
// or changes nothing.
func TestDuplicateKeysRefused(t *testing.T) {
	o := newEmptyOrg(t)
	for _, tc := range []struct{ body, key string }{
		{`{"profile":{"login":"ann.lee@acme.example.com","login":"eve@acme.example.com","email":"ann.lee@acme.example.com","firstName":"A","lastName":"L"}}`, `\"login\"`},
		{`{"profile":{"login":"ann.lee@acme.example.com","Login":"eve@acme.example.com","email":"ann.lee@acme.example.com","firstName":"A","lastName":"L"}}`, `\"Login\"`},
		{`{"profile":{"login":"ann.lee@acme.example.com","email":"ann.lee@acme.example.com","firstName":"A","lastName":"L"},"PROFILE":{}}`, `\"PROFILE\"`},
	} {
		a := o.do("POST", "/api/v1/users", tc.body)
		if a.Status != 400 || a.OktaErrorCode() != "E0000003" || !strings.Contains(a.Raw, tc.key) {
			t.Fatalf("%s: %d %s", tc.body, a.Status, a.Raw)
		}
	}
	var users []map[string]any
	o.call(200, "GET", "/api/v1/users", nil, &users)
	if len(users) != 0 {
		t.Fatalf("a user was created from an ambiguous body: %v", users)
	}
}

func TestSystemLogQueries(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	o := newConnectedOrg(t, withOkta(func(c *okta.Config) { c.Clock = clock }))
	var ids []string
	for i := range 5 {
		ids = append(ids, o.user(person(fmt.Sprintf("u%d@acme.example.com", i))))
	}
	o.assignGroup(o.group("All", ids...), map[string]any{})
	o.wait()

	// Paging: 2 per page over 6 events (1 connection test, 5 pushes).
	all := allPages[map[string]any](o, "/api/v1/logs?limit=2", 1000)
	if len(all) != 6 || all[0]["eventType"] != okta.EventConnectionTest {
		t.Fatalf("paged %d events, first %v", len(all), all[0]["eventType"])
	}
	seen := map[any]bool{}
	for _, e := range all {
		seen[e["uuid"]] = true
	}
	if len(seen) != 6 {
		t.Fatal("paging repeated an event")
	}
	var desc []map[string]any
	o.call(200, "GET", "/api/v1/logs?sortOrder=DESCENDING&limit=1", nil, &desc)
	if len(desc) != 1 || desc[0]["uuid"] != all[5]["uuid"] {
		t.Fatal("DESCENDING does not start with the newest event")
	}
	var none []map[string]any
	o.call(200, "GET", "/api/v1/logs?since="+url.QueryEscape(now.Add(time.Second).Format(time.RFC3339)), nil, &none)
	if len(none) != 0 {
		t.Fatalf("since in the future: %d events", len(none))
	}
	o.call(200, "GET", "/api/v1/logs?until="+url.QueryEscape(now.Format(time.RFC3339)), nil, &none)
	if len(none) != 0 {
		t.Fatalf("until excludes events published at that instant: %d events", len(none))
	}
	for _, bad := range []string{"since=yesterday", "limit=0", "filter=" + url.QueryEscape(`severity eq "WARN"`), "sortOrder=UP"} {
		if a := o.do("GET", "/api/v1/logs?"+bad, nil); a.Status != 400 {
			t.Errorf("%s: %d", bad, a.Status)
		}
	}
	if a := o.do("GET", "/api/v1/_backend/provisioning/wait?timeout=forever", nil); a.Status != 400 {
		t.Fatalf("bad wait timeout: %d", a.Status)
	}
}
