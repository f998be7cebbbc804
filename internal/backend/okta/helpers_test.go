package okta_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
	"github.com/wrike-community/terraform-provider-wrike/internal/httpheader"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// The tests drive the Okta face over HTTP, as Okta's clients do, and check
// the outcome in the real Wrike face: both served by one backend, the
// engine reaching Wrike's SCIM service through a link the test controls.

// org is an Okta org on a running backend whose Wrike account has approved
// acme.example.com and enabled its Okta SCIM integration.
type org struct {
	t   testing.TB
	env *backendtest.Env
	// scim is the Wrike SCIM integration; scim.Token is its bearer token.
	scim backendtest.SCIM
	// link stands between the engine and Wrike; scimURL is Wrike's SCIM
	// base through it, the one the app's connection is saved with.
	link    *link
	scimURL string
	// appID is the Wrike app instance (empty for newEmptyOrg).
	appID string
}

// fast is the engine configuration of the tests: retries within
// milliseconds, no rate limit in the way.
func fast(c *okta.Config) {
	c.RetryBackoff = 20 * time.Millisecond
	c.RateLimit = 1_000_000
	if w := os.Getenv("OKTA_BENCH_WORKERS"); w != "" {
		c.Workers, _ = strconv.Atoi(w)
	}
}

// withOkta changes the Okta face's configuration on top of fast (a bare
// backendtest.WithOkta would replace it).
func withOkta(mod func(*okta.Config)) backendtest.Option {
	return backendtest.WithOkta(func(c *okta.Config) {
		fast(c)
		mod(c)
	})
}

// newEmptyOrg is an org with no app.
func newEmptyOrg(t testing.TB, opts ...backendtest.Option) *org {
	t.Helper()
	env := backendtest.Start(t, append([]backendtest.Option{backendtest.WithOkta(fast)}, opts...)...)
	o := &org{t: t, env: env}
	o.scim = env.SetupSCIM(t, "okta", "acme.example.com")
	o.link = newLink(t, env)
	u, err := url.Parse(o.scim.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	o.scimURL = o.link.srv.URL + u.Path
	return o
}

// newOrg is an org with the Wrike app, not connected yet.
func newOrg(t testing.TB, opts ...backendtest.Option) *org {
	t.Helper()
	o := newEmptyOrg(t, opts...)
	var app struct{ ID string }
	o.call(200, "POST", "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &app)
	o.appID = app.ID
	return o
}

// newConnectedOrg is an org whose app provisions into Wrike, the three
// toggles on.
func newConnectedOrg(t testing.TB, opts ...backendtest.Option) *org {
	t.Helper()
	o := newOrg(t, opts...)
	o.connect(true, true, true)
	return o
}

// newClockedOrg is an org whose engine retries on clk with the default
// policy (1 s doubling, 15 min cap, 24 h horizon): hours of outage take no
// real time.
func newClockedOrg(t *testing.T, clk *clock.Fake) *org {
	return newOrg(t, backendtest.WithClock(clk.Now), withOkta(func(c *okta.Config) {
		c.RetryBackoff = 0 // the default
		c.AfterFunc = clk.AfterFunc
	}))
}

// restart restarts the backend on its data, as a process restart would;
// the link then leads to the new Wrike face.
func (o *org) restart() {
	o.t.Helper()
	o.env.Restart(o.t)
	o.link.setTarget(o.env.Backend.Wrike)
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

// request makes one request with the given Authorization header (none when
// auth is empty) and a JSON body (a string is sent as it is). Like
// backendtest.Send, it never fails the test, so goroutines may use it.
func request(method, url, auth string, body any) backendtest.Answer {
	return backendtest.Send(client, method, url, body, "Authorization", auth, "Content-Type", "application/json")
}

// do makes an Okta API call with the org's token, whatever it answers.
func (o *org) do(method, path string, body any) backendtest.Answer {
	return request(method, o.env.OktaURL+path, "SSWS "+o.env.OktaAPIToken, body)
}

// call makes an Okta API call with the org's token and fails the test
// unless it answers want; out, when set, receives the decoded body.
func (o *org) call(want int, method, path string, body, out any) backendtest.Answer {
	o.t.Helper()
	return o.do(method, path, body).WantInto(o.t, want, out)
}

// nextLink is the path and query of a page's Link rel="next", or "".
func nextLink(h http.Header) string {
	next := httpheader.NextLink(h)
	if next == "" {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil {
		return ""
	}
	return u.RequestURI()
}

func toggle(b bool) map[string]string {
	if b {
		return map[string]string{"status": "ENABLED"}
	}
	return map[string]string{"status": "DISABLED"}
}

// saveConnection saves and activates the app's connection, which tests it.
func (o *org) saveConnection(baseURL, token string) {
	o.t.Helper()
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/connections/default?activate=true",
		map[string]any{"baseUrl": baseURL, "profile": map[string]string{"authScheme": "TOKEN", "token": token}}, nil)
}

// connect connects the app to Wrike through the link and sets the toggles.
func (o *org) connect(create, update, deactivate bool) {
	o.t.Helper()
	o.saveConnection(o.scimURL, o.scim.Token)
	o.toggles(create, update, deactivate)
}

func (o *org) toggles(create, update, deactivate bool) {
	o.t.Helper()
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/features/USER_PROVISIONING", map[string]any{
		"create": map[string]any{"lifecycleCreate": toggle(create)},
		"update": map[string]any{"profile": toggle(update), "lifecycleDeactivate": toggle(deactivate)},
	}, nil)
}

// person is the profile of login with the eight attributes that map to Wrike.
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

// user creates an active Okta user and returns its id.
func (o *org) user(profile map[string]string) string {
	o.t.Helper()
	var u struct{ ID string }
	o.call(200, "POST", "/api/v1/users?activate=true", map[string]any{"profile": profile}, &u)
	return u.ID
}

// group creates a group with the given members and returns its id.
func (o *org) group(name string, members ...string) string {
	o.t.Helper()
	var g struct{ ID string }
	o.call(200, "POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": name}}, &g)
	for _, m := range members {
		o.call(204, "PUT", "/api/v1/groups/"+g.ID+"/users/"+m, nil, nil)
	}
	return g.ID
}

