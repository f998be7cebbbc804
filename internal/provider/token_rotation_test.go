package provider

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// documentedConfig is the guide's configuration (four resources, the token
// wired through token_version) against the fixture's backend, with the
// person "ann" assigned directly and extra written into the API token.
func (f *orgFixture) documentedConfig(tokenExtra string) string {
	return f.config(fmt.Sprintf(`
  app_id                  = %q
  scim_base_url           = wrike_scim_integration.okta.scim_url
  bearer_token_wo         = wrike_api_token.okta.token
  bearer_token_wo_version = wrike_api_token.okta.token_version
  user_assignments        = { (%q) = "Regular" }
  depends_on              = [wrike_approved_domain.acme]
`, f.AppID, f.Users["ann"])) + `
resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}

resource "wrike_api_token" "okta" {
  app_name = "Okta SCIM provisioning"
` + tokenExtra + `
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
}
`
}

// provisioningReachesWrike changes ann's title in Okta and checks that Okta
// pushes it to Wrike: proof that Okta holds a token Wrike accepts.
func (f *orgFixture) provisioningReachesWrike(title string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if err := doJSON(f.env.OktaURL+"/api/v1/users/"+f.Users["ann"], "SSWS "+f.env.OktaAPIToken, http.MethodPost,
			map[string]any{"profile": map[string]any{"title": title}}, nil); err != nil {
			return err
		}
		users, err := f.wrikeUsers()
		if err != nil {
			return err
		}
		if got := users["ann@acme.example.com"].Title; got != title {
			return fmt.Errorf("ann's title in Wrike is %q, want %q: Okta could not push the change (a stale token?)", got, title)
		}
		return nil
	}
}

// regenerateOutOfBand regenerates the token of API app id through Wrike's
// admin API, as the console's button does, in a later second than the
// token it replaces: Wrike dates tokens to the second.
func (f *orgFixture) regenerateOutOfBand(id string) {
	f.t.Helper()
	var app wrikeapi.APIApp
	if err := backendGet(f.env, "/api_apps/"+id, &app); err != nil {
		f.t.Fatal(err)
	}
	issued, err := time.Parse(time.RFC3339, app.TokenCreatedDate)
	if err != nil {
		f.t.Fatal(err)
	}
	time.Sleep(time.Until(issued.Add(time.Second)))
	outOfBand(f.t, f.env, http.MethodPost, "/api_apps/"+id+"/regenerate_token", nil)()
}

// Whatever happens to the Wrike token, one apply of the documented
// configuration gives Okta the new one, and the next plan is empty (the
// test framework fails a step whose apply leaves a non-empty plan).
func TestAccTokenRotationReachesOkta(t *testing.T) {
	f := newOrgFixture(t)
	f.addUser("ann", "acme.example.com")
	var appID string
	keepAppID := func(s *terraform.State) error {
		appID = s.RootModule().Resources["wrike_api_token.okta"].Primary.ID
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: f.documentedConfig(""),
				Check:  resource.ComposeTestCheckFunc(keepAppID, f.provisioningReachesWrike("Engineer")),
			},
			{
				// The API app is deleted in Wrike: its token is revoked.
				PreConfig: func() { outOfBand(t, f.env, http.MethodDelete, "/api_apps/"+appID, nil)() },
				Config:    f.documentedConfig(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wrike_api_token.okta", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(keepAppID, f.provisioningReachesWrike("Staff Engineer")),
			},
			{
				// The token is regenerated in Wrike (its console or API, or
				// another state): refresh sees the new issue date, and the
				// plan regenerates the token and sends it to Okta.
				PreConfig: func() { f.regenerateOutOfBand(appID) },
				Config:    f.documentedConfig(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wrike_api_token.okta", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("wrike_api_token.okta", tfjsonpath.New("token_version")),
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
				}},
				Check: f.provisioningReachesWrike("Senior Staff Engineer"),
			},
			{
				// A rotation regenerates the token in place.
				Config: f.documentedConfig(`  rotation_triggers = { rotated = "2026-q2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wrike_api_token.okta", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
				}},
				Check: f.provisioningReachesWrike("Principal Engineer"),
			},
			{
				// The API app is replaced.
				Config: f.documentedConfig(`  rotation_triggers = { rotated = "2026-q2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wrike_api_token.okta", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
				}},
				Taint: []string{"wrike_api_token.okta"},
				Check: f.provisioningReachesWrike("Distinguished Engineer"),
			},
		},
	})
}

// The documented configuration imported whole (the setup was done by hand
// before): the plan regenerates the token Terraform cannot know and sends
// it to Okta, the apply converges, and provisioning works with the new
// token.
func TestAccImportDocumentedConfiguration(t *testing.T) {
	f := newOrgFixture(t)
	f.addUser("ann", "acme.example.com")
	scimURL, token := f.wrikeSCIM()
	f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/connections/default?activate=true", map[string]any{
		"baseUrl": scimURL, "profile": map[string]any{"authScheme": "TOKEN", "token": token},
	}, nil)
	f.okta(http.MethodPut, "/api/v1/apps/"+f.AppID+"/features/USER_PROVISIONING", map[string]any{"capabilities": map[string]any{
		"create": map[string]any{"lifecycleCreate": map[string]any{"status": "ENABLED"}},
		"update": map[string]any{"profile": map[string]any{"status": "ENABLED"}, "lifecycleDeactivate": map[string]any{"status": "ENABLED"}},
	}}, nil)
	f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/users", map[string]any{"id": f.Users["ann"], "scope": "USER",
		"profile": map[string]any{"userType": "Regular"}}, nil)
	imports := fmt.Sprintf(`
import {
  to = wrike_approved_domain.acme
  id = "acme.example.com"
}

import {
  to = wrike_api_token.okta
  id = %q
}

import {
  to = wrike_scim_integration.okta
  id = "okta"
}

import {
  provider = wrike
  to       = okta_wrike_provisioning.p
  id       = %q
}
`, f.scimAppID, f.AppID)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: f.documentedConfig(`  description = ""`) + imports,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("wrike_approved_domain.acme", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("wrike_scim_integration.okta", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("wrike_api_token.okta", plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue("wrike_api_token.okta", tfjsonpath.New("token")),
				plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
			}},
			Check: f.provisioningReachesWrike("Imported Engineer"),
		}},
	})
}

// token_version grows with every new token, also when the clock stands
// still or goes back, and stays put when Wrike returned no token.
func TestTokenVersionGrows(t *testing.T) {
	clock := time.UnixMilli(1_000_000)
	r := &apiTokenResource{now: func() time.Time { return clock }}
	issued := &wrikeapi.APIApp{Token: "wrk4_x"}
	v1 := r.nextVersion(types.Int64Null(), issued)
	if v1.ValueInt64() != 1_000_000 {
		t.Fatalf("first version %v, want the clock in milliseconds", v1)
	}
	v2 := r.nextVersion(v1, issued)
	clock = clock.Add(-time.Hour)
	v3 := r.nextVersion(v2, issued)
	if v2.ValueInt64() <= v1.ValueInt64() || v3.ValueInt64() <= v2.ValueInt64() {
		t.Fatalf("versions %v, %v, %v do not grow", v1, v2, v3)
	}
	if v := r.nextVersion(v3, &wrikeapi.APIApp{}); !v.Equal(v3) {
		t.Fatalf("no token issued: version %v, want %v kept", v, v3)
	}
}
