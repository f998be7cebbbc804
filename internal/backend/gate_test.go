package backend_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
	"github.com/wrike-community/terraform-provider-wrike/internal/cost"
)

// TestHeavyRequestsShareOneGate: both faces' heavy requests go through the
// process's one gate. While a heavy request holds its one slot, every kind
// that evaluates a client's expression, decodes users one by one or writes
// a user waits and is refused, each in its face's words (SCIM 503 with a
// detail, the admin API's 429 rate_limit_exceeded, Okta's 429 E0000047),
// while lookups are answered at once; once the slot is free, each kind is
// served. (The gate here counts any work as heavy; with the default
// threshold, ordinary writes and pages pass a held gate:
// TestOrdinaryRequestsPassAHeldGate.)
func TestHeavyRequestsShareOneGate(t *testing.T) {
	testGate(t, cost.GateConfig{Slots: 1, Wait: 30 * time.Millisecond, Heavy: 1}, true)
}

// TestOrdinaryRequestsPassAHeldGate: with the default threshold
// (cost.HeavyWork), the writes and pages of ordinary users (those Okta
// provisions) are light: they are served while a heavy request holds the
// slot; the queries that walk every user and the searches still wait.
func TestOrdinaryRequestsPassAHeldGate(t *testing.T) {
	testGate(t, cost.GateConfig{Slots: 1, Wait: 30 * time.Millisecond}, false)
}

func testGate(t *testing.T, cfg cost.GateConfig, allHeavy bool) {
	gate := cost.NewGate(cfg)
	env := backendtest.Start(t,
		backendtest.WithWrike(func(c *wrike.Config) { c.Gate = gate }),
		backendtest.WithOkta(func(c *okta.Config) { c.Gate = gate }))
	sc := env.SetupSCIM(t, "okta", "acme.example.com")

	type call struct {
		name, method, url, auth, body string
	}
	do := func(c call) (int, map[string]any) {
		t.Helper()
		headers := []string{"Authorization", c.auth}
		if c.body != "" {
			headers = append(headers, "Content-Type", "application/scim+json")
		}
		a := backendtest.Send(nil, c.method, c.url, c.body, headers...).Sent(t)
		return a.Status, a.Body
	}
	scimAuth, adminAuth, oktaAuth := "Bearer "+sc.Token, "Bearer "+env.WrikeAdminToken, "SSWS "+env.OktaAPIToken
	var id string
	for _, login := range []string{"ann.lee", "bo.chen", "cy.diaz"} {
		status, body := do(call{"create", "POST", sc.BaseURL + "/Users", scimAuth,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + login + `@acme.example.com","title":"Engineer","emails":[{"value":"` + login + `@acme.example.com","primary":true}]}`})
		if status != http.StatusCreated {
			t.Fatalf("create %s: %d %v", login, status, body)
		}
		id, _ = body["id"].(string)
	}
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
		`{"op":"replace","path":"title","value":"Lead"},{"op":"replace","path":"emails[value eq \"cy.diaz@acme.example.com\"].display","value":"Cy"}]}`
	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"cy.diaz@acme.example.com","title":"Staff","emails":[{"value":"cy.diaz@acme.example.com","primary":true}]}`
	post := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"di.eng@acme.example.com","emails":[{"value":"di.eng@acme.example.com","primary":true}]}`
	type heavyCall struct {
		call
		busy, ok int
		code     string // the error code the refusal carries, where the face has one
	}
	heavy := []heavyCall{
		{call{"SCIM filter no index answers", "GET", sc.BaseURL + "/Users?filter=" + url.QueryEscape(`title co "x"`), scimAuth, ""}, http.StatusServiceUnavailable, http.StatusOK, ""},
		{call{"Okta search", "GET", env.OktaURL + "/api/v1/users?search=" + url.QueryEscape(`profile.title co "x"`), oktaAuth, ""}, http.StatusTooManyRequests, http.StatusOK, "E0000047"},
	}
	light := []call{
		{"SCIM userName eq lookup", "GET", sc.BaseURL + "/Users?filter=" + url.QueryEscape(`userName eq "bo.chen@acme.example.com"`), scimAuth, ""},
		{"SCIM read by id", "GET", sc.BaseURL + "/Users/" + id, scimAuth, ""},
		{"Okta users page", "GET", env.OktaURL + "/api/v1/users", oktaAuth, ""},
	}
	writesAndPages := []heavyCall{
		{call{"SCIM projected page", "GET", sc.BaseURL + "/Users?attributes=userName&count=3", scimAuth, ""}, http.StatusServiceUnavailable, http.StatusOK, ""},
		{call{"SCIM PATCH with a value filter", "PATCH", sc.BaseURL + "/Users/" + id, scimAuth, patch}, http.StatusServiceUnavailable, http.StatusOK, ""},
		{call{"SCIM PUT", "PUT", sc.BaseURL + "/Users/" + id, scimAuth, put}, http.StatusServiceUnavailable, http.StatusOK, ""},
		{call{"SCIM POST", "POST", sc.BaseURL + "/Users", scimAuth, post}, http.StatusServiceUnavailable, http.StatusCreated, ""},
		{call{"admin users listing", "GET", env.WrikeURL + "/api/v4/users?domain=acme.example.com", adminAuth, ""}, http.StatusTooManyRequests, http.StatusOK, "rate_limit_exceeded"},
	}
	if allHeavy {
		heavy = append(heavy, writesAndPages...)
	} else {
		for _, c := range writesAndPages {
			light = append(light, c.call)
		}
	}

	running := gate.Meter(context.Background(), 0) // a heavy request is running
	if err := running.Hold(); err != nil {
		t.Fatal(err)
	}
	for _, h := range heavy {
		a := backendtest.Send(nil, h.method, h.url, h.body, "Authorization", h.auth, "Content-Type", "application/scim+json").Sent(t)
		switch h.code {
		case "":
			a.WantSCIMError(t, h.busy, "")
		case "rate_limit_exceeded":
			a.WantV4Error(t, h.busy, h.code)
		default:
			if a.Status != h.busy || a.OktaErrorCode() != h.code {
				t.Errorf("%s while the slot is held: %d %s, want %d %s", h.name, a.Status, a.Raw, h.busy, h.code)
			}
		}
	}
	for _, c := range light {
		if status, body := do(c); status != http.StatusOK && status != http.StatusCreated {
			t.Errorf("%s while the slot is held: %d %v, want it served at once", c.name, status, body)
		}
	}
	running.Close()
	if !allHeavy {
		return
	}
	for _, h := range heavy {
		if status, body := do(h.call); status != h.ok {
			t.Errorf("%s once the slot is free: %d %v, want %d", h.name, status, body, h.ok)
		}
	}
}
