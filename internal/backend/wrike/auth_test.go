package wrike_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// route is a request to send to every route of an API, with a harmless body.
type route struct{ method, path, body string }

// adminRoutes is every admin API route (APPID is replaced by a real app's id).
var adminRoutes = []route{
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

// scimRoutes is every SCIM route (ID is replaced by a real user's id).
var scimRoutes = []route{
	{"GET", "/Users", ""},
	{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"auth@example.com"}`},
	{"POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`},
	{"GET", "/Users/ID", ""},
	{"PUT", "/Users/ID", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"target@example.com","title":"changed"}`},
	{"PATCH", "/Users/ID", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`},
	{"DELETE", "/Users/ID", ""},
	{"GET", "/Groups", ""},
	{"GET", "/ServiceProviderConfig", ""},
	{"GET", "/ResourceTypes", ""},
	{"GET", "/Schemas", ""},
}

type credential struct{ name, header string }

// wrongCredentials are the Authorization headers an API whose token is own
// must refuse: the other API's token, none, other schemes, and own unknown,
// cut short, extended or hashed.
func wrongCredentials(own, other string) []credential {
	prefix := own[:strings.IndexByte(own, '_')+1]
	return []credential{
		{"the other API's token", "Bearer " + other},
		{"no token", ""},
		{"Basic scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+own))},
		{"Basic scheme with the bare token", "Basic " + own},
		{"SSWS scheme", "SSWS " + own},
		{"unknown token", "Bearer " + prefix + strings.Repeat("A", 43)},
		{"short unknown token", "Bearer " + prefix + "nope"},
		{"truncated token", "Bearer " + own[:len(own)-1]},
		{"token with a suffix", "Bearer " + own + "A"},
		{"token hash", "Bearer " + hashHex(own)},
	}
}

// TestAdminRefusesOtherCredentials: on every admin route, a v4 token is 403
// not_allowed, no token, a wrong scheme, an unknown or a truncated admin
// token are 401 not_authorized, each with a description; none of them
// changes anything and no answer repeats a token.
func TestAdminRefusesOtherCredentials(t *testing.T) {
	env := backendtest.Start(t)
	s := env.SetupSCIM(t, "okta", "example.com")
	snap := openSnapshot(t, env)
	before := state(t, env, snap)
	for _, r := range adminRoutes {
		path := strings.ReplaceAll(r.path, "APPID", s.AppID)
		for _, c := range wrongCredentials(env.WrikeAdminToken, s.Token) {
			status, code := http.StatusUnauthorized, "not_authorized"
			if c.header == "Bearer "+s.Token { // a known token, of the other API
				status, code = http.StatusForbidden, "not_allowed"
			}
			a := adminCall(t, env, r.method, path, r.body, "Authorization", c.header)
			if !a.IsV4Error(status, code) {
				t.Errorf("%s with %s: %d %s, want %d %s", a.Req, c.name, a.Status, a.Raw, status, code)
			}
			if strings.Contains(a.Raw, env.WrikeAdminToken) || strings.Contains(a.Raw, s.Token) {
				t.Errorf("%s with %s: the answer repeats a token", a.Req, c.name)
			}
		}
	}
	wantUnchanged(t, env, snap, before)
}

// TestSCIMRefusesOtherCredentials: on every SCIM route an admin token, no
// token, another scheme, an unknown, truncated or extended v4 token are 401
// with WWW-Authenticate; a valid token is 403 at an integration never
// enabled or disabled, and 404 at an identity provider there is no
// integration for; nothing is changed by any of them and no answer repeats
// a token. Once enabled, another provider's URL takes the same token.
func TestSCIMRefusesOtherCredentials(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id := createUser(t, sc, oktaUser("target@example.com", "Tar", "Get"))["id"].(string)
	snap := openSnapshot(t, env)
	before := state(t, env, snap)

	check := func(base string, wantStatus int, header, what string) {
		t.Helper()
		for _, r := range scimRoutes {
			a := scimSend(nil, backendtest.SCIM{BaseURL: base}, r.method, strings.Replace(r.path, "ID", id, 1), r.body, "Authorization", header)
			if a.Status != wantStatus || !a.IsSCIMError() {
				t.Errorf("%s with %s: %d %s, want a SCIM Error %d", a.Req, what, a.Status, a.Raw, wantStatus)
			}
			if wantStatus == http.StatusUnauthorized && a.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s with %s: 401 without WWW-Authenticate", a.Req, what)
			}
			if strings.Contains(a.Raw, sc.Token) || strings.Contains(a.Raw, env.WrikeAdminToken) {
				t.Errorf("%s with %s: the answer repeats a token", a.Req, what)
			}
		}
	}
	for _, c := range wrongCredentials(sc.Token, env.WrikeAdminToken) {
		check(sc.BaseURL, http.StatusUnauthorized, c.header, c.name)
	}
	valid := "Bearer " + sc.Token
	check(scimURL(t, env, "onelogin"), http.StatusForbidden, valid, "the onelogin integration never enabled")
	check(env.WrikeURL+"/scim/google/v2", http.StatusNotFound, valid, "an identity provider without an integration")
	azure := backendtest.SCIM{BaseURL: scimURL(t, env, "azure_ad"), Token: sc.Token}
	check(azure.BaseURL, http.StatusForbidden, valid, "the azure_ad integration never enabled")
	wantUnchanged(t, env, snap, before)
	env.Admin(t, "PUT", "/scim_integrations/azure_ad", map[string]any{"enabled": true}, nil)
	scimDo(t, azure, "GET", "/Users", "").Want(t, 200)

	env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": false}, nil)
	mid := state(t, env, snap)
	check(sc.BaseURL, http.StatusForbidden, valid, "the okta integration disabled")
	wantUnchanged(t, env, snap, mid)
	env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": true}, nil)
	scimDo(t, sc, "GET", "/Users/"+id, "").Want(t, 200)
}

