package repotest

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDevBackend runs the built wrike-backend --dev on free loopback ports
// with a data folder of its own, waits for it to write dev.env, and returns
// the variables dev.env exports: what a reader gets by sourcing it.
func startDevBackend(t *testing.T, bin string, extra ...string) []string {
	t.Helper()
	dataDir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(filepath.Join(bin, "wrike-backend"), append([]string{"--dev", "--data-dir", dataDir,
		"--wrike-addr", "127.0.0.1:0", "--okta-addr", "127.0.0.1:0"}, extra...)...)
	log := filepath.Join(t.TempDir(), "backend.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		var err error
		select {
		case err = <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			err = <-exited
		}
		t.Logf("wrike-backend --dev stopped: %v", err)
		_ = f.Close()
	})
	path := filepath.Join(dataDir, "dev.env")
	deadline := time.Now().Add(60 * time.Second)
	for {
		vars, err := readDevEnv(path)
		if err == nil {
			return vars
		}
		select {
		case err := <-exited:
			out, _ := os.ReadFile(log)
			t.Fatalf("wrike-backend --dev exited: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(log)
			t.Fatalf("wrike-backend --dev wrote no %s within 60 s: %v\n%s", path, err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var exportLine = regexp.MustCompile(`^export ([A-Za-z_][A-Za-z0-9_]*)='(.*)'$`)

// readDevEnv reads the export lines of dev.env: values in single quotes,
// a quote inside one written as quote, backslash, quote, quote.
func readDevEnv(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var vars []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := exportLine.FindStringSubmatch(sc.Text())
		if m == nil {
			return nil, errors.New("unexpected line in dev.env: " + sc.Text())
		}
		vars = append(vars, m[1]+"="+strings.ReplaceAll(m[2], `'\''`, `'`))
	}
	if len(vars) == 0 {
		return nil, errors.New("dev.env is empty")
	}
	return vars, sc.Err()
}

// mustTerraform runs terraform in dir without colours and fails the test
// on an error.
func mustTerraform(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	out, err := terraform(t, dir, env, append(args, "-no-color")...)
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// destroyAtEnd destroys what the configuration in dir holds when the test
// ends, also after a failure, so the next test starts from a clean
// backend; *env is read then.
func destroyAtEnd(t *testing.T, dir string, env *[]string) {
	t.Cleanup(func() {
		if out, err := terraform(t, dir, *env, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
}

// applyConverges applies the configuration in dir, waits for Okta to push
// what the apply assigned and refreshes the data sources that read the
// result, checks the next plan is empty, then destroys it (also when a
// check failed, so the next example starts from a clean backend).
func applyConverges(t *testing.T, dir string, env []string) {
	t.Helper()
	destroyAtEnd(t, dir, &env)
	mustTerraform(t, dir, env, "apply", "-auto-approve", "-input=false")
	wait := exec.Command(filepath.Join(buildProvider(t), "wrike-demo"), "wait-provisioning")
	wait.Env = env
	if out, err := wait.CombinedOutput(); err != nil {
		t.Fatalf("wrike-demo wait-provisioning: %v\n%s", err, out)
	}
	if out, err := terraform(t, dir, env, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform apply -refresh-only: %v\n%s", err, out)
	}
	if out, err := terraform(t, dir, env, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Fatalf("the plan after apply is not empty (or failed): %v\n%s", err, out)
	}
}

var hclBlock = regexp.MustCompile("(?s)```(?:terraform|hcl)\n(.*?)```")

// guideConfig is the provider guide's (docs/index.md) HCL blocks as one
// configuration.
func guideConfig(t *testing.T) string {
	t.Helper()
	page, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "index.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := hclBlock.FindAllStringSubmatch(string(page), -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/index.md has %d HCL blocks, want the provider block and the guide's configuration", len(blocks))
	}
	var config strings.Builder
	for _, b := range blocks {
		config.WriteString(b[1] + "\n")
	}
	return config.String()
}

// The provider guide (docs/index.md) runs as written: its HCL blocks, put
// into one configuration, apply against wrike-backend --dev with only its
// dev.env in the environment, the next plan is empty, and destroy works.
func TestGuideAppliesAgainstDevBackend(t *testing.T) {
	env := terraformEnv(t)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(guideConfig(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	applyConverges(t, work, append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...))
}

// Every example (each resource's and data source's, the provider's and the
// demo) applies against wrike-backend --dev with only its dev.env in the
// environment, converges, and is destroyed. The import examples need
// existing objects: TestImportExamplesApplyAgainstDevBackend runs them;
// examples/ci-testing names the ids of its own org, and
// TestCITestingExample runs it against that org.
func TestExamplesApplyAgainstDevBackend(t *testing.T) {
	env := terraformEnv(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...)
	root := repoRoot(t)
	for _, dir := range exampleDirs(t) {
		rel, _ := filepath.Rel(root, dir)
		if rel == filepath.Join("examples", "ci-testing") {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			work := exampleWorkDir(t, dir, func(name string) bool { return !strings.HasPrefix(name, "import") })
			applyConverges(t, work, env)
		})
	}
}

// withoutProviderEnv drops the provider's own variables from env, so only
// dev.env can set them.
func withoutProviderEnv(env []string) []string {
	return slicesWithout(env, "WRIKE_", "OKTA_")
}

var driveItYourself = regexp.MustCompile("(?s)To drive it yourself:\n\n```sh\n(.*?)```")

// The README's "drive it yourself" block works pasted whole: run by bash
// as it is, in a folder laid out like the repository after make build, it
// starts the backend, sources dev.env and applies the demo. Only what a
// test must change is changed: make is a no-op (bin/ is built already),
// the backend's ports come from its environment fallbacks, and apply does
// not wait for a "yes".
func TestReadmeDriveItYourself(t *testing.T) {
	env := terraformEnv(t)
	bin := buildProvider(t)
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := driveItYourself.FindStringSubmatch(string(readme))
	if m == nil {
		t.Fatal(`README.md has no "To drive it yourself:" shell block`)
	}
	work := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(work, "bin")); err != nil {
		t.Fatal(err)
	}
	demo := filepath.Join(work, "examples", "demo")
	if err := os.MkdirAll(demo, 0o700); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(repoRoot(t), "examples", "demo", "*.tf"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(demo, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stubs := t.TempDir()
	if err := os.WriteFile(filepath.Join(stubs, "make"), []byte("#!/bin/sh\nexit 0\n"), 0o700); err != nil { //nolint:gosec // a stub executable
		t.Fatal(err)
	}
	script := "set -e\ntrap 'kill %1 2>/dev/null || true; wait' EXIT\n" + m[1]
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = work
	cmd.Env = append(withoutProviderEnv(env),
		"PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
		"WRIKE_BACKEND_WRIKE_ADDR="+freeAddr(t), "WRIKE_BACKEND_OKTA_ADDR="+freeAddr(t),
		"TF_CLI_ARGS_apply=-auto-approve", "TF_INPUT=0")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Apply complete!") {
		t.Fatalf("the README block failed: %v\n%s", err, out)
	}
}

// The guide's configuration imported whole, as someone who set it up by
// hand would: the plan explains in one warning that the API token is
// regenerated (Terraform cannot know it), one apply converges, and the next
// plan is empty.
func TestGuideImportConverges(t *testing.T) {
	env := terraformEnv(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(guideConfig(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	// The API app's id, to import it by; the guide itself has no such output.
	if err := os.WriteFile(filepath.Join(work, "zz_test_output.tf"), []byte("output \"api_app_id_for_test\" {\n  value = wrike_api_token.okta.id\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string { t.Helper(); return mustTerraform(t, work, env, args...) }
	destroyAtEnd(t, work, &env)
	run("apply", "-auto-approve", "-input=false")
	tokenID := strings.TrimSpace(run("output", "-raw", "api_app_id_for_test"))
	addrs := []string{"wrike_approved_domain.acme", "wrike_api_token.okta", "wrike_scim_integration.okta", "okta_wrike_provisioning.wrike"}
	run(append([]string{"state", "rm"}, addrs...)...)

	imports := `
import {
  to = wrike_approved_domain.acme
  id = "acme.example.com"
}

import {
  to = wrike_api_token.okta
  id = "` + tokenID + `"
}

import {
  to = wrike_scim_integration.okta
  id = "okta"
}

import {
  provider = wrike
  to       = okta_wrike_provisioning.wrike
  id       = var.okta_app_id
}
`
	if err := os.WriteFile(filepath.Join(work, "imports.tf"), []byte(imports), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := run("plan", "-input=false")
	if n := strings.Count(plan, "Warning: The API token is regenerated"); n != 1 {
		t.Errorf("the plan after the import shows %d warnings about the token, want 1:\n%s", n, plan)
	}
	if strings.Contains(plan, "Error:") {
		t.Errorf("the plan after the import has errors:\n%s", plan)
	}
	run("apply", "-auto-approve", "-input=false")
	if out, err := terraform(t, work, env, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Fatalf("the plan after the apply is not empty: %v\n%s", err, out)
	}
}

// envValue is the value of name in env.
func envValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// call sends an API request to the dev backend and fails the test unless
// it is answered 2xx.
func call(t *testing.T, method, url, auth string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, body)
	}
}

// Deletions outside Terraform of the guide's configuration, as the CLI
// shows them: the Wrike API app deleted, the plan says so once and plans a
// new token that reaches Okta, one apply converges; the Okta app deleted,
// the plan notes it and fails naming the missing app, and without the
// resource in the configuration destroy removes the rest.
func TestGuideOutOfBandDeletions(t *testing.T) {
	env := terraformEnv(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...)
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(guideConfig(t)+
		"output \"api_app_id_for_test\" {\n  value = wrike_api_token.okta.id\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		t.Helper()
		return terraform(t, work, env, append(args, "-no-color", "-input=false")...)
	}
	destroyAtEnd(t, work, &env)
	mustTerraform(t, work, env, "apply", "-auto-approve", "-input=false")
	appID, _ := terraform(t, work, env, "output", "-raw", "api_app_id_for_test")
	call(t, http.MethodDelete, envValue(env, "WRIKE_URL")+"/api/v4/api_apps/"+strings.TrimSpace(appID), "Bearer "+envValue(env, "WRIKE_TOKEN"))
	out, err := run("apply", "-auto-approve")
	if err != nil {
		t.Fatalf("apply after the API app was deleted: %v\n%s", err, out)
	}
	for _, want := range []string{"Warning: Wrike API app deleted outside Terraform", "wrike_api_token.okta will be created", "okta_wrike_provisioning.wrike will be updated in-place"} {
		if strings.Count(out, want) != 1 {
			t.Errorf("the apply after the API app was deleted should show %q once:\n%s", want, out)
		}
	}
	if out, err := run("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after that apply is not empty: %v\n%s", err, out)
	}

	okta, oktaAuth := envValue(env, "OKTA_ORG_URL")+"/api/v1/apps/"+envValue(env, "TF_VAR_okta_app_id"), "SSWS "+envValue(env, "OKTA_API_TOKEN")
	call(t, http.MethodPost, okta+"/lifecycle/deactivate", oktaAuth)
	call(t, http.MethodDelete, okta, oktaAuth)
	out, err = run("plan")
	if err == nil || strings.Count(out, "Warning: Okta app deleted outside Terraform") != 1 || !strings.Contains(out, "Error: No such Okta app") {
		t.Errorf("the plan after the Okta app was deleted should note it once and fail naming the missing app: %v\n%s", err, out)
	}
	// As the note says: without the resource in the configuration, the
	// deferred destroy removes the rest.
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(withoutResource(guideConfig(t), "okta_wrike_provisioning")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// withoutResource drops the resource blocks of the given type from config
// (blocks closed by a "}" at the start of a line, as terraform fmt writes
// them).
func withoutResource(config, typ string) string {
	var out []string
	skip := false
	for _, line := range strings.Split(config, "\n") {
		if strings.HasPrefix(line, `resource "`+typ+`"`) {
			skip = true
		}
		if !skip {
			out = append(out, line)
		}
		if skip && line == "}" {
			skip = false
		}
	}
	return strings.Join(out, "\n")
}

var importTarget = regexp.MustCompile(`(?m)^\s*to\s*=\s*(\S+)\s*$`)

// Every resource's import examples work, by string id and (where the CLI has identities) by
// identity: its resource.tf applied, the imported resources dropped from the state (as if
// created by hand), then resource.tf with the import example applies, converges and is
// destroyed. The API app's id comes in as the example's variable.
func TestImportExamplesApplyAgainstDevBackend(t *testing.T) {
	env := terraformEnv(t)
	env = append(withoutProviderEnv(env), startDevBackend(t, buildProvider(t))...)
	kinds := []string{"import-by-string-id.tf"}
	if cliHasIdentities(t) {
		kinds = append(kinds, "import-by-identity-block.tf")
	}
	dirs, _ := filepath.Glob(filepath.Join(repoRoot(t), "examples", "resources", "*"))
	for _, dir := range dirs {
		for _, kind := range kinds {
			importFile := filepath.Join(dir, kind)
			imports, err := os.ReadFile(importFile)
			if err != nil {
				continue
			}
			t.Run(filepath.Base(dir)+"/"+kind, func(t *testing.T) {
				work := exampleWorkDir(t, dir, func(name string) bool { return !strings.HasPrefix(name, "import") })
				env := env
				run := func(args ...string) string { t.Helper(); return mustTerraform(t, work, env, args...) }
				destroyAtEnd(t, work, &env)
				run("apply", "-auto-approve", "-input=false")
				for _, m := range importTarget.FindAllStringSubmatch(string(imports), -1) {
					if strings.HasPrefix(m[1], "wrike_api_token.") {
						id := run("state", "show", m[1])
						idm := regexp.MustCompile(`(?m)^\s*id\s*=\s*"([^"]+)"`).FindStringSubmatch(id)
						if idm == nil {
							t.Fatalf("no id in the state of %s:\n%s", m[1], id)
						}
						env = append(env, "TF_VAR_api_app_id="+idm[1])
					}
					run("state", "rm", m[1])
				}
				if err := os.WriteFile(filepath.Join(work, kind), imports, 0o600); err != nil {
					t.Fatal(err)
				}
				run("apply", "-auto-approve", "-input=false")
				if out, err := terraform(t, work, env, "plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
					t.Fatalf("the plan after the import is not empty: %v\n%s", err, out)
				}
			})
		}
	}
}
