// Command scimload measures the reference backend's SCIM service against
// the speed targets in dev/BENCHMARKS.md. It starts a wrike-backend binary on
// loopback with a fresh data directory, provisions users over SCIM (measuring
// POST /Users), looks users up by userName at a fixed number of connections
// next to a static Go handler serving the same bytes (started as a second
// process, measured in the same run), deactivates users with PATCH, and
// reports the backend's resident memory. Between provisioning and lookups it
// restarts the backend and measures its start-up on the data; after the
// lookups it runs concurrent paged listings of the admin API's GET /users.
//
// With -seed N, the last N of the -users are not provisioned over HTTP but
// imported in bulk while the backend is stopped, through the Wrike face's own
// checks and store (wrike.Server.ImportUsers, 10,000 users per durable
// transaction): seeding a million users one POST at a time would take longer
// than every measurement together. The start-up is measured on all of them.
//
//	go build -o bin/ ./internal/cmd/... && ./bin/scimload -backend ./bin/wrike-backend
//	./bin/scimload -backend ./bin/wrike-backend -users 1000000 -seed 900000 -listings 0
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
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
	"syscall"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/wrike"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

func main() {
	staticAddr := flag.String("serve-static", "", "internal: serve the bytes of -static-file on this address")
	staticFile := flag.String("static-file", "", "internal: file served by -serve-static")
	backendBin := flag.String("backend", "./bin/wrike-backend", "wrike-backend binary to measure")
	users := flag.Int("users", 100_000, "users to provision before measuring lookups")
	writers := flag.Int("writers", 64, "concurrent requests for POST and PATCH")
	conns := flag.Int("conns", 32, "connections for the lookup comparison")
	duration := flag.Duration("duration", 10*time.Second, "duration of each lookup measurement")
	patches := flag.Int("patches", 20_000, "users to deactivate with PATCH (of those provisioned over HTTP)")
	seed := flag.Int("seed", 0, "of -users, how many to import in bulk with the backend stopped instead of POSTing them")
	listings := flag.Int("listings", 12, "concurrent full listings of the admin API's GET /users (0: none)")
	dataDir := flag.String("data-dir", "", "data directory, kept afterwards (default: a temporary one, removed)")
	scanners := flag.Int("scanners", 8, "clients sending the costliest unindexed filter while lookups are measured again (0: skip)")
	flag.Parse()

	if *staticAddr != "" {
		serveStatic(*staticAddr, *staticFile)
		return
	}
	cfg := config{backendBin: *backendBin, users: *users, seed: *seed, writers: *writers, conns: *conns,
		duration: *duration, patches: *patches, listings: *listings, scanners: *scanners, dataDir: *dataDir}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "scimload:", err)
		os.Exit(1)
	}
}

// serveStatic is the baseline: a Go handler that answers every request with
// the same bytes and the same Content-Type as the SCIM lookup.
func serveStatic(addr, file string) {
	body, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clen := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.Header().Set("Content-Length", clen)
		_, _ = w.Write(body)
	})
	if err := http.ListenAndServe(addr, h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// waitHTTP polls url until it answers, the process behind it ends (exited
// closes) or two minutes pass.
func waitHTTP(url string, exited <-chan struct{}) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the process serving %s exited", url)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not answer within two minutes", url)
}

type client struct {
	http  *http.Client
	token string
}

func (c *client) do(method, url, body string, want int) ([]byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d: %.200s", method, url, resp.StatusCode, b)
	}
	return b, nil
}

func rssKB(pid int) (rss, hwm int) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			rss, _ = strconv.Atoi(fields[1])
		case "VmHWM:":
			hwm, _ = strconv.Atoi(fields[1])
		}
	}
	return rss, hwm
}

func userName(i int) string { return fmt.Sprintf("user%06d@load.example.com", i) }

func userBody(i int) string {
	n := userName(i)
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],`+
		`"userName":%q,"externalId":"ext-%d","name":{"givenName":"Given%d","familyName":"Family%d"},`+
		`"emails":[{"primary":true,"value":%q,"type":"work"}],"displayName":"Given%d Family%d","title":"Engineer",`+
		`"phoneNumbers":[{"primary":true,"value":"+1 555 %04d","type":"work"}],`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"organization":"Acme","department":"R&D"},"active":true}`,
		n, i, i, i, n, i, i, i%10000)
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and returns the
// elapsed time and the first error.
func parallel(n, workers int, fn func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
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
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), firstErr
}

type loadResult struct {
	requests int
	rps      float64
	p50, p99 time.Duration
	errors   int
}

