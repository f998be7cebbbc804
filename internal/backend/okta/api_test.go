package okta

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestOversizedBodyIs413: a body over 1 MiB is 413, as on the Wrike face,
// with Okta's error body saying the bound.
func TestOversizedBodyIs413(t *testing.T) {
	o := startOrg(t)
	a := o.do(t, "POST", "/api/v1/groups", `{"profile":{"name":"`+strings.Repeat("x", 1<<20)+`"}}`)
	if a.Status != 413 || a.errorCode(t) != "E0000003" || !strings.Contains(string(a.Body), "exceeds 1048576 bytes") {
		t.Fatalf("oversized body: %d %.300s", a.Status, a.Body)
	}
}

func TestAuthenticationRateLimitAndErrorBodies(t *testing.T) {
	o := startOrg(t, func(c *Config) { c.RateLimit = 5 })
	req, _ := http.NewRequest(http.MethodGet, o.URL+"/api/v1/users", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Rate-Limit-Limit") != "" {
		t.Fatalf("no token: %d, limit header %q (a refused caller is told nothing of the budget)", resp.StatusCode, resp.Header.Get("X-Rate-Limit-Limit"))
	}
	a := o.do(t, "GET", "/api/v1/nothing", nil)
	if a.Status != 404 || a.errorCode(t) != "E0000007" {
		t.Fatalf("unknown path: %d %s", a.Status, a.Body)
	}
	a = o.do(t, "PATCH", "/api/v1/users", nil)
	if a.Status != 405 || a.errorCode(t) != "E0000022" {
		t.Fatalf("bad method: %d %s", a.Status, a.Body)
	}
	a = o.do(t, "POST", "/api/v1/groups", "{not json")
	if a.Status != 400 || a.errorCode(t) != "E0000003" {
		t.Fatalf("malformed body: %d %s", a.Status, a.Body)
	}
	if got := a.Header.Get("X-Rate-Limit-Remaining"); got != "2" {
		t.Fatalf("remaining after 3 authenticated requests = %q, want 2", got)
	}
	o.do(t, "GET", "/api/v1/users", nil)
	o.do(t, "GET", "/api/v1/users", nil)
	a = o.do(t, "GET", "/api/v1/users", nil)
	if a.Status != 429 || a.errorCode(t) != "E0000047" || a.Header.Get("X-Rate-Limit-Remaining") != "0" || a.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("over the limit: %d %v %s", a.Status, a.Header, a.Body)
	}
}

// TestFailedAuthenticationSpendsNoBudget: requests refused with 401 (no
// token, an unknown one, the wrong scheme) far beyond the org's limit leave
// the budget of the valid token whole; the valid caller still meets 429
// E0000047 with the X-Rate-Limit-* headers once it spends the budget itself.
func TestFailedAuthenticationSpendsNoBudget(t *testing.T) {
	o := startOrg(t, func(c *Config) { c.RateLimit = 5 })
	for i := range 60 {
		auth := []string{"", "SSWS 00notatoken", "Bearer " + o.Token}[i%3]
		req, _ := http.NewRequest(http.MethodGet, o.URL+"/api/v1/users", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Rate-Limit-Remaining") != "" {
			t.Fatalf("refused request %d (%q): %d, X-Rate-Limit-Remaining %q", i, auth, resp.StatusCode, resp.Header.Get("X-Rate-Limit-Remaining"))
		}
	}
	for want := 4; want >= 0; want-- {
		a := o.do(t, "GET", "/api/v1/users", nil)
		if a.Status != 200 || a.Header.Get("X-Rate-Limit-Remaining") != strconv.Itoa(want) || a.Header.Get("X-Rate-Limit-Limit") != "5" {
			t.Fatalf("valid token after 60 refused requests: %d, remaining %q, want 200 and %d", a.Status, a.Header.Get("X-Rate-Limit-Remaining"), want)
		}
	}
	a := o.do(t, "GET", "/api/v1/users", nil)
	if a.Status != 429 || a.errorCode(t) != "E0000047" || a.Header.Get("X-Rate-Limit-Remaining") != "0" || a.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("the valid caller over its budget: %d %v %s", a.Status, a.Header, a.Body)
	}
}

