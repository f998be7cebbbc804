package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type scimIntegrationDataSource struct {
	client *wrikeclient.Client
}

var _ datasource.DataSourceWithConfigure = (*scimIntegrationDataSource)(nil)

// NewSCIMIntegrationDataSource is the wrike_scim_integration data source.
func NewSCIMIntegrationDataSource() datasource.DataSource { return &scimIntegrationDataSource{} }

func (d *scimIntegrationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_scim_integration"
}

func (d *scimIntegrationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Reads Wrike's SCIM integration for one identity provider, for example to hand its `scim_url` to an " +
			"identity provider when the integration is managed elsewhere.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The identity provider."},
			"identity_provider": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Description: fmt.Sprintf("The identity provider, one of %q; `okta` when not set.", wrikeapi.IdentityProviders),
				Validators:  []validator.String{stringvalidator.OneOf(wrikeapi.IdentityProviders...)},
			},
			"enabled":           schema.BoolAttribute{Computed: true, Description: "Whether Wrike accepts SCIM requests from the identity provider."},
			"default_user_type": schema.StringAttribute{Computed: true, Description: "User type given to provisioned users whose request names none."},
			"scim_url":          schema.StringAttribute{Computed: true, Description: "The SCIM base URL to give the identity provider."},
		},
	}
}

func (d *scimIntegrationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.Wrike
	}
}

func (d *scimIntegrationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m scimIntegrationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	idp := m.IdentityProvider.ValueString()
	if idp == "" {
		idp = wrikeapi.IdentityProviderOkta
	}
	s, err := d.client.GetSCIMIntegration(ctx, idp)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Wrike SCIM integration", wrikeErrorDetail(err))
		return
	}
	m.fromAPI(s)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
