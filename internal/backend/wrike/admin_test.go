package wrike_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

type answer struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// call sends a request and decodes a JSON object answer.
func call(t *testing.T, method, url, token, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, url, err, raw)
		}
	}
	return a
}

func adminCall(t *testing.T, env *backendtest.Env, method, path, body string) answer {
	t.Helper()
	return call(t, method, env.WrikeURL+"/api/v4"+path, env.WrikeAdminToken, "application/json", body)
}

// data returns the answer's data array, failing unless it is a v4 success.
func (a answer) data(t *testing.T) []map[string]any {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", a.status, a.raw)
	}
	list, ok := a.body["data"].([]any)
	if !ok || a.body["kind"] == nil {
		t.Fatalf("not a v4 answer: %s", a.raw)
	}
	out := make([]map[string]any, len(list))
	for i, v := range list {
		out[i] = v.(map[string]any)
	}
	return out
}

// wantError checks a v4 error answer.
func (a answer) wantError(t *testing.T, status int, code string) {
	t.Helper()
	if a.status != status || a.body["error"] != code {
		t.Fatalf("got %d %s, want %d %s", a.status, a.raw, status, code)
	}
	if d, _ := a.body["errorDescription"].(string); d == "" {
		t.Fatalf("error without a description: %s", a.raw)
	}
}

func TestAdminAuth(t *testing.T) {
	env := backendtest.Start(t)
	scim := env.SetupSCIM(t, "okta", "example.com")

	call(t, "GET", env.WrikeURL+"/api/v4/approved_domains", "", "", "").wantError(t, 401, "not_authorized")
	call(t, "GET", env.WrikeURL+"/api/v4/approved_domains", "wrka_nope", "", "").wantError(t, 401, "not_authorized")
	a := call(t, "GET", env.WrikeURL+"/api/v4/approved_domains", scim.Token, "", "")
	a.wantError(t, 403, "not_allowed")
	if strings.Contains(a.raw, scim.Token) {
		t.Fatal("error body echoes the token")
	}
}

func TestApprovedDomains(t *testing.T) {
	env := backendtest.Start(t)

	created := adminCall(t, env, "POST", "/approved_domains", `{"domain":"Example.COM"}`).data(t)
	if created[0]["domain"] != "example.com" || created[0]["id"] == "" || created[0]["createdDate"] == "" {
		t.Fatalf("created = %v", created)
	}
	id := created[0]["id"].(string)

	adminCall(t, env, "POST", "/approved_domains", `{"domain":"EXAMPLE.com"}`).wantError(t, 409, "already_exists")
	// Wrike's v4 API also takes form-encoded bodies.
	form := call(t, "POST", env.WrikeURL+"/api/v4/approved_domains", env.WrikeAdminToken,
		"application/x-www-form-urlencoded", "domain=second.example.org").data(t)
	if form[0]["domain"] != "second.example.org" {
		t.Fatalf("form create = %v", form)
	}

	for _, bad := range []string{
		`{"domain":"localhost"}`, `{"domain":"-bad.com"}`, `{"domain":"bad-.com"}`, `{"domain":"a..com"}`,
		`{"domain":"under_score.com"}`, `{"domain":"` + strings.Repeat("a", 64) + `.com"}`,
		`{"domain":"user@example.net"}`,
	} {
		adminCall(t, env, "POST", "/approved_domains", bad).wantError(t, 400, "invalid_parameter")
	}
	adminCall(t, env, "POST", "/approved_domains", `{}`).wantError(t, 400, "parameter_required")
	adminCall(t, env, "POST", "/approved_domains", `{"domain":7}`).wantError(t, 400, "invalid_parameter")
	adminCall(t, env, "POST", "/approved_domains", `{"domain":"x.com","extra":1}`).wantError(t, 400, "invalid_parameter")
	adminCall(t, env, "POST", "/approved_domains", `{"domain":`).wantError(t, 400, "invalid_request")

	if list := adminCall(t, env, "GET", "/approved_domains", "").data(t); len(list) != 2 {
		t.Fatalf("after bad input, list = %v (bad input must change nothing)", list)
	}
	if got := adminCall(t, env, "GET", "/approved_domains/"+id, "").data(t); got[0]["domain"] != "example.com" {
		t.Fatalf("get by id = %v", got)
	}
	if got := adminCall(t, env, "GET", "/approved_domains/EXAMPLE.com", "").data(t); got[0]["id"] != id {
		t.Fatalf("get by name = %v", got)
	}
	if got := adminCall(t, env, "DELETE", "/approved_domains/example.com", "").data(t); len(got) != 0 {
		t.Fatalf("delete answer = %v", got)
	}
	adminCall(t, env, "GET", "/approved_domains/"+id, "").wantError(t, 404, "resource_not_found")
	adminCall(t, env, "DELETE", "/approved_domains/"+id, "").wantError(t, 404, "resource_not_found")
	adminCall(t, env, "PATCH", "/approved_domains", "").wantError(t, 405, "method_not_found")
	adminCall(t, env, "GET", "/no_such_thing", "").wantError(t, 404, "resource_not_found")
}

