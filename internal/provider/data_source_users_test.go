package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// provisionUser creates a user over Wrike's SCIM API as an identity
// provider would, and deactivates it when active is false.
func provisionUser(t *testing.T, scim backendtest.SCIM, userName, first, userType string, active bool) {
	t.Helper()
	body := map[string]any{
		"schemas": []string{
			"urn:ietf:params:scim:schemas:core:2.0:User",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
			"urn:ietf:params:scim:schemas:extension:wrike:2.0:User",
		},
		"userName":     userName,
		"externalId":   "okta-" + first,
		"name":         map[string]string{"givenName": first, "familyName": "Tester"},
		"emails":       []map[string]any{{"value": userName, "primary": true, "type": "work"}},
		"title":        "Engineer",
		"phoneNumbers": []map[string]any{{"value": "+1 555 0100", "primary": true, "type": "work"}},
		"active":       true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]string{"organization": "Acme", "department": "R&D"},
		"urn:ietf:params:scim:schemas:extension:wrike:2.0:User":      map[string]string{"userType": userType},
	}
	id := scimCall(t, scim, http.MethodPost, "/Users", body, http.StatusCreated)
	if !active {
		scimCall(t, scim, http.MethodPatch, "/Users/"+id, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []map[string]any{{"op": "replace", "value": map[string]any{"active": false}}},
		}, http.StatusOK)
	}
}

func scimCall(t *testing.T, scim backendtest.SCIM, method, path string, body any, want int) string {
	t.Helper()
	a := backendtest.Send(nil, method, scim.BaseURL+path, body, "Authorization", "Bearer "+scim.Token, "Content-Type", "application/scim+json")
	a.Want(t, want)
	id, _ := a.Body["id"].(string)
	return id
}

func TestAccUsersDataSource(t *testing.T) {
	env := backendtest.Start(t)
	scim := env.SetupSCIM(t, "okta", "acme.example.com", "partner.example.net")
	provisionUser(t, scim, "ada@acme.example.com", "Ada", "Regular", true)
	provisionUser(t, scim, "bob@acme.example.com", "Bob", "External", false)
	provisionUser(t, scim, "cy@partner.example.net", "Cy", "Collaborator", true)

	user := func(name, first, userType string, active bool) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.NotNull(),
			"user_name":    knownvalue.StringExact(name),
			"external_id":  knownvalue.StringExact("okta-" + first),
			"first_name":   knownvalue.StringExact(first),
			"last_name":    knownvalue.StringExact("Tester"),
			"email":        knownvalue.StringExact(name),
			"title":        knownvalue.StringExact("Engineer"),
			"phone":        knownvalue.StringExact("+1 555 0100"),
			"organization": knownvalue.StringExact("Acme"),
			"department":   knownvalue.StringExact("R&D"),
			"user_type":    knownvalue.StringExact(userType),
			"active":       knownvalue.Bool(active),
			"billable":     knownvalue.Bool(active),
		})
	}
	ada := user("ada@acme.example.com", "Ada", "Regular", true)
	bob := user("bob@acme.example.com", "Bob", "External", false)
	cy := user("cy@partner.example.net", "Cy", "Collaborator", true)
	users := tfjsonpath.New("users")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      wrikeProviderConfig(env) + "data \"wrike_users\" \"x\" {\n  user_type = \"Admin\"\n}\n",
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)user_type.*value must be one of`),
			},
			{
				Config:      wrikeProviderConfig(env) + "data \"wrike_users\" \"x\" {\n  domain = \"not a domain\"\n}\n",
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid domain name`),
			},
			{
				Config: wrikeProviderConfig(env) + `
data "wrike_users" "all" {}

data "wrike_users" "acme" {
  domain = "ACME.example.com"
}

data "wrike_users" "active_acme" {
  domain = "acme.example.com"
  active = true
}

data "wrike_users" "collaborators" {
  user_type = "Collaborator"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.wrike_users.all", users, knownvalue.ListExact([]knownvalue.Check{ada, bob, cy})),
					statecheck.ExpectKnownValue("data.wrike_users.acme", users, knownvalue.ListExact([]knownvalue.Check{ada, bob})),
					statecheck.ExpectKnownValue("data.wrike_users.active_acme", users, knownvalue.ListExact([]knownvalue.Check{ada})),
					statecheck.ExpectKnownValue("data.wrike_users.collaborators", users, knownvalue.ListExact([]knownvalue.Check{cy})),
				},
			},
		},
	})
}

// More users than one page of GET /users (1000): the data source follows
// nextPageToken, in creation order, with the filters on every page.
func TestAccUsersDataSourcePages(t *testing.T) {
	env := backendtest.Start(t)
	env.SetupSCIM(t, "okta", "bulk.example.com")
	const n = 2345
	name := func(i int) string { return fmt.Sprintf("bulk%04d@bulk.example.com", i) }
	stored, err := env.Backend.Wrike.ImportUsers(context.Background(), "okta", n, 1000, func(i int) []byte {
		userType := "Regular"
		if i%2 == 1 {
			userType = "External"
		}
		return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],
			"userName":%q,"urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":%q}}`, name(i), userType)
	})
	if err != nil || stored != n {
		t.Fatalf("import: %d stored, %v", stored, err)
	}
	users := tfjsonpath.New("users")
	userName := func(i int) tfjsonpath.Path { return users.AtSliceIndex(i).AtMapKey("user_name") }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: wrikeProviderConfig(env) + `
data "wrike_users" "all" {}

data "wrike_users" "external" {
  user_type = "External"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.wrike_users.all", users, knownvalue.ListSizeExact(n)),
				statecheck.ExpectKnownValue("data.wrike_users.all", userName(0), knownvalue.StringExact(name(0))),
				statecheck.ExpectKnownValue("data.wrike_users.all", userName(999), knownvalue.StringExact(name(999))),
				statecheck.ExpectKnownValue("data.wrike_users.all", userName(1000), knownvalue.StringExact(name(1000))),
				statecheck.ExpectKnownValue("data.wrike_users.all", userName(n-1), knownvalue.StringExact(name(n-1))),
				statecheck.ExpectKnownValue("data.wrike_users.external", users, knownvalue.ListSizeExact(n/2)),
				statecheck.ExpectKnownValue("data.wrike_users.external", userName(1000), knownvalue.StringExact(name(2001))),
				statecheck.ExpectKnownValue("data.wrike_users.external", userName(n/2-1), knownvalue.StringExact(name(n-2))),
			},
		}},
	})
}
