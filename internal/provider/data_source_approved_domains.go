package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type approvedDomainsModel struct {
	ApprovedDomains []approvedDomainItemModel `tfsdk:"approved_domains"`
}

type approvedDomainItemModel struct {
	ID            types.String `tfsdk:"id"`
	Domain        types.String `tfsdk:"domain"`
	UnicodeDomain types.String `tfsdk:"unicode_domain"`
	CreatedDate   types.String `tfsdk:"created_date"`
}

type approvedDomainsDataSource struct {
	client *wrikeclient.Client
}

var _ datasource.DataSourceWithConfigure = (*approvedDomainsDataSource)(nil)

// NewApprovedDomainsDataSource is the wrike_approved_domains data source.
func NewApprovedDomainsDataSource() datasource.DataSource { return &approvedDomainsDataSource{} }

func (d *approvedDomainsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approved_domains"
}

func (d *approvedDomainsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Every approved email domain of the Wrike account, in the order they were approved, each in the " +
			"form Wrike compares and in the form people read.",
		Attributes: map[string]schema.Attribute{
			"approved_domains": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The approved domains.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{Computed: true, Description: "Wrike's id of the approved domain."},
					"domain": schema.StringAttribute{Computed: true,
						Description: "The domain as Wrike stores and compares it: A-labels (punycode), lower case, such as `xn--bcher-kva.example`."},
					"unicode_domain": schema.StringAttribute{Computed: true,
						Description: "The domain as people read it: U-labels, such as `bücher.example`."},
					"created_date": schema.StringAttribute{Computed: true, Description: "When the domain was approved (RFC 3339)."},
				}},
			},
		},
	}
}

func (d *approvedDomainsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.Wrike
	}
}

func (d *approvedDomainsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	domains, err := d.client.ListApprovedDomains(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the approved domains", wrikeErrorDetail(err))
		return
	}
	var m approvedDomainsModel
	m.fromAPI(domains)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (m *approvedDomainsModel) fromAPI(domains []wrikeapi.ApprovedDomain) {
	m.ApprovedDomains = make([]approvedDomainItemModel, len(domains))
	for i, d := range domains {
		m.ApprovedDomains[i] = approvedDomainItemModel{
			ID:            types.StringValue(d.ID),
			Domain:        types.StringValue(d.Domain),
			UnicodeDomain: types.StringValue(d.DisplayDomain()),
			CreatedDate:   types.StringValue(d.CreatedDate),
		}
	}
}
