package repotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ciTestingWorkDir copies examples/ci-testing (its configuration, org.json and tests/) into a
// fresh folder, as a team's repository would hold them.
func ciTestingWorkDir(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", "ci-testing")
	work := t.TempDir()
	for _, name := range []string{"main.tf", "org.json", filepath.Join("tests", "provisioning.tftest.hcl")} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return work
}

// checkCITestingOutput fails unless terraform test passed its one run and showed Wrike's
// refusal of the contractor as a warning with Okta's reason.
func checkCITestingOutput(t *testing.T, out string, err error) {
	t.Helper()
	if err != nil || !strings.Contains(out, "1 passed, 0 failed") {
		t.Fatalf("terraform test: %v\n%s", err, out)
	}
	for _, want := range []string{"Wrike refused tess.vo@contractor.example.org", `"contractor.example.org", which is not an approved domain`} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform test does not report the refused person (%q):\n%s", want, out)
		}
	}
}

// examples/ci-testing runs unchanged, with the Okta ids of its own org, against
// wrike-backend --dev --okta-seed org.json: terraform test applies it, its assertions on the
// user types, the refused contractor and the seats pass, and the refusal is reported.
func TestCITestingExample(t *testing.T) {
	env := terraformEnv(t)
	work := ciTestingWorkDir(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t), "--okta-seed", filepath.Join(work, "org.json"))...)
	out, err := terraform(t, work, env, "test", "-no-color")
	checkCITestingOutput(t, out, err)

	// The assertions can fail: against the demo org, whose ids are other, the run fails.
	demo := append(withoutProviderEnv(terraformEnv(t)), startDevBackend(t, buildProvider(t))...)
	if out, err := terraform(t, work, demo, "test", "-no-color"); err == nil {
		t.Fatalf("terraform test passed against an org without the example's ids:\n%s", out)
	}
}

var ciGuideRecipe = regexp.MustCompile("(?s)## The recipe\n.*?```sh\n(.*?)```")

// The CI guide (docs/guides/ci-testing.md) works as written: its recipe, run by bash in a folder
// holding the example's files (the guide shows them from examples/ci-testing), starts the
// backend seeded from org.json, points Terraform at the provider and passes terraform test.
// Only the ports change, through the backend's environment fallbacks.
func TestCITestingGuideAsWritten(t *testing.T) {
	env := terraformEnv(t)
	bin := buildProvider(t)
	page, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "guides", "ci-testing.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := ciGuideRecipe.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatal("docs/guides/ci-testing.md has no shell block under \"## The recipe\"")
	}
	for _, name := range []string{"main.tf", "org.json", "provisioning.tftest.hcl"} {
		if !strings.Contains(string(page), name) {
			t.Errorf("the guide does not show %s", name)
		}
	}
	work := ciTestingWorkDir(t)
	cmd := exec.Command("bash", "-e", "-c", m[1])
	cmd.Dir = work
	cmd.Env = append(slicesWithout(withoutProviderEnv(env), "TF_CLI_CONFIG_FILE="),
		"WRIKE_BIN="+bin, "WRIKE_BACKEND_WRIKE_ADDR="+freeAddr(t), "WRIKE_BACKEND_OKTA_ADDR="+freeAddr(t))
	out, err := cmd.CombinedOutput()
	checkCITestingOutput(t, string(out), err)
	if backendLeft(t, bin) {
		t.Error("the recipe left wrike-backend running")
	}
}
