package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/mailaddr"
	"github.com/wrike-community/terraform-provider-wrike/internal/validators"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type approvedDomainModel struct {
	ID            types.String `tfsdk:"id"`
	Domain        types.String `tfsdk:"domain"`
	ASCIIDomain   types.String `tfsdk:"ascii_domain"`
	UnicodeDomain types.String `tfsdk:"unicode_domain"`
	CreatedDate   types.String `tfsdk:"created_date"`
}

type approvedDomainResource struct {
	client *wrikeclient.Client
}

var (
	_ resource.ResourceWithConfigure   = (*approvedDomainResource)(nil)
	_ resource.ResourceWithImportState = (*approvedDomainResource)(nil)
	_ resource.ResourceWithIdentity    = (*approvedDomainResource)(nil)
)

// approvedDomainIdentity is the domain as Wrike stores it.
var approvedDomainIdentity = resourceIdentity{
	attr: "domain", from: path.Root("ascii_domain"),
	description: "The approved domain as Wrike stores it: A-labels (punycode), lower case, such as `xn--bcher-kva.example`. " +
		"An import may spell it any way (letter case, U-labels).",
}

// NewApprovedDomainResource is the wrike_approved_domain resource.
func NewApprovedDomainResource() resource.Resource { return &approvedDomainResource{} }

func (r *approvedDomainResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approved_domain"
}

func (r *approvedDomainResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "An approved email domain in Wrike. Wrike provisions a user over SCIM only when the user's " +
			"userName and primary email are in an approved domain; users of other domains are refused. Creating the " +
			"resource for a domain already approved fails, naming the import that manages it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "Wrike's id of the approved domain.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"domain": schema.StringAttribute{
				Required: true,
				Description: "The email domain, such as `example.com` or `bücher.example`. Wrike compares domains in their " +
					"canonical form (UTS #46: A-labels, lower case). It refuses characters UTS #46 would map to others (such as " +
					"U+212A KELVIN SIGN or fullwidth letters) and labels that mix scripts the way look-alikes do (UTS #39, " +
					"moderately restrictive: a Cyrillic `а` among Latin letters is refused, a label in one script is not). The " +
					"spelling in the configuration is kept, and changing it to another spelling of the same domain (letter " +
					"case, U-label or A-label) changes nothing in Wrike. Any other change replaces the resource.",
				Validators: []validator.String{validators.DomainName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(domainChanged,
					"Changing the domain (other than its spelling) replaces the approved domain.",
					"Changing the domain (other than its spelling) replaces the approved domain.")},
			},
			"ascii_domain": schema.StringAttribute{
				Computed:      true,
				Description:   "The domain as Wrike stores and compares it: A-labels (punycode), lower case, such as `xn--bcher-kva.example`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"unicode_domain": schema.StringAttribute{
				Computed:      true,
				Description:   "The domain as people read it: U-labels, such as `bücher.example`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_date": schema.StringAttribute{
				Computed:      true,
				Description:   "When the domain was approved (RFC 3339).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *approvedDomainResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	approvedDomainIdentity.identitySchema(resp)
}

func domainChanged(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = canonicalDomain(req.StateValue.ValueString()) != canonicalDomain(req.PlanValue.ValueString())
}

// canonicalDomain is d as Wrike stores it; d itself when it is not a
// domain name (the validator reports that).
func canonicalDomain(d string) string {
	if c, err := mailaddr.ParseDomain(d); err == nil {
		return c.ASCII
	}
	return d
}

func (r *approvedDomainResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client = pd.Wrike
	}
}

func (r *approvedDomainResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer approvedDomainIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan approvedDomainModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, err := r.client.CreateApprovedDomain(ctx, plan.Domain.ValueString())
	if errors.Is(err, wrikeclient.ErrConflict) {
		resp.Diagnostics.Append(adoptionError(path.Root("domain"), fmt.Sprintf("The domain %q is already approved in Wrike", plan.Domain.ValueString()),
			"wrike_approved_domain", plan.Domain.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("domain"), "Cannot approve the domain", wrikeErrorDetail(err))
		return
	}
	plan.fromAPI(d)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *approvedDomainResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer approvedDomainIdentity.recordRead(ctx, req.State, &resp.State, resp.Identity, &resp.Diagnostics)
	var state approvedDomainModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// An import by domain name leaves the id empty until this first read.
	key := state.ID.ValueString()
	if key == "" {
		key = state.Domain.ValueString()
	}
	d, err := r.client.GetApprovedDomain(ctx, key)
	if errors.Is(err, wrikeclient.ErrNotFound) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the approved domain", wrikeErrorDetail(err))
		return
	}
	state.fromAPI(d)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update runs only when the domain's spelling changed (letter case, U-label
// or A-label): Wrike holds the same domain, so only the configured spelling
// is recorded.
func (r *approvedDomainResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer approvedDomainIdentity.record(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan approvedDomainModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *approvedDomainResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state approvedDomainModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteApprovedDomain(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, wrikeclient.ErrNotFound) {
		resp.Diagnostics.AddError("Cannot remove the approved domain", wrikeErrorDetail(err))
	}
}

// ImportState accepts the domain name (any spelling; the canonical form
// goes into state and identity) or Wrike's id; an import block's identity
// is always the domain name.
func (r *approvedDomainResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, byIdentity, ok := approvedDomainIdentity.importKey(ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	if byIdentity || strings.Contains(key, ".") {
		d, err := mailaddr.ParseDomain(key)
		if err != nil {
			summary, what := "Invalid import id", "An import id with a dot is a domain name"
			if byIdentity {
				summary, what = "Invalid import identity", "The identity's domain is a domain name"
			}
			resp.Diagnostics.AddError(summary, fmt.Sprintf("%s, and %v.", what, err))
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("domain"), d.ASCII)...)
		if byIdentity {
			approvedDomainIdentity.set(ctx, resp.Identity, d.ASCII, &resp.Diagnostics)
		}
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), key)...)
}

// fromAPI copies Wrike's answer, keeping the configured spelling of the
// domain when it is another spelling of Wrike's canonical one.
func (m *approvedDomainModel) fromAPI(d *wrikeapi.ApprovedDomain) {
	m.ID = types.StringValue(d.ID)
	if canonicalDomain(m.Domain.ValueString()) != d.Domain {
		m.Domain = types.StringValue(d.Domain)
	}
	m.ASCIIDomain = types.StringValue(d.Domain)
	m.UnicodeDomain = types.StringValue(d.DisplayDomain())
	m.CreatedDate = types.StringValue(d.CreatedDate)
}
