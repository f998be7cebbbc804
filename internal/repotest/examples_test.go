package repotest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// providerSources are the addresses the examples' source "wrike-community/wrike" stands for,
// under Terraform and under OpenTofu; dev_overrides redirects both to the local build.
var providerSources = []string{"registry.terraform.io/wrike-community/wrike", "registry.opentofu.org/wrike-community/wrike"}

// requiredProviders is added to an example that does not declare the provider itself, as a
// reader pasting a resource example into a configuration of theirs would have it.
const requiredProviders = `terraform {
  required_providers {
    wrike = {
      source = "wrike-community/wrike"
    }
  }
}
`

// cli is the CLI the tests run: TF_ACC_TERRAFORM_PATH when set (make test-cli-matrix points it
// at OpenTofu), else terraform on PATH.
func cli(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("TF_ACC is set but the Terraform CLI is not on PATH")
	}
	return p
}

// terraformEnv builds the provider from this checkout and returns the environment that makes
// the CLI use it through dev_overrides, with a CLI configuration of its own in a temporary
// directory (the user's ~/.terraformrc is never read).
func terraformEnv(t *testing.T) []string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the Terraform CLI against the examples (make test does)")
	}
	cli(t)
	pluginDir := buildProvider(t)

	rc := filepath.Join(t.TempDir(), "terraform.rc")
	var overrides strings.Builder
	for _, source := range providerSources {
		fmt.Fprintf(&overrides, "    %q = %q\n", source, pluginDir)
	}
	config := "provider_installation {\n  dev_overrides {\n" + overrides.String() + "  }\n  direct {}\n}\n"
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") || strings.HasPrefix(kv, "TF_VAR_") ||
			strings.HasPrefix(kv, "TF_DATA_DIR=")
	})
	return append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

var (
	buildOnce   sync.Once
	buildDir    string
	buildOutput string
	buildErr    error
)

