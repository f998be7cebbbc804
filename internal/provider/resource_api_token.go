package provider

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/planmodifiers"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type apiTokenModel struct {
	ID               types.String `tfsdk:"id"`
	AppName          types.String `tfsdk:"app_name"`
	Description      types.String `tfsdk:"description"`
	Token            types.String `tfsdk:"token"`
	TokenCreatedDate types.String `tfsdk:"token_created_date"`
	TokenVersion     types.Int64  `tfsdk:"token_version"`
	RotationTriggers types.Map    `tfsdk:"rotation_triggers"`
}

// privateRegeneratedFrom is set in private state by a refresh that found
// the token regenerated outside Terraform: the issue date state recorded,
// for the plan's warning. The next apply that issues a token clears it.
const privateRegeneratedFrom = "token_regenerated_from"

type apiTokenResource struct {
	client *wrikeclient.Client
	// now is the clock token_version is read from.
	now func() time.Time
}

var (
	_ resource.ResourceWithConfigure   = (*apiTokenResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*apiTokenResource)(nil)
	_ resource.ResourceWithIdentity    = (*apiTokenResource)(nil)
)

// apiTokenIdentity is the API app's id.
var apiTokenIdentity = resourceIdentity{
	attr: "id", from: path.Root("id"),
	description: "Wrike's id of the API app, such as `IEAAAAAQKQAAAAAB` (`GET /api/v4/api_apps` lists them).",
}

// NewAPITokenResource is the wrike_api_token resource.
func NewAPITokenResource() resource.Resource { return &apiTokenResource{now: time.Now} }

func (r *apiTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (r *apiTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	regenerated := planmodifiers.StringUseStateUnlessChanged(path.Root("rotation_triggers"))
	resp.Schema = schema.Schema{
		Description: "A Wrike API app and its permanent v4 token, the bearer token an identity provider such as Okta " +
			"uses to call Wrike's SCIM API. Wrike shows the token only when it is created or regenerated, so the " +
			"token is known only to the Terraform state that created it. Destroying the resource deletes the app " +
			"and revokes its token.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "Wrike's id of the API app. Import with this id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"app_name": schema.StringAttribute{
				Required:    true,
				Description: "Name of the API app, as Wrike's API apps page shows it. Changing it keeps the token.",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Default:     stringdefault.StaticString(""),
				Description: "What the app is for. Changing it keeps the token. Defaults to an empty string.",
				Validators:  []validator.String{stringvalidator.LengthAtMost(1000)},
			},
			"token": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				Description: "The v4 API token. Set when the resource is created and when `rotation_triggers` changes; " +
					"the previous token stops working at once. After `terraform import` it is unknown, because Wrike never " +
					"shows an existing token, so the next apply regenerates it. A token regenerated outside this state (Wrike's " +
					"console or API, another configuration) is seen at refresh, by its issue date: the plan warns and the apply " +
					"regenerates it.",
				PlanModifiers: []planmodifier.String{regenerated},
			},
			"token_version": schema.Int64Attribute{
				Computed: true,
				Description: "A number that grows whenever `token` changes: on create, on rotation, when the app is " +
					"re-created after being deleted outside Terraform, after a regeneration outside Terraform, and on the first apply " +
					"after an import. Set " +
					"`okta_wrike_provisioning.bearer_token_wo_version` to it, so that Okta gets every new token.",
				PlanModifiers: []planmodifier.Int64{planmodifiers.Int64UseStateUnlessChanged(path.Root("rotation_triggers"))},
			},
			"token_created_date": schema.StringAttribute{
				Computed:      true,
				Description:   "When the current token was issued (RFC 3339).",
				PlanModifiers: []planmodifier.String{regenerated},
			},
			"rotation_triggers": schema.MapAttribute{
				ElementType: types.StringType,
				Optional:    true,
				Description: "Arbitrary values that regenerate the token in place whenever any of them changes, " +
					"for example `{ rotated = time_rotating.every_90_days.id }`. The app and its id are kept.",
			},
		},
	}
}

func (r *apiTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	apiTokenIdentity.identitySchema(resp)
}

func (r *apiTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client = pd.Wrike
	}
}

