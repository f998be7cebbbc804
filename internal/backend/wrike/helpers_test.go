package wrike_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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

// answer is an HTTP answer as the tests read it.
type answer struct {
	req    string // method and URL, for messages
	status int
	header http.Header
	raw    string
	body   map[string]any // the JSON object answered, if it is one
}

// parallelClient keeps enough idle connections for the parallel tests, so
// they measure the server and not connection churn.
var parallelClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

// send makes a request with headers as name, value pairs (an empty value
// removes the header) and reads the answer. It never stops the test, so
// goroutines may call it: a request that could not be made answers status 0
// with the error in raw.
func send(client *http.Client, method, target, body string, headers ...string) answer {
	a := answer{req: fmt.Sprintf("%s %.200s", method, target)}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		a.raw = err.Error()
		return a
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		a.raw = err.Error()
		return a
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.raw = err.Error()
		return a
	}
	a.status, a.header, a.raw = resp.StatusCode, resp.Header, string(raw)
	_ = json.Unmarshal(raw, &a.body)
	return a
}

// sent stops the test unless the request was made and answered nothing or
// a JSON object.
func (a answer) sent(t testing.TB) answer {
	t.Helper()
	if a.status == 0 {
		t.Fatalf("%s: %s", a.req, a.raw)
	}
	if a.raw != "" && a.body == nil {
		t.Fatalf("%s: answer is not a JSON object: %s", a.req, a.raw)
	}
	return a
}

// adminCall calls the admin API (path below /api/v4) with the admin token
// and a JSON body; headers (name, value pairs) replace either.
func adminCall(t testing.TB, env *backendtest.Env, method, path, body string, headers ...string) answer {
	t.Helper()
	h := append([]string{"Authorization", "Bearer " + env.WrikeAdminToken, "Content-Type", "application/json"}, headers...)
	return send(nil, method, env.WrikeURL+"/api/v4"+path, body, h...).sent(t)
}

// scimSend sends a SCIM request as sc's client: its token (none if empty),
// a SCIM media type on a body, then headers as name, value pairs. Like
// send, it never stops the test.
func scimSend(client *http.Client, sc backendtest.SCIM, method, path, body string, headers ...string) answer {
	h := []string{"Authorization", "", "Content-Type", ""}
	if sc.Token != "" {
		h[1] = "Bearer " + sc.Token
	}
	if body != "" {
		h[3] = "application/scim+json"
	}
	return send(client, method, sc.BaseURL+path, body, append(h, headers...)...)
}

// scimDo is scimSend for the test's own goroutine: it stops the test unless
// the answer is empty or SCIM JSON.
func scimDo(t testing.TB, sc backendtest.SCIM, method, path, body string, headers ...string) answer {
	t.Helper()
	a := scimSend(nil, sc, method, path, body, headers...).sent(t)
	if ct := a.header.Get("Content-Type"); a.raw != "" && !strings.HasPrefix(ct, "application/scim+json") {
		t.Fatalf("%s: Content-Type %q: %s", a.req, ct, a.raw)
	}
	return a
}

// want stops the test unless the answer has status, and returns its body.
func (a answer) want(t testing.TB, status int) map[string]any {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d: %s", a.req, a.status, status, a.raw)
	}
	return a.body
}

// data returns the answer's data array, failing unless it is a v4 success.
func (a answer) data(t testing.TB) []map[string]any {
	t.Helper()
	a.want(t, http.StatusOK)
	list, ok := a.body["data"].([]any)
	if !ok || a.body["kind"] == nil {
		t.Fatalf("%s: not a v4 answer: %s", a.req, a.raw)
	}
	out := make([]map[string]any, len(list))
	for i, v := range list {
		out[i] = v.(map[string]any)
	}
	return out
}

// isError reports whether the answer is a v4 error of status and code with
// a description.
func (a answer) isError(status int, code string) bool {
	d, _ := a.body["errorDescription"].(string)
	return a.status == status && a.body["error"] == code && d != ""
}

func (a answer) wantError(t testing.TB, status int, code string) {
	t.Helper()
	if !a.isError(status, code) {
		t.Fatalf("%s: got %d %s, want a v4 error %d %s with a description", a.req, a.status, a.raw, status, code)
	}
}

// isSCIMError reports whether the answer is a SCIM Error of its own status
// with a detail.
func (a answer) isSCIMError() bool {
	schemas, _ := a.body["schemas"].([]any)
	d, _ := a.body["detail"].(string)
	return len(schemas) == 1 && schemas[0] == "urn:ietf:params:scim:api:messages:2.0:Error" &&
		a.body["status"] == fmt.Sprint(a.status) && d != ""
}

// wantSCIMError stops the test unless the answer is a SCIM Error of status
// (and of scimType, if given).
func (a answer) wantSCIMError(t testing.TB, status int, scimType string) {
	t.Helper()
	if a.status != status || !a.isSCIMError() || (scimType != "" && a.body["scimType"] != scimType) {
		t.Fatalf("%s: got %d %s, want a SCIM Error %d %s with a detail", a.req, a.status, a.raw, status, scimType)
	}
}

func createUser(t testing.TB, sc backendtest.SCIM, body string) map[string]any {
	t.Helper()
	return scimDo(t, sc, "POST", "/Users", body).want(t, http.StatusCreated)
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
	return adminCall(t, env, "GET", "/scim_integrations/"+provider, "").data(t)[0]["scimUrl"].(string)
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
