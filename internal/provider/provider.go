// Package provider implements the Terraform provider "wrike": approved
// domains, API tokens and SCIM integrations in Wrike, and the Okta side of
// SCIM provisioning into Wrike.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

var _ provider.Provider = (*wrikeProvider)(nil)

type wrikeProvider struct {
	version string
}

type providerModel struct {
	WrikeURL     types.String `tfsdk:"wrike_url"`
	WrikeToken   types.String `tfsdk:"wrike_token"`
	OktaOrgURL   types.String `tfsdk:"okta_org_url"`
	OktaAPIToken types.String `tfsdk:"okta_api_token"`
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &wrikeProvider{version: version} }
}

func (p *wrikeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "wrike"
	resp.Version = p.version
}

func (p *wrikeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Sets up Wrike user provisioning from Okta over SCIM 2.0.",
		Attributes: map[string]schema.Attribute{
			"wrike_url":      schema.StringAttribute{Optional: true, Description: "Base URL of the Wrike API. Env: WRIKE_URL."},
			"wrike_token":    schema.StringAttribute{Optional: true, Sensitive: true, Description: "Wrike admin token. Env: WRIKE_TOKEN."},
			"okta_org_url":   schema.StringAttribute{Optional: true, Description: "Okta org URL. Env: OKTA_ORG_URL."},
			"okta_api_token": schema.StringAttribute{Optional: true, Sensitive: true, Description: "Okta API token (SSWS). Env: OKTA_API_TOKEN."},
		},
	}
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	// Okta is nil when the provider has no Okta settings.
	Okta *oktaapi.Client
}

func (p *wrikeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := &providerData{}
	var diags diag.Diagnostics
	data.Okta, diags = newOktaClient(cfg.OktaOrgURL, cfg.OktaAPIToken, p.version)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData, resp.DataSourceData = data, data
}

func (p *wrikeProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewOktaWrikeProvisioningResource,
	}
}

func (p *wrikeProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
