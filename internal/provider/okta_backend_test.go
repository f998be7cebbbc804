package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

// orgFixture is a reference backend with an Okta org holding a Wrike app,
// users and groups, and a Wrike account ready for SCIM from Okta. Tests
// arrange it and check effects through the faces' own APIs, as a user of
// Okta and Wrike would see them.
type orgFixture struct {
	t   *testing.T
	env *backendtest.Env
	// AppID is the Okta app instance of Wrike.
	AppID string
	// Users maps a login's local part to its Okta user id.
	Users map[string]string
	// Groups maps a group name to its Okta group id.
	Groups map[string]string
	// scimAppID is the Wrike API app whose token wrikeSCIM returned.
	scimAppID string
}

func newOrgFixture(t *testing.T) *orgFixture {
	t.Helper()
	f := &orgFixture{t: t, env: backendtest.Start(t), Users: map[string]string{}, Groups: map[string]string{}}
	var app struct {
		ID string `json:"id"`
	}
	f.okta(http.MethodPost, "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &app)
	f.AppID = app.ID
	return f
}

// addUser creates an active Okta user login@domain with all eight
// profile attributes that map to Wrike.
func (f *orgFixture) addUser(login, domain string, groups ...string) string {
	f.t.Helper()
	email := login + "@" + domain
	var u struct {
		ID string `json:"id"`
	}
	f.okta(http.MethodPost, "/api/v1/users?activate=true", map[string]any{"profile": map[string]any{
		"login": email, "email": email, "firstName": strings.ToUpper(login[:1]) + login[1:], "lastName": "Tester",
		"title": "Engineer " + login, "primaryPhone": "+1 555 0100", "organization": "Acme", "department": "R&D " + login,
	}}, &u)
	f.Users[login] = u.ID
	for _, g := range groups {
		f.okta(http.MethodPut, "/api/v1/groups/"+f.group(g)+"/users/"+u.ID, nil, nil)
	}
	return u.ID
}

func (f *orgFixture) group(name string) string {
	f.t.Helper()
	if id, ok := f.Groups[name]; ok {
		return id
	}
	var g struct {
		ID string `json:"id"`
	}
	f.okta(http.MethodPost, "/api/v1/groups", map[string]any{"profile": map[string]any{"name": name}}, &g)
	f.Groups[name] = g.ID
	return g.ID
}

// wrikeSCIM approves acme.example.com, creates an API app and enables the Okta SCIM
// integration; it returns the SCIM base URL and the v4 token.
func (f *orgFixture) wrikeSCIM() (scimURL, token string) {
	f.t.Helper()
	s := f.env.SetupSCIM(f.t, "okta", "acme.example.com")
	f.scimAppID = s.AppID
	return s.BaseURL, s.Token
}

// config renders the provider block for this backend and an
// okta_wrike_provisioning "p" with the given body.
func (f *orgFixture) config(body string) string {
	return provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, f.env.OktaURL, f.env.OktaAPIToken, body)
}

// tokenWOHead is the start of an okta_wrike_provisioning body for this
// fixture's app with the token write-only, version 1.
func (f *orgFixture) tokenWOHead(scimURL, token string) string {
	return fmt.Sprintf(`
  app_id                  = %q
  scim_base_url           = %q
  bearer_token_wo         = %q
  bearer_token_wo_version = 1
`, f.AppID, scimURL, token)
}

