package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Resource identity came with Terraform 1.12: import blocks with identity, and identities in
// state. Older CLIs skip these tests; their string-id imports are covered everywhere.
var needsIdentity = []tfversion.TerraformVersionCheck{notOpenTofu{}, tfversion.SkipBelow(tfversion.Version1_12_0)}

// notOpenTofu skips a test under OpenTofu, whose version numbers do not say which of
// Terraform's features it has: identities and list resources are tested under Terraform only.
type notOpenTofu struct{}

func (notOpenTofu) CheckTerraformVersion(_ context.Context, _ tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" || filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")) == "tofu" {
		resp.Skip = "resource identities and list resources are tested under Terraform 1.12 and 1.14 only, not under OpenTofu"
	}
}

// adoptionConfig is the whole setup, the four resources, against the fixture's backend, with a
// second approved domain spelled in U-labels and upper case.
func adoptionConfig(f *orgFixture) string {
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

resource "wrike_approved_domain" "buecher" {
  domain = "Bücher.Example"
}

resource "wrike_api_token" "okta" {
  app_name = "Okta provisioning"
}

resource "wrike_scim_integration" "okta" {
  identity_provider = "okta"
}

resource "okta_wrike_provisioning" "wrike" {
  provider = wrike

  app_id                  = %q
  scim_base_url           = wrike_scim_integration.okta.scim_url
  bearer_token_wo         = wrike_api_token.okta.token
  bearer_token_wo_version = wrike_api_token.okta.token_version
}
`, f.env.WrikeURL, f.env.WrikeAdminToken, f.env.OktaURL, f.env.OktaAPIToken, f.AppID)
}

// expectPlannedIdentity checks the identity a plan gives a resource: attr is want.
type expectPlannedIdentity struct{ addr, attr, want string }

func (e expectPlannedIdentity) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.addr {
			continue
		}
		id, _ := rc.Change.AfterIdentity.(map[string]any)
		if got, _ := id[e.attr].(string); got != e.want {
			resp.Error = fmt.Errorf("%s: planned identity %v, want %s = %q", e.addr, rc.Change.AfterIdentity, e.attr, e.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", e.addr)
}

// Every resource records the natural key a user knows as its identity (the approved domain in
// Wrike's canonical form, the API app's id, the identity provider, the Okta app id), imports by
// that identity with the same result as by string id, and still imports by string id, which
// then records the identity too. An identity spelling the domain another way imports the
// domain under its canonical identity; one that is not a domain is refused.
func TestAccResourceIdentity(t *testing.T) {
	f := newOrgFixture(t)
	config := adoptionConfig(f)
	const (
		acme    = "wrike_approved_domain.acme"
		buecher = "wrike_approved_domain.buecher"
		token   = "wrike_api_token.okta"
		scim    = "wrike_scim_integration.okta"
		prov    = "okta_wrike_provisioning.wrike"
	)
	identity := func(attr string, want knownvalue.Check) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{attr: want}
	}
	importByIdentity := func(addr string, changes bool) resource.TestStep {
		step := resource.TestStep{
			ResourceName:    addr,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithResourceIdentity,
		}
		if changes {
			// The token, which Wrike never shows again, is regenerated and sent to Okta.
			step.ExpectNonEmptyPlan = true
			step.ImportPlanChecks.PreApply = []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}
		}
		return step
	}
	exactImport := func(addr, block string) string {
		return config + fmt.Sprintf("\nimport {\n  to = %s\n%s\n}\n", addr, block)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsIdentity,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(acme, identity("domain", knownvalue.StringExact("acme.example.com"))),
					statecheck.ExpectIdentity(buecher, identity("domain", knownvalue.StringExact("xn--bcher-kva.example"))),
					statecheck.ExpectIdentityValueMatchesState(token, tfjsonpath.New("id")),
					statecheck.ExpectIdentity(scim, identity("identity_provider", knownvalue.StringExact("okta"))),
					statecheck.ExpectIdentity(prov, identity("app_id", knownvalue.StringExact(f.AppID))),
				},
			},
			importByIdentity(acme, false),
			importByIdentity(token, true),
			importByIdentity(scim, false),
			importByIdentity(prov, true),
			{
				// Another spelling of the domain: imported under its canonical identity, and only
				// the configured spelling is recorded.
				Config:                 exactImport(buecher, `  identity = { domain = "Bücher.EXAMPLE" }`),
				ResourceName:           buecher,
				ImportState:            true,
				ImportStateKind:        resource.ImportBlockWithResourceIdentity,
				ImportStateConfigExact: true,
				ExpectNonEmptyPlan:     true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(buecher, plancheck.ResourceActionUpdate),
				}},
			},
			{
				Config:                 exactImport(buecher, `  identity = { domain = "not a domain" }`),
				ResourceName:           buecher,
				ImportState:            true,
				ImportStateKind:        resource.ImportBlockWithResourceIdentity,
				ImportStateConfigExact: true,
				ExpectError:            regexp.MustCompile(`(?s)Invalid import identity.*domain`),
			},
			{
				Config:                 exactImport(scim, `  identity = { identity_provider = "google" }`),
				ResourceName:           scim,
				ImportState:            true,
				ImportStateKind:        resource.ImportBlockWithResourceIdentity,
				ImportStateConfigExact: true,
				ExpectError:            regexp.MustCompile(`(?s)Invalid import identity.*okta`),
			},
			// By string id, as before identities: the import records the identity.
			importByStringID(acme, "ACME.example.com", "domain", "acme.example.com"),
			importByStringID(scim, "okta", "identity_provider", "okta"),
			importByStringID(prov, f.AppID, "app_id", f.AppID),
		},
	})
}

// importByStringID imports addr with an import block's id and checks the identity it plans.
func importByStringID(addr, id, attr, want string) resource.TestStep {
	return resource.TestStep{
		ResourceName:       addr,
		ImportState:        true,
		ImportStateKind:    resource.ImportBlockWithID,
		ImportStateId:      id,
		ExpectNonEmptyPlan: true, // the okta_wrike_provisioning token is sent again; the others plan no change
		ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
			expectPlannedIdentity{addr: addr, attr: attr, want: want},
		}},
	}
}
