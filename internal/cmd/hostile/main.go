// Command hostile measures the reference backend under hostile load: the
// costliest request of each kind a client can send within the size limits
// and the per-request cost budget (long co operands over long values,
// hundreds of co clauses, value filters over every element of multi-valued
// attributes, sorting, PATCH requests of a thousand value-path operations,
// Okta searches of hundreds of co clauses and megabyte-long operands), each
// on its own, then all at once while userName eq lookups run.
//
// It starts a wrike-backend binary on loopback with a fresh data directory,
// provisions ordinary users and "fat" users (every attribute and every
// multi-valued attribute at its limit) on both faces, then reports, per
// kind, the answers and the backend's CPU time per request (each kind run
// alone, so that the process's CPU time is that request's), and the lookups'
// p50 and p99 idle and under all the kinds at once. dev/BENCHMARKS.md holds the
// figures; the target is about 1 s of CPU for any single request and
// lookups' p99 within 3× idle.
//
//	go build -o bin/ ./internal/cmd/... && ./bin/hostile -backend ./bin/wrike-backend
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

func main() {
	bin := flag.String("backend", "./bin/wrike-backend", "wrike-backend binary to measure")
	users := flag.Int("users", 2000, "ordinary Wrike users (looked up by userName)")
	fat := flag.Int("fat", 200, "Wrike users with every attribute at its limit")
	oktaUsers := flag.Int("okta-users", 500, "Okta users, every profile attribute at its limit")
	conns := flag.Int("conns", 8, "connections sending userName eq lookups")
	duration := flag.Duration("duration", 20*time.Second, "duration of each lookup measurement")
	runs := flag.Int("runs", 3, "requests of each kind measured alone")
	only := flag.String("only", "", "run only the kinds whose name contains this")
	flag.Parse()
	if err := run(*bin, *users, *fat, *oktaUsers, *conns, *duration, *runs, *only); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

const domain = "hostile.example.com"

// client sends requests with one Authorization header.
type client struct {
	hc   *http.Client
	auth string
}

func (c *client) do(ctx context.Context, method, u, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", c.auth)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (c *client) must(method, u, body string, want int) ([]byte, error) {
	status, b, err := c.do(context.Background(), method, u, body)
	if err != nil {
		return nil, err
	}
	if status != want {
		return nil, fmt.Errorf("%s %s: status %d: %.300s", method, u, status, b)
	}
	return b, nil
}

// backendProc is a running wrike-backend.
type backendProc struct {
	cmd         *exec.Cmd
	wrike, okta string // http://host:port of each face
	done        chan struct{}
}

func startBackend(bin, dataDir string) (*backendProc, error) {
	wrikeAddr, err := reliabilitytest.FreeAddr()
	if err != nil {
		return nil, err
	}
	oktaAddr, err := reliabilitytest.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--wrike-addr", wrikeAddr, "--okta-addr", oktaAddr, "--data-dir", dataDir, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &backendProc{cmd: cmd, wrike: "http://" + wrikeAddr, okta: "http://" + oktaAddr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.wrike + "/api/v4/account")
		if err == nil {
			_ = resp.Body.Close()
			return p, nil
		}
		select {
		case <-p.done:
			return nil, errors.New("the backend exited")
		case <-time.After(10 * time.Millisecond):
		}
	}
	p.kill()
	return nil, errors.New("the backend did not answer within two minutes")
}

