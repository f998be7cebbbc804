package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// make build says what a first build does, once: with bin/ empty it
// announces the long first compile, with bin/ built it does not. A stub go
// on PATH stands in for the compiler, so nothing is built.
func TestMakeBuildAnnouncesTheFirstBuild(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	stubs := t.TempDir()
	// The stub writes an executable at the path after -o, as go build would.
	goStub := "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = -o ]; then printf '#!/bin/sh\\n' > \"$2\"; chmod +x \"$2\"; fi; shift; done\n"
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
	if out := build(); !strings.Contains(out, "First build") {
		t.Errorf("the first make build does not say what it does:\n%s", out)
	}
	if out := build(); strings.Contains(out, "First build") {
		t.Errorf("a later make build announces a first build:\n%s", out)
	}
}

// make unit runs the tests without Terraform and without fuzzing.
func TestMakeUnitIsFast(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	cmd := exec.Command("make", "--no-print-directory", "-n", "unit")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n unit: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "go test") || !strings.Contains(s, "-short") || strings.Contains(s, "TF_ACC=1") || strings.Contains(s, "fuzz") {
		t.Errorf("make unit should run go test -short without TF_ACC and without fuzzing; it runs:\n%s", s)
	}
}
