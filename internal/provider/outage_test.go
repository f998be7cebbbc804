package provider

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// wrikeResourcesConfig is a configuration of independent Wrike resources
// (domains, API apps and one integration), with the provider pointed at url.
func wrikeResourcesConfig(url, token, prefix string, domains, apps int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"wrike\" {\n  wrike_url   = %q\n  wrike_token = %q\n}\n", url, token)
	for i := range domains {
		fmt.Fprintf(&b, "resource \"wrike_approved_domain\" \"d%d\" {\n  domain = \"%s%d.example.com\"\n}\n", i, prefix, i)
	}
	for i := range apps {
		fmt.Fprintf(&b, "resource \"wrike_api_token\" \"a%d\" {\n  app_name = \"%s app %d\"\n}\n", i, prefix, i)
	}
	return b.String()
}

// checkBackendCounts checks the backend holds exactly the domains with the
// prefix and apps with the name prefix that the configuration has.
func checkBackendCounts(env *backendtest.Env, prefix string, domains, apps int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var ds struct {
			Data []struct{ Domain string } `json:"data"`
		}
		var as struct {
			Data []struct{ Name string } `json:"data"`
		}
		if err := env.AdminCall(http.MethodGet, "/approved_domains", nil, &ds); err != nil {
			return err
		}
		if err := env.AdminCall(http.MethodGet, "/api_apps", nil, &as); err != nil {
			return err
		}
		nd, na := 0, 0
		for _, d := range ds.Data {
			if strings.HasPrefix(d.Domain, prefix) {
				nd++
			}
		}
		for _, a := range as.Data {
			if strings.HasPrefix(a.Name, prefix+" app ") {
				na++
			}
		}
		if nd != domains || na != apps {
			return fmt.Errorf("backend has %d domains and %d apps named %q, want %d and %d (nothing lost, nothing twice)", nd, na, prefix, domains, apps)
		}
		return nil
	}
}

// TestAccApplyDuringOutage: the Wrike API answers 503 with
// Retry-After to every request for three seconds from the provider's first
// call; the apply (create), a refresh plan and the destroy all succeed
// after the outage ends, and the backend holds each resource exactly once.
func TestAccApplyDuringOutage(t *testing.T) {
	env := backendtest.Start(t)
	var outages []*reliabilitytest.FaultProxy
	newProxy := func() *reliabilitytest.FaultProxy {
		p := reliabilitytest.NewFaultProxy(t, env.WrikeURL, reliabilitytest.Outage(3*time.Second, http.StatusServiceUnavailable, 1, nil))
		outages = append(outages, p)
		return p
	}
	create := newProxy()
	destroy := newProxy()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             checkBackendCounts(env, "outage", 0, 0),
		Steps: []resource.TestStep{
			{
				Config: wrikeResourcesConfig(create.URL, env.WrikeAdminToken, "outage", 4, 2),
				Check:  checkBackendCounts(env, "outage", 4, 2),
			},
			{
				// The destroy that ends the test goes through a second outage.
				Config: wrikeResourcesConfig(destroy.URL, env.WrikeAdminToken, "outage", 4, 2),
				Check:  checkBackendCounts(env, "outage", 4, 2),
			},
		},
	})
	for i, p := range outages {
		if p.Faults() == 0 || p.Forwarded() == 0 {
			t.Errorf("outage %d: %d faults injected, %d requests forwarded: the outage did not happen or never ended", i, p.Faults(), p.Forwarded())
		}
		t.Logf("outage %d: %d requests, %d answered 503, %d forwarded", i, p.Requests(), p.Faults(), p.Forwarded())
	}
}

// TestAccParallelApplies runs several Terraform configurations at
// once (each its own terraform process and state) against one backend,
// each with resources Terraform itself creates in parallel: every resource
// of every configuration is created once and destroyed, and none disturbs
// another's.
func TestAccParallelApplies(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
	env := backendtest.Start(t)
	const configs, domains, apps = 4, 6, 3
	var mu sync.Mutex
	done := 0
	for i := range configs {
		prefix := fmt.Sprintf("par%d", i)
		t.Run(prefix, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				CheckDestroy:             checkBackendCounts(env, prefix, 0, 0),
				Steps: []resource.TestStep{
					{
						Config: wrikeResourcesConfig(env.WrikeURL, env.WrikeAdminToken, prefix, domains, apps),
						Check:  checkBackendCounts(env, prefix, domains, apps),
					},
					{
						// Half the resources go, half stay.
						Config: wrikeResourcesConfig(env.WrikeURL, env.WrikeAdminToken, prefix, domains/2, apps-1),
						Check:  checkBackendCounts(env, prefix, domains/2, apps-1),
					},
				},
			})
			mu.Lock()
			done++
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		if done != configs && !t.Failed() {
			t.Errorf("%d of %d configurations ran", done, configs)
		}
	})
}
