package repotest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var errorLine = regexp.MustCompile(`(?m)^Error: `)

// With Wrike unreachable, plan and destroy of many resources stop with one
// error naming wrike_url, not one error per resource.
func TestBackendDownIsOneError(t *testing.T) {
	env := append(withoutProviderEnv(terraformEnv(t)), startDevBackend(t, buildProvider(t))...)
	work := t.TempDir()
	var config strings.Builder
	config.WriteString("terraform {\n  required_providers {\n    wrike = { source = \"wrike-community/wrike\" }\n  }\n}\n\nprovider \"wrike\" {}\n")
	for i := range 5 {
		fmt.Fprintf(&config, "\nresource \"wrike_approved_domain\" \"d%d\" {\n  domain = \"d%d.down.example.com\"\n}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	destroyAtEnd(t, work, &env)
	mustTerraform(t, work, env, "apply", "-auto-approve", "-input=false")

	// Wrike moved to a port nothing listens on.
	down := "http://" + freeAddr(t)
	downEnv := append(slicesWithout(env, "WRIKE_URL="), "WRIKE_URL="+down)
	want := regexp.MustCompile(`(?s)Error: Cannot reach Wrike\n.*Cannot reach Wrike at ` + regexp.QuoteMeta(down) + `: .*refused.*wrike_url \(or\s+WRIKE_URL\)`)
	for _, args := range [][]string{{"plan", "-input=false", "-no-color"}, {"destroy", "-auto-approve", "-input=false", "-no-color"}} {
		out, err := terraform(t, work, downEnv, args...)
		if err == nil || !want.MatchString(out) || len(errorLine.FindAllString(out, -1)) != 1 {
			t.Errorf("terraform %s with Wrike down: want one error naming wrike_url, got %v\n%s", args[0], err, out)
		}
	}
}
