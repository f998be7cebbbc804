package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func TestAccSCIMIntegrationDataSource(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      wrikeProviderConfig(env) + "data \"wrike_scim_integration\" \"x\" {\n  identity_provider = \"ldap\"\n}\n",
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)identity_provider.*value must be one of`),
			},
			{
				// Configured outside Terraform; read as Wrike has it.
				PreConfig: outOfBand(t, env, http.MethodPut, "/scim_integrations/onelogin", map[string]any{"enabled": true, "defaultUserType": "External"}),
				Config: wrikeProviderConfig(env) + `
data "wrike_scim_integration" "default" {}

data "wrike_scim_integration" "onelogin" {
  identity_provider = "onelogin"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.wrike_scim_integration.default", tfjsonpath.New("identity_provider"), knownvalue.StringExact("okta")),
					statecheck.ExpectKnownValue("data.wrike_scim_integration.default", tfjsonpath.New("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.wrike_scim_integration.default", tfjsonpath.New("scim_url"), knownvalue.StringExact(env.WrikeURL+"/scim/okta/v2")),
					statecheck.ExpectKnownValue("data.wrike_scim_integration.onelogin", tfjsonpath.New("id"), knownvalue.StringExact("onelogin")),
					statecheck.ExpectKnownValue("data.wrike_scim_integration.onelogin", tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.wrike_scim_integration.onelogin", tfjsonpath.New("default_user_type"), knownvalue.StringExact("External")),
				},
			},
		},
	})
}
