// Package backendtest runs the reference backend for tests of any package:
// the faces on httptest servers bound to 127.0.0.1, the data in t.TempDir(),
// everything stopped by t.Cleanup. Typical use:
//
//	env := backendtest.Start(t)
//	scim := env.SetupSCIM(t, "okta", "example.com") // approved domain + API app + enabled integration
//	// scim.BaseURL = http://127.0.0.1:N/scim/okta/v2, scim.Token = the v4 token
//
// Tests call either face with Send and check what it answered with the
// Answer's methods:
//
//	a := backendtest.Send(nil, "GET", scim.BaseURL+"/Users", nil, "Authorization", "Bearer "+scim.Token)
//	list := a.Want(t, http.StatusOK) // or a.WantSCIMError(t, 404, ""), a.Check(200, &out) in a goroutine
package backendtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/credential"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
)

// Env is a running backend.
type Env struct {
	// WrikeURL is the Wrike face's base URL (the admin API is WrikeURL+"/api/v4").
	WrikeURL string
	// WrikeAdminToken is a valid Wrike admin token.
	WrikeAdminToken string
	// OktaURL is the Okta face's org URL (the API is OktaURL+"/api/v1").
	OktaURL string
	// OktaAPIToken is a valid Okta API token (Authorization: SSWS <token>).
	OktaAPIToken string
	// Backend is the backend itself, for checks on its state.
	Backend *backend.Backend
	// DataDir holds the database; Restart reopens it.
	DataDir string

	cfg   backend.Config
	wrike *httptest.Server
	okta  *httptest.Server
	// held: the test starts provisioning itself (WithHeldProvisioning).
	held bool
}

// Option changes the backend's configuration before it starts.
type Option func(*backend.Config)

// WithClock fixes the backend's clock.
func WithClock(now func() time.Time) Option { return func(c *backend.Config) { c.Clock = now } }

// WithOkta adjusts the Okta face's configuration (rate limit, workers,
// retry backoff, SCIM call timeout).
func WithOkta(fn func(*okta.Config)) Option { return func(c *backend.Config) { c.Okta = fn } }

// WithWrike adjusts the Wrike face's configuration (the scan budget).
func WithWrike(fn func(*wrike.Config)) Option { return func(c *backend.Config) { c.Wrike = fn } }

// WithHeldProvisioning leaves the Okta face's engine held after each start
// (backend.Config.HoldProvisioning) until the test calls
// Backend.StartProvisioning; otherwise the engine starts once both faces
// serve, as in the binary.
func WithHeldProvisioning() Option {
	return func(c *backend.Config) { c.HoldProvisioning = true }
}

// Start starts a backend with a fresh data directory and random admin and
// Okta API tokens.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	cfg := backend.Config{DataDir: t.TempDir(), AdminToken: credential.New("wrka_", 32), OktaAPIToken: credential.New("00", 32)}
	for _, o := range opts {
		o(&cfg)
	}
	env := &Env{cfg: cfg, DataDir: cfg.DataDir, WrikeAdminToken: cfg.AdminToken, OktaAPIToken: cfg.OktaAPIToken,
		held: cfg.HoldProvisioning}
	env.cfg.HoldProvisioning = true
	env.start(t)
	t.Cleanup(env.stop)
	return env
}

func (e *Env) start(t testing.TB) {
	t.Helper()
	b, err := backend.New(context.Background(), e.cfg)
	if err != nil {
		t.Fatalf("backendtest: start backend: %v", err)
	}
	e.Backend = b
	e.wrike = httptest.NewServer(b.WrikeHandler())
	e.WrikeURL = e.wrike.URL
	e.okta = httptest.NewServer(b.OktaHandler())
	e.OktaURL = e.okta.URL
	if !e.held {
		b.StartProvisioning()
	}
}

func (e *Env) stop() {
	if e.wrike != nil {
		e.wrike.Close()
		e.wrike = nil
	}
	if e.okta != nil {
		e.okta.Close()
		e.okta = nil
	}
	if e.Backend != nil {
		_ = e.Backend.Close()
		e.Backend = nil
	}
}

// Restart stops the backend and starts it again on the same data, as a
// process restart would. URLs change (new ports); tokens stay valid.
func (e *Env) Restart(t testing.TB) {
	t.Helper()
	e.stop()
	e.start(t)
}

// WaitProvisioning blocks until the Okta face's provisioning queue is idle,
// failing the test after 30 seconds.
func (e *Env) WaitProvisioning(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Backend.Okta.Engine().WaitIdle(ctx); err != nil {
		t.Fatalf("backendtest: provisioning queue not idle: %v", err)
	}
}

// SCIM is an enabled SCIM integration ready for an identity provider.
type SCIM struct {
	// BaseURL is the SCIM base, e.g. http://127.0.0.1:N/scim/okta/v2.
	BaseURL string
	// Token is the API app's v4 token for Authorization: Bearer.
	Token string
	// AppID is the API app's id.
	AppID string
}

// SetupSCIM approves the given domains, creates an API app and enables the
// provider's integration ("okta", "azure_ad" or "onelogin") through the admin
// API, failing the test on any error.
func (e *Env) SetupSCIM(t testing.TB, provider string, domains ...string) SCIM {
	t.Helper()
	for _, d := range domains {
		e.Admin(t, http.MethodPost, "/approved_domains", map[string]any{"domain": d}, nil)
	}
	var app struct {
		Data []struct {
			ID    string `json:"id"`
			Token string `json:"token"`
		} `json:"data"`
	}
	e.Admin(t, http.MethodPost, "/api_apps", map[string]any{"name": "SCIM " + provider}, &app)
	var in struct {
		Data []struct {
			SCIMURL string `json:"scimUrl"`
		} `json:"data"`
	}
	e.Admin(t, http.MethodPut, "/scim_integrations/"+provider, map[string]any{"enabled": true}, &in)
	return SCIM{BaseURL: in.Data[0].SCIMURL, Token: app.Data[0].Token, AppID: app.Data[0].ID}
}

// Admin calls the Wrike admin API (path below /api/v4) with the admin token,
// fails the test unless the answer is 200, and decodes it into out (if not nil).
func (e *Env) Admin(t testing.TB, method, path string, body, out any) {
	t.Helper()
	if err := e.AdminCall(method, path, body, out); err != nil {
		t.Fatal(err)
	}
}

// AdminCall is Admin returning its failure, for code that may not stop the
// test, such as a Terraform check function. An answer other than 200 is a
// *StatusError.
func (e *Env) AdminCall(method, path string, body, out any) error {
	a := Send(nil, method, e.WrikeURL+"/api/v4"+path, body,
		"Authorization", "Bearer "+e.WrikeAdminToken, "Content-Type", "application/json")
	if a.Status == 0 {
		return fmt.Errorf("backendtest: %s %s: %s", method, path, a.Raw)
	}
	if a.Status != http.StatusOK {
		return &StatusError{Method: method, Path: path, Status: a.Status, Body: []byte(a.Raw)}
	}
	if out != nil {
		if err := json.Unmarshal([]byte(a.Raw), out); err != nil {
			return fmt.Errorf("backendtest: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// StatusError is an admin API answer other than 200, for checks that expect
// one (a 404 once a resource is gone).
type StatusError struct {
	Method, Path string
	Status       int
	Body         []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("backendtest: %s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}
