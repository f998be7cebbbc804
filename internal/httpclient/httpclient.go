// Package httpclient is the HTTP transport shared by the provider's API
// clients (Wrike admin API, Okta management API): JSON requests against one
// base URL with one Authorization header, retries on 429 and 5xx that honour
// Retry-After and X-Rate-Limit-Reset with jitter and stop at the context
// deadline (go-retryablehttp underneath), typed errors that keep the API's
// own message, Link-header paging, and a retry logger that never prints
// headers or secrets. Each API supplies only how its error bodies look.
package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/wrike-community/terraform-provider-wrike/internal/httpheader"
)

// Defaults used when Config leaves a field zero.
const (
	DefaultRetryMax     = 5
	DefaultRetryWaitMin = 250 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	// DefaultMaxAdvisedWait bounds how long a server's Retry-After or
	// X-Rate-Limit-Reset can make one retry wait; a longer advice is
	// answered by giving up with ErrRateLimited at once.
	DefaultMaxAdvisedWait = 2 * time.Minute
	// DefaultAttemptTimeout bounds one attempt when Config.HTTPClient is nil.
	DefaultAttemptTimeout = time.Minute

	maxErrorBody    = 1 << 20
	maxResponseBody = 64 << 20
)

// ErrorDecoder turns a non-2xx answer into the API's own code, message and
// causes. It returns ok=false when the body is not that API's error shape.
type ErrorDecoder func(body []byte) (code, message string, causes []string, ok bool)

// Config describes one API: where it is, how to authenticate, how its
// errors look, and how patient to be.
type Config struct {
	// BaseURL is prefixed to every Request.Path, e.g. "https://x/api/v4".
	BaseURL string
	// Authorization is the whole header value ("Bearer x", "SSWS x").
	Authorization string
	// UserAgent is sent on every request.
	UserAgent string
	// DecodeError reads the API's error body. Required.
	DecodeError ErrorDecoder
	// API names the service in error messages ("Wrike", "Okta").
	API string

	HTTPClient     *http.Client
	RetryMax       int
	RetryWaitMin   time.Duration
	RetryWaitMax   time.Duration
	MaxAdvisedWait time.Duration
	// Logger receives retry and request logs; nil discards them. Secrets
	// (the Authorization value) are scrubbed from every value logged.
	Logger *slog.Logger
	// Now is the clock used to read X-Rate-Limit-Reset; nil is time.Now.
	Now func() time.Time
}

// Client sends JSON requests to one API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	auth      string
	userAgent string
	api       string
	decode    ErrorDecoder
	now       func() time.Time
	maxAdvice time.Duration
	rc        *retryablehttp.Client
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.DecodeError == nil {
		return nil, errors.New("httpclient: Config.DecodeError is required")
	}
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Authorization) == "" {
		return nil, errors.New("httpclient: an API token is required")
	}
	c := &Client{
		base:      base,
		auth:      cfg.Authorization,
		userAgent: cfg.UserAgent,
		api:       cfg.API,
		decode:    cfg.DecodeError,
		now:       cfg.Now,
		maxAdvice: cfg.MaxAdvisedWait,
	}
	if c.api == "" {
		c.api = "API"
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.maxAdvice <= 0 {
		c.maxAdvice = DefaultMaxAdvisedWait
	}
	rc := retryablehttp.NewClient()
	if cfg.HTTPClient != nil {
		rc.HTTPClient = cfg.HTTPClient
	} else {
		// One attempt that hangs must not hang the plan: it fails and is
		// retried like any transport error.
		rc.HTTPClient.Timeout = DefaultAttemptTimeout
		if t, ok := rc.HTTPClient.Transport.(*http.Transport); ok {
			// Terraform refreshes ten resources at a time by default; keep
			// that many connections open instead of dialling per request.
			t.MaxIdleConnsPerHost = 32
		}
	}
	rc.RetryMax = orDefault(cfg.RetryMax, DefaultRetryMax)
	if cfg.RetryMax < 0 {
		rc.RetryMax = 0
	}
	rc.RetryWaitMin = orDefault(cfg.RetryWaitMin, DefaultRetryWaitMin)
	rc.RetryWaitMax = orDefault(cfg.RetryWaitMax, DefaultRetryWaitMax)
	rc.CheckRetry = c.checkRetry
	rc.Backoff = c.backoff
	// The last answer, even a 429 after the final attempt, is decoded into a
	// typed error carrying the API's message rather than "giving up".
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	logger := newScrubbingLogger(cfg.Logger, cfg.Authorization)
	rc.Logger = logger
	rc.ResponseLogHook = func(_ retryablehttp.Logger, resp *http.Response) { logger.answer(resp) }
	c.rc = rc
	return c, nil
}

