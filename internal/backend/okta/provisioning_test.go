package okta_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// These tests drive the Okta face over HTTP and check the outcome in the
// real Wrike face, both served by one backend.

type org struct {
	t     testing.TB
	env   *backendtest.Env
	scim  backendtest.SCIM
	appID string
}

func fast(c *okta.Config) {
	c.RetryBackoff = 20 * time.Millisecond
	c.RateLimit = 1_000_000
	if w := os.Getenv("OKTA_BENCH_WORKERS"); w != "" {
		c.Workers, _ = strconv.Atoi(w)
	}
}

func newOrg(t testing.TB, opts ...backendtest.Option) *org {
	t.Helper()
	env := backendtest.Start(t, append([]backendtest.Option{backendtest.WithOkta(fast)}, opts...)...)
	o := &org{t: t, env: env}
	o.scim = env.SetupSCIM(t, "okta", "acme.example.com")
	var app struct{ ID string }
	o.call(http.StatusOK, "POST", "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &app)
	o.appID = app.ID
	return o
}

// newConnectedOrg is newOrg with the app provisioning into the Wrike face,
// the three toggles on.
func newConnectedOrg(t testing.TB) *org {
	t.Helper()
	o := newOrg(t)
	o.connect(o.scim.BaseURL, true, true, true)
	return o
}

// reply is an answer as request got it: status 0 and the error in raw when
// no answer came.
type reply struct {
	status int
	raw    string
}

// request makes one JSON request with the given Authorization header (none
// when auth is empty). It never fails the test, so goroutines may use it.
func request(method, url, auth string, body any) reply {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{raw: err.Error()}
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{raw: err.Error()}
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, raw: string(raw)}
}

// call makes an Okta API call with the org's token and fails the test
// unless it answers want; out, when set, receives the decoded body.
func (o *org) call(want int, method, path string, body, out any) []byte {
	o.t.Helper()
	a := request(method, o.env.OktaURL+path, "SSWS "+o.env.OktaAPIToken, body)
	if a.status != want {
		o.t.Fatalf("%s %s: %d, want %d: %s", method, path, a.status, want, a.raw)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(a.raw), out); err != nil {
			o.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return []byte(a.raw)
}

func toggle(b bool) map[string]string {
	if b {
		return map[string]string{"status": "ENABLED"}
	}
	return map[string]string{"status": "DISABLED"}
}

func (o *org) connect(baseURL string, create, update, deactivate bool) {
	o.t.Helper()
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/connections/default?activate=true",
		map[string]any{"baseUrl": baseURL, "profile": map[string]string{"authScheme": "TOKEN", "token": o.scim.Token}}, nil)
	o.toggles(create, update, deactivate)
}

func (o *org) toggles(create, update, deactivate bool) {
	o.t.Helper()
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/features/USER_PROVISIONING", map[string]any{
		"create": map[string]any{"lifecycleCreate": toggle(create)},
		"update": map[string]any{"profile": toggle(update), "lifecycleDeactivate": toggle(deactivate)},
	}, nil)
}

func person(login string) map[string]string {
	name, _, _ := strings.Cut(login, "@")
	return map[string]string{"login": login, "email": login, "firstName": strings.ToUpper(name[:1]) + name[1:], "lastName": "Example",
		"title": "Engineer", "primaryPhone": "+1 555 0100", "organization": "Acme Corp", "department": "R&D"}
}

// withTitle is profile with its title set.
func withTitle(profile map[string]string, title string) map[string]string {
	profile["title"] = title
	return profile
}

func (o *org) user(profile map[string]string) string {
	o.t.Helper()
	var u struct{ ID string }
	o.call(200, "POST", "/api/v1/users?activate=true", map[string]any{"profile": profile}, &u)
	return u.ID
}

