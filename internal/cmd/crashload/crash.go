package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	wrikebackend "github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/wrikeclient"
)

type config struct {
	binary, dataDir  string
	kills            int
	users, oktaUsers int
	workers          int
	killMin, killMax time.Duration
	timeout          time.Duration
	verbose          bool
}

// report is the run's figures, printed as JSON at the end.
type report struct {
	Kills                 int     `json:"kills"`
	Restarts              int     `json:"restarts"`
	SCIMRequests          int64   `json:"scimRequests"`
	SCIMAcknowledged      int64   `json:"scimAcknowledged"`
	SCIMFailedInFlight    int64   `json:"scimRequestsCutByKill"`
	SCIMFoundOnRetry      int64   `json:"scimCommittedButUnacknowledged"`
	SCIMUsersVerified     int     `json:"scimUsersVerified"`
	KillsWithTasksPending int     `json:"killsWithProvisioningTasksPending"`
	OktaRequests          int64   `json:"oktaRequests"`
	OktaAcknowledged      int64   `json:"oktaAcknowledged"`
	OktaUsersVerified     int     `json:"oktaUsersProvisionedVerified"`
	ProvisionFailures     int     `json:"provisioningFailures"`
	Lost                  int     `json:"acknowledgedWritesLost"`
	Duplicates            int     `json:"duplicates"`
	Seconds               float64 `json:"seconds"`
}

// backend is the binary under test, restarted on the same ports and data.
type backend struct {
	cfg        config
	wrikeAddr  string
	oktaAddr   string
	hasOkta    bool
	proc       *reliabilitytest.Backend
	out        *reliabilitytest.LogSink
	adminToken string
	oktaToken  string
}

func (b *backend) start(ctx context.Context) error {
	b.out = &reliabilitytest.LogSink{}
	p, err := reliabilitytest.StartBackend(ctx, reliabilitytest.BackendOptions{
		Binary: b.cfg.binary, DataDir: b.cfg.dataDir, WrikeAddr: b.wrikeAddr, OktaAddr: b.oktaAddr, NoOktaFace: !b.hasOkta,
		Stdout: b.out, Stderr: b.out, Within: 20 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("%w:\n%s", err, b.out)
	}
	b.proc = p
	tok, err := wrikebackend.LoadTokens(b.cfg.dataDir)
	b.adminToken, b.oktaToken = tok.WrikeAdmin, tok.OktaAPI
	return err
}

// kill sends SIGKILL: no shutdown code runs, as in a power cut of the process.
func (b *backend) kill() {
	if b.proc == nil {
		return
	}
	b.proc.Kill()
	b.proc = nil
}

// hasOktaFace asks the binary's usage whether it serves the Okta face.
func hasOktaFace(bin string) bool {
	out, _ := exec.Command(bin, "-h").CombinedOutput()
	return bytes.Contains(out, []byte("-okta-addr"))
}

// client is an HTTP client with short timeouts, so requests cut by a kill
// fail fast and are retried.
var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

type answer struct {
	status int
	body   []byte
}

func call(ctx context.Context, method, u, auth string, body any) (answer, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return answer{}, err
		}
	}
	status, raw, err := (&reliabilitytest.Client{HTTP: client, Auth: auth}).Do(ctx, method, u, string(b))
	if err != nil {
		return answer{}, err
	}
	return answer{status: status, body: raw}, nil
}

