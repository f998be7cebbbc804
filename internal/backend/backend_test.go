package backend_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestUnauthenticatedFloodLocksNoOneOut: 6,001 requests with bad tokens on
// each face (more than the Okta org's default budget of 6,000 a minute)
// leave the real admin served at once on both faces, with the Okta budget
// whole.
func TestUnauthenticatedFloodLocksNoOneOut(t *testing.T) {
	env := backendtest.Start(t)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	// get returns the status and the X-Rate-Limit-Remaining header.
	get := func(url, auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		_ = resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Rate-Limit-Remaining")
	}
	targets := []struct{ url, bad string }{
		{env.OktaURL + "/api/v1/users", "SSWS 00notatoken"},
		{env.WrikeURL + "/api/v4/account", "Bearer wrka_notatoken"},
	}
	const flood = 6001
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < flood*len(targets); i += 8 {
				tg := targets[i%len(targets)]
				auth := tg.bad
				if i%4 < 2 {
					auth = "" // no token at all
				}
				if status, _ := get(tg.url, auth); status != http.StatusUnauthorized {
					t.Errorf("bad token on %s: %d, want 401", tg.url, status)
					return
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if status, left := get(env.OktaURL+"/api/v1/users", "SSWS "+env.OktaAPIToken); status != http.StatusOK || left != "5999" {
		t.Fatalf("Okta API token after the flood: %d with %q requests left, want 200 with 5999", status, left)
	}
	if status, _ := get(env.WrikeURL+"/api/v4/account", "Bearer "+env.WrikeAdminToken); status != http.StatusOK {
		t.Fatalf("Wrike admin token after the flood: %d, want 200", status)
	}
}