// TestTokensStoredOnlyAsHashes reads every text and blob in the database
// after admin and v4 tokens were made, regenerated and deleted: no token,
// no token body without its prefix, and no raw token bytes are there, while
// each live token's SHA-256 is (so the check reads the right data). It also
// proves tokens survive a restart by their hash alone, on the admin API and
// on SCIM.
func TestTokensStoredOnlyAsHashes(t *testing.T) {
	env := backendtest.Start(t)
	s := env.SetupSCIM(t, "okta", "example.com")
	second := adminCall(t, env, "POST", "/api_apps", `{"name":"second"}`).Data(t)[0]
	regenerated := adminCall(t, env, "POST", "/api_apps/"+second["id"].(string)+"/regenerate_token", "").Data(t)[0]
	third := adminCall(t, env, "POST", "/api_apps", `{"name":"third"}`).Data(t)[0]
	adminCall(t, env, "DELETE", "/api_apps/"+third["id"].(string), "").Data(t)
	tokens := []string{env.WrikeAdminToken, s.Token, second["token"].(string), regenerated["token"].(string), third["token"].(string)}
	live := []string{env.WrikeAdminToken, s.Token, regenerated["token"].(string)}

	check := func() {
		t.Helper()
		values, err := openSnapshot(t, env).RawStrings(context.Background())
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
	restart(t, env, &s)
	check()
	adminCall(t, env, "GET", "/account", "").Data(t)
	// The replaced and the deleted app's tokens are unknown; the regenerated one is a v4 token.
	for _, tok := range []string{second["token"].(string), third["token"].(string)} {
		adminCall(t, env, "GET", "/account", "", "Authorization", "Bearer "+tok).WantV4Error(t, 401, "not_authorized")
		scimDo(t, backendtest.SCIM{BaseURL: s.BaseURL, Token: tok}, "GET", "/Users", "").WantSCIMError(t, 401, "")
	}
	tok := regenerated["token"].(string)
	adminCall(t, env, "GET", "/account", "", "Authorization", "Bearer "+tok).WantV4Error(t, 403, "not_allowed")
	scimDo(t, backendtest.SCIM{BaseURL: s.BaseURL, Token: tok}, "GET", "/Users", "").Want(t, 200)
}

// TestRevokedTokenRefusedAtOnce: the request right after a regenerate is
// refused for the old token, on SCIM (read and write, at every enabled
// provider's URL) and on the admin API, which tells a known v4 token (403)
// from an unknown one (401); the new token works at once. After the API
// app's deletion its last token is refused too.
func TestRevokedTokenRefusedAtOnce(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	env.Admin(t, "PUT", "/scim_integrations/azure_ad", map[string]any{"enabled": true}, nil)
	id := createUser(t, sc, oktaUser("rotation@example.com", "Ro", "Tation"))["id"].(string)
	bases := []string{sc.BaseURL, scimURL(t, env, "azure_ad")}
	deactivate := patchOps(`{"op":"replace","value":{"active":false}}`)
	tok := sc.Token
	for range 5 {
		for _, base := range bases {
			scimDo(t, backendtest.SCIM{BaseURL: base, Token: tok}, "GET", "/Users/"+id, "").Want(t, 200)
		}
		adminCall(t, env, "GET", "/account", "", "Authorization", "Bearer "+tok).WantV4Error(t, 403, "not_allowed")
		next := adminCall(t, env, "POST", "/api_apps/"+sc.AppID+"/regenerate_token", "").Data(t)[0]["token"].(string)
		if next == tok {
			t.Fatal("regenerate returned the same token")
		}
		for _, base := range bases {
			old := backendtest.SCIM{BaseURL: base, Token: tok}
			scimDo(t, old, "GET", "/Users/"+id, "").WantSCIMError(t, 401, "")
			scimDo(t, old, "PATCH", "/Users/"+id, deactivate).WantSCIMError(t, 401, "")
		}
		adminCall(t, env, "GET", "/account", "", "Authorization", "Bearer "+tok).WantV4Error(t, 401, "not_authorized")
		tok = next
	}
	sc.Token = tok
	if u := scimDo(t, sc, "GET", "/Users/"+id, "").Want(t, 200); u["active"] != true {
		t.Fatalf("a refused PATCH deactivated the user: %v", u)
	}
	env.Admin(t, "DELETE", "/api_apps/"+sc.AppID, nil, nil)
	for _, base := range bases {
		a := scimDo(t, backendtest.SCIM{BaseURL: base, Token: tok}, "GET", "/Users/"+id, "")
		a.WantSCIMError(t, 401, "")
		if strings.Contains(a.Raw, tok) {
			t.Fatal("the error repeats the token")
		}
	}
	adminCall(t, env, "GET", "/account", "", "Authorization", "Bearer "+tok).WantV4Error(t, 401, "not_authorized")
}

// TestRegenerateUnderLoad: eight SCIM clients keep calling with a v4 token
// while it is regenerated. No request sent after the regenerate call
// returned is served with the old token.
func TestRegenerateUnderLoad(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id := createUser(t, sc, oktaUser("load@example.com", "Lo", "Ad"))["id"].(string)
	var regenerated atomic.Int64 // unix nanos when regenerate returned; 0 before
	var served, refused, late atomic.Int64
	// Traffic wanted on both sides of the regenerate: 50 requests each.
	const enough = 50
	servedSome, refusedSome := make(chan struct{}, enough), make(chan struct{}, enough)
	note := func(n *atomic.Int64, ch chan struct{}) {
		n.Add(1)
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				sent := time.Now().UnixNano()
				a := scimSend(parallelClient, sc, "GET", "/Users/"+id, "")
				switch a.Status {
				case 200:
					note(&served, servedSome)
					if r := regenerated.Load(); r != 0 && sent > r {
						late.Add(1)
					}
				case 401:
					note(&refused, refusedSome)
				default:
					t.Errorf("%s: %d %s", a.Req, a.Status, a.Raw)
					return
				}
			}
		}()
	}
	end := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer end()
	reliabilitytest.Receive(t, servedSome, enough, 30*time.Second, "requests served before the regenerate")
	env.Admin(t, "POST", "/api_apps/"+sc.AppID+"/regenerate_token", nil, nil)
	regenerated.Store(time.Now().UnixNano())
	reliabilitytest.Receive(t, refusedSome, enough, 30*time.Second, "requests refused after the regenerate")
	end()
	if late.Load() != 0 {
		t.Fatalf("%d served before, %d refused after, %d served after the regenerate returned", served.Load(), refused.Load(), late.Load())
	}
	t.Logf("%d requests served before the regenerate, %d refused after it, 0 served late", served.Load(), refused.Load())
}
