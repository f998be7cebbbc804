package repotest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func runDemo(t *testing.T, bin, dir string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "demo.sh"))
	cmd.Dir = repoRoot(t)
	cmd.Env = append(slicesWithout(os.Environ(), "TF_CLI_CONFIG_FILE=", "TF_VAR_", "WRIKE_", "OKTA_"),
		"DEMO_BIN="+bin, "DEMO_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func slicesWithout(env []string, prefixes ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// backendLeft reports whether a wrike-backend from bin still runs.
func backendLeft(t *testing.T, bin string) bool {
	t.Helper()
	entries, _ := filepath.Glob("/proc/[0-9]*/exe")
	for _, e := range entries {
		exe, err := os.Readlink(e)
		if err == nil && strings.TrimSuffix(exe, " (deleted)") == filepath.Join(bin, "wrike-backend") {
			return true
		}
	}
	return false
}

// The demo does what the README says, twice in a row, and leaves no backend behind, under the
// CLI the tests run (make test-cli-matrix runs it under OpenTofu too).
func TestDemoEndToEnd(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the demo with the Terraform CLI (make test does)")
	}
	tf := cli(t)
	bin := buildProvider(t)
	dir := filepath.Join(t.TempDir(), "demo")
	addrs := []string{"DEMO_WRIKE_ADDR=" + freeAddr(t), "DEMO_OKTA_ADDR=" + freeAddr(t), "TERRAFORM=" + tf}

	for run := 1; run <= 2; run++ {
		out, err := runDemo(t, bin, dir, addrs...)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`Test API Credentials against http://127\.0\.0\.1:\d+/scim/okta/v2: SUCCESS`),
			regexp.MustCompile(`ann\.lee@acme\.example\.com +Ann Lee +Engineering Manager +Engineering +Acme Corp +\+1 555 0100 +Regular +yes +yes`),
			regexp.MustCompile(`grace\.kim@acme\.example\.com .* Collaborator +yes +yes`),
			regexp.MustCompile(`iris\.novak@acme\.example\.com .* External +yes +yes`),
			regexp.MustCompile(`pat\.quinn@partner\.example\.net\n +application\.provision\.user\.push: .*partner\.example\.net.*not an approved domain`),
			regexp.MustCompile(`sam\.reed@partner\.example\.net\n`),
			regexp.MustCompile(`billable seats: 10 \(active members 10, deactivated members 0\)`),
			regexp.MustCompile(`terraform output billable_seats: 10`),
			regexp.MustCompile(`deactivated ann\.lee@acme\.example\.com in Okta`),
			regexp.MustCompile(`ann\.lee@acme\.example\.com .* Regular +no +no`),
			regexp.MustCompile(`billable seats: 9 \(active members 9, deactivated members 1\)`),
			// Not from a terminal, the demo cannot keep the backend up: it prints no link that would die with it.
			regexp.MustCompile(`Consoles: no sign-in links, as the demo is not run from a terminal`),
			// The token's story: shown once, its first characters only, then in the state alone.
			regexp.MustCompile(`Wrike showed the v4 token of API app "Okta SCIM provisioning" once, in its answer to terraform apply: wrk4_[A-Za-z0-9_-]{5}… \(\d+ characters`),
			regexp.MustCompile(`the token lives only in Terraform's state`),
			// Each Okta term, explained on a line of its own.
			regexp.MustCompile(`provisioning queue idle: 0 pending, 2 failed tasks\n  \(a task is Okta's job of pushing one person's change to Wrike`),
			regexp.MustCompile(`\(application\.provision\.user\.push: Okta pushed a person to the app`),
			regexp.MustCompile(`\(the System Log is Okta's audit trail`),
			regexp.MustCompile(`\(Test API Credentials: before Okta saves a SCIM URL and token`),
		} {
			if !want.MatchString(out) {
				t.Errorf("run %d: output lacks %s\n%s", run, want, out)
			}
		}
		if regexp.MustCompile(`wrk4_[A-Za-z0-9_-]{6}`).MatchString(out) || strings.Contains(out, "/console/login/") {
			t.Errorf("run %d: more of the API token than its first characters, or a sign-in link, is shown:\n%s", run, out)
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("run %d: ANSI escape codes in output that is not a terminal:\n%q", run, out)
		}
		// Terraform's own output: the wait reports the refused users. The
		// warnings are wrapped (and boxed on a terminal); read them as one line.
		flat := strings.Join(strings.Fields(strings.ReplaceAll(out, "│", " ")), " ")
		for _, login := range []string{"pat.quinn", "sam.reed"} {
			warned := false
			for _, w := range strings.Split(flat, "Warning: ")[1:] {
				warned = warned || strings.HasPrefix(w, "Wrike refused "+login+"@partner.example.net ") &&
					strings.Contains(w, `Reason (System Log): userName "`+login+`@partner.example.net" is in domain "partner.example.net", which is not an approved domain`)
			}
			if !warned {
				t.Errorf("run %d: terraform apply did not warn about %s with its reason\n%s", run, login, out)
			}
		}
		if strings.Contains(out, "partner.example.net  ") {
			t.Errorf("run %d: a partner.example.net user is listed in Wrike:\n%s", run, out)
		}
		if backendLeft(t, bin) {
			t.Fatalf("run %d left its backend running", run)
		}
		checkBackendLog(t, dir)
		checkStateModes(t, dir)
	}
}

