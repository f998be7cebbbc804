// Package planmodifiers holds plan modifiers the provider's resources
// share.
package planmodifiers

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
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
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, p := range m.triggers {
		var planned, prior attr.Value
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, p, &planned)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &prior)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if planned.IsUnknown() || !planned.Equal(prior) {
			return
		}
	}
	resp.PlanValue = req.StateValue
}