// assignUser assigns a user to the app directly.
func (o *org) assignUser(id string) {
	o.t.Helper()
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": id}, nil)
}

// unassignUser removes a user's direct assignment.
func (o *org) unassignUser(id string) {
	o.t.Helper()
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+id, nil, nil)
}

// assignGroup assigns a group to the app with the given assignment body.
func (o *org) assignGroup(id string, body map[string]any) {
	o.t.Helper()
	o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+id, body, nil)
}

// wait waits over HTTP, as the demo does, until the provisioning queue is
// idle, and returns the failed count.
func (o *org) wait() (failed int) {
	o.t.Helper()
	var out struct{ Pending, Failed int }
	o.call(200, "GET", "/api/v1/_backend/provisioning/wait?timeout=60s", nil, &out)
	if out.Pending != 0 {
		o.t.Fatalf("%d tasks still pending after the wait (%d failed)", out.Pending, out.Failed)
	}
	return out.Failed
}

// drive runs the engine of a clocked org until its queue is idle: whenever
// every queued task waits for its retry time, the clock jumps to the next
// one and then tick runs (nil: nothing). It returns the fake time that
// passed.
func (o *org) drive(clk *clock.Fake, tick func()) time.Duration {
	o.t.Helper()
	start := clk.Now()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		o.settle()
		eng := o.env.Backend.Okta.Engine()
		if eng.Pending() == 0 {
			return clk.Now().Sub(start)
		}
		if !clk.AdvanceToNext() {
			o.t.Fatalf("%d tasks pending, none waiting for a retry", eng.Pending())
		}
		if tick != nil {
			tick()
		}
	}
	o.t.Fatalf("the queue was not idle after 60 s (%d tasks pending)", o.env.Backend.Okta.Engine().Pending())
	return 0
}

// settle waits until every queued task waits for its retry time.
func (o *org) settle() {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := o.env.Backend.Okta.Engine().WaitSettled(ctx); err != nil {
		o.t.Fatalf("the engine did not settle: %v", err)
	}
}

// appUser is an app user as the Okta API shows it.
type appUser struct {
	ID, ExternalID, Scope, Status, SyncState string
}

func (o *org) appUser(id string) appUser {
	o.t.Helper()
	var au appUser
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/users/"+id, nil, &au)
	return au
}

// task is an entry of the provisioning tasks API.
type task struct {
	ID, AppID, UserID, Login, Operation, Status string
	Attempts                                    int
	LastError                                   *string
	FirstAttemptAt, LastAttemptAt               *string
	NextAttemptAt                               *string
}

// tasks lists the app's provisioning tasks with the given status (all not
// completed when empty), two a page, following the next links.
func (o *org) tasks(status string) []task {
	o.t.Helper()
	return allPages[task](o, "/api/v1/apps/"+o.appID+"/provisioning/tasks?limit=2&status="+status, 1000)
}

// allPages reads a listing from path on, following Link rel="next", and
// fails the test when it runs to more than most pages (paging that does not
// end).
func allPages[T any](o *org, path string, most int) []T {
	o.t.Helper()
	var all []T
	for pages := 0; path != ""; pages++ {
		if pages == most {
			o.t.Fatalf("paging does not end: more than %d pages", most)
		}
		var page []T
		r := o.call(200, "GET", path, nil, &page)
		all = append(all, page...)
		path = nextLink(r.Header)
	}
	return all
}

