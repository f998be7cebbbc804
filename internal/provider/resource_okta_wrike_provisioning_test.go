package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

// provisioningConfig renders a provider block for the Okta org at oktaURL
// and an okta_wrike_provisioning "p" with the given body. These tests never
// call Wrike past the provider's configure-time check: wrike_url is
// accountOnlyWrike.
func provisioningConfig(oktaURL, oktaToken, body string) string {
	return provisioningConfigWith(accountOnlyWrike(), "wrka_unused", oktaURL, oktaToken, body)
}

var accountOnlyWrikeURL = sync.OnceValue(func() string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet && r.URL.Path == "/api/v4/account" {
			fmt.Fprint(w, `{"kind":"accounts","data":[{"id":"IEAAAAAA","name":"Test account","billableSeats":0,"activeMembers":0,"deactivatedMembers":0}]}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"error":"resource_not_found","errorDescription":"this test's Wrike answers only GET /api/v4/account, not %s %s"}`, r.Method, r.URL.Path)
	}))
	return srv.URL
})

// accountOnlyWrike is the address of a Wrike that answers only the account
// read the provider makes when it is configured; any other call is a 404
// naming it, which fails the step that made it. It lives as long as the
// test binary.
func accountOnlyWrike() string { return accountOnlyWrikeURL() }

// noCallsServer is a server that accepts connections and fails the test on
// any request: the address of an API the test must not call.
func noCallsServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected call %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func provisioningConfigWith(wrikeURL, wrikeToken, oktaURL, oktaToken, body string) string {
	return fmt.Sprintf(`
provider "wrike" {
  wrike_url      = %q
  wrike_token    = %q
  okta_org_url   = %q
  okta_api_token = %q
}

resource "okta_wrike_provisioning" "p" {
  provider = wrike
%s
}
`, wrikeURL, wrikeToken, oktaURL, oktaToken, body)
}

func TestAccOktaWrikeProvisioning_invalidConfigsRejectedAtPlan(t *testing.T) {
	// The org is never called: every config below fails validation.
	okta := noCallsServer(t)
	cfg := func(body string) string { return provisioningConfig(okta, "00test-token", body) }
	const base = `
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg(base + `
  bearer_token            = "wrk4_a"
  bearer_token_wo         = "wrk4_b"
  bearer_token_wo_version = 1
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)bearer_token_wo.*bearer_token`),
			},
			{
				Config:      cfg(base),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Exactly one of these attributes must be configured.*bearer_token`),
			},
			{
				Config: cfg(`
  app_id        = "0oa1"
  scim_base_url = "wrike.example/scim"
  bearer_token  = "wrk4_a"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)scim_base_url.*has no scheme: write it as\s+https://wrike.example/scim`),
			},
			{
				Config: cfg(`
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim?x=1"
  bearer_token  = "wrk4_a"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must not carry a query`),
			},
			{
				Config: cfg(base + `
  bearer_token      = "wrk4_a"
  group_assignments = { "00g1" = "Admin" }
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)group_assignments\["00g1"\].*value must be one of.*Regular.*External.*Collaborator`),
			},
			{
				Config: cfg(base + `
  bearer_token     = "wrk4_a"
  user_assignments = { "00u1" = "guest" }
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)user_assignments\["00u1"\].*value must be one of`),
			},
			{
				Config: cfg(base + `
  bearer_token       = "wrk4_a"
  everyone_user_type = "External"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`needs assign_everyone = true`),
			},
			{
				Config: cfg(base + `
  bearer_token_wo = "wrk4_b"
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)bearer_token_wo_version.*must be specified|(?s)must be specified.*bearer_token_wo_version`),
			},
			{
				Config: cfg(base + `
  bearer_token = ""
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)bearer_token.*at least 1`),
			},
			{
				Config: cfg(base + `
  bearer_token     = "wrk4_a"
  user_assignments = { "" = "Regular" }
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)user_assignments.*at least 1`),
			},
		},
	})
}

func TestAccOktaWrikeProvisioning_missingOktaSettings(t *testing.T) {
	t.Setenv("OKTA_ORG_URL", "")
	t.Setenv("OKTA_API_TOKEN", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "wrike" {
  wrike_url   = %q
  wrike_token = "wrka_unused"
}

resource "okta_wrike_provisioning" "p" {
  provider      = wrike
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
  bearer_token  = "wrk4_a"
}
`, accountOnlyWrike()),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing Okta configuration.*okta_org_url.*okta_api_token.*OKTA_ORG_URL.*OKTA_API_TOKEN`),
		}},
	})
}

func TestAccOktaWrikeProvisioning_halfOktaSettings(t *testing.T) {
	t.Setenv("OKTA_ORG_URL", "")
	t.Setenv("OKTA_API_TOKEN", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "wrike" {
  wrike_url    = %q
  wrike_token  = "wrka_unused"
  okta_org_url = "https://example.okta.com"
}

resource "okta_wrike_provisioning" "p" {
  provider      = wrike
  app_id        = "0oa1"
  scim_base_url = "https://wrike.example/scim/okta/v2"
  bearer_token  = "wrk4_a"
}
`, accountOnlyWrike()),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing Okta configuration.*The Okta API token is not set.*okta_api_token.*OKTA_API_TOKEN`),
		}},
	})
}

// TestAccOktaWrikeProvisioning_unknownConnection plays a real Okta org
// that cannot provision the OIN Wrike app through its API.
func TestAccOktaWrikeProvisioning_unknownConnection(t *testing.T) {
	var mu sync.Mutex
	var writes []string
	okta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/apps/0oaWrike":
			fmt.Fprint(w, `{"id":"0oaWrike","name":"wrike","label":"Wrike","status":"ACTIVE","signOnMode":"SAML_2_0"}`)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/apps/0oaWrike/connections/default":
			fmt.Fprint(w, `{"authScheme":"UNKNOWN","status":"UNKNOWN","_links":{}}`)
		default:
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found","errorCauses":[]}`)
		}
	}))
	defer okta.Close()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsWriteOnly,
		Steps: []resource.TestStep{{
			Config: provisioningConfig(okta.URL, "00test-token", `
  app_id                  = "0oaWrike"
  scim_base_url           = "https://wrike.example/scim/okta/v2"
  bearer_token_wo         = "wrk4_b"
  bearer_token_wo_version = 1
`),
			// Reported by plan already, before anything is applied.
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Okta's API cannot configure provisioning for this app.*status UNKNOWN.*Okta Admin Console`),
		}},
	})
	mu.Lock()
	defer mu.Unlock()
	if len(writes) > 0 {
		t.Errorf("Okta was called beyond the connection check: %s", strings.Join(writes, ", "))
	}
}