func (r *apiTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer apiTokenIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	app, err := r.client.CreateAPIApp(ctx, wrikeapi.APIAppInput{
		Name:        plan.AppName.ValueString(),
		Description: plan.Description.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the Wrike API app", wrikeErrorDetail(err))
		return
	}
	plan.fromAPI(app)
	plan.TokenVersion = r.nextVersion(types.Int64Null(), app)
	if app.Token == "" {
		// Keep the app in state (tainted) so it is not left behind in Wrike.
		resp.Diagnostics.AddError("Wrike did not return the API token",
			"The API app "+app.ID+" was created but the answer had no token; the next apply replaces it.")
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer apiTokenIdentity.recordRead(ctx, req.State, &resp.State, resp.Identity, &resp.Diagnostics)
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	app, err := r.client.GetAPIApp(ctx, state.ID.ValueString())
	if errors.Is(err, wrikeclient.ErrNotFound) {
		resp.Diagnostics.AddWarning("Wrike API app deleted outside Terraform",
			"The Wrike API app "+state.ID.ValueString()+" no longer exists, so its token is revoked. It is removed from "+
				"the state and planned again: the apply creates a new app and token, and token_version changes, so an "+
				"okta_wrike_provisioning whose bearer_token_wo_version is this token_version sends the new token to Okta.")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Wrike API app", wrikeErrorDetail(err))
		return
	}
	// Wrike never returns the token again; fromAPI keeps the one in state.
	// A token issued at another time than the one in state replaced it
	// (regenerated in Wrike's console or API, or by another state): the
	// token in state is dead. It becomes unknown to Terraform, as after an
	// import, so the plan regenerates it and token_version moves.
	if !state.Token.IsNull() && app.TokenCreatedDate != state.TokenCreatedDate.ValueString() {
		was, _ := json.Marshal(state.TokenCreatedDate.ValueString())
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateRegeneratedFrom, was)...)
		state.Token = types.StringNull()
	}
	state.fromAPI(app)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *apiTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer apiTokenIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan, state apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	plan.ID, plan.Token, plan.TokenCreatedDate, plan.TokenVersion = state.ID, state.Token, state.TokenCreatedDate, state.TokenVersion

	var update wrikeapi.APIAppUpdate
	if !plan.AppName.Equal(state.AppName) {
		update.Name = plan.AppName.ValueStringPointer()
	}
	if !plan.Description.Equal(state.Description) {
		update.Description = plan.Description.ValueStringPointer()
	}
	if update.Name != nil || update.Description != nil {
		app, err := r.client.UpdateAPIApp(ctx, id, update)
		if err != nil {
			resp.Diagnostics.AddError("Cannot update the Wrike API app", wrikeErrorDetail(err))
			return
		}
		plan.fromAPI(app)
	}
	if !plan.RotationTriggers.Equal(state.RotationTriggers) || state.Token.IsNull() {
		app, err := r.client.RegenerateAPIAppToken(ctx, id)
		if err != nil {
			// The name and description may have changed already: keep them.
			resp.Diagnostics.AddError("Cannot regenerate the Wrike API token", wrikeErrorDetail(err))
			plan.RotationTriggers = state.RotationTriggers
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
			return
		}
		plan.fromAPI(app)
		plan.TokenVersion = r.nextVersion(state.TokenVersion, app)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateRegeneratedFrom, nil)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *apiTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteAPIApp(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, wrikeclient.ErrNotFound) {
		resp.Diagnostics.AddError("Cannot delete the Wrike API app", wrikeErrorDetail(err))
	}
}

// ModifyPlan plans a new token for an app whose token Terraform does not
// know (after an import, or a regeneration outside Terraform seen by
// Read): without it, whatever uses the token would get
// null, and Okta would keep a token Terraform cannot vouch for.
func (r *apiTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var token types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("token"), &token)...)
	if resp.Diagnostics.HasError() || !token.IsNull() {
		return
	}
	for _, attr := range []string{"token", "token_created_date"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attr), types.StringUnknown())...)
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("token_version"), types.Int64Unknown())...)
	var id, issued types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("token_created_date"), &issued)...)
	if raw, _ := req.Private.GetKey(ctx, privateRegeneratedFrom); raw != nil {
		var was string
		_ = json.Unmarshal(raw, &was)
		resp.Diagnostics.AddWarning("Wrike API token regenerated outside Terraform",
			"The token of Wrike API app "+id.ValueString()+" was issued at "+issued.ValueString()+", not at "+was+" as this state recorded: "+
				"it was regenerated outside this Terraform state (Wrike's console, POST /api/v4/api_apps/"+id.ValueString()+"/regenerate_token, "+
				"or another configuration managing the same app), so the token Terraform held, and Okta with it, no longer works. "+
				"This apply regenerates it and token_version changes, so an okta_wrike_provisioning whose bearer_token_wo_version is this "+
				"token_version sends the new token to Okta in the same apply. If another configuration manages this app, remove it from "+
				"one of them: each would regenerate the token the other holds.")
		return
	}
	resp.Diagnostics.AddWarning("The API token is regenerated: Terraform does not know it",
		"Wrike shows an API app's token only when it is created or regenerated, so after terraform import the token of "+
			"app "+id.ValueString()+" is unknown to Terraform. This apply regenerates it (the old token stops working) and "+
			"gives the new one to everything that uses it: an okta_wrike_provisioning with bearer_token_wo_version = "+
			"wrike_api_token.<name>.token_version sends it to Okta in the same apply. Nothing else to do: run terraform apply.")
}

// nextVersion is the token_version of a token just issued: the clock in
// milliseconds, and always above the prior version, so it changes even
// when two tokens are issued within a millisecond or the clock goes back.
func (r *apiTokenResource) nextVersion(prior types.Int64, app *wrikeapi.APIApp) types.Int64 {
	if app.Token == "" {
		return prior
	}
	v := r.now().UnixMilli()
	if !prior.IsNull() && !prior.IsUnknown() && prior.ValueInt64() >= v {
		v = prior.ValueInt64() + 1
	}
	return types.Int64Value(v)
}

// ImportState takes the app's id, as a string id or as the identity. The
// token stays null: Wrike never shows an existing token, and the next plan
// regenerates it (ModifyPlan).
func (r *apiTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root(apiTokenIdentity.attr), req, resp)
}

// fromAPI copies Wrike's answer; the token only when the answer has one.
func (m *apiTokenModel) fromAPI(app *wrikeapi.APIApp) {
	m.ID = types.StringValue(app.ID)
	m.AppName = types.StringValue(app.Name)
	m.Description = types.StringValue(app.Description)
	m.TokenCreatedDate = types.StringValue(app.TokenCreatedDate)
	if app.Token != "" {
		m.Token = types.StringValue(app.Token)
	} else if m.Token.IsUnknown() {
		m.Token = types.StringNull()
	}
}
