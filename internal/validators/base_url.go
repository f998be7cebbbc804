package validators

import (
	"context"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpclient"
)

// BaseURL accepts an absolute http(s) URL without query, fragment or
// credentials, as httpclient.ParseBaseURL does.
func BaseURL() validator.String { return baseURL{} }

type baseURL struct{}

func (baseURL) Description(context.Context) string {
	return "must be an absolute http(s) URL without query, fragment or credentials"
}

func (v baseURL) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (baseURL) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if _, err := httpclient.ParseBaseURL(raw); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", err.Error())
		return
	}
	if _, err := url.ParseRequestURI(raw); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", err.Error())
	}
}
