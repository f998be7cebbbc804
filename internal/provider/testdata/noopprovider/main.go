// Command noopprovider is a Terraform provider built on the same
// terraform-plugin-framework as this one, with a resource that does nothing
// at all. BenchmarkPlanRefresh plans 500 of them beside 500 terraform_data
// (built into Terraform, no plugin) to show what the plugin protocol alone
// costs, the floor under any framework provider. Its group_assignments and
// user_assignments hold maps of the shape okta_wrike_provisioning has, for
// BenchmarkProvisioningAssignments.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type p struct{}

func (p) Metadata(_ context.Context, _ provider.MetadataRequest, r *provider.MetadataResponse) {
	r.TypeName = "noop"
}
func (p) Schema(_ context.Context, _ provider.SchemaRequest, r *provider.SchemaResponse) {
	r.Schema = pschema.Schema{}
}
func (p) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}
func (p) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return res{} }}
}
func (p) DataSources(context.Context) []func() datasource.DataSource { return nil }

type res struct{}
type model struct {
	ID               types.String `tfsdk:"id"`
	Input            types.String `tfsdk:"input"`
	GroupAssignments types.Map    `tfsdk:"group_assignments"`
	UserAssignments  types.Map    `tfsdk:"user_assignments"`
}

func (res) Metadata(_ context.Context, _ resource.MetadataRequest, r *resource.MetadataResponse) {
	r.TypeName = "noop_thing"
}
func (res) Schema(_ context.Context, _ resource.SchemaRequest, r *resource.SchemaResponse) {
	r.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":                schema.StringAttribute{Computed: true},
		"input":             schema.StringAttribute{Required: true},
		"group_assignments": schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"user_assignments":  schema.MapAttribute{ElementType: types.StringType, Optional: true},
	}}
}
func (res) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Input
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
func (res) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
func (res) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = m.Input
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
func (res) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func main() {
	// The same process settings as the wrike provider's main, so the two
	// differ only in what their resources do.
	debug.SetGCPercent(400)
	if os.Getenv("TF_LOG") == "" {
		for _, name := range []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
			_ = os.Setenv(name, "off")
		}
	}
	_ = providerserver.Serve(context.Background(), func() provider.Provider { return p{} }, providerserver.ServeOpts{Address: "registry.terraform.io/example/noop"})
}
