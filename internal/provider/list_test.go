package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
)

// List resources and `terraform query` came with Terraform 1.14.
var needsQuery = []tfversion.TerraformVersionCheck{notOpenTofu{}, tfversion.SkipBelow(tfversion.Version1_14_0)}

// handMadeSetup is the setup of Wrike's article done by hand through the APIs, as an admin
// clicking in both consoles would leave it, plus what must not be listed: an integration left
// disabled, and a second Wrike app in Okta whose provisioning was never set up.
type handMadeSetup struct {
	*orgFixture
	// apiAppID is the API app Okta uses; another app, for another integration, exists too.
	apiAppID string
	eng      string
	ann      string
}

func newHandMadeSetup(t *testing.T) *handMadeSetup {
	t.Helper()
	f := newOrgFixture(t)
	s := &handMadeSetup{orgFixture: f}
	s.eng = f.group("Engineering")
	f.addUser("bob", "acme.example.com", "Engineering")
	s.ann = f.addUser("ann", "acme.example.com")

	scimURL, token := f.wrikeSCIM() // approves acme.example.com, creates "SCIM okta", enables okta
	s.apiAppID = f.scimAppID
	f.env.Admin(t, http.MethodPost, "/approved_domains", map[string]any{"domain": "bücher.example"}, nil)
	f.env.Admin(t, http.MethodPost, "/api_apps", map[string]any{"name": "Reporting export"}, nil)

	okta, err := oktaclient.New(oktaclient.Config{OrgURL: f.env.OktaURL, APIToken: f.env.OktaAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := oktaapi.ProvisioningConnectionRequest{BaseURL: scimURL,
		Profile: oktaapi.ProvisioningConnectionProfile{AuthScheme: oktaapi.AuthSchemeToken, Token: token}}
	if _, err := okta.SetDefaultConnection(ctx, f.AppID, req, true); err != nil {
		t.Fatal(err)
	}
	toggles := oktaapi.ProvisioningToggles{CreateUsers: true, UpdateUserAttributes: true, DeactivateUsers: false}
	if _, err := okta.UpdateFeature(ctx, f.AppID, oktaapi.FeatureUserProvisioning, toggles.Capabilities()); err != nil {
		t.Fatal(err)
	}
	if _, err := okta.AssignGroup(ctx, f.AppID, s.eng, oktaapi.ApplicationGroupAssignment{Profile: oktaapi.AssignmentProfile{UserType: "Collaborator"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := okta.AssignUser(ctx, f.AppID, s.ann, oktaapi.AssignmentProfile{}); err != nil {
		t.Fatal(err)
	}
	f.okta(http.MethodPost, "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike sandbox", "signOnMode": "SAML_2_0"}, nil)
	return s
}

// `terraform query` against a setup made by hand through the APIs lists what exists, by the
// identity an import block takes, with the state the resource reads (include_resource): both
// approved domains, the API app named in the list block (and, without a name, every app, with
// the warning that adopting one regenerates its token), the enabled SCIM integration only, and
// the Okta Wrike app whose provisioning is set up with its toggles and assignments, not the
// one never set up.
func TestAccListResources(t *testing.T) {
	s := newHandMadeSetup(t)
	const query = `
list "wrike_approved_domain" "all" {
  provider = wrike
}

list "wrike_api_token" "okta" {
  provider = wrike
  config {
    app_name = "SCIM okta"
  }
}

list "wrike_api_token" "every" {
  provider = wrike
}

list "wrike_scim_integration" "all" {
  provider = wrike
}

list "okta_wrike_provisioning" "all" {
  provider         = wrike
  include_resource = true
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsQuery,
		Steps: []resource.TestStep{
			{
				// The query reads the provider block of the configuration, which manages nothing yet.
				Config: fmt.Sprintf("provider \"wrike\" {\n  wrike_url      = %q\n  wrike_token    = %q\n  okta_org_url   = %q\n  okta_api_token = %q\n}\n",
					s.env.WrikeURL, s.env.WrikeAdminToken, s.env.OktaURL, s.env.OktaAPIToken),
			},
			{
				Query:  true,
				Config: query,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("wrike_approved_domain.all", 2),
					querycheck.ExpectIdentity("wrike_approved_domain.all", map[string]knownvalue.Check{"domain": knownvalue.StringExact("acme.example.com")}),
					querycheck.ExpectIdentity("wrike_approved_domain.all", map[string]knownvalue.Check{"domain": knownvalue.StringExact("xn--bcher-kva.example")}),
					querycheck.ExpectResourceDisplayName("wrike_approved_domain.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"domain": knownvalue.StringExact("xn--bcher-kva.example")}),
						knownvalue.StringExact("bücher.example (xn--bcher-kva.example)")),

					querycheck.ExpectLength("wrike_api_token.okta", 1),
					querycheck.ExpectIdentity("wrike_api_token.okta", map[string]knownvalue.Check{"id": knownvalue.StringExact(s.apiAppID)}),
					querycheck.ExpectResourceDisplayName("wrike_api_token.okta",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(s.apiAppID)}),
						knownvalue.StringExact("SCIM okta ("+s.apiAppID+")")),
					querycheck.ExpectLength("wrike_api_token.every", 2),

					querycheck.ExpectLength("wrike_scim_integration.all", 1),
					querycheck.ExpectIdentity("wrike_scim_integration.all", map[string]knownvalue.Check{"identity_provider": knownvalue.StringExact("okta")}),

					querycheck.ExpectLength("okta_wrike_provisioning.all", 1),
					querycheck.ExpectIdentity("okta_wrike_provisioning.all", map[string]knownvalue.Check{"app_id": knownvalue.StringExact(s.AppID)}),
					querycheck.ExpectResourceKnownValues("okta_wrike_provisioning.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"app_id": knownvalue.StringExact(s.AppID)}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("scim_base_url"), KnownValue: knownvalue.StringRegexp(regexp.MustCompile(`/scim/okta/v2$`))},
							{Path: tfjsonpath.New("status"), KnownValue: knownvalue.StringExact("ENABLED")},
							{Path: tfjsonpath.New("create_users"), KnownValue: knownvalue.Bool(true)},
							{Path: tfjsonpath.New("deactivate_users"), KnownValue: knownvalue.Bool(false)},
							{Path: tfjsonpath.New("group_assignments"), KnownValue: knownvalue.MapExact(map[string]knownvalue.Check{s.eng: knownvalue.StringExact("Collaborator")})},
							{Path: tfjsonpath.New("user_assignments"), KnownValue: knownvalue.MapExact(map[string]knownvalue.Check{s.ann: knownvalue.Null()})},
							{Path: tfjsonpath.New("bearer_token"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}
