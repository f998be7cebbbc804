package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// provisioningConfig renders a provider block for the Okta org at oktaURL
// and an okta_wrike_provisioning "p" with the given body. Tests that never
// reach Wrike point wrike_url at a closed port.
func provisioningConfig(oktaURL, oktaToken, body string) string {
	return provisioningConfigWith("http://127.0.0.1:9", "wrka_unused", oktaURL, oktaToken, body)
}

func provisioningConfigWith(wrikeURL, wrikeToken, oktaURL, oktaToken, body string) string {
	return fmt.Sprintf(`
provider "wrike" {
  wrike_url      = %q
  wrike_token    = %q
  okta_org_url   = %q
  okta_api_token = %q
}

resource "okta_wrike_provisioning" "p" {
  provider = wrike
%s
}
`, wrikeURL, wrikeToken, oktaURL, oktaToken, body)
}

func TestAccOktaWrikeProvisioning_invalidConfigsRejectedAtPlan(t *testing.T) {
	// The org is never called: every config below fails validation.
	okta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected Okta call %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer okta.Close()
	cfg := func(body string) string { return provisioningConfig(okta.URL, "00test-token", body) }
	const base = `
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg(base + `
  bearer_token            = "wrk4_a"
  bearer_token_wo         = "wrk4_b"
  bearer_token_wo_version = 1
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)bearer_token_wo.*bearer_token`),
			},
			{
				Config:      cfg(base),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Exactly one of these attributes must be configured.*bearer_token`),
			},
			{
				Config: cfg(`
  app_id        = "0oa1"
  scim_base_url = "wrike.example/scim"
  bearer_token  = "wrk4_a"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)scim_base_url.*https:// or http://`),
			},
			{
				Config: cfg(`
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim?x=1"
  bearer_token  = "wrk4_a"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must not carry a query`),
			},
			{
				Config: cfg(base + `
  bearer_token      = "wrk4_a"
  group_assignments = [{ group_id = "00g1", user_type = "Admin" }]
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)user_type.*value must be one of.*Regular.*External.*Collaborator`),
			},
			{
				Config: cfg(base + `
  bearer_token     = "wrk4_a"
  user_assignments = [{ user_id = "00u1", user_type = "guest" }]
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)user_type.*value must be one of`),
			},
			{
				Config: cfg(base + `
  bearer_token       = "wrk4_a"
  everyone_user_type = "External"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`needs assign_everyone = true`),
			},
			{
				Config: cfg(base + `
  bearer_token_wo = "wrk4_b"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)bearer_token_wo_version.*must be specified|(?s)must be specified.*bearer_token_wo_version`),
			},
			{
				Config: cfg(base + `
  bearer_token = ""
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)bearer_token.*at least 1`),
			},
			{
				Config: cfg(base + `
  bearer_token      = "wrk4_a"
  group_assignments = [
    { group_id = "00g1", user_type = "External" },
    { group_id = "00g1", user_type = "Regular" },
  ]
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`group_id "00g1" is listed more than once`),
			},
		},
	})
}

func TestAccOktaWrikeProvisioning_missingOktaSettings(t *testing.T) {
	t.Setenv("OKTA_ORG_URL", "")
	t.Setenv("OKTA_API_TOKEN", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: `
provider "wrike" {
  wrike_url   = "http://127.0.0.1:9"
  wrike_token = "wrka_unused"
}

resource "okta_wrike_provisioning" "p" {
  provider      = wrike
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
  bearer_token  = "wrk4_a"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing Okta configuration.*okta_org_url.*okta_api_token.*OKTA_ORG_URL.*OKTA_API_TOKEN`),
		}},
	})
}

func TestAccOktaWrikeProvisioning_halfOktaSettings(t *testing.T) {
	t.Setenv("OKTA_ORG_URL", "")
	t.Setenv("OKTA_API_TOKEN", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: `
provider "wrike" {
  wrike_url    = "http://127.0.0.1:9"
  wrike_token  = "wrka_unused"
  okta_org_url = "https://example.okta.com"
}

resource "okta_wrike_provisioning" "p" {
  provider      = wrike
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
  bearer_token  = "wrk4_a"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing Okta configuration.*The Okta API token is not set.*okta_api_token.*OKTA_API_TOKEN`),
		}},
	})
}

// TestAccOktaWrikeProvisioning_unknownConnection plays a real Okta org
// that cannot provision the OIN Wrike app through its API.
func TestAccOktaWrikeProvisioning_unknownConnection(t *testing.T) {
	var mu sync.Mutex
	var writes []string
	okta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/apps/0oaWrike":
			fmt.Fprint(w, `{"id":"0oaWrike","name":"wrike","label":"Wrike","status":"ACTIVE","signOnMode":"SAML_2_0"}`)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/apps/0oaWrike/connections/default":
			fmt.Fprint(w, `{"authScheme":"UNKNOWN","status":"UNKNOWN","_links":{}}`)
		default:
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found","errorCauses":[]}`)
		}
	}))
	defer okta.Close()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: provisioningConfig(okta.URL, "00test-token", `
  app_id                  = "0oaWrike"
  scim_base_url           = "https://wrike.example/scim/okta/v2"
  bearer_token_wo         = "wrk4_b"
  bearer_token_wo_version = 1
`),
			ExpectError: regexp.MustCompile(`(?s)Okta's API cannot configure provisioning for this app.*status UNKNOWN.*Okta Admin Console`),
		}},
	})
	mu.Lock()
	defer mu.Unlock()
	if len(writes) > 0 {
		t.Errorf("Okta was called beyond the connection check: %s", strings.Join(writes, ", "))
	}
}
