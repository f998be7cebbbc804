package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type scimIntegrationModel struct {
	ID               types.String `tfsdk:"id"`
	IdentityProvider types.String `tfsdk:"identity_provider"`
	Enabled          types.Bool   `tfsdk:"enabled"`
	DefaultUserType  types.String `tfsdk:"default_user_type"`
	SCIMURL          types.String `tfsdk:"scim_url"`
}

type scimIntegrationResource struct {
	client *wrikeclient.Client
}

var (
	_ resource.ResourceWithConfigure   = (*scimIntegrationResource)(nil)
	_ resource.ResourceWithImportState = (*scimIntegrationResource)(nil)
	_ resource.ResourceWithIdentity    = (*scimIntegrationResource)(nil)
)

// scimIntegrationIdentity is the identity provider the integration is for.
var scimIntegrationIdentity = resourceIdentity{
	attr: "identity_provider", from: path.Root("identity_provider"),
	description: fmt.Sprintf("The identity provider the integration is for, one of %q.", wrikeapi.IdentityProviders),
}

// NewSCIMIntegrationResource is the wrike_scim_integration resource.
func NewSCIMIntegrationResource() resource.Resource { return &scimIntegrationResource{} }

func (r *scimIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_scim_integration"
}

func (r *scimIntegrationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Wrike's SCIM 2.0 integration for one identity provider. Wrike has one integration per identity " +
			"provider, always present and disabled until enabled; this resource enables and configures it, and " +
			"destroying the resource disables it (users already provisioned stay in Wrike). Give the identity " +
			"provider the `scim_url` and the token of a `wrike_api_token`. Creating the resource on an integration " +
			"already enabled fails, naming the import that manages it: it is never taken over silently.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The identity provider, which identifies the integration. Import with it, e.g. `okta`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"identity_provider": identityProviderSchema(),
			"enabled": schema.BoolAttribute{
				Optional:    true,
				Computed:    true,
				Default:     booldefault.StaticBool(true),
				Description: "Whether Wrike accepts SCIM requests from the identity provider. While disabled, Wrike answers them with 403. Defaults to `true`.",
			},
			"default_user_type": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Default:     stringdefault.StaticString(wrikeapi.UserTypeRegular),
				Description: "User type given to provisioned users whose SCIM request names none: `Regular` (the default), `External` or `Collaborator`.",
				Validators:  []validator.String{stringvalidator.OneOf(wrikeapi.UserTypes...)},
			},
			"scim_url": schema.StringAttribute{
				Computed:      true,
				Description:   "The SCIM base URL to give the identity provider (Okta's \"SCIM connector base URL\").",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *scimIntegrationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	scimIntegrationIdentity.identitySchema(resp)
}

func identityProviderSchema() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		Computed: true,
		Default:  stringdefault.StaticString(wrikeapi.IdentityProviderOkta),
		Description: fmt.Sprintf("The identity provider: `okta` (the default), `azure_ad` or `onelogin`. "+
			"Changing it disables this integration and enables the other one. One of %q.", wrikeapi.IdentityProviders),
		Validators:    []validator.String{stringvalidator.OneOf(wrikeapi.IdentityProviders...)},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

func (r *scimIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client = pd.Wrike
	}
}

func (r *scimIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer scimIntegrationIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	// Wrike's integration always exists, disabled until someone sets it
	// up: enabled, it is in use, and creating would take it over.
	var idp types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("identity_provider"), &idp)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := r.client.GetSCIMIntegration(ctx, idp.ValueString())
	if err != nil && !errors.Is(err, wrikeclient.ErrNotFound) {
		resp.Diagnostics.AddError("Cannot read the Wrike SCIM integration", wrikeErrorDetail(err))
		return
	}
	if err == nil && s.Enabled {
		resp.Diagnostics.Append(adoptionError(path.Root("identity_provider"),
			fmt.Sprintf("The Wrike SCIM integration %q is already enabled", idp.ValueString()), "wrike_scim_integration", idp.ValueString()))
		return
	}
	r.apply(ctx, req.Plan.Get, &resp.State, &resp.Diagnostics)
}

func (r *scimIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer scimIntegrationIdentity.recordRead(ctx, req.State, &resp.State, resp.Identity, &resp.Diagnostics)
	var state scimIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	idp := state.IdentityProvider.ValueString()
	if idp == "" {
		idp = state.ID.ValueString()
	}
	s, err := r.client.GetSCIMIntegration(ctx, idp)
	if errors.Is(err, wrikeclient.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Wrike SCIM integration", wrikeErrorDetail(err))
		return
	}
	state.fromAPI(s)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *scimIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer scimIntegrationIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	r.apply(ctx, req.Plan.Get, &resp.State, &resp.Diagnostics)
}

// apply writes the planned settings: Wrike's integration always exists, so
// creating the resource and updating it are the same call.
func (r *scimIntegrationResource) apply(ctx context.Context, get planGetter, state stateSetter, diags *diagnostics) {
	var plan scimIntegrationModel
	diags.Append(get(ctx, &plan)...)
	if diags.HasError() {
		return
	}
	s, err := r.client.UpdateSCIMIntegration(ctx, plan.IdentityProvider.ValueString(), wrikeapi.SCIMIntegrationUpdate{
		Enabled:         plan.Enabled.ValueBoolPointer(),
		DefaultUserType: plan.DefaultUserType.ValueStringPointer(),
	})
	if err != nil {
		diags.AddError("Cannot configure the Wrike SCIM integration", wrikeErrorDetail(err))
		return
	}
	plan.fromAPI(s)
	diags.Append(state.Set(ctx, plan)...)
}

// Delete disables the integration; it cannot be removed from Wrike.
func (r *scimIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state scimIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	off := false
	_, err := r.client.UpdateSCIMIntegration(ctx, state.IdentityProvider.ValueString(), wrikeapi.SCIMIntegrationUpdate{Enabled: &off})
	if err != nil && !errors.Is(err, wrikeclient.ErrNotFound) {
		resp.Diagnostics.AddError("Cannot disable the Wrike SCIM integration", wrikeErrorDetail(err))
	}
}

// ImportState takes the identity provider: okta, azure_ad or onelogin, as
// a string id or as the identity.
func (r *scimIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, byIdentity, ok := scimIntegrationIdentity.importKey(ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	for _, idp := range wrikeapi.IdentityProviders {
		if key == idp {
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("identity_provider"), idp)...)
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), idp)...)
			return
		}
	}
	summary := "Invalid import id"
	if byIdentity {
		summary = "Invalid import identity"
	}
	resp.Diagnostics.AddError(summary,
		fmt.Sprintf("Import a SCIM integration by its identity provider, one of %q; got %q.", wrikeapi.IdentityProviders, key))
}

func (m *scimIntegrationModel) fromAPI(s *wrikeapi.SCIMIntegration) {
	m.ID = types.StringValue(s.IdentityProvider)
	m.IdentityProvider = types.StringValue(s.IdentityProvider)
	m.Enabled = types.BoolValue(s.Enabled)
	m.DefaultUserType = types.StringValue(s.DefaultUserType)
	m.SCIMURL = types.StringValue(s.SCIMURL)
}

// userTypeChoices lists wrikeapi.UserTypes for a description, each between
// quote marks: "Regular, External or Collaborator".
func userTypeChoices(quote string) string {
	q := make([]string, len(wrikeapi.UserTypes))
	for i, t := range wrikeapi.UserTypes {
		q[i] = quote + t + quote
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
