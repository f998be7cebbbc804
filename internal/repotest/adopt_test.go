package repotest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/oktaapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/oktaclient"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeapi"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

// adoptGuide is the guide "Adopt a hand-made Wrike and Okta setup" as docs/ has it.
func adoptGuide(t *testing.T) string {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "guides", "adopt.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(page)
}

// guideFile is the code block the guide introduces with a line ending in "`name`:".
func guideFile(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile("(?s)`" + regexp.QuoteMeta(name) + "`:\n\n```(?:terraform|hcl)\n(.*?)```").FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the guide has no code block for %s", name)
	}
	return m[1]
}

var guideEdit = regexp.MustCompile("(?s)replace these lines:\n\n```terraform\n(.*?)```\n\nwith:\n\n```terraform\n(.*?)```")

// handMadeSetup does what Wrike's article has an admin do by hand, through the APIs of the
// backend env points at, the way the provider's example configuration would have it: approve
// acme.example.com, create the API app "Okta SCIM provisioning" and its token, enable the
// SCIM integration for Okta, then in Okta save the Wrike app's provisioning connection with
// that token, turn on the three To App toggles and assign both groups and one person.
func handMadeSetup(t *testing.T, env []string) {
	t.Helper()
	ctx := context.Background()
	wrike, err := wrikeclient.New(wrikeclient.Config{URL: envValue(env, "WRIKE_URL"), Token: envValue(env, "WRIKE_TOKEN"), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrike.CreateApprovedDomain(ctx, "acme.example.com"); err != nil {
		t.Fatal(err)
	}
	app, err := wrike.CreateAPIApp(ctx, wrikeapi.APIAppInput{Name: "Okta SCIM provisioning", Description: "Used by Okta to provision Wrike users"})
	if err != nil {
		t.Fatal(err)
	}
	on := true
	scim, err := wrike.UpdateSCIMIntegration(ctx, "okta", wrikeapi.SCIMIntegrationUpdate{Enabled: &on})
	if err != nil {
		t.Fatal(err)
	}

	okta, err := oktaclient.New(oktaclient.Config{OrgURL: envValue(env, "OKTA_ORG_URL"), APIToken: envValue(env, "OKTA_API_TOKEN")})
	if err != nil {
		t.Fatal(err)
	}
	appID := envValue(env, "TF_VAR_okta_app_id")
	var groups, users map[string]string
	if err := json.Unmarshal([]byte(envValue(env, "TF_VAR_okta_groups")), &groups); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(envValue(env, "TF_VAR_okta_users")), &users); err != nil {
		t.Fatal(err)
	}
	conn := oktaapi.ProvisioningConnectionRequest{BaseURL: scim.SCIMURL,
		Profile: oktaapi.ProvisioningConnectionProfile{AuthScheme: oktaapi.AuthSchemeToken, Token: app.Token}}
	if _, err := okta.SetDefaultConnection(ctx, appID, conn, true); err != nil {
		t.Fatal(err)
	}
	toggles := oktaapi.ProvisioningToggles{CreateUsers: true, UpdateUserAttributes: true, DeactivateUsers: true}
	if _, err := okta.UpdateFeature(ctx, appID, oktaapi.FeatureUserProvisioning, toggles.Capabilities()); err != nil {
		t.Fatal(err)
	}
	for name, userType := range map[string]string{"Engineering": "Regular", "Sales": "Collaborator"} {
		a := oktaapi.ApplicationGroupAssignment{Profile: oktaapi.AssignmentProfile{UserType: userType}}
		if _, err := okta.AssignGroup(ctx, appID, groups[name], a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := okta.AssignUser(ctx, appID, users["iris.novak@acme.example.com"], oktaapi.AssignmentProfile{UserType: "External"}); err != nil {
		t.Fatal(err)
	}
}

// The guide "Adopt a hand-made Wrike and Okta setup" (docs/guides/adopt.md) runs as written
// against wrike-backend --dev where the whole setup was made by hand through the APIs, with
// only dev.env in the environment: its configuration and query file, terraform query listing
// each object (and warning that adopting the API app regenerates its token), the configuration
// -generate-config-out writes, holding the lines the guide says to replace, then one apply
// that imports everything and gives Okta the regenerated token, and an empty plan. It needs
// Terraform 1.14 (terraform query); scripts/cli-matrix.sh runs it under that build.
func TestGuideAdoptHandMadeSetup(t *testing.T) {
	if os.Getenv("TF_ACC") != "" && !cliAtLeast(t, 1, 14) {
		v, _ := cliVersion(t)
		t.Skipf("the guide needs Terraform 1.14 or later (terraform query); this CLI is %d.%d.%d. "+
			"scripts/cli-matrix.sh test terraform-1.14 runs it", v[0], v[1], v[2])
	}
	env := terraformEnv(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...)
	handMadeSetup(t, env)

	page := adoptGuide(t)
	var commands []string
	for _, m := range regexp.MustCompile("(?s)```shell\n(.*?)```").FindAllStringSubmatch(page, -1) {
		commands = append(commands, strings.Split(strings.TrimSpace(m[1]), "\n")...)
	}
	inGuide := func(command string) {
		t.Helper()
		for _, c := range commands {
			if c == command {
				return
			}
		}
		t.Fatalf("the guide does not say to run %q; its commands: %q", command, commands)
	}
	// run runs one of the guide's commands, as the guide spells it, with what a test must add.
	work := t.TempDir()
	run := func(command string, extra ...string) string {
		t.Helper()
		inGuide(command)
		return mustTerraform(t, work, env, append(strings.Fields(command)[1:], extra...)...)
	}
	for _, name := range []string{"main.tf", "adopt.tfquery.hcl"} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(guideFile(t, page, name)), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The provider comes from dev_overrides here, which make terraform init unnecessary (and,
	// without the registry, fail): the only command of the guide not run.
	inGuide("terraform init")
	listed := run("terraform query")
	for _, want := range []string{"acme.example.com", "Okta SCIM provisioning", "okta", envValue(env, "TF_VAR_okta_app_id"),
		"Warning: Adopting an API app regenerates its token"} {
		if !strings.Contains(listed, want) {
			t.Errorf("terraform query does not show %q:\n%s", want, listed)
		}
	}

	run("terraform query -generate-config-out=adopted.tf")
	generated, err := os.ReadFile(filepath.Join(work, "adopted.tf"))
	if err != nil {
		t.Fatal(err)
	}
	edits := guideEdit.FindAllStringSubmatch(page, -1)
	if edits == nil {
		t.Fatal(`the guide has no "replace these lines" / "with" pair of blocks`)
	}
	edited := string(generated)
	for _, edit := range edits {
		// Terraform aligns the = of neighbouring attributes, so the spaces before one
		// depend on the block; everything else is matched as the guide writes it.
		lines := regexp.MustCompile(`(?m)^(\s*\S+) +=`).ReplaceAllString(regexp.QuoteMeta(edit[1]), "$1 +=")
		re := regexp.MustCompile(lines)
		if n := len(re.FindAllStringIndex(edited, -1)); n != 1 {
			t.Fatalf("adopted.tf holds the lines the guide says to replace %d times, want once:\n%s\nadopted.tf:\n%s", n, edit[1], edited)
		}
		edited = re.ReplaceAllLiteralString(edited, edit[2])
	}
	if err := os.WriteFile(filepath.Join(work, "adopted.tf"), []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}

	plan := run("terraform plan", "-input=false")
	for _, want := range []string{"Plan: 4 to import, 0 to add, 2 to change, 0 to destroy.", "Warning: The API token is regenerated"} {
		if strings.Count(plan, want) != 1 {
			t.Errorf("the plan does not show %q once:\n%s", want, plan)
		}
	}
	run("terraform apply", "-auto-approve", "-input=false")
	if out, err := terraform(t, work, env, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Fatalf("the plan after adopting is not empty: %v\n%s", err, out)
	}
}

// Every list resource's example (examples/list-resources) runs with terraform query against
// wrike-backend --dev set up by hand, and finds what the setup made. Terraform 1.14 or later.
func TestListResourceExamplesQuery(t *testing.T) {
	if os.Getenv("TF_ACC") != "" && !cliAtLeast(t, 1, 14) {
		t.Skip("terraform query needs Terraform 1.14 or later; scripts/cli-matrix.sh test terraform-1.14 runs this")
	}
	env := terraformEnv(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...)
	handMadeSetup(t, env)
	examples, _ := filepath.Glob(filepath.Join(repoRoot(t), "examples", "list-resources", "*", "list-resource.tfquery.hcl"))
	if len(examples) != 4 {
		t.Fatalf("%d list resource examples, want one for each of the four resources", len(examples))
	}
	want := map[string]string{
		"wrike_approved_domain":   "acme.example.com",
		"wrike_api_token":         "Okta SCIM provisioning",
		"wrike_scim_integration":  "/scim/okta/v2",
		"okta_wrike_provisioning": envValue(env, "TF_VAR_okta_app_id"),
	}
	for _, example := range examples {
		name := filepath.Base(filepath.Dir(example))
		t.Run(name, func(t *testing.T) {
			query, err := os.ReadFile(example)
			if err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			for file, content := range map[string]string{"main.tf": requiredProviders + "\nprovider \"wrike\" {}\n", "list.tfquery.hcl": string(query)} {
				if err := os.WriteFile(filepath.Join(work, file), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out := mustTerraform(t, work, env, "query")
			if !strings.Contains(out, want[name]) {
				t.Errorf("terraform query of %s does not show %q:\n%s", name, want[name], out)
			}
		})
	}
}
