package oktaclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

const testToken = "00abcdefghijklmnopqrstuvwxyz0123456789ABCD"

func newTestClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{
		OrgURL:       srv.URL,
		APIToken:     testToken,
		UserAgent:    "terraform-provider-wrike/1.2.3",
		RetryMax:     4,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oktaError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	doc := map[string]any{"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oaeTest"}
	var cs []map[string]string
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	doc["errorCauses"] = cs
	writeJSON(w, status, doc)
}

func TestRequestsCarrySSWSTokenAndUserAgent(t *testing.T) {
	var auth, ua string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ua = r.Header.Get("Authorization"), r.Header.Get("User-Agent")
		if r.URL.Path != "/api/v1/apps/0oa1" {
			t.Errorf("path = %q", r.URL.Path)
		}
		writeJSON(w, 200, map[string]any{"id": "0oa1", "name": "wrike", "label": "Wrike", "status": "ACTIVE"})
	}))
	app, err := c.GetApp(context.Background(), "0oa1")
	if err != nil {
		t.Fatal(err)
	}
	if app.Label != "Wrike" || app.Name != "wrike" {
		t.Errorf("app = %+v", app)
	}
	if auth != "SSWS "+testToken {
		t.Errorf("Authorization = %q", auth)
	}
	if ua != "terraform-provider-wrike/1.2.3" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestRetries429UntilRateLimitResets(t *testing.T) {
	var calls atomic.Int32
	var reset time.Time
	var retriedAt time.Time
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			reset = time.Now().Add(time.Second).Truncate(time.Second).Add(time.Second)
			w.Header().Set("X-Rate-Limit-Limit", "100")
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
			oktaError(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
			return
		}
		retriedAt = time.Now()
		writeJSON(w, 200, map[string]any{"authScheme": "TOKEN", "baseUrl": "https://x/scim/okta/v2", "status": "ENABLED"})
	}))
	pc, err := c.GetDefaultConnection(context.Background(), "0oa1")
	if err != nil {
		t.Fatal(err)
	}
	if pc.Status != oktaapi.StatusEnabled || calls.Load() != 2 {
		t.Fatalf("status %q after %d calls", pc.Status, calls.Load())
	}
	if retriedAt.Before(reset) {
		t.Errorf("retried at %v, before the rate limit reset at %v", retriedAt, reset)
	}
}

func TestRetries503ThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, 200, map[string]any{"name": "USER_PROVISIONING", "status": "ENABLED",
			"capabilities": oktaapi.ProvisioningToggles{CreateUsers: true, DeactivateUsers: true}.Capabilities()})
	}))
	f, err := c.GetFeature(context.Background(), "0oa1", oktaapi.FeatureUserProvisioning)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Toggles(); got != (oktaapi.ProvisioningToggles{CreateUsers: true, DeactivateUsers: true}) {
		t.Errorf("toggles = %+v", got)
	}
	if calls.Load() != 3 {
		t.Errorf("calls = %d, want 3", calls.Load())
	}
}

func TestPersistent503IsAServerErrorAfterBoundedRetries(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		oktaError(w, http.StatusServiceUnavailable, "E0000009", "Internal Server Error")
	}))
	_, err := c.GetApp(context.Background(), "0oa1")
	if !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want ErrServer", err)
	}
	if calls.Load() != 5 {
		t.Errorf("calls = %d, want 1 + 4 retries", calls.Load())
	}
}

func TestRateLimitBeyondDeadlineGivesUpAtOnce(t *testing.T) {
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		oktaError(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.GetApp(ctx, "0oa1")
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	var oe *Error
	if !errors.As(err, &oe) || oe.ErrorCode != "E0000047" {
		t.Fatalf("err = %#v, want Okta's E0000047", err)
	}
	if calls.Load() != 1 {
		t.Errorf("calls = %d: a reset an hour away must not be waited for", calls.Load())
	}
}

func TestValidationErrorCarriesOktaCauses(t *testing.T) {
	var body map[string]any
	var query string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		oktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: connection",
			"Failed to verify credentials: the SCIM server answered 401 Unauthorized.")
	}))
	_, err := c.SetDefaultConnection(context.Background(), "0oa1", oktaapi.ProvisioningConnectionRequest{
		BaseURL: "https://wrike.example/scim/okta/v2",
		Profile: oktaapi.ProvisioningConnectionProfile{AuthScheme: oktaapi.AuthSchemeToken, Token: "wrk4_secret"},
	}, true)
	var oe *Error
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if oe.StatusCode != http.StatusBadRequest || oe.ErrorCode != "E0000001" || oe.ErrorSummary != "Api validation failed: connection" {
		t.Errorf("error = %+v", oe)
	}
	if len(oe.ErrorCauses) != 1 || !strings.Contains(oe.ErrorCauses[0], "401 Unauthorized") {
		t.Errorf("causes = %q", oe.ErrorCauses)
	}
	if !errors.Is(err, ErrBadRequest) {
		t.Errorf("errors.Is(err, ErrBadRequest) = false")
	}
	if !strings.Contains(err.Error(), "Failed to verify credentials") {
		t.Errorf("message %q lacks the cause", err.Error())
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "wrk4_secret") {
		t.Errorf("message leaks a token: %q", err.Error())
	}
	if query != "activate=true" {
		t.Errorf("query = %q", query)
	}
	profile, _ := body["profile"].(map[string]any)
	if body["baseUrl"] != "https://wrike.example/scim/okta/v2" || profile["authScheme"] != "TOKEN" || profile["token"] != "wrk4_secret" {
		t.Errorf("body = %v", body)
	}
}