func (o *org) group(name string, members ...string) string {
	o.t.Helper()
	var g struct{ ID string }
	o.call(200, "POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": name}}, &g)
	for _, m := range members {
		o.call(204, "PUT", "/api/v1/groups/"+g.ID+"/users/"+m, nil, nil)
	}
	return g.ID
}

// wait waits over HTTP, as the demo does, and returns the failed count.
func (o *org) wait() int {
	o.t.Helper()
	var out struct{ Pending, Failed int }
	o.call(200, "GET", "/api/v1/_backend/provisioning/wait?timeout=60s", nil, &out)
	return out.Failed
}

type wrikeUser struct {
	ID, UserName, FirstName, LastName, Email, Title, Phone, Organization, Department, UserType string
	Active, Billable                                                                           bool
}

func (o *org) wrikeUsers() map[string]wrikeUser {
	o.t.Helper()
	var out struct{ Data []wrikeUser }
	o.env.Admin(o.t, "GET", "/users", nil, &out)
	m := map[string]wrikeUser{}
	for _, u := range out.Data {
		m[strings.ToLower(u.UserName)] = u
	}
	return m
}

type event struct {
	EventType string
	Outcome   struct {
		Result string
		Reason string
	}
	Target []struct{ ID, Type string }
}

func (o *org) events(filter string) []event {
	o.t.Helper()
	var out []event
	o.call(200, "GET", "/api/v1/logs?limit=1000&filter="+url.QueryEscape(filter), nil, &out)
	return out
}

