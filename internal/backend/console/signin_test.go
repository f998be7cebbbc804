package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
)

// TestConsoleSignInWhileRateLimited: with the Okta org's rate limit spent,
// signing in with the valid token (form or login link) answers 429 with the
// face's rate-limit headers, not 401: the token is good, the caller should
// wait, not look for another. A wrong token is still 401.
func TestConsoleSignInWhileRateLimited(t *testing.T) {
	env := backendtest.Start(t, backendtest.WithOkta(func(c *okta.Config) { c.RateLimit = 3 }))
	for i := 0; ; i++ {
		req, _ := http.NewRequest(http.MethodGet, env.OktaURL+"/api/v1/users", nil)
		req.Header.Set("Authorization", "SSWS "+env.OktaAPIToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
		if i > 10 {
			t.Fatal("the rate limit was never reached")
		}
	}
	b := newBrowser(t, env.OktaURL)
	p := b.do(http.MethodPost, "/console/login", url.Values{"token": {env.OktaAPIToken}})
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "rate limit") || p.header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("sign-in with the rate limit spent: %d %v %s", p.status, p.header, p.body)
	}
	if p := mintLink(t, env.OktaURL, "SSWS "+env.OktaAPIToken); p.status != http.StatusTooManyRequests || p.header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("login link with the rate limit spent: %d %v %s", p.status, p.header, p.body)
	}
	if p := b.do(http.MethodPost, "/console/login", url.Values{"token": {"00wrong"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("a wrong token with the rate limit spent: %d %s", p.status, p.body)
	}
}

// TestConsoleLoginLinkSurvivesHEAD: a HEAD on a one-time sign-in link (a
// chat's link preview, a link checker) does not use it up; the browser's GET
// then signs in, once.
func TestConsoleLoginLinkSurvivesHEAD(t *testing.T) {
	env := backendtest.Start(t)
	m := linkURL.FindStringSubmatch(mintLink(t, env.WrikeURL, "Bearer "+env.WrikeAdminToken).body)
	if m == nil {
		t.Fatal("no link")
	}
	path := strings.TrimPrefix(m[1], env.WrikeURL)
	b := newBrowser(t, env.WrikeURL)
	for range 3 {
		if got := b.do(http.MethodHead, path, nil); got.status != http.StatusNoContent || got.header.Get("Set-Cookie") != "" {
			t.Fatalf("HEAD on the link: %d %v", got.status, got.header)
		}
	}
	if got := b.get(path); got.status != http.StatusSeeOther || got.location != "/console/" {
		t.Fatalf("GET after HEADs: %d %s", got.status, got.location)
	}
	if got := newBrowser(t, env.WrikeURL).get(path); got.location != "/console/login?used=1" {
		t.Fatalf("second GET: %d %s", got.status, got.location)
	}
	if got := newBrowser(t, env.WrikeURL).do(http.MethodHead, path, nil); got.status == http.StatusNoContent {
		t.Fatal("HEAD on a used link answers as if it were live")
	}
}

// TestConsoleLoginLinkWithAPIAppToken: a Wrike API app (v4) token is a
// token the face knows but will not let into the admin API: asking for a
// login link with it is the face's 403 with its reason, not a 503; the
// sign-in form says the same.
func TestConsoleLoginLinkWithAPIAppToken(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	p := mintLink(t, env.WrikeURL, "Bearer "+sc.Token)
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "SCIM only") {
		t.Fatalf("login link for an API app token: %d %s", p.status, p.body)
	}
	p = newBrowser(t, env.WrikeURL).do(http.MethodPost, "/console/login", url.Values{"token": {sc.Token}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "SCIM only") {
		t.Fatalf("sign-in with an API app token: %d %s", p.status, p.body)
	}
}