// checkStateModes: the Terraform state, which holds the live tokens, is
// readable by its owner only, in folders only its owner can enter.
func checkStateModes(t *testing.T, dir string) {
	t.Helper()
	tfDir := filepath.Join(dir, "terraform")
	states, _ := filepath.Glob(filepath.Join(tfDir, "terraform.tfstate*"))
	if len(states) == 0 {
		t.Fatalf("no terraform.tfstate in %s", tfDir)
	}
	for _, p := range states {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), info.Mode().Perm())
		}
	}
	for _, d := range []string{dir, tfDir} {
		info, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", d, info.Mode().Perm())
		}
	}
}

// checkBackendLog: the demo's backend log is readable by its owner only and
// holds neither token of dev.env.
func checkBackendLog(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, "backend.log")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("backend.log mode %v, want 0600", info.Mode().Perm())
	}
	log, _ := os.ReadFile(path)
	env, _ := os.ReadFile(filepath.Join(dir, "data", "dev.env"))
	tokens := regexp.MustCompile(`(?m)^export (?:WRIKE_TOKEN|OKTA_API_TOKEN)='([^']+)'$`).FindAllSubmatch(env, -1)
	if len(tokens) != 2 {
		t.Fatalf("dev.env: %d tokens found, want 2", len(tokens))
	}
	for _, m := range tokens {
		if bytes.Contains(log, m[1]) {
			t.Errorf("backend.log holds a token of dev.env")
		}
	}
}

// A busy port stops the demo before anything starts, with a message naming the address.
func TestDemoBusyPort(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run the demo with the Terraform CLI (make test does)")
	}
	bin := buildProvider(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	out, err := runDemo(t, bin, filepath.Join(t.TempDir(), "demo"),
		"DEMO_WRIKE_ADDR="+l.Addr().String(), "DEMO_OKTA_ADDR="+freeAddr(t))
	if err == nil {
		t.Fatalf("the demo ran with its port taken:\n%s", out)
	}
	if !strings.Contains(out, l.Addr().String()+" is already in use") {
		t.Errorf("the message does not name the busy address:\n%s", out)
	}
	if backendLeft(t, bin) {
		t.Error("a backend was left running")
	}
}

// Without the Terraform CLI the demo says what to install and starts nothing.
func TestDemoWithoutTerraform(t *testing.T) {
	bin := t.TempDir()
	for _, name := range []string{"terraform-provider-wrike", "wrike-backend", "wrike-demo"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\nexit 0\n"), 0o700); err != nil { //nolint:gosec // a stub executable
			t.Fatal(err)
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command(bash, filepath.Join(repoRoot(t), "scripts", "demo.sh"))
	cmd.Dir = repoRoot(t)
	// A PATH with the usual tools but no terraform.
	pathDir := t.TempDir()
	for _, tool := range []string{"dirname", "cat", "rm", "mkdir", "cp", "seq", "sleep", "readlink", "tail", "ps", "xargs", "basename"} {
		if p, err := exec.LookPath(tool); err == nil {
			_ = os.Symlink(p, filepath.Join(pathDir, tool))
		}
	}
	cmd.Env = []string{"PATH=" + pathDir, "HOME=" + t.TempDir(), "DEMO_BIN=" + bin, "DEMO_DIR=" + filepath.Join(t.TempDir(), "demo")}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the demo ran without terraform:\n%s", out)
	}
	if !strings.Contains(string(out), "the Terraform CLI is not on PATH") {
		t.Errorf("the message does not say Terraform is missing:\n%s", out)
	}
}