func TestUsersGroupsAndPaging(t *testing.T) {
	o := startOrg(t)
	var ids []string
	for _, n := range []string{"ann", "bob", "cid", "dee", "eve"} {
		ids = append(ids, o.createUser(t, map[string]string{"login": n + "@acme.example.com", "email": n + "@acme.example.com",
			"firstName": strings.ToUpper(n[:1]) + n[1:], "lastName": "Smith", "title": "Engineer"}))
	}
	if !strings.HasPrefix(ids[0], "00u") || len(ids[0]) != 20 {
		t.Fatalf("user id %q is not Okta-like", ids[0])
	}
	a := o.do(t, "POST", "/api/v1/users", map[string]any{"profile": map[string]string{"login": "ann@acme.example.com", "email": "x@acme.example.com", "firstName": "A", "lastName": "B"}})
	if a.Status != 400 || a.errorCode(t) != "E0000001" || !strings.Contains(string(a.Body), "already exists") {
		t.Fatalf("duplicate login: %d %s", a.Status, a.Body)
	}
	a = o.do(t, "POST", "/api/v1/users", map[string]any{"profile": map[string]string{"login": "nope", "shoeSize": "9"}})
	var e apiError
	a.decode(t, &e)
	if a.Status != 400 || len(e.ErrorCauses) < 4 {
		t.Fatalf("invalid profile: %d %s", a.Status, a.Body)
	}

	// Paging: two per page, Link rel="next" until the end.
	seen := 0
	next := "/api/v1/users?limit=2"
	for pages := 0; next != ""; pages++ {
		var page []struct{ ID string }
		a := o.must(t, 200, "GET", next, nil, &page)
		seen += len(page)
		next = ""
		for _, l := range a.Header.Values("Link") {
			if strings.Contains(l, `rel="next"`) {
				next = strings.TrimPrefix(strings.Split(strings.Trim(strings.Split(l, ";")[0], "<>"), o.URL)[1], "")
			}
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if seen != 5 {
		t.Fatalf("paged through %d users, want 5", seen)
	}

	var found []struct {
		ID      string
		Profile map[string]string
	}
	o.must(t, 200, "GET", `/api/v1/users?search=profile.login+eq+"BOB@acme.example.com"`, nil, &found)
	if len(found) != 1 || found[0].ID != ids[1] {
		t.Fatalf("search by login: %+v", found)
	}
	o.must(t, 200, "GET", `/api/v1/users?filter=status+eq+"ACTIVE"+and+profile.firstName+sw+"c"`, nil, &found)
	if len(found) != 1 || found[0].ID != ids[2] {
		t.Fatalf("filter: %+v", found)
	}
	if a := o.do(t, "GET", `/api/v1/users?filter=password+eq+"x"`, nil); a.Status != 400 || a.errorCode(t) != "E0000031" {
		t.Fatalf("bad filter: %d %s", a.Status, a.Body)
	}

	// Partial update keeps other attributes; null clears one.
	var u struct {
		Status  string
		Profile map[string]string
	}
	o.must(t, 200, "POST", "/api/v1/users/"+ids[0], map[string]any{"profile": map[string]any{"department": "R&D", "title": nil}}, &u)
	if u.Profile["department"] != "R&D" || u.Profile["title"] != "" || u.Profile["firstName"] != "Ann" {
		t.Fatalf("partial update: %+v", u.Profile)
	}

	g := o.createGroup(t, "Engineering")
	if a := o.do(t, "POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": "engineering"}}); a.Status != 400 {
		t.Fatalf("duplicate group name: %d", a.Status)
	}
	o.must(t, 204, "PUT", "/api/v1/groups/"+g+"/users/"+ids[0], nil, nil)
	var members []struct{ ID string }
	o.must(t, 200, "GET", "/api/v1/groups/"+g+"/users", nil, &members)
	if len(members) != 1 || members[0].ID != ids[0] {
		t.Fatalf("members: %+v", members)
	}
	var groups []struct {
		ID      string
		Type    string
		Profile map[string]string
	}
	o.must(t, 200, "GET", `/api/v1/groups?q=Every`, nil, &groups)
	if len(groups) != 1 || groups[0].Type != "BUILT_IN" {
		t.Fatalf("Everyone: %+v", groups)
	}
	o.must(t, 200, "GET", "/api/v1/groups/"+groups[0].ID+"/users", nil, &members)
	if len(members) != 5 {
		t.Fatalf("Everyone has %d members, want 5", len(members))
	}
	if a := o.do(t, "DELETE", "/api/v1/groups/"+groups[0].ID, nil); a.Status != 403 {
		t.Fatalf("deleting Everyone: %d", a.Status)
	}
	if a := o.do(t, "GET", "/api/v1/groups/00gnothere", nil); a.Status != 404 || a.errorCode(t) != "E0000007" {
		t.Fatalf("unknown group: %d %s", a.Status, a.Body)
	}

	// Lifecycle and delete: a first DELETE deactivates, a second deletes.
	o.must(t, 200, "POST", "/api/v1/users/"+ids[4]+"/lifecycle/deactivate", nil, nil)
	o.must(t, 200, "GET", "/api/v1/users/"+ids[4], nil, &u)
	if u.Status != "DEPROVISIONED" {
		t.Fatalf("status after deactivate: %s", u.Status)
	}
	if a := o.do(t, "POST", "/api/v1/users/"+ids[3]+"/lifecycle/activate", nil); a.Status != 403 || a.errorCode(t) != "E0000016" {
		t.Fatalf("activating an active user: %d %s", a.Status, a.Body)
	}
	o.must(t, 204, "DELETE", "/api/v1/users/"+ids[3], nil, nil)
	o.must(t, 200, "GET", "/api/v1/users/"+ids[3], nil, &u)
	if u.Status != "DEPROVISIONED" {
		t.Fatalf("first delete: status %s", u.Status)
	}
	o.must(t, 204, "DELETE", "/api/v1/users/"+ids[3], nil, nil)
	if a := o.do(t, "GET", "/api/v1/users/"+ids[3], nil); a.Status != 404 {
		t.Fatalf("after second delete: %d", a.Status)
	}
}