// buildProvider compiles what `make build` builds (the provider, the backend and the demo
// client) once per test binary into one folder; TestMain removes it. Under make test, which
// builds bin/ first, TEST_BIN_DIR names bin/ and its binaries are used as they are. The flags
// are make build's (no cgo, -trimpath), so every package compiled for bin/ is reused.
func buildProvider(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("TEST_BIN_DIR"); dir != "" {
		for _, name := range []string{"terraform-provider-wrike", "wrike-backend", "wrike-demo"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Fatalf("TEST_BIN_DIR=%s has no %s (make build writes it): %v", dir, name, err)
			}
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	buildOnce.Do(func() {
		// Shared by every test of the binary, so not t.TempDir; TestMain removes it.
		buildDir, buildErr = os.MkdirTemp("", "wrike-provider-") //nolint:usetesting
		if buildErr != nil {
			return
		}
		for name, pkg := range map[string]string{
			"terraform-provider-wrike": ".",
			"wrike-backend":            "./internal/cmd/wrike-backend",
			"wrike-demo":               "./internal/cmd/wrike-demo",
		} {
			cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(buildDir, name), pkg)
			cmd.Dir = repoRoot(t)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			out, err := cmd.CombinedOutput()
			if err != nil {
				buildOutput, buildErr = pkg+": "+string(out), err
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatalf("building: %v\n%s", buildErr, buildOutput)
	}
	return buildDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// exampleDirs lists every directory under examples/ that holds Terraform files.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	root := filepath.Join(repoRoot(t), "examples")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") && !slices.Contains(dirs, filepath.Dir(path)) {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatal("no examples found")
	}
	return dirs
}

func terraform(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(cli(t), args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// exampleWorkDir copies the .tf files of an example directory that keep
// accepts into a fresh folder, with the provider's required_providers
// block added when the example does not declare it (as a reader pasting it
// into a configuration of theirs would have it).
func exampleWorkDir(t *testing.T, dir string, keep func(name string) bool) string {
	t.Helper()
	work := t.TempDir()
	declares := false
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") || !keep(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		declares = declares || strings.Contains(string(b), "required_providers")
		if err := os.WriteFile(filepath.Join(work, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !declares {
		if err := os.WriteFile(filepath.Join(work, "zz_required_providers.tf"), []byte(requiredProviders), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return work
}

// Every example, the docs' and the demo's, is valid against the provider built from this tree.
// Nothing runs `terraform init`: dev_overrides serve the provider directly. An import example is
// validated with the resource it imports, the one by identity where the CLI has identities.
func TestExamplesValidateAgainstTheLocalBuild(t *testing.T) {
	env := terraformEnv(t)
	root := repoRoot(t)
	identities := cliHasIdentities(t)
	for _, dir := range exampleDirs(t) {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			work := exampleWorkDir(t, dir, func(name string) bool { return name != "import-by-identity-block.tf" })
			if out, err := terraform(t, work, env, "validate", "-no-color"); err != nil {
				t.Fatalf("terraform validate %s: %v\n%s", rel, err, out)
			}
		})
		if _, err := os.Stat(filepath.Join(dir, "import-by-identity-block.tf")); err != nil || !identities {
			continue
		}
		t.Run(rel+"/import-by-identity-block.tf", func(t *testing.T) {
			work := exampleWorkDir(t, dir, func(name string) bool { return !strings.HasPrefix(name, "import-by-string-id") })
			if out, err := terraform(t, work, env, "validate", "-no-color"); err != nil {
				t.Fatalf("terraform validate %s with import-by-identity-block.tf: %v\n%s", rel, err, out)
			}
		})
	}
}

// cliVersion is the version of the CLI the tests run, and whether it is OpenTofu.
func cliVersion(t *testing.T) (v [3]int, tofu bool) {
	t.Helper()
	out, err := exec.Command(cli(t), "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", cli(t), err)
	}
	var doc struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%s version -json: %v\n%s", cli(t), err, out)
	}
	core, _, _ := strings.Cut(doc.Version, "-")
	if _, err := fmt.Sscanf(core, "%d.%d.%d", &v[0], &v[1], &v[2]); err != nil {
		t.Fatalf("%s version -json: version %q: %v", cli(t), doc.Version, err)
	}
	return v, filepath.Base(cli(t)) == "tofu"
}

// cliAtLeast tells whether the CLI is Terraform major.minor or newer (OpenTofu is not tested
// with the features that need it).
func cliAtLeast(t *testing.T, major, minor int) bool {
	t.Helper()
	v, tofu := cliVersion(t)
	return !tofu && (v[0] > major || v[0] == major && v[1] >= minor)
}

// cliHasIdentities tells whether import blocks take an identity: Terraform 1.12 and later.
func cliHasIdentities(t *testing.T) bool { t.Helper(); return cliAtLeast(t, 1, 12) }

func TestExamplesAreFormatted(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("the Terraform CLI is not on PATH")
	}
	cmd := exec.Command("terraform", "fmt", "-check", "-recursive", "-list=true", "examples")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(t.TempDir(), "none.rc"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform fmt -check -recursive examples: %v; files to format (make fmt):\n%s", err, out)
	}
}

type schemaAttribute struct {
	Description string `json:"description"`
	NestedType  *struct {
		Attributes map[string]schemaAttribute `json:"attributes"`
	} `json:"nested_type"`
}

type schemaBlock struct {
	Block struct {
		Attributes map[string]schemaAttribute `json:"attributes"`
	} `json:"block"`
}

type wrikeSchema struct {
	ResourceSchemas   map[string]schemaBlock `json:"resource_schemas"`
	DataSourceSchemas map[string]schemaBlock `json:"data_source_schemas"`
}

// providerSchema is `terraform providers schema -json` of the local build.
func providerSchema(t *testing.T) wrikeSchema {
	t.Helper()
	env := terraformEnv(t)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(requiredProviders), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cli(t), "providers", "schema", "-json")
	cmd.Dir = work
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform providers schema: %v\n%s", err, out)
	}
	var schema struct {
		ProviderSchemas map[string]wrikeSchema `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &schema); err != nil {
		t.Fatalf("decoding the provider schema: %v\n%s", err, out)
	}
	for _, source := range providerSources {
		if p, ok := schema.ProviderSchemas[source]; ok {
			return p
		}
	}
	t.Fatalf("no schema for any of %v in %v", providerSources, schema.ProviderSchemas)
	return wrikeSchema{}
}

// Every resource and data source the provider serves has the example files its documentation
// page is built from; a resource also has both import forms.
func TestEveryResourceAndDataSourceHasExamples(t *testing.T) {
	p := providerSchema(t)
	examples := filepath.Join(repoRoot(t), "examples")
	exists := func(parts ...string) bool {
		_, err := os.Stat(filepath.Join(append([]string{examples}, parts...)...))
		return err == nil
	}
	for name := range p.ResourceSchemas {
		for _, f := range []string{"resource.tf", "import.sh", "import-by-string-id.tf"} {
			if !exists("resources", name, f) {
				t.Errorf("resource %s has no examples/resources/%s/%s", name, name, f)
			}
		}
	}
	for name := range p.DataSourceSchemas {
		if !exists("data-sources", name, "data-source.tf") {
			t.Errorf("data source %s has no examples/data-sources/%s/data-source.tf", name, name)
		}
	}
	if !exists("provider", "provider.tf") {
		t.Error("no examples/provider/provider.tf")
	}
}

// tfplugindocs cannot attach okta_wrike_provisioning's schema to its page (the type name lacks
// the wrike_ prefix), so the page's Schema section is written in its template: it must list
// every attribute with the description the provider gives it.
func TestOktaProvisioningPageCoversTheSchema(t *testing.T) {
	p := providerSchema(t)
	res, ok := p.ResourceSchemas["okta_wrike_provisioning"]
	if !ok {
		t.Fatal("the provider has no okta_wrike_provisioning resource")
	}
	page, err := os.ReadFile(filepath.Join(repoRoot(t), "templates", "resources", "okta_wrike_provisioning.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var check func(prefix string, attrs map[string]schemaAttribute)
	check = func(prefix string, attrs map[string]schemaAttribute) {
		for name, a := range attrs {
			line := fmt.Sprintf("- `%s` (", name)
			if !strings.Contains(string(page), line) {
				t.Errorf("the page does not document %s%s", prefix, name)
			} else if !strings.Contains(string(page), a.Description) {
				t.Errorf("the page's description of %s%s is not the provider's: %q", prefix, name, a.Description)
			}
			if a.NestedType != nil {
				check(prefix+name+".", a.NestedType.Attributes)
			}
		}
	}
	check("", res.Block.Attributes)
}

// The README's documentation list links every resource's and data source's page.
func TestReadmeNamesEveryResourceAndDataSource(t *testing.T) {
	p := providerSchema(t)
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	link := func(kind, name string) string {
		return fmt.Sprintf("[`%s`](docs/%s/%s.md)", name, kind, strings.TrimPrefix(name, "wrike_"))
	}
	for name := range p.ResourceSchemas {
		if !strings.Contains(string(readme), link("resources", name)) {
			t.Errorf("README.md does not link resource %s as %s", name, link("resources", name))
		}
	}
	for name := range p.DataSourceSchemas {
		if !strings.Contains(string(readme), link("data-sources", name)) {
			t.Errorf("README.md does not link data source %s as %s", name, link("data-sources", name))
		}
	}
}

// An import block whose id is read from a variable needs Terraform 1.6 (1.5.7 fails with
// "Variables may not be used here"): each resource page whose import-by-string-id.tf example
// reads a variable says so, and the others say 1.5.
func TestImportBlockPagesNameTheTerraformTheyNeed(t *testing.T) {
	root := repoRoot(t)
	examples, err := filepath.Glob(filepath.Join(root, "examples", "resources", "*", "import-by-string-id.tf"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no import-by-string-id.tf examples: %v", err)
	}
	for _, ex := range examples {
		name := filepath.Base(filepath.Dir(ex))
		b, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		page, err := os.ReadFile(filepath.Join(root, "docs", "resources", strings.TrimPrefix(name, "wrike_")+".md"))
		if err != nil {
			t.Fatal(err)
		}
		usesVar := regexp.MustCompile(`(?m)^\s*id\s*=\s*var\.`).Match(b)
		if usesVar && !strings.Contains(string(page), "needs Terraform 1.6 or newer") && !strings.Contains(string(page), "needs 1.6 or newer") {
			t.Errorf("%s: the import example reads a variable, and its page does not say that needs Terraform 1.6", name)
		}
		if !strings.Contains(string(page), "1.5") {
			t.Errorf("%s: the page does not say import blocks came with Terraform 1.5", name)
		}
	}
}
