package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
