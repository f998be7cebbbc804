package console_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// browser is a cookie-keeping client that does not follow redirects, so
// tests see each answer.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// do sends a request as the browser, a form body (nil: none) urlencoded,
// then headers as name, value pairs.
func (b *browser) do(method, path string, form url.Values, header ...string) backendtest.Answer {
	b.t.Helper()
	var body any
	if form != nil {
		body = form.Encode()
		header = append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)
	}
	return backendtest.Send(b.c, method, b.base+path, body, header...).Sent(b.t)
}

func (b *browser) get(path string) backendtest.Answer {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form the way the page at from does: with its CSRF token.
func (b *browser) post(from, action string, form url.Values) backendtest.Answer {
	b.t.Helper()
	p := b.get(from)
	m := csrfField.FindStringSubmatch(p.Raw)
	if m == nil {
		b.t.Fatalf("GET %s: no CSRF field in the page (status %d)", from, p.Status)
	}
	form.Set("csrf", m[1])
	return b.do(http.MethodPost, action, form)
}

// signIn signs in through the login form.
func (b *browser) signIn(token string) {
	b.t.Helper()
	p := b.do(http.MethodPost, "/console/login", url.Values{"token": {token}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/console/" {
		b.t.Fatalf("sign in: %d %s %s", p.Status, p.Header.Get("Location"), p.Raw)
	}
}

func TestConsolePagesNeedASession(t *testing.T) {
	env := backendtest.Start(t)
	for base, paths := range map[string][]string{
		env.WrikeURL: {"/console/", "/console/domains", "/console/apps", "/console/users?domain=a.example"},
		env.OktaURL:  {"/console/", "/console/assignments", "/console/users", "/console/groups", "/console/logs", "/console/tasks"},
	} {
		b := newBrowser(t, base)
		for _, p := range paths {
			if got := b.get(p); got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/console/login" {
				t.Errorf("GET %s%s without a session: %d %q, want a redirect to the login page", base, p, got.Status, got.Header.Get("Location"))
			}
		}
		// A made-up session id is no session.
		u, _ := url.Parse(base + "/console/")
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "wrike_console", Value: "forged"}, {Name: "okta_console", Value: "forged"}})
		if got := b.get(paths[1]); got.Status != http.StatusSeeOther {
			t.Errorf("GET %s with a forged cookie: %d", paths[1], got.Status)
		}
		if got := b.do(http.MethodPost, "/console/logout", url.Values{"csrf": {"x"}}); got.Status != http.StatusUnauthorized {
			t.Errorf("POST without a session: %d, want 401", got.Status)
		}
	}
	b := newBrowser(t, env.WrikeURL)
	if got := b.do(http.MethodPost, "/console/domains", url.Values{"domain": {"evil.example"}}); got.Status != http.StatusUnauthorized {
		t.Errorf("POST /console/domains without a session: %d, want 401", got.Status)
	}
	var domains struct{ Data []any }
	env.Admin(t, http.MethodGet, "/approved_domains", nil, &domains)
	if len(domains.Data) != 0 {
		t.Errorf("a POST without a session changed the domains: %v", domains.Data)
	}
}

