package httpclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinels an *Error matches with errors.Is, by HTTP status.
var (
	ErrBadRequest   = errors.New("invalid request")          // 400, 422
	ErrUnauthorized = errors.New("not authorized")           // 401
	ErrForbidden    = errors.New("forbidden")                // 403
	ErrNotFound     = errors.New("not found")                // 404, 410
	ErrConflict     = errors.New("conflict")                 // 409, 412
	ErrRateLimited  = errors.New("rate limited")             // 429
	ErrServer       = errors.New("server error")             // 5xx
	ErrMalformed    = errors.New("malformed answer")         // a body that is not the API's JSON
	ErrUnexpected   = errors.New("unexpected answer status") // any other status
	// ErrUnreachable is a request that got no answer: connection refused,
	// unknown host, TLS failure, timeout, after any retries.
	ErrUnreachable = errors.New("no answer")
)

// unreachableError is a request that got no HTTP answer; it matches
// ErrUnreachable.
type unreachableError struct{ msg string }

func (e *unreachableError) Error() string { return e.msg }
func (e *unreachableError) Unwrap() error { return ErrUnreachable }

// Error is a failed API call: the status, and the API's own code, message
// and causes when its body said so.
type Error struct {
	API        string
	Method     string
	URL        string // without the query string
	StatusCode int
	Code       string
	Message    string
	Causes     []string
	kind       error
}

// Error reads like "Wrike API: POST https://x/api/v4/approved_domains:
// HTTP 409 already_exists: Domain is already approved (cause; cause)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s API: %s %s: HTTP %d", e.API, e.Method, e.URL, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if len(e.Causes) > 0 {
		b.WriteString(" (" + strings.Join(e.Causes, "; ") + ")")
	}
	return b.String()
}

// Unwrap lets errors.Is match the sentinel for the status.
func (e *Error) Unwrap() error { return e.kind }

// KindForStatus is the sentinel an answer with this status is reported as.
func KindForStatus(status int) error {
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity,
		status == http.StatusRequestEntityTooLarge:
		return ErrBadRequest
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound, status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusConflict, status == http.StatusPreconditionFailed:
		return ErrConflict
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	default:
		return ErrUnexpected
	}
}

func (c *Client) newError(method, target string, resp *http.Response, body []byte) *Error {
	e := &Error{
		API: c.api, Method: method, URL: redact(target), StatusCode: resp.StatusCode,
		kind: KindForStatus(resp.StatusCode),
	}
	code, msg, causes, ok := c.decode(body)
	if ok {
		e.Code, e.Message, e.Causes = code, c.scrub(msg), causes
		for i := range e.Causes {
			e.Causes[i] = c.scrub(e.Causes[i])
		}
		return e
	}
	// A proxy's HTML page or an empty body: say so without echoing it.
	e.Message = http.StatusText(resp.StatusCode)
	if len(strings.TrimSpace(string(body))) > 0 {
		e.Message += " (the body is not a " + c.api + " error document)"
	}
	return e
}
