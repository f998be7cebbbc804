package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type accountModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	BillableSeats      types.Int64  `tfsdk:"billable_seats"`
	ActiveMembers      types.Int64  `tfsdk:"active_members"`
	DeactivatedMembers types.Int64  `tfsdk:"deactivated_members"`
}

type accountDataSource struct {
	client *wrikeclient.Client
}

var _ datasource.DataSourceWithConfigure = (*accountDataSource)(nil)

// NewAccountDataSource is the wrike_account data source.
func NewAccountDataSource() datasource.DataSource { return &accountDataSource{} }

func (d *accountDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account"
}

func (d *accountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The Wrike account and its seats: how many members SCIM provisioning has made billable.",
		Attributes: map[string]schema.Attribute{
			"id":                  schema.StringAttribute{Computed: true, Description: "Wrike's id of the account."},
			"name":                schema.StringAttribute{Computed: true, Description: "Name of the account."},
			"billable_seats":      schema.Int64Attribute{Computed: true, Description: "Seats billed: active members provisioned over SCIM."},
			"active_members":      schema.Int64Attribute{Computed: true, Description: "Members that are active."},
			"deactivated_members": schema.Int64Attribute{Computed: true, Description: "Members deactivated (kept in Wrike, not billed)."},
		},
	}
}

func (d *accountDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.Wrike
	}
}

func (d *accountDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	a, err := d.client.GetAccount(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Wrike account", wrikeErrorDetail(err))
		return
	}
	var m accountModel
	m.fromAPI(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (m *accountModel) fromAPI(a *wrikeapi.Account) {
	m.ID = types.StringValue(a.ID)
	m.Name = types.StringValue(a.Name)
	m.BillableSeats = types.Int64Value(a.BillableSeats)
	m.ActiveMembers = types.Int64Value(a.ActiveMembers)
	m.DeactivatedMembers = types.Int64Value(a.DeactivatedMembers)
}