func TestConsoleLoginForm(t *testing.T) {
	env := backendtest.Start(t)
	b := newBrowser(t, env.WrikeURL)
	if p := b.do(http.MethodPost, "/console/login", url.Values{"token": {"wrka_wrong"}}); p.Status != http.StatusUnauthorized || !strings.Contains(p.Raw, "was not accepted") {
		t.Fatalf("wrong token: %d %s", p.Status, p.Raw)
	}
	// The Okta token is not a Wrike admin token.
	if p := b.do(http.MethodPost, "/console/login", url.Values{"token": {env.OktaAPIToken}}); p.Status != http.StatusUnauthorized {
		t.Fatalf("Okta token on the Wrike console: %d", p.Status)
	}
	if p := b.do(http.MethodPost, "/console/login", url.Values{"token": {env.WrikeAdminToken}}, "Origin", "http://evil.example"); p.Status != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", p.Status)
	}
	p := b.do(http.MethodPost, "/console/login", url.Values{"token": {env.WrikeAdminToken}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", p.Status, p.Raw)
	}
	cookies := (&http.Response{Header: p.Header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies = %v", cookies)
	}
	ck := cookies[0]
	if ck.Name != "wrike_console" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/console" ||
		strings.Contains(ck.Value, env.WrikeAdminToken) || len(ck.Value) < 40 {
		t.Fatalf("session cookie %+v: want an HttpOnly, SameSite=Strict, Path=/console random id", ck)
	}
	home := b.get("/console/")
	if home.Status != http.StatusOK || !strings.Contains(home.Raw, "SCIM integrations") {
		t.Fatalf("home: %d %s", home.Status, home.Raw)
	}
	if strings.Contains(home.Raw, env.WrikeAdminToken) {
		t.Fatal("the admin token is in a page")
	}
	if home.Header.Get("Cache-Control") != "no-store" || !strings.Contains(home.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("headers: %v", home.Header)
	}
	// Sign out ends the session on the server, not only in this browser.
	if p := b.post("/console/", "/console/logout", url.Values{}); p.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.Status)
	}
	replay := newBrowser(t, env.WrikeURL)
	u, _ := url.Parse(env.WrikeURL + "/console/")
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	if p := replay.get("/console/"); p.Status != http.StatusSeeOther {
		t.Fatalf("the session cookie works after sign-out: %d", p.Status)
	}
}

// mintLink asks the face for a one-time sign-in link.
func mintLink(t *testing.T, base, auth string) backendtest.Answer {
	t.Helper()
	return newBrowser(t, base).do(http.MethodPost, "/console/login-links", nil, "Authorization", auth)
}

var linkURL = regexp.MustCompile(`"url":"([^"]+)"`)

func TestConsoleLoginLinkWorksOnce(t *testing.T) {
	env := backendtest.Start(t)
	if p := mintLink(t, env.OktaURL, "SSWS 00wrong"); p.Status != http.StatusUnauthorized {
		t.Fatalf("link for a wrong token: %d %s", p.Status, p.Raw)
	}
	if p := mintLink(t, env.OktaURL, "Bearer "+env.OktaAPIToken); p.Status != http.StatusUnauthorized {
		t.Fatalf("link without the SSWS scheme: %d %s", p.Status, p.Raw)
	}
	p := mintLink(t, env.OktaURL, "SSWS "+env.OktaAPIToken)
	m := linkURL.FindStringSubmatch(p.Raw)
	if p.Status != http.StatusOK || m == nil || !strings.HasPrefix(m[1], env.OktaURL+"/console/login/") {
		t.Fatalf("mint: %d %s", p.Status, p.Raw)
	}
	if strings.Contains(m[1], env.OktaAPIToken) {
		t.Fatal("the link carries the token")
	}
	path := strings.TrimPrefix(m[1], env.OktaURL)
	b := newBrowser(t, env.OktaURL)
	if got := b.get(path); got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/console/" {
		t.Fatalf("first use: %d %s", got.Status, got.Header.Get("Location"))
	}
	if got := b.get("/console/groups"); got.Status != http.StatusOK || !strings.Contains(got.Raw, "Everyone") {
		t.Fatalf("signed in by link: %d", got.Status)
	}
	other := newBrowser(t, env.OktaURL)
	if got := other.get(path); got.Status != http.StatusSeeOther || got.Header.Get("Location") != "/console/login?used=1" {
		t.Fatalf("replayed link: %d %s", got.Status, got.Header.Get("Location"))
	}
	if got := other.get("/console/groups"); got.Status != http.StatusSeeOther {
		t.Fatalf("a replayed link signed in: %d", got.Status)
	}
}

func TestConsoleLoginLinkExpires(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	env := backendtest.Start(t, backendtest.WithClock(clock.Now))
	m := linkURL.FindStringSubmatch(mintLink(t, env.WrikeURL, "Bearer "+env.WrikeAdminToken).Raw)
	if m == nil {
		t.Fatal("no link")
	}
	clock.add(16 * time.Minute)
	if got := newBrowser(t, env.WrikeURL).get(strings.TrimPrefix(m[1], env.WrikeURL)); got.Header.Get("Location") != "/console/login?used=1" {
		t.Fatalf("link used after 16 minutes: %d %s", got.Status, got.Header.Get("Location"))
	}
}

