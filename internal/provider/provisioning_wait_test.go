package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// TestAccOktaWrikeProvisioning_waitReportsRefusedUsers: with
// wait_for_provisioning, the apply returns only once Okta's queue for the
// app is idle (the check runs at once and finds everybody provisioned) and
// reports the partner user Wrike refused as a warning carrying the System
// Log's reason; the apply succeeds. A later apply that changes nothing else
// reports the same user again, until the cause is fixed.
func TestAccOktaWrikeProvisioning_waitReportsRefusedUsers(t *testing.T) {
	providerLog := filepath.Join(t.TempDir(), "provider.log")
	t.Setenv("TF_LOG", "WARN")
	t.Setenv("TF_ACC_LOG_PATH", providerLog)
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng := f.group("Engineering")
	f.addUser("ann", "acme.example.com", "Engineering")
	f.addUser("bob", "acme.example.com", "Engineering")
	pia := f.addUser("pia", "partner.example.net", "Engineering")
	body := func(wait string) string {
		return fmt.Sprintf(`
  app_id                  = %q
  scim_base_url           = %q
  bearer_token_wo         = %q
  bearer_token_wo_version = 1
  retry_failed_provisioning = false
`, f.AppID, scimURL, token) + assignmentsBlock(map[string]string{eng: ""}, nil) + wait
	}
	// The queue is idle and Wrike holds ann and bob when the apply returns:
	// nothing here waits.
	idleAndProvisioned := backendCheck(func() error {
		if p := f.env.Backend.Okta.Engine().Pending(); p != 0 {
			return fmt.Errorf("the apply returned with %d users still queued", p)
		}
		users, err := wrikeUsersNow(f)
		if err != nil {
			return err
		}
		for _, login := range []string{"ann@acme.example.com", "bob@acme.example.com"} {
			if u, ok := users[login]; !ok || !u.Active {
				return fmt.Errorf("%s not provisioned when the apply returned", login)
			}
		}
		return nil
	})
	warnings := func(want int) resource.TestCheckFunc {
		return backendCheck(func() error {
			raw, err := os.ReadFile(providerLog)
			if err != nil {
				return err
			}
			// Log entries start with a timestamp; a diagnostic's detail
			// follows on indented lines, its fields in any order.
			n := 0
			for _, entry := range regexp.MustCompile(`\n\d{4}-\d\d-\d\dT`).Split(string(raw), -1) {
				if strings.Contains(entry, "Response contains warning diagnostic") &&
					strings.Contains(entry, `diagnostic_summary="Wrike refused pia@partner.example.net"`) &&
					strings.Contains(entry, "Okta could not create user pia@partner.example.net ("+pia+") in Wrike after ") &&
					strings.Contains(entry, `Reason (System Log): userName "pia@partner.example.net" is in domain "partner.example.net", which is not an approved domain`) {
					n++
				}
			}
			if n != want {
				return fmt.Errorf("%d warnings about pia in the provider log, want %d", n, want)
			}
			return nil
		})
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      f.config(body(`  wait_for_provisioning = { timeout = "forever" }`)),
				ExpectError: regexp.MustCompile(`(?s)Invalid duration in wait_for_provisioning.timeout.*wait_for_provisioning.timeout must be a duration.*"forever"`),
			},
			{
				Config:      f.config(body(`  wait_for_provisioning = { timeout = "2h" }`)),
				ExpectError: regexp.MustCompile(`(?s)at most 1h0m0s`),
			},
			{
				Config: f.config(body(`
  wait_for_provisioning = { timeout = "2m" }
`)),
				Check: resource.ComposeTestCheckFunc(idleAndProvisioned, warnings(1),
					resource.TestCheckResourceAttr("okta_wrike_provisioning.p", "wait_for_provisioning.timeout", "2m")),
			},
			{
				// The default timeout; the refused user is reported again.
				Config: f.config(body(`
  wait_for_provisioning = {}
`)),
				Check: resource.ComposeTestCheckFunc(idleAndProvisioned, warnings(2),
					resource.TestCheckNoResourceAttr("okta_wrike_provisioning.p", "wait_for_provisioning.timeout")),
			},
		},
	})
}

