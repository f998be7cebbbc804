package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// testAccProviders runs the provider in the test process, so tests reach
// the in-process reference backend and need no installed provider.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"wrike": providerserver.NewProtocol6WithError(New("test")()),
}

// wrikeProviderConfig points the provider at one test's backend. Each test
// has its own backend, so tests running in parallel never see each other.
func wrikeProviderConfig(env *backendtest.Env) string {
	return fmt.Sprintf("provider \"wrike\" {\n  wrike_url   = %q\n  wrike_token = %q\n}\n", env.WrikeURL, env.WrikeAdminToken)
}

// backendHas checks that the admin API answers 200 (want true) or 404
// (want false) for path.
func backendHas(env *backendtest.Env, path string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		err := env.AdminCall(http.MethodGet, path, nil, nil)
		var answer *backendtest.StatusError
		switch {
		case want && err != nil:
			return fmt.Errorf("GET %s: want 200 from the backend: %w", path, err)
		case !want && err == nil:
			return fmt.Errorf("GET %s: want 404 from the backend, got 200", path)
		case !want && (!errors.As(err, &answer) || answer.Status != http.StatusNotFound):
			return fmt.Errorf("GET %s: want 404 from the backend: %w", path, err)
		}
		return nil
	}
}

// backendGet decodes the one element of an admin API answer into out.
func backendGet(env *backendtest.Env, path string, out any) error {
	var envlp struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := env.AdminCall(http.MethodGet, path, nil, &envlp); err != nil {
		return err
	}
	if len(envlp.Data) != 1 {
		return fmt.Errorf("GET %s: want one element, got %d", path, len(envlp.Data))
	}
	return json.Unmarshal(envlp.Data[0], out)
}

// outOfBand changes the backend behind Terraform's back, as an admin
// clicking in Wrike would.
func outOfBand(t *testing.T, env *backendtest.Env, method, path string, body any) func() {
	return func() {
		if err := env.AdminCall(method, path, body, nil); err != nil {
			t.Fatalf("out-of-band: %v", err)
		}
	}
}

func TestAccProviderConfiguration(t *testing.T) {
	env := backendtest.Start(t)
	const domain = "resource \"wrike_approved_domain\" \"d\" {\n  domain = \"cfg.example.com\"\n}\n"
	t.Setenv("WRIKE_URL", "")
	t.Setenv("WRIKE_TOKEN", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      "provider \"wrike\" {}\n" + domain,
				ExpectError: regexp.MustCompile(`(?s)Missing Wrike URL.*WRIKE_URL`),
			},
			{
				Config:      fmt.Sprintf("provider \"wrike\" {\n  wrike_url = %q\n}\n", env.WrikeURL) + domain,
				ExpectError: regexp.MustCompile(`(?s)Missing Wrike admin token.*WRIKE_TOKEN`),
			},
			{
				Config:      "provider \"wrike\" {\n  wrike_url = \"wrike.example.com\"\n  wrike_token = \"x\"\n}\n" + domain,
				ExpectError: regexp.MustCompile(`(?s)Invalid Wrike URL.*https://`),
			},
			{
				Config:      fmt.Sprintf("provider \"wrike\" {\n  wrike_url = %q\n  wrike_token = \"x\"\n}\n", env.WrikeURL+"/api/v4/") + domain,
				ExpectError: regexp.MustCompile(`(?s)Invalid Wrike URL.*without /api/v4`),
			},
			{
				Config:      fmt.Sprintf("provider \"wrike\" {\n  wrike_url = %q\n  wrike_token = \"\"\n}\n", env.WrikeURL) + domain,
				ExpectError: regexp.MustCompile(`wrike_token`),
			},
			{
				Config: "resource \"terraform_data\" \"u\" {\n  input = \"x\"\n}\n" +
					"provider \"wrike\" {\n  wrike_url = terraform_data.u.output\n  wrike_token = \"x\"\n}\n" + domain,
				ExpectError: regexp.MustCompile(`(?s)Unknown Wrike URL.*WRIKE_URL`),
			},
			{
				// host:port without a scheme: told to add one.
				Config:      "provider \"wrike\" {\n  wrike_url = \"127.0.0.1:8480\"\n  wrike_token = \"x\"\n}\n" + domain,
				ExpectError: regexp.MustCompile(`(?s)Invalid Wrike URL.*"127.0.0.1:8480" has no scheme: write it as\s+https://127.0.0.1:8480`),
			},
			{
				// The Okta face's URL as wrike_url: the URL is named, not the token.
				Config: fmt.Sprintf("provider \"wrike\" {\n  wrike_url = %q\n  wrike_token = %q\n  okta_org_url = %q\n}\n",
					env.OktaURL, env.WrikeAdminToken, env.OktaURL) + domain,
				ExpectError: regexp.MustCompile(`(?s)wrike_url is not Wrike's API.*not\s+in\s+Wrike's\s+error\s+format.*the\s+Okta\s+org:\s+it\s+is\s+the\s+same\s+as\s+okta_org_url`),
			},
			{
				// A wrong token is one error from the provider, naming the
				// setting, with the API's own refusal; no resource is read.
				Config: fmt.Sprintf("provider \"wrike\" {\n  wrike_url = %q\n  wrike_token = \"wrka_wrong\"\n}\n", env.WrikeURL) + domain +
					"resource \"wrike_approved_domain\" \"e\" {\n  domain = \"cfg2.example.com\"\n}\n",
				ExpectError: regexp.MustCompile(`(?s)Wrike refused wrike_token.*with provider\["[^"]+/hashicorp/wrike"\].*HTTP 401\s+not_authorized`),
			},
			{
				// The environment supplies what the block leaves out; no Okta needed.
				PreConfig: func() {
					t.Setenv("WRIKE_URL", env.WrikeURL)
					t.Setenv("WRIKE_TOKEN", env.WrikeAdminToken)
				},
				Config: "provider \"wrike\" {}\n" + domain,
				Check:  backendHas(env, "/approved_domains/cfg.example.com", true),
			},
		},
	})
}
