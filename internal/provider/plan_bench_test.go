package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

const planBenchResources = 500

// BenchmarkPlanRefresh measures `terraform plan` (refresh included) of 500
// wrike_approved_domain resources against the same plan of 500
// terraform_data resources (built into Terraform) and of 500 resources of a
// framework provider that does nothing (testdata/noopprovider, the floor
// of the plugin protocol), alternating the two in each iteration so both
// see the same machine load; the figures are medians. The provider is the release binary, loaded
// through a dev_overrides CLI configuration of the benchmark's own; the
// backend counts the HTTP requests each refresh makes.
//
//	make bench-plan
func BenchmarkPlanRefresh(b *testing.B) {
	tfb := newTerraformBench(b)
	work := b.TempDir()
	env := backendtest.Start(b)
	counted, requests, busy := countingServer(b, env.Backend.Wrike)

	wrikeDir, dataDir, noopDir := filepath.Join(work, "wrike"), filepath.Join(work, "data"), filepath.Join(work, "noop")
	var wrikeTF, dataTF, noopTF strings.Builder
	noopTF.WriteString("terraform {\n  required_providers {\n    noop = { source = \"example/noop\" }\n  }\n}\n")
	wrikeTF.WriteString("terraform {\n  required_providers {\n    wrike = { source = \"wrike-community/wrike\" }\n  }\n}\n\nprovider \"wrike\" {}\n")
	for i := range planBenchResources {
		fmt.Fprintf(&wrikeTF, "\nresource \"wrike_approved_domain\" \"d%d\" {\n  domain = \"d%04d.bench.example.com\"\n}\n", i, i)
		fmt.Fprintf(&dataTF, "\nresource \"terraform_data\" \"d%d\" {\n  input = \"d%04d.bench.example.com\"\n}\n", i, i)
		fmt.Fprintf(&noopTF, "\nresource \"noop_thing\" \"d%d\" {\n  input = \"d%04d.bench.example.com\"\n}\n", i, i)
	}
	writeFile(b, filepath.Join(wrikeDir, "main.tf"), wrikeTF.String())
	writeFile(b, filepath.Join(dataDir, "main.tf"), dataTF.String())
	writeFile(b, filepath.Join(noopDir, "main.tf"), noopTF.String())

	run := func(dir string, args ...string) (wall, cpu time.Duration) {
		return tfb.run(dir, []string{"WRIKE_URL=" + counted.URL, "WRIKE_TOKEN=" + env.WrikeAdminToken}, args...)
	}
	run(wrikeDir, "apply", "-auto-approve", "-input=false", "-no-color")
	run(dataDir, "apply", "-auto-approve", "-input=false", "-no-color")
	run(noopDir, "apply", "-auto-approve", "-input=false", "-no-color")

	plan := []string{"plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode"}
	var wrikeWall, dataWall, wrikeCPU, dataCPU, noRefreshWall, noopWall []time.Duration
	var maxRequests int64
	var backendBusy time.Duration
	b.ResetTimer()
	for b.Loop() {
		requests.Store(0)
		busy.Store(0)
		wall, cpu := run(wrikeDir, plan...)
		backendBusy += time.Duration(busy.Load())
		wrikeWall, wrikeCPU = append(wrikeWall, wall), append(wrikeCPU, cpu+time.Duration(busy.Load()))
		maxRequests = max(maxRequests, requests.Load())
		wall, cpu = run(dataDir, plan...)
		dataWall, dataCPU = append(dataWall, wall), append(dataCPU, cpu)
		// The same plan without refresh: what the plugin protocol costs
		// when no HTTP request is made at all.
		wall, _ = run(wrikeDir, append(plan, "-refresh=false")...)
		noRefreshWall = append(noRefreshWall, wall)
		// A provider that does nothing: the floor of the plugin protocol.
		wall, _ = run(noopDir, plan...)
		noopWall = append(noopWall, wall)
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return d.Seconds() * 1000 }
	b.ReportMetric(ms(median(wrikeWall)), "wrike-ms")
	b.ReportMetric(ms(median(dataWall)), "data-ms")
	b.ReportMetric(ms(median(noRefreshWall)), "wrike-norefresh-ms")
	b.ReportMetric(ms(median(noopWall)), "noop-ms")
	b.ReportMetric(median(wrikeWall).Seconds()/median(dataWall).Seconds(), "wall-ratio")
	b.ReportMetric(median(noopWall).Seconds()/median(dataWall).Seconds(), "noop-ratio")
	b.ReportMetric(median(wrikeWall).Seconds()/median(noopWall).Seconds(), "wrike/noop")
	b.ReportMetric(median(wrikeCPU).Seconds()/median(dataCPU).Seconds(), "cpu-ratio")
	b.ReportMetric(float64(maxRequests)/planBenchResources, "requests/resource")
	b.ReportMetric(ms(backendBusy)/float64(len(wrikeWall))/planBenchResources, "backend-ms/request")
	if maxRequests > planBenchResources {
		b.Errorf("a refresh made %d HTTP requests for %d resources; want at most one each", maxRequests, planBenchResources)
	}
}

// countingServer serves h on 127.0.0.1, counting the requests and the time
// spent answering them.
func countingServer(b *testing.B, h http.Handler) (srv *httptest.Server, requests, busy *atomic.Int64) {
	requests, busy = new(atomic.Int64), new(atomic.Int64)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		requests.Add(1)
		h.ServeHTTP(w, r)
		busy.Add(int64(time.Since(start)))
	}))
	b.Cleanup(srv.Close)
	return srv, requests, busy
}

// terraformBench runs the Terraform CLI on PATH (or TF_ACC_TERRAFORM_PATH)
// with this provider and the do-nothing provider freshly built, loaded
// through a dev_overrides CLI configuration of the benchmark's own.
type terraformBench struct {
	b         *testing.B
	tf        string
	cliConfig string
}

func newTerraformBench(b *testing.B) *terraformBench {
	b.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			b.Skip("no terraform on PATH")
		}
	}
	pluginDir := filepath.Join(b.TempDir(), "plugins")
	for name, pkg := range map[string]string{
		"terraform-provider-wrike": "github.com/wrike-community/terraform-provider-wrike",
		"terraform-provider-noop":  "./testdata/noopprovider",
	} {
		build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(pluginDir, name), pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("building %s: %v\n%s", name, err, out)
		}
	}
	cliConfig := filepath.Join(pluginDir, "terraform.rc")
	writeFile(b, cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/wrike-community/wrike\" = %q\n    \"registry.terraform.io/example/noop\" = %q\n  }\n  direct {}\n}\n", pluginDir, pluginDir))
	return &terraformBench{b: b, tf: tf, cliConfig: cliConfig}
}

// run runs terraform in dir with env added, and returns the wall time and
// the CPU time of Terraform and the provider it started (a child reaped by
// Terraform counts in its usage).
func (t *terraformBench) run(dir string, env []string, args ...string) (wall, cpu time.Duration) {
	t.b.Helper()
	cmd := exec.CommandContext(context.Background(), t.tf, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+t.cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.b.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), filepath.Base(dir), err, out)
	}
	return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// median of the samples; wall times on a shared machine have outliers.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
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
