package wrike_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// hardFace is a backend whose Wrike face the fuzz targets call in-process,
// with a reader that sees what the store holds.
type hardFace struct {
	env      *backendtest.Env
	snap     *reliabilitytest.Snapshotter
	v4Token  string
	handler  http.Handler
	adminTok string
}

func newHardFace(tb testing.TB) *hardFace {
	tb.Helper()
	env := backendtest.Start(tb)
	s := env.SetupSCIM(tb, "okta", "example.com")
	snap, err := reliabilitytest.OpenSnapshotter(env.DataDir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = snap.Close() })
	return &hardFace{env: env, snap: snap, v4Token: s.Token, handler: env.Backend.Wrike, adminTok: env.WrikeAdminToken}
}

// state is what a refused request must leave alone: every stored row and
// what the admin API shows from memory.
func (h *hardFace) state(t *testing.T) string {
	t.Helper()
	db, err := h.snap.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	var b strings.Builder
	b.WriteString(db)
	for _, p := range []string{"/approved_domains", "/api_apps", "/scim_integrations", "/users", "/account"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/api/v4"+p, nil)
		req.Header.Set("Authorization", "Bearer "+h.adminTok)
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
		b.WriteString(p + " " + rec.Body.String())
	}
	return b.String()
}

// Credentials a fuzzed request carries.
const (
	credAdmin = iota
	credV4
	credNone
	credGarbage
	credCount
)

func (h *hardFace) authorize(req *http.Request, cred uint8) {
	switch cred % credCount {
	case credAdmin:
		req.Header.Set("Authorization", "Bearer "+h.adminTok)
	case credV4:
		req.Header.Set("Authorization", "Bearer "+h.v4Token)
	case credGarbage:
		req.Header.Set("Authorization", "Bearer wrka_not-a-token")
	}
}

var hardMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead}

// FuzzAdminAPI sends arbitrary admin API requests (method, path below
// /api/v4, content type, body, credential) through the Wrike face's real
// handler and checks the promises every answer keeps: never a 5xx (a panic
// is recovered into a 500, so it fails here too), every error in the v4
// shape with a description, no secret echoed, and a refused request changes
// nothing that is stored or shown.
func FuzzAdminAPI(f *testing.F) {
	seeds := []struct {
		method      uint8
		path, ctype string
		body        string
	}{
		// What the provider's wrikeapi client sends.
		{1, "approved_domains", "application/json", `{"domain":"acme.example.com"}`},
		{1, "approved_domains", "application/x-www-form-urlencoded", `domain=Partner.Example.NET`},
		{0, "approved_domains/example.com", "", ``},
		{3, "approved_domains/EXAMPLE.COM", "", ``},
		{1, "api_apps", "application/json", `{"name":"Okta SCIM","description":"provisioning from Okta"}`},
		{2, "api_apps/XXXXXXXXXXXXXXXX", "application/json", `{"description":"rotated"}`},
		{1, "api_apps/XXXXXXXXXXXXXXXX/regenerate_token", "application/json", ``},
		{2, "scim_integrations/okta", "application/json", `{"enabled":true,"defaultUserType":"External"}`},
		{2, "scim_integrations/azure_ad", "application/x-www-form-urlencoded", `enabled=true&defaultUserType=collaborator`},
		{0, "users?domain=example.com&active=true&userType=Regular", "", ``},
		{0, "account", "", ``},
		// Corners.
		{1, "approved_domains", "application/json", `{"domain":"-bad-.com"}`},
		{1, "approved_domains", "application/json", `{"domain":"example.com","extra":1}`},
		{1, "approved_domains", "application/json", `[{"domain":"example.com"}]`},
		{1, "approved_domains", "application/json", `{"domain":null}`},
		{1, "approved_domains", "text/plain", `domain=example.org`},
		{2, "scim_integrations/okta", "application/json", `{"enabled":"yes"}`},
		{2, "scim_integrations/okta", "application/json", `{"enabled":false,"defaultUserType":"Admin"}`},
		{1, "api_apps", "application/json", `{"name":"` + strings.Repeat("n", 201) + `"}`},
		{1, "api_apps", "application/json", "{\"name\":\"\xff\xfe\"}"},
		{4, "users/%2e%2e/account", "", ``},
	}
	for i, s := range seeds {
		f.Add(s.method, s.path, s.ctype, []byte(s.body), uint8(i%2))
	}
	h := newHardFace(f)
	f.Fuzz(func(t *testing.T, method uint8, path, ctype string, body []byte, cred uint8) {
		u, err := url.Parse("/api/v4/" + path)
		if err != nil || u.Host != "" || u.Scheme != "" {
			return
		}
		m := hardMethods[int(method)%len(hardMethods)]
		req := httptest.NewRequest(m, "/", bytes.NewReader(body))
		req.URL = u
		req.RequestURI = u.RequestURI()
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		h.authorize(req, cred)

		before := h.state(t)
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		after := h.state(t)

		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", m, u, rec.Code, rec.Body)
		}
		// A new token is answered by design; the ones in use never are.
		if strings.Contains(rec.Body.String(), h.adminTok) || strings.Contains(rec.Body.String(), h.v4Token) {
			t.Fatalf("%s %s: the answer repeats a token", m, u)
		}
		if rec.Code >= 400 || m == http.MethodGet || m == http.MethodHead {
			if before != after {
				t.Fatalf("%s %s answered %d but changed the state:\nbefore:\n%s\nafter:\n%s", m, u, rec.Code, before, after)
			}
		}
		if rec.Code >= 400 && m != http.MethodHead {
			var e struct {
				Error       string `json:"error"`
				Description string `json:"errorDescription"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || e.Description == "" {
				t.Fatalf("%s %s: %d without a v4 error body: %q", m, u, rec.Code, rec.Body)
			}
		}
	})
}

func hardOpenSnap(t testing.TB, env *backendtest.Env) *reliabilitytest.Snapshotter {
	t.Helper()
	snap, err := reliabilitytest.OpenSnapshotter(env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = snap.Close() })
	return snap
}
