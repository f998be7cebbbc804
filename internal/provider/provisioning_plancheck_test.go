package provider

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
)

// TestAccOktaWrikeProvisioning_assignmentIDsCheckedAtPlan: an id that is
// not an Okta group or user, is the Everyone group, or is of the other
// kind fails the plan, naming the id and what to do; the check lists each
// kind once, not once per id.
func TestAccOktaWrikeProvisioning_assignmentIDsCheckedAtPlan(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng := f.group("Engineering")
	ann := f.addUser("ann", "acme.example.com")
	bob := f.addUser("bob", "acme.example.com")
	var everyone []oktaapi.Group
	f.okta(http.MethodGet, "/api/v1/groups?q=Everyone", nil, &everyone)
	counter := newRequestCounter(t, f.env.OktaURL)
	cfg := func(groups, users map[string]string) string {
		return provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, counter.URL, f.env.OktaAPIToken, fmt.Sprintf(`
  app_id        = %q
  scim_base_url = %q
  bearer_token  = %q
`, f.AppID, scimURL, token)+assignmentsBlock(groups, users))
	}
	// expectLists checks the list calls since the last reset against the
	// plans made, counted by the connection read each plan of a create
	// makes: perPlan lists of groups and of users each.
	expectLists := func(perPlan int) func() {
		return func() {
			got := counter.snapshot()
			plans := got["GET /api/v1/apps/"+f.AppID+"/connections/default"]
			if plans == 0 || got["GET /api/v1/groups"] != perPlan*plans || got["GET /api/v1/users"] != perPlan*plans {
				t.Errorf("plan-time calls: %v; want %d list of groups and of users per plan", got, perPlan)
			}
			counter.reset()
		}
	}
	types := map[string]string{ann: "External", bob: "Collaborator"}
	descending := slices.Sorted(maps.Keys(types))
	slices.Reverse(descending)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      cfg(map[string]string{"00gNoSuchGroup": "Regular", eng: ""}, nil),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)No such Okta group.*"00gNoSuchGroup" = "Regular".*no\s+group\s+with\s+id "00gNoSuchGroup"`),
			},
			{
				PreConfig:   expectLists(1),
				Config:      cfg(map[string]string{everyone[0].ID: ""}, nil),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Everyone listed as a group.*assign_everyone\s+=\s+true`),
			},
			{
				PreConfig:   counter.reset,
				Config:      cfg(map[string]string{ann: "Regular"}, nil),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)User id in group_assignments.*` + ann + `.*assign\s+the\s+user\s+in\s+user_assignments`),
			},
			{
				Config:      cfg(nil, map[string]string{eng: "Regular"}),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Group id in user_assignments.*` + eng + `.*assign\s+the\s+group\s+in\s+group_assignments`),
			},
			{
				Config:      cfg(nil, map[string]string{"00uNoSuchUser": ""}),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)No such Okta user.*no\s+user\s+with\s+id "00uNoSuchUser"`),
			},
			{
				// Valid ids of both kinds: one list per kind for all of them.
				PreConfig:          counter.reset,
				Config:             cfg(map[string]string{eng: "External"}, map[string]string{ann: "", bob: "Collaborator"}),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: expectLists(1),
				Config:    cfg(map[string]string{eng: "External"}, map[string]string{ann: "", bob: "Collaborator"}),
			},
			{
				// Ids already assigned are not listed again.
				PreConfig:          counter.reset,
				Config:             cfg(map[string]string{eng: "Regular"}, map[string]string{ann: "External", bob: "Collaborator"}),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					got := counter.snapshot()
					if got["GET /api/v1/groups"]+got["GET /api/v1/users"] != 0 {
						t.Errorf("plan of known ids listed groups or users: %v", got)
					}
				},
				Config: cfg(map[string]string{eng: "Regular"}, map[string]string{ann: "External", bob: "Collaborator"}),
			},
			{
				// The order in the configuration is not part of the value:
				// the users written in descending id order, after a step that
				// wrote them ascending.
				Config: provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, counter.URL, f.env.OktaAPIToken, fmt.Sprintf(`
  app_id            = %q
  scim_base_url     = %q
  bearer_token      = %q
  group_assignments = { (%q) = "Regular" }
  user_assignments  = { (%q) = %q, (%q) = %q }