// must calls until the backend answers (it may be down for a restart) and
// fails unless the answer has the wanted status.
func must(ctx context.Context, want int, method, u, auth string, body, out any) error {
	for {
		a, err := call(ctx, method, u, auth, body)
		if err == nil {
			if a.status != want {
				return fmt.Errorf("%s %s: %d, want %d: %s", method, redactURL(u), a.status, want, a.body)
			}
			if out != nil {
				return json.Unmarshal(a.body, out)
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s %s: %w", method, redactURL(u), ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func redactURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}

func crashRun(ctx context.Context, cfg config, log io.Writer) (*report, error) {
	began := time.Now()
	rep := &report{}
	b := &backend{cfg: cfg, hasOkta: hasOktaFace(cfg.binary)}
	var err error
	if b.wrikeAddr, err = reliabilitytest.FreeAddr(); err != nil {
		return nil, err
	}
	if b.oktaAddr, err = reliabilitytest.FreeAddr(); err != nil {
		return nil, err
	}
	if err := b.start(ctx); err != nil {
		return nil, err
	}
	defer b.kill()
	if b.adminToken == "" {
		return nil, errors.New("the first start printed no admin token")
	}
	wrike := "http://" + b.wrikeAddr
	admin := "Bearer " + b.adminToken

	// Setup through the admin API, before the first kill.
	scimToken, err := reliabilitytest.SetUpSCIM(&reliabilitytest.Client{HTTP: client, Auth: admin}, wrike, "example.com", "crash load")
	if err != nil {
		return nil, err
	}
	v4 := "Bearer " + scimToken
	scimBase := wrike + "/scim/okta/v2"

	var prov *provisioning
	if b.hasOkta && cfg.oktaUsers > 0 {
		if b.oktaToken == "" {
			return nil, errors.New("the first start printed no Okta API token")
		}
		prov = &provisioning{okta: "http://" + b.oktaAddr, auth: "SSWS " + b.oktaToken, scimBase: scimBase, v4Token: scimToken, n: cfg.oktaUsers, rep: rep}
		if err := prov.setup(ctx); err != nil {
			return rep, fmt.Errorf("provisioning setup: %w", err)
		}
	}

	// The load runs while a killer kills and restarts the backend.
	load := &scimLoad{base: scimBase, auth: v4, n: cfg.users, rep: rep}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Add(1)
		go func() { defer wg.Done(); load.worker(loadCtx) }()
	}
	provErr := make(chan error, 1)
	if prov != nil {
		go func() { provErr <- prov.drive(loadCtx) }()
	} else {
		provErr <- nil
	}
	for k := 1; k <= cfg.kills; k++ {
		wait := cfg.killMin + rand.N(cfg.killMax-cfg.killMin+1)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return rep, fmt.Errorf("timed out before kill %d: %w", k, ctx.Err())
		}
		if prov != nil && prov.pending(ctx) {
			rep.KillsWithTasksPending++
		}
		b.kill()
		rep.Kills++
		if cfg.verbose {
			fmt.Fprintf(log, "kill -9 #%d after %v: %d SCIM writes acknowledged so far\n", k, wait, atomic.LoadInt64(&rep.SCIMAcknowledged))
		}
		if err := b.start(ctx); err != nil {
			return rep, fmt.Errorf("restart %d: %w", k, err)
		}
		rep.Restarts++
	}
	// Let the load finish what it started, then kill once more so that
	// the check reads only what reached the disk.
	load.stop.Store(true)
	wg.Wait()
	if err := <-provErr; err != nil {
		return rep, fmt.Errorf("provisioning load: %w", err)
	}
	if load.err != nil {
		return rep, load.err
	}
	b.kill()
	rep.Kills++
	if err := b.start(ctx); err != nil {
		return rep, fmt.Errorf("final restart: %w", err)
	}
	rep.Restarts++

	if err := load.verify(ctx); err != nil {
		return rep, err
	}
	if prov != nil {
		if err := prov.verify(ctx, wrike, b.adminToken); err != nil {
			return rep, err
		}
	}
	// The tokens from the first start still work: they are durable too.
	if err := must(ctx, 200, "GET", wrike+"/api/v4/account", admin, nil, nil); err != nil {
		return rep, fmt.Errorf("admin token after restarts: %w", err)
	}
	rep.Seconds = time.Since(began).Round(10 * time.Millisecond).Seconds()
	if rep.Lost > 0 || rep.Duplicates > 0 || rep.ProvisionFailures > 0 {
		return rep, fmt.Errorf("%d acknowledged writes lost, %d duplicates, %d provisioning failures", rep.Lost, rep.Duplicates, rep.ProvisionFailures)
	}
	return rep, nil
}

// scimLoad creates users crash-NNNNN@example.com. Each is retried until
// the backend answers: 201 is an acknowledged write; 409 on a retry means
// the cut request had committed before the kill (the write was durable
// though unacknowledged), and its id is looked up.
type scimLoad struct {
	base, auth string
	n          int
	next       atomic.Int64 // names taken so far
	stop       atomic.Bool  // set after the last kill: take no new name
	rep        *report
	mu         sync.Mutex
	acked      map[string]string // userName → id answered
	resolved   map[string]string // userName → id found after a cut request
	err        error
}

func userBody(name string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": name, "externalId": "ext-" + name, "active": true,
		"name":   map[string]string{"givenName": "Crash", "familyName": "Load"},
		"emails": []map[string]any{{"value": name, "primary": true, "type": "work"}},
	}
}

func (l *scimLoad) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
}