func TestProvisioningIntoWrike(t *testing.T) {
	o := newConnectedOrg(t)
	ann := o.user(person("ann@acme.example.com"))
	bob := o.user(person("bob@acme.example.com"))
	noTitle := person("cid@acme.example.com")
	delete(noTitle, "title")
	cid := o.user(noTitle)
	eve := o.user(person("eve@partner.example.net"))
	eng := o.group("Engineering", ann, bob, cid, eve)
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+eng, map[string]any{"profile": map[string]string{"userType": "External"}}, nil)
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": bob, "scope": "USER", "profile": map[string]string{"userType": "Collaborator"}}, nil)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d, want 1 (the partner user)", failed)
	}

	users := o.wrikeUsers()
	got := users["ann@acme.example.com"]
	want := wrikeUser{ID: got.ID, UserName: "ann@acme.example.com", FirstName: "Ann", LastName: "Example", Email: "ann@acme.example.com",
		Title: "Engineer", Phone: "+1 555 0100", Organization: "Acme Corp", Department: "R&D", UserType: "External", Active: true, Billable: true}
	if got != want {
		t.Fatalf("ann in Wrike:\n got %+v\nwant %+v", got, want)
	}
	if users["bob@acme.example.com"].UserType != "Collaborator" {
		t.Fatalf("bob's user type %q, want the direct assignment's Collaborator", users["bob@acme.example.com"].UserType)
	}
	if _, ok := users["eve@partner.example.net"]; ok || len(users) != 3 {
		t.Fatalf("Wrike users: %v", users)
	}
	var au struct{ ExternalID, Status, SyncState string }
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/users/"+ann, nil, &au)
	if au.ExternalID != got.ID || au.Status != "PROVISIONED" || au.SyncState != "SYNCHRONIZED" {
		t.Fatalf("ann's app user: %+v (Wrike id %s)", au, got.ID)
	}
	fails := o.events(`eventType eq "application.provision.user.push" and outcome.result eq "FAILURE"`)
	if len(fails) != 1 || fails[0].Target[0].ID != eve || !strings.Contains(fails[0].Outcome.Reason, `"partner.example.net"`) ||
		!strings.Contains(fails[0].Outcome.Reason, "not an approved domain") {
		t.Fatalf("failure events: %+v", fails)
	}

	// A profile change is synced; an attribute Okta does not send (cid has
	// no title in Okta) keeps the value Wrike holds.
	cidID := users["cid@acme.example.com"].ID
	patch := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Set in Wrike"}}}
	b, _ := json.Marshal(patch)
	req, _ := http.NewRequest(http.MethodPatch, o.scim.BaseURL+"/Users/"+cidID, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+o.scim.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH in Wrike: %v %v", err, resp)
	}
	_ = resp.Body.Close()
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Staff Engineer", "department": "Platform"}}, nil)
	o.call(200, "POST", "/api/v1/users/"+cid, map[string]any{"profile": map[string]string{"department": "Platform"}}, nil)
	o.wait()
	users = o.wrikeUsers()
	if u := users["ann@acme.example.com"]; u.Title != "Staff Engineer" || u.Department != "Platform" {
		t.Fatalf("ann after the profile change: %+v", u)
	}
	if u := users["cid@acme.example.com"]; u.Title != "Set in Wrike" || u.Department != "Platform" {
		t.Fatalf("cid after the profile change: %+v", u)
	}
	if n := len(o.events(`eventType eq "application.provision.user.push_profile" and outcome.result eq "SUCCESS"`)); n < 2 {
		t.Fatalf("%d push_profile events", n)
	}

	// Deactivation in Okta deactivates in Wrike (kept, not billable);
	// activation reactivates.
	o.call(200, "POST", "/api/v1/users/"+ann+"/lifecycle/deactivate", nil, nil)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; u.Active || u.Billable || u.ID != got.ID {
		t.Fatalf("ann after deactivation: %+v", u)
	}
	o.call(200, "POST", "/api/v1/users/"+ann+"/lifecycle/activate", nil, nil)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; !u.Active || u.ID != got.ID {
		t.Fatalf("ann after activation: %+v", u)
	}
	// Unassignment deactivates; reassignment reactivates the same account.
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+eng, nil, nil)
	o.wait()
	for login, u := range o.wrikeUsers() {
		if login != "bob@acme.example.com" && u.Active {
			t.Fatalf("%s still active after the group was unassigned", login)
		}
	}
	if !o.wrikeUsers()["bob@acme.example.com"].Active {
		t.Fatal("bob, assigned directly too, was deactivated")
	}
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+eng, map[string]any{}, nil)
	o.wait()
	users = o.wrikeUsers()
	if len(users) != 3 || !users["ann@acme.example.com"].Active || users["ann@acme.example.com"].ID != got.ID {
		t.Fatalf("after reassignment: %+v", users)
	}
	if n := len(o.events(`eventType eq "application.provision.user.reactivate" and outcome.result eq "SUCCESS"`)); n < 3 {
		t.Fatalf("%d reactivate events, want at least 3", n)
	}
}

func TestTogglesAgainstWrike(t *testing.T) {
	o := newOrg(t)
	o.connect(o.scim.BaseURL, false, false, false)
	ann := o.user(person("ann@acme.example.com"))
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": ann}, nil)
	o.wait()
	if len(o.wrikeUsers()) != 0 {
		t.Fatal("a user was created with Create users disabled")
	}
	o.toggles(true, false, false)
	o.wait()
	if u, ok := o.wrikeUsers()["ann@acme.example.com"]; !ok || !u.Active {
		t.Fatal("enabling Create users did not provision the assigned user")
	}
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Lead"}}, nil)
	o.wait()
	if o.wrikeUsers()["ann@acme.example.com"].Title != "Engineer" {
		t.Fatal("a profile change was pushed with Update user attributes disabled")
	}
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+ann, nil, nil)
	o.wait()
	if !o.wrikeUsers()["ann@acme.example.com"].Active {
		t.Fatal("a user was deactivated with Deactivate users disabled")
	}
	o.toggles(true, true, true)
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": ann}, nil)
	o.wait()
	if o.wrikeUsers()["ann@acme.example.com"].Title != "Lead" {
		t.Fatal("the profile was not pushed once Update user attributes was enabled")
	}
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+ann, nil, nil)
	o.wait()
	if o.wrikeUsers()["ann@acme.example.com"].Active {
		t.Fatal("not deactivated with Deactivate users enabled")
	}
}

