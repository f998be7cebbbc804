package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/validators"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type usersModel struct {
	Domain   types.String `tfsdk:"domain"`
	Active   types.Bool   `tfsdk:"active"`
	UserType types.String `tfsdk:"user_type"`
	Users    []userModel  `tfsdk:"users"`
}

type userModel struct {
	ID           types.String `tfsdk:"id"`
	UserName     types.String `tfsdk:"user_name"`
	ExternalID   types.String `tfsdk:"external_id"`
	FirstName    types.String `tfsdk:"first_name"`
	LastName     types.String `tfsdk:"last_name"`
	Email        types.String `tfsdk:"email"`
	Title        types.String `tfsdk:"title"`
	Phone        types.String `tfsdk:"phone"`
	Organization types.String `tfsdk:"organization"`
	Department   types.String `tfsdk:"department"`
	UserType     types.String `tfsdk:"user_type"`
	Active       types.Bool   `tfsdk:"active"`
	Billable     types.Bool   `tfsdk:"billable"`
}

type usersDataSource struct {
	client *wrikeclient.Client
}

var _ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)

// NewUsersDataSource is the wrike_users data source.
func NewUsersDataSource() datasource.DataSource { return &usersDataSource{} }

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: desc}
	}
	resp.Schema = schema.Schema{
		Description: "Users in Wrike with the attributes the identity provider synced to them over SCIM, in the order they " +
			"were created. Filters narrow the list; without any, every user is listed.",
		Attributes: map[string]schema.Attribute{
			"domain": schema.StringAttribute{
				Optional:    true,
				Description: "Only users whose userName is in this domain (any spelling: letter case, U-labels or A-labels).",
				Validators:  []validator.String{validators.DomainName()},
			},
			"active": schema.BoolAttribute{
				Optional:    true,
				Description: "Only active users (`true`) or only deactivated ones (`false`).",
			},
			"user_type": schema.StringAttribute{
				Optional:    true,
				Description: "Only users of this type: " + userTypeChoices("`") + ".",
				Validators:  []validator.String{stringvalidator.OneOf(wrikeapi.UserTypes...)},
			},
			"users": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The users found.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           str("Wrike's id of the user (the SCIM id)."),
					"user_name":    str("SCIM userName, usually the login email."),
					"external_id":  str("The identity provider's id of the user."),
					"first_name":   str("Given name."),
					"last_name":    str("Family name."),
					"email":        str("Primary email."),
					"title":        str("Job title."),
					"phone":        str("Primary phone number."),
					"organization": str("Organization (SCIM enterprise extension)."),
					"department":   str("Department (SCIM enterprise extension)."),
					"user_type":    str(userTypeChoices("`") + "."),
					"active":       schema.BoolAttribute{Computed: true, Description: "Whether the user is active; deactivated users are kept but not billed."},
					"billable":     schema.BoolAttribute{Computed: true, Description: "Whether the user takes a billable seat."},
				}},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.Wrike
	}
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m usersModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	users, err := d.client.ListUsers(ctx, wrikeclient.UserFilter{
		Domain:   m.Domain.ValueString(),
		Active:   m.Active.ValueBoolPointer(),
		UserType: m.UserType.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot list Wrike users", wrikeErrorDetail(err))
		return
	}
	m.fromAPI(users)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (m *usersModel) fromAPI(users []wrikeapi.User) {
	m.Users = make([]userModel, len(users))
	for i, u := range users {
		m.Users[i] = userModel{
			ID:           types.StringValue(u.ID),
			UserName:     types.StringValue(u.UserName),
			ExternalID:   types.StringValue(u.ExternalID),
			FirstName:    types.StringValue(u.FirstName),
			LastName:     types.StringValue(u.LastName),
			Email:        types.StringValue(u.Email),
			Title:        types.StringValue(u.Title),
			Phone:        types.StringValue(u.Phone),
			Organization: types.StringValue(u.Organization),
			Department:   types.StringValue(u.Department),
			UserType:     types.StringValue(u.UserType),
			Active:       types.BoolValue(u.Active),
			Billable:     types.BoolValue(u.Billable),
		}
	}
}
