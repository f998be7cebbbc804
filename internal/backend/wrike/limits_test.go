package wrike_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestHardeningAdminLimits: the admin API's bounds (body size, name and
// description length, domain length) answer the v4 error and change nothing.
func TestHardeningAdminLimits(t *testing.T) {
	env := backendtest.Start(t)
	h := &hardFace{env: env, handler: env.Backend.Wrike, adminTok: env.WrikeAdminToken, snap: hardOpenSnap(t, env)}
	app := adminCall(t, env, "POST", "/api_apps", `{"name":"bounded"}`).data(t)[0]
	before := h.state(t)
	for _, c := range []struct{ method, path, body, code string }{
		{"POST", "/approved_domains", `{"domain":"` + strings.Repeat("a", 1<<20) + `.com"}`, "request_too_large"},
		{"POST", "/api_apps", `{"name":"x","description":"` + strings.Repeat("d", 1<<20) + `"}`, "request_too_large"},
		{"PUT", "/scim_integrations/okta", `{"enabled":true,"defaultUserType":"` + strings.Repeat("R", 1<<20) + `"}`, "request_too_large"},
		{"POST", "/approved_domains", `{"domain":"` + strings.Repeat("a.", 127) + `com"}`, "invalid_parameter"},
		{"POST", "/api_apps", `{"name":"` + strings.Repeat("n", 201) + `"}`, "invalid_parameter"},
		{"PUT", "/api_apps/" + app["id"].(string), `{"description":"` + strings.Repeat("d", 2001) + `"}`, "invalid_parameter"},
	} {
		a := adminCall(t, env, c.method, c.path, c.body)
		status := http.StatusBadRequest
		if c.code == "request_too_large" {
			status = http.StatusRequestEntityTooLarge
		}
		a.wantError(t, status, c.code)
	}
	if after := h.state(t); after != before {
		t.Fatalf("refused requests changed the state:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