`, f.AppID, scimURL, token, eng, descending[0], types[descending[0]], descending[1], types[descending[1]])),
				PlanOnly: true,
			},
		},
	})
}

// TestOktaDirectoryReadsOnlyWhatItNeeds: lookups page through each list
// once, stop as soon as an id is found, and never ask Okta again for a
// page already read.
func TestOktaDirectoryReadsOnlyWhatItNeeds(t *testing.T) {
	f := newOrgFixture(t)
	var ids []string
	for i := range 450 {
		ids = append(ids, f.addUser(fmt.Sprintf("user%03d", i), "acme.example.com"))
	}
	eng := f.group("Engineering")
	counter := newRequestCounter(t, f.env.OktaURL)
	client, err := oktaclient.New(oktaclient.Config{OrgURL: counter.URL, APIToken: f.env.OktaAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := oktaDirectory{
		groups: newCatalog(client.GroupPages(), func(g oktaapi.Group) string { return g.ID }),
		users:  newCatalog(client.UserPages(), func(u oktaapi.User) string { return u.ID }),
	}
	check := func(what string, d any, err error, want string, pages int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(d); !strings.Contains(got, want) {
			t.Errorf("%s: %s, want %q", what, got, want)
		}
		if got := counter.snapshot()["GET /api/v1/users"]; got != pages {
			t.Errorf("%s: %d pages of users read, want %d", what, got, pages)
		}
	}
	slicesSorted := slices.Sorted(slices.Values(ids))
	d, err := dir.checkUser(ctx, slicesSorted[10])
	check("a user on the first page", d, err, "[]", 1)
	d, err = dir.checkUser(ctx, slicesSorted[250])
	check("a user on the second page", d, err, "[]", 2)
	d, err = dir.checkUser(ctx, slicesSorted[5])
	check("a user already read", d, err, "[]", 2)
	d, err = dir.checkUser(ctx, "00uNoSuchUser")
	check("a missing user", d, err, "No such Okta user", 3)
	d, err = dir.checkGroup(ctx, slicesSorted[0])
	check("a user id among the groups", d, err, "User id in group_assignments", 3)
	d, err = dir.checkGroup(ctx, eng)
	check("a group", d, err, "[]", 3)
	if got := counter.snapshot()["GET /api/v1/groups"]; got != 1 {
		t.Errorf("%d pages of groups read, want 1", got)
	}
}

// TestOktaDirectoryAsksOncePerPage: the plan-time check of the assignments is
// advisory, so an Okta that answers 503 gets one request, not the client's
// retries with their backoff, and the caller hears of the failure (to warn).
func TestOktaDirectoryAsksOncePerPage(t *testing.T) {
	var calls atomic.Int32
	okta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"errorCode":"E0000009","errorSummary":"Internal Server Error"}`))
	}))
	defer okta.Close()
	client, err := oktaclient.New(oktaclient.Config{OrgURL: okta.URL, APIToken: "00test-token"})
	if err != nil {
		t.Fatal(err)
	}
	dir := oktaDirectory{
		groups: newCatalog(client.GroupPages(), func(g oktaapi.Group) string { return g.ID }),
		users:  newCatalog(client.UserPages(), func(u oktaapi.User) string { return u.ID }),
	}
	if _, err = dir.checkUser(context.Background(), "00u1"); err == nil {
		t.Fatal("checkUser against an Okta answering 503 reported no error")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("Okta was asked %d times for one page, want once", n)
	}
	if w := cannotCheckAssignments(err); w.Severity() != diag.SeverityWarning {
		t.Errorf("the failure is a %v, want a warning", w.Severity())
	}
}
