package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// resourceIdentity is the identity of a managed resource (Terraform 1.12
// and later): one string, the natural key a user knows of the object (a
// domain name, an identity provider, an Okta app id), copied from a state
// attribute. It is what `import { identity = {...} }` takes and what
// `terraform query` lists; older CLIs ignore it and import by string id.
type resourceIdentity struct {
	// attr is the identity attribute, from is the state attribute it
	// follows once the resource is created or read.
	attr string
	from path.Path
	// description says what the value is, for the docs and the language
	// server.
	description string
}

func (ri resourceIdentity) schema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			ri.attr: identityschema.StringAttribute{RequiredForImport: true, Description: ri.description},
		},
	}
}

// identitySchema answers a resource's IdentitySchema call.
func (ri resourceIdentity) identitySchema(resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = ri.schema()
}

// record sets identity from state after Create or Update: deferred at the
// top of each, it sees the state they leave. A failed create (null state,
// or the key not known) leaves identity as it is.
func (ri resourceIdentity) record(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if key, ok := ri.keyIn(ctx, *state); ok {
		ri.set(ctx, identity, key, diags)
	}
}

// recordRead is record for Read, which may also remove the resource (gone
// from Wrike or Okta, or an import of something that does not exist). The
// framework wants an identity after every read that did not fail, so a
// removed resource keeps the key it had, or an empty one when it never
// had one; Terraform drops it with the resource.
func (ri resourceIdentity) recordRead(ctx context.Context, prior tfsdk.State, state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	if !state.Raw.IsNull() {
		ri.record(ctx, state, identity, diags)
		return
	}
	if !identity.Raw.IsFullyNull() {
		return
	}
	key, _ := ri.keyIn(ctx, prior)
	ri.set(ctx, identity, key, diags)
}

// keyIn is the identity's key in state, when state has it.
func (ri resourceIdentity) keyIn(ctx context.Context, state tfsdk.State) (string, bool) {
	if state.Raw.IsNull() {
		return "", false
	}
	var key types.String
	if d := state.GetAttribute(ctx, ri.from, &key); d.HasError() || key.IsNull() || key.IsUnknown() || key.ValueString() == "" {
		return "", false
	}
	return key.ValueString(), true
}

// set writes key as the identity.
func (ri resourceIdentity) set(ctx context.Context, identity *tfsdk.ResourceIdentity, key string, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.SetAttribute(ctx, path.Root(ri.attr), key)...)
}

// importKey is what an import names the object by: the string id of
// `terraform import` or of an import block's id, else the identity of an
// import block's identity (byIdentity true). ok is false after an error.
func (ri resourceIdentity) importKey(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (key string, byIdentity, ok bool) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, false, true
	}
	var v types.String
	if d := req.Identity.GetAttribute(ctx, path.Root(ri.attr), &v); d.HasError() {
		diags.Append(d...)
		return "", true, false
	}
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		diags.AddAttributeError(path.Root(ri.attr), "Invalid import identity",
			fmt.Sprintf("The import block's identity needs %s: %s.", ri.attr, ri.description))
		return "", true, false
	}
	return v.ValueString(), true, true
}
