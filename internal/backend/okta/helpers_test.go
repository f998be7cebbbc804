package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
)

// testOrg is an Okta face on a fresh store, served on 127.0.0.1.
type testOrg struct {
	URL, Token string
	Server     *Server
	DB         *store.DB
	Dir        string
	http       *httptest.Server
	cfg        Config
}

func startOrg(t *testing.T, mod ...func(*Config)) *testOrg {
	t.Helper()
	o := &testOrg{Dir: t.TempDir()}
	o.cfg = Config{RetryBackoff: 10 * time.Millisecond, CallTimeout: 2 * time.Second, Workers: 4}
	for _, m := range mod {
		m(&o.cfg)
	}
	o.open(t)
	tok, err := o.Server.CreateAPIToken(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	o.Token = tok
	t.Cleanup(o.close)
	return o
}

// startConnected is an org whose Wrike app provisions into a fake SCIM
// service approving acme.example.com, with the three toggles on.
func startConnected(t *testing.T, mod ...func(*Config)) (o *testOrg, f *fakeSCIM, appID string) {
	t.Helper()
	o = startOrg(t, mod...)
	f = newFakeSCIM(t)
	appID = o.createApp(t)
	o.enableProvisioning(t, appID, f.base(), f.token, true, true, true)
	return o, f, appID
}

func (o *testOrg) open(t *testing.T) {
	t.Helper()
	db, err := store.Open(context.Background(), o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := o.cfg
	cfg.Store = store.NewOktaStore(db)
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	o.DB, o.Server = db, srv
	o.http = httptest.NewServer(srv)
	o.URL = o.http.URL
}

func (o *testOrg) close() {
	if o.http == nil {
		return
	}
	o.http.Close()
	_ = o.Server.Close()
	_ = o.DB.Close()
	o.http = nil
}

// restart closes the face and its store and opens them again on the same
// data directory, as a process restart would.
func (o *testOrg) restart(t *testing.T, mod ...func(*Config)) {
	t.Helper()
	o.close()
	for _, m := range mod {
		m(&o.cfg)
	}
	o.open(t)
}

type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.Body, v); err != nil {
		t.Fatalf("decode %s: %v", a.Body, err)
	}
}

func (a answer) errorCode(t *testing.T) string {
	t.Helper()
	var e apiError
	a.decode(t, &e)
	return e.ErrorCode
}

func (o *testOrg) do(t *testing.T, method, path string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, o.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+o.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// must calls the API and fails the test unless the status is want.
func (o *testOrg) must(t *testing.T, want int, method, path string, body, out any) answer {
	t.Helper()
	a := o.do(t, method, path, body)
	if a.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.Status, want, a.Body)
	}
	if out != nil {
		a.decode(t, out)
	}
	return a
}

func (o *testOrg) createUser(t *testing.T, profile map[string]string) string {
	t.Helper()
	var u struct{ ID string }
	o.must(t, 200, "POST", "/api/v1/users?activate=true", map[string]any{"profile": profile}, &u)
	return u.ID
}

func (o *testOrg) createGroup(t *testing.T, name string) string {
	t.Helper()
	var g struct{ ID string }
	o.must(t, 200, "POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": name}}, &g)
	return g.ID
}

func (o *testOrg) createApp(t *testing.T) string {
	t.Helper()
	var a struct{ ID string }
	o.must(t, 200, "POST", "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &a)
	return a.ID
}

// enableProvisioning saves and activates the connection and sets the three
// toggles.
func (o *testOrg) enableProvisioning(t *testing.T, appID, baseURL, token string, create, update, deactivate bool) {
	t.Helper()
	o.must(t, 200, "POST", "/api/v1/apps/"+appID+"/connections/default?activate=true",
		map[string]any{"baseUrl": baseURL, "profile": map[string]string{"authScheme": "TOKEN", "token": token}}, nil)
	o.setToggles(t, appID, create, update, deactivate)
}

func (o *testOrg) setToggles(t *testing.T, appID string, create, update, deactivate bool) {
	t.Helper()
	st := func(b bool) map[string]string {
		if b {
			return map[string]string{"status": "ENABLED"}
		}
		return map[string]string{"status": "DISABLED"}
	}
	o.must(t, 200, "PUT", "/api/v1/apps/"+appID+"/features/USER_PROVISIONING", map[string]any{
		"create": map[string]any{"lifecycleCreate": st(create)},
		"update": map[string]any{"profile": st(update), "lifecycleDeactivate": st(deactivate)},
	}, nil)
}

func (o *testOrg) wait(t *testing.T) (pending, failed int) {
	t.Helper()
	var out struct{ Pending, Failed int }
	o.must(t, 200, "GET", "/api/v1/_backend/provisioning/wait?timeout=20s", nil, &out)
	return out.Pending, out.Failed
}

// provisioningTask is an entry of the tasks API.
type provisioningTask struct {
	ID, AppID, UserID, Login, Operation, Status string
	Attempts                                    int
	LastError                                   *string
	FirstAttemptAt, LastAttemptAt               *string
	NextAttemptAt                               *string
}

// tasks lists an app's provisioning tasks with the given status (all
// not completed when empty), following the next links.
func (o *testOrg) tasks(t *testing.T, appID, status string) []provisioningTask {
	t.Helper()
	var all []provisioningTask
	path := "/api/v1/apps/" + appID + "/provisioning/tasks?limit=2&status=" + status
	for path != "" {
		var page []provisioningTask
		a := o.must(t, 200, "GET", path, nil, &page)
		all = append(all, page...)
		path = nextLink(a.Header)
	}
	return all
}

// nextLink is the path and query of a page's Link rel="next", or "".
func nextLink(h http.Header) string {
	for _, l := range h.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			u, _ := url.Parse(strings.Trim(strings.Split(l, ";")[0], "<>"))
			return u.RequestURI()
		}
	}
	return ""
}