func (l *scimLoad) worker(ctx context.Context) {
	for !l.stop.Load() {
		i := l.next.Add(1) - 1
		if i >= int64(l.n) {
			l.next.Add(-1)
			return
		}
		name := fmt.Sprintf("crash-%05d@example.com", i)
		cut := false
		for {
			if ctx.Err() != nil {
				l.fail(fmt.Errorf("load stopped with %s unresolved: %w", name, ctx.Err()))
				return
			}
			atomic.AddInt64(&l.rep.SCIMRequests, 1)
			a, err := call(ctx, "POST", l.base+"/Users", l.auth, userBody(name))
			if err != nil || a.status >= 500 {
				atomic.AddInt64(&l.rep.SCIMFailedInFlight, 1)
				cut = true
				time.Sleep(30 * time.Millisecond)
				continue
			}
			var u struct{ ID string }
			switch {
			case a.status == http.StatusCreated && json.Unmarshal(a.body, &u) == nil && u.ID != "":
				atomic.AddInt64(&l.rep.SCIMAcknowledged, 1)
				l.mu.Lock()
				if l.acked == nil {
					l.acked = map[string]string{}
				}
				l.acked[name] = u.ID
				l.mu.Unlock()
			case a.status == http.StatusConflict && cut:
				atomic.AddInt64(&l.rep.SCIMFoundOnRetry, 1)
				l.mu.Lock()
				if l.resolved == nil {
					l.resolved = map[string]string{}
				}
				l.resolved[name] = ""
				l.mu.Unlock()
			default:
				l.fail(fmt.Errorf("POST /Users %s: %d %s", name, a.status, a.body))
				return
			}
			break
		}
	}
}

