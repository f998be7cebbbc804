package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/validators"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
)

// oktaWrikeProvisioningModel is the state of okta_wrike_provisioning.
type oktaWrikeProvisioningModel struct {
	ID                   types.String `tfsdk:"id"`
	AppID                types.String `tfsdk:"app_id"`
	SCIMBaseURL          types.String `tfsdk:"scim_base_url"`
	BearerTokenWO        types.String `tfsdk:"bearer_token_wo"`
	BearerTokenWOVersion types.Int64  `tfsdk:"bearer_token_wo_version"`
	BearerToken          types.String `tfsdk:"bearer_token"`
	CreateUsers          types.Bool   `tfsdk:"create_users"`
	UpdateUserAttributes types.Bool   `tfsdk:"update_user_attributes"`
	DeactivateUsers      types.Bool   `tfsdk:"deactivate_users"`
	AssignEveryone       types.Bool   `tfsdk:"assign_everyone"`
	EveryoneUserType     types.String `tfsdk:"everyone_user_type"`
	GroupAssignments     types.Map    `tfsdk:"group_assignments"`
	UserAssignments      types.Map    `tfsdk:"user_assignments"`
	Status               types.String `tfsdk:"status"`
	// RetryFailedProvisioning and ProvisioningFailures are in
	// provisioning_failures.go.
	RetryFailedProvisioning types.Bool  `tfsdk:"retry_failed_provisioning"`
	ProvisioningFailures    types.Int64 `tfsdk:"provisioning_failures"`
	// WaitForProvisioning is in provisioning_wait.go.
	WaitForProvisioning *waitForProvisioningModel `tfsdk:"wait_for_provisioning"`
}

// privateEveryoneGroupID caches the org's Everyone group id in private
// state, so refresh does not look it up every time.
const privateEveryoneGroupID = "everyone_group_id"

// oktaWrikeProvisioningResource configures provisioning of an Okta app
// instance into Wrike.
type oktaWrikeProvisioningResource struct {
	okta *oktaclient.Client
}

var (
	_ resource.ResourceWithConfigure        = (*oktaWrikeProvisioningResource)(nil)
	_ resource.ResourceWithImportState      = (*oktaWrikeProvisioningResource)(nil)
	_ resource.ResourceWithConfigValidators = (*oktaWrikeProvisioningResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*oktaWrikeProvisioningResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*oktaWrikeProvisioningResource)(nil)
	_ resource.ResourceWithUpgradeState     = (*oktaWrikeProvisioningResource)(nil)
	_ resource.ResourceWithIdentity         = (*oktaWrikeProvisioningResource)(nil)
)

// oktaWrikeProvisioningIdentity is the Okta app instance.
var oktaWrikeProvisioningIdentity = resourceIdentity{
	attr: "app_id", from: path.Root("app_id"),
	description: "Id of the Okta app instance that provisions into Wrike, such as `0oa1b2c3d4E5f6G7h8i9` " +
		"(Okta Admin Console → Applications → Wrike: the id is in the page's URL).",
}

// NewOktaWrikeProvisioningResource is the okta_wrike_provisioning resource.
func NewOktaWrikeProvisioningResource() resource.Resource {
	return &oktaWrikeProvisioningResource{}
}

func (r *oktaWrikeProvisioningResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	// Not prefixed with the provider name: the resource configures Okta,
	// and keeps the name Okta admins look for. Configurations set
	// provider = wrike on it.
	resp.TypeName = "okta_wrike_provisioning"
}

func (r *oktaWrikeProvisioningResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	userType := func(what string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:    true,
			Description: "Wrike user type given to " + what + ": " + userTypeChoices("") + ". Unset, Wrike applies the SCIM integration's default user type.",
			Validators:  []validator.String{stringvalidator.OneOf(wrikeapi.UserTypes...)},
		}
	}
	// The assignments are maps keyed by Okta id, not sets of objects: a
	// map is matched key by key, so plan and apply stay linear in its size,
	// the order in the configuration never matters, and a diff names the
	// id whose user type changes.
	assignmentMap := func(kind, what string) schema.MapAttribute {
		return schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			Default:     mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
			Description: what + ", keyed by Okta " + kind + " id; the value is the Wrike user type: " + userTypeChoices("") + ", " +
				"or null for the SCIM integration's default user type. Checked at plan time: each id must be an Okta " + kind + " of the org.",
			Validators: []validator.Map{
				mapvalidator.KeysAre(stringvalidator.LengthAtLeast(1)),
				mapvalidator.ValueStringsAre(stringvalidator.OneOf(wrikeapi.UserTypes...)),
			},
		}
	}
	resp.Schema = schema.Schema{
		// Version 1: the assignments became maps (UpgradeState).
		Version: 1,
		Description: "Okta's side of SCIM provisioning into Wrike: the Wrike app instance's provisioning connection " +
			"(SCIM base URL and token, tested by Okta when saved), the To App toggles, and who is assigned. " +
			"Use it with provider = wrike. Assignments are authoritative: group and direct user assignments of the app " +
			"that are not listed here are removed. Okta's public API cannot configure provisioning of the OIN Wrike app " +
			"on a real Okta org (it answers status UNKNOWN); this resource then fails with an explanation. " +
			"Destroy deactivates the connection, turns the toggles off and removes the assignments, in that order, so " +
			"nobody is deactivated in Wrike by it. Creating it on an app whose provisioning connection is already active " +
			"fails, naming the import that manages it. Import by the Okta app id; the token is not imported (Okta never " +
			"returns it), so the first apply after an import sends it again.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The Okta app id (same as app_id).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"app_id": schema.StringAttribute{
				Required:      true,
				Description:   "Id of the Okta app instance that provisions into Wrike. Changing it replaces the resource.",
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"scim_base_url": schema.StringAttribute{
				Required:    true,
				Description: "SCIM 2.0 base URL Okta provisions to: the scim_url of wrike_scim_integration.",
				Validators:  []validator.String{validators.BaseURL()},
			},
			"bearer_token_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				Description: "Wrike v4 API token Okta authenticates with, write-only (Terraform 1.11 or later): never stored in state. " +
					"Sent to Okta on create and whenever bearer_token_wo_version changes. Exactly one of bearer_token_wo and bearer_token is required.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("bearer_token_wo_version")),
				},
			},
			"bearer_token_wo_version": schema.Int64Attribute{
				Optional: true,
				Description: "Version of bearer_token_wo, required with it: the token is sent to Okta whenever the version changes. " +
					"Set it to wrike_api_token's token_version, which changes with every new token.",
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("bearer_token_wo"))},
			},
			"bearer_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				Description: "Wrike v4 API token Okta authenticates with, kept (sensitive) in state; prefer bearer_token_wo. " +
					"Exactly one of bearer_token_wo and bearer_token is required. Not read back by import: Okta never returns it.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"create_users":           toggleAttribute("Create Users: Okta creates (or links) a Wrike user when a person is assigned."),
			"update_user_attributes": toggleAttribute("Update User Attributes: profile changes in Okta are pushed to Wrike."),
			"deactivate_users":       toggleAttribute("Deactivate Users: unassigning or deactivating a person in Okta deactivates the Wrike user."),
			"assign_everyone": schema.BoolAttribute{
				Optional:    true,
				Computed:    true,
				Default:     booldefault.StaticBool(false),
				Description: "Assign Okta's built-in Everyone group, so every user of the org is provisioned.",
			},
			"everyone_user_type": userType("users assigned through Everyone; requires assign_everyone"),
			"group_assignments":  assignmentMap("group", "Groups assigned to the app (their members are provisioned)"),
			"user_assignments":   assignmentMap("user", "Users assigned to the app directly (scope USER)"),
			"status": schema.StringAttribute{
				Computed:      true,
				Description:   "Status of the provisioning connection in Okta: ENABLED or DISABLED. A connection found disabled is re-activated on the next apply.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"wait_for_provisioning":     waitForProvisioningAttribute(),
			"retry_failed_provisioning": retryFailedProvisioningAttribute(),
			"provisioning_failures":     provisioningFailuresAttribute(),
		},
	}
}

func (r *oktaWrikeProvisioningResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	oktaWrikeProvisioningIdentity.identitySchema(resp)
}

func toggleAttribute(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional:    true,
		Computed:    true,
		Default:     booldefault.StaticBool(true),
		Description: desc + " Default true.",
	}
}

func (r *oktaWrikeProvisioningResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("bearer_token_wo"), path.MatchRoot("bearer_token")),
	}
}

func (r *oktaWrikeProvisioningResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg oktaWrikeProvisioningModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !cfg.BearerTokenWO.IsNull() && !req.ClientCapabilities.WriteOnlyAttributesAllowed {
		resp.Diagnostics.AddAttributeError(path.Root("bearer_token_wo"), "bearer_token_wo needs Terraform 1.11 or later",
			"bearer_token_wo is a write-only attribute, which this CLI does not support: it needs Terraform 1.11 or later (or OpenTofu 1.11 or later). "+
				"With this CLI, use bearer_token instead of bearer_token_wo and bearer_token_wo_version: the token is then kept in state, marked sensitive.")
	}
	if !cfg.EveryoneUserType.IsNull() && !cfg.AssignEveryone.IsUnknown() && !cfg.AssignEveryone.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("everyone_user_type"), "everyone_user_type without assign_everyone",
			"everyone_user_type is the user type of users assigned through the Everyone group; it needs assign_everyone = true.")
	}
}

// UpgradeState moves state written before the assignments were maps.
func (r *oktaWrikeProvisioningResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: upgradeAssignmentsV0}}
}

// ModifyPlan catches at plan time what would fail on create (no such app,
// an app Okta's API cannot provision, assignments of ids that are not an
// Okta group or user of the right kind), and plans an update when the
// connection was found disabled (for instance deactivated by hand in
// Okta), so apply re-activates it.
func (r *oktaWrikeProvisioningResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	r.checkAssignmentsAtPlan(ctx, req, resp)
	r.warnRemovalsAtPlan(ctx, req, resp)
	if req.State.Raw.IsNull() {
		r.checkAppAtPlan(ctx, req, resp)
		return
	}
	var status types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if !status.IsNull() && status.ValueString() != oktaapi.StatusEnabled {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	}
	planRetryOfFailures(ctx, req, resp)
}

// checkAppAtPlan reads the app's connection once before a create: a missing
// app or refused Okta credentials fail the plan; Okta unreachable is a
// warning, and apply reports it in full.
func (r *oktaWrikeProvisioningResource) checkAppAtPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var appID types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("app_id"), &appID)...)
	if r.okta == nil || appID.IsUnknown() || appID.IsNull() {
		return
	}
	// One attempt: a failure other than a missing app or refused
	// credentials is only a warning, not worth seconds of retries.
	checkCtx, cancel := planCheckContext(ctx)
	defer cancel()
	conn, err := r.okta.GetDefaultConnection(checkCtx, appID.ValueString())
	switch {
	case errors.Is(err, oktaclient.ErrNotFound):
		resp.Diagnostics.Append(noSuchAppDiagnostic(appID.ValueString()))
	case err != nil:
		resp.Diagnostics.Append(planCheckDiagnostic(appID.ValueString(), err))
	case conn.Status == oktaapi.StatusUnknown:
		resp.Diagnostics.Append(unknownConnectionDiagnostic(appID.ValueString()))
	}
	// An ENABLED connection is not checked here: the plan that replaces a
	// tainted resource is a create too, and its destroy deactivates the
	// connection first. Create checks it.
}

func (r *oktaWrikeProvisioningResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data := providerDataFrom(req.ProviderData, &resp.Diagnostics)
	if data == nil {
		return
	}
	if data.Okta == nil {
		resp.Diagnostics.Append(missingOktaConfig(data.OktaProblem))
		return
	}
	r.okta = data.Okta
}

func (r *oktaWrikeProvisioningResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer oktaWrikeProvisioningIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan, cfg oktaWrikeProvisioningModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	appID := plan.AppID.ValueString()
	if _, err := r.okta.GetApp(ctx, appID); err != nil {
		if errors.Is(err, oktaclient.ErrNotFound) {
			resp.Diagnostics.Append(noSuchAppDiagnostic(appID))
			return
		}
		resp.Diagnostics.Append(oktaErrorDiagnostic("Cannot read the Okta app", err))
		return
	}
	conn, err := r.okta.GetDefaultConnection(ctx, appID)
	if err != nil {
		resp.Diagnostics.Append(oktaErrorDiagnostic("Cannot read the app's provisioning connection", err))
		return
	}
	if conn.Status == oktaapi.StatusUnknown {
		resp.Diagnostics.Append(unknownConnectionDiagnostic(appID))
		return
	}
	if conn.Status == oktaapi.StatusEnabled {
		resp.Diagnostics.Append(provisioningAdoptionError(appID))
		return
	}
	everyone := &everyoneGroup{okta: r.okta}
	everyone.load(ctx, nil)
	want, diags := desiredAssignments(ctx, plan, everyone)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	have, _, err := r.assignments(ctx, appID)
	if err != nil {
		resp.Diagnostics.Append(oktaErrorDiagnostic("Cannot read the app's assignments", err))
		return
	}
	// Okta tests the credentials before it saves anything: a refusal here
	// leaves Okta as it was, and the resource is not created.
	if _, err := r.okta.SetDefaultConnection(ctx, appID, connectionRequest(plan, cfg), true); err != nil {
		resp.Diagnostics.Append(connectionErrorDiagnostic(err))
		return
	}
	// From here the connection exists in Okta: whatever fails next, the
	// resource is recorded (tainted on error) so it is not left behind.
	r.applyAndRecord(ctx, applyRequest{
		appID: appID, plan: plan, have: have, want: want, everyone: everyone,
		private: resp.Private, state: &resp.State, diags: &resp.Diagnostics,
	})
}

func (r *oktaWrikeProvisioningResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer oktaWrikeProvisioningIdentity.recordRead(ctx, req.State, &resp.State, resp.Identity, &resp.Diagnostics)
	var state oktaWrikeProvisioningModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.okta == nil {
		resp.Diagnostics.Append(missingOktaConfig(""))
		return
	}
	everyone := &everyoneGroup{okta: r.okta}
	everyone.load(ctx, req.Private)
	got, failed, err := r.fetch(ctx, state.AppID.ValueString(), state, everyone)
	if errors.Is(err, oktaclient.ErrNotFound) {
		resp.Diagnostics.Append(appDeletedDiagnostic(state.AppID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(readErrorDiagnostic(state.AppID.ValueString(), err))
		return
	}
	if len(failed) > 0 {
		resp.Diagnostics.Append(r.failuresDiagnostic(ctx, got.AppID.ValueString(), failed, got.RetryFailedProvisioning.ValueBool()))
	}
	everyone.save(ctx, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, got)...)
}

func (r *oktaWrikeProvisioningResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer oktaWrikeProvisioningIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan, state, cfg oktaWrikeProvisioningModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	appID := plan.AppID.ValueString()
	everyone := &everyoneGroup{okta: r.okta}
	everyone.load(ctx, req.Private)
	want, diags := desiredAssignments(ctx, plan, everyone)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	have, diags := desiredAssignments(ctx, state, everyone)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The token goes to Okta only when something it depends on changed, or
	// to re-activate a connection found disabled (Okta re-tests it then).
	resend := !plan.SCIMBaseURL.Equal(state.SCIMBaseURL) || !plan.BearerToken.Equal(state.BearerToken) ||
		!plan.BearerTokenWOVersion.Equal(state.BearerTokenWOVersion) || state.Status.ValueString() != oktaapi.StatusEnabled
	if resend {
		if _, err := r.okta.SetDefaultConnection(ctx, appID, connectionRequest(plan, cfg), true); err != nil {
			resp.Diagnostics.Append(connectionErrorDiagnostic(err))
			return
		}
	}
	r.applyAndRecord(ctx, applyRequest{
		appID: appID, prior: &state, plan: plan, have: have, want: want, everyone: everyone,
		private: resp.Private, state: &resp.State, diags: &resp.Diagnostics,
	})
}

// applyRequest is what applyAndRecord works on: the app, the state the
// change starts from (prior, nil on create), the planned model, the
// assignments the app has and the ones it should have, the Everyone group,
// and where the private state, the state and the diagnostics go.
type applyRequest struct {
	appID      string
	prior      *oktaWrikeProvisioningModel
	plan       oktaWrikeProvisioningModel
	have, want assignments
	everyone   *everyoneGroup
	private    privateSetter
	state      stateSetter
	diags      *diag.Diagnostics
}

// applyAndRecord applies the toggles and assignments (req.prior is the state
// they change, nil on create), waits for provisioning when everything
// applied, and records the resource whatever happened: after the wait, so
// that provisioning_failures is the queue's last word and not a count taken
// while the pushes (a retry of the failed ones among them) were under way.
func (r *oktaWrikeProvisioningResource) applyAndRecord(ctx context.Context, req applyRequest) {
	plan, diags := req.plan, req.diags
	applied, applyDiags := r.applyTogglesAndAssignments(ctx, req.appID, req.prior, &plan, req.have, req.want)
	if !applyDiags.HasError() {
		if req.prior != nil {
			r.retryFailures(ctx, req.appID, *req.prior, plan, diags)
		}
		r.waitForProvisioning(ctx, plan, diags)
	}
	r.finish(ctx, plan, applied, req.everyone, req.private, req.state, diags)
	diags.Append(applyDiags...)
}

func (r *oktaWrikeProvisioningResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state oktaWrikeProvisioningModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.okta == nil {
		resp.Diagnostics.Append(missingOktaConfig(""))
		return
	}
	appID := state.AppID.ValueString()
	err := r.okta.DeactivateDefaultConnection(ctx, appID)
	if errors.Is(err, oktaclient.ErrNotFound) {
		return // the app is gone, and everything with it
	}
	if err != nil {
		resp.Diagnostics.Append(oktaErrorDiagnostic("Cannot deactivate the provisioning connection", err))
		return
	}
	off := oktaapi.ProvisioningToggles{}
	if _, err := r.okta.UpdateFeature(ctx, appID, oktaapi.FeatureUserProvisioning, off.Capabilities()); err != nil && !errors.Is(err, oktaclient.ErrNotFound) {
		resp.Diagnostics.Append(oktaErrorDiagnostic("Cannot disable the provisioning features", err))
		return
	}
	everyone := &everyoneGroup{okta: r.okta}
	everyone.load(ctx, req.Private)
	made, diags := desiredAssignments(ctx, state, everyone)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, diags = r.reconcile(ctx, appID, made, newAssignments())
	resp.Diagnostics.Append(diags...)
}

// ImportState takes the Okta app id, as a string id or as the identity.
func (r *oktaWrikeProvisioningResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, _, ok := oktaWrikeProvisioningIdentity.importKey(ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	id := strings.TrimSpace(key)
	if id == "" {
		resp.Diagnostics.AddError("Invalid import id", "Import okta_wrike_provisioning by the Okta app id, e.g. 0oa1b2c3d4E5f6G7h8i9.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_id"), id)...)
}

// applyTogglesAndAssignments sets the To App toggles (when they differ from
// prior) and moves the app's assignments from have to want. It returns the
// assignments Okta has afterwards, and puts prior's toggles back in plan
// when Okta refused the new ones, so that plan says what reached Okta.
func (r *oktaWrikeProvisioningResource) applyTogglesAndAssignments(ctx context.Context, appID string, prior, plan *oktaWrikeProvisioningModel, have, want assignments) (assignments, diag.Diagnostics) {
	toggles := togglesOf(*plan)
	if prior == nil || togglesOf(*prior) != toggles {
		if _, err := r.okta.UpdateFeature(ctx, appID, oktaapi.FeatureUserProvisioning, toggles.Capabilities()); err != nil {
			if prior != nil {
				plan.CreateUsers, plan.UpdateUserAttributes, plan.DeactivateUsers = prior.CreateUsers, prior.UpdateUserAttributes, prior.DeactivateUsers
			}
			return have, diag.Diagnostics{oktaErrorDiagnostic("Cannot set the provisioning features", err)}
		}
	}
	return r.reconcile(ctx, appID, have, want)
}

func togglesOf(m oktaWrikeProvisioningModel) oktaapi.ProvisioningToggles {
	return oktaapi.ProvisioningToggles{
		CreateUsers:          m.CreateUsers.ValueBool(),
		UpdateUserAttributes: m.UpdateUserAttributes.ValueBool(),
		DeactivateUsers:      m.DeactivateUsers.ValueBool(),
	}
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// fetch reads the provisioning settings of appID from Okta. ErrNotFound
// means the app is gone.
// It also returns the app users whose provisioning failed.
func (r *oktaWrikeProvisioningResource) fetch(ctx context.Context, appID string, prior oktaWrikeProvisioningModel, everyone *everyoneGroup) (oktaWrikeProvisioningModel, []oktaapi.AppUser, error) {
	m := prior
	conn, err := r.okta.GetDefaultConnection(ctx, appID)
	if err != nil {
		return m, nil, err
	}
	if conn.Status == oktaapi.StatusUnknown {
		return m, nil, errConnectionUnknown
	}
	feature, err := r.okta.GetFeature(ctx, appID, oktaapi.FeatureUserProvisioning)
	if err != nil {
		return m, nil, err
	}
	have, failed, err := r.assignments(ctx, appID)
	if err != nil {
		return m, nil, err
	}
	m.ProvisioningFailures = types.Int64Value(int64(len(failed)))
	if m.RetryFailedProvisioning.IsNull() || m.RetryFailedProvisioning.IsUnknown() {
		m.RetryFailedProvisioning = types.BoolValue(true) // state written before the attribute, or an import
	}
	m.ID, m.AppID = types.StringValue(appID), types.StringValue(appID)
	m.BearerTokenWO = types.StringNull()
	switch {
	case conn.BaseURL == "":
		m.SCIMBaseURL = types.StringNull()
	case strings.TrimRight(conn.BaseURL, "/") != strings.TrimRight(prior.SCIMBaseURL.ValueString(), "/"):
		m.SCIMBaseURL = types.StringValue(conn.BaseURL)
	}
	m.Status = types.StringValue(conn.Status)
	// The capabilities are the toggles; the feature's own status follows
	// the connection and says nothing more.
	t := feature.Toggles()
	m.CreateUsers = types.BoolValue(t.CreateUsers)
	m.UpdateUserAttributes = types.BoolValue(t.UpdateUserAttributes)
	m.DeactivateUsers = types.BoolValue(t.DeactivateUsers)

	everyoneID := ""
	if len(have.groups) > 0 {
		if everyoneID, err = everyone.ID(ctx); err != nil {
			return m, nil, err
		}
	}
	setAssignments(&m, have, everyoneID)
	return m, failed, nil
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// finish records the resource after Create or Update as Okta now has it.
// When Okta cannot be read back, it records the plan with the assignments
// Okta accepted (applied), so a failed apply loses nothing it did.
func (r *oktaWrikeProvisioningResource) finish(ctx context.Context, plan oktaWrikeProvisioningModel, applied assignments, everyone *everyoneGroup, private privateSetter, state stateSetter, diags *diag.Diagnostics) {
	appID := plan.AppID.ValueString()
	plan.ID = types.StringValue(appID)
	plan.BearerTokenWO = types.StringNull()
	got, _, err := r.fetch(ctx, appID, plan, everyone)
	if err != nil {
		diags.AddWarning("Cannot read back the provisioning settings",
			fmt.Sprintf("The changes were sent to Okta, but reading app %q back failed; the next refresh will correct the state. %s", appID, err))
		if plan.Status.IsUnknown() {
			plan.Status = types.StringNull()
		}
		if plan.ProvisioningFailures.IsUnknown() {
			plan.ProvisioningFailures = types.Int64Null()
		}
		setAssignments(&plan, applied, everyone.id)
		got = plan
	}
	everyone.save(ctx, private, diags)
	diags.Append(state.Set(ctx, got)...)
}

// connectionRequest is the connection body: the SCIM base URL and the
// token, from the write-only attribute (only in config) or the sensitive one.
func connectionRequest(plan, cfg oktaWrikeProvisioningModel) oktaapi.ProvisioningConnectionRequest {
	token := plan.BearerToken.ValueString()
	if !cfg.BearerTokenWO.IsNull() {
		token = cfg.BearerTokenWO.ValueString()
	}
	return oktaapi.ProvisioningConnectionRequest{
		BaseURL: plan.SCIMBaseURL.ValueString(),
		Profile: oktaapi.ProvisioningConnectionProfile{AuthScheme: oktaapi.AuthSchemeToken, Token: token},
	}
}

var errConnectionUnknown = errors.New("the app's provisioning connection is UNKNOWN")
