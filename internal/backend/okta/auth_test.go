package okta_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// TestSSWSAuth: the Okta face accepts only its own SSWS
// tokens: no token, another scheme, the Wrike admin or v4 token, or a
// truncated or extended Okta token are 401 E0000011 on every route; the
// Okta token is refused by both Wrike APIs; the database holds only its
// SHA-256.
func TestSSWSAuth(t *testing.T) {
	o := newConnectedOrg(t)
	tok := o.env.OktaAPIToken
	snap, err := reliabilitytest.OpenSnapshotter(o.env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snap.Close() }()
	before, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/users"}, {"POST", "/api/v1/users?activate=true"}, {"GET", "/api/v1/groups"},
		{"POST", "/api/v1/groups"}, {"GET", "/api/v1/apps"}, {"GET", "/api/v1/apps/" + o.appID + "/connections/default"},
		{"POST", "/api/v1/apps/" + o.appID + "/connections/default?activate=false"},
		{"PUT", "/api/v1/apps/" + o.appID + "/features/USER_PROVISIONING"}, {"GET", "/api/v1/apps/" + o.appID + "/users"},
		{"POST", "/api/v1/apps/" + o.appID + "/connections/default/lifecycle/deactivate"},
		{"GET", "/api/v1/logs"}, {"GET", "/api/v1/_backend/provisioning/wait?timeout=1ms"}, {"GET", "/api/v1/nothing"},
		{"GET", "/api/v1/api-tokens"}, {"DELETE", "/api/v1/api-tokens/current"},
	}
	creds := map[string]string{
		"no token":             "",
		"Bearer scheme":        "Bearer " + tok,
		"Wrike admin token":    "SSWS " + o.env.WrikeAdminToken,
		"Wrike v4 token":       "SSWS " + o.scim.Token,
		"truncated":            "SSWS " + tok[:len(tok)-1],
		"extended":             "SSWS " + tok + "0",
		"token hash":           "SSWS " + hashHex(tok),
		"scheme without token": "SSWS ",
	}
	for _, r := range routes {
		for name, auth := range creds {
			a := request(r.method, o.env.OktaURL+r.path, auth, map[string]any{"profile": map[string]string{"name": "x"}})
			if a.Status != 401 || !strings.Contains(a.Raw, `"E0000011"`) {
				t.Errorf("%s %s with %s: %d %s, want 401 E0000011", r.method, r.path, name, a.Status, a.Raw)
			}
			for _, s := range []string{tok, o.env.WrikeAdminToken, o.scim.Token} {
				if strings.Contains(a.Raw, s) {
					t.Errorf("%s %s with %s: the answer repeats a token", r.method, r.path, name)
				}
			}
		}
	}
	if a := request("GET", o.env.WrikeURL+"/api/v4/account", "Bearer "+tok, nil); a.Status != 401 {
		t.Errorf("Okta token on the Wrike admin API: %d", a.Status)
	}
	if a := request("GET", o.scim.BaseURL+"/Users", "Bearer "+tok, nil); a.Status != 401 {
		t.Errorf("Okta token on Wrike SCIM: %d", a.Status)
	}
	after, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The refused requests change nothing but the rate limiter's memory.
	if before != after {
		t.Fatalf("refused requests changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	values, err := snap.RawStrings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(values, "\n")
	if strings.Contains(all, tok) || strings.Contains(all, tok[2:]) {
		t.Fatal("the Okta API token is in the database in clear")
	}
	if !strings.Contains(all, hashHex(tok)) {
		t.Fatal("the Okta token's SHA-256 is not in the database: the check read the wrong data")
	}
	// The connection's SCIM token must be read back to push users, so it
	// is sealed rather than hashed; the database alone must not reveal it.
	if strings.Contains(all, o.scim.Token) {
		t.Fatal("the connection's SCIM token is in the database in clear")
	}
	if !strings.Contains(all, "v1:") {
		t.Fatal("no sealed connection token in the database: the check read the wrong data")
	}
}

// TestRevokedTokenRefusedAtOnce: an Okta API token revoked by
// id, or by itself through /api-tokens/current, is refused on the very next
// request (read and write) and after a restart; other tokens keep working;
// the metadata never shows a token; each revocation is in the System Log.
func TestRevokedTokenRefusedAtOnce(t *testing.T) {
	o := newConnectedOrg(t)
	ctx := context.Background()
	values := map[string]string{}
	for _, name := range []string{"ci-a", "ci-b", "ci-c"} {
		tok, err := o.env.Backend.Okta.CreateAPIToken(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		values[name] = tok
	}
	var tokens []struct{ ID, Name string }
	o.call(200, "GET", "/api/v1/api-tokens", nil, &tokens)
	ids := map[string]string{}
	for _, tk := range tokens {
		ids[tk.Name] = tk.ID
	}
	if len(tokens) != 4 || ids["ci-a"] == "" || ids["ci-b"] == "" || ids["ci-c"] == "" {
		t.Fatalf("token list: %+v", tokens)
	}
	var first, rest []struct{ ID string }
	o.call(200, "GET", "/api/v1/api-tokens?limit=3", nil, &first)
	o.call(200, "GET", "/api/v1/api-tokens?limit=3&after="+first[len(first)-1].ID, nil, &rest)
	if len(first) != 3 || len(rest) != 1 || rest[0].ID != tokens[3].ID {
		t.Fatalf("pages of 3: %+v then %+v, want the 4 tokens in order", first, rest)
	}
	var one struct{ ID, Name, ClientName string }
	o.call(200, "GET", "/api/v1/api-tokens/"+ids["ci-a"], nil, &one)
	if one.Name != "ci-a" || one.ClientName != "Okta API" {
		t.Fatalf("token metadata: %+v", one)
	}
	refused := func(name string) {
		t.Helper()
		for _, r := range []struct{ method, path string }{{"GET", "/api/v1/users"}, {"POST", "/api/v1/groups"}, {"GET", "/api/v1/api-tokens"}} {
			a := request(r.method, o.env.OktaURL+r.path, "SSWS "+values[name], map[string]any{"profile": map[string]string{"name": "after-revoke"}})
			if a.Status != 401 || !strings.Contains(a.Raw, `"E0000011"`) {
				t.Fatalf("%s %s with revoked token %s: %d %s, want 401 E0000011", r.method, r.path, name, a.Status, a.Raw)
			}
		}
	}
	works := func(name string) {
		t.Helper()
		if a := request("GET", o.env.OktaURL+"/api/v1/users", "SSWS "+values[name], nil); a.Status != 200 {
			t.Fatalf("token %s: %d %s", name, a.Status, a.Raw)
		}
	}
	works("ci-a")
	works("ci-b")

	// Revoked by id with another token.
	o.call(204, "DELETE", "/api/v1/api-tokens/"+ids["ci-a"], nil, nil)
	refused("ci-a")
	// A token revokes itself.
	if a := request("DELETE", o.env.OktaURL+"/api/v1/api-tokens/current", "SSWS "+values["ci-b"], nil); a.Status != 204 {
		t.Fatalf("revoke current: %d %s", a.Status, a.Raw)
	}
	refused("ci-b")
	works("ci-c")
	o.call(200, "GET", "/api/v1/users", nil, nil)
	for _, id := range []string{ids["ci-a"], "00Tnothing"} {
		if a := request("DELETE", o.env.OktaURL+"/api/v1/api-tokens/"+id, "SSWS "+o.env.OktaAPIToken, nil); a.Status != 404 || !strings.Contains(a.Raw, `"E0000007"`) {
			t.Fatalf("revoke %s again: %d %s, want 404 E0000007", id, a.Status, a.Raw)
		}
	}
	var listed []json.RawMessage
	o.call(200, "GET", "/api/v1/api-tokens", nil, &listed)
	if len(listed) != 2 {
		t.Fatalf("after two revocations %d tokens are listed", len(listed))
	}
	for name, v := range values {
		for _, l := range listed {
			if strings.Contains(string(l), v) {
				t.Fatalf("the token list shows the value of %s", name)
			}
		}
	}
	events := o.events(`eventType eq "system.api_token.revoke"`)
	if len(events) != 2 || events[0].Target[0].AlternateID != "ci-a" || events[1].Target[0].AlternateID != "ci-b" ||
		events[1].Actor.ID != ids["ci-b"] {
		t.Fatalf("System Log revocations: %+v", events)
	}

	o.restart()
	refused("ci-a")
	refused("ci-b")
	works("ci-c")
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestDownstreamAnswersAreNotEchoed: a service provider that answers with
// an HTML error page quoting the request's Authorization header, or with a
// SCIM Error whose detail carries tokens and a page of text, never gets
// those into the System Log or the server's log: the HTML page is recorded
// as status, content type and length, the SCIM detail shortened and
// scrubbed.
func TestDownstreamAnswersAreNotEchoed(t *testing.T) {
	var sink reliabilitytest.LogSink
	o := newOrg(t, withOkta(func(c *okta.Config) { c.Logger = sink.DebugLogger(); c.RetryHorizon = 50 * time.Millisecond }))
	const connToken = "wrk4_c0nnecti0nT0kenThatMustNeverLeak42"
	const oktaLike = "00abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	var mode atomic.Value
	mode.Store("html")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if r.Method == http.MethodGet && r.URL.Query().Get("filter") == "" {
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(`{"schemas":["` + scim.SchemaListResponse + `"],"totalResults":0,"Resources":[]}`))
			return
		}
		if mode.Load() == "html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body><h1>502</h1><pre>Authorization: " + auth + "\nSSWS " + oktaLike + "</pre></body></html>"))
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{scim.SchemaError}, "status": "400", "scimType": "invalidValue",
			"detail": "token refused (" + auth + "), try SSWS " + oktaLike + " or " + connToken + "\n" + strings.Repeat("lorem ipsum ", 100)})
	}))
	t.Cleanup(srv.Close)
	o.saveConnection(srv.URL+"/scim/v2", connToken)
	o.toggles(true, true, true)

	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d after the HTML errors, want 1", failed)
	}
	for _, e := range o.events(`target.id eq "` + ann + `"`) {
		if r := e.Outcome.Reason; !strings.HasPrefix(r, "HTTP 502 Bad Gateway (text/html, ") || !strings.HasSuffix(r, " bytes)") {
			t.Fatalf("HTML answer recorded as %q", r)
		}
	}

	mode.Store("scim")
	bob := o.user(person("bob@acme.example.com"))
	o.assignUser(bob)
	o.wait()
	evs := o.events(`target.id eq "` + bob + `"`)
	if len(evs) != 1 {
		t.Fatalf("%d attempts for a permanent 400, want 1", len(evs))
	}
	r := evs[0].Outcome.Reason
	if !strings.HasPrefix(r, "token refused (Bearer [redacted]), try SSWS [redacted] or [redacted] lorem ipsum") ||
		utf8.RuneCountInString(r) > okta.MaxReason+1 || strings.Contains(r, "\n") {
		t.Fatalf("SCIM detail recorded as %q", r)
	}
	tasks := o.tasks("")
	if len(tasks) != 2 {
		t.Fatalf("tasks: %+v", tasks)
	}

	text := o.call(200, "GET", "/api/v1/logs?limit=1000", nil, nil).Raw + sink.String()
	for _, tk := range tasks {
		text += *tk.LastError
	}
	if found := reliabilitytest.FindSecrets(text, connToken, oktaLike, o.env.OktaAPIToken); len(found) > 0 {
		t.Fatalf("secrets in the System Log, the tasks or the log output: %v", found)
	}
	if !strings.Contains(sink.String(), "provisioning attempt failed") {
		t.Fatal("the log sink caught nothing: the check above proves nothing")
	}
}
