package wrike_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func TestApprovedDomains(t *testing.T) {
	env := backendtest.Start(t)

	created := adminCall(t, env, "POST", "/approved_domains", `{"domain":"Example.COM"}`).Data(t)
	if created[0]["domain"] != "example.com" || created[0]["id"] == "" || created[0]["createdDate"] == "" {
		t.Fatalf("created = %v", created)
	}
	id := created[0]["id"].(string)

	adminCall(t, env, "POST", "/approved_domains", `{"domain":"EXAMPLE.com"}`).WantV4Error(t, 409, "already_exists")
	// Wrike's v4 API also takes form-encoded bodies.
	form := adminCall(t, env, "POST", "/approved_domains", "domain=second.example.org", "Content-Type", "application/x-www-form-urlencoded").Data(t)
	if form[0]["domain"] != "second.example.org" {
		t.Fatalf("form create = %v", form)
	}

	for _, bad := range []string{
		`{"domain":"localhost"}`, `{"domain":"-bad.com"}`, `{"domain":"bad-.com"}`, `{"domain":"a..com"}`,
		`{"domain":"under_score.com"}`, `{"domain":"` + strings.Repeat("a", 64) + `.com"}`,
		`{"domain":"user@example.net"}`,
	} {
		adminCall(t, env, "POST", "/approved_domains", bad).WantV4Error(t, 400, "invalid_parameter")
	}
	adminCall(t, env, "POST", "/approved_domains", `{}`).WantV4Error(t, 400, "parameter_required")
	adminCall(t, env, "POST", "/approved_domains", `{"domain":7}`).WantV4Error(t, 400, "invalid_parameter")
	adminCall(t, env, "POST", "/approved_domains", `{"domain":"x.com","extra":1}`).WantV4Error(t, 400, "invalid_parameter")
	adminCall(t, env, "POST", "/approved_domains", `{"domain":`).WantV4Error(t, 400, "invalid_request")

	if list := adminCall(t, env, "GET", "/approved_domains", "").Data(t); len(list) != 2 {
		t.Fatalf("after bad input, list = %v (bad input must change nothing)", list)
	}
	if got := adminCall(t, env, "GET", "/approved_domains/"+id, "").Data(t); got[0]["domain"] != "example.com" {
		t.Fatalf("get by id = %v", got)
	}
	if got := adminCall(t, env, "GET", "/approved_domains/EXAMPLE.com", "").Data(t); got[0]["id"] != id {
		t.Fatalf("get by name = %v", got)
	}
	if got := adminCall(t, env, "DELETE", "/approved_domains/example.com", "").Data(t); len(got) != 0 {
		t.Fatalf("delete answer = %v", got)
	}
	adminCall(t, env, "GET", "/approved_domains/"+id, "").WantV4Error(t, 404, "resource_not_found")
	adminCall(t, env, "DELETE", "/approved_domains/"+id, "").WantV4Error(t, 404, "resource_not_found")
	adminCall(t, env, "PATCH", "/approved_domains", "").WantV4Error(t, 405, "method_not_found")
	adminCall(t, env, "GET", "/no_such_thing", "").WantV4Error(t, 404, "resource_not_found")
}

func TestAPIApps(t *testing.T) {
	env := backendtest.Start(t)

	app := adminCall(t, env, "POST", "/api_apps", `{"name":"Okta provisioning","description":"SCIM from Okta"}`).Data(t)[0]
	token, _ := app["token"].(string)
	if !strings.HasPrefix(token, "wrk4_") || app["name"] != "Okta provisioning" || app["tokenCreatedDate"] == "" {
		t.Fatalf("created app = %v", app)
	}
	id := app["id"].(string)

	for _, path := range []string{"/api_apps", "/api_apps/" + id} {
		a := adminCall(t, env, "GET", path, "")
		if strings.Contains(a.Raw, token) || strings.Contains(a.Raw, `"token"`) {
			t.Fatalf("GET %s shows the token: %s", path, a.Raw)
		}
		a.Data(t)
	}
	adminCall(t, env, "POST", "/api_apps", `{"description":"x"}`).WantV4Error(t, 400, "parameter_required")
	adminCall(t, env, "POST", "/api_apps", `{"name":"  "}`).WantV4Error(t, 400, "invalid_parameter")

	upd := adminCall(t, env, "PUT", "/api_apps/"+id, `{"description":"changed"}`).Data(t)[0]
	if upd["name"] != "Okta provisioning" || upd["description"] != "changed" || upd["token"] != nil {
		t.Fatalf("updated = %v", upd)
	}

	regen := adminCall(t, env, "POST", "/api_apps/"+id+"/regenerate_token", "").Data(t)[0]
	newToken, _ := regen["token"].(string)
	if newToken == "" || newToken == token {
		t.Fatalf("regenerated = %v", regen)
	}

	adminCall(t, env, "DELETE", "/api_apps/"+id, "").Data(t)
	adminCall(t, env, "GET", "/api_apps/"+id, "").WantV4Error(t, 404, "resource_not_found")
	adminCall(t, env, "POST", "/api_apps/"+id+"/regenerate_token", "").WantV4Error(t, 404, "resource_not_found")
}