// listUsers pages through every SCIM user.
func listUsers(ctx context.Context, base, auth string) (map[string][]string, error) {
	byName := map[string][]string{}
	for start := 1; ; {
		var page struct {
			TotalResults int `json:"totalResults"`
			Resources    []struct {
				ID, UserName, ExternalID string
			} `json:"Resources"`
		}
		u := fmt.Sprintf("%s/Users?startIndex=%d&count=1000", base, start)
		if err := must(ctx, 200, "GET", u, auth, nil, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Resources {
			byName[strings.ToLower(r.UserName)] = append(byName[strings.ToLower(r.UserName)], r.ID)
		}
		start += len(page.Resources)
		if len(page.Resources) == 0 || start > page.TotalResults {
			return byName, nil
		}
	}
}

func (l *scimLoad) verify(ctx context.Context) error {
	byName, err := listUsers(ctx, l.base, l.auth)
	if err != nil {
		return err
	}
	for name, id := range l.acked {
		ids := byName[name]
		switch {
		case len(ids) == 0:
			l.rep.Lost++
		case len(ids) > 1:
			l.rep.Duplicates++
		case ids[0] != id:
			return fmt.Errorf("%s has id %s, but %s was acknowledged", name, ids[0], id)
		}
	}
	for name := range l.resolved {
		if len(byName[name]) != 1 {
			return fmt.Errorf("%s: committed before a kill, but %d users now", name, len(byName[name]))
		}
	}
	crash := 0
	for name := range byName {
		if strings.HasPrefix(name, "crash-") {
			crash++
		}
	}
	if want := int(l.next.Load()); crash != want {
		return fmt.Errorf("%d crash-load users stored, want %d (each created once)", crash, want)
	}
	l.rep.SCIMUsersVerified = crash
	return nil
}

// provisioning is the Okta side: users in a group assigned to the Wrike
// app, pushed by the engine over SCIM while the backend is killed.
type provisioning struct {
	okta, auth, scimBase, v4Token string
	n                             int
	rep                           *report
	appID, groupID                string
	users                         []string // Okta user ids
}

func (p *provisioning) must(ctx context.Context, want int, method, path string, body, out any) error {
	atomic.AddInt64(&p.rep.OktaRequests, 1)
	if err := must(ctx, want, method, p.okta+path, p.auth, body, out); err != nil {
		return err
	}
	atomic.AddInt64(&p.rep.OktaAcknowledged, 1)
	return nil
}

func (p *provisioning) setup(ctx context.Context) error {
	var app struct{ ID string }
	if err := p.must(ctx, 200, "POST", "/api/v1/apps", map[string]any{"name": "wrike", "label": "Wrike", "signOnMode": "SAML_2_0"}, &app); err != nil {
		return err
	}
	p.appID = app.ID
	if err := p.must(ctx, 200, "POST", "/api/v1/apps/"+p.appID+"/connections/default?activate=true",
		map[string]any{"baseUrl": p.scimBase, "profile": map[string]string{"authScheme": "TOKEN", "token": p.v4Token}}, nil); err != nil {
		return err
	}
	on := map[string]string{"status": "ENABLED"}
	if err := p.must(ctx, 200, "PUT", "/api/v1/apps/"+p.appID+"/features/USER_PROVISIONING", map[string]any{
		"create": map[string]any{"lifecycleCreate": on},
		"update": map[string]any{"profile": on, "lifecycleDeactivate": on},
	}, nil); err != nil {
		return err
	}
	var g struct{ ID string }
	if err := p.must(ctx, 200, "POST", "/api/v1/groups", map[string]any{"profile": map[string]string{"name": "Crash load"}}, &g); err != nil {
		return err
	}
	p.groupID = g.ID
	if err := p.must(ctx, 200, "PUT", "/api/v1/apps/"+p.appID+"/groups/"+p.groupID, map[string]any{}, nil); err != nil {
		return err
	}
	for i := range p.n {
		login := fmt.Sprintf("prov-%04d@example.com", i)
		var u struct{ ID string }
		if err := p.must(ctx, 200, "POST", "/api/v1/users?activate=true", map[string]any{"profile": map[string]string{
			"login": login, "email": login, "firstName": "Prov", "lastName": fmt.Sprintf("User %d", i),
			"title": "Engineer", "department": "R&D", "organization": "Acme"}}, &u); err != nil {
			return err
		}
		p.users = append(p.users, u.ID)
	}
	return nil
}

// drive adds the users to the assigned group one by one (each an
// acknowledged change that enqueues a provisioning task), then changes
// every tenth user's title (a profile push), while kills happen.
func (p *provisioning) drive(ctx context.Context) error {
	for _, id := range p.users {
		if err := p.must(ctx, 204, "PUT", "/api/v1/groups/"+p.groupID+"/users/"+id, nil, nil); err != nil {
			return err
		}
	}
	for i := 0; i < len(p.users); i += 10 {
		if err := p.must(ctx, 200, "POST", "/api/v1/users/"+p.users[i], map[string]any{"profile": map[string]string{"title": "Lead"}}, nil); err != nil {
			return err
		}
	}
	return nil
}

// pending reports whether provisioning tasks are queued or running now.
func (p *provisioning) pending(ctx context.Context) bool {
	a, err := call(ctx, "GET", p.okta+"/api/v1/_backend/provisioning/wait?timeout=1ms", p.auth, nil)
	if err != nil {
		return false
	}
	var c struct{ Pending int }
	return json.Unmarshal(a.body, &c) == nil && c.Pending > 0
}

func (p *provisioning) verify(ctx context.Context, wrike, adminToken string) error {
	var waited struct{ Pending, Failed int }
	if err := p.must(ctx, 200, "GET", "/api/v1/_backend/provisioning/wait?timeout=60s", nil, &waited); err != nil {
		return fmt.Errorf("the provisioning queue did not resume and drain: %w", err)
	}
	p.rep.ProvisionFailures = waited.Failed
	client, err := wrikeclient.New(wrikeclient.Config{URL: wrike, Token: adminToken, Version: "crashload"})
	if err != nil {
		return err
	}
	users, err := client.ListUsers(ctx, wrikeclient.UserFilter{Domain: "example.com"})
	if err != nil {
		return fmt.Errorf("list the Wrike users: %w", err)
	}
	seen := map[string]int{}
	titles := map[string]string{}
	for _, u := range users {
		if strings.HasPrefix(u.UserName, "prov-") {
			seen[u.UserName]++
			titles[u.UserName] = u.Title
			if !u.Active {
				return fmt.Errorf("%s is provisioned but not active", u.UserName)
			}
		}
	}
	for i := range p.n {
		login := fmt.Sprintf("prov-%04d@example.com", i)
		switch n := seen[login]; {
		case n == 0:
			p.rep.Lost++
		case n > 1:
			p.rep.Duplicates++
		}
		want := "Engineer"
		if i%10 == 0 {
			want = "Lead"
		}
		if seen[login] == 1 && titles[login] != want {
			return fmt.Errorf("%s: title %q in Wrike, want %q (a profile push was lost)", login, titles[login], want)
		}
	}
	p.rep.OktaUsersVerified = len(seen)
	// The app users carry the Wrike ids; one Okta user is one Wrike user.
	ext := map[string]bool{}
	var appUsers []struct {
		ExternalID string `json:"externalId"`
		Status     string `json:"status"`
	}
	q := url.Values{"limit": {"500"}}
	if err := p.must(ctx, 200, "GET", "/api/v1/apps/"+p.appID+"/users?"+q.Encode(), nil, &appUsers); err != nil {
		return err
	}
	for _, au := range appUsers {
		if au.ExternalID == "" {
			return fmt.Errorf("an app user has no Wrike id after the queue drained (status %s)", au.Status)
		}
		if ext[au.ExternalID] {
			p.rep.Duplicates++
		}
		ext[au.ExternalID] = true
	}
	if len(appUsers) != p.n {
		return fmt.Errorf("%d app users, want %d", len(appUsers), p.n)
	}
	return nil
}
