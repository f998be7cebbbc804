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
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
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

type config struct {
	backendBin                  string
	users, seed                 int
	writers, conns              int
	duration                    time.Duration
	patches, listings, scanners int
	dataDir                     string
}

// startBackend starts the binary on dataDir and returns once the Wrike face
// answers, with how long the start took, from exec to the first answer.
func startBackend(bin, dataDir string) (*reliabilitytest.Backend, time.Duration, error) {
	start := time.Now()
	p, err := reliabilitytest.StartBackend(context.Background(), reliabilitytest.BackendOptions{Binary: bin, DataDir: dataDir, Stderr: os.Stderr})
	if err != nil {
		return nil, 0, err
	}
	return p, time.Since(start), nil
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
	if err := db.Write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.Exec(`PRAGMA cache_size = -262144`)
		return err
	}); err != nil {
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
func listAll(admin *reliabilitytest.Client, base string, want int) (int, int, error) {
	q := url.Values{}
	seen, pages := 0, 0
	for {
		b, err := admin.Expect("GET", base+"/api/v4/users?"+q.Encode(), "", 200)
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
	defer func() { proc.Kill() }()
	// The backend writes its first-start tokens before it serves.
	tokens, err := backend.LoadTokens(dataDir)
	if err != nil {
		return err
	}
	adminToken := tokens.WrikeAdmin
	if adminToken == "" {
		return fmt.Errorf("the backend wrote no admin token to %s (is -data-dir empty?)", backend.TokensFile)
	}
	base := proc.WrikeURL
	tr := &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0, DisableCompression: true}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	admin := &reliabilitytest.Client{HTTP: hc, Auth: "Bearer " + adminToken, ContentType: "application/scim+json"}
	scimToken, err := reliabilitytest.SetUpSCIM(admin, base, "load.example.com", "load")
	if err != nil {
		return err
	}
	scim := &reliabilitytest.Client{HTTP: hc, Auth: "Bearer " + scimToken, ContentType: "application/scim+json"}

	fmt.Printf("wrike-backend pid %d, %d users (%d over HTTP, %d imported), %d writers, %d lookup connections, %s per lookup run\n",
		proc.Pid(), users, posted, cfg.seed, cfg.writers, cfg.conns, cfg.duration)
	ids := make([]string, posted)
	elapsed, err := reliabilitytest.Parallel(posted, cfg.writers, func(i int) error {
		b, err := scim.Expect("POST", base+"/scim/okta/v2/Users", userBody(i), 201)
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
	rss, hwm := rssKB(proc.Pid())
	fmt.Printf("backend RSS after provisioning: %.1f MB (peak %.1f MB)\n", float64(rss)/1024, float64(hwm)/1024)

	// Restart on the data (after importing the rest): the start-up figure.
	if err := proc.Stop(time.Minute); err != nil {
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
	proc, base = restarted, restarted.WrikeURL
	scimBase := base + "/scim/okta/v2"
	rss, hwm = rssKB(proc.Pid())
	fmt.Printf("start-up with %d users: %.2fs (exec to the first answer), %.2fs of CPU; RSS %.1f MB (peak %.1f MB)\n",
		users, startup.Seconds(), reliabilitytest.CPUSeconds(proc.Pid()), float64(rss)/1024, float64(hwm)/1024)

	// The static baseline serves exactly the bytes of one lookup answer.
	sample, err := scim.Expect("GET", scimBase+"/Users?filter="+url.QueryEscape(`userName eq "`+userName(users/2)+`"`), "", 200)
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
	cmd := exec.Command(self, "-serve-static", staticAddr, "-static-file", f.Name())
	cmd.Stderr = os.Stderr
	static, err := reliabilitytest.Start(cmd)
	if err != nil {
		return err
	}
	defer static.Kill()
	staticURL := "http://" + staticAddr + "/"
	if err := static.WaitHTTP(context.Background(), staticURL, 2*time.Minute); err != nil {
		return err
	}

	lookup := func(i int) bool {
		return hit(scim, scimBase+"/Users?filter="+url.QueryEscape(`userName eq "`+userName(i*7919%users)+`"`))
	}
	staticClient := &reliabilitytest.Client{HTTP: hc}
	staticLookup := func(int) bool { return hit(staticClient, staticURL) }
	// Warm both servers' connection pools, then measure each in turn.
	reliabilitytest.Measure(cfg.conns, time.Second, lookup)
	reliabilitytest.Measure(cfg.conns, time.Second, staticLookup)
	st := reliabilitytest.Measure(cfg.conns, cfg.duration, staticLookup)
	lk := reliabilitytest.Measure(cfg.conns, cfg.duration, lookup)
	fmt.Printf("static handler (%d bytes): %.0f req/s, p50 %s, p99 %s, errors %d\n", len(sample), st.RPS, st.P50, st.P99, st.Errors)
	fmt.Printf("GET /Users?filter=userName eq: %.0f req/s (%.0f%% of static), p50 %s, p99 %s, errors %d\n",
		lk.RPS, 100*lk.RPS/st.RPS, lk.P50, lk.P99, lk.Errors)

	if cfg.scanners > 0 {
		if err := lookupsUnderScans(scim, scimBase, users, cfg.conns, cfg.scanners, cfg.duration, lk, lookup); err != nil {
			return err
		}
	}

	if cfg.listings > 0 {
		rss, _ = rssKB(proc.Pid())
		peak := rssSampler(proc.Pid())
		var pages atomic.Int64
		elapsed, err = reliabilitytest.Parallel(cfg.listings, cfg.listings, func(int) error {
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
	elapsed, err = reliabilitytest.Parallel(patches, cfg.writers, func(i int) error {
		_, err := scim.Expect("PATCH", scimBase+"/Users/"+ids[i],
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`, 200)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Printf("PATCH active=false: %d users in %.1fs = %.0f users/s (durable commits)\n", patches, elapsed.Seconds(), float64(patches)/elapsed.Seconds())
	rss, hwm = rssKB(proc.Pid())
	fmt.Printf("backend RSS at the end: %.1f MB (peak %.1f MB)\n", float64(rss)/1024, float64(hwm)/1024)
	return nil
}

// hit sends a userName eq lookup (or the static handler's copy of its
// answer) and reports whether it found the one user.
func hit(c *reliabilitytest.Client, u string) bool {
	status, b, err := c.Do(context.Background(), http.MethodGet, u, "")
	return err == nil && status == http.StatusOK && bytes.Contains(b, []byte(`"totalResults":1,`))
}

// lookupsUnderScans measures the lookups again while scanners clients send
// the costliest filter the scan budget admits, in a loop, and compares the
// p99 with the idle one (the target: at most 3×).
func lookupsUnderScans(scim *reliabilitytest.Client, scimBase string, users, conns, scanners int, d time.Duration,
	idle reliabilitytest.Throughput, lookup func(int) bool) error {
	filter, k := wrike.CostliestFilter(users)
	if k == 0 {
		fmt.Printf("lookups under unindexed scans: not measured, the scan budget admits no unindexed filter over %d users\n", users)
		return nil
	}
	scanURL := scimBase + "/Users?filter=" + url.QueryEscape(filter)
	var scans, refused atomic.Int64
	stop := reliabilitytest.Background(scanners, func(ctx context.Context, _ int) {
		status, _, err := scim.Do(ctx, http.MethodGet, scanURL, "")
		switch {
		case err != nil:
		case status == http.StatusOK:
			scans.Add(1)
		default:
			refused.Add(1)
		}
	})
	lk := reliabilitytest.Measure(conns, d, lookup)
	stop()
	if refused.Load() > 0 {
		return fmt.Errorf("the costliest admitted filter was refused %d times", refused.Load())
	}
	fmt.Printf("under %d clients scanning with %d comparisons (%d scans done): lookups %.0f req/s, p50 %s, p99 %s (idle p99 %s: %.2f×), errors %d\n",
		scanners, k, scans.Load(), lk.RPS, lk.P50, lk.P99, idle.P99, float64(lk.P99)/float64(idle.P99), lk.Errors)
	return nil
}
