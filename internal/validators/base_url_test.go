package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestBaseURL(t *testing.T) {
	run := func(v types.String) validator.StringResponse {
		var resp validator.StringResponse
		BaseURL().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("scim_base_url"), ConfigValue: v}, &resp)
		return resp
	}
	for _, v := range []string{"https://www.wrike.com/scim/okta/v2", "http://127.0.0.1:7480/scim/okta/v2/", "https://acme.example.com"} {
		if resp := run(types.StringValue(v)); resp.Diagnostics.HasError() {
			t.Errorf("%q rejected: %v", v, resp.Diagnostics)
		}
	}
	for _, v := range []string{"", "scim/v2", "ftp://acme.example.com/scim", "https://", "https://user:pw@acme.example.com/scim",
		"https://acme.example.com/scim?x=1", "https://acme.example.com/scim#top", " https://acme.example.com/scim"} {
		resp := run(types.StringValue(v))
		if !resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != "Invalid URL" {
			t.Errorf("%q accepted: %v", v, resp.Diagnostics)
		}
	}
	// Unknown and null values wait for apply or are someone else's concern.
	for _, v := range []types.String{types.StringUnknown(), types.StringNull()} {
		if resp := run(v); resp.Diagnostics.HasError() {
			t.Errorf("%v rejected: %v", v, resp.Diagnostics)
		}
	}
}
