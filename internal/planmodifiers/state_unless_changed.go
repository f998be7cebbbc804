// Package planmodifiers holds plan modifiers the provider's resources
// share.
package planmodifiers

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// StringUseStateUnlessChanged keeps a computed string's prior value in the
// plan, as UseStateForUnknown does, except when one of the trigger
// attributes changes: then the value stays unknown because the apply will
// produce a new one (a regenerated token and its creation date). A null
// prior value is kept too, so an imported secret stays null rather than
// showing as "known after apply" on every change.
func StringUseStateUnlessChanged(triggers ...path.Path) planmodifier.String {
	return useStateUnlessChanged{triggers: triggers}
}

// Int64UseStateUnlessChanged is StringUseStateUnlessChanged for a number
// that changes with the string (a token's version).
func Int64UseStateUnlessChanged(triggers ...path.Path) planmodifier.Int64 {
	return useStateUnlessChanged{triggers: triggers}
}

type useStateUnlessChanged struct{ triggers []path.Path }

func (m useStateUnlessChanged) Description(context.Context) string {
	names := make([]string, len(m.triggers))
	for i, p := range m.triggers {
		names[i] = p.String()
	}
	return fmt.Sprintf("The value does not change unless %s changes.", strings.Join(names, " or "))
}

func (m useStateUnlessChanged) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m useStateUnlessChanged) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.PlanValue.IsUnknown() && !req.ConfigValue.IsUnknown() && m.triggersUnchanged(ctx, req.State, req.Plan, &resp.Diagnostics) {
		resp.PlanValue = req.StateValue
	}
}

func (m useStateUnlessChanged) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.PlanValue.IsUnknown() && !req.ConfigValue.IsUnknown() && m.triggersUnchanged(ctx, req.State, req.Plan, &resp.Diagnostics) {
		resp.PlanValue = req.StateValue
	}
}

// triggersUnchanged reports whether the resource is updated (not created
// or destroyed) with every trigger attribute planned as it was.
func (m useStateUnlessChanged) triggersUnchanged(ctx context.Context, state tfsdk.State, plan tfsdk.Plan, diags *diag.Diagnostics) bool {
	if state.Raw.IsNull() || plan.Raw.IsNull() {
		return false
	}
	for _, p := range m.triggers {
		var planned, prior attr.Value
		diags.Append(plan.GetAttribute(ctx, p, &planned)...)
		diags.Append(state.GetAttribute(ctx, p, &prior)...)
		if diags.HasError() || planned.IsUnknown() || !planned.Equal(prior) {
			return false
		}
	}
	return true
}
