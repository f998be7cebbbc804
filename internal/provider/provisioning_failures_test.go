package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// providerWarnings counts the warning diagnostics in the provider log at
// path whose summary is summary and whose detail holds every one of want.
func providerWarnings(path, summary string, want ...string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n := 0
	// Log entries start with a timestamp; a diagnostic's detail follows on
	// indented lines, its fields in any order.
	for _, entry := range regexp.MustCompile(`\n\d{4}-\d\d-\d\dT`).Split(string(raw), -1) {
		if !strings.Contains(entry, "Response contains warning diagnostic") || !strings.Contains(entry, `diagnostic_summary="`+summary+`"`) {
			continue
		}
		all := true
		for _, w := range want {
			all = all && strings.Contains(entry, w)
		}
		if all {
			n++
		}
	}
	return n, nil
}

// A user Wrike refused shows in every plan, named with the reason; with
// retry_failed_provisioning on, the plan retries the user (a non-empty
// plan), off it stays quiet (an empty plan, the warning kept); and once
// the cause is fixed in the same configuration (the partner domain
// approved, in depends_on) one apply provisions the user and the next
// plan is empty.
func TestAccProvisioningFailuresHealedByOneApply(t *testing.T) {
	providerLog := filepath.Join(t.TempDir(), "provider.log")
	t.Setenv("TF_LOG", "WARN")
	t.Setenv("TF_ACC_LOG_PATH", providerLog)
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng := f.group("Engineering")
	f.addUser("ann", "acme.example.com", "Engineering")
	pia := f.addUser("pia", "partner.example.net", "Engineering")
	config := func(extra string) string {
		return f.config(f.tokenWOHead(scimURL, token)+assignmentsBlock(map[string]string{eng: ""}, nil)+`
  wait_for_provisioning = { timeout = "1m" }
`+extra) + `
resource "wrike_approved_domain" "partner" {
  count  = %d
  domain = "partner.example.net"
}
`
	}
	withDomain := func(cfg string, n int) string { return fmt.Sprintf(cfg, n) }
	piaInWrike := func(want bool) resource.TestCheckFunc {
		return backendCheck(func() error {
			users, err := wrikeUsersNow(f)
			if err != nil {
				return err
			}
			if got := users["pia@partner.example.net"].Active; got != want {
				return fmt.Errorf("pia active in Wrike: %v, want %v", got, want)
			}
			return nil
		})
	}
	warned := backendCheck(func() error {
		n, err := providerWarnings(providerLog, "Provisioning failed for 1 user(s)",
			"pia@partner.example.net ("+pia+"): userName \"pia@partner.example.net\" is in domain \"partner.example.net\", which is not an approved domain",
			"retry_failed_provisioning is false")
		if err == nil && n < 2 {
			err = fmt.Errorf("%d warnings naming pia and the reason in the provider log, want one per plan with healing off", n)
		}
		return err
	})
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Refused: the next plan retries pia.
				Config:             withDomain(config(""), 0),
				Check:              piaInWrike(false),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("okta_wrike_provisioning.p", tfjsonpath.New("provisioning_failures")),
				}},
			},
			{
				// The refusal accepted: the plan after the apply is empty,
				// the warning stays.
				Config: withDomain(config("  retry_failed_provisioning = false\n"), 0),
				Check: resource.ComposeTestCheckFunc(piaInWrike(false),
					resource.TestCheckResourceAttr("okta_wrike_provisioning.p", "provisioning_failures", "1")),
			},
			{
				// Another plan warns again, and changes nothing.
				Config:   withDomain(config("  retry_failed_provisioning = false\n"), 0),
				PlanOnly: true,
			},
			{
				// The cause fixed in the same configuration: one apply.
				Config: withDomain(config("  depends_on = [wrike_approved_domain.partner]\n"), 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("wrike_approved_domain.partner[0]", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("okta_wrike_provisioning.p", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(warned, piaInWrike(true),
					resource.TestCheckResourceAttr("okta_wrike_provisioning.p", "provisioning_failures", "0")),
			},
		},
	})
}

