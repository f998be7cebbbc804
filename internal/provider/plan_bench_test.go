package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

const planBenchResources = 500

// BenchmarkPlanRefresh measures `terraform plan` (refresh included) of 500
// wrike_approved_domain resources against the same plan of 500
// terraform_data resources, alternating the two in each iteration so both
// see the same machine load. The provider is the release binary, loaded
// through a dev_overrides CLI configuration of the benchmark's own; the
// backend counts the HTTP requests each refresh makes.
//
//	make bench-plan
func BenchmarkPlanRefresh(b *testing.B) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			b.Skip("no terraform on PATH")
		}
	}
	work := b.TempDir()
	pluginDir := filepath.Join(work, "plugins")
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(pluginDir, "terraform-provider-wrike"), "github.com/wrike-community/terraform-provider-wrike")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(work, "terraform.rc")
	writeFile(b, cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/wrike-community/wrike\" = %q\n  }\n  direct {}\n}\n", pluginDir))

	env := backendtest.Start(b)
	var requests atomic.Int64
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		env.Backend.Wrike.ServeHTTP(w, r)
	}))
	b.Cleanup(counted.Close)

	wrikeDir, dataDir := filepath.Join(work, "wrike"), filepath.Join(work, "data")
	var wrikeTF, dataTF strings.Builder
	wrikeTF.WriteString("terraform {\n  required_providers {\n    wrike = { source = \"wrike-community/wrike\" }\n  }\n}\n\nprovider \"wrike\" {}\n")
	for i := range planBenchResources {
		fmt.Fprintf(&wrikeTF, "\nresource \"wrike_approved_domain\" \"d%d\" {\n  domain = \"d%04d.bench.example.com\"\n}\n", i, i)
		fmt.Fprintf(&dataTF, "\nresource \"terraform_data\" \"d%d\" {\n  input = \"d%04d.bench.example.com\"\n}\n", i, i)
	}
	writeFile(b, filepath.Join(wrikeDir, "main.tf"), wrikeTF.String())
	writeFile(b, filepath.Join(dataDir, "main.tf"), dataTF.String())

	run := func(dir string, args ...string) time.Duration {
		cmd := exec.CommandContext(context.Background(), tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=",
			"WRIKE_URL="+counted.URL, "WRIKE_TOKEN="+env.WrikeAdminToken)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), filepath.Base(dir), err, out)
		}
		return time.Since(start)
	}
	run(wrikeDir, "apply", "-auto-approve", "-input=false", "-no-color")
	run(dataDir, "apply", "-auto-approve", "-input=false", "-no-color")

	plan := []string{"plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode"}
	var wrikeTotal, dataTotal time.Duration
	var maxRequests int64
	b.ResetTimer()
	for b.Loop() {
		requests.Store(0)
		wrikeTotal += run(wrikeDir, plan...)
		maxRequests = max(maxRequests, requests.Load())
		dataTotal += run(dataDir, plan...)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(wrikeTotal.Seconds()*1000/n, "ms/wrike-plan")
	b.ReportMetric(dataTotal.Seconds()*1000/n, "ms/terraform_data-plan")
	b.ReportMetric(wrikeTotal.Seconds()/dataTotal.Seconds(), "ratio")
	b.ReportMetric(float64(maxRequests)/planBenchResources, "requests/resource")
	if maxRequests > planBenchResources {
		b.Errorf("a refresh made %d HTTP requests for %d resources; want at most one each", maxRequests, planBenchResources)
	}
}

func writeFile(b *testing.B, path, content string) {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		b.Fatal(err)
	}
}
