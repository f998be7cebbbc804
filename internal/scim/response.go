package scim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// ErrorFromResponse reads the body of a failed response (at most 64 KiB) and
// returns it as an *Error, as ParseErrorResponse does. It does not close the body.
func ErrorFromResponse(resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return ParseErrorResponse(resp.StatusCode, body)
}

// ParseErrorResponse reads a SCIM error from an HTTP response of a SCIM server
// (the Okta face's provisioning client uses it). It always returns an *Error:
// when the body is not a SCIM error, the detail is the start of the body or the
// status text, and Status is the HTTP status when the body does not say.
func ParseErrorResponse(status int, body []byte) *Error {
	var e Error
	if err := json.Unmarshal(body, &e); err == nil && (e.Detail != "" || e.ScimType != "" || e.Status != 0) {
		if e.Status == 0 {
			e.Status = status
		}
		if e.Detail == "" {
			e.Detail = http.StatusText(e.Status)
		}
		return &e
	}
	detail := strings.TrimSpace(string(body))
	if len(detail) > 200 {
		detail = strings.ToValidUTF8(detail[:200], "") + "…"
	}
	if detail == "" {
		detail = http.StatusText(status)
	}
	return &Error{Status: status, Detail: detail}
}
