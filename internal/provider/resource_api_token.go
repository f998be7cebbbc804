package provider

import (
	"context"
	"errors"

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
)

type apiTokenModel struct {
	ID               types.String `tfsdk:"id"`
	AppName          types.String `tfsdk:"app_name"`
	Description      types.String `tfsdk:"description"`
	Token            types.String `tfsdk:"token"`
	TokenCreatedDate types.String `tfsdk:"token_created_date"`
	RotationTriggers types.Map    `tfsdk:"rotation_triggers"`
}

type apiTokenResource struct {
	client *wrikeapi.Client
}

var (
	_ resource.ResourceWithConfigure   = (*apiTokenResource)(nil)
	_ resource.ResourceWithImportState = (*apiTokenResource)(nil)
)

// NewAPITokenResource is the wrike_api_token resource.
func NewAPITokenResource() resource.Resource { return &apiTokenResource{} }

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
					"the previous token stops working at once. Null after `terraform import`, because Wrike never shows an " +
					"existing token: change `rotation_triggers` to get a new one into the state.",
				PlanModifiers: []planmodifier.String{regenerated},
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

func (r *apiTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client = pd.Wrike
	}
}

func (r *apiTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
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
	if app.Token == "" {
		// Keep the app in state (tainted) so it is not left behind in Wrike.
		resp.Diagnostics.AddError("Wrike did not return the API token",
			"The API app "+app.ID+" was created but the answer had no token; the next apply replaces it.")
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *apiTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	app, err := r.client.GetAPIApp(ctx, state.ID.ValueString())
	if errors.Is(err, wrikeapi.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Wrike API app", wrikeErrorDetail(err))
		return
	}
	// Wrike never returns the token again; fromAPI keeps the one in state.
	state.fromAPI(app)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *apiTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state apiTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	plan.ID, plan.Token, plan.TokenCreatedDate = state.ID, state.Token, state.TokenCreatedDate

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
	if !plan.RotationTriggers.Equal(state.RotationTriggers) {
		app, err := r.client.RegenerateAPIAppToken(ctx, id)
		if err != nil {
			// The name and description may have changed already: keep them.
			resp.Diagnostics.AddError("Cannot regenerate the Wrike API token", wrikeErrorDetail(err))
			plan.RotationTriggers = state.RotationTriggers
			resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
			return
		}
		plan.fromAPI(app)
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
	if err != nil && !errors.Is(err, wrikeapi.ErrNotFound) {
		resp.Diagnostics.AddError("Cannot delete the Wrike API app", wrikeErrorDetail(err))
	}
}

// ImportState takes the app's id. The token stays null: Wrike never shows
// an existing token.
func (r *apiTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
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
