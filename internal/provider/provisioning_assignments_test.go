package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

func currentProvisioningSchema(t *testing.T) schema.Schema {
	t.Helper()
	var resp fwresource.SchemaResponse
	NewOktaWrikeProvisioningResource().Schema(context.Background(), fwresource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

func TestUpgradeAssignmentsV0(t *testing.T) {
	ctx := context.Background()
	v0 := `{
  "id": "0oaAPP", "app_id": "0oaAPP", "scim_base_url": "https://w.example/scim/okta/v2",
  "bearer_token_wo": null, "bearer_token_wo_version": 3, "bearer_token": null,
  "create_users": true, "update_user_attributes": false, "deactivate_users": true,
  "assign_everyone": true, "everyone_user_type": "Collaborator",
  "group_assignments": [{"group_id": "00gB", "user_type": null}, {"group_id": "00gA", "user_type": "External"}],
  "user_assignments": null,
  "status": "ENABLED"
}`
	resp := fwresource.UpgradeStateResponse{State: tfsdk.State{Schema: currentProvisioningSchema(t)}}
	upgrader := (&oktaWrikeProvisioningResource{}).UpgradeState(ctx)[0]
	upgrader.StateUpgrader(ctx, fwresource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(v0)}}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	var got oktaWrikeProvisioningModel
	if d := resp.State.Get(ctx, &got); d.HasError() {
		t.Fatal(d)
	}
	want := oktaWrikeProvisioningModel{
		ID: types.StringValue("0oaAPP"), AppID: types.StringValue("0oaAPP"), SCIMBaseURL: types.StringValue("https://w.example/scim/okta/v2"),
		BearerTokenWO: types.StringNull(), BearerTokenWOVersion: types.Int64Value(3), BearerToken: types.StringNull(),
		CreateUsers: types.BoolValue(true), UpdateUserAttributes: types.BoolValue(false), DeactivateUsers: types.BoolValue(true),
		AssignEveryone: types.BoolValue(true), EveryoneUserType: types.StringValue("Collaborator"),
		GroupAssignments: types.MapValueMust(types.StringType, map[string]attr.Value{"00gA": types.StringValue("External"), "00gB": types.StringNull()}),
		UserAssignments:  types.MapValueMust(types.StringType, map[string]attr.Value{}),
		Status:           types.StringValue("ENABLED"),
	}
	if !got.GroupAssignments.Equal(want.GroupAssignments) || !got.UserAssignments.Equal(want.UserAssignments) {
		t.Errorf("assignments: got %v and %v, want %v and %v", got.GroupAssignments, got.UserAssignments, want.GroupAssignments, want.UserAssignments)
	}
	// Everything else carries over as it was.
	got.GroupAssignments, got.UserAssignments = want.GroupAssignments, want.UserAssignments
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("upgraded state\n got %+v\nwant %+v", got, want)
	}

	bad := fwresource.UpgradeStateResponse{State: tfsdk.State{Schema: currentProvisioningSchema(t)}}
	upgrader.StateUpgrader(ctx, fwresource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(`{"group_assignments": [{"user_type": "Regular"}]}`)}}, &bad)
	if !bad.Diagnostics.HasError() || !strings.Contains(fmt.Sprint(bad.Diagnostics), "no group_id") {
		t.Errorf("an element without group_id: %v, want an error", bad.Diagnostics)
	}
}

// v0ProvisioningResource writes okta_wrike_provisioning state the way
// schema version 0 did (assignments as sets of objects), for the upgrade
// test; it leaves Okta alone.
type v0ProvisioningResource struct{ current schema.Schema }

func (v0ProvisioningResource) Metadata(_ context.Context, _ fwresource.MetadataRequest, resp *fwresource.MetadataResponse) {
	resp.TypeName = "okta_wrike_provisioning"
}

func (r v0ProvisioningResource) Schema(_ context.Context, _ fwresource.SchemaRequest, resp *fwresource.SchemaResponse) {
	s := r.current
	s.Version = 0
	s.Attributes = map[string]schema.Attribute{}
	for name, a := range r.current.Attributes {
		s.Attributes[name] = a
	}
	// Added after version 0, without a version change.
	delete(s.Attributes, "retry_failed_provisioning")
	delete(s.Attributes, "provisioning_failures")
	for name, key := range map[string]string{"group_assignments": "group_id", "user_assignments": "user_id"} {
		elem := types.ObjectType{AttrTypes: map[string]attr.Type{key: types.StringType, "user_type": types.StringType}}
		s.Attributes[name] = schema.SetNestedAttribute{
			Optional: true, Computed: true,
			Default: setdefault.StaticValue(types.SetValueMust(elem, nil)),
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				key:         schema.StringAttribute{Required: true},
				"user_type": schema.StringAttribute{Optional: true},
			}},
		}
	}
	resp.Schema = s
}

