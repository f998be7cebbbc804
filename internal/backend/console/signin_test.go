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
		a := backendtest.Send(nil, http.MethodGet, env.OktaURL+"/api/v1/users", nil, "Authorization", "SSWS "+env.OktaAPIToken).Sent(t)
		if a.Status == http.StatusTooManyRequests {
			break
		}
		if i > 10 {
			t.Fatal("the rate limit was never reached")
		}
	}
	b := newBrowser(t, env.OktaURL)
	p := b.do(http.MethodPost, "/console/login", url.Values{"token": {env.OktaAPIToken}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Raw, "rate limit") || p.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("sign-in with the rate limit spent: %d %v %s", p.Status, p.Header, p.Raw)
	}
	if p := mintLink(t, env.OktaURL, "SSWS "+env.OktaAPIToken); p.Status != http.StatusTooManyRequests || p.Header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatalf("login link with the rate limit spent: %d %v %s", p.Status, p.Header, p.Raw)
	}
	if p := b.do(http.MethodPost, "/console/login", url.Values{"token": {"00wrong"}}); p.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong token with the rate limit spent: %d %s", p.Status, p.Raw)
	}
}

// TestConsoleLoginLinkSurvivesHEAD: a HEAD on a one-time sign-in link (a
// chat's link preview, a link checker) does not use it up; the browser's GET
// then signs in, once.
func TestConsoleLoginLinkSurvivesHEAD(t *testing.T) {
	env := backendtest.Start(t)
	m := linkURL.FindStringSubmatch(mintLink(t, env.WrikeURL, "Bearer "+env.WrikeAdminToken).Raw)
	if m == nil {
		t.Fatal("no link")
	}
	path := strings.TrimPrefix(m[1], env.WrikeURL)
	b := newBrowser(t, env.WrikeURL)
	for range 3 {
		if got := b.do(http.MethodHead, path, nil); got.Status != http.StatusNoContent || got.Header.Get("Set-Cookie") != "" {
			t.Fatalf("HEAD on the link: %d %v", got.Status, got.Header)
		}
	}
	if got := b.get(path); got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/console/" {
		t.Fatalf("GET after HEADs: %d %s", got.Status, got.Header.Get("Location"))
	}
	if got := newBrowser(t, env.WrikeURL).get(path); got.Header.Get("Location") != "/console/login?used=1" {
		t.Fatalf("second GET: %d %s", got.Status, got.Header.Get("Location"))
	}
	if got := newBrowser(t, env.WrikeURL).do(http.MethodHead, path, nil); got.Status == http.StatusNoContent {
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
	if p.Status != http.StatusForbidden || !strings.Contains(p.Raw, "SCIM only") {
		t.Fatalf("login link for an API app token: %d %s", p.Status, p.Raw)
	}
	p = newBrowser(t, env.WrikeURL).do(http.MethodPost, "/console/login", url.Values{"token": {sc.Token}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Raw, "SCIM only") {
		t.Fatalf("sign-in with an API app token: %d %s", p.Status, p.Raw)
	}
}