// load sends GETs to urlFor(i) on conns connections for d and measures
// throughput and latency.
func load(hc *http.Client, token string, conns int, d time.Duration, urlFor func(i int) string, wantBody func([]byte) bool) loadResult {
	var wg sync.WaitGroup
	lat := make([][]time.Duration, conns)
	errs := make([]int, conns)
	var counter atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 4096)
			for ctx.Err() == nil {
				i := int(counter.Add(1))
				req, _ := http.NewRequest(http.MethodGet, urlFor(i), nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					errs[c]++
					continue
				}
				b := bytes.NewBuffer(buf[:0])
				_, err = b.ReadFrom(resp.Body)
				_ = resp.Body.Close()
				el := time.Since(t0)
				if err != nil || resp.StatusCode != http.StatusOK || !wantBody(b.Bytes()) {
					errs[c]++
					continue
				}
				lat[c] = append(lat[c], el)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	res := loadResult{}
	for c := range conns {
		all = append(all, lat[c]...)
		res.errors += errs[c]
	}
	slices.Sort(all)
	res.requests = len(all)
	res.rps = float64(len(all)) / elapsed.Seconds()
	if len(all) > 0 {
		res.p50 = all[len(all)/2]
		res.p99 = all[len(all)*99/100]
	}
	return res
}

type config struct {
	backendBin                  string
	users, seed                 int
	writers, conns              int
	duration                    time.Duration
	patches, listings, scanners int
	dataDir                     string
}

// backendProc is a running wrike-backend.
type backendProc struct {
	cmd  *exec.Cmd
	base string // http://host:port of the Wrike face
	done chan struct{}
}

// startBackend starts the binary on dataDir and returns once the Wrike face
// answers, with how long the start took, from exec to the first answer.
func startBackend(bin, dataDir string) (*backendProc, time.Duration, error) {
	addr, err := reliabilitytest.FreeAddr()
	if err != nil {
		return nil, 0, err
	}
	oktaAddr, err := reliabilitytest.FreeAddr()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, "--wrike-addr", addr, "--okta-addr", oktaAddr, "--data-dir", dataDir, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &backendProc{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	if err := waitHTTP(p.base+"/api/v4/account", p.done); err != nil {
		p.kill()
		return nil, 0, err
	}
	return p, time.Since(start), nil
}

func (p *backendProc) pid() int { return p.cmd.Process.Pid }

func (p *backendProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop ends the backend the way an operator does (SIGTERM) and waits.
func (p *backendProc) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(time.Minute):
		p.kill()
		return errors.New("the backend did not stop within a minute of SIGTERM")
	}
}

// importUsers imports users [from, from+n) into the stopped backend's data
// directory through the Wrike face's own checks.
func importUsers(dataDir string, from, n int) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dataDir)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	// A page cache of 256 MiB for the import's writes: the indexes of a
	// million users outgrow SQLite's default 2 MiB many times over.
	if err := db.Write(ctx, func(tx *sql.Tx) error { _, err := tx.Exec(`PRAGMA cache_size = -262144`); return err }); err != nil {
		return err
	}
	w, err := wrike.New(ctx, wrike.Config{Store: store.NewWrikeStore(db)})
	if err != nil {
		return err
	}
	start := time.Now()
	stored, err := w.ImportUsers(ctx, "okta", n, 10_000, func(i int) []byte { return []byte(userBody(from + i)) })
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Printf("imported %d users in %.1fs = %.0f users/s (10,000 per durable transaction, backend stopped)\n",
		stored, el.Seconds(), float64(stored)/el.Seconds())
	return nil
}