func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

// ParseBaseURL accepts an absolute http(s) URL without query or fragment
// and returns it without a trailing slash.
func ParseBaseURL(raw string) (*url.URL, error) {
	// host:port without a scheme is the likely slip; Go's parser would
	// only say a path segment cannot contain a colon.
	if trimmed := strings.TrimSpace(raw); trimmed != "" && !strings.Contains(trimmed, "://") {
		return nil, fmt.Errorf("%q has no scheme: write it as https://%s (or http://%s for a server without TLS)", raw, trimmed, trimmed)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("not a valid URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("the URL must start with https:// or http://, got %q", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("the URL %q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("the URL %q must not carry a query, fragment or credentials", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Request is one API call.
type Request struct {
	Method string
	// Path is appended to the base URL; path segments must already be
	// escaped (use url.PathEscape on ids).
	Path  string
	Query url.Values
	// URL, when set, replaces Path and Query: an absolute URL such as a
	// Link rel="next". It must point at the base URL's scheme and host, so
	// the token is never sent elsewhere.
	URL string
	// Body is encoded as JSON when non-nil.
	Body any
}

// Response is what is left of an answer once its body has been decoded.
type Response struct {
	StatusCode int
	Header     http.Header
}

type methodKey struct{}

type noRetryKey struct{}

// WithoutRetries marks ctx so that each request made with it is sent once:
// for advisory calls (a plan-time check) whose failure is reported as a
// warning, where waiting seconds for retries would only slow the plan.
func WithoutRetries(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetryKey{}, true)
}

// Do sends r, decodes a 2xx JSON body into out (when out is non-nil), and
// turns every other answer into an *Error.
func (c *Client) Do(ctx context.Context, r Request, out any) (*Response, error) {
	target, err := c.target(r)
	if err != nil {
		return nil, err
	}
	var body []byte
	if r.Body != nil {
		if body, err = json.Marshal(r.Body); err != nil {
			return nil, fmt.Errorf("encoding %s request: %w", c.api, err)
		}
	}
	ctx = context.WithValue(ctx, methodKey{}, r.Method)
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, target, bodyOrNil(body))
	if err != nil {
		return nil, fmt.Errorf("building %s request: %w", c.api, err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.rc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s %s: %w", c.api, r.Method, redact(target), ctxErr)
		}
		return nil, &unreachableError{msg: fmt.Sprintf("%s %s %s: %s", c.api, r.Method, redact(target), c.scrub(err.Error()))}
	}
	defer func() { _ = resp.Body.Close() }()
	out2 := &Response{StatusCode: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return out2, c.newError(r.Method, target, resp, raw)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
		return out2, nil
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return out2, fmt.Errorf("%s %s %s: reading the answer: %w", c.api, r.Method, redact(target), err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return out2, &Error{
			API: c.api, Method: r.Method, URL: redact(target), StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("the answer is not the expected JSON (%v)", err),
			kind:    ErrMalformed,
		}
	}
	return out2, nil
}

func bodyOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return bytes.NewReader(b)
}

func (c *Client) target(r Request) (string, error) {
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil {
			return "", fmt.Errorf("%s: invalid URL %q: %w", c.api, redact(r.URL), err)
		}
		if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
			return "", fmt.Errorf("%s: refusing to follow %q: it is not on %s", c.api, redact(r.URL), c.base.Host)
		}
		return u.String(), nil
	}
	u := *c.base
	if !strings.HasPrefix(r.Path, "/") {
		return "", fmt.Errorf("%s: request path %q must start with /", c.api, r.Path)
	}
	escaped := strings.TrimRight(c.base.EscapedPath(), "/") + r.Path
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return "", fmt.Errorf("%s: invalid request path %q: %w", c.api, r.Path, err)
	}
	u.Path, u.RawPath = p, escaped
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}
	return u.String(), nil
}

