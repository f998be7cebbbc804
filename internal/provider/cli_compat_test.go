package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Write-only attributes came with Terraform 1.11 (OpenTofu 1.11 too). Tests whose configurations
// use bearer_token_wo run from there on; under an older CLI the same tests with bearer_token,
// and the ones below, cover the provider.
var needsWriteOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// withoutWriteOnly runs a test only under a CLI older than 1.11, which has no write-only attributes.
type withoutWriteOnly struct{}

func (withoutWriteOnly) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if !req.TerraformVersion.Core().LessThan(tfversion.Version1_11_0) {
		resp.Skip = fmt.Sprintf("Terraform CLI %s has write-only attributes; this test is for an older one (make test-cli-matrix runs it under Terraform 1.5)", req.TerraformVersion)
	}
}

// writeOnlyUnsupported is what the provider says when a CLI without write-only attributes
// meets bearer_token_wo: the version it needs and the attribute to use instead.
var writeOnlyUnsupported = regexp.MustCompile(`(?s)bearer_token_wo needs Terraform 1\.11 or later.*use bearer_token instead`)

// Under Terraform 1.5 a configuration with bearer_token_wo fails at validation, before Okta
// (here a closed port) is called, saying which version it needs and to use bearer_token.
func TestAccOktaWrikeProvisioning_writeOnlyTokenNeedsTerraform1_11(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{withoutWriteOnly{}},
		Steps: []resource.TestStep{{
			Config: provisioningConfig("http://127.0.0.1:9", "00test-token", `
  app_id                  = "0oa1"
  scim_base_url           = "https://wrike.example/scim/okta/v2"
  bearer_token_wo         = "wrk4_b"
  bearer_token_wo_version = 1
`),
			PlanOnly:    true,
			ExpectError: writeOnlyUnsupported,
		}},
	})
}

// validateProvisioning sends okta_wrike_provisioning's ValidateResourceConfig with the given
// attributes (the rest null) the way a CLI does, with or without write-only support, and
// returns the error diagnostics as text.
func validateProvisioning(t *testing.T, writeOnly bool, attrs map[string]tftypes.Value) string {
	t.Helper()
	ctx := context.Background()
	server, err := testAccProviders["wrike"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	objType, ok := schemas.ResourceSchemas["okta_wrike_provisioning"].ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("okta_wrike_provisioning has no object schema")
	}
	vals := map[string]tftypes.Value{}
	for name, typ := range objType.AttributeTypes {
		vals[name] = tftypes.NewValue(typ, nil)
		if v, ok := attrs[name]; ok {
			vals[name] = v
		}
	}
	cfg, err := tfprotov6.NewDynamicValue(objType, tftypes.NewValue(objType, vals))
	if err != nil {
		t.Fatal(err)
	}
	req := &tfprotov6.ValidateResourceConfigRequest{TypeName: "okta_wrike_provisioning", Config: &cfg}
	if writeOnly {
		req.ClientCapabilities = &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true}
	}
	resp, err := server.ValidateResourceConfig(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d.Summary+": "+d.Detail)
		}
	}
	return strings.Join(errs, "\n")
}

// The same check without a CLI: a client that does not announce write-only support (as
// Terraform before 1.11 does not) gets the message for bearer_token_wo, one that does gets
// none, and bearer_token is accepted by both.
func TestOktaWrikeProvisioningWriteOnlyTokenByClientCapability(t *testing.T) {
	base := map[string]tftypes.Value{
		"app_id":        tftypes.NewValue(tftypes.String, "0oa1"),
		"scim_base_url": tftypes.NewValue(tftypes.String, "https://wrike.example/scim/okta/v2"),
	}
	with := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	wo := with(map[string]tftypes.Value{
		"bearer_token_wo":         tftypes.NewValue(tftypes.String, "wrk4_b"),
		"bearer_token_wo_version": tftypes.NewValue(tftypes.Number, 1),
	})
	unknownWO := with(map[string]tftypes.Value{
		"bearer_token_wo":         tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"bearer_token_wo_version": tftypes.NewValue(tftypes.Number, 1),
	})
	sensitive := with(map[string]tftypes.Value{"bearer_token": tftypes.NewValue(tftypes.String, "wrk4_a")})

	for _, attrs := range []map[string]tftypes.Value{wo, unknownWO} {
		if got := validateProvisioning(t, false, attrs); !writeOnlyUnsupported.MatchString(got) {
			t.Errorf("without write-only support: want the Terraform 1.11 / bearer_token message, got %q", got)
		}
		if got := validateProvisioning(t, true, attrs); got != "" {
			t.Errorf("with write-only support: want no error, got %q", got)
		}
	}
	for _, writeOnly := range []bool{false, true} {
		if got := validateProvisioning(t, writeOnly, sensitive); got != "" {
			t.Errorf("bearer_token (write-only support %v): want no error, got %q", writeOnly, got)
		}
	}
}
