package console_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// consoleWidth is the browser window's width: a laptop's 1280 px, at which
// the tables must show what an admin acts on without scrolling sideways.
const consoleWidth = 1280

// tab drives one browser tab against the consoles and keeps every page it
// read, so that the test can check what a page ever showed.
type tab struct {
	t     *testing.T
	ctx   context.Context
	shots string
	seen  []string
}

// startBrowser starts headless chromium for the test, or skips the test
// when it is not installed (outside CI, where its absence is a failure).
func startBrowser(t *testing.T) *tab {
	t.Helper()
	if _, err := os.Stat(chromiumPath); errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install chromium (apt-get install -y chromium)", chromiumPath)
		}
		t.Skipf("%s is not installed: apt-get install -y chromium to run the browser tests", chromiumPath)
	}
	shots := os.Getenv("CONSOLE_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.WindowSize(consoleWidth, 800), chromedp.UserDataDir(t.TempDir()))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	// The first action starts the browser (or the tab) and ties it to the
	// context it runs with: the tab's own, not a step's shorter one.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	return &tab{t: t, ctx: bctx, shots: shots}
}

// newTab opens another tab of the same browser (same cookies).
func (b *tab) newTab() *tab {
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.t.Fatalf("new tab: %v", err)
	}
	return &tab{t: b.t, ctx: ctx, shots: b.shots}
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	// Each step has its own deadline, so that a missing element fails fast
	// and the failure shows the page.
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		h, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		b.t.Fatalf("browser: %v; the page:\n%s", err, h)
	}
}

// html is the current page, recorded.
func (b *tab) html() string {
	b.t.Helper()
	h, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.t.Fatalf("browser: read page: %v", err)
	}
	b.seen = append(b.seen, h)
	return h
}

// open loads url and returns the page.
func (b *tab) open(url string) string {
	b.t.Helper()
	b.do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("h1")))
	return b.html()
}

// submit clicks the button sel and waits for the page the form returns to,
// failing on an error message there.
func (b *tab) submit(sel string) string {
	b.t.Helper()
	// The page before the click is marked, so the wait is for the message
	// of the page the form leads to, not one already shown.
	b.do(chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.before = "1"`),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS("html:not([data-before]) :is(p.notice, p.error)")))
	h := b.html()
	if m := regexp.MustCompile(`class="error"[^>]*>([^<]*)`).FindStringSubmatch(h); m != nil {
		b.t.Fatalf("clicking %s: the console said: %s", sel, m[1])
	}
	return h
}

func (b *tab) fill(sel, text string) {
	b.t.Helper()
	b.do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

func (b *tab) screenshot(name string) {
	b.t.Helper()
	// Headless chromium can leave a capture unanswered (a frame that is
	// never produced): each try has a deadline, and the tab is brought to
	// the front first so that it renders.
	var err error
	for range 3 {
		ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
		var png []byte
		png, err = chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			if _, err := cdp.Call(ctx, t, cdppage.BringToFront, cdp.Empty{}); err != nil {
				return nil, err
			}
			return chromedp.CaptureScreenshot()(ctx, t)
		})
		cancel()
		if err == nil {
			if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
				b.t.Fatal(err)
			}
			return
		}
	}
	b.t.Fatalf("screenshot %s: %v", name, err)
}

// visible fails unless each header of the page's tables named in headers
// lies within the window, and the page does not scroll sideways.
func (b *tab) visible(headers ...string) {
	b.t.Helper()
	type layout struct {
		Scroll, Width int
		Right         map[string]float64
	}
	js := `(() => { const r = {}; for (const th of document.querySelectorAll("th")) r[th.textContent] = th.getBoundingClientRect().right;
		return {Scroll: document.documentElement.scrollWidth, Width: window.innerWidth, Right: r}; })()`
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[layout](js))
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	if out.Scroll > out.Width {
		b.t.Errorf("the page is %d px wide in a %d px window: it scrolls sideways", out.Scroll, out.Width)
	}
	for _, h := range headers {
		right, ok := out.Right[h]
		if !ok {
			b.t.Errorf("no column %q", h)
		} else if right > float64(out.Width) {
			b.t.Errorf("column %q ends at %.0f px, beyond the %d px window", h, right, out.Width)
		}
	}
}

// column is the text of the cells of column i (from 1) of table sel, top to bottom.
func (b *tab) column(sel string, i int) []string {
	b.t.Helper()
	cells, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("`+sel+` tr td:nth-child(`+strconv.Itoa(i)+`)")].map(td => td.textContent)`))
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return cells
}

// waitFor re-reads the page (which reloads itself, or is reloaded by
// reload) until it contains want, for at most 30 seconds.
func (b *tab) waitFor(want string, reload func()) string {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if reload != nil {
			reload()
		}
		if h := b.html(); strings.Contains(h, want) {
			return h
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the page never showed %q", want)
		}
		<-tick.C
	}
}

