package provider

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// wholeSetupConfig is the seed's whole setup: domain, API token, integration
// and the Okta app's provisioning with one group, the provider pointed at
// wrikeURL and oktaURL, the Okta connection at scimBase (empty: the
// integration's own SCIM URL). The tokens come from WRIKE_TOKEN and
// OKTA_API_TOKEN, as a user keeps them out of configuration files; that also
// keeps them out of the test harness's own log of the configuration.
func wholeSetupConfig(f *orgFixture, wrikeURL, oktaURL, scimBase, group string) string {
	base := "wrike_scim_integration.okta.scim_url"
	if scimBase != "" {
		base = fmt.Sprintf("%q", scimBase)
	}
	return fmt.Sprintf(`
provider "wrike" {
  wrike_url    = %q
  okta_org_url = %q
}

resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}

resource "wrike_api_token" "okta" {
  app_name = "Okta provisioning"
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
}

resource "okta_wrike_provisioning" "wrike" {
  provider                = wrike
  app_id                  = %q
  scim_base_url           = %s
  bearer_token_wo         = wrike_api_token.okta.token
  bearer_token_wo_version = 1
  group_assignments       = { (%q) = "External" }
  # pat@partner.example.net is refused on purpose: no plan retries it.
  retry_failed_provisioning = false
  depends_on              = [wrike_approved_domain.acme, wrike_scim_integration.okta]
}
`, wrikeURL, oktaURL, f.AppID, base, group)
}

// newLoggedOrg is an org fixture whose backend logs into sink (nil: nowhere).
func newLoggedOrg(t *testing.T, sink *reliabilitytest.LogSink) *orgFixture {
	t.Helper()
	var opts []backendtest.Option
	if sink != nil {
		opts = append(opts, func(c *backend.Config) { c.Logger = sink.DebugLogger() })
	}
	f := &orgFixture{t: t, env: backendtest.Start(t, opts...), Users: map[string]string{}, Groups: map[string]string{}}
	t.Setenv("WRIKE_TOKEN", f.env.WrikeAdminToken)
	t.Setenv("OKTA_API_TOKEN", f.env.OktaAPIToken)
	var app struct {
		ID string `json:"id"`
	}
	f.okta(http.MethodPost, "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &app)
	f.AppID = app.ID
	return f
}

// provisionedExternal checks that the logins are active in Wrike with user type
// External, each once.
func provisionedExternal(f *orgFixture, logins ...string) error {
	users, err := f.wrikeUsers()
	if err != nil {
		return err
	}
	for _, l := range logins {
		u, ok := users[l]
		if !ok || !u.Active || u.UserType != "External" {
			return fmt.Errorf("%s in Wrike: %+v (present %v), want active External; Wrike has %d users", l, u, ok, len(users))
		}
	}
	return nil
}

// TestAccNoSecretsInLogs runs the whole flow (admin setup through
// Terraform, the Okta connection saved with the v4 token, provisioning,
// a profile change, a token rotation) with the backend logging at debug
// level and the provider at TRACE, then searches every captured line for
// each token (Wrike admin, v4, Okta API) and for any Authorization, Bearer
// or SSWS value: none may appear.
func TestAccNoSecretsInLogs(t *testing.T) {
	sink := &reliabilitytest.LogSink{}
	providerLog := filepath.Join(t.TempDir(), "provider.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", providerLog)
	f := newLoggedOrg(t, sink)
	eng := f.group("Engineering")
	f.addUser("ann", "acme.example.com", "Engineering")
	f.addUser("bob", "acme.example.com", "Engineering")
	f.addUser("pat", "partner.example.net", "Engineering") // refused by Wrike: a failure path is logged too

	var v4Tokens []string
	grabToken := func(s *terraform.State) error {
		v4Tokens = append(v4Tokens, s.RootModule().Resources["wrike_api_token.okta"].Primary.Attributes["token"])
		return nil
	}
	cfg := wholeSetupConfig(f, f.env.WrikeURL, f.env.OktaURL, "", eng)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsWriteOnly,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(grabToken, backendCheck(func() error {
					return provisionedExternal(f, "ann@acme.example.com", "bob@acme.example.com")
				})),
			},
			{
				// A profile push, then the token rotated and re-sent to Okta.
				PreConfig: func() {
					f.okta(http.MethodPost, "/api/v1/users/"+f.Users["ann"], map[string]any{"profile": map[string]any{"title": "Lead"}}, nil)
				},
				Config: strings.Replace(strings.Replace(cfg, `app_name = "Okta provisioning"`,
					"app_name = \"Okta provisioning\"\n  rotation_triggers = { at = \"1\" }", 1),
					"bearer_token_wo_version = 1", "bearer_token_wo_version = 2", 1),
				Check: resource.ComposeTestCheckFunc(grabToken, backendCheck(func() error {
					return provisionedExternal(f, "ann@acme.example.com", "bob@acme.example.com")
				})),
			},
		},
	})
	if len(v4Tokens) != 2 || v4Tokens[0] == "" || v4Tokens[0] == v4Tokens[1] {
		t.Fatalf("v4 tokens from state: %d, rotated %v", len(v4Tokens), len(v4Tokens) == 2 && v4Tokens[0] != v4Tokens[1])
	}
	raw, err := os.ReadFile(providerLog)
	if err != nil {
		t.Fatal(err)
	}
	backendLog := sink.String()
	if !strings.Contains(backendLog, `"level":"DEBUG"`) || !strings.Contains(backendLog, "/scim/okta/v2/Users") {
		t.Fatalf("the backend log lacks the debug lines of the flow (%d bytes)", len(backendLog))
	}
	if !strings.Contains(string(raw), "okta_wrike_provisioning") {
		t.Fatalf("the provider log lacks the flow (%d bytes)", len(raw))
	}
	secrets := append([]string{f.env.WrikeAdminToken, f.env.OktaAPIToken}, v4Tokens...)
	for name, text := range map[string]string{"backend": backendLog, "provider and Terraform": string(raw)} {
		if found := reliabilitytest.FindSecrets(text, secrets...); len(found) > 0 {
			t.Errorf("%s log (%d bytes) leaks: %s", name, len(text), strings.Join(found, "; "))
		}
	}
	t.Logf("searched %d bytes of backend log and %d bytes of provider/Terraform log for %d tokens", len(backendLog), len(raw), len(secrets))
}

