package wrike_test

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// hardSCIMRoutes is every SCIM route with a harmless body (ID is replaced
// by a real user's id).
var hardSCIMRoutes = []struct{ method, path, body string }{
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

// TestHardeningSCIMRefusesOtherCredentials: on every SCIM route an admin
// token, no token, another scheme, an unknown, truncated or extended v4
// token are 401; a disabled integration is 403 even with a valid token;
// nothing is changed by any of them and no answer repeats a token.
func TestHardeningSCIMRefusesOtherCredentials(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id, _ := hardCreate(t, sc, "target@example.com")
	h := &hardFace{env: env, handler: env.Backend.Wrike, adminTok: env.WrikeAdminToken, v4Token: sc.Token}
	h.snap = hardOpenSnap(t, env)
	before := h.state(t)

	credentials := []struct{ name, header string }{
		{"admin token", "Bearer " + env.WrikeAdminToken},
		{"no token", ""},
		{"SSWS scheme", "SSWS " + sc.Token},
		{"Basic scheme", "Basic " + sc.Token},
		{"unknown v4 token", "Bearer wrk4_" + strings.Repeat("B", 43)},
		{"truncated v4 token", "Bearer " + sc.Token[:len(sc.Token)-1]},
		{"v4 token with a suffix", "Bearer " + sc.Token + "A"},
		{"v4 token hash", "Bearer " + hashHex(sc.Token)},
	}
	check := func(base string, wantStatus int, header, what string) {
		for _, r := range hardSCIMRoutes {
			a := hardSCIMCall(nil, r.method, base+strings.Replace(r.path, "ID", id, 1), "", r.body, "Authorization", header)
			if header == "" {
				a = hardSCIMCall(nil, r.method, base+strings.Replace(r.path, "ID", id, 1), "", r.body)
			}
			if a.status != wantStatus || !a.isSCIMError() {
				t.Errorf("%s %s with %s: %d %s, want a SCIM Error %d", r.method, r.path, what, a.status, a.raw, wantStatus)
			}
			if strings.Contains(a.raw, sc.Token) || strings.Contains(a.raw, env.WrikeAdminToken) {
				t.Errorf("%s %s with %s: the answer repeats a token", r.method, r.path, what)
			}
		}
	}
	for _, c := range credentials {
		check(sc.BaseURL, http.StatusUnauthorized, c.header, c.name)
	}
	// A valid token on an integration never enabled, then on one disabled.
	check(hardBase(env, "onelogin"), http.StatusForbidden, "Bearer "+sc.Token, "the onelogin integration never enabled")
	env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": false}, nil)
	mid := h.state(t)
	check(sc.BaseURL, http.StatusForbidden, "Bearer "+sc.Token, "the okta integration disabled")
	if after := h.state(t); after != mid {
		t.Fatalf("refused SCIM requests changed the state:\nbefore:\n%s\nafter:\n%s", mid, after)
	}
	if strings.Count(mid, "target@example.com") != strings.Count(before, "target@example.com") {
		t.Fatal("the user changed while only refused requests were sent")
	}
	env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": true}, nil)
	hardWant(t, hardSCIMCall(nil, "GET", sc.BaseURL+"/Users/"+id, sc.Token, ""), 200, "re-enabled integration")
}

// TestHardeningSCIMRevokedTokenRefusedAtOnce: a SCIM client holding a v4
// token is refused on its very next request after the token is
// regenerated, and after the API app is deleted; the new token works at
// once, also after a restart.
func TestHardeningSCIMRevokedTokenRefusedAtOnce(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id, _ := hardCreate(t, sc, "rotation@example.com")
	url := sc.BaseURL + "/Users/" + id
	old := sc.Token
	var regen struct {
		Data []struct{ Token string } `json:"data"`
	}
	for i := 0; i < 3; i++ {
		hardWant(t, hardSCIMCall(nil, "GET", url, old, ""), 200, "before regenerate")
		env.Admin(t, "POST", "/api_apps/"+sc.AppID+"/regenerate_token", nil, &regen)
		hardWantError(t, hardSCIMCall(nil, "GET", url, old, ""), 401, "", "old token right after regenerate")
		hardWantError(t, hardSCIMCall(nil, "PATCH", url, old,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`), 401, "", "old token PATCH")
		old = regen.Data[0].Token
	}
	env.Restart(t)
	url = hardBase(env, "okta") + "/Users/" + id
	body := hardWant(t, hardSCIMCall(nil, "GET", url, old, ""), 200, "new token after restart")
	if body["active"] != true {
		t.Fatalf("a refused PATCH deactivated the user: %v", body)
	}
	env.Admin(t, "DELETE", "/api_apps/"+sc.AppID, nil, nil)
	hardWantError(t, hardSCIMCall(nil, "GET", url, old, ""), 401, "", "token of a deleted API app")
}

// TestHardeningRegenerateUnderLoad: eight SCIM clients keep calling with a
// v4 token while it is regenerated. No request sent after the regenerate
// call returned is served with the old token.
func TestHardeningRegenerateUnderLoad(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "example.com")
	id, _ := hardCreate(t, sc, "load@example.com")
	var regenerated atomic.Int64 // unix nanos when regenerate returned; 0 before
	var served, refused, late atomic.Int64
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
				a := hardSCIMCall(hardClient, "GET", sc.BaseURL+"/Users/"+id, sc.Token, "")
				switch a.status {
				case 200:
					served.Add(1)
					if r := regenerated.Load(); r != 0 && sent > r {
						late.Add(1)
					}
				case 401:
					refused.Add(1)
				default:
					t.Errorf("GET: %d %s", a.status, a.raw)
					return
				}
			}
		}()
	}
	// Wait for traffic on both sides of the regenerate, however loaded the machine.
	waitFor := func(n *atomic.Int64) {
		for deadline := time.Now().Add(10 * time.Second); n.Load() < 50 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor(&served)
	env.Admin(t, "POST", "/api_apps/"+sc.AppID+"/regenerate_token", nil, nil)
	regenerated.Store(time.Now().UnixNano())
	waitFor(&refused)
	close(stop)
	wg.Wait()
	if late.Load() != 0 || served.Load() == 0 || refused.Load() == 0 {
		t.Fatalf("%d served before, %d refused after, %d served after the regenerate returned", served.Load(), refused.Load(), late.Load())
	}
	t.Logf("%d requests served before the regenerate, %d refused after it, 0 served late", served.Load(), refused.Load())
}
