package backendtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Answer is an HTTP answer as tests read it, whichever face gave it.
type Answer struct {
	// Req is the method and URL (its first 200 bytes), for messages.
	Req string
	// Status is the answer's status, 0 when no answer came: Raw then holds
	// the error.
	Status int
	Header http.Header
	// Raw is the body as answered.
	Raw string
	// Body is the JSON object answered, nil when the answer is not one (a
	// list, a page, nothing).
	Body map[string]any
}

// Send makes a request and reads the answer. The body is sent as it is when
// it is a string or []byte, as JSON when it is anything else, and not at all
// when nil; headers are name, value pairs set in order (an empty value
// removes the header). A nil client is http.DefaultClient.
//
// Send never stops the test, so goroutines may call it: a request that
// could not be made or was not answered has status 0 and the error in Raw.
func Send(client *http.Client, method, url string, body any, headers ...string) Answer {
	a := Answer{Req: fmt.Sprintf("%s %.200s", method, url)}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.Raw = "encode body: " + err.Error()
			return a
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		a.Raw = err.Error()
		return a
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		a.Raw = err.Error()
		return a
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.Raw = err.Error()
		return a
	}
	a.Status, a.Header, a.Raw = resp.StatusCode, resp.Header, string(raw)
	_ = json.Unmarshal(raw, &a.Body)
	return a
}

// Check is Want without a test to stop, for goroutines and check functions:
// an error naming the request unless the answer has status; out, when not
// nil, receives the decoded body.
func (a Answer) Check(status int, out any) error {
	if a.Status != status {
		return fmt.Errorf("%s: status %d, want %d: %s", a.Req, a.Status, status, a.Raw)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(a.Raw), out); err != nil {
			return fmt.Errorf("%s: decode %s: %w", a.Req, a.Raw, err)
		}
	}
	return nil
}

// Want stops the test unless the answer has status, and returns the JSON
// object answered (nil if it is not one).
func (a Answer) Want(t testing.TB, status int) map[string]any {
	t.Helper()
	if err := a.Check(status, nil); err != nil {
		t.Fatal(err)
	}
	return a.Body
}

// WantInto stops the test unless the answer has status and, when out is not
// nil, decodes into out; it returns the answer, for its headers.
func (a Answer) WantInto(t testing.TB, status int, out any) Answer {
	t.Helper()
	if err := a.Check(status, out); err != nil {
		t.Fatal(err)
	}
	return a
}

// Sent stops the test unless the request was made and answered.
func (a Answer) Sent(t testing.TB) Answer {
	t.Helper()
	if a.Status == 0 {
		t.Fatalf("%s: %s", a.Req, a.Raw)
	}
	return a
}

// SentObject is Sent for the Wrike face's APIs, which answer nothing or a
// JSON object: it also stops the test when the answer is anything else.
func (a Answer) SentObject(t testing.TB) Answer {
	t.Helper()
	a.Sent(t)
	if a.Raw != "" && a.Body == nil {
		t.Fatalf("%s: answer is not a JSON object: %s", a.Req, a.Raw)
	}
	return a
}

// The Wrike admin API (v4).

// Data is the data array of a v4 success; it stops the test unless the
// answer is one.
func (a Answer) Data(t testing.TB) []map[string]any {
	t.Helper()
	a.Want(t, http.StatusOK)
	list, ok := a.Body["data"].([]any)
	if !ok || a.Body["kind"] == nil {
		t.Fatalf("%s: not a v4 answer: %s", a.Req, a.Raw)
	}
	out := make([]map[string]any, len(list))
	for i, v := range list {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: data[%d] is not an object: %s", a.Req, i, a.Raw)
		}
		out[i] = m
	}
	return out
}

// IsV4Error reports whether the answer is a v4 error of status and code
// with a description.
func (a Answer) IsV4Error(status int, code string) bool {
	d, _ := a.Body["errorDescription"].(string)
	return a.Status == status && a.Body["error"] == code && d != ""
}

// WantV4Error stops the test unless IsV4Error.
func (a Answer) WantV4Error(t testing.TB, status int, code string) {
	t.Helper()
	if !a.IsV4Error(status, code) {
		t.Fatalf("%s: got %d %s, want a v4 error %d %s with a description", a.Req, a.Status, a.Raw, status, code)
	}
}

// The Wrike face's SCIM service.

// IsSCIMError reports whether the answer is a SCIM Error of its own status
// with a detail.
func (a Answer) IsSCIMError() bool {
	schemas, _ := a.Body["schemas"].([]any)
	d, _ := a.Body["detail"].(string)
	return len(schemas) == 1 && schemas[0] == "urn:ietf:params:scim:api:messages:2.0:Error" &&
		a.Body["status"] == fmt.Sprint(a.Status) && d != ""
}

// WantSCIMError stops the test unless the answer is a SCIM Error of status
// (and of scimType, if given).
func (a Answer) WantSCIMError(t testing.TB, status int, scimType string) {
	t.Helper()
	if a.Status != status || !a.IsSCIMError() || (scimType != "" && a.Body["scimType"] != scimType) {
		t.Fatalf("%s: got %d %s, want a SCIM Error %d %s with a detail", a.Req, a.Status, a.Raw, status, scimType)
	}
}

// The Okta management API.

// OktaErrorCode is the errorCode of an Okta error document, or "".
func (a Answer) OktaErrorCode() string {
	var e struct{ ErrorCode string }
	_ = json.Unmarshal([]byte(a.Raw), &e)
	return e.ErrorCode
}
