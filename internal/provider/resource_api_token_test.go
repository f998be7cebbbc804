package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func apiTokenConfig(env *backendtest.Env, name, description, rotation string) string {
	cfg := wrikeProviderConfig(env) + `
resource "wrike_scim_integration" "okta" {}

resource "wrike_api_token" "okta" {
  app_name = ` + fmt.Sprintf("%q", name)
	if description != "" {
		cfg += fmt.Sprintf("\n  description = %q", description)
	}
	if rotation != "" {
		cfg += fmt.Sprintf("\n  rotation_triggers = { rotated = %q }", rotation)
	}
	return cfg + "\n}\n"
}

// expectSCIMStatus checks the status Wrike's SCIM API answers the token with.
func expectSCIMStatus(scimURL, token string, want int) error {
	status, err := scimStatus(scimURL, token)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("SCIM answered %d, want %d", status, want)
	}
	return nil
}

// scimStatus is the status Wrike's SCIM API answers the token with.
func scimStatus(scimURL, token string) (int, error) {
	a := backendtest.Send(nil, http.MethodGet, scimURL+"/Users?count=1", nil, "Authorization", "Bearer "+token)
	if a.Status == 0 {
		return 0, fmt.Errorf("%s: %s", a.Req, a.Raw)
	}
	return a.Status, nil
}

// tokenWorks checks the state's token against Wrike's SCIM API, and that
// every token seen before is refused.
func tokenWorks(previous *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		scimURL := s.RootModule().Resources["wrike_scim_integration.okta"].Primary.Attributes["scim_url"]
		token := s.RootModule().Resources["wrike_api_token.okta"].Primary.Attributes["token"]
		if err := expectSCIMStatus(scimURL, token, http.StatusOK); err != nil {
			return fmt.Errorf("the token in state: %w", err)
		}
		for i, old := range *previous {
			if old == token {
				continue
			}
			if err := expectSCIMStatus(scimURL, old, http.StatusUnauthorized); err != nil {
				return fmt.Errorf("token #%d, replaced: %w", i, err)
			}
		}
		*previous = append(*previous, token)
		return nil
	}
}

func TestAccAPIToken(t *testing.T) {
	env := backendtest.Start(t)
	const addr = "wrike_api_token.okta"
	var tokens []string
	sameToken := statecheck.CompareValue(compare.ValuesSame())
	sameID := statecheck.CompareValue(compare.ValuesSame())
	newToken := statecheck.CompareValue(compare.ValuesDiffer())
	var appID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if err := backendHas(env, "/api_apps/"+appID, false)(nil); err != nil {
				return err
			}
			// Destroy revokes the token.
			if len(tokens) == 0 {
				return fmt.Errorf("no token was ever checked")
			}
			var in struct{ ScimURL string }
			if err := backendGet(env, "/scim_integrations/okta", &in); err != nil {
				return err
			}
			if err := expectSCIMStatus(in.ScimURL, tokens[len(tokens)-1], http.StatusUnauthorized); err != nil {
				return fmt.Errorf("token after destroy: %w", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: apiTokenConfig(env, "Okta SCIM", "", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectSensitiveValue(addr, tfjsonpath.New("token"))},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("app_name"), knownvalue.StringExact("Okta SCIM")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^wrk4_`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_created_date"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_triggers"), knownvalue.Null()),
					sameToken.AddStateValue(addr, tfjsonpath.New("token")),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error {
						appID = s.RootModule().Resources[addr].Primary.ID
						var app struct{ Name string }
						if err := backendGet(env, "/api_apps/"+appID, &app); err != nil {
							return err
						}
						if app.Name != "Okta SCIM" {
							return fmt.Errorf("backend app name %q", app.Name)
						}
						return nil
					},
					tokenWorks(&tokens),
				),
			},
			{
				// Wrike never shows an existing token: null after import.
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token", "token_version"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if tok, ok := states[0].Attributes["token"]; ok && tok != "" {
						return fmt.Errorf("imported token %q, want null", tok)
					}
					return nil
				},
			},
			{
				// Name and description change in place; the token stays.
				Config: apiTokenConfig(env, "Okta provisioning", "Used by Okta to push users", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Used by Okta to push users")),
					sameToken.AddStateValue(addr, tfjsonpath.New("token")),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					newToken.AddStateValue(addr, tfjsonpath.New("token")),
				},
				Check: tokenWorks(&tokens),
			},
			{
				// A rotation trigger regenerates in place: same app, new
				// token, the old one refused at once.
				Config: apiTokenConfig(env, "Okta provisioning", "Used by Okta to push users", "2026-q1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(addr, tfjsonpath.New("token")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					newToken.AddStateValue(addr, tfjsonpath.New("token")),
				},
				Check: tokenWorks(&tokens),
			},
			{
				Config: apiTokenConfig(env, "Okta provisioning", "Used by Okta to push users", "2026-q2"),
				ConfigStateChecks: []statecheck.StateCheck{
					newToken.AddStateValue(addr, tfjsonpath.New("token")),
				},
				Check: tokenWorks(&tokens),
			},
			{
				// Deleted in Wrike: planned again, and a new token issued.
				PreConfig: func() { outOfBand(t, env, http.MethodDelete, "/api_apps/"+appID, nil)() },
				Config:    apiTokenConfig(env, "Okta provisioning", "Used by Okta to push users", "2026-q2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error { appID = s.RootModule().Resources[addr].Primary.ID; return nil },
					tokenWorks(&tokens),
				),
			},
		},
	})
}

func TestAccAPITokenRejected(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      apiTokenConfig(env, "", "", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)app_name.*length`),
			},
			{
				// Terraform refuses to show a sensitive value in an output.
				Config:      apiTokenConfig(env, "x", "", "") + "output \"token\" {\n  value = wrike_api_token.okta.token\n}\n",
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Output refers to sensitive values`),
			},
		},
	})
}