// retryTask retries one provisioning task through the tasks API and
// returns it as the API answered.
func (o *org) retryTask(id string) task {
	o.t.Helper()
	var tk task
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/"+id+"/lifecycle/retry", nil, &tk)
	return tk
}

// event is a System Log event.
type event struct {
	EventType string
	Outcome   struct{ Result, Reason string }
	Actor     struct{ ID, Type string }
	Target    []struct{ ID, Type, AlternateID string }
}

// events are the System Log events matching filter, oldest first.
func (o *org) events(filter string) []event {
	o.t.Helper()
	var out []event
	o.call(200, "GET", "/api/v1/logs?limit=1000&filter="+url.QueryEscape(filter), nil, &out)
	return out
}

type wrikeUser struct {
	ID, UserName, FirstName, LastName, Email, Title, Phone, Organization, Department, UserType string
	Active, Billable                                                                           bool
}

// wrikeUsers are the users of the Wrike account by lower-case userName.
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

// inWrike reports whether the Wrike account has a user of that userName.
func (o *org) inWrike(login string) bool {
	o.t.Helper()
	_, ok := o.wrikeUsers()[login]
	return ok
}

// link carries the engine's SCIM requests to the Wrike face, as the network
// between Okta and Wrike would. It records every request and lets a test
// refuse, hold or answer them itself, as an outage, a slow network or
// another service provider would. It outlives restarts of the backend, so
// a connection saved once stays valid.
type link struct {
	srv *httptest.Server
	// refused announces each refused request and held each held one (the
	// first 1024).
	refused, held chan struct{}

	mu       sync.Mutex
	target   http.Handler
	requests []string // method and path below the SCIM base
	// refuse answers that many next requests 503; refusals counts them.
	refuse, refusals int
	// holds blocks that many next requests until release is closed.
	holds   int
	release chan struct{}
	// answer, when set, decides each request not refused or held: a fault
	// to answer instead of Wrike, or nil to forward it.
	answer func(*http.Request) *reliabilitytest.Fault
}

func newLink(t testing.TB, env *backendtest.Env) *link {
	l := &link{target: env.Backend.Wrike, refused: make(chan struct{}, 1024), held: make(chan struct{}, 1024)}
	l.srv = httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(l.srv.Close)
	return l
}

// unavailable is Wrike's answer during the outage the link plays.
var unavailable = reliabilitytest.Fault{Status: http.StatusServiceUnavailable,
	Header: http.Header{"Content-Type": {"application/scim+json"}},
	Body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503","detail":"Wrike is under maintenance"}`}

func (l *link) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.requests = append(l.requests, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/scim/okta/v2"))
	var f *reliabilitytest.Fault
	var hold chan struct{}
	switch {
	case l.holds > 0:
		l.holds--
		hold = l.release
	case l.refuse > 0:
		l.refuse--
		l.refusals++
		f = &unavailable
	}
	answer, target := l.answer, l.target
	l.mu.Unlock()
	if hold != nil {
		announce(l.held)
		<-hold
	}
	if f != nil {
		announce(l.refused)
	} else if answer != nil {
		f = answer(r)
	}
	if f == dropped {
		// The connection drops with no answer, as a reset would.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	if f != nil {
		f.Write(w)
		return
	}
	// A request held past a restart still reaches Wrike, late, as over a
	// slow network: the engine that sent it has gone.
	target.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
}

// dropped, as an answer's fault, drops the connection instead.
var dropped = &reliabilitytest.Fault{}

// forward serves r by the link's target and returns its answer, for a
// fault that answers after the change was made.
func (l *link) forward(r *http.Request) *httptest.ResponseRecorder {
	l.mu.Lock()
	target := l.target
	l.mu.Unlock()
	rec := httptest.NewRecorder()
	target.ServeHTTP(rec, r)
	return rec
}

func announce(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (l *link) setTarget(h http.Handler) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.target = h
}

// down refuses the next n requests with 503 (an outage); up ends the outage.
func (l *link) down(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refuse = n
}

func (l *link) up() { l.down(0) }

// refusedCount is how many requests the outages refused.
func (l *link) refusedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refusals
}

// hold blocks the next n requests, announcing each on held, until the
// returned release is called (at the end of the test at the latest).
func (l *link) hold(t testing.TB, n int) (release func()) {
	ch := make(chan struct{})
	l.mu.Lock()
	l.holds, l.release = n, ch
	l.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	return release
}

// answerWith makes fn decide the requests from now on (nil: forward all).
func (l *link) answerWith(fn func(*http.Request) *reliabilitytest.Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answer = fn
}

// count is how many requests with the method and path below the SCIM
// base the link has seen; an empty method or path matches any.
func (l *link) count(method, path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.requests {
		m, p, _ := strings.Cut(r, " ")
		if (method == "" || m == method) && (path == "" || p == path) {
			n++
		}
	}
	return n
}