func (p *backendProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

func userName(i int) string { return fmt.Sprintf("user%06d@%s", i, domain) }

func ordinaryUser(i int) string {
	n := userName(i)
	return fmt.Sprintf(`{"schemas":[%q],"userName":%q,"name":{"givenName":"Given%d","familyName":"Family%d"},`+
		`"emails":[{"primary":true,"value":%q,"type":"work"}],"title":"Engineer","active":true}`, scim.SchemaUser, n, i, i, n)
}

// fatAddress is the k-th email address of fat user i: long, distinct, parseable.
func fatAddress(i, k int) string {
	return fmt.Sprintf("fat%04d.%02d.%s@%s", i, k, strings.Repeat("a", 50), domain)
}

// fatUser is a user with every writable attribute, and every multi-valued
// attribute's every value, at its limit (some 250 KB of JSON).
func fatUser(i int) string {
	l := func(n int) string { return strings.Repeat("a", n) }
	values := func(mk func(k int) map[string]any) []any {
		out := make([]any, scim.DefaultMaxValues)
		for k := range out {
			out[k] = mk(k)
		}
		return out
	}
	name := scim.MaxNameLength
	u := map[string]any{
		"schemas":  []string{scim.SchemaUser, scim.SchemaEnterpriseUser},
		"userName": fatAddress(i, 0),
		"name": map[string]any{"formatted": l(name), "familyName": l(name), "givenName": l(name), "middleName": l(name),
			"honorificPrefix": l(name), "honorificSuffix": l(name)},
		"displayName": l(name), "nickName": l(name), "title": l(name),
		"profileUrl": "https://" + l(scim.DefaultMaxReferenceLength-8),
		"userType":   l(scim.DefaultMaxLength), "preferredLanguage": l(scim.DefaultMaxLength), "locale": l(scim.DefaultMaxLength),
		"timezone": l(scim.DefaultMaxLength), "active": true,
		"emails": values(func(k int) map[string]any {
			return map[string]any{"value": fatAddress(i, k), "type": "other", "primary": k == 0, "display": l(scim.DefaultMaxLength)}
		}),
		"phoneNumbers": values(func(k int) map[string]any {
			return map[string]any{"value": fmt.Sprintf("%02d", k) + strings.Repeat("5", scim.MaxPhoneLength-2), "display": l(scim.DefaultMaxLength), "type": "work"}
		}),
		"addresses": values(func(k int) map[string]any {
			return map[string]any{"formatted": fmt.Sprintf("%02d", k) + l(scim.DefaultMaxLength-2), "streetAddress": l(scim.DefaultMaxLength),
				"locality": l(scim.DefaultMaxLength), "region": l(scim.DefaultMaxLength), "postalCode": l(scim.DefaultMaxLength),
				"country": l(scim.DefaultMaxLength), "type": "work"}
		}),
		"x509Certificates": values(func(k int) map[string]any {
			return map[string]any{"value": fmt.Sprintf("%04d", k) + strings.Repeat("A", scim.DefaultMaxBinaryLength-4), "display": l(scim.DefaultMaxLength)}
		}),
		scim.SchemaEnterpriseUser: map[string]any{"employeeNumber": l(scim.DefaultMaxLength), "costCenter": l(scim.DefaultMaxLength),
			"organization": l(scim.DefaultMaxLength), "division": l(scim.DefaultMaxLength), "department": l(scim.DefaultMaxLength),
			"manager": map[string]any{"value": l(scim.DefaultMaxLength)}},
	}
	for _, attr := range []string{"ims", "entitlements", "roles", "photos"} {
		length := scim.DefaultMaxLength
		if attr == "photos" {
			length = scim.DefaultMaxReferenceLength
		}
		u[attr] = values(func(k int) map[string]any {
			return map[string]any{"value": fmt.Sprintf("%02d", k) + l(length-2), "display": l(scim.DefaultMaxLength)}
		})
	}
	b, _ := json.Marshal(u)
	return string(b)
}

// oktaProfile is an Okta user's profile with every base attribute at its
// limit (the Okta face's: 100 for the addresses and phones, 50 for the
// first and last name, 256 for the other names and the title, 1,024 else).
func oktaProfile(i int) map[string]string {
	addr := func(prefix string) string {
		return fmt.Sprintf("%s%04d", prefix, i) + strings.Repeat("a", 35) + "@" + strings.Repeat("d", 100-41-len(".example.com")) + ".example.com"
	}
	p := map[string]string{"login": addr("l"), "email": addr("e"), "secondEmail": addr("s"),
		"firstName": strings.Repeat("f", 50), "lastName": strings.Repeat("l", 50),
		"primaryPhone": strings.Repeat("5", 100), "mobilePhone": strings.Repeat("5", 100)}
	for _, k := range []string{"middleName", "honorificPrefix", "honorificSuffix", "title", "displayName", "nickName"} {
		p[k] = strings.Repeat("a", scim.MaxNameLength)
	}
	for _, k := range []string{"profileUrl", "streetAddress", "city", "state", "zipCode", "countryCode", "postalAddress",
		"preferredLanguage", "locale", "timezone", "userType", "employeeNumber", "costCenter", "organization", "division",
		"department", "managerId", "manager"} {
		p[k] = strings.Repeat("a", scim.DefaultMaxLength)
	}
	return p
}

// parallel runs fn(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// kind is one hostile request.
type kind struct {
	name string
	send func(ctx context.Context) (int, error)
}

func run(bin string, users, fat, oktaUsers, conns int, duration time.Duration, runs int, only string) error {
	dataDir, err := os.MkdirTemp("", "hostile-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dataDir) }()
	proc, err := startBackend(bin, dataDir)
	if err != nil {
		return err
	}
	defer proc.kill()
	pid := proc.cmd.Process.Pid
	tokens, err := backend.LoadTokens(dataDir)
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}, Timeout: 2 * time.Minute}
	admin := &client{hc: hc, auth: "Bearer " + tokens.WrikeAdmin}
	if _, err := admin.must("POST", proc.wrike+"/api/v4/approved_domains", `{"domain":"`+domain+`"}`, 200); err != nil {
		return err
	}
	appJSON, err := admin.must("POST", proc.wrike+"/api/v4/api_apps", `{"name":"hostile"}`, 200)
	if err != nil {
		return err
	}
	var app struct{ Data []struct{ Token string } }
	if err := json.Unmarshal(appJSON, &app); err != nil {
		return err
	}
	if _, err := admin.must("PUT", proc.wrike+"/api/v4/scim_integrations/okta", `{"enabled":true}`, 200); err != nil {
		return err
	}
	sc := &client{hc: hc, auth: "Bearer " + app.Data[0].Token}
	scimBase := proc.wrike + "/scim/okta/v2"
	ok := &client{hc: hc, auth: "SSWS " + tokens.OktaAPI}

	start := time.Now()
	if err := parallel(users, 16, func(i int) error { _, err := sc.must("POST", scimBase+"/Users", ordinaryUser(i), 201); return err }); err != nil {
		return err
	}
	if err := parallel(fat, 4, func(i int) error { _, err := sc.must("POST", scimBase+"/Users", fatUser(i), 201); return err }); err != nil {
		return err
	}
	if err := parallel(oktaUsers, 8, func(i int) error {
		body, _ := json.Marshal(map[string]any{"profile": oktaProfile(i)})
		_, err := ok.must("POST", proc.okta+"/api/v1/users?activate=false", string(body), 200)
		return err
	}); err != nil {
		return err
	}
	fmt.Printf("wrike-backend pid %d: %d ordinary and %d fat Wrike users, %d fat Okta users, provisioned in %.1fs\n",
		pid, users, fat, oktaUsers, time.Since(start).Seconds())

	get := func(c *client, u string) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) { status, _, err := c.do(ctx, "GET", u, ""); return status, err }
	}
	filter := func(f string) string { return scimBase + "/Users?filter=" + url.QueryEscape(f) }
	nearMiss := strings.Repeat("A", scim.MaxFilterLength-200) + "b"
	var clauses []string
	for i := 0; len(strings.Join(clauses, " or ")) < scim.MaxFilterLength-40; i++ {
		clauses = append(clauses, fmt.Sprintf(`title co "aa%03d"`, i%1000))
	}
	// Okta's expressions have no length limit but the request line's (64 KiB).
	const oktaExpr = 60_000
	var oktaClauses []string
	for i := 0; len(strings.Join(oktaClauses, " or ")) < oktaExpr-60; i++ {
		oktaClauses = append(oktaClauses, fmt.Sprintf(`profile.title co "%s%04d"`, strings.Repeat("a", 20), i))
	}
	var ops []string
	for i := range scim.MaxPatchOperations {
		ops = append(ops, fmt.Sprintf(`{"op":"replace","path":"emails[value eq \"%s\"].display","value":"d%d"}`, fatAddress(0, i%scim.DefaultMaxValues), i))
	}
	patchBody := `{"schemas":["` + scim.SchemaPatchOp + `"],"Operations":[` + strings.Join(ops, ",") + `]}`
	// The PATCH goes to the first fat user, whose addresses are fatAddress(0, k).
	b, err := sc.must("GET", filter(`userName eq "`+fatAddress(0, 0)+`"`), "", 200)
	if err != nil {
		return err
	}
	var first struct{ Resources []struct{ ID string } }
	if err := json.Unmarshal(b, &first); err != nil {
		return fmt.Errorf("the first fat user: %w", err)
	}
	if len(first.Resources) != 1 {
		return fmt.Errorf("the first fat user: %s", b)
	}
	fatID := first.Resources[0].ID
	kinds := []kind{
		{"SCIM filter: title co, an 8 KB near-miss operand", get(sc, filter(`title co "`+nearMiss+`"`))},
		{fmt.Sprintf("SCIM filter: %d title co clauses", len(clauses)), get(sc, filter(strings.Join(clauses, " or ")))},
		{"SCIM filter: addresses[formatted co 8 KB], 10 values a user", get(sc, filter(`addresses[formatted co "`+nearMiss+`"]`))},
		{"SCIM list: sortBy=title", get(sc, scimBase+"/Users?sortBy=title")},
		{"SCIM PATCH: 1,000 emails[value eq] operations", func(ctx context.Context) (int, error) {
			status, _, err := sc.do(ctx, "PATCH", scimBase+"/Users/"+fatID, patchBody)
			return status, err
		}},
		{"SCIM list: attributes=userName, count=1000", get(sc, scimBase+"/Users?attributes=userName&count=1000&startIndex="+strconv.Itoa(users+1))},
		{"admin API: GET /users?domain=, 1,000 a page", get(admin, proc.wrike+"/api/v4/users?domain="+domain)},
		{fmt.Sprintf("Okta search: %d co clauses", len(oktaClauses)), get(ok, proc.okta+"/api/v1/users?search="+url.QueryEscape(strings.Join(oktaClauses, " or ")))},
		{"Okta filter: co with a 60 KB operand", get(ok, proc.okta+"/api/v1/users?filter="+url.QueryEscape(`profile.title co "`+strings.Repeat("A", oktaExpr)+`"`))},
		{"Okta q: a 100-character prefix", get(ok, proc.okta+"/api/v1/users?q="+strings.Repeat("l", 100))},
	}

	kinds = slices.DeleteFunc(kinds, func(k kind) bool { return !strings.Contains(k.name, only) })
	// Each kind alone: the process's CPU time is the request's.
	fmt.Printf("\neach kind alone, %d requests (CPU: the backend's, per request):\n", runs)
	for _, k := range kinds {
		answers := map[int]int{}
		var worst, total float64
		var wall time.Duration
		for range runs {
			c0, t0 := reliabilitytest.CPUSeconds(pid), time.Now()
			status, err := k.send(context.Background())
			if err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
			d := time.Since(t0)
			c := reliabilitytest.CPUSeconds(pid) - c0
			answers[status]++
			worst, total, wall = max(worst, c), total+c, max(wall, d)
		}
		fmt.Printf("  %-58s %v  CPU mean %.2fs, max %.2fs; wall max %.2fs\n", k.name, answers, total/float64(runs), worst, wall.Seconds())
	}

	lookup := func(i int) string { return filter(`userName eq "` + userName(i%users) + `"`) }
	idle := lookups(sc, conns, duration, lookup)
	fmt.Printf("\nlookups idle: %d at %.0f req/s, p50 %s, p99 %s, errors %d\n", idle.n, idle.rps, idle.p50, idle.p99, idle.errors)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	answers := make([]map[int]int, len(kinds))
	for i, k := range kinds {
		answers[i] = map[int]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				status, err := k.send(ctx)
				if err == nil {
					answers[i][status]++
				}
			}
		}()
	}
	time.Sleep(time.Second) // every kind under way
	c0 := reliabilitytest.CPUSeconds(pid)
	loaded := lookups(sc, conns, duration, lookup)
	cpu := reliabilitytest.CPUSeconds(pid) - c0
	cancel()
	wg.Wait()
	fmt.Printf("lookups under all %d kinds at once (one client each): %d at %.0f req/s, p50 %s, p99 %s (%.2f× idle), errors %d; backend CPU %.1f cores\n",
		len(kinds), loaded.n, loaded.rps, loaded.p50, loaded.p99, float64(loaded.p99)/float64(idle.p99), loaded.errors, cpu/duration.Seconds())
	for i, k := range kinds {
		fmt.Printf("  %-58s %v\n", k.name, answers[i])
	}
	return nil
}

type result struct {
	n, errors int
	rps       float64
	p50, p99  time.Duration
}

// lookups sends userName eq lookups on conns connections for d.
func lookups(c *client, conns int, d time.Duration, urlFor func(int) string) result {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var counter atomic.Int64
	lat := make([][]time.Duration, conns)
	errs := make([]int, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				t0 := time.Now()
				status, b, err := c.do(context.Background(), "GET", urlFor(int(counter.Add(1))), "")
				if err != nil || status != 200 || !bytes.Contains(b, []byte(`"totalResults":1`)) {
					errs[w]++
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	r := result{}
	for w := range conns {
		all = append(all, lat[w]...)
		r.errors += errs[w]
	}
	slices.Sort(all)
	r.n = len(all)
	r.rps = float64(len(all)) / time.Since(start).Seconds()
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}