type logEvent struct {
	EventType string `json:"eventType"`
	Outcome   struct {
		Result string  `json:"result"`
		Reason *string `json:"reason"`
	} `json:"outcome"`
	Actor  struct{ ID, Type string } `json:"actor"`
	Target []struct {
		ID, Type, AlternateID string
	} `json:"target"`
	DebugContext struct {
		DebugData map[string]string `json:"debugData"`
	} `json:"debugContext"`
}

func (o *testOrg) logs(t *testing.T, filter string) []logEvent {
	t.Helper()
	var out []logEvent
	o.must(t, 200, "GET", "/api/v1/logs?limit=1000&filter="+url.QueryEscape(filter), nil, &out)
	return out
}

// fakeSCIM is a small SCIM service provider for engine tests: users in
// memory, an approved email domain, a bearer token, injectable failures.
type fakeSCIM struct {
	*httptest.Server
	token, domain string

	mu       sync.Mutex
	users    map[string]map[string]any
	requests []string
	// fail503 answers that many next requests with 503.
	fail503 int
	// hold blocks requests while not nil, until it is closed; each request
	// it blocks is first announced on held.
	hold chan struct{}
	held chan struct{}
	// delay slows every answer; garbage answers lookups with a 200 that is
	// not SCIM.
	delay   time.Duration
	garbage bool
	nextID  int
	// staleLookups answers that many next userName lookups with no match,
	// as a lookup racing another client's create would.
	staleLookups int
}

func newFakeSCIM(t *testing.T) *fakeSCIM {
	f := &fakeSCIM{token: "scim-token", domain: "acme.example.com", users: map[string]map[string]any{}, held: make(chan struct{}, 1024)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSCIM) base() string { return f.URL + "/scim/v2" }

func scimErr(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{schemaError}, "status": itoa(status), "scimType": scimType, "detail": detail})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func (f *fakeSCIM) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	hold, delay := f.hold, f.delay
	f.mu.Unlock()
	if hold != nil {
		f.held <- struct{}{}
		<-hold
	}
	time.Sleep(delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/scim/v2"))
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		scimErr(w, 401, "", "invalid token")
		return
	}
	if f.fail503 > 0 {
		f.fail503--
		scimErr(w, 503, "", "Wrike is down for maintenance")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/scim/v2")
	var body map[string]any
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	switch {
	case f.garbage && r.Method == http.MethodGet && path == "/Users" && r.URL.Query().Get("filter") != "":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>maintenance page</html>"))
	case r.Method == http.MethodGet && path == "/Users":
		var res []any
		if flt := r.URL.Query().Get("filter"); flt != "" && f.staleLookups > 0 {
			f.staleLookups--
		} else if flt != "" {
			want := strings.TrimSuffix(strings.TrimPrefix(flt, `userName eq "`), `"`)
			for _, u := range f.users {
				if strings.EqualFold(u["userName"].(string), want) {
					res = append(res, u)
				}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{schemaList}, "totalResults": len(res), "Resources": res, "startIndex": 1, "itemsPerPage": len(res)})
	case r.Method == http.MethodPost && path == "/Users":
		email := body["emails"].([]any)[0].(map[string]any)["value"].(string)
		if !strings.HasSuffix(email, "@"+f.domain) {
			scimErr(w, 400, "invalidValue", "The email domain of "+email+" is not an approved domain")
			return
		}
		for _, u := range f.users {
			if strings.EqualFold(u["userName"].(string), body["userName"].(string)) {
				scimErr(w, 409, "uniqueness", "userName is already taken")
				return
			}
		}
		f.nextID++
		id := "w" + itoa(f.nextID)
		body["id"] = id
		f.users[id] = body
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(body)
	case strings.HasPrefix(path, "/Users/"):
		id := strings.TrimPrefix(path, "/Users/")
		u, ok := f.users[id]
		if !ok {
			scimErr(w, 404, "", "no user "+id)
			return
		}
		switch r.Method {
		case http.MethodGet:
			_ = json.NewEncoder(w).Encode(u)
		case http.MethodPut:
			for k, v := range body {
				u[k] = v
			}
			_ = json.NewEncoder(w).Encode(u)
		case http.MethodPatch:
			for _, op := range body["Operations"].([]any) {
				for k, v := range op.(map[string]any)["value"].(map[string]any) {
					u[k] = v
				}
			}
			_ = json.NewEncoder(w).Encode(u)
		}
	default:
		scimErr(w, 404, "", "no such endpoint")
	}
}

func (f *fakeSCIM) byUserName(name string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u["userName"] == name {
			return u
		}
	}
	return nil
}

func (f *fakeSCIM) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasPrefix(r, method+" ") {
			n++
		}
	}
	return n
}