func TestConnectionTestCredentials(t *testing.T) {
	o := startOrg(t)
	f := newFakeSCIM(t)
	app := o.createApp(t)

	var conn map[string]any
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/connections/default", nil, &conn)
	if conn["status"] != "DISABLED" || conn["authScheme"] != "TOKEN" {
		t.Fatalf("fresh connection: %v", conn)
	}
	cases := []struct{ name, base, token, want string }{
		{"unreachable", "http://127.0.0.1:1/scim/v2", f.token, "could not reach"},
		{"bad token", f.base(), "wrong", "HTTP 401"},
		{"not SCIM", f.URL + "/elsewhere", f.token, "HTTP 404"},
		{"not a URL", "ftp:/x", f.token, "baseUrl"},
	}
	for _, c := range cases {
		a := o.do(t, "POST", "/api/v1/apps/"+app+"/connections/default?activate=true",
			map[string]any{"baseUrl": c.base, "profile": map[string]string{"authScheme": "TOKEN", "token": c.token}})
		if a.Status != 400 || a.errorCode(t) != "E0000001" || !strings.Contains(string(a.Body), c.want) {
			t.Errorf("%s: %d %s", c.name, a.Status, a.Body)
		}
		if strings.Contains(string(a.Body), f.token) {
			t.Errorf("%s: the answer contains the token", c.name)
		}
	}
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/connections/default", nil, &conn)
	if conn["status"] != "DISABLED" || conn["baseUrl"] != nil {
		t.Fatalf("a failed test saved the connection: %v", conn)
	}
	a := o.must(t, 200, "POST", "/api/v1/apps/"+app+"/connections/default?activate=true",
		map[string]any{"baseUrl": f.base() + "/", "profile": map[string]string{"authScheme": "TOKEN", "token": f.token}}, &conn)
	if conn["status"] != "ENABLED" || conn["baseUrl"] != f.base() || strings.Contains(string(a.Body), f.token) {
		t.Fatalf("saved connection: %s", a.Body)
	}
	f.mu.Lock()
	f.token = "rotated"
	f.mu.Unlock()
	if a := o.do(t, "POST", "/api/v1/apps/"+app+"/connections/default/lifecycle/activate", nil); a.Status != 400 {
		t.Fatalf("activate with a revoked token: %d %s", a.Status, a.Body)
	}
	o.must(t, 204, "POST", "/api/v1/apps/"+app+"/connections/default/lifecycle/deactivate", nil, nil)
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/connections/default", nil, &conn)
	if conn["status"] != "DISABLED" {
		t.Fatalf("after deactivate: %v", conn)
	}
	evs := o.logs(t, `eventType eq "application.provision.connection.test"`)
	if len(evs) != 5 {
		t.Fatalf("%d connection test events, want 5 (4 reached the test)", len(evs))
	}
	if evs[0].Outcome.Result != "FAILURE" || evs[0].Outcome.Reason == nil || evs[3].Outcome.Result != "SUCCESS" {
		t.Fatalf("connection test outcomes: %+v", evs)
	}

	// An app this face cannot provision answers as Okta does for OIN apps.
	var other struct{ ID string }
	o.must(t, 200, "POST", "/api/v1/apps", map[string]any{"name": "bookmark", "label": "Intranet", "signOnMode": "BOOKMARK"}, &other)
	o.must(t, 200, "GET", "/api/v1/apps/"+other.ID+"/connections/default", nil, &conn)
	if conn["status"] != "UNKNOWN" || conn["authScheme"] != "UNKNOWN" {
		t.Fatalf("unprovisionable app: %v", conn)
	}
}

