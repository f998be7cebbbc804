package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func TestAccAccountDataSource(t *testing.T) {
	env := backendtest.Start(t)
	var account struct {
		ID                                               string
		Name                                             string
		BillableSeats, ActiveMembers, DeactivatedMembers int64
	}
	if err := backendGet(env, "/account", &account); err != nil {
		t.Fatal(err)
	}
	const addr = "data.wrike_account.this"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: wrikeProviderConfig(env) + "data \"wrike_account\" \"this\" {}\n",
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(account.ID)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(account.Name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("billable_seats"), knownvalue.Int64Exact(account.BillableSeats)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("active_members"), knownvalue.Int64Exact(account.ActiveMembers)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("deactivated_members"), knownvalue.Int64Exact(account.DeactivatedMembers)),
			},
		}},
	})
}
