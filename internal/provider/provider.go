// Package provider implements the Terraform provider "wrike": approved
// domains, API tokens and SCIM integrations in Wrike, and the Okta side of
// SCIM provisioning into Wrike.
package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	neturl "net/url"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

var (
	_ provider.Provider                  = (*wrikeProvider)(nil)
	_ provider.ProviderWithListResources = (*wrikeProvider)(nil)
)

// wrikeDialTimeout bounds Configure's check that Wrike's address accepts a
// connection.
const wrikeDialTimeout = 2 * time.Second

type wrikeProvider struct {
	version string
}

type providerModel struct {
	WrikeURL     types.String `tfsdk:"wrike_url"`
	WrikeToken   types.String `tfsdk:"wrike_token"`
	OktaOrgURL   types.String `tfsdk:"okta_org_url"`
	OktaAPIToken types.String `tfsdk:"okta_api_token"`
}

// providerData is what Configure hands every resource and data source.
// The Wrike client is always set. The Okta settings are resolved but only
// okta_* resources need them: when they are missing or invalid, OktaProblem
// says why, and those resources raise it from their own Configure.
type providerData struct {
	Wrike *wrikeclient.Client

	OktaOrgURL   string
	OktaAPIToken string
	// OktaProblem explains why Okta cannot be used; empty when it can.
	OktaProblem string
	// Okta is the Okta client, nil when OktaProblem is set.
	Okta *oktaclient.Client

	// Version and Logger are for building further API clients.
	Version   string
	UserAgent string
	Logger    *slog.Logger
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &wrikeProvider{version: version} }
}

func (p *wrikeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "wrike"
	resp.Version = p.version
}

func (p *wrikeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	notEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	resp.Schema = schema.Schema{
		Description: "Sets up Wrike user provisioning from Okta over SCIM 2.0: approved domains, the API token " +
			"Okta authenticates with, Wrike's SCIM integration, and Okta's provisioning settings for the Wrike app. " +
			"Every argument can also come from an environment variable.",
		Attributes: map[string]schema.Attribute{
			"wrike_url": schema.StringAttribute{
				Optional:    true,
				Validators:  notEmpty,
				Description: "Base URL of Wrike, such as `https://www.wrike.com` (the provider adds `/api/v4`). Falls back to the `WRIKE_URL` environment variable. Required.",
			},
			"wrike_token": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Validators:  notEmpty,
				Description: "Wrike admin token, sent as a bearer token to the admin API. Falls back to the `WRIKE_TOKEN` environment variable. Required.",
			},
			"okta_org_url": schema.StringAttribute{
				Optional:    true,
				Validators:  notEmpty,
				Description: "URL of the Okta org, such as `https://example.okta.com`. Falls back to the `OKTA_ORG_URL` environment variable. Needed only by `okta_*` resources.",
			},
			"okta_api_token": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Validators:  notEmpty,
				Description: "Okta API token (sent as `SSWS <token>`). Falls back to the `OKTA_API_TOKEN` environment variable. Needed only by `okta_*` resources.",
			},
		},
	}
}

// setting is one provider argument with its environment fallback.
type setting struct {
	attr, env, what string
	value           types.String
}

// resolve returns the configured value, else the environment's. An unknown
// value (computed from a resource not yet created) is an error: clients
// are built before any plan, and an unknown URL cannot be called.
func (s setting) resolve(diags *diag.Diagnostics) string {
	if s.value.IsUnknown() {
		diags.AddAttributeError(path.Root(s.attr), "Unknown "+s.what,
			fmt.Sprintf("The provider cannot be configured because %s is not known until apply. "+
				"Set %s to a value known at plan time, or set the %s environment variable.", s.attr, s.attr, s.env))
		return ""
	}
	if !s.value.IsNull() {
		return strings.TrimSpace(s.value.ValueString())
	}
	return strings.TrimSpace(os.Getenv(s.env))
}