// rssSampler records the highest VmRSS of pid until stopped.
func rssSampler(pid int) (stop func() int) {
	var peak atomic.Int64
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _ := rssKB(pid); int64(rss) > peak.Load() {
				peak.Store(int64(rss))
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() int {
		close(quit)
		<-done
		return int(peak.Load())
	}
}

// listAll reads every page of GET /api/v4/users and returns the users seen.
func listAll(admin *client, base string, want int) (int, int, error) {
	q := url.Values{}
	seen, pages := 0, 0
	for {
		b, err := admin.do("GET", base+"/api/v4/users?"+q.Encode(), "", 200)
		if err != nil {
			return seen, pages, err
		}
		var page struct {
			NextPageToken string            `json:"nextPageToken"`
			ResponseSize  int               `json:"responseSize"`
			Data          []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return seen, pages, err
		}
		if page.ResponseSize != want {
			return seen, pages, fmt.Errorf("responseSize %d, want %d", page.ResponseSize, want)
		}
		seen += len(page.Data)
		pages++
		if page.NextPageToken == "" {
			return seen, pages, nil
		}
		q.Set("nextPageToken", page.NextPageToken)
	}
}

func run(cfg config) error {
	users, posted := cfg.users, cfg.users-cfg.seed
	if cfg.seed < 0 || posted < 1 {
		return fmt.Errorf("-seed %d: between 0 and -users - 1 (%d)", cfg.seed, users-1)
	}
	dataDir := cfg.dataDir
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "scimload-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		dataDir = tmp
	}
	proc, _, err := startBackend(cfg.backendBin, dataDir)
	if err != nil {
		return err
	}
	defer func() { proc.kill() }()
	// The backend writes its first-start tokens before it serves.
	tokens, err := backend.LoadTokens(dataDir)
	if err != nil {
		return err
	}
	adminToken := tokens.WrikeAdmin
	if adminToken == "" {
		return fmt.Errorf("the backend wrote no admin token to %s (is -data-dir empty?)", backend.TokensFile)
	}
	base := proc.base
	tr := &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0, DisableCompression: true}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	admin := &client{http: hc, token: adminToken}
	if _, err := admin.do("POST", base+"/api/v4/approved_domains", `{"domain":"load.example.com"}`, 200); err != nil {
		return err
	}
	appJSON, err := admin.do("POST", base+"/api/v4/api_apps", `{"name":"load"}`, 200)
	if err != nil {
		return err
	}
	var app struct {
		Data []struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if err := json.Unmarshal(appJSON, &app); err != nil {
		return err
	}
	if _, err := admin.do("PUT", base+"/api/v4/scim_integrations/okta", `{"enabled":true}`, 200); err != nil {
		return err
	}
	scim := &client{http: hc, token: app.Data[0].Token}

	fmt.Printf("wrike-backend pid %d, %d users (%d over HTTP, %d imported), %d writers, %d lookup connections, %s per lookup run\n",
		proc.pid(), users, posted, cfg.seed, cfg.writers, cfg.conns, cfg.duration)
	ids := make([]string, posted)
	elapsed, err := parallel(posted, cfg.writers, func(i int) error {
		b, err := scim.do("POST", base+"/scim/okta/v2/Users", userBody(i), 201)
		if err != nil {
			return err
		}
		var u struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &u); err != nil {
			return err
		}
		ids[i] = u.ID
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("POST /Users: %d users in %.1fs = %.0f users/s (durable commits)\n", posted, elapsed.Seconds(), float64(posted)/elapsed.Seconds())
	rss, hwm := rssKB(proc.pid())
	fmt.Printf("backend RSS after provisioning: %.1f MB (peak %.1f MB)\n", float64(rss)/1024, float64(hwm)/1024)

	// Restart on the data (after importing the rest): the start-up figure.
	if err := proc.stop(); err != nil {
		return err
	}
	if cfg.seed > 0 {
		if err := importUsers(dataDir, posted, cfg.seed); err != nil {
			return err
		}
	}
	restarted, startup, err := startBackend(cfg.backendBin, dataDir)
	if err != nil {
		return err
	}
	proc, base = restarted, restarted.base
	scimBase := base + "/scim/okta/v2"
	rss, hwm = rssKB(proc.pid())
	fmt.Printf("start-up with %d users: %.2fs (exec to the first answer), %.2fs of CPU; RSS %.1f MB (peak %.1f MB)\n",
		users, startup.Seconds(), reliabilitytest.CPUSeconds(proc.pid()), float64(rss)/1024, float64(hwm)/1024)

	// The static baseline serves exactly the bytes of one lookup answer.
	sample, err := scim.do("GET", scimBase+"/Users?filter="+url.QueryEscape(`userName eq "`+userName(users/2)+`"`), "", 200)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "scimload-static-")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if _, err := f.Write(sample); err != nil {
		return err
	}
	_ = f.Close()
	staticAddr, err := reliabilitytest.FreeAddr()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	static := exec.Command(self, "-serve-static", staticAddr, "-static-file", f.Name())
	static.Stderr = os.Stderr
	if err := static.Start(); err != nil {
		return err
	}
	staticDone := make(chan struct{})
	go func() { _ = static.Wait(); close(staticDone) }()
	defer func() { _ = static.Process.Kill(); <-staticDone }()
	if err := waitHTTP("http://"+staticAddr+"/", staticDone); err != nil {
		return err
	}

	lookupURL := func(i int) string {
		return scimBase + "/Users?filter=" + url.QueryEscape(`userName eq "`+userName(i*7919%users)+`"`)
	}
	isHit := func(b []byte) bool { return bytes.Contains(b, []byte(`"totalResults":1,`)) }
	// Warm both servers' connection pools, then measure each in turn.
	load(hc, scim.token, cfg.conns, time.Second, lookupURL, isHit)
	load(hc, "", cfg.conns, time.Second, func(int) string { return "http://" + staticAddr + "/" }, isHit)
	st := load(hc, "", cfg.conns, cfg.duration, func(int) string { return "http://" + staticAddr + "/" }, isHit)
	lk := load(hc, scim.token, cfg.conns, cfg.duration, lookupURL, isHit)
	fmt.Printf("static handler (%d bytes): %.0f req/s, p50 %s, p99 %s, errors %d\n", len(sample), st.rps, st.p50, st.p99, st.errors)
	fmt.Printf("GET /Users?filter=userName eq: %.0f req/s (%.0f%% of static), p50 %s, p99 %s, errors %d\n",
		lk.rps, 100*lk.rps/st.rps, lk.p50, lk.p99, lk.errors)

	if cfg.scanners > 0 {
		if err := lookupsUnderScans(hc, scim.token, scimBase, users, cfg.conns, cfg.scanners, cfg.duration, lk, lookupURL, isHit); err != nil {
			return err
		}
	}

	if cfg.listings > 0 {
		rss, _ = rssKB(proc.pid())
		peak := rssSampler(proc.pid())
		var pages atomic.Int64
		elapsed, err = parallel(cfg.listings, cfg.listings, func(int) error {
			seen, n, err := listAll(admin, base, users)
			pages.Add(int64(n))
			if err == nil && seen != users {
				err = fmt.Errorf("a listing saw %d users, want %d", seen, users)
			}
			return err
		})
		highest := peak()
		if err != nil {
			return err
		}
		fmt.Printf("%d concurrent listings of GET /api/v4/users (%d pages): %.1fs, %.0f users/s; RSS before %.1f MB, highest during %.1f MB\n",
			cfg.listings, pages.Load(), elapsed.Seconds(), float64(cfg.listings*users)/elapsed.Seconds(), float64(rss)/1024, float64(highest)/1024)
	}

	patches := min(cfg.patches, posted)
	elapsed, err = parallel(patches, cfg.writers, func(i int) error {
		_, err := scim.do("PATCH", scimBase+"/Users/"+ids[i],
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`, 200)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("PATCH active=false: %d users in %.1fs = %.0f users/s (durable commits)\n", patches, elapsed.Seconds(), float64(patches)/elapsed.Seconds())
	rss, hwm = rssKB(proc.pid())
	fmt.Printf("backend RSS at the end: %.1f MB (peak %.1f MB)\n", float64(rss)/1024, float64(hwm)/1024)
	return nil
}

// lookupsUnderScans measures the lookups again while scanners clients send
// the costliest filter the scan budget admits, in a loop, and compares the
// p99 with the idle one (issue 10: at most 3×).
func lookupsUnderScans(hc *http.Client, token, scimBase string, users, conns, scanners int, d time.Duration,
	idle loadResult, lookupURL func(int) string, isHit func([]byte) bool) error {
	filter, k := wrike.CostliestFilter(users)
	if k == 0 {
		fmt.Printf("lookups under unindexed scans: not measured, the scan budget admits no unindexed filter over %d users\n", users)
		return nil
	}
	scanURL := scimBase + "/Users?filter=" + url.QueryEscape(filter)
	ctx, cancel := context.WithCancel(context.Background())
	var scans, refused atomic.Int64
	var wg sync.WaitGroup
	for range scanners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, scanURL, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := hc.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					scans.Add(1)
				} else {
					refused.Add(1)
				}
			}
		}()
	}
	lk := load(hc, token, conns, d, lookupURL, isHit)
	cancel()
	wg.Wait()
	if refused.Load() > 0 {
		return fmt.Errorf("the costliest admitted filter was refused %d times", refused.Load())
	}
	fmt.Printf("under %d clients scanning with %d comparisons (%d scans done): lookups %.0f req/s, p50 %s, p99 %s (idle p99 %s: %.2f×), errors %d\n",
		scanners, k, scans.Load(), lk.rps, lk.p50, lk.p99, idle.p99, float64(lk.p99)/float64(idle.p99), lk.errors)
	return nil
}
