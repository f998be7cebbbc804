package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

const planCheckBody = `
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
  bearer_token  = "wrk4_a"
`

// An Okta API token Okta refuses fails the plan, naming the setting to fix.
func TestAccPlanCheck_oktaTokenRefused(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      provisioningConfig(env.OktaURL, "00not-a-token", planCheckBody),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Okta refused the provider's API token.*E0000011.*okta_api_token \(or\s+OKTA_API_TOKEN\)`),
		}},
	})
}

// An Okta that answers 503 is not retried at plan time: the plan succeeds
// (with a warning) after a single call, and apply is left to report it.
func TestAccPlanCheck_oktaUnavailableIsAskedOnce(t *testing.T) {
	var calls atomic.Int32
	okta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer okta.Close()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:             provisioningConfig(okta.URL, "00test-token", planCheckBody),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	// terraform-plugin-testing plans twice in a PlanOnly step.
	if n := calls.Load(); n > 2 {
		t.Errorf("Okta was called %d times at plan time, want one call per plan", n)
	}
}

// A Wrike admin token Wrike refuses is reported with the setting to fix.
func TestAccWrikeTokenRefused(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"wrike\" {\n  wrike_url   = %q\n  wrike_token = %q\n}\n", env.WrikeURL, "wrka_not-a-token") +
				"resource \"wrike_approved_domain\" \"d\" {\n  domain = \"acme.example.com\"\n}\n",
			ExpectError: regexp.MustCompile(`(?s)Wrike refused wrike_token.*wrike_token \(or\s+WRIKE_TOKEN\).*not_authorized`),
		}},
	})
}
