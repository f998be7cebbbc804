package wrike_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

const (
	coreUser   = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	wrikeExt   = "urn:ietf:params:scim:schemas:extension:wrike:2.0:User"
	patchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// parallelClient keeps enough idle connections for the parallel tests, so
// they measure the server and not connection churn.
var parallelClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

// adminCall calls the admin API (path below /api/v4) with the admin token
// and a JSON body; headers (name, value pairs) replace either.
func adminCall(t testing.TB, env *backendtest.Env, method, path, body string, headers ...string) backendtest.Answer {
	t.Helper()
	h := append([]string{"Authorization", "Bearer " + env.WrikeAdminToken, "Content-Type", "application/json"}, headers...)
	return backendtest.Send(nil, method, env.WrikeURL+"/api/v4"+path, body, h...).SentObject(t)
}

// scimSend sends a SCIM request as sc's client: its token (none if empty),
// a SCIM media type on a body, then headers as name, value pairs. Like
// backendtest.Send, it never stops the test.
func scimSend(client *http.Client, sc backendtest.SCIM, method, path, body string, headers ...string) backendtest.Answer {
	h := []string{"Authorization", "", "Content-Type", ""}
	if sc.Token != "" {
		h[1] = "Bearer " + sc.Token
	}
	if body != "" {
		h[3] = "application/scim+json"
	}
	return backendtest.Send(client, method, sc.BaseURL+path, body, append(h, headers...)...)
}

// scimDo is scimSend for the test's own goroutine: it stops the test unless
// the answer is empty or SCIM JSON.
func scimDo(t testing.TB, sc backendtest.SCIM, method, path, body string, headers ...string) backendtest.Answer {
	t.Helper()
	a := scimSend(nil, sc, method, path, body, headers...).SentObject(t)
	if ct := a.Header.Get("Content-Type"); a.Raw != "" && !strings.HasPrefix(ct, "application/scim+json") {
		t.Fatalf("%s: Content-Type %q: %s", a.Req, ct, a.Raw)
	}
	return a
}

func createUser(t testing.TB, sc backendtest.SCIM, body string) map[string]any {
	t.Helper()
	return scimDo(t, sc, "POST", "/Users", body).Want(t, http.StatusCreated)
}

// oktaUser is a user as Okta's Wrike app creates it.
func oktaUser(login, first, last string) string {
	return fmt.Sprintf(`{"schemas":["%s","%s"],"userName":%q,"name":{"givenName":%q,"familyName":%q},
		"emails":[{"primary":true,"value":%q,"type":"work"}],"displayName":"%s %s","title":"Engineer",
		"phoneNumbers":[{"primary":true,"value":"+1 555 0100","type":"work"}],
		"%s":{"organization":"Acme","department":"R&D"},
		"password":"Secr3t-from-Okta","active":true}`,
		coreUser, enterprise, login, first, last, login, first, last, enterprise)
}

// patchOps is a PatchOp request body with the given operations.
func patchOps(ops string) string { return `{"schemas":["` + patchOp + `"],"Operations":[` + ops + `]}` }

// get walks a decoded JSON document by a path of keys and indexes such as
// "emails/0/value".
func get(m map[string]any, path string) any {
	var cur any = m
	for _, p := range strings.Split(path, "/") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func filterQuery(f string) string { return "/Users?filter=" + url.QueryEscape(f) }

// scimURL is a provider's SCIM base URL as the admin API tells it (a
// restart changes the port).
func scimURL(t testing.TB, env *backendtest.Env, provider string) string {
	t.Helper()
	return adminCall(t, env, "GET", "/scim_integrations/"+provider, "").Data(t)[0]["scimUrl"].(string)
}

// restart restarts the backend and points sc at its provider's SCIM URL on
// the new port.
func restart(t testing.TB, env *backendtest.Env, sc *backendtest.SCIM) {
	t.Helper()
	_, provider, _ := strings.Cut(strings.TrimSuffix(sc.BaseURL, "/v2"), "/scim/")
	env.Restart(t)
	sc.BaseURL = scimURL(t, env, provider)
}

func hashHex(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// openSnapshot opens a reader of what the backend has stored, closed when
// the test ends.
func openSnapshot(t testing.TB, env *backendtest.Env) *reliabilitytest.Snapshotter {
	t.Helper()
	snap, err := reliabilitytest.OpenSnapshotter(env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = snap.Close() })
	return snap
}

// state is what a refused request must leave alone: every stored row and
// what the admin API shows from memory. It calls the handler in-process,
// so the fuzz targets can afford it around every request.
func state(t testing.TB, env *backendtest.Env, snap *reliabilitytest.Snapshotter) string {
	t.Helper()
	db, err := snap.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	var b strings.Builder
	b.WriteString(db)
	for _, p := range []string{"/approved_domains", "/api_apps", "/scim_integrations", "/users", "/account"} {
		b.WriteString(p + " " + getInProcess(t, env, "/api/v4"+p, env.WrikeAdminToken))
	}
	return b.String()
}

// wantUnchanged stops the test unless the state is still before: what
// refused requests must do.
func wantUnchanged(t testing.TB, env *backendtest.Env, snap *reliabilitytest.Snapshotter, before string) {
	t.Helper()
	if after := state(t, env, snap); after != before {
		t.Fatalf("refused requests changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// getInProcess is a GET with token through the Wrike face's handler,
// without the network; it stops the test unless the answer is 200.
func getInProcess(t testing.TB, env *backendtest.Env, target, token string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	env.Backend.Wrike.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	return rec.Body.String()
}
