package reliabilitytest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is an answer a FaultProxy gives instead of forwarding a request.
type Fault struct {
	Status int
	Header http.Header
	Body   string
}

// Write answers with the fault: its headers, status and body.
func (f *Fault) Write(w http.ResponseWriter) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}

// FaultProxy is a reverse proxy on 127.0.0.1 in front of a backend face
// that answers some requests with a fault (an outage's 503, a rate limit's
// 429) instead of forwarding them, and counts both.
type FaultProxy struct {
	// URL is the proxy's base URL; point clients at it instead of the target.
	URL string

	decide    func(*http.Request) *Fault
	requests  atomic.Int64
	faults    atomic.Int64
	forwarded atomic.Int64
}

// NewFaultProxy starts a proxy to target; decide returns the fault for a
// request, or nil to forward it. It stops at the end of the test.
func NewFaultProxy(tb testing.TB, target string, decide func(*http.Request) *Fault) *FaultProxy {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatalf("fault proxy: %v", err)
	}
	p := &FaultProxy{decide: decide}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = nil
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		if f := p.decide(r); f != nil {
			p.faults.Add(1)
			f.Write(w)
			return
		}
		p.forwarded.Add(1)
		// Keep the Host the client used, so URLs the face builds from the
		// request (SCIM URLs) point at the proxy, as behind a real one.
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Requests, Faults and Forwarded count what the proxy has seen.
func (p *FaultProxy) Requests() int64  { return p.requests.Load() }
func (p *FaultProxy) Faults() int64    { return p.faults.Load() }
func (p *FaultProxy) Forwarded() int64 { return p.forwarded.Load() }

// Outage answers status (503 by default) with Retry-After: retryAfter
// seconds to every request matching match (nil: all) from the first such
// request for d, then forwards everything: a short outage that starts when
// the client first arrives.
func Outage(d time.Duration, status, retryAfter int, match func(*http.Request) bool) func(*http.Request) *Fault {
	var once sync.Once
	var end time.Time
	var mu sync.Mutex
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	return func(r *http.Request) *Fault {
		if match != nil && !match(r) {
			return nil
		}
		mu.Lock()
		once.Do(func() { end = time.Now().Add(d) })
		over := time.Now().After(end)
		mu.Unlock()
		if over {
			return nil
		}
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		if retryAfter >= 0 {
			h.Set("Retry-After", strconv.Itoa(retryAfter))
		}
		return &Fault{Status: status, Header: h, Body: `{"error":"server_error","errorDescription":"temporarily unavailable"}`}
	}
}

// OktaRateLimit answers Okta's 429 (E0000047) with X-Rate-Limit-Reset set
// to the next whole second after window, to every request matching match
// while more than limit requests arrived in the current window: it plays an
// org whose rate limit is limit requests per window.
func OktaRateLimit(limit int, window time.Duration, match func(*http.Request) bool) func(*http.Request) *Fault {
	var mu sync.Mutex
	var start time.Time
	var n int
	return func(r *http.Request) *Fault {
		if match != nil && !match(r) {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if now.Sub(start) >= window {
			start, n = now, 0
		}
		n++
		if n <= limit {
			return nil
		}
		reset := start.Add(window)
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Add(time.Second-1).Unix(), 10))
		return &Fault{Status: http.StatusTooManyRequests, Header: h,
			Body: `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeRateLimit","errorCauses":[]}`}
	}
}