// wrikeUsersNow lists Wrike's users without waiting for the Okta queue.
func wrikeUsersNow(f *orgFixture) (map[string]struct{ Active bool }, error) {
	var out struct {
		Data []struct {
			UserName string `json:"userName"`
			Active   bool   `json:"active"`
		} `json:"data"`
	}
	if err := doJSON(f.env.WrikeURL+"/api/v4/users", "Bearer "+f.env.WrikeAdminToken, "GET", nil, &out); err != nil {
		return nil, err
	}
	m := map[string]struct{ Active bool }{}
	for _, u := range out.Data {
		m[u.UserName] = struct{ Active bool }{u.Active}
	}
	return m, nil
}

// TestWaitForProvisioningReportsRefusalsAndMissingAPI: a user refused for
// good (Wrike's SCIM integration disabled: 403) is one warning with the
// attempt, the reason and how to retry; while Wrike answers 503 the wait
// ends at its timeout and names the user Okta still retries; an org
// without the tasks API is a warning, not an error.
func TestWaitForProvisioningReportsRefusalsAndMissingAPI(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	ann := f.addUser("ann", "acme.example.com")
	f.okta("POST", "/api/v1/apps/"+f.AppID+"/connections/default?activate=true",
		map[string]any{"baseUrl": scimURL, "profile": map[string]string{"authScheme": "TOKEN", "token": token}}, nil)
	f.okta("PUT", "/api/v1/apps/"+f.AppID+"/features/USER_PROVISIONING", map[string]any{
		"create": map[string]any{"lifecycleCreate": map[string]string{"status": "ENABLED"}}}, nil)
	// Wrike's SCIM integration disabled: 403, a permanent refusal.
	f.env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": false}, nil)
	f.okta("POST", "/api/v1/apps/"+f.AppID+"/users", map[string]any{"id": ann}, nil)
	c, err := oktaclient.New(oktaclient.Config{OrgURL: f.env.OktaURL, APIToken: f.env.OktaAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	diags := waitForProvisioning(context.Background(), c, f.AppID, 30*time.Second, 10*time.Millisecond)
	if diags.HasError() || len(diags) != 1 || diags[0].Summary() != "Wrike refused ann@acme.example.com" ||
		!strings.Contains(diags[0].Detail(), "Okta could not create user ann@acme.example.com ("+ann+") in Wrike after 1 attempt(s)") ||
		!strings.Contains(diags[0].Detail(), "Reason (System Log): ") || !strings.Contains(diags[0].Detail(), "retry_failed_provisioning") {
		t.Fatalf("diagnostics: %v", diags)
	}

	// Wrike answering 503 to every push: the wait ends at its timeout with
	// the users Okta still retries.
	proxy := reliabilitytest.NewFaultProxy(t, f.env.WrikeURL, reliabilitytest.Outage(time.Hour, 0, -1, func(r *http.Request) bool {
		return r.URL.Query().Get("filter") != "" || r.Method != http.MethodGet
	}))
	f.env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": true}, nil)
	u, _ := url.Parse(scimURL)
	f.okta("POST", "/api/v1/apps/"+f.AppID+"/connections/default?activate=true",
		map[string]any{"baseUrl": proxy.URL + u.Path, "profile": map[string]string{"authScheme": "TOKEN", "token": token}}, nil)
	diags = waitForProvisioning(context.Background(), c, f.AppID, 1500*time.Millisecond, 10*time.Millisecond)
	if diags.HasError() || len(diags) != 2 || diags[0].Summary() != "Provisioning not finished" ||
		diags[1].Summary() != "Provisioning of ann@acme.example.com still failing" ||
		!strings.Contains(diags[1].Detail(), "Reason (System Log): HTTP 503 Service Unavailable (application/json, ") ||
		!strings.Contains(diags[1].Detail(), "Okta keeps retrying.") {
		t.Fatalf("diagnostics at the timeout: %v", diags)
	}

	diags = waitForProvisioning(context.Background(), c, "0oanosuchapp", time.Second, 10*time.Millisecond)
	if diags.HasError() || len(diags) != 1 || !strings.Contains(diags[0].Detail(), "does not offer the tasks API") {
		t.Fatalf("diagnostics for an app without tasks: %v", diags)
	}
}