// wrikeToken creates another Wrike API app and returns its v4 token.
func (f *orgFixture) wrikeToken(name string) string {
	f.t.Helper()
	var out struct {
		Data []struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	f.env.Admin(f.t, http.MethodPost, "/api_apps", map[string]any{"name": name}, &out)
	return out.Data[0].Token
}

// okta calls the Okta face and decodes a 2xx answer into out.
func (f *orgFixture) okta(method, path string, body, out any) {
	f.t.Helper()
	f.call(f.env.OktaURL+path, "SSWS "+f.env.OktaAPIToken, method, body, out)
}

func (f *orgFixture) call(target, auth, method string, body, out any) {
	f.t.Helper()
	if err := doJSON(target, auth, method, body, out); err != nil {
		f.t.Fatal(err)
	}
}

// doJSON is call without a *testing.T, for checks that return an error.
func doJSON(target, auth, method string, body, out any) error {
	headers := []string{"Authorization", auth, "Accept", "application/json"}
	if body != nil {
		headers = append(headers, "Content-Type", "application/json")
	}
	a := backendtest.Send(nil, method, target, body, headers...)
	if a.Status/100 != 2 {
		return fmt.Errorf("%s: HTTP %d: %s", a.Req, a.Status, a.Raw)
	}
	if out != nil && a.Raw != "" {
		if err := json.Unmarshal([]byte(a.Raw), out); err != nil {
			return fmt.Errorf("%s: %w in %s", a.Req, err, a.Raw)
		}
	}
	return nil
}

// waitIdle blocks until the Okta face has pushed every pending change.
func (f *orgFixture) waitIdle() error {
	var counts struct {
		Pending int `json:"pending"`
		Failed  int `json:"failed"`
	}
	if err := doJSON(f.env.OktaURL+"/api/v1/_backend/provisioning/wait?timeout=30s", "SSWS "+f.env.OktaAPIToken, http.MethodGet, nil, &counts); err != nil {
		return err
	}
	if counts.Pending != 0 {
		return fmt.Errorf("provisioning still has %d pending tasks", counts.Pending)
	}
	return nil
}

// wrikeUsers waits for provisioning to settle and returns Wrike's users by
// userName, read with the provider's own Wrike client.
func (f *orgFixture) wrikeUsers() (map[string]wrikeapi.User, error) {
	if err := f.waitIdle(); err != nil {
		return nil, err
	}
	c, err := wrikeclient.New(wrikeclient.Config{URL: f.env.WrikeURL, Token: f.env.WrikeAdminToken, Version: "test"})
	if err != nil {
		return nil, err
	}
	list, err := c.ListUsers(context.Background(), wrikeclient.UserFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]wrikeapi.User{}
	for _, u := range list {
		out[u.UserName] = u
	}
	return out, nil
}

// oktaAssignments reads the app's assignments from the Okta face:
// group id → user type, and direct (scope USER) user id → user type.
func (f *orgFixture) oktaAssignments() (groups, users map[string]string, err error) {
	var ag []struct {
		ID      string            `json:"id"`
		Profile map[string]string `json:"profile"`
	}
	if err := doJSON(f.env.OktaURL+"/api/v1/apps/"+f.AppID+"/groups", "SSWS "+f.env.OktaAPIToken, http.MethodGet, nil, &ag); err != nil {
		return nil, nil, err
	}
	var au []struct {
		ID      string         `json:"id"`
		Scope   string         `json:"scope"`
		Profile map[string]any `json:"profile"`
	}
	if err := doJSON(f.env.OktaURL+"/api/v1/apps/"+f.AppID+"/users", "SSWS "+f.env.OktaAPIToken, http.MethodGet, nil, &au); err != nil {
		return nil, nil, err
	}
	groups, users = map[string]string{}, map[string]string{}
	for _, g := range ag {
		groups[g.ID] = g.Profile["userType"]
	}
	for _, u := range au {
		if u.Scope == "USER" {
			ut, _ := u.Profile["userType"].(string)
			users[u.ID] = ut
		}
	}
	return groups, users, nil
}

// connection reads the app's provisioning connection and toggles.
func (f *orgFixture) connection() (status, baseURL string, toggles [3]bool, err error) {
	var c struct {
		Status  string `json:"status"`
		BaseURL string `json:"baseUrl"`
	}
	if err := doJSON(f.env.OktaURL+"/api/v1/apps/"+f.AppID+"/connections/default", "SSWS "+f.env.OktaAPIToken, http.MethodGet, nil, &c); err != nil {
		return "", "", toggles, err
	}
	var feat struct {
		Capabilities struct {
			Create struct {
				LifecycleCreate struct{ Status string } `json:"lifecycleCreate"`
			} `json:"create"`
			Update struct {
				Profile             struct{ Status string } `json:"profile"`
				LifecycleDeactivate struct{ Status string } `json:"lifecycleDeactivate"`
			} `json:"update"`
		} `json:"capabilities"`
	}
	if err := doJSON(f.env.OktaURL+"/api/v1/apps/"+f.AppID+"/features/USER_PROVISIONING", "SSWS "+f.env.OktaAPIToken, http.MethodGet, nil, &feat); err != nil {
		return "", "", toggles, err
	}
	caps := feat.Capabilities
	toggles = [3]bool{
		caps.Create.LifecycleCreate.Status == "ENABLED",
		caps.Update.Profile.Status == "ENABLED",
		caps.Update.LifecycleDeactivate.Status == "ENABLED",
	}
	return c.Status, c.BaseURL, toggles, nil
}

// expectMap compares two string maps, naming the difference.
func expectMap(what string, got, want map[string]string) error {
	if len(got) == len(want) {
		same := true
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				same = false
			}
		}
		if same {
			return nil
		}
	}
	return fmt.Errorf("%s = %s, want %s", what, fmtMap(got), fmtMap(want))
}

func fmtMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + m[k]
	}
	return "{" + strings.Join(parts, " ") + "}"
}
