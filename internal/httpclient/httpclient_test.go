package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "wrka_s3cr3t-token-value"

// decodeTest reads {"error","errorDescription"} like the Wrike API.
func decodeTest(body []byte) (string, string, []string, bool) {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"errorDescription"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return "", "", nil, false
	}
	return e.Error, e.Description, nil, true
}

func newTestClient(t *testing.T, srv *httptest.Server, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:       srv.URL + "/api/v4",
		Authorization: "Bearer " + testToken,
		UserAgent:     "terraform-provider-wrike/test",
		DecodeError:   decodeTest,
		API:           "Wrike",
		RetryMax:      3,
		RetryWaitMin:  time.Millisecond,
		RetryWaitMax:  5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeErr(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "errorDescription": desc})
}

func TestRetriesRateLimitHonouringRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			writeErr(w, 429, "rate_limit_exceeded", "slow down")
			return
		}
		_, _ = w.Write([]byte(`{"kind":"x","data":[{"id":"1"}]}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	var out struct{ Data []struct{ ID string } }
	start := time.Now()
	if _, err := c.Do(context.Background(), Request{Method: "POST", Path: "/things", Body: map[string]string{"a": "b"}}, &out); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || out.Data[0].ID != "1" {
		t.Fatalf("calls=%d out=%+v", calls.Load(), out)
	}
	// The server asked for a second; the exponential step alone is milliseconds.
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %s, before Retry-After elapsed", waited)
	}
}

func TestRetriesServiceUnavailableHonouringRateLimitReset(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(time.Second).Unix(), 10))
			writeErr(w, 503, "server_error", "busy")
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Now = func() time.Time { return now } })
	start := time.Now()
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls=%d, want 2", calls.Load())
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %s, before X-Rate-Limit-Reset", waited)
	}
}

func TestRateLimitResetInPastRetriesAtOnce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10))
			writeErr(w, 429, "rate_limit_exceeded", "slow down")
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestGivesUpWhenAdvisedWaitPassesContextDeadline(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "60")
		writeErr(w, 429, "rate_limit_exceeded", "Rate limit exceeded, try again later")
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if !strings.Contains(err.Error(), "Rate limit exceeded, try again later") {
		t.Fatalf("error lost the API's message: %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("calls = %d, want 1: waiting would pass the deadline", calls.Load())
	}
}

func TestContextDeadlineStopsBackoff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, 503, "server_error", "down")
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.RetryMax = 100
		cfg.RetryWaitMin, cfg.RetryWaitMax = 200*time.Millisecond, 200*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, Request{Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

func TestExhaustedRetriesReportTheLastAnswer(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeErr(w, 503, "server_error", "maintenance")
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	_, err := c.Do(context.Background(), Request{Method: "DELETE", Path: "/x"}, nil)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrServer) || apiErr.StatusCode != http.StatusServiceUnavailable || apiErr.Message != "maintenance" {
		t.Fatalf("err = %#v", err)
	}
	if calls.Load() != 4 {
		t.Fatalf("calls = %d, want 1 + RetryMax(3)", calls.Load())
	}
}

func TestPostIsNotRetriedOnInternalError(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeErr(w, 500, "server_error", "boom")
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	_, err := c.Do(context.Background(), Request{Method: "POST", Path: "/x", Body: struct{}{}}, nil)
	if !errors.Is(err, ErrServer) || calls.Load() != 1 {
		t.Fatalf("err=%v calls=%d: a POST may have taken effect, so it must not be repeated", err, calls.Load())
	}
}

func TestStatusesMapToSentinels(t *testing.T) {
	cases := []struct {
		status int
		code   string
		want   error
	}{
		{400, "invalid_parameter", ErrBadRequest},
		{401, "not_authorized", ErrUnauthorized},
		{403, "not_allowed", ErrForbidden},
		{404, "resource_not_found", ErrNotFound},
		{409, "already_exists", ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeErr(w, tc.status, tc.code, "reason for "+tc.code)
			}))
			defer srv.Close()
			c := newTestClient(t, srv, nil)
			_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x/a%2Fb"}, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.Code != tc.code || apiErr.Message != "reason for "+tc.code {
				t.Fatalf("err = %#v", err)
			}
			if !strings.Contains(err.Error(), "reason for "+tc.code) || !strings.Contains(err.Error(), "/api/v4/x/a%2Fb") {
				t.Fatalf("message %q lacks the API's reason or the path", err)
			}
		})
	}
}

func TestMalformedBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v4/html-error":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>Bad gateway " + testToken + "</html>"))
		case "/api/v4/bad-json":
			_, _ = w.Write([]byte(`{"kind":"x","data":[`))
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.RetryMax = -1 })

	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/html-error"}, nil)
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "Bad Gateway") || strings.Contains(err.Error(), "<html>") {
		t.Fatalf("err = %v: want a 502 error that does not echo the body", err)
	}
	var out map[string]any
	_, err = c.Do(context.Background(), Request{Method: "GET", Path: "/bad-json"}, &out)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v, want ErrMalformed", err)
	}
}

func TestSendsHeadersAndBody(t *testing.T) {
	var got http.Header
	var body map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_ = json.NewDecoder(r.Body).Decode(&body)
		if r.URL.RawQuery != "domain=a.example.com" {
			t.Errorf("query = %q", r.URL.RawQuery)
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	_, err := c.Do(context.Background(), Request{Method: "PUT", Path: "/x", Query: map[string][]string{"domain": {"a.example.com"}}, Body: map[string]string{"k": "v"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer "+testToken || got.Get("User-Agent") != "terraform-provider-wrike/test" ||
		got.Get("Content-Type") != "application/json" || body["k"] != "v" {
		t.Fatalf("headers %v body %v", got, body)
	}
}

func TestRefusesToSendTokenToAnotherHost(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	_, err := c.Do(context.Background(), Request{Method: "GET", URL: "http://203.0.113.9/api/v1/users?after=x"}, nil)
	if err == nil || calls.Load() != 0 {
		t.Fatalf("err=%v calls=%d", err, calls.Load())
	}
	if _, err := c.Do(context.Background(), Request{Method: "GET", URL: srv.URL + "/api/v1/users?after=x"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestLogsAndErrorsNeverCarryTheToken(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			writeErr(w, 503, "server_error", "token "+testToken+" is busy")
			return
		}
		writeErr(w, 401, "not_authorized", "bad token "+r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x", Query: map[string][]string{"q": {"secret-ish"}}}, nil)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(logs.String(), "retrying request") || !strings.Contains(logs.String(), "status=401") {
		t.Fatalf("expected retry log lines, got %q", logs.String())
	}
	for name, text := range map[string]string{"log": logs.String(), "error": err.Error()} {
		if strings.Contains(text, testToken) || strings.Contains(text, "secret-ish") {
			t.Fatalf("%s carries a secret: %q", name, text)
		}
	}
}

func TestParseBaseURL(t *testing.T) {
	for _, bad := range []string{"", "wrike.example.com", "ftp://x", "https://", "https://x/?a=b", "https://u:p@x"} {
		if _, err := ParseBaseURL(bad); err == nil {
			t.Errorf("ParseBaseURL(%q) accepted", bad)
		}
	}
	// host:port is told to add a scheme, not that a path segment has a colon.
	if _, err := ParseBaseURL("127.0.0.1:8480"); err == nil || !strings.Contains(err.Error(), `"127.0.0.1:8480" has no scheme: write it as https://127.0.0.1:8480 (or http://127.0.0.1:8480`) {
		t.Errorf("ParseBaseURL(host:port): %v", err)
	}
	u, err := ParseBaseURL("https://x.example.com/base/")
	if err != nil || u.String() != "https://x.example.com/base" {
		t.Fatalf("got %v, %v", u, err)
	}
}

func TestTransportErrorsRetriedOnlyWhenIdempotent(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// Drop the connection without an answer.
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err != nil || calls.Load() != 2 {
		t.Fatalf("GET: err=%v calls=%d, want a retry", err, calls.Load())
	}
	calls.Store(0)
	if _, err := c.Do(context.Background(), Request{Method: "POST", Path: "/x", Body: struct{}{}}, nil); err == nil || calls.Load() != 1 {
		t.Fatalf("POST: err=%v calls=%d, want the failure without a retry", err, calls.Load())
	}
}

// countingTransport counts the attempts that reach the network.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// A server that is down is reported at once: a refused connection is not
// retried, even for a GET, and the error says nothing answered.
func TestConnectionRefusedIsNotRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens at srv.URL any more
	tr := &countingTransport{}
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: tr}
	})
	_, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("err = %v, want ErrUnreachable naming the refused connection", err)
	}
	if tr.n.Load() != 1 {
		t.Fatalf("%d attempts, want 1", tr.n.Load())
	}
}

// WithoutRetries sends a request once, even when its failure would
// otherwise be retried.
func TestWithoutRetriesSendsOnce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, nil)
	_, err := c.Do(WithoutRetries(context.Background()), Request{Method: "GET", Path: "/x"}, nil)
	if !errors.Is(err, ErrServer) || calls.Load() != 1 {
		t.Fatalf("err=%v calls=%d, want the 503 after one call", err, calls.Load())
	}
	calls.Store(0)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/x"}, nil); err == nil || calls.Load() != 4 {
		t.Fatalf("err=%v calls=%d, want 4 calls (3 retries) without WithoutRetries", err, calls.Load())
	}
}