// stateLacks fails when secret appears anywhere in the state.
type stateLacks struct{ secret string }

func (c stateLacks) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(raw), c.secret) {
		resp.Error = errors.New("the token is in the Terraform state")
	}
}

// backendCheck runs fn as a step check: effects are read from the
// backend, not from state.
func backendCheck(fn func() error) resource.TestCheckFunc {
	return func(*terraform.State) error { return fn() }
}

// assignmentsBlock renders group_assignments and user_assignments (nil
// leaves one out); a user type "" is null, the integration's default.
func assignmentsBlock(groups map[string]string, users map[string]string) string {
	var b strings.Builder
	block := func(name string, m map[string]string) {
		if m == nil {
			return
		}
		fmt.Fprintf(&b, "  %s = {\n", name)
		for _, id := range sortedKeys(m) {
			if m[id] == "" {
				fmt.Fprintf(&b, "    %q = null\n", id)
			} else {
				fmt.Fprintf(&b, "    %q = %q\n", id, m[id])
			}
		}
		b.WriteString("  }\n")
	}
	block("group_assignments", groups)
	block("user_assignments", users)
	return b.String()
}

func TestAccOktaWrikeProvisioning_lifecycle(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng, sales := f.group("Engineering"), f.group("Sales")
	f.addUser("ann", "acme.example.com", "Engineering")
	f.addUser("bob", "acme.example.com", "Engineering")
	cid := f.addUser("cid", "acme.example.com")
	f.addUser("dan", "acme.example.com", "Sales")
	const addr = "okta_wrike_provisioning.p"
	counter := newRequestCounter(t, f.env.OktaURL)

	head := f.tokenWOHead(scimURL, token)
	first := head + assignmentsBlock(map[string]string{eng: "External"}, map[string]string{cid: "Collaborator"})
	// Create Users off: Sales' dan must not reach Wrike; bob's user type
	// change must; cid's removal deactivates him.
	second := head + `
  create_users = false
` + assignmentsBlock(map[string]string{eng: "Collaborator", sales: ""}, map[string]string{})

	expectWrike := func(want map[string]string) func() error {
		// want: login → "userType" of an active user, "inactive", or "absent".
		return func() error {
			users, err := f.wrikeUsers()
			if err != nil {
				return err
			}
			got := map[string]string{}
			for login := range want {
				u, ok := users[login+"@acme.example.com"]
				switch {
				case !ok:
					got[login] = "absent"
				case !u.Active:
					got[login] = "inactive"
				default:
					got[login] = u.UserType
				}
			}
			return expectMap("Wrike users", got, want)
		}
	}
	expectOkta := func(status string, toggles [3]bool, groups, users map[string]string) func() error {
		return func() error {
			st, base, tg, err := f.connection()
			if err != nil {
				return err
			}
			if st != status || tg != toggles {
				return fmt.Errorf("connection %s, toggles %v; want %s, %v", st, tg, status, toggles)
			}
			if status == "ENABLED" && base != scimURL {
				return fmt.Errorf("base URL %q, want %q", base, scimURL)
			}
			g, u, err := f.oktaAssignments()
			if err != nil {
				return err
			}
			if err := expectMap("group assignments", g, groups); err != nil {
				return err
			}
			return expectMap("user assignments", u, users)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsWriteOnly,
		CheckDestroy: backendCheck(func() error {
			st, _, tg, err := f.connection()
			if err != nil {
				return err
			}
			if st == "ENABLED" || tg != [3]bool{} {
				return fmt.Errorf("after destroy: connection %s, toggles %v", st, tg)
			}
			g, u, err := f.oktaAssignments()
			if err != nil {
				return err
			}
			if len(g)+len(u) != 0 {
				return fmt.Errorf("after destroy: assignments remain: groups %s, users %s", fmtMap(g), fmtMap(u))
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: f.config(first),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(f.AppID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("ENABLED")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("create_users"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("update_user_attributes"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deactivate_users"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("assign_everyone"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("bearer_token_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("bearer_token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("bearer_token_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("group_assignments"), knownvalue.MapExact(map[string]knownvalue.Check{
						eng: knownvalue.StringExact("External"),
					})),
					stateLacks{secret: token},
				},
				Check: resource.ComposeTestCheckFunc(
					backendCheck(expectOkta("ENABLED", [3]bool{true, true, true}, map[string]string{eng: "External"}, map[string]string{cid: "Collaborator"})),
					backendCheck(expectWrike(map[string]string{"ann": "External", "bob": "External", "cid": "Collaborator", "dan": "absent"})),
				),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"bearer_token_wo_version"},
			},
			{
				Config: f.config(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("create_users"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("user_assignments"), knownvalue.MapSizeExact(0)),
					stateLacks{secret: token},
				},
				Check: resource.ComposeTestCheckFunc(
					backendCheck(expectOkta("ENABLED", [3]bool{false, true, true}, map[string]string{eng: "Collaborator", sales: ""}, map[string]string{})),
					backendCheck(expectWrike(map[string]string{"ann": "Collaborator", "bob": "Collaborator", "cid": "inactive", "dan": "absent"})),
				),
			},
			{
				// Changed by hand in Okta: connection deactivated, features
				// off, Sales unassigned, cid assigned. Refresh sees it and the
				// plan puts it back.
				PreConfig: func() {
					f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/connections/default/lifecycle/deactivate", nil, nil)
					f.okta(http.MethodPut, "/api/v1/apps/"+f.AppID+"/features/USER_PROVISIONING", oktaapi.ProvisioningToggles{}.Capabilities(), nil)
					f.okta(http.MethodDelete, "/api/v1/apps/"+f.AppID+"/groups/"+sales, nil, nil)
					f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/users", map[string]any{"id": cid, "scope": "USER", "profile": map[string]any{}}, nil)
				},
				Config: f.config(second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("status")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("ENABLED")),
				},
				Check: backendCheck(expectOkta("ENABLED", [3]bool{false, true, true}, map[string]string{eng: "Collaborator", sales: ""}, map[string]string{})),
			},
			{
				// A second plan after the repair is empty, and its refresh
				// reads each kind of assignment with one list call, never one
				// call per member.
				PreConfig: counter.reset,
				Config:    provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, counter.URL, f.env.OktaAPIToken, second),
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					want := map[string]int{
						"GET /api/v1/apps/" + f.AppID + "/connections/default":        1,
						"GET /api/v1/apps/" + f.AppID + "/features/USER_PROVISIONING": 1,
						"GET /api/v1/apps/" + f.AppID + "/groups":                     1,
						"GET /api/v1/apps/" + f.AppID + "/users":                      1,
					}
					if got := counter.snapshot(); expectCounts(got, want) != nil {
						t.Fatalf("refresh calls: %v", expectCounts(got, want))
					}
				},
				Config:   f.config(second),
				PlanOnly: true,
			},
		},
	})
}