func (s setting) missing() (string, string) {
	return "Missing " + s.what, fmt.Sprintf("Set %s in the provider block or the %s environment variable.", s.attr, s.env)
}

func (p *wrikeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	wrikeURL := setting{"wrike_url", "WRIKE_URL", "Wrike URL", cfg.WrikeURL}
	wrikeToken := setting{"wrike_token", "WRIKE_TOKEN", "Wrike admin token", cfg.WrikeToken}
	oktaURL := setting{"okta_org_url", "OKTA_ORG_URL", "Okta org URL", cfg.OktaOrgURL}
	oktaToken := setting{"okta_api_token", "OKTA_API_TOKEN", "Okta API token", cfg.OktaAPIToken}

	data := &providerData{
		Version:   p.version,
		UserAgent: "terraform-provider-wrike/" + p.version,
		Logger:    newLogger(ctx),
	}
	url := wrikeURL.resolve(&resp.Diagnostics)
	token := wrikeToken.resolve(&resp.Diagnostics)
	data.OktaOrgURL = oktaURL.resolve(&resp.Diagnostics)
	data.OktaAPIToken = oktaToken.resolve(&resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, s := range []struct {
		setting
		v string
	}{{wrikeURL, url}, {wrikeToken, token}} {
		if s.v == "" {
			summary, detail := s.missing()
			resp.Diagnostics.AddAttributeError(path.Root(s.attr), summary, detail)
		}
	}
	var wrikeBase *neturl.URL
	if url != "" {
		u, err := httpclient.ParseBaseURL(url)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("wrike_url"), "Invalid Wrike URL",
				fmt.Sprintf("wrike_url (or WRIKE_URL): %s.", err))
		} else if strings.HasSuffix(u.Path, "/api/v4") {
			resp.Diagnostics.AddAttributeError(path.Root("wrike_url"), "Invalid Wrike URL",
				fmt.Sprintf("wrike_url (or WRIKE_URL) is Wrike's base URL without /api/v4, which the provider adds: use %q.",
					strings.TrimSuffix(u.String(), "/api/v4")))
		}
		wrikeBase = u
	}
	if data.OktaOrgURL != "" {
		if _, err := httpclient.ParseBaseURL(data.OktaOrgURL); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("okta_org_url"), "Invalid Okta org URL",
				fmt.Sprintf("okta_org_url (or OKTA_ORG_URL): %s.", err))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	// Without a connection to Wrike every resource would fail on its own,
	// one error each: say it once, here. A dial, not a request, so a
	// refresh still costs one request per resource.
	if err := httpclient.Dial(ctx, wrikeBase, http.ProxyFromEnvironment, wrikeDialTimeout); err != nil {
		resp.Diagnostics.AddError("Cannot reach Wrike",
			fmt.Sprintf("Cannot reach Wrike at %s: %s. Check wrike_url (or WRIKE_URL) and that Wrike is reachable from here.", url, err))
		return
	}
	switch {
	case data.OktaOrgURL == "":
		_, detail := oktaURL.missing()
		data.OktaProblem = "The Okta org URL is not set. " + detail
	case data.OktaAPIToken == "":
		_, detail := oktaToken.missing()
		data.OktaProblem = "The Okta API token is not set. " + detail
	}

	client, err := wrikeclient.New(wrikeclient.Config{URL: url, Token: token, Version: p.version, Logger: data.Logger})
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the Wrike client", err.Error())
		return
	}
	data.Wrike = client
	// One request, so that a wrong token or a URL that is not Wrike's is
	// one error naming the setting, not the same error from every resource.
	if d := checkWrike(ctx, client, url, data.OktaOrgURL); d != nil {
		resp.Diagnostics.Append(d)
		return
	}
	if data.OktaProblem == "" {
		data.Okta, err = oktaclient.New(oktaclient.Config{OrgURL: data.OktaOrgURL, APIToken: data.OktaAPIToken, UserAgent: data.UserAgent, Logger: data.Logger})
		if err != nil {
			data.OktaProblem = err.Error()
		}
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// wrikeCheckTimeout bounds Configure's request to Wrike.
const wrikeCheckTimeout = 10 * time.Second

// checkWrike reads Wrike's account once, without retries, and says which
// setting is wrong when the answer shows one: Wrike refusing the token, or
// something other than Wrike's API answering at wrike_url (an answer not
// in Wrike's error format, such as the Okta org's). Any other failure (an
// outage, a timeout) is left to the resources, whose calls retry.
func checkWrike(ctx context.Context, client *wrikeclient.Client, url, oktaURL string) diag.Diagnostic {
	ctx, cancel := context.WithTimeout(httpclient.WithoutRetries(ctx), wrikeCheckTimeout)
	defer cancel()
	_, err := client.GetAccount(ctx)
	var he *httpclient.Error
	if err == nil || !errors.As(err, &he) || he.StatusCode >= 500 || he.StatusCode == http.StatusTooManyRequests {
		return nil
	}
	if he.Code == "" {
		likely := "another service"
		if oktaURL != "" && strings.TrimRight(oktaURL, "/") == strings.TrimRight(url, "/") {
			likely = "the Okta org: it is the same as okta_org_url"
		}
		return diag.NewAttributeErrorDiagnostic(path.Root("wrike_url"), "wrike_url is not Wrike's API",
			fmt.Sprintf("%s answered GET /api/v4/account with HTTP %d, but not in Wrike's error format, so wrike_url (or WRIKE_URL) "+
				"likely points at %s. Set it to Wrike's base URL, such as https://www.wrike.com (the reference backend's Wrike face: "+
				"WRIKE_URL in its dev.env).", url, he.StatusCode, likely))
	}
	switch {
	case errors.Is(err, wrikeclient.ErrUnauthorized):
		return diag.NewAttributeErrorDiagnostic(path.Root("wrike_token"), "Wrike refused wrike_token",
			"Wrike did not accept the admin token in wrike_token (or WRIKE_TOKEN): it is mistyped, revoked, or of another Wrike "+
				"account. Nothing was read or changed.\n\n"+err.Error())
	case errors.Is(err, wrikeclient.ErrForbidden):
		return diag.NewAttributeErrorDiagnostic(path.Root("wrike_token"), "wrike_token is not a Wrike admin token",
			"wrike_token (or WRIKE_TOKEN) must be a Wrike admin token; API app (v4) tokens, such as wrike_api_token.token, "+
				"cannot call the admin API. Nothing was read or changed.\n\n"+err.Error())
	case errors.Is(err, wrikeclient.ErrNotFound):
		return diag.NewAttributeErrorDiagnostic(path.Root("wrike_url"), "wrike_url is not Wrike's API",
			fmt.Sprintf("%s has no Wrike admin API (GET /api/v4/account answered 404): set wrike_url (or WRIKE_URL) to Wrike's base URL, "+
				"such as https://www.wrike.com.\n\n%s", url, err))
	}
	return nil
}

func (p *wrikeProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewApprovedDomainResource,
		NewAPITokenResource,
		NewSCIMIntegrationResource,
		NewOktaWrikeProvisioningResource,
	}
}

// ListResources are what `terraform query` lists (Terraform 1.14 and
// later): one for each resource, see list.go.
func (p *wrikeProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewApprovedDomainList,
		NewAPITokenList,
		NewSCIMIntegrationList,
		NewOktaWrikeProvisioningList,
	}
}

func (p *wrikeProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewUsersDataSource,
		NewAccountDataSource,
		NewApprovedDomainsDataSource,
		NewSCIMIntegrationDataSource,
	}
}

// providerDataFrom unpacks what Configure stored. It returns nil before the
// provider is configured (validation runs first), which callers tolerate.
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}
