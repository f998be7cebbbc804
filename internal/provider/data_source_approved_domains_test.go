package provider

import (
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func TestAccApprovedDomainsDataSource(t *testing.T) {
	env := backendtest.Start(t)
	const addr = "data.wrike_approved_domains.all"
	domain := func(ascii, unicode string) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id": knownvalue.NotNull(), "created_date": knownvalue.NotNull(),
			"domain": knownvalue.StringExact(ascii), "unicode_domain": knownvalue.StringExact(unicode),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				outOfBand(t, env, http.MethodPost, "/approved_domains", map[string]string{"domain": "ACME.Example.com"})()
				outOfBand(t, env, http.MethodPost, "/approved_domains", map[string]string{"domain": "bücher.example"})()
			},
			Config: wrikeProviderConfig(env) + "data \"wrike_approved_domains\" \"all\" {}\n",
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("approved_domains"), knownvalue.ListExact([]knownvalue.Check{
					domain("acme.example.com", "acme.example.com"),
					domain("xn--bcher-kva.example", "bücher.example"),
				})),
			},
		}},
	})
}