func TestErrorKinds(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   error
	}{
		{404, "E0000007", ErrNotFound},
		{401, "E0000011", ErrUnauthorized},
		{403, "E0000006", ErrForbidden},
		{400, "E0000003", ErrBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				oktaError(w, tc.status, tc.code, "summary of "+tc.code)
			}))
			_, err := c.GetApp(context.Background(), "0oa1")
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var oe *Error
			if !errors.As(err, &oe) || oe.ErrorCode != tc.code || oe.ErrorSummary != "summary of "+tc.code {
				t.Errorf("error = %+v", oe)
			}
		})
	}
}

// pagedServer serves items n at a time with Okta's Link headers and
// records every request it answers.
type pagedServer struct {
	mu    sync.Mutex
	paths []string
}

func (p *pagedServer) handler(items []map[string]any, pageSize int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.paths = append(p.paths, r.URL.RequestURI())
		p.mu.Unlock()
		start := 0
		if a := r.URL.Query().Get("after"); a != "" {
			start, _ = strconv.Atoi(a)
		}
		end := min(start+pageSize, len(items))
		self := fmt.Sprintf("<http://%s%s>; rel=\"self\"", r.Host, r.URL.RequestURI())
		w.Header().Add("Link", self)
		if end < len(items) {
			w.Header().Add("Link", fmt.Sprintf("<http://%s%s?limit=%d&after=%d>; rel=\"next\"", r.Host, r.URL.Path, pageSize, end))
		}
		writeJSON(w, 200, items[start:end])
	}
}

func TestListsFollowLinkPaging(t *testing.T) {
	var users []map[string]any
	for i := range 7 {
		scope := oktaapi.ScopeUser
		if i%2 == 1 {
			scope = oktaapi.ScopeGroup
		}
		users = append(users, map[string]any{"id": fmt.Sprintf("00u%d", i), "scope": scope, "status": "PROVISIONED",
			"externalId": fmt.Sprintf("scim-%d", i), "profile": map[string]any{"userType": "External", "email": "x@y"}})
	}
	ps := &pagedServer{}
	c := newTestClient(t, ps.handler(users, 3))
	got, err := c.ListAppUsers(context.Background(), "0oa1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 || got[6].ID != "00u6" || got[1].Scope != oktaapi.ScopeGroup || got[0].Profile.UserType != "External" || got[2].ExternalID != "scim-2" {
		t.Fatalf("users = %+v", got)
	}
	if len(ps.paths) != 3 {
		t.Fatalf("requests = %q, want 3 pages", ps.paths)
	}
	if ps.paths[0] != "/api/v1/apps/0oa1/users?limit=200" || ps.paths[2] != "/api/v1/apps/0oa1/users?limit=3&after=6" {
		t.Errorf("requests = %q", ps.paths)
	}
}

func TestListAppsNamedFiltersByNameAndPages(t *testing.T) {
	ps := &pagedServer{}
	c := newTestClient(t, ps.handler([]map[string]any{
		{"id": "0oa1", "name": "wrike", "label": "Wrike", "status": "ACTIVE"},
		{"id": "0oa2", "name": "wrike", "label": "Wrike (sandbox)", "status": "INACTIVE"},
	}, 1))
	got, err := c.ListAppsNamed(context.Background(), "wrike")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "0oa1" || got[1].Label != "Wrike (sandbox)" || got[1].Status != "INACTIVE" {
		t.Errorf("apps = %+v", got)
	}
	if len(ps.paths) != 2 || ps.paths[0] != "/api/v1/apps?filter=name+eq+%22wrike%22&limit=200" {
		t.Errorf("requests = %q", ps.paths)
	}
}

func TestGroupAssignmentsListAndEveryone(t *testing.T) {
	mux := http.NewServeMux()
	ps := &pagedServer{}
	mux.Handle("GET /api/v1/apps/0oa1/groups", ps.handler([]map[string]any{
		{"id": "00g1", "priority": 0, "profile": map[string]any{"userType": "Collaborator"}},
		{"id": "00g2", "priority": 1, "profile": map[string]any{}},
	}, 1))
	var filter string
	mux.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		filter = r.URL.Query().Get("filter")
		writeJSON(w, 200, []map[string]any{
			{"id": "00gE", "type": "BUILT_IN", "profile": map[string]any{"name": "Everyone"}},
		})
	})
	c := newTestClient(t, mux)
	got, err := c.ListGroupAssignments(context.Background(), "0oa1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Profile.UserType != "Collaborator" || got[1].ID != "00g2" || got[1].Profile.UserType != "" {
		t.Errorf("assignments = %+v", got)
	}
	g, err := c.EveryoneGroup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "00gE" || filter != `type eq "BUILT_IN"` {
		t.Errorf("group = %+v, filter = %q", g, filter)
	}
}