func TestAdminBodyTooLarge(t *testing.T) {
	env := backendtest.Start(t)
	big := `{"domain":"` + strings.Repeat("a", 2<<20) + `"}`
	adminCall(t, env, "POST", "/approved_domains", big).wantError(t, 413, "request_too_large")
}

func TestAPIApps(t *testing.T) {
	env := backendtest.Start(t)

	app := adminCall(t, env, "POST", "/api_apps", `{"name":"Okta provisioning","description":"SCIM from Okta"}`).data(t)[0]
	token, _ := app["token"].(string)
	if !strings.HasPrefix(token, "wrk4_") || app["name"] != "Okta provisioning" || app["tokenCreatedDate"] == "" {
		t.Fatalf("created app = %v", app)
	}
	id := app["id"].(string)

	for _, path := range []string{"/api_apps", "/api_apps/" + id} {
		a := adminCall(t, env, "GET", path, "")
		if strings.Contains(a.raw, token) || strings.Contains(a.raw, `"token"`) {
			t.Fatalf("GET %s shows the token: %s", path, a.raw)
		}
		a.data(t)
	}
	adminCall(t, env, "POST", "/api_apps", `{"description":"x"}`).wantError(t, 400, "parameter_required")
	adminCall(t, env, "POST", "/api_apps", `{"name":"  "}`).wantError(t, 400, "invalid_parameter")

	upd := adminCall(t, env, "PUT", "/api_apps/"+id, `{"description":"changed"}`).data(t)[0]
	if upd["name"] != "Okta provisioning" || upd["description"] != "changed" || upd["token"] != nil {
		t.Fatalf("updated = %v", upd)
	}

	regen := adminCall(t, env, "POST", "/api_apps/"+id+"/regenerate_token", "").data(t)[0]
	newToken, _ := regen["token"].(string)
	if newToken == "" || newToken == token {
		t.Fatalf("regenerated = %v", regen)
	}

	adminCall(t, env, "DELETE", "/api_apps/"+id, "").data(t)
	adminCall(t, env, "GET", "/api_apps/"+id, "").wantError(t, 404, "resource_not_found")
	adminCall(t, env, "POST", "/api_apps/"+id+"/regenerate_token", "").wantError(t, 404, "resource_not_found")
}

func TestSCIMIntegrations(t *testing.T) {
	env := backendtest.Start(t)

	list := adminCall(t, env, "GET", "/scim_integrations", "").data(t)
	if len(list) != 3 {
		t.Fatalf("integrations = %v", list)
	}
	for i, p := range []string{"okta", "azure_ad", "onelogin"} {
		in := list[i]
		if in["id"] != p || in["identityProvider"] != p || in["enabled"] != false || in["defaultUserType"] != "Regular" ||
			in["scimUrl"] != env.WrikeURL+"/scim/"+p+"/v2" {
			t.Fatalf("integration %d = %v", i, in)
		}
	}

	got := adminCall(t, env, "PUT", "/scim_integrations/azure_ad", `{"enabled":true,"defaultUserType":"collaborator"}`).data(t)[0]
	if got["enabled"] != true || got["defaultUserType"] != "Collaborator" {
		t.Fatalf("updated = %v", got)
	}
	adminCall(t, env, "PUT", "/scim_integrations/azure_ad", `{"defaultUserType":"Boss"}`).wantError(t, 400, "invalid_parameter")
	adminCall(t, env, "PUT", "/scim_integrations/azure_ad", `{"enabled":"maybe"}`).wantError(t, 400, "invalid_parameter")
	adminCall(t, env, "PUT", "/scim_integrations/google", `{"enabled":true}`).wantError(t, 404, "resource_not_found")
	adminCall(t, env, "GET", "/scim_integrations/google", "").wantError(t, 404, "resource_not_found")

	again := adminCall(t, env, "GET", "/scim_integrations/azure_ad", "").data(t)[0]
	if again["enabled"] != true || again["defaultUserType"] != "Collaborator" {
		t.Fatalf("bad updates changed the integration: %v", again)
	}
	form := call(t, "PUT", env.WrikeURL+"/api/v4/scim_integrations/okta", env.WrikeAdminToken,
		"application/x-www-form-urlencoded", "enabled=true").data(t)[0]
	if form["enabled"] != true {
		t.Fatalf("form update = %v", form)
	}
}

