package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

// assignmentBenchSizes are the (groups, users) sizes BenchmarkProvisioningAssignments
// runs unless BENCH_ASSIGN_SIZES names others ("10x10,100x100,..."): small
// ones, so `make bench` stays short.
const assignmentBenchSizes = "10x10,100x100"

// BenchmarkProvisioningAssignments measures apply, plan (refresh included,
// nothing to change; median of three) and destroy of one
// okta_wrike_provisioning with N group and M direct user assignments
// (create_users = false, so no provisioning load), beside the same two maps
// held by a framework provider that does nothing (testdata/noopprovider,
// the framework floor) and by terraform_data, each step alternating the
// three so they share the machine's load. Besides wall times it reports
// the CPU time of each plan (Terraform, its provider and, for this
// provider, the backend in this process): on a loaded machine wall times
// of three processes calling each other stretch with every wait for a
// core, CPU times much less. The Okta face sits behind a
// handler that counts the requests of one plan and the time the backend
// spends on them; its rate limit is lifted, as the benchmark measures the
// provider, not the limit. After the apply it waits for the provisioning
// engine to finish the tasks the assignments queued.
//
//	make bench-assignments
func BenchmarkProvisioningAssignments(b *testing.B) {
	spec := os.Getenv("BENCH_ASSIGN_SIZES")
	if spec == "" {
		spec = assignmentBenchSizes
	}
	var sizes [][2]int
	for _, s := range strings.Split(spec, ",") {
		g, u, ok := strings.Cut(strings.TrimSpace(s), "x")
		n, err1 := strconv.Atoi(g)
		m, err2 := strconv.Atoi(u)
		if !ok || err1 != nil || err2 != nil || n < 1 || m < 1 {
			b.Fatalf("BENCH_ASSIGN_SIZES: %q is not <groups>x<users>", s)
		}
		sizes = append(sizes, [2]int{n, m})
	}
	tfb := newTerraformBench(b)
	env := backendtest.Start(b, backendtest.WithOkta(func(c *okta.Config) { c.RateLimit = 1 << 30 }))
	scim := env.SetupSCIM(b, "okta", "bench.example.com")
	counted, requests, busy := countingServer(b, env.Backend.Okta)

	// call may run on other goroutines: it reports, the caller stops.
	call := func(method, path string, body, out any) {
		if err := doJSON(env.OktaURL+path, "SSWS "+env.OktaAPIToken, method, body, out); err != nil {
			b.Error(err)
		}
	}
	var app struct {
		ID string `json:"id"`
	}
	call(http.MethodPost, "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &app)
	maxGroups, maxUsers := 0, 0
	for _, s := range sizes {
		maxGroups, maxUsers = max(maxGroups, s[0]), max(maxUsers, s[1])
	}
	groups := createInParallel(maxGroups, func(i int) string {
		var g struct {
			ID string `json:"id"`
		}
		call(http.MethodPost, "/api/v1/groups", map[string]any{"profile": map[string]any{"name": fmt.Sprintf("Team %05d", i)}}, &g)
		return g.ID
	})
	users := createInParallel(maxUsers, func(i int) string {
		login := fmt.Sprintf("u%05d@bench.example.com", i)
		var u struct {
			ID string `json:"id"`
		}
		call(http.MethodPost, "/api/v1/users?activate=true", map[string]any{"profile": map[string]any{
			"login": login, "email": login, "firstName": "U", "lastName": strconv.Itoa(i),
		}}, &u)
		return u.ID
	})
	if b.Failed() {
		b.FailNow()
	}

	tfEnv := []string{"WRIKE_URL=" + env.WrikeURL, "WRIKE_TOKEN=" + env.WrikeAdminToken,
		"OKTA_ORG_URL=" + counted.URL, "OKTA_API_TOKEN=" + env.OktaAPIToken}
	for _, size := range sizes {
		n, m := size[0], size[1]
		b.Run(fmt.Sprintf("groups=%d/users=%d", n, m), func(b *testing.B) {
			assigned := assignmentMaps(groups[:n], users[:m])
			work := b.TempDir()
			arms := []struct{ name, config string }{
				{"wrike", fmt.Sprintf(`terraform {
  required_providers {
    wrike = { source = "wrike-community/wrike" }
  }
}

provider "wrike" {}

resource "okta_wrike_provisioning" "p" {
  provider      = wrike
  app_id        = %q
  scim_base_url = %q
  bearer_token  = %q
  create_users  = false
%s}
`, app.ID, scim.BaseURL, scim.Token, assigned)},
				{"noop", fmt.Sprintf(`terraform {
  required_providers {
    noop = { source = "example/noop" }
  }
}

resource "noop_thing" "p" {
  input = "assignments"
%s}
`, assigned)},
				{"data", fmt.Sprintf(`resource "terraform_data" "p" {
  input = {
%s  }
}
`, assigned)},
			}
			for _, a := range arms {
				writeFile(b, filepath.Join(work, a.name, "main.tf"), a.config)
			}
			// each runs terraform in every arm, and returns the wall time
			// and the CPU time: Terraform's, its provider's, and this
			// process's (the backend) while it ran.
			each := func(args ...string) (wall, cpu map[string]time.Duration) {
				wall, cpu = map[string]time.Duration{}, map[string]time.Duration{}
				for _, a := range arms {
					before := processCPU()
					w, c := tfb.run(filepath.Join(work, a.name), tfEnv, args...)
					wall[a.name], cpu[a.name] = w, c+processCPU()-before
				}
				return wall, cpu
			}
			const planRuns = 3
			var apply, destroy map[string]time.Duration
			plans, planCPU := map[string][]time.Duration{}, map[string][]time.Duration{}
			var planRequests int64
			var planBackend, idle time.Duration
			for b.Loop() {
				apply, _ = each("apply", "-auto-approve", "-input=false", "-no-color")
				start := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				if err := env.Backend.Okta.Engine().WaitIdle(ctx); err != nil {
					b.Fatalf("provisioning engine not idle: %v", err)
				}
				cancel()
				idle = time.Since(start)
				for range planRuns {
					requests.Store(0)
					busy.Store(0)
					wall, cpu := each("plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode")
					for name := range wall {
						plans[name], planCPU[name] = append(plans[name], wall[name]), append(planCPU[name], cpu[name])
					}
					planRequests, planBackend = requests.Load(), time.Duration(busy.Load())
				}
				destroy, _ = each("destroy", "-auto-approve", "-input=false", "-no-color")
			}
			b.StopTimer()
			total := float64(n + m)
			ms := func(d time.Duration) float64 { return d.Seconds() * 1000 }
			for _, name := range []string{"wrike", "noop", "data"} {
				b.ReportMetric(ms(median(plans[name])), name+"-plan-ms")
				b.ReportMetric(ms(median(planCPU[name])), name+"-plan-cpu-ms")
				b.ReportMetric(ms(apply[name]), name+"-apply-ms")
				b.ReportMetric(ms(destroy[name]), name+"-destroy-ms")
			}
			b.ReportMetric(median(plans["wrike"]).Seconds()/median(plans["noop"]).Seconds(), "plan/noop")
			b.ReportMetric(median(planCPU["wrike"]).Seconds()/median(planCPU["noop"]).Seconds(), "plan-cpu/noop")
			b.ReportMetric(float64(median(plans["wrike"]).Microseconds())/total, "plan-µs/assignment")
			b.ReportMetric(float64(apply["wrike"].Microseconds())/total, "apply-µs/assignment")
			b.ReportMetric(float64(destroy["wrike"].Microseconds())/total, "destroy-µs/assignment")
			b.ReportMetric(ms(idle), "engine-idle-ms")
			b.ReportMetric(float64(planRequests), "requests/plan")
			b.ReportMetric(ms(planBackend), "backend-ms/plan")
			// A plan reads the connection, the feature, and the two lists
			// in pages of 200.
			if want := int64(2 + (n+199)/200 + (m+199)/200); planRequests > want {
				b.Errorf("a plan made %d Okta requests, want at most %d (pages of 200 per kind)", planRequests, want)
			}
		})
	}
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// assignmentMaps renders group_assignments and user_assignments for these
// ids, cycling through the user types and null.
func assignmentMaps(groups, users []string) string {
	types := []string{`"Regular"`, `"External"`, `"Collaborator"`, "null"}
	var sb strings.Builder
	for _, kind := range []struct {
		name string
		ids  []string
	}{{"group_assignments", groups}, {"user_assignments", users}} {
		fmt.Fprintf(&sb, "  %s = {\n", kind.name)
		for i, id := range kind.ids {
			fmt.Fprintf(&sb, "    %q = %s\n", id, types[i%len(types)])
		}
		sb.WriteString("  }\n")
	}
	return sb.String()
}

// createInParallel calls create for 0..n-1 from 16 goroutines and returns
// the ids it made, sorted.
func createInParallel(n int, create func(i int) string) []string {
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				ids[i] = create(i)
			}
		})
	}
	wg.Wait()
	slices.Sort(ids)
	return ids
}