func TestFeaturesValidation(t *testing.T) {
	o := startOrg(t)
	app := o.createApp(t)
	for _, body := range []map[string]any{
		{"create": map[string]any{"lifecycleCreate": map[string]string{"status": "ON"}}},
		{"update": map[string]any{"password": map[string]string{"status": "ENABLED"}}},
	} {
		if a := o.do(t, "PUT", "/api/v1/apps/"+app+"/features/USER_PROVISIONING", body); a.Status != 400 || a.errorCode(t) != "E0000001" {
			t.Errorf("%v: %d %s", body, a.Status, a.Body)
		}
	}
	var f struct {
		Capabilities struct {
			Create struct{ LifecycleCreate struct{ Status string } }
			Update struct{ Profile, LifecycleDeactivate struct{ Status string } }
		}
	}
	o.must(t, 200, "PUT", "/api/v1/apps/"+app+"/features/USER_PROVISIONING", map[string]any{
		"capabilities": map[string]any{"update": map[string]any{"profile": map[string]string{"status": "ENABLED"}}}}, &f)
	if f.Capabilities.Update.Profile.Status != "ENABLED" || f.Capabilities.Create.LifecycleCreate.Status != "DISABLED" {
		t.Fatalf("partial update of capabilities: %+v", f)
	}
	if a := o.do(t, "GET", "/api/v1/apps/"+app+"/features/PUSH_PASSWORDS", nil); a.Status != 404 {
		t.Fatalf("unknown feature: %d", a.Status)
	}
	if a := o.do(t, "PUT", "/api/v1/apps/"+app+"/groups/00gnothere", map[string]any{}); a.Status != 404 {
		t.Fatalf("assigning an unknown group: %d", a.Status)
	}
	g := o.createGroup(t, "Sales")
	if a := o.do(t, "PUT", "/api/v1/apps/"+app+"/groups/"+g, map[string]any{"profile": map[string]string{"userType": "Boss"}}); a.Status != 400 {
		t.Fatalf("unknown user type: %d %s", a.Status, a.Body)
	}
}

func TestInvalidUTF8BodyRefused(t *testing.T) {
	o := startOrg(t)
	// 0xC5 0x7F is not UTF-8; decoded leniently it would be stored as U+FFFD.
	a := o.do(t, "POST", "/api/v1/users", "{\"profile\":{\"login\":\"k\xc5\x7fss@acme.example.com\",\"email\":\"kiss@acme.example.com\",\"firstName\":\"K\",\"lastName\":\"S\"}}")
	if a.Status != 400 || a.errorCode(t) != "E0000003" || !strings.Contains(string(a.Body), "not valid UTF-8") {
		t.Fatalf("invalid UTF-8: %d %s", a.Status, a.Body)
	}
	var users []map[string]any
	o.must(t, 200, "GET", "/api/v1/users", nil, &users)
	if len(users) != 0 {
		t.Fatalf("a user was created from an invalid body: %v", users)
	}
}