// requestCounter is a reverse proxy to the Okta face that counts requests
// by method and path, and answers 403 to those refuse picks.
type requestCounter struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
	refuse func(r *http.Request, body string) bool
}

// refuseWhen makes the proxy refuse the requests fn picks (nil: none). fn
// is called for each request as it arrives, concurrently.
func (c *requestCounter) refuseWhen(fn func(r *http.Request, body string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse = fn
}

func newRequestCounter(t *testing.T, target string) *requestCounter {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &requestCounter{counts: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.mu.Lock()
		c.counts[r.Method+" "+r.URL.Path]++
		refuse := c.refuse
		c.mu.Unlock()
		// Outside the lock: fn may hold one request back while others pass.
		refused := refuse != nil && refuse(r, string(body))
		if refused {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorCauses":[]}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *requestCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}

func (c *requestCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

func expectCounts(got, want map[string]int) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("got %v, want %v", got, want)
		}
	}
	return nil
}

func TestAccOktaWrikeProvisioning_sensitiveTokenRotationAndFailingCredentials(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, tokenA := f.wrikeSCIM()
	tokenB := f.wrikeToken("Okta provisioning, rotated")
	eve := f.addUser("eve", "acme.example.com")
	const addr = "okta_wrike_provisioning.p"
	withToken := func(tokenAttrs string, extra string) string {
		return f.config(fmt.Sprintf(`
  app_id        = %q
  scim_base_url = %q
%s
%s`, f.AppID, scimURL, tokenAttrs, extra))
	}
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: app (AppInstance)","errorCauses":[]}`)
	}))
	defer gone.Close()
	refused := regexp.MustCompile(`(?s)Okta refused the SCIM connection.*nothing was saved.*E0000001.*\n\s+- `)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   needsWriteOnly,
		Steps: []resource.TestStep{
			{
				Config: f.config(fmt.Sprintf(`
  app_id        = "0oaNoSuchApp"
  scim_base_url = %q
  bearer_token  = %q
`, scimURL, tokenA)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)No such Okta app.*"0oaNoSuchApp"`),
			},
			{
				// Okta tests the credentials and refuses: nothing is created.
				Config:      withToken(`  bearer_token = "wrk4_not-a-valid-token"`, ""),
				ExpectError: refused,
			},
			{
				PreConfig: func() {
					st, base, _, err := f.connection()
					if err != nil || st == "ENABLED" || base == scimURL {
						t.Fatalf("a refused connection was saved: %s %q %v", st, base, err)
					}
				},
				Config: withToken(fmt.Sprintf(`  bearer_token = %q`, tokenA), ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("bearer_token")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("ENABLED")),
				},
			},
			{
				// Switch to the write-only form with another token, then
				// revoke the first: provisioning keeps working only if the
				// new token really reached Okta.
				Config: withToken(fmt.Sprintf("  bearer_token_wo = %q\n  bearer_token_wo_version = 1", tokenB), ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("bearer_token"), knownvalue.Null()),
					stateLacks{secret: tokenA},
					stateLacks{secret: tokenB},
				},
			},
			{
				PreConfig: func() {
					f.env.Admin(t, http.MethodDelete, "/api_apps/"+f.scimAppID, nil, nil)
				},
				Config: withToken(fmt.Sprintf("  bearer_token_wo = %q\n  bearer_token_wo_version = 1", tokenB),
					assignmentsBlock(nil, map[string]string{eve: "External"})),
				Check: backendCheck(func() error {
					users, err := f.wrikeUsers()
					if err != nil {
						return err
					}
					if u := users["eve@acme.example.com"]; !u.Active || u.UserType != "External" {
						return fmt.Errorf("eve in Wrike: %+v", u)
					}
					return nil
				}),
			},
			{
				// A new version with a revoked token: refused with Okta's
				// cause, and the state keeps the version that works.
				Config: withToken(fmt.Sprintf("  bearer_token_wo = %q\n  bearer_token_wo_version = 2", tokenA),
					assignmentsBlock(nil, map[string]string{eve: "External"})),
				ExpectError: refused,
			},
			{
				Config: withToken(fmt.Sprintf("  bearer_token_wo = %q\n  bearer_token_wo_version = 2", tokenB),
					assignmentsBlock(nil, map[string]string{eve: "External"})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("bearer_token_wo_version"), knownvalue.Int64Exact(2)),
				},
			},
			{
				// The app gone from the org (here: an org that no longer has
				// it): refresh drops the resource, and the plan to create it
				// again says at once that the app does not exist.
				Config: provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, gone.URL, "00gone", fmt.Sprintf(`
  app_id                  = %q
  scim_base_url           = %q
  bearer_token_wo         = %q
  bearer_token_wo_version = 2
%s`, f.AppID, scimURL, tokenB, assignmentsBlock(nil, map[string]string{eve: "External"}))),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)No such Okta app.*` + regexp.QuoteMeta(f.AppID)),
			},
		},
	})
}