func TestConsoleSessionEndsWhenIdle(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	env := backendtest.Start(t, backendtest.WithClock(clock.Now))
	b := newBrowser(t, env.WrikeURL)
	b.signIn(env.WrikeAdminToken)
	clock.add(7 * time.Hour)
	if p := b.get("/console/domains"); p.Status != http.StatusOK {
		t.Fatalf("after 7 h: %d", p.Status)
	}
	clock.add(7 * time.Hour) // 7 h idle again: still within 8 h of the last use
	if p := b.get("/console/domains"); p.Status != http.StatusOK {
		t.Fatalf("used 7 h ago: %d", p.Status)
	}
	clock.add(8*time.Hour + time.Second)
	if p := b.get("/console/domains"); p.Status != http.StatusSeeOther {
		t.Fatalf("idle 8 h: %d, want the login page", p.Status)
	}
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestConsoleFormsNeedTheCSRFToken(t *testing.T) {
	env := backendtest.Start(t)
	b := newBrowser(t, env.WrikeURL)
	b.signIn(env.WrikeAdminToken)
	for _, form := range []url.Values{{"domain": {"a.example"}}, {"domain": {"a.example"}, "csrf": {"guess"}}} {
		if p := b.do(http.MethodPost, "/console/domains", form); p.Status != http.StatusForbidden {
			t.Fatalf("POST with csrf %q: %d, want 403", form.Get("csrf"), p.Status)
		}
	}
	// Another session's token is not this session's.
	other := newBrowser(t, env.WrikeURL)
	other.signIn(env.WrikeAdminToken)
	m := csrfField.FindStringSubmatch(other.get("/console/domains").Raw)
	if p := b.do(http.MethodPost, "/console/domains", url.Values{"domain": {"a.example"}, "csrf": {m[1]}}); p.Status != http.StatusForbidden {
		t.Fatalf("POST with another session's csrf: %d", p.Status)
	}
	var domains struct{ Data []any }
	env.Admin(t, http.MethodGet, "/approved_domains", nil, &domains)
	if len(domains.Data) != 0 {
		t.Fatalf("a refused POST changed the domains: %v", domains.Data)
	}
	if p := b.post("/console/domains", "/console/domains", url.Values{"domain": {"A.Example"}, "back": {"/console/domains"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/console/domains" {
		t.Fatalf("POST with the page's csrf: %d %s", p.Status, p.Header.Get("Location"))
	}
	if p := b.get("/console/domains"); !strings.Contains(p.Raw, "Approved a.example") || !strings.Contains(p.Raw, "<td>a.example</td>") {
		t.Fatalf("domains page after approving: %s", p.Raw)
	}
	// A refusal comes back with the API's reason.
	b.post("/console/domains", "/console/domains", url.Values{"domain": {"not a domain"}, "back": {"/console/domains"}})
	if p := b.get("/console/domains"); !strings.Contains(p.Raw, `class="error"`) {
		t.Fatalf("no error shown for a bad domain: %s", p.Raw)
	}
}

func TestConsoleAPIAppTokenShownOnce(t *testing.T) {
	env := backendtest.Start(t)
	b := newBrowser(t, env.WrikeURL)
	b.signIn(env.WrikeAdminToken)
	b.post("/console/apps", "/console/apps", url.Values{"name": {"Okta"}, "back": {"/console/apps"}})
	first := b.get("/console/apps")
	token := regexp.MustCompile(`wrk4_[A-Za-z0-9_-]+`).FindString(first.Raw)
	if token == "" {
		t.Fatalf("the created token is not shown: %s", first.Raw)
	}
	for _, p := range []string{"/console/apps", "/console/", "/console/users", "/console/domains"} {
		if strings.Contains(b.get(p).Raw, token) {
			t.Fatalf("%s shows the token again", p)
		}
	}
	var apps struct{ Data []struct{ ID string } }
	env.Admin(t, http.MethodGet, "/api_apps", nil, &apps)
	b.post("/console/apps", "/console/apps/"+apps.Data[0].ID+"/regenerate", url.Values{"back": {"/console/apps"}})
	second := regexp.MustCompile(`wrk4_[A-Za-z0-9_-]+`).FindString(b.get("/console/apps").Raw)
	if second == "" || second == token {
		t.Fatalf("regenerated token %q (old %q)", second, token)
	}
	if strings.Contains(b.get("/console/apps").Raw, second) {
		t.Fatal("the regenerated token is shown twice")
	}
}

func TestConsoleRevokedTokenEndsSession(t *testing.T) {
	env := backendtest.Start(t)
	b := newBrowser(t, env.OktaURL)
	b.signIn(env.OktaAPIToken)
	if p := b.get("/console/groups"); p.Status != http.StatusOK {
		t.Fatalf("groups: %d", p.Status)
	}
	if a := backendtest.Send(nil, http.MethodDelete, env.OktaURL+"/api/v1/api-tokens/current", nil, "Authorization", "SSWS "+env.OktaAPIToken).Sent(t); a.Status != http.StatusNoContent {
		t.Fatalf("revoke: %d", a.Status)
	}
	if p := b.get("/console/groups"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/console/login?expired=1" {
		t.Fatalf("after revocation: %d %s", p.Status, p.Header.Get("Location"))
	}
	if p := b.get("/console/groups"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/console/login" {
		t.Fatalf("the session outlived its token: %d %s", p.Status, p.Header.Get("Location"))
	}
}

func TestConsoleFacesKeepSeparateSessions(t *testing.T) {
	env := backendtest.Start(t)
	// Both faces on one host: cookies ignore ports, so the names differ.
	b := newBrowser(t, env.WrikeURL)
	b.signIn(env.WrikeAdminToken)
	b.base = env.OktaURL
	if p := b.get("/console/groups"); p.Status != http.StatusSeeOther {
		t.Fatalf("the Wrike session opened the Okta console: %d", p.Status)
	}
}

func TestConsoleBadFilterIsTheAPIsError(t *testing.T) {
	env := backendtest.Start(t)
	b := newBrowser(t, env.WrikeURL)
	b.signIn(env.WrikeAdminToken)
	p := b.get("/console/users?userType=Boss")
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Raw, "userType") {
		t.Fatalf("bad user type: %d %s", p.Status, p.Raw)
	}
	big := url.Values{"domain": {strings.Repeat("a", 70<<10)}}
	m := csrfField.FindStringSubmatch(b.get("/console/domains").Raw)
	big.Set("csrf", m[1])
	if p := b.do(http.MethodPost, "/console/domains", big); p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("70 KiB form: %d", p.Status)
	}
}

func TestConsoleOktaAssignmentsShowUserTypes(t *testing.T) {
	env := backendtest.Start(t)
	demo, _, err := env.Backend.Okta.SeedDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env.OktaURL)
	b.signIn(env.OktaAPIToken)
	back := url.Values{"back": {"/console/assignments"}}
	form := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range back {
			f[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	b.post("/console/assignments", "/console/assignments/users", form("user", "ann.lee@acme.example.com", "userType", "External"))
	b.post("/console/assignments", "/console/assignments/groups", form("groupId", demo.Groups["Sales"], "userType", "Collaborator"))
	b.post("/console/assignments", "/console/assignments/users", form("user", "nobody@acme.example.com"))
	p := b.get("/console/assignments")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<td>Sales</td><td>0</td><td>Collaborator</td>`),
		regexp.MustCompile(`<td>ann\.lee@acme\.example\.com</td><td><code>` + demo.Users["ann.lee@acme.example.com"] + `</code></td><td>directly</td>\s*<td>External</td>`),
		regexp.MustCompile(`<td>grace\.kim@acme\.example\.com</td><td><code>00u\w+</code></td><td>by group</td>`),
		regexp.MustCompile(`class="error"[^>]*>Not found`),
	} {
		if !want.MatchString(p.Raw) {
			t.Errorf("assignments page lacks %s:\n%s", want, p.Raw)
		}
	}
}
