package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func scimIntegrationConfig(env *backendtest.Env, body string) string {
	return wrikeProviderConfig(env) + "resource \"wrike_scim_integration\" \"okta\" {\n" + body + "}\n"
}

// backendIntegration checks the backend's integration settings.
func backendIntegration(env *backendtest.Env, idp string, enabled bool, userType string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var in struct {
			Enabled         bool
			DefaultUserType string
		}
		if err := backendGet(env, "/scim_integrations/"+idp, &in); err != nil {
			return err
		}
		if in.Enabled != enabled || in.DefaultUserType != userType {
			return fmt.Errorf("backend %s integration: enabled=%v defaultUserType=%q, want %v %q", idp, in.Enabled, in.DefaultUserType, enabled, userType)
		}
		return nil
	}
}

func TestAccSCIMIntegration(t *testing.T) {
	env := backendtest.Start(t)
	const addr = "wrike_scim_integration.okta"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		// Destroy disables the integration; its settings stay.
		CheckDestroy: resource.ComposeTestCheckFunc(
			backendIntegration(env, "okta", false, "Regular"),
			backendIntegration(env, "azure_ad", false, "Collaborator"),
		),
		Steps: []resource.TestStep{
			{
				Config: scimIntegrationConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("okta")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("identity_provider"), knownvalue.StringExact("okta")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("default_user_type"), knownvalue.StringExact("Regular")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scim_url"), knownvalue.StringExact(env.WrikeURL+"/scim/okta/v2")),
				},
				Check: backendIntegration(env, "okta", true, "Regular"),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "okta",
				ImportStateVerify: true,
			},
			{
				Config: scimIntegrationConfig(env, "  enabled = false\n  default_user_type = \"External\"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: backendIntegration(env, "okta", false, "External"),
			},
			{
				// Changed in Wrike behind Terraform's back: planned back.
				PreConfig: outOfBand(t, env, http.MethodPut, "/scim_integrations/okta", map[string]any{"enabled": true, "defaultUserType": "Regular"}),
				Config:    scimIntegrationConfig(env, "  enabled = false\n  default_user_type = \"External\"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: backendIntegration(env, "okta", false, "External"),
			},
			{
				Config: scimIntegrationConfig(env, "  default_user_type = \"Regular\"\n"),
				Check:  backendIntegration(env, "okta", true, "Regular"),
			},
			{
				// Another identity provider: the okta integration is
				// disabled, the azure_ad one enabled.
				Config: scimIntegrationConfig(env, "  identity_provider = \"azure_ad\"\n  default_user_type = \"Collaborator\"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scim_url"), knownvalue.StringExact(env.WrikeURL+"/scim/azure_ad/v2")),
				},
				Check: resource.ComposeTestCheckFunc(
					backendIntegration(env, "okta", false, "Regular"),
					backendIntegration(env, "azure_ad", true, "Collaborator"),
				),
			},
		},
	})
}

func TestAccSCIMIntegrationRejected(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      scimIntegrationConfig(env, "  identity_provider = \"google\"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)identity_provider.*value must be one of`),
			},
			{
				Config:      scimIntegrationConfig(env, "  default_user_type = \"Admin\"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)default_user_type.*value must be one of`),
			},
			{
				Config:        scimIntegrationConfig(env, ""),
				ResourceName:  "wrike_scim_integration.okta",
				ImportState:   true,
				ImportStateId: "google",
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*okta`),
			},
		},
	})
}

// TestUserTypeChoicesListsWrikeapiUserTypes: the descriptions name the user
// types the validators accept, from the one list in wrikeapi.
func TestUserTypeChoicesListsWrikeapiUserTypes(t *testing.T) {
	if got := userTypeChoices(""); got != "Regular, External or Collaborator" {
		t.Errorf("userTypeChoices(\"\") = %q", got)
	}
	if got := userTypeChoices("`"); got != "`Regular`, `External` or `Collaborator`" {
		t.Errorf("userTypeChoices(\"`\") = %q", got)
	}
}