// outage wraps the Wrike face: while down, every request answers 503.
type outage struct {
	env  *backendtest.Env
	down atomic.Bool
	hits atomic.Int64
	// upAfter, when set, ends the outage with that many refused requests.
	upAfter atomic.Int64
	// refused announces refused requests (the first 1024).
	refused chan struct{}
	srv     *httptest.Server
	mu      sync.Mutex
	calls   []string
}

func newOutage(t testing.TB, env *backendtest.Env) *outage {
	w := &outage{env: env, refused: make(chan struct{}, 1024)}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.calls = append(w.calls, r.Method)
		w.mu.Unlock()
		if w.down.Load() {
			if n := w.hits.Add(1); n >= w.upAfter.Load() && w.upAfter.Load() > 0 {
				w.down.Store(false)
			}
			select {
			case w.refused <- struct{}{}:
			default:
			}
			rw.Header().Set("Content-Type", "application/scim+json")
			rw.WriteHeader(http.StatusServiceUnavailable)
			_, _ = rw.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503","detail":"Wrike is under maintenance"}`))
			return
		}
		w.env.Backend.Wrike.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// baseURL is the SCIM base URL through the wrapper.
func (w *outage) baseURL(scimBase string) string {
	u, _ := url.Parse(scimBase)
	return w.srv.URL + u.Path
}

func TestRetriesAfterWrikeOutage(t *testing.T) {
	o := newOrg(t)
	w := newOutage(t, o.env)
	w.upAfter.Store(6)
	o.connect(w.baseURL(o.scim.BaseURL), true, true, true)
	w.down.Store(true)
	var ids []string
	for _, n := range []string{"ann", "bob", "cid"} {
		ids = append(ids, o.user(person(n+"@acme.example.com")))
	}
	g := o.group("Engineering", ids...)
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g, map[string]any{}, nil)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d after a short outage", failed)
	}
	if n := len(o.wrikeUsers()); n != 3 {
		t.Fatalf("%d users in Wrike after the outage, want 3", n)
	}
	fails := o.events(`eventType eq "application.provision.user.push" and outcome.result eq "FAILURE"`)
	if len(fails) < 3 || fails[0].Outcome.Reason != "Wrike is under maintenance" {
		t.Fatalf("failed attempts: %+v", fails)
	}
}

func TestTasksSurviveARestart(t *testing.T) {
	o := newOrg(t, backendtest.WithOkta(func(c *okta.Config) {
		fast(c)
		c.RetryBackoff = 300 * time.Millisecond
	}))
	w := newOutage(t, o.env)
	o.connect(w.baseURL(o.scim.BaseURL), true, true, true)
	var ids []string
	for _, n := range []string{"ann", "bob", "cid", "dee", "eve"} {
		ids = append(ids, o.user(person(n+"@acme.example.com")))
	}
	g := o.group("Engineering", ids...)
	w.down.Store(true)
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g, map[string]any{}, nil)
	reliabilitytest.Receive(t, w.refused, 5, 10*time.Second, "requests refused")
	// Every user has a failed attempt and a retry pending: stop the process.
	o.env.Restart(t)
	w.down.Store(false)
	if pending := o.env.Backend.Okta.Engine().Pending(); pending != 5 {
		t.Fatalf("%d tasks resumed after the restart, want 5", pending)
	}
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	users := o.wrikeUsers()
	if len(users) != 5 {
		t.Fatalf("%d users in Wrike, want 5", len(users))
	}
	w.mu.Lock()
	posts := 0
	for _, m := range w.calls {
		if m == "POST" {
			posts++
		}
	}
	w.mu.Unlock()
	// The outage refused the first lookups; after the restart each user is
	// created exactly once.
	if posts != 5 {
		t.Fatalf("%d POSTs reached Wrike, want 5", posts)
	}
}
