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

func approvedDomainConfig(env *backendtest.Env, domain string) string {
	return wrikeProviderConfig(env) + fmt.Sprintf("resource \"wrike_approved_domain\" \"acme\" {\n  domain = %q\n}\n", domain)
}

func TestAccApprovedDomain(t *testing.T) {
	env := backendtest.Start(t)
	const addr = "wrike_approved_domain.acme"
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: resource.ComposeTestCheckFunc(
			backendHas(env, "/approved_domains/acme.example.com", false),
			backendHas(env, "/approved_domains/beta.example.com", false),
		),
		Steps: []resource.TestStep{
			{
				Config: approvedDomainConfig(env, "acme.example.com"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact("acme.example.com")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_date"), knownvalue.NotNull()),
				},
				Check: resource.ComposeTestCheckFunc(
					backendHas(env, "/approved_domains/acme.example.com", true),
					func(s *terraform.State) error {
						firstID = s.RootModule().Resources[addr].Primary.ID
						var d struct{ ID, Domain string }
						if err := backendGet(env, "/approved_domains/acme.example.com", &d); err != nil {
							return err
						}
						if d.ID != firstID {
							return fmt.Errorf("backend id %q, state id %q", d.ID, firstID)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     "acme.example.com",
				ImportStateVerify: true,
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true, // by id
			},
			{
				// Only the letter case changes: Wrike is not touched and
				// the configured spelling is kept, with no diff afterwards.
				Config: approvedDomainConfig(env, "ACME.Example.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact("ACME.Example.com")),
				},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[addr].Primary.ID; id != firstID {
						return fmt.Errorf("id changed from %q to %q: the domain was replaced", firstID, id)
					}
					return nil
				},
			},
			{
				Config: approvedDomainConfig(env, "beta.example.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
				},
				Check: resource.ComposeTestCheckFunc(
					backendHas(env, "/approved_domains/beta.example.com", true),
					backendHas(env, "/approved_domains/acme.example.com", false),
				),
			},
			{
				// Removed in Wrike: the next plan creates it again.
				PreConfig: outOfBand(t, env, http.MethodDelete, "/approved_domains/beta.example.com", nil),
				Config:    approvedDomainConfig(env, "beta.example.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				Check: backendHas(env, "/approved_domains/beta.example.com", true),
			},
		},
	})
}

func TestAccApprovedDomainImportByMixedCase(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig:          outOfBand(t, env, http.MethodPost, "/approved_domains", map[string]string{"domain": "mixed.example.com"}),
				Config:             approvedDomainConfig(env, "Mixed.Example.COM"),
				ResourceName:       "wrike_approved_domain.acme",
				ImportState:        true,
				ImportStateId:      "Mixed.Example.COM",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["domain"] != "Mixed.Example.COM" || states[0].ID == "" {
						return fmt.Errorf("imported %+v", states)
					}
					return nil
				},
			},
			{
				Config: approvedDomainConfig(env, "Mixed.Example.COM"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccApprovedDomainRejected(t *testing.T) {
	env := backendtest.Start(t)
	steps := []resource.TestStep{}
	for _, bad := range []string{"localhost", "acme..example.com", "-acme.example.com", "user@acme.example.com", "acme.example.com "} {
		steps = append(steps, resource.TestStep{
			Config:      approvedDomainConfig(env, bad),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid domain name`),
		})
	}
	steps = append(steps, resource.TestStep{
		// Approved already, outside Terraform: a clear conflict, nothing in state.
		PreConfig:   outOfBand(t, env, http.MethodPost, "/approved_domains", map[string]string{"domain": "taken.example.com"}),
		Config:      approvedDomainConfig(env, "Taken.example.com"),
		ExpectError: regexp.MustCompile(`(?s)already approved.*already_exists`),
	}, resource.TestStep{
		Config:        approvedDomainConfig(env, "missing.example.com"),
		ResourceName:  "wrike_approved_domain.acme",
		ImportState:   true,
		ImportStateId: "missing.example.com",
		ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}
