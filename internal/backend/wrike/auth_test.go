package wrike_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// hardAdminRoutes is every admin API route with a harmless body.
var hardAdminRoutes = []struct{ method, path, body string }{
	{"GET", "/approved_domains", ""},
	{"POST", "/approved_domains", `{"domain":"new.example.org"}`},
	{"GET", "/approved_domains/example.com", ""},
	{"DELETE", "/approved_domains/example.com", ""},
	{"GET", "/api_apps", ""},
	{"POST", "/api_apps", `{"name":"x"}`},
	{"GET", "/api_apps/APPID", ""},
	{"PUT", "/api_apps/APPID", `{"name":"y"}`},
	{"POST", "/api_apps/APPID/regenerate_token", ""},
	{"DELETE", "/api_apps/APPID", ""},
	{"GET", "/scim_integrations", ""},
	{"GET", "/scim_integrations/okta", ""},
	{"PUT", "/scim_integrations/okta", `{"enabled":false}`},
	{"GET", "/account", ""},
	{"GET", "/users", ""},
}

// TestHardeningAdminRoutesRefuseOtherCredentials: on every admin route, a v4
// token is 403 not_allowed, no token, a wrong scheme, an unknown or a
// truncated admin token are 401 not_authorized, and none of them changes
// anything.
func TestHardeningAdminRoutesRefuseOtherCredentials(t *testing.T) {
	env := backendtest.Start(t)
	s := env.SetupSCIM(t, "okta", "example.com")
	snap, err := reliabilitytest.OpenSnapshotter(env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snap.Close() }()
	before, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	credentials := []struct {
		name, header string
		status       int
		code         string
	}{
		{"v4 token", "Bearer " + s.Token, 403, "not_allowed"},
		{"no token", "", 401, "not_authorized"},
		{"Basic scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+env.WrikeAdminToken)), 401, "not_authorized"},
		{"SSWS scheme", "SSWS " + env.WrikeAdminToken, 401, "not_authorized"},
		{"unknown admin token", "Bearer wrka_" + strings.Repeat("A", 43), 401, "not_authorized"},
		{"truncated admin token", "Bearer " + env.WrikeAdminToken[:len(env.WrikeAdminToken)-1], 401, "not_authorized"},
		{"admin token with a suffix", "Bearer " + env.WrikeAdminToken + "x", 401, "not_authorized"},
		{"admin token hash", "Bearer " + hashHex(env.WrikeAdminToken), 401, "not_authorized"},
	}
	for _, route := range hardAdminRoutes {
		path := strings.ReplaceAll(route.path, "APPID", s.AppID)
		for _, c := range credentials {
			req, _ := http.NewRequest(route.method, env.WrikeURL+"/api/v4"+path, strings.NewReader(route.body))
			req.Header.Set("Content-Type", "application/json")
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			a := do(t, req)
			if a.status != c.status || a.body["error"] != c.code {
				t.Errorf("%s %s with %s: %d %s, want %d %s", route.method, path, c.name, a.status, a.raw, c.status, c.code)
			}
			if strings.Contains(a.raw, env.WrikeAdminToken) || strings.Contains(a.raw, s.Token) {
				t.Errorf("%s %s with %s: the answer repeats a token", route.method, path, c.name)
			}
		}
	}
	after, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatalf("refused requests changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestHardeningTokensStoredOnlyAsHashes reads every text and blob in the
// database after admin and v4 tokens were made, regenerated and deleted:
// no token, no token body without its prefix, and no raw token bytes are
// there, while each live token's SHA-256 is (so the check reads the right
// data). It also proves tokens survive a restart by their hash alone.
func TestHardeningTokensStoredOnlyAsHashes(t *testing.T) {
	env := backendtest.Start(t)
	s := env.SetupSCIM(t, "okta", "example.com")
	second := adminCall(t, env, "POST", "/api_apps", `{"name":"second"}`).data(t)[0]
	regenerated := adminCall(t, env, "POST", "/api_apps/"+second["id"].(string)+"/regenerate_token", "").data(t)[0]
	third := adminCall(t, env, "POST", "/api_apps", `{"name":"third"}`).data(t)[0]
	adminCall(t, env, "DELETE", "/api_apps/"+third["id"].(string), "").data(t)
	tokens := []string{env.WrikeAdminToken, s.Token, second["token"].(string), regenerated["token"].(string), third["token"].(string)}
	live := []string{env.WrikeAdminToken, s.Token, regenerated["token"].(string)}

	check := func() {
		t.Helper()
		snap, err := reliabilitytest.OpenSnapshotter(env.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = snap.Close() }()
		values, err := snap.RawStrings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(values, "\n")
		if len(values) == 0 {
			t.Fatal("read nothing from the database")
		}
		for i, tok := range tokens {
			body := tok[strings.IndexByte(tok, '_')+1:]
			raw, err := base64.RawURLEncoding.DecodeString(body)
			if err != nil {
				t.Fatalf("token #%d is not prefix + base64url: %v", i, err)
			}
			for _, form := range []string{tok, body, string(raw), hex.EncodeToString(raw)} {
				if strings.Contains(all, form) {
					t.Errorf("token #%d is in the database in clear", i)
				}
			}
		}
		for i, tok := range live {
			if !strings.Contains(all, hashHex(tok)) {
				t.Errorf("live token #%d: its SHA-256 is not in the database", i)
			}
		}
	}
	check()
	env.Restart(t)
	check()
	adminCall(t, env, "GET", "/account", "").data(t)
	call(t, "GET", env.WrikeURL+"/api/v4/account", second["token"].(string), "", "").wantError(t, 401, "not_authorized")
	call(t, "GET", env.WrikeURL+"/api/v4/account", regenerated["token"].(string), "", "").wantError(t, 403, "not_allowed")
	call(t, "GET", env.WrikeURL+"/api/v4/account", third["token"].(string), "", "").wantError(t, 401, "not_authorized")
}

// TestHardeningRevokedTokenRefusedAtOnce: the request right after a
// regenerate or a delete is refused for the old token, and the admin API
// (which tells a known v4 token from an unknown one) sees it as unknown.
func TestHardeningRevokedTokenRefusedAtOnce(t *testing.T) {
	env := backendtest.Start(t)
	app := adminCall(t, env, "POST", "/api_apps", `{"name":"rotating"}`).data(t)[0]
	id, tok := app["id"].(string), app["token"].(string)
	for i := 0; i < 5; i++ {
		call(t, "GET", env.WrikeURL+"/api/v4/account", tok, "", "").wantError(t, 403, "not_allowed")
		next := adminCall(t, env, "POST", "/api_apps/"+id+"/regenerate_token", "").data(t)[0]["token"].(string)
		call(t, "GET", env.WrikeURL+"/api/v4/account", tok, "", "").wantError(t, 401, "not_authorized")
		if next == tok {
			t.Fatal("regenerate returned the same token")
		}
		tok = next
	}
	adminCall(t, env, "DELETE", "/api_apps/"+id, "").data(t)
	call(t, "GET", env.WrikeURL+"/api/v4/account", tok, "", "").wantError(t, 401, "not_authorized")
}

func hashHex(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// do sends a prepared request and decodes the JSON answer.
func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v: %s", req.Method, req.URL, err, raw)
		}
	}
	return a
}
