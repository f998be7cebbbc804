package wrikeclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

type recorded struct {
	method, path, query, body, auth, agent string
}

// fakeWrike answers with canned bodies per "METHOD path" and records calls.
func fakeWrike(t *testing.T, answers map[string]func(w http.ResponseWriter)) (*Client, *[]recorded) {
	t.Helper()
	var calls []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		calls = append(calls, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(b), r.Header.Get("Authorization"), r.Header.Get("User-Agent")})
		if a, ok := answers[r.Method+" "+r.URL.EscapedPath()]; ok {
			w.Header().Set("Content-Type", "application/json")
			a(w)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"method_not_found","errorDescription":"no route"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL + "/", Token: "wrka_tok", Version: "1.2.3", RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, &calls
}

func answer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestApprovedDomainCalls(t *testing.T) {
	c, calls := fakeWrike(t, map[string]func(http.ResponseWriter){
		"POST /api/v4/approved_domains":                 answer(200, `{"kind":"approvedDomains","data":[{"id":"D1","domain":"acme.example.com","createdDate":"2026-01-01T00:00:00Z"}]}`),
		"GET /api/v4/approved_domains/Acme.Example.com": answer(200, `{"kind":"approvedDomains","data":[{"id":"D1","domain":"acme.example.com"}]}`),
		"DELETE /api/v4/approved_domains/D1":            answer(200, `{"kind":"approvedDomains","data":[]}`),
		"GET /api/v4/approved_domains/gone.example.com": answer(404, `{"error":"resource_not_found","errorDescription":"Approved domain gone.example.com not found"}`),
	})
	ctx := context.Background()
	d, err := c.CreateApprovedDomain(ctx, "Acme.Example.com")
	if err != nil || d.ID != "D1" || d.Domain != "acme.example.com" || d.CreatedDate == "" {
		t.Fatalf("create: %+v %v", d, err)
	}
	if got := (*calls)[0]; got.body != `{"domain":"Acme.Example.com"}` || got.auth != "Bearer wrka_tok" || got.agent != "terraform-provider-wrike/1.2.3" {
		t.Fatalf("create request %+v", got)
	}
	if d, err = c.GetApprovedDomain(ctx, "Acme.Example.com"); err != nil || d.ID != "D1" {
		t.Fatalf("get: %+v %v", d, err)
	}
	if err := c.DeleteApprovedDomain(ctx, "D1"); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetApprovedDomain(ctx, "gone.example.com")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Approved domain gone.example.com not found") {
		t.Fatalf("get missing: %v", err)
	}
}

func TestAPIAppCalls(t *testing.T) {
	c, calls := fakeWrike(t, map[string]func(http.ResponseWriter){
		"POST /api/v4/api_apps":                     answer(200, `{"kind":"apiApps","data":[{"id":"A1","name":"okta","description":"d","token":"wrk4_one"}]}`),
		"PUT /api/v4/api_apps/A1":                   answer(200, `{"kind":"apiApps","data":[{"id":"A1","name":"okta","description":"new"}]}`),
		"POST /api/v4/api_apps/A1/regenerate_token": answer(200, `{"kind":"apiApps","data":[{"id":"A1","name":"okta","token":"wrk4_two","tokenCreatedDate":"t2"}]}`),
		"POST /api/v4/api_apps/dup":                 answer(409, `{"error":"already_exists","errorDescription":"exists"}`),
		"GET /api/v4/api_apps/A%2F1":                answer(200, `{"kind":"apiApps","data":[]}`),
	})
	ctx := context.Background()
	app, err := c.CreateAPIApp(ctx, wrikeapi.APIAppInput{Name: "okta", Description: "d"})
	if err != nil || app.Token != "wrk4_one" {
		t.Fatalf("create: %+v %v", app, err)
	}
	desc := "new"
	if app, err = c.UpdateAPIApp(ctx, "A1", wrikeapi.APIAppUpdate{Description: &desc}); err != nil || app.Description != "new" {
		t.Fatalf("update: %+v %v", app, err)
	}
	if (*calls)[1].body != `{"description":"new"}` {
		t.Fatalf("update sent %s: unset fields must be left out", (*calls)[1].body)
	}
	if app, err = c.RegenerateAPIAppToken(ctx, "A1"); err != nil || app.Token != "wrk4_two" {
		t.Fatalf("regenerate: %+v %v", app, err)
	}
	// An id is one path segment, never a path.
	if _, err := c.GetAPIApp(ctx, "A/1"); err == nil || !strings.Contains(err.Error(), "expected one object") {
		t.Fatalf("get with slash: %v", err)
	}
}

