package provider

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// TestAccEndToEnd_groupProvisionedIntoWrike is the seed's whole setup as
// one configuration: approve the domain, create the API token, enable
// Wrike's SCIM integration, configure the Okta app's provisioning with a
// group assignment. It then follows the people: provisioned into Wrike with
// all nine attributes and their user type, deactivated in Okta, unassigned.
// It runs with each way of giving Okta the token: write-only (Terraform 1.11
// or later) and sensitive in state, which is what older CLIs have.
func TestAccEndToEnd_groupProvisionedIntoWrike(t *testing.T) {
	t.Run("bearer_token_wo", func(t *testing.T) {
		endToEnd(t, "bearer_token_wo         = wrike_api_token.okta.token\n  bearer_token_wo_version = 1", needsWriteOnly,
			statecheck.ExpectKnownValue("okta_wrike_provisioning.wrike", tfjsonpath.New("bearer_token"), knownvalue.Null()))
	})
	t.Run("bearer_token", func(t *testing.T) {
		endToEnd(t, "bearer_token            = wrike_api_token.okta.token", nil,
			statecheck.ExpectSensitiveValue("okta_wrike_provisioning.wrike", tfjsonpath.New("bearer_token")))
	})
}

// endToEnd runs the flow with token, the okta_wrike_provisioning lines that
// set the token, under the CLIs versions admits, checking state with tokenCheck.
func endToEnd(t *testing.T, token string, versions []tfversion.TerraformVersionCheck, tokenCheck statecheck.StateCheck) {
	f := newOrgFixture(t)
	eng := f.group("Engineering")
	f.addUser("ann", "acme.example.com", "Engineering")
	bob := f.addUser("bob", "acme.example.com", "Engineering")
	f.addUser("pat", "partner.example.net", "Engineering") // domain not approved in Wrike
	f.addUser("zed", "acme.example.com")                   // not assigned

	config := func(groups string) string {
		return fmt.Sprintf(`
provider "wrike" {
  wrike_url      = %q
  wrike_token    = %q
  okta_org_url   = %q
  okta_api_token = %q
}

resource "wrike_approved_domain" "acme" {
  domain = "acme.example.com"
}

resource "wrike_api_token" "okta" {
  app_name    = "Okta provisioning"
  description = "Token Okta's Wrike app authenticates with"
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
  enabled           = true
  default_user_type = "Regular"
}

resource "okta_wrike_provisioning" "wrike" {
  provider = wrike

  app_id                  = %q
  scim_base_url           = wrike_scim_integration.okta.scim_url
  %s
  group_assignments       = %s

  # Users can only be provisioned once their domain is approved; pat's
  # partner.example.net is not, on purpose, so no plan retries pat.
  retry_failed_provisioning = false
  depends_on = [wrike_approved_domain.acme]
}
`, f.env.WrikeURL, f.env.WrikeAdminToken, f.env.OktaURL, f.env.OktaAPIToken, f.AppID, token, groups)
	}
	assigned := config(fmt.Sprintf(`{ %q = "External" }`, eng))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   versions,
		Steps: []resource.TestStep{
			{
				Config:            assigned,
				ConfigStateChecks: []statecheck.StateCheck{tokenCheck},
				Check: backendCheck(func() error {
					users, err := f.wrikeUsers()
					if err != nil {
						return err
					}
					for _, login := range []string{"ann", "bob"} {
						email := login + "@acme.example.com"
						u, ok := users[email]
						if !ok {
							return fmt.Errorf("%s was not provisioned into Wrike; Wrike has %d users", email, len(users))
						}
						want := wrikeapi.User{
							ID: u.ID, ExternalID: u.ExternalID, CreatedDate: u.CreatedDate, UpdatedDate: u.UpdatedDate,
							Billable: true, IdentityProvider: "okta",
							UserName: email, Email: email,
							FirstName: map[string]string{"ann": "Ann", "bob": "Bob"}[login], LastName: "Tester",
							Title: "Engineer " + login, Phone: "+1 555 0100", Organization: "Acme",
							Department: "R&D " + login, UserType: "External", Active: true,
						}
						if u != want {
							return fmt.Errorf("%s in Wrike:\n got %+v\nwant %+v", email, u, want)
						}
						// Okta links its app user to the Wrike user by the SCIM id.
						var au struct {
							ExternalID string `json:"externalId"`
							SyncState  string `json:"syncState"`
						}
						if err := doJSON(f.env.OktaURL+"/api/v1/apps/"+f.AppID+"/users/"+f.Users[login], "SSWS "+f.env.OktaAPIToken, http.MethodGet, nil, &au); err != nil {
							return err
						}
						if au.ExternalID != u.ID || au.SyncState != "SYNCHRONIZED" {
							return fmt.Errorf("%s: Okta app user externalId %q, sync %s; want %q, SYNCHRONIZED", email, au.ExternalID, au.SyncState, u.ID)
						}
					}
					if _, ok := users["pat@partner.example.net"]; ok {
						return fmt.Errorf("pat@partner.example.net was provisioned although partner.example.net is not approved")
					}
					if _, ok := users["zed@acme.example.com"]; ok {
						return fmt.Errorf("zed@acme.example.com was provisioned without an assignment")
					}
					return nil
				}),
			},
			{
				// Deactivated in Okta: inactive in Wrike, kept, not billed.
				PreConfig: func() {
					f.okta(http.MethodPost, "/api/v1/users/"+bob+"/lifecycle/deactivate", nil, nil)
				},
				Config: assigned,
				Check: backendCheck(func() error {
					users, err := f.wrikeUsers()
					if err != nil {
						return err
					}
					if u, ok := users["bob@acme.example.com"]; !ok || u.Active {
						return fmt.Errorf("bob after deactivation in Okta: %+v (present %v), want inactive", u, ok)
					}
					if u := users["ann@acme.example.com"]; !u.Active {
						return fmt.Errorf("ann was deactivated too: %+v", u)
					}
					return nil
				}),
			},
			{
				// The group unassigned: its users are deactivated in Wrike.
				Config: config("{}"),
				Check: backendCheck(func() error {
					users, err := f.wrikeUsers()
					if err != nil {
						return err
					}
					for _, email := range []string{"ann@acme.example.com", "bob@acme.example.com"} {
						if u, ok := users[email]; !ok || u.Active {
							return fmt.Errorf("%s after the group was unassigned: %+v (present %v), want inactive", email, u, ok)
						}
					}
					return nil
				}),
			},
		},
	})
}
