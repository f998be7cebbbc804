package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Duration accepts a Go duration above zero and at most limit.
func Duration(limit time.Duration) validator.String { return durationValidator{max: limit} }

type durationValidator struct{ max time.Duration }

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("a duration such as 90s or 5m, above zero and at most %s", v.max)
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 || d > v.max {
		// Terraform points at the whole object around a nested attribute:
		// the message names the attribute itself.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration in "+req.Path.String(),
			fmt.Sprintf("%s must be %s; got %q.", req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}