// TestAccRateLimitsAndOutage: the provider's Okta client meets an
// org that allows 4 requests a second (429 E0000047 with X-Rate-Limit-Reset
// beyond that), and the provisioning engine's pushes meet a Wrike that
// answers 503 with Retry-After for three seconds. The apply succeeds, the
// people are provisioned once each, and the faults really happened.
func TestAccRateLimitsAndOutage(t *testing.T) {
	f := newLoggedOrg(t, nil)
	eng := f.group("Engineering")
	var logins []string
	for i := range 8 {
		name := fmt.Sprintf("user%d", i)
		f.addUser(name, "acme.example.com", "Engineering")
		logins = append(logins, name+"@acme.example.com")
	}
	// The org's limit, plus every fourth request limited whatever the
	// pace, so that a slow machine cannot make the test inject nothing.
	limit := reliabilitytest.OktaRateLimit(4, time.Second, nil)
	always := reliabilitytest.OktaRateLimit(0, time.Second, nil)
	var seen atomic.Int64
	oktaProxy := reliabilitytest.NewFaultProxy(t, f.env.OktaURL, func(r *http.Request) *reliabilitytest.Fault {
		if seen.Add(1)%4 == 2 {
			return always(r)
		}
		return limit(r)
	})
	pushes := func(r *http.Request) bool {
		return r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/Users")
	}
	wrikeProxy := reliabilitytest.NewFaultProxy(t, f.env.WrikeURL, reliabilitytest.Outage(3*time.Second, http.StatusServiceUnavailable, 1, pushes))
	started := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsWriteOnly,
		Steps: []resource.TestStep{{
			Config: wholeSetupConfig(f, f.env.WrikeURL, oktaProxy.URL, wrikeProxy.URL+"/scim/okta/v2", eng),
			Check: backendCheck(func() error {
				return provisionedExternal(f, logins...)
			}),
		}},
	})
	t.Logf("Okta: %d requests, %d answered 429; Wrike SCIM: %d requests, %d answered 503; %v in all",
		oktaProxy.Requests(), oktaProxy.Faults(), wrikeProxy.Requests(), wrikeProxy.Faults(), time.Since(started).Round(time.Millisecond))
	if oktaProxy.Faults() == 0 || wrikeProxy.Faults() == 0 {
		t.Fatalf("no fault was injected (Okta 429s %d, Wrike 503s %d): the test proves nothing", oktaProxy.Faults(), wrikeProxy.Faults())
	}
	var failed struct{ Failed int }
	f.okta(http.MethodGet, "/api/v1/_backend/provisioning/wait?timeout=30s", nil, &failed)
	if failed.Failed != 0 {
		t.Fatalf("%d provisioning tasks failed", failed.Failed)
	}
}
