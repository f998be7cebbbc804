// Package provider implements the Terraform provider "wrike": approved
// domains, API tokens and SCIM integrations in Wrike, and the Okta side of
// SCIM provisioning into Wrike.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

func (p *wrikeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
}

func (p *wrikeProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *wrikeProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
