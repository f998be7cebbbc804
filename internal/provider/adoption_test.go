package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// A second configuration against objects the first one (or someone in a
// console) set up never takes them over silently: every resource fails
// its create naming the import that would manage the object, and changes
// nothing.
func TestAccAdoptionIsNeverSilent(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM() // approves acme.example.com, enables the okta integration
	f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/connections/default?activate=true", map[string]any{
		"baseUrl": scimURL, "profile": map[string]any{"authScheme": "TOKEN", "token": token},
	}, nil)
	stillSetUp := backendCheck(func() error {
		status, _, _, err := f.connection()
		if err == nil && status != "ENABLED" {
			err = fmt.Errorf("the connection is %s after the refused create, want ENABLED", status)
		}
		return err
	})
	wrike := wrikeProviderConfig(f.env)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: wrike + `
resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}
`,
				ExpectError: regexp.MustCompile(`(?s)"acme.example.com" is already approved in Wrike, and this Terraform.*state does not manage it.*` +
					`terraform import wrike_approved_domain.<name> acme.example.com.*to = wrike_approved_domain.<name>`),
			},
			{
				Config: wrike + `
resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
}
`,
				ExpectError: regexp.MustCompile(`(?s)SCIM integration "okta" is already enabled, and this Terraform state.*` +
					`terraform import wrike_scim_integration.<name> okta`),
			},
			{
				Config: f.config(f.tokenWOHead(scimURL, token)),
				ExpectError: regexp.MustCompile(`(?s)Provisioning of Okta app "` + f.AppID + `" is already active.*` +
					`terraform import okta_wrike_provisioning.<name> ` + f.AppID + `.*provider = wrike`),
				Check: stillSetUp,
			},
			{
				// Nothing was taken over: the setup is as it was.
				Config: wrike,
				Check:  resource.ComposeTestCheckFunc(stillSetUp, backendHas(f.env, "/approved_domains/acme.example.com", true)),
			},
		},
	})
}