func TestAccOktaWrikeProvisioning_everyone(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	f.addUser("amy", "acme.example.com")
	f.addUser("ben", "acme.example.com", "Sales")
	var groups []struct {
		ID string `json:"id"`
	}
	f.okta(http.MethodGet, "/api/v1/groups?q=Everyone", nil, &groups)
	if len(groups) != 1 {
		t.Fatalf("Everyone group search: %+v", groups)
	}
	everyone := groups[0].ID
	const addr = "okta_wrike_provisioning.p"
	cfg := func(extra string) string {
		return f.config(fmt.Sprintf(`
  app_id        = %q
  scim_base_url = %q
  bearer_token  = %q
%s`, f.AppID, scimURL, token, extra))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: cfg(`
  assign_everyone    = true
  everyone_user_type = "Collaborator"
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("assign_everyone"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("everyone_user_type"), knownvalue.StringExact("Collaborator")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("group_assignments"), knownvalue.MapSizeExact(0)),
				},
				Check: backendCheck(func() error {
					g, _, err := f.oktaAssignments()
					if err != nil {
						return err
					}
					if err := expectMap("group assignments", g, map[string]string{everyone: "Collaborator"}); err != nil {
						return err
					}
					users, err := f.wrikeUsers()
					if err != nil {
						return err
					}
					for _, email := range []string{"amy@acme.example.com", "ben@acme.example.com"} {
						if u := users[email]; !u.Active || u.UserType != "Collaborator" {
							return fmt.Errorf("%s in Wrike: %+v, want an active Collaborator", email, u)
						}
					}
					return nil
				}),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"bearer_token"},
			},
			{
				Config:      cfg(fmt.Sprintf("  group_assignments = { %q = null }\n", everyone)),
				ExpectError: regexp.MustCompile(`(?s)Everyone listed as a group.*assign_everyone`),
			},
			{
				Config: cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("assign_everyone"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("everyone_user_type"), knownvalue.Null()),
				},
				Check: backendCheck(func() error {
					g, _, err := f.oktaAssignments()
					if err != nil {
						return err
					}
					return expectMap("group assignments", g, map[string]string{})
				}),
			},
		},
	})
}

// TestAccOktaWrikeProvisioning_failureAfterConnectionIsTracked: once Okta
// has saved the connection, a later failure (here Okta refusing the group
// assignment) still records the resource, tainted, so nothing applied in
// Okta is left outside Terraform; the next apply replaces it.
func TestAccOktaWrikeProvisioning_failureAfterConnectionIsTracked(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng := f.group("Engineering")
	proxy := newRequestCounter(t, f.env.OktaURL)
	const addr = "okta_wrike_provisioning.p"
	cfg := provisioningConfigWith(f.env.WrikeURL, f.env.WrikeAdminToken, proxy.URL, f.env.OktaAPIToken, fmt.Sprintf(`
  app_id            = %q
  scim_base_url     = %q
  bearer_token      = %q
  group_assignments = { (%q) = null }
`, f.AppID, scimURL, token, eng))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					proxy.refuseWhen(func(r *http.Request, _ string) bool {
						return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/groups/"+eng)
					})
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Cannot assign group ` + eng + `.*E0000006`),
			},
			{
				PreConfig: func() { proxy.refuseWhen(nil) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: backendCheck(func() error {
					g, _, err := f.oktaAssignments()
					if err != nil {
						return err
					}
					return expectMap("group assignments", g, map[string]string{eng: ""})
				}),
			},
		},
	})
}