func TestSCIMIntegrations(t *testing.T) {
	env := backendtest.Start(t)

	list := adminCall(t, env, "GET", "/scim_integrations", "").Data(t)
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

	got := adminCall(t, env, "PUT", "/scim_integrations/azure_ad", `{"enabled":true,"defaultUserType":"collaborator"}`).Data(t)[0]
	if got["enabled"] != true || got["defaultUserType"] != "Collaborator" {
		t.Fatalf("updated = %v", got)
	}
	adminCall(t, env, "PUT", "/scim_integrations/azure_ad", `{"defaultUserType":"Boss"}`).WantV4Error(t, 400, "invalid_parameter")
	adminCall(t, env, "PUT", "/scim_integrations/azure_ad", `{"enabled":"maybe"}`).WantV4Error(t, 400, "invalid_parameter")
	adminCall(t, env, "PUT", "/scim_integrations/google", `{"enabled":true}`).WantV4Error(t, 404, "resource_not_found")
	adminCall(t, env, "GET", "/scim_integrations/google", "").WantV4Error(t, 404, "resource_not_found")

	again := adminCall(t, env, "GET", "/scim_integrations/azure_ad", "").Data(t)[0]
	if again["enabled"] != true || again["defaultUserType"] != "Collaborator" {
		t.Fatalf("bad updates changed the integration: %v", again)
	}
	form := adminCall(t, env, "PUT", "/scim_integrations/okta", "enabled=true", "Content-Type", "application/x-www-form-urlencoded").Data(t)[0]
	if form["enabled"] != true {
		t.Fatalf("form update = %v", form)
	}
}

func TestAdminStatePersistsAcrossRestart(t *testing.T) {
	env := backendtest.Start(t)
	scim := env.SetupSCIM(t, "onelogin", "persist.example.com")
	adminCall(t, env, "PUT", "/scim_integrations/onelogin", `{"defaultUserType":"External"}`).Data(t)
	acct := adminCall(t, env, "GET", "/account", "").Data(t)[0]

	env.Restart(t)

	if d := adminCall(t, env, "GET", "/approved_domains/persist.example.com", "").Data(t); len(d) != 1 {
		t.Fatalf("domain lost: %v", d)
	}
	if a := adminCall(t, env, "GET", "/api_apps/"+scim.AppID, "").Data(t); a[0]["name"] != "SCIM onelogin" {
		t.Fatalf("app lost: %v", a)
	}
	in := adminCall(t, env, "GET", "/scim_integrations/onelogin", "").Data(t)[0]
	if in["enabled"] != true || in["defaultUserType"] != "External" {
		t.Fatalf("integration lost: %v", in)
	}
	if again := adminCall(t, env, "GET", "/account", "").Data(t)[0]; again["id"] != acct["id"] {
		t.Fatalf("account changed across restart: %v vs %v", again, acct)
	}
}

func TestAccountAndUsersEmpty(t *testing.T) {
	env := backendtest.Start(t)
	acct := adminCall(t, env, "GET", "/account", "").Data(t)[0]
	if acct["billableSeats"] != float64(0) || acct["activeMembers"] != float64(0) || acct["deactivatedMembers"] != float64(0) {
		t.Fatalf("account = %v", acct)
	}
	if users := adminCall(t, env, "GET", "/users", "").Data(t); len(users) != 0 {
		t.Fatalf("users = %v", users)
	}
	adminCall(t, env, "GET", "/users?active=perhaps", "").WantV4Error(t, 400, "invalid_parameter")
	adminCall(t, env, "GET", "/users?userType=Boss", "").WantV4Error(t, 400, "invalid_parameter")
	adminCall(t, env, "GET", "/users?colour=red", "").WantV4Error(t, 400, "invalid_parameter")
}

// curl -d labels a JSON body as a form; the admin API reads it as JSON.
func TestAdminJSONBodyLabelledAsForm(t *testing.T) {
	env := backendtest.Start(t)
	got := adminCall(t, env, "POST", "/approved_domains", `{"domain":"curl.example.com"}`, "Content-Type", "application/x-www-form-urlencoded").Data(t)
	if got[0]["domain"] != "curl.example.com" {
		t.Fatalf("created = %v", got)
	}
}

func TestAdminInvalidUTF8BodyRefused(t *testing.T) {
	env := backendtest.Start(t)
	for _, tc := range []struct{ contentType, body string }{
		{"application/json", "{\"domain\":\"k\xffss.example.com\"}"},
		{"application/x-www-form-urlencoded", "domain=k%FFss.example.com"},
	} {
		a := adminCall(t, env, "POST", "/approved_domains", tc.body, "Content-Type", tc.contentType)
		a.WantV4Error(t, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(a.Raw, "UTF-8") {
			t.Fatalf("%s: the description does not say why: %s", tc.contentType, a.Raw)
		}
	}
	if got := adminCall(t, env, "GET", "/approved_domains", "").Data(t); len(got) != 0 {
		t.Fatalf("a domain was approved from an invalid body: %v", got)
	}
}
