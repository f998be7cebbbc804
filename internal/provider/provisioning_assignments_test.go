package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccOktaWrikeProvisioning_failedUpdateRecordsWhatReachedOkta: when
// Okta refuses one assignment and then cannot be read back, the state
// holds the assignments Okta accepted, not the plan; the next apply makes
// only the missing one.
func TestAccOktaWrikeProvisioning_failedUpdateRecordsWhatReachedOkta(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng := f.group("Engineering")
	users := map[string]string{}
	for _, login := range []string{"u1", "u2", "u3", "u4", "u5", "u6"} {
		users[login] = f.addUser(login, "acme.example.com")
	}
	proxy := newRequestCounter(t, f.env.OktaURL)
	tmp := t.TempDir()
	t.Setenv("TF_ACC_TEMP_DIR", tmp)
	cfg := func(groupType string, logins ...string) string {
		direct := map[string]string{}
		for _, l := range logins {
			direct[users[l]] = "Regular"
		}
		return provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, proxy.URL, f.env.OktaAPIToken, fmt.Sprintf(`
  app_id        = %q
  scim_base_url = %q
  bearer_token  = %q
  create_users  = false
`, f.AppID, scimURL, token)+assignmentsBlock(map[string]string{eng: groupType}, direct))
	}
	all := []string{"u1", "u2", "u3", "u4", "u5", "u6"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: cfg("External", "u1", "u2")},
			{
				// Okta refuses u5; after that refusal it cannot be read. The
				// refusal waits (10 s at most) until the other three new
				// assignments have reached Okta: the provider starts no change
				// after one failed, so what reached Okta would otherwise
				// depend on how its workers were scheduled.
				PreConfig: func() {
					var down atomic.Bool
					others := make(chan struct{}, len(all))
					proxy.refuseWhen(func(r *http.Request, body string) bool {
						if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users") {
							if !strings.Contains(body, users["u5"]) {
								others <- struct{}{}
								return false
							}
							for range 3 { // u3, u4, u6
								select {
								case <-others:
								case <-time.After(10 * time.Second):
								}
							}
							down.Store(true)
							return true
						}
						return down.Load() && r.Method == http.MethodGet
					})
				},
				Config:      cfg("Regular", all...),
				ExpectError: regexp.MustCompile(`(?s)Cannot assign user ` + users["u5"] + `.*E0000006`),
			},
			{
				PreConfig: func() {
					proxy.refuseWhen(nil)
					groups, direct := recordedAssignments(t, tmp)
					if err := expectMap("recorded group assignments", groups, map[string]string{eng: "Regular"}); err != nil {
						t.Error(err)
					}
					want := map[string]string{}
					for _, l := range []string{"u1", "u2", "u3", "u4", "u6"} {
						want[users[l]] = "Regular"
					}
					if err := expectMap("recorded user assignments", direct, want); err != nil {
						t.Error(err)
					}
					proxy.reset()
				},
				Config: cfg("Regular", all...),
				Check: backendCheck(func() error {
					if got := proxy.snapshot()["POST /api/v1/apps/"+f.AppID+"/users"]; got != 1 {
						return fmt.Errorf("%d user assignments sent, want 1 (u5)", got)
					}
					_, direct, err := f.oktaAssignments()
					if err != nil {
						return err
					}
					if len(direct) != len(all) {
						return fmt.Errorf("direct assignments in Okta: %v", fmtMap(direct))
					}
					return nil
				}),
			},
		},
	})
}

// recordedAssignments reads okta_wrike_provisioning's assignments from
// the state file terraform-plugin-testing keeps under dir.
func recordedAssignments(t *testing.T, dir string) (groups, users map[string]string) {
	t.Helper()
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "terraform.tfstate" {
			found = append(found, p)
		}
		return nil
	})
	if len(found) != 1 {
		t.Fatalf("state files under %s: %v", dir, found)
	}
	raw, err := os.ReadFile(found[0])
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes struct {
					Groups map[string]*string `json:"group_assignments"`
					Users  map[string]*string `json:"user_assignments"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	flat := func(m map[string]*string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			if v != nil {
				out[k] = *v
			} else {
				out[k] = ""
			}
		}
		return out
	}
	for _, r := range st.Resources {
		if r.Type == "okta_wrike_provisioning" && len(r.Instances) == 1 {
			a := r.Instances[0].Attributes
			return flat(a.Groups), flat(a.Users)
		}
	}
	t.Fatalf("no okta_wrike_provisioning in %s", raw)
	return nil, nil
}