func TestAdminStatePersistsAcrossRestart(t *testing.T) {
	env := backendtest.Start(t)
	scim := env.SetupSCIM(t, "onelogin", "persist.example.com")
	adminCall(t, env, "PUT", "/scim_integrations/onelogin", `{"defaultUserType":"External"}`).data(t)
	acct := adminCall(t, env, "GET", "/account", "").data(t)[0]

	env.Restart(t)

	if d := adminCall(t, env, "GET", "/approved_domains/persist.example.com", "").data(t); len(d) != 1 {
		t.Fatalf("domain lost: %v", d)
	}
	if a := adminCall(t, env, "GET", "/api_apps/"+scim.AppID, "").data(t); a[0]["name"] != "SCIM onelogin" {
		t.Fatalf("app lost: %v", a)
	}
	in := adminCall(t, env, "GET", "/scim_integrations/onelogin", "").data(t)[0]
	if in["enabled"] != true || in["defaultUserType"] != "External" {
		t.Fatalf("integration lost: %v", in)
	}
	if again := adminCall(t, env, "GET", "/account", "").data(t)[0]; again["id"] != acct["id"] {
		t.Fatalf("account changed across restart: %v vs %v", again, acct)
	}
}

func TestAccountAndUsersEmpty(t *testing.T) {
	env := backendtest.Start(t)
	acct := adminCall(t, env, "GET", "/account", "").data(t)[0]
	if acct["billableSeats"] != float64(0) || acct["activeMembers"] != float64(0) || acct["deactivatedMembers"] != float64(0) {
		t.Fatalf("account = %v", acct)
	}
	if users := adminCall(t, env, "GET", "/users", "").data(t); len(users) != 0 {
		t.Fatalf("users = %v", users)
	}
	adminCall(t, env, "GET", "/users?active=perhaps", "").wantError(t, 400, "invalid_parameter")
	adminCall(t, env, "GET", "/users?userType=Boss", "").wantError(t, 400, "invalid_parameter")
	adminCall(t, env, "GET", "/users?colour=red", "").wantError(t, 400, "invalid_parameter")
}

// curl -d labels a JSON body as a form; the admin API reads it as JSON.
func TestAdminJSONBodyLabelledAsForm(t *testing.T) {
	env := backendtest.Start(t)
	got := call(t, "POST", env.WrikeURL+"/api/v4/approved_domains", env.WrikeAdminToken,
		"application/x-www-form-urlencoded", `{"domain":"curl.example.com"}`).data(t)
	if got[0]["domain"] != "curl.example.com" {
		t.Fatalf("created = %v", got)
	}
}

func TestAdminUsersPaged(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "a.example.com", "b.example.com")
	for i := range 7 {
		domain := "a.example.com"
		if i%2 == 1 {
			domain = "b.example.com"
		}
		createUser(t, sc, `{"schemas":["`+coreUser+`"],"userName":"u`+strconv.Itoa(i)+`@`+domain+`"}`)
	}
	type page struct {
		NextPageToken string           `json:"nextPageToken"`
		ResponseSize  int              `json:"responseSize"`
		Data          []map[string]any `json:"data"`
	}
	var names []string
	path := "/users?domain=a.example.com&pageSize=3"
	for range 5 {
		var p page
		env.Admin(t, "GET", path, nil, &p)
		if p.ResponseSize != 4 || len(p.Data) > 3 {
			t.Fatalf("%s: responseSize %d, %d users", path, p.ResponseSize, len(p.Data))
		}
		for _, u := range p.Data {
			names = append(names, u["userName"].(string))
		}
		if p.NextPageToken == "" {
			break
		}
		path = "/users?domain=a.example.com&pageSize=3&nextPageToken=" + p.NextPageToken
	}
	if want := "u0@a.example.com u2@a.example.com u4@a.example.com u6@a.example.com"; strings.Join(names, " ") != want {
		t.Fatalf("paged users = %v, want %s", names, want)
	}
	// Without pageSize the answer is the whole list, as before.
	var all page
	env.Admin(t, "GET", "/users", nil, &all)
	if len(all.Data) != 7 || all.NextPageToken != "" {
		t.Fatalf("unpaged: %d users, token %q", len(all.Data), all.NextPageToken)
	}
	for _, q := range []string{"pageSize=0", "pageSize=1001", "pageSize=x", "nextPageToken=3", "pageSize=2&nextPageToken=-1", "pageSize=2&nextPageToken=abc"} {
		adminCall(t, env, "GET", "/users?"+q, "").wantError(t, 400, "invalid_parameter")
	}
}

func TestAdminInvalidUTF8BodyRefused(t *testing.T) {
	env := backendtest.Start(t)
	for _, tc := range []struct{ contentType, body string }{
		{"application/json", "{\"domain\":\"k\xffss.example.com\"}"},
		{"application/x-www-form-urlencoded", "domain=k%FFss.example.com"},
	} {
		a := call(t, "POST", env.WrikeURL+"/api/v4/approved_domains", env.WrikeAdminToken, tc.contentType, tc.body)
		a.wantError(t, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(a.raw, "UTF-8") {
			t.Fatalf("%s: the description does not say why: %s", tc.contentType, a.raw)
		}
	}
	if got := adminCall(t, env, "GET", "/approved_domains", "").data(t); len(got) != 0 {
		t.Fatalf("a domain was approved from an invalid body: %v", got)
	}
}
