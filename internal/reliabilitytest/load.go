package reliabilitytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Client sends requests with one Authorization header.
type Client struct {
	HTTP *http.Client
	// Auth is the Authorization header ("Bearer …", "SSWS …"); empty sends
	// none.
	Auth string
	// ContentType is that of request bodies; empty is application/json.
	ContentType string
}

// Do sends a request and reads the whole answer.
func (c *Client) Do(ctx context.Context, method, url, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if c.Auth != "" {
		req.Header.Set("Authorization", c.Auth)
	}
	if body != "" {
		ct := c.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Expect sends a request and returns the answer's body; an answer with
// another status than want is an error that quotes the body's start.
func (c *Client) Expect(method, url, body string, want int) ([]byte, error) {
	status, b, err := c.Do(context.Background(), method, url, body)
	if err != nil {
		return nil, err
	}
	if status != want {
		return nil, fmt.Errorf("%s %s: status %d: %.300s", method, url, status, b)
	}
	return b, nil
}

// SetUpSCIM prepares a new backend's Wrike face for SCIM provisioning the
// way an administrator does, through admin (a client holding the admin
// token): it approves domain, creates an API app named app and enables the
// okta SCIM integration. It returns the app's token, which the SCIM
// endpoints take as a bearer token.
func SetUpSCIM(admin *Client, wrikeURL, domain, app string) (string, error) {
	body := func(k, v string) string { b, _ := json.Marshal(map[string]string{k: v}); return string(b) }
	if _, err := admin.Expect("POST", wrikeURL+"/api/v4/approved_domains", body("domain", domain), http.StatusOK); err != nil {
		return "", err
	}
	appJSON, err := admin.Expect("POST", wrikeURL+"/api/v4/api_apps", body("name", app), http.StatusOK)
	if err != nil {
		return "", err
	}
	var created struct {
		Data []struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if err := json.Unmarshal(appJSON, &created); err != nil {
		return "", err
	}
	if len(created.Data) == 0 || created.Data[0].Token == "" {
		return "", fmt.Errorf("POST /api/v4/api_apps answered no token: %.300s", appJSON)
	}
	if _, err := admin.Expect("PUT", wrikeURL+"/api/v4/scim_integrations/okta", `{"enabled":true}`, http.StatusOK); err != nil {
		return "", err
	}
	return created.Data[0].Token, nil
}

// Parallel runs fn(i) for each i in [0, n) on workers goroutines and
// returns the time it took and the first error; after an error the worker
// that met it stops and the others finish what remains.
func Parallel(n, workers int, fn func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	var first error
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
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), first
}

// Throughput is what Measure saw.
type Throughput struct {
	// Requests counts the answers as wanted, Errors the others (a failed
	// request included).
	Requests, Errors int
	// RPS is answers as wanted per second of the measurement.
	RPS float64
	// P50 and P99 are the latencies of the answers as wanted.
	P50, P99 time.Duration
}

// Measure sends requests on conns goroutines for d: send(i) sends the i-th
// request (counting from 1 across the goroutines) and reports whether its
// answer was the one wanted. Requests under way at d finish.
func Measure(conns int, d time.Duration, send func(i int) bool) Throughput {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var counter atomic.Int64
	lat := make([][]time.Duration, conns)
	errs := make([]int, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(counter.Add(1))
				t0 := time.Now()
				if !send(i) {
					errs[c]++
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	var t Throughput
	for c := range conns {
		all = append(all, lat[c]...)
		t.Errors += errs[c]
	}
	slices.Sort(all)
	t.Requests = len(all)
	t.RPS = float64(len(all)) / elapsed.Seconds()
	if len(all) > 0 {
		t.P50, t.P99 = all[len(all)/2], all[len(all)*99/100]
	}
	return t
}

// Background calls fn(ctx, g) over and over on n goroutines (g is the
// goroutine's number, 0 to n-1) until stop is called; stop cancels ctx and
// waits for every call under way to return.
func Background(n int, fn func(ctx context.Context, g int)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				fn(ctx, g)
			}
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}