// redact drops the query string: paging cursors and filters are not secret,
// but nothing in a query needs to reach an error message.
func redact(raw string) string {
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		return raw[:i]
	}
	return raw
}

func (c *Client) scrub(s string) string { return scrubSecrets(s, c.auth) }

// checkRetry decides whether an attempt is worth repeating. 429 and 503
// mean the request was not processed, so any method is retried; other 5xx
// and transport errors only for idempotent methods, because a POST may have
// taken effect. An advised wait longer than the context allows ends the
// retries at once.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if noRetry, _ := ctx.Value(noRetryKey{}).(bool); noRetry {
		return false, nil
	}
	method, _ := ctx.Value(methodKey{}).(string)
	idempotent := method != http.MethodPost && method != http.MethodPatch
	if err != nil {
		return idempotent && isTransient(err), nil
	}
	var retry bool
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests, code == http.StatusServiceUnavailable:
		retry = true
	case code >= 500 && code != http.StatusNotImplemented:
		retry = idempotent
	}
	if !retry {
		return false, nil
	}
	if advice, ok := c.advisedWait(resp); ok {
		if advice > c.maxAdvice {
			return false, nil
		}
		if deadline, has := ctx.Deadline(); has && c.now().Add(advice).After(deadline) {
			return false, nil
		}
	}
	return true, nil
}

func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// Nothing listens at the address: the server is down or the URL is
	// wrong. Retrying for seconds would make every resource of a plan wait
	// for nothing; the error is reported at once.
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		// TLS and URL errors do not heal by retrying.
		msg := uerr.Err.Error()
		if strings.Contains(msg, "certificate") || strings.Contains(msg, "unsupported protocol scheme") {
			return false
		}
	}
	return true
}

// backoff waits what the server advised plus a little jitter, else an
// exponential step with full jitter between min and max.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if advice, ok := c.advisedWait(resp); ok {
		// Spread clients woken by the same reset over up to a tenth of the
		// wait (at most a second) so they do not all arrive together.
		spread := min(advice/10, time.Second)
		if spread <= 0 {
			spread = 50 * time.Millisecond
		}
		return advice + rand.N(spread) //nolint:gosec // jitter needs no cryptographic randomness
	}
	step := float64(minWait) * math.Pow(2, float64(attempt))
	if step > float64(maxWait) || math.IsInf(step, 1) {
		step = float64(maxWait)
	}
	half := time.Duration(step / 2)
	return half + rand.N(half+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// advisedWait reads Retry-After (seconds or an HTTP date) and
// X-Rate-Limit-Reset (Unix seconds when the window resets, as Okta sends).
func (c *Client) advisedWait(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if d, ok := httpheader.RetryAfter(resp.Header.Get("Retry-After"), c.now()); ok {
		return d, true
	}
	// Okta sends X-Rate-Limit-Reset on every answer; it only says when to
	// come back when the window is spent.
	if resp.StatusCode == http.StatusTooManyRequests || strings.TrimSpace(resp.Header.Get("X-Rate-Limit-Remaining")) == "0" {
		if v := strings.TrimSpace(resp.Header.Get("X-Rate-Limit-Reset")); v != "" {
			if epoch, err := strconv.ParseInt(v, 10, 64); err == nil && epoch > 0 {
				return max(time.Unix(epoch, 0).Sub(c.now()), 0), true
			}
		}
	}
	return 0, false
}
