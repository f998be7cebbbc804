package repotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// make build says what a first build does, once: with bin/ empty it
// announces the long first compile and names a package every 25 it
// compiles, with bin/ built it does neither. A stub go on PATH stands in
// for the compiler, so nothing is built.
func TestMakeBuildAnnouncesTheFirstBuild(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	stubs := t.TempDir()
	// The stub writes the three binaries into the folder after -o, as go build would, and with
	// -v names 60 packages on stderr.
	goStub := `#!/bin/sh
verbose=
while [ $# -gt 0 ]; do
	case "$1" in
	-v) verbose=1 ;;
	-o) for b in terraform-provider-wrike wrike-backend wrike-demo; do printf '#!/bin/sh\n' > "$2/$b"; chmod +x "$2/$b"; done ;;
	esac
	shift
done
if [ -n "$verbose" ]; then i=0; while [ $i -lt 60 ]; do echo "example.com/pkg$i" >&2; i=$((i+1)); done; fi
`
	if err := os.WriteFile(filepath.Join(stubs, "go"), []byte(goStub), 0o700); err != nil { //nolint:gosec // a stub executable
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bin")
	build := func() string {
		cmd := exec.Command("make", "--no-print-directory", "build", "BIN="+bin)
		cmd.Dir = repoRoot(t)
		cmd.Env = append(slicesWithout(os.Environ(), "PATH="), "PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make build: %v\n%s", err, out)
		}
		return string(out)
	}
	out := build()
	for _, want := range []string{"First build", "bin/wrike-demo", "25 packages compiled, now example.com/pkg24", "50 packages compiled, now example.com/pkg49", "==> Built"} {
		if !strings.Contains(out, want) {
			t.Errorf("the first make build does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "pkg23") {
		t.Errorf("the first make build names every package instead of one in 25:\n%s", out)
	}
	for _, name := range []string{"terraform-provider-wrike", "wrike-backend", "wrike-demo"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			t.Errorf("make build did not build %s: %v", name, err)
		}
	}
	if out := build(); strings.Contains(out, "First build") || strings.Contains(out, "packages compiled") {
		t.Errorf("a later make build announces a first build:\n%s", out)
	}
}

// make unit runs the tests without Terraform and without fuzzing, through gotestsum.
func TestMakeUnitIsFast(t *testing.T) {
	s := makeDryRun(t, "unit")
	if !strings.Contains(s, "gotestsum") || !strings.Contains(s, "-short") || strings.Contains(s, "TF_ACC=1") || strings.Contains(s, "fuzz") {
		t.Errorf("make unit should run go test -short through gotestsum without TF_ACC and without fuzzing; it runs:\n%s", s)
	}
}

// makeDryRun is what make -n TARGET would run.
func makeDryRun(t *testing.T, target string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "--no-print-directory", "-n", target)
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n %s: %v\n%s", target, err, out)
	}
	return string(out)
}

// make test compiles every package once: the build of bin/ and the tests share CGO_ENABLED=0 and
// -trimpath (a difference in either compiles the whole dependency tree again), the tests run the
// binaries make build wrote, and every package is reported as it finishes (gotestsum), after
// the bounded fuzz run, so the output ends with the tests' summary line.
func TestMakeTestCompilesOnce(t *testing.T) {
	s := makeDryRun(t, "test")
	lines := strings.Split(strings.TrimSpace(s), "\n")
	build := strings.Index(s, "scripts/build.sh")
	fuzz := strings.Index(s, "scripts/fuzz.sh")
	tests := strings.Index(s, "gotestsum")
	if build < 0 || fuzz < 0 || tests < 0 || build >= fuzz || fuzz >= tests {
		t.Fatalf("make test should build bin/, fuzz, then run the tests through gotestsum; it runs:\n%s", s)
	}
	last := lines[len(lines)-1]
	if !strings.Contains(last, "gotestsum") || !strings.Contains(last, "TF_ACC=1") || !strings.Contains(last, "TEST_BIN_DIR=") {
		t.Errorf("make test's last command should be the tests through gotestsum with TF_ACC=1 and TEST_BIN_DIR: %s", last)
	}
	for _, l := range lines {
		if strings.Contains(l, "fuzz.sh") || strings.Contains(l, "gotestsum") {
			if !strings.Contains(l, "CGO_ENABLED=0") || !strings.Contains(l, "-trimpath") {
				t.Errorf("this step compiles differently from make build (CGO_ENABLED=0, -trimpath): %s", l)
			}
		}
	}
	script, err := os.ReadFile(filepath.Join(repoRoot(t), "scripts", "build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(script), "\n") {
		if strings.Contains(l, "go build") && !strings.HasPrefix(strings.TrimSpace(l), "#") && (!strings.Contains(l, "CGO_ENABLED=0") || !strings.Contains(l, "-trimpath")) {
			t.Errorf("scripts/build.sh builds differently from the tests: %s", l)
		}
	}
}

// The README runs only binaries make build builds: every ./bin/NAME it mentions is one of the
// packages scripts/build.sh compiles into bin/.
func TestReadmeRunsOnlyWhatMakeBuildBuilds(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(repoRoot(t), "scripts", "build.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^pkgs=\((.*)\)$`).FindStringSubmatch(string(script))
	if m == nil {
		t.Fatal("scripts/build.sh has no pkgs=(...) line")
	}
	built := map[string]bool{}
	for _, pkg := range strings.Fields(m[1]) {
		if pkg == "." {
			built["terraform-provider-wrike"] = true
		} else {
			built[filepath.Base(pkg)] = true
		}
	}
	for _, doc := range []string{"README.md", "examples/demo/README.md"} {
		b, err := os.ReadFile(filepath.Join(repoRoot(t), doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, use := range regexp.MustCompile(`\bbin/([A-Za-z0-9_-]+)`).FindAllStringSubmatch(string(b), -1) {
			if !built[use[1]] {
				t.Errorf("%s runs bin/%s, which make build does not build (it builds %v)", doc, use[1], built)
			}
		}
	}
}