func TestSCIMIntegrationAccountUsers(t *testing.T) {
	c, calls := fakeWrike(t, map[string]func(http.ResponseWriter){
		"PUT /api/v4/scim_integrations/okta": answer(200, `{"kind":"scimIntegrations","data":[{"id":"okta","identityProvider":"okta","enabled":true,"defaultUserType":"External","scimUrl":"http://h/scim/okta/v2"}]}`),
		"GET /api/v4/account":                answer(200, `{"kind":"accounts","data":[{"id":"AC","name":"Acme","billableSeats":3,"activeMembers":3,"deactivatedMembers":1}]}`),
		"GET /api/v4/users":                  answer(200, `{"kind":"users","data":[{"id":"U1","userName":"a@acme.example.com","userType":"Regular","active":false}]}`),
	})
	ctx := context.Background()
	on, ut := true, "External"
	s, err := c.UpdateSCIMIntegration(ctx, "okta", wrikeapi.SCIMIntegrationUpdate{Enabled: &on, DefaultUserType: &ut})
	if err != nil || !s.Enabled || s.SCIMURL != "http://h/scim/okta/v2" {
		t.Fatalf("update: %+v %v", s, err)
	}
	var sent map[string]any
	_ = json.Unmarshal([]byte((*calls)[0].body), &sent)
	if sent["enabled"] != true || sent["defaultUserType"] != "External" {
		t.Fatalf("sent %v", sent)
	}
	a, err := c.GetAccount(ctx)
	if err != nil || a.BillableSeats != 3 || a.DeactivatedMembers != 1 {
		t.Fatalf("account: %+v %v", a, err)
	}
	off := false
	users, err := c.ListUsers(ctx, UserFilter{Domain: "acme.example.com", Active: &off, UserType: "Regular"})
	if err != nil || len(users) != 1 || users[0].Active {
		t.Fatalf("users: %+v %v", users, err)
	}
	if q := (*calls)[2].query; q != "active=false&domain=acme.example.com&userType=Regular" {
		t.Fatalf("query %q", q)
	}
}

func TestRetriesThroughRateLimitAndUnavailable(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"error":"rate_limit_exceeded","errorDescription":"slow"}`)
		case 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			_, _ = io.WriteString(w, `{"kind":"approvedDomains","data":[{"id":"D","domain":"a.example.com"}]}`)
		}
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL, Token: "t", RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.CreateApprovedDomain(context.Background(), "a.example.com")
	if err != nil || d.ID != "D" || n.Load() != 3 {
		t.Fatalf("%+v %v after %d calls", d, err, n.Load())
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{URL: "wrike.example.com", Token: "t"}); err == nil {
		t.Fatal("accepted a URL without scheme")
	}
	if _, err := New(Config{URL: "https://wrike.example.com", Token: " "}); err == nil {
		t.Fatal("accepted an empty token")
	}
}

// pagedUsers serves GET /api/v4/users from pages: the first without a
// token, then pages[token]; the first request for the page token
// unavailableOnce is answered 503. It records each request's query.
func pagedUsers(t *testing.T, pages map[string]string, unavailableOnce string) (*Client, *[]string) {
	t.Helper()
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		tok := r.URL.Query().Get("nextPageToken")
		body, ok := pages[tok]
		if r.URL.Path != "/api/v4/users" || !ok {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_parameter","errorDescription":"nextPageToken was issued for other filters"}`)
			return
		}
		if tok != "" && tok == unavailableOnce {
			unavailableOnce = ""
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Token: "wrka_tok", RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, &queries
}

func usersJSON(token string, ids ...string) string {
	var data []string
	for _, id := range ids {
		data = append(data, `{"id":"`+id+`","userName":"`+strings.ToLower(id)+`@acme.example.com"}`)
	}
	next := ""
	if token != "" {
		next = `"nextPageToken":"` + token + `",`
	}
	return `{"kind":"users",` + next + `"responseSize":5,"data":[` + strings.Join(data, ",") + `]}`
}

func TestListUsersFollowsPages(t *testing.T) {
	c, queries := pagedUsers(t, map[string]string{
		"":     usersJSON("p/2+", "U1", "U2"),
		"p/2+": usersJSON("p3", "U3", "U4"),
		"p3":   usersJSON("", "U5"),
	}, "p/2+")
	on := true
	users, err := c.ListUsers(context.Background(), UserFilter{Domain: "acme.example.com", Active: &on})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	if strings.Join(ids, ",") != "U1,U2,U3,U4,U5" {
		t.Fatalf("users %v", ids)
	}
	want := []string{
		"active=true&domain=acme.example.com",
		"active=true&domain=acme.example.com&nextPageToken=p%2F2%2B",
		"active=true&domain=acme.example.com&nextPageToken=p%2F2%2B",
		"active=true&domain=acme.example.com&nextPageToken=p3",
	}
	if strings.Join(*queries, " ") != strings.Join(want, " ") {
		t.Fatalf("queries\n got %v\nwant %v", *queries, want)
	}
}

func TestListUsersPageErrors(t *testing.T) {
	for name, pages := range map[string]map[string]string{
		"a token already seen": {"": usersJSON("a", "U1"), "a": usersJSON("b", "U2"), "b": usersJSON("a", "U3")},
		"a page without users": {"": usersJSON("a", "U1"), "a": usersJSON("b")},
	} {
		t.Run(name, func(t *testing.T) {
			c, queries := pagedUsers(t, pages, "")
			_, err := c.ListUsers(context.Background(), UserFilter{})
			if err == nil || !strings.Contains(err.Error(), "does not advance") || len(*queries) > 3 {
				t.Fatalf("err %v after %d requests", err, len(*queries))
			}
		})
	}
	// An error on a later page is the API's own.
	c, _ := pagedUsers(t, map[string]string{"": usersJSON("gone", "U1")}, "")
	_, err := c.ListUsers(context.Background(), UserFilter{})
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "issued for other filters") {
		t.Fatalf("err %v", err)
	}
}