func TestNextLinkToAnotherHostIsNotFollowed(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), testToken) {
			leaked.Store(true)
		}
		writeJSON(w, 200, []any{})
	}))
	defer other.Close()
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "<"+other.URL+"/api/v1/groups?after=1>; rel=\"next\"")
		writeJSON(w, 200, []map[string]any{{"id": "00g1"}})
	}))
	_, err := c.ListGroups(context.Background(), GroupQuery{Q: "Eng"})
	if err == nil {
		t.Fatal("a next link to another host was followed")
	}
	if leaked.Load() {
		t.Fatal("the API token was sent to another host")
	}
}

func TestAssignmentCallsUseOktaShapes(t *testing.T) {
	type call struct{ method, uri, body string }
	var mu sync.Mutex
	var calls []call
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls = append(calls, call{r.Method, r.URL.RequestURI(), strings.TrimSpace(string(raw))})
		mu.Unlock()
		switch r.Method {
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPut:
			writeJSON(w, 200, map[string]any{"id": "00g1", "priority": 0, "profile": map[string]any{"userType": "External"}})
		default:
			if strings.Contains(r.URL.Path, "lifecycle") {
				writeJSON(w, 200, map[string]any{})
				return
			}
			writeJSON(w, 200, map[string]any{"id": "00u1", "scope": "USER", "profile": map[string]any{"userType": "Regular"}})
		}
	}))
	ctx := context.Background()
	if _, err := c.AssignGroup(ctx, "0oa1", "00g1", oktaapi.ApplicationGroupAssignment{Profile: oktaapi.AssignmentProfile{UserType: "External"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AssignUser(ctx, "0oa1", "00u1", oktaapi.AssignmentProfile{UserType: "Regular"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAppUser(ctx, "0oa1", "00u1", oktaapi.AssignmentProfile{UserType: "Collaborator"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UnassignUser(ctx, "0oa1", "00u1"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnassignGroup(ctx, "0oa1", "00g1"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeactivateDefaultConnection(ctx, "0oa1"); err != nil {
		t.Fatal(err)
	}
	if err := c.ActivateDefaultConnection(ctx, "0oa1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateFeature(ctx, "0oa1", oktaapi.FeatureUserProvisioning, oktaapi.ProvisioningToggles{UpdateUserAttributes: true}.Capabilities()); err != nil {
		t.Fatal(err)
	}
	want := []call{
		{"PUT", "/api/v1/apps/0oa1/groups/00g1", `{"priority":0,"profile":{"userType":"External"}}`},
		{"POST", "/api/v1/apps/0oa1/users", `{"id":"00u1","scope":"USER","profile":{"userType":"Regular"}}`},
		{"POST", "/api/v1/apps/0oa1/users/00u1", `{"profile":{"userType":"Collaborator"}}`},
		{"DELETE", "/api/v1/apps/0oa1/users/00u1?sendEmail=false", ""},
		{"DELETE", "/api/v1/apps/0oa1/groups/00g1", ""},
		{"POST", "/api/v1/apps/0oa1/connections/default/lifecycle/deactivate", ""},
		{"POST", "/api/v1/apps/0oa1/connections/default/lifecycle/activate", ""},
		{"PUT", "/api/v1/apps/0oa1/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"DISABLED"}},"update":{"profile":{"status":"ENABLED"},"lifecycleDeactivate":{"status":"DISABLED"},"password":{"status":"DISABLED","seed":"RANDOM","change":"KEEP_EXISTING"}}}`},
	}
	if len(calls) != len(want) {
		t.Fatalf("calls = %+v", calls)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("call %d = %+v, want %+v", i, calls[i], want[i])
		}
	}
}

func TestNewRejectsMissingTokenAndBadURL(t *testing.T) {
	if _, err := New(Config{OrgURL: "https://example.okta.com"}); err == nil {
		t.Error("no token accepted")
	}
	if _, err := New(Config{OrgURL: "example.okta.com", APIToken: testToken}); err == nil {
		t.Error("URL without scheme accepted")
	}
	_, err := New(Config{OrgURL: "ftp://example.okta.com", APIToken: testToken})
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Errorf("err = %v", err)
	}
}

func TestRetryLogsNeverCarryTheToken(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// A misbehaving proxy echoing the header back must not leak it either.
			oktaError(w, http.StatusServiceUnavailable, "E0000009", "upstream saw "+r.Header.Get("Authorization"))
			return
		}
		writeJSON(w, 200, map[string]any{"id": "0oa1"})
	}))
	defer srv.Close()
	c, err := New(Config{OrgURL: srv.URL, APIToken: testToken, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetApp(context.Background(), "0oa1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if logs.Len() == 0 {
		t.Fatal("the retry was not logged")
	}
	if strings.Contains(logs.String(), testToken) {
		t.Errorf("logs carry the token:\n%s", logs.String())
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
