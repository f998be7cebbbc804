package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// The Okta app deleted outside Terraform (deactivated, then deleted, as
// Okta requires): the refresh drops the resource, the plan to create it
// again names the missing app, and pointing app_id at the re-created app
// provisions again.
func TestAccOktaWrikeProvisioning_appDeletedOutOfBand(t *testing.T) {
	f := newOrgFixture(t)
	f.addUser("ann", "acme.example.com")
	scimURL, token := f.wrikeSCIM()
	body := func(appID string) string {
		return fmt.Sprintf(`
  app_id           = %q
  scim_base_url    = %q
  bearer_token     = %q
  user_assignments = { (%q) = null }
`, appID, scimURL, token, f.Users["ann"])
	}
	first := f.AppID
	// The Wrike app as re-created in Okta after the deletion.
	var recreated struct{ ID string }
	f.okta(http.MethodPost, "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &recreated)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: f.config(body(first))},
			{
				PreConfig: func() {
					f.okta(http.MethodPost, "/api/v1/apps/"+first+"/lifecycle/deactivate", nil, nil)
					f.okta(http.MethodDelete, "/api/v1/apps/"+first, nil, nil)
				},
				Config:      f.config(body(first)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)No such Okta app.*` + first),
			},
			{
				Config: f.config(body(recreated.ID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					users, err := f.wrikeUsers()
					if err != nil {
						return err
					}
					if !users["ann@acme.example.com"].Active {
						return fmt.Errorf("ann is not active in Wrike after provisioning from the re-created app: %+v", users)
					}
					return nil
				},
			},
		},
	})
}