// A plan that removes a group and a direct user names, before anything is
// deactivated, the group with its member count and the people who lose
// Wrike; a member kept by another assigned group is not among them.
func TestAccRemovalsWarnBeforeDeactivating(t *testing.T) {
	providerLog := filepath.Join(t.TempDir(), "provider.log")
	t.Setenv("TF_LOG", "WARN")
	t.Setenv("TF_ACC_LOG_PATH", providerLog)
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng, sales := f.group("Engineering"), f.group("Sales")
	f.addUser("ann", "acme.example.com", "Engineering")
	f.addUser("bob", "acme.example.com", "Engineering", "Sales")
	f.addUser("cy", "acme.example.com", "Engineering")
	dan := f.addUser("dan", "acme.example.com")
	config := func(groups, users map[string]string) string {
		return f.config(f.tokenWOHead(scimURL, token) + assignmentsBlock(groups, users))
	}
	warned := func(summary string, want ...string) resource.TestCheckFunc {
		return backendCheck(func() error {
			n, err := providerWarnings(providerLog, summary, want...)
			if err == nil && n == 0 {
				err = fmt.Errorf("no warning %q with %q in the provider log", summary, want)
			}
			return err
		})
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config(map[string]string{eng: "", sales: ""}, map[string]string{dan: ""})},
			{
				Config: config(map[string]string{sales: ""}, map[string]string{}),
				Check: resource.ComposeTestCheckFunc(
					warned(`Removing group \"Engineering\" deactivates 2 person(s) in Wrike`,
						`Group \"Engineering\" (`+eng+`) has 3 member(s)`, "ann@acme.example.com, cy@acme.example.com"),
					warned("Removing direct assignments deactivates 1 person(s) in Wrike", "dan@acme.example.com"),
					backendCheck(func() error {
						n, err := providerWarnings(providerLog, `Removing group \"Engineering\" deactivates 2 person(s) in Wrike`, "bob@")
						if err == nil && n > 0 {
							err = fmt.Errorf("bob, kept by Sales, is named among those deactivated")
						}
						return err
					})),
			},
		},
	})
}

// The failure warning names at most ten users, sorted, each with the
// reason the tasks API gives, and counts the rest; the removal warning
// caps its names the same way.
func TestFailureAndImpactWarningsAreCapped(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/connections/default?activate=true",
		map[string]any{"baseUrl": scimURL, "profile": map[string]string{"authScheme": "TOKEN", "token": token}}, nil)
	f.okta(http.MethodPut, "/api/v1/apps/"+f.AppID+"/features/USER_PROVISIONING", map[string]any{
		"create": map[string]any{"lifecycleCreate": map[string]string{"status": "ENABLED"}}}, nil)
	for i := range 13 {
		id := f.addUser(fmt.Sprintf("p%02d", i), "partner.example.net")
		f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/users", map[string]any{"id": id}, nil)
	}
	if err := f.waitIdle(); err != nil {
		t.Fatal(err)
	}
	c, err := oktaclient.New(oktaclient.Config{OrgURL: f.env.OktaURL, APIToken: f.env.OktaAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	r := &oktaWrikeProvisioningResource{okta: c}
	_, failed, err := r.assignments(context.Background(), f.AppID)
	if err != nil || len(failed) != 13 {
		t.Fatalf("%d failed app users (%v), want 13", len(failed), err)
	}
	d := r.failuresDiagnostic(context.Background(), f.AppID, failed, true)
	detail := d.Detail()
	if d.Summary() != "Provisioning failed for 13 user(s)" || strings.Count(detail, "\n  - p") != 10 ||
		!strings.Contains(detail, "  - p00@partner.example.net (") || strings.Contains(detail, "p10@") ||
		!strings.Contains(detail, "  - and 3 more") || strings.Count(detail, "which is not an approved domain") != 10 ||
		!strings.Contains(detail, "This plan retries them") {
		t.Errorf("failure warning:\n%s\n%s", d.Summary(), detail)
	}

	var leaving []string
	for i := range 13 {
		leaving = append(leaving, fmt.Sprintf("u%02d@acme.example.com", i))
	}
	d = impactDiagnostic(path.Root("group_assignments"), `Removing group "Sales"`, "Group Sales has 13 member(s).", leaving, 0, false, false)
	if d.Summary() != `Removing group "Sales" unassigns 13 person(s) in Wrike` || !strings.Contains(d.Detail(), "u09@acme.example.com and 3 more") ||
		strings.Contains(d.Detail(), "u10@") || !strings.Contains(d.Detail(), "deactivate_users is off, so they stay active") {
		t.Errorf("removal warning:\n%s\n%s", d.Summary(), d.Detail())
	}
}

// The failures an apply records are the queue's last word: with
// wait_for_provisioning the count is taken after the wait, so a user Wrike
// refuses during the apply is counted in the state the apply writes, not
// only at the next refresh, however slowly Wrike answers.
func TestAccProvisioningFailuresCountedAfterTheWait(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	slow := reliabilitytest.NewFaultProxy(t, f.env.WrikeURL, func(r *http.Request) *reliabilitytest.Fault {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") {
			time.Sleep(time.Second) // each create answered a second late
		}
		return nil
	})
	scimURL = slow.URL + strings.TrimPrefix(scimURL, f.env.WrikeURL)
	eng := f.group("Engineering")
	f.addUser("ann", "acme.example.com", "Engineering")
	f.addUser("pia", "partner.example.net", "Engineering") // no approved domain: refused
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: f.config(f.tokenWOHead(scimURL, token) + assignmentsBlock(map[string]string{eng: ""}, nil) + `
  wait_for_provisioning     = { timeout = "1m" }
  retry_failed_provisioning = false
`),
			Check: resource.TestCheckResourceAttr("okta_wrike_provisioning.p", "provisioning_failures", "1"),
		}},
	})
}
