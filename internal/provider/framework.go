package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// planGetter and stateSetter let one helper serve both Create and Update,
// whose requests and responses are different types with the same methods.
type (
	planGetter  func(ctx context.Context, target any) diag.Diagnostics
	stateSetter interface {
		Set(ctx context.Context, val any) diag.Diagnostics
	}
	diagnostics = diag.Diagnostics
)
