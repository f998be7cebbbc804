package provider

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
)

// Environment variables the Okta settings fall back to.
const (
	envOktaOrgURL   = "OKTA_ORG_URL"
	envOktaAPIToken = "OKTA_API_TOKEN"
)

// newOktaClient builds the Okta client from the provider block, falling
// back to the environment. Only okta_* resources need Okta, so when neither
// setting is given it returns nil without a diagnostic and those resources
// report it (missingOktaConfig); a half-given or malformed pair is an error
// here, on the attribute at fault.
func newOktaClient(orgURL, apiToken types.String, version string) (*oktaapi.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if orgURL.IsUnknown() {
		diags.AddAttributeError(path.Root("okta_org_url"), "Unknown Okta org URL",
			"okta_org_url depends on a value that is not known until apply. Set it to a literal, a variable, or leave it out and set "+envOktaOrgURL+".")
	}
	if apiToken.IsUnknown() {
		diags.AddAttributeError(path.Root("okta_api_token"), "Unknown Okta API token",
			"okta_api_token depends on a value that is not known until apply. Set it to a literal, a variable, or leave it out and set "+envOktaAPIToken+".")
	}
	if diags.HasError() {
		return nil, diags
	}
	url := valueOrEnv(orgURL, envOktaOrgURL)
	token := valueOrEnv(apiToken, envOktaAPIToken)
	switch {
	case url == "" && token == "":
		return nil, nil
	case url == "":
		diags.AddAttributeError(path.Root("okta_org_url"), "Missing Okta org URL",
			"okta_api_token is set but the Okta org URL is not: set okta_org_url in the provider block or the "+envOktaOrgURL+" environment variable.")
		return nil, diags
	case token == "":
		diags.AddAttributeError(path.Root("okta_api_token"), "Missing Okta API token",
			"okta_org_url is set but the Okta API token is not: set okta_api_token in the provider block or the "+envOktaAPIToken+" environment variable.")
		return nil, diags
	}
	if _, err := httpclient.ParseBaseURL(url); err != nil {
		diags.AddAttributeError(path.Root("okta_org_url"), "Invalid Okta org URL",
			fmt.Sprintf("okta_org_url (or %s) must be the org's base URL, such as https://example.okta.com: %v", envOktaOrgURL, err))
		return nil, diags
	}
	c, err := oktaapi.New(oktaapi.Config{
		OrgURL:    url,
		APIToken:  token,
		UserAgent: "terraform-provider-wrike/" + version,
	})
	if err != nil {
		diags.AddAttributeError(path.Root("okta_org_url"), "Cannot configure the Okta client", err.Error())
		return nil, diags
	}
	return c, diags
}

func valueOrEnv(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return strings.TrimSpace(v.ValueString())
	}
	return strings.TrimSpace(os.Getenv(env))
}

// missingOktaConfig is reported by okta_* resources when the provider has
// no Okta settings.
func missingOktaConfig() diag.Diagnostic {
	return diag.NewErrorDiagnostic("Missing Okta configuration",
		"This resource configures Okta, but the provider \"wrike\" has no Okta settings. Set okta_org_url and "+
			"okta_api_token in the provider block, or the "+envOktaOrgURL+" and "+envOktaAPIToken+" environment variables.")
}
