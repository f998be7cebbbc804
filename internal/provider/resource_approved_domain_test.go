package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
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

// TestAccApprovedDomainImportCanonical: an import by domain name in any
// spelling puts the canonical form into state.
func TestAccApprovedDomainImportCanonical(t *testing.T) {
	env := backendtest.Start(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig:          outOfBand(t, env, http.MethodPost, "/approved_domains", map[string]string{"domain": "acme.example.com"}),
				Config:             approvedDomainConfig(env, "acme.example.com"),
				ResourceName:       "wrike_approved_domain.acme",
				ImportState:        true,
				ImportStateId:      "ACME.Example.COM",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID == "" {
						return fmt.Errorf("imported %+v", states)
					}
					for k, want := range map[string]string{"domain": "acme.example.com", "ascii_domain": "acme.example.com", "unicode_domain": "acme.example.com"} {
						if got := states[0].Attributes[k]; got != want {
							return fmt.Errorf("imported %s = %q, want %q", k, got, want)
						}
					}
					return nil
				},
			},
			{
				Config: approvedDomainConfig(env, "acme.example.com"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccApprovedDomainInternationalised: an internationalised domain is
// approved once, shown in both forms, and another spelling of it (A-label,
// letter case) is the same domain: no replacement.
func TestAccApprovedDomainInternationalised(t *testing.T) {
	env := backendtest.Start(t)
	const addr = "wrike_approved_domain.acme"
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             backendHas(env, "/approved_domains/xn--bcher-kva.example", false),
		Steps: []resource.TestStep{
			{
				Config: approvedDomainConfig(env, "bücher.example"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact("bücher.example")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ascii_domain"), knownvalue.StringExact("xn--bcher-kva.example")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("unicode_domain"), knownvalue.StringExact("bücher.example")),
				},
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[addr].Primary.ID
					return backendHas(env, "/approved_domains/xn--bcher-kva.example", true)(s)
				},
			},
			{
				Config: approvedDomainConfig(env, "XN--BCHER-KVA.example"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("domain"), knownvalue.StringExact("XN--BCHER-KVA.example")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("unicode_domain"), knownvalue.StringExact("bücher.example")),
				},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[addr].Primary.ID; id != firstID {
						return fmt.Errorf("id changed from %q to %q: the domain was replaced", firstID, id)
					}
					return nil
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           "Bücher.example",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"domain"}, // the import holds the canonical spelling
			},
		},
	})
}

func TestAccApprovedDomainRejected(t *testing.T) {
	env := backendtest.Start(t)
	steps := []resource.TestStep{}
	for bad, why := range map[string]string{
		"localhost": "two labels", "acme..example.com": "not a valid domain name", "-acme.example.com": "not a valid domain name",
		"user@acme.example.com": `email address; write only its domain, "acme.example.com"`, "acme.example.com ": "spaces",
		"192.0.2.1": "IP address", "[192.0.2.1]": "IP address", "ki\u017Fs.example.com": "U\\+017F", // (HCL turns U+212A into "K" itself: NFC)
		"\u0430cme.example.com":    "mixes the scripts Cyrillic and Latin", // a Cyrillic а
		"https://acme.example.com": `is a URL; write only its domain, such as "acme.example.com"`,
	} {
		steps = append(steps, resource.TestStep{
			Config:      approvedDomainConfig(env, bad),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid domain name.*` + strings.ReplaceAll(why, " ", `\s+`)), // the CLI wraps lines
		})
	}
	steps = append(steps, resource.TestStep{
		// Approved already, outside Terraform: a clear conflict, nothing in state.
		PreConfig:   outOfBand(t, env, http.MethodPost, "/approved_domains", map[string]string{"domain": "taken.example.com"}),
		Config:      approvedDomainConfig(env, "Taken.example.com"),
		ExpectError: regexp.MustCompile(`(?s)already\s+approved\s+in\s+Wrike,\s+and\s+this\s+Terraform\s+state\s+does\s+not\s+manage\s+it.*terraform import wrike_approved_domain.<name>\s+Taken.example.com`),
	}, resource.TestStep{
		Config:        approvedDomainConfig(env, "missing.example.com"),
		ResourceName:  "wrike_approved_domain.acme",
		ImportState:   true,
		ImportStateId: "missing.example.com",
		ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
	}, resource.TestStep{
		Config:        approvedDomainConfig(env, "acme.example.com"),
		ResourceName:  "wrike_approved_domain.acme",
		ImportState:   true,
		ImportStateId: "192.0.2.1",
		ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*IP\s+address`),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}