func TestConsoleInBrowser(t *testing.T) {
	b := startBrowser(t)
	env := backendtest.Start(t)
	demo, _, err := env.Backend.Okta.SeedDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w, o := env.WrikeURL+"/console/", env.OktaURL+"/console/"

	// Sign in to the Wrike console with the admin token.
	if h := b.open(w + "users"); !strings.Contains(h, `name="token"`) {
		t.Fatalf("the users page opened without a session: %s", h)
	}
	b.fill(`input[name="token"]`, env.WrikeAdminToken)
	b.do(chromedp.Click(chromedp.CSS("main button")), chromedp.WaitVisible(chromedp.CSS(`form[action="/console/logout"]`)))

	// Approve a domain.
	b.open(w + "domains")
	b.fill(`input[name="domain"]`, "acme.example.com")
	if h := b.submit("main form button"); !strings.Contains(h, "<td>acme.example.com</td>") {
		t.Fatalf("domain not listed: %s", h)
	}

	// Create an API app: its token is shown once.
	b.open(w + "apps")
	b.fill(`input[name="name"]`, "Okta provisioning")
	b.submit("main form button")
	v4, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("#secret")))
	if err != nil || !strings.HasPrefix(v4, "wrk4_") {
		t.Fatalf("the new token is not shown: %q %v", v4, err)
	}
	shownAt := len(b.seen)
	// The app's id, which terraform import of wrike_api_token takes, tells two apps of one name apart.
	b.open(w + "apps")
	b.fill(`input[name="name"]`, "Okta provisioning")
	b.submit("main form button")
	h0 := b.open(w + "apps")
	if ids := regexp.MustCompile(`<td>Okta provisioning</td><td><code>([A-Z0-9]+)</code>`).FindAllStringSubmatch(h0, -1); len(ids) != 2 || ids[0][1] == ids[1][1] {
		t.Fatalf("two API apps of one name are not told apart by their ids: %v\n%s", ids, h0)
	}
	b.screenshot("wrike-api-apps")

	// Enable the Okta SCIM integration.
	b.open(w)
	h := b.submit(`form[action="/console/scim/okta"] button`)
	scimURL := env.WrikeURL + "/scim/okta/v2"
	if !strings.Contains(h, scimURL) || !strings.Contains(h, ">Enabled<") {
		t.Fatalf("integration: %s", h)
	}

	// Sign in to the Okta console with a one-time link, as make demo prints it.
	m := linkURL.FindStringSubmatch(mintLink(t, env.OktaURL, "SSWS "+env.OktaAPIToken).Raw)
	if m == nil {
		t.Fatal("no sign-in link")
	}
	b.do(chromedp.Navigate(m[1]), chromedp.WaitVisible(chromedp.CSS(`form[action="/console/logout"]`)))

	// Provisioning: save and test the credentials, turn on the three toggles.
	b.open(o)
	b.do(chromedp.SetValue(chromedp.CSS(`input[name="baseUrl"]`), scimURL))
	b.fill(`input[name="token"]`, v4)
	if h := b.submit(`form[action="/console/connection"] button`); !strings.Contains(h, `id="connection">ENABLED`) {
		t.Fatalf("connection not enabled: %s", h)
	}
	for _, c := range []string{"create", "update", "deactivate"} {
		b.do(chromedp.Click(chromedp.CSS(`input[name="` + c + `"]`)))
	}
	b.submit(`form[action="/console/features"] button`)
	h = b.submit("#test")
	for _, c := range []string{"create", "update", "deactivate"} {
		if !regexp.MustCompile(`name="` + c + `" checked`).MatchString(h) {
			t.Fatalf("toggle %s is off after saving: %s", c, h)
		}
	}
	b.screenshot("okta-provisioning")

	// Groups show their members and ids; users their ids; both in a stable order.
	h = b.open(o + "groups")
	if !strings.Contains(h, "<td>Engineering</td><td>7</td><td><code>"+demo.Groups["Engineering"]+"</code>") ||
		!strings.Contains(h, "<td>Sales</td><td>5</td>") || !strings.Contains(h, "<td>Everyone</td><td>12</td>") {
		t.Fatalf("groups without their member counts and ids: %s", h)
	}
	if names := b.column("#groups", 1); strings.Join(names, ",") != "Everyone,Engineering,Sales" {
		t.Errorf("groups in the order %v", names)
	}
	b.screenshot("okta-groups")
	h = b.open(o + "users")
	if !strings.Contains(h, "<td>ann.lee@acme.example.com</td><td><code>"+demo.Users["ann.lee@acme.example.com"]+"</code>") {
		t.Fatalf("Okta users without their ids: %s", h)
	}
	if logins := b.column("#oktausers", 1); !slices.IsSorted(logins) || len(logins) != 12 {
		t.Errorf("Okta users in the order %v", logins)
	}
	b.visible("Login", "Id", "Name", "Status")
	b.screenshot("okta-users")

	// Assign Engineering (Regular): six acme users and one partner user.
	b.open(o + "assignments")
	b.do(chromedp.SetValue(chromedp.CSS(`select[name="groupId"]`), demo.Groups["Engineering"]),
		chromedp.SetValue(chromedp.CSS(`main form select[name="userType"]`), "Regular"))
	if h := b.submit(`form[action="/console/assignments/groups"] button`); !strings.Contains(h, "<td>Engineering</td>") {
		t.Fatalf("group not assigned: %s", h)
	}

	// Watch the users appear in Wrike.
	b.open(w + "users?domain=acme.example.com")
	h = b.waitFor(`id="total">6<`, func() { b.open(w + "users?domain=acme.example.com") })
	if !strings.Contains(h, "ann.lee@acme.example.com") || !strings.Contains(h, "Engineering Manager") {
		t.Fatalf("Wrike users: %s", h)
	}
	b.visible("User name", "User type", "Active", "Billable", "Identity provider")
	if names := b.column("#users", 1); !slices.IsSorted(names) || len(names) != 6 {
		t.Errorf("Wrike users in the order %v", names)
	}
	b.screenshot("wrike-users")
	env.WaitProvisioning(t)

	// The refused partner user's assignment is in ERROR with Wrike's reason beside it.
	h = b.open(o + "assignments")
	if !regexp.MustCompile(`(?s)pat\.quinn@partner\.example\.net</td>.*?<span class="bad">ERROR</span><br><span class="reason">[^<]*not an approved domain`).MatchString(h) {
		t.Fatalf("the ERROR assignment shows no reason: %s", h)
	}
	b.visible("Login", "Okta id", "Sync", "Wrike id")
	b.screenshot("okta-assignments")

	// The System Log shows the pushes, and the partner user's refusal.
	h = b.open(o + "logs")
	if !strings.Contains(h, `http-equiv="refresh"`) || strings.Count(h, "application.provision.user.push<") < 7 ||
		!strings.Contains(h, "pat.quinn@partner.example.net") {
		t.Fatalf("System Log: %s", h)
	}
	if strings.Contains(h, "<td>bootstrap</td>") || strings.Contains(h, "<td>preset</td>") ||
		!strings.Contains(h, "<td>Admin (API token ") {
		t.Errorf("the System Log's actors are not the admin's API token: %s", h)
	}
	b.screenshot("okta-system-log")

	// The refused user is a failed task. Approve the partner domain in Wrike
	// and retry it from Okta; a second tab watches the System Log refresh itself.
	h = b.open(o + "tasks")
	if !strings.Contains(h, "pat.quinn@partner.example.net") || !strings.Contains(h, "FAILED") {
		t.Fatalf("tasks: %s", h)
	}
	b.screenshot("okta-tasks")
	logs := b.newTab()
	logs.open(o + "logs?outcome=SUCCESS&user=pat.quinn%40partner.example.net")
	b.open(w + "domains")
	b.fill(`input[name="domain"]`, "partner.example.net")
	b.submit("main form button")
	b.open(o + "tasks")
	if h := b.submit(`#tasks form button`); !strings.Contains(h, "Retrying pat.quinn@partner.example.net") {
		t.Fatalf("retry: %s", h)
	}
	logs.waitFor("application.provision.user.push<", nil)
	env.WaitProvisioning(t)
	if h := b.open(o + "tasks"); !strings.Contains(h, "No task waiting or failed") {
		t.Fatalf("tasks after the retry: %s", h)
	}
	if h := b.open(w + "users?domain=partner.example.net"); !strings.Contains(h, "pat.quinn@partner.example.net") {
		t.Fatalf("the retried user is not in Wrike: %s", h)
	}
	b.open(w)
	b.screenshot("wrike-account")

	// Sign out: the pages need a session again.
	b.do(chromedp.Click(chromedp.CSS(`form[action="/console/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`input[name="token"]`)))
	if h := b.open(w + "apps"); !strings.Contains(h, `name="token"`) {
		t.Fatalf("after sign-out: %s", h)
	}

	for i, page := range append(b.seen, logs.seen...) {
		if strings.Contains(page, env.WrikeAdminToken) || strings.Contains(page, env.OktaAPIToken) {
			t.Fatalf("page %d shows a sign-in token", i)
		}
		if i > shownAt && i < len(b.seen) && strings.Contains(page, v4) {
			t.Fatalf("page %d shows the API app token after its one showing", i)
		}
	}
	t.Logf("screenshots in %s", b.shots)
}