func (v0ProvisioningResource) Create(ctx context.Context, req fwresource.CreateRequest, resp *fwresource.CreateResponse) {
	var appID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("app_id"), &appID)...)
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), appID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("status"), types.StringValue(oktaapi.StatusEnabled))...)
}

func (v0ProvisioningResource) Read(context.Context, fwresource.ReadRequest, *fwresource.ReadResponse) {
}

func (v0ProvisioningResource) Update(_ context.Context, req fwresource.UpdateRequest, resp *fwresource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (v0ProvisioningResource) Delete(context.Context, fwresource.DeleteRequest, *fwresource.DeleteResponse) {
}

// v0Provider is this provider with okta_wrike_provisioning of schema
// version 0.
type v0Provider struct {
	*wrikeProvider
	current schema.Schema
}

func (p v0Provider) Resources(context.Context) []func() fwresource.Resource {
	return []func() fwresource.Resource{func() fwresource.Resource { return v0ProvisioningResource{current: p.current} }}
}

// ListResources lists nothing: v0Provider has no other resource, and Terraform 1.14 refuses a
// provider schema with a list resource whose managed resource is missing.
func (p v0Provider) ListResources(context.Context) []func() list.ListResource { return nil }

// TestAccOktaWrikeProvisioning_stateUpgradeFromSets: state written by
// schema version 0 (assignments as sets) moves to the maps with an empty
// plan: refresh and plan find nothing to change.
func TestAccOktaWrikeProvisioning_stateUpgradeFromSets(t *testing.T) {
	f := newOrgFixture(t)
	scimURL, token := f.wrikeSCIM()
	eng, sales := f.group("Engineering"), f.group("Sales")
	cid := f.addUser("cid", "acme.example.com")
	// What the old resource had set up in Okta.
	f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/connections/default?activate=true",
		oktaapi.ProvisioningConnectionRequest{BaseURL: scimURL, Profile: oktaapi.ProvisioningConnectionProfile{AuthScheme: oktaapi.AuthSchemeToken, Token: token}}, nil)
	f.okta(http.MethodPut, "/api/v1/apps/"+f.AppID+"/features/USER_PROVISIONING",
		oktaapi.ProvisioningToggles{CreateUsers: true, UpdateUserAttributes: true, DeactivateUsers: true}.Capabilities(), nil)
	f.okta(http.MethodPut, "/api/v1/apps/"+f.AppID+"/groups/"+eng, map[string]any{"profile": map[string]any{"userType": "External"}}, nil)
	f.okta(http.MethodPut, "/api/v1/apps/"+f.AppID+"/groups/"+sales, map[string]any{"profile": map[string]any{}}, nil)
	f.okta(http.MethodPost, "/api/v1/apps/"+f.AppID+"/users", map[string]any{"id": cid, "scope": "USER", "profile": map[string]any{"userType": "Collaborator"}}, nil)

	head := f.tokenWOHead(scimURL, token)
	old := head + fmt.Sprintf(`
  group_assignments = [
    { group_id = %q, user_type = "External" },
    { group_id = %q },
  ]
  user_assignments = [{ user_id = %q, user_type = "Collaborator" }]
`, eng, sales, cid)
	current := head + assignmentsBlock(map[string]string{eng: "External", sales: ""}, map[string]string{cid: "Collaborator"})
	legacy := v0Provider{wrikeProvider: New("test")().(*wrikeProvider), current: currentProvisioningSchema(t)}

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: needsWriteOnly,
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"wrike": providerserver.NewProtocol6WithError(legacy),
				},
				Config: f.config(old),
			},
			{
				ProtoV6ProviderFactories: testAccProviders,
				Config:                   f.config(current),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

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
				// Okta refuses u5; after that refusal it cannot be read.
				PreConfig: func() {
					down := false
					proxy.refuseWhen(func(r *http.Request, body string) bool {
						if r.Method == http.MethodPost && strings.Contains(body, users["u5"]) {
							down = true
							return true
						}
						return down && r.Method == http.MethodGet
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
	client, err := oktaapi.New(oktaapi.Config{OrgURL: counter.URL, APIToken: f.env.OktaAPIToken})
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
	client, err := oktaapi.New(oktaapi.Config{OrgURL: okta.URL, APIToken: "00test-token"})
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
