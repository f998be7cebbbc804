package backendtest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// TestSendBodiesAndHeaders: a string body goes as it is, a value as JSON,
// nil as nothing; headers are set in order and an empty value removes one.
func TestSendBodiesAndHeaders(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+string(b)+" ct="+r.Header.Get("Content-Type")+fmt.Sprintf(" x=%q", r.Header.Values("X-Test")))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	for _, c := range []struct {
		body    any
		headers []string
		want    string
	}{
		{`{"raw": 1}`, []string{"Content-Type", "application/scim+json"}, `POST {"raw": 1} ct=application/scim+json x=[]`},
		{map[string]int{"n": 1}, []string{"X-Test", "a", "X-Test", "b"}, `POST {"n":1} ct= x=["b"]`},
		{nil, []string{"X-Test", "a", "X-Test", ""}, `POST  ct= x=[]`},
		{[]byte("bytes"), nil, `POST bytes ct= x=[]`},
	} {
		got = nil
		a := backendtest.Send(nil, http.MethodPost, srv.URL+"/p", c.body, c.headers...)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("body %#v, headers %q: server saw %q, want %q", c.body, c.headers, got, c.want)
		}
		if a.Status != http.StatusOK || a.Body["ok"] != true || a.Raw != `{"ok":true}` || a.Req != "POST "+srv.URL+"/p" {
			t.Errorf("answer %+v", a)
		}
	}
}

// TestAnswerMessagesNameTheRequest: every refusal says which request, what
// came back and what was wanted; no answer at all is status 0 with the
// error, never a stopped goroutine.
func TestAnswerMessagesNameTheRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"not_found","errorDescription":"no such thing"}`)
	}))
	a := backendtest.Send(nil, http.MethodDelete, srv.URL+"/things/7", nil)
	err := a.Check(http.StatusOK, nil)
	if err == nil || !strings.Contains(err.Error(), "DELETE "+srv.URL+"/things/7: status 404, want 200: ") || !strings.Contains(err.Error(), "no such thing") {
		t.Fatalf("Check: %v", err)
	}
	if err := a.Check(http.StatusNotFound, new(int)); err == nil || !strings.Contains(err.Error(), "DELETE "+srv.URL+"/things/7: decode ") {
		t.Fatalf("Check into the wrong type: %v", err)
	}
	if !a.IsV4Error(http.StatusNotFound, "not_found") || a.IsV4Error(http.StatusNotFound, "other") || a.IsSCIMError() {
		t.Fatalf("error kinds of %+v", a)
	}
	srv.Close()
	gone := backendtest.Send(nil, http.MethodGet, srv.URL+"/x", nil)
	if gone.Status != 0 || gone.Raw == "" || gone.Check(http.StatusOK, nil) == nil {
		t.Fatalf("a server that is gone: %+v", gone)
	}
}

// TestAnswerFaceErrors: the SCIM Error needs its schema, its own status as
// a string and a detail; the Okta error code is read from the document.
func TestAnswerFaceErrors(t *testing.T) {
	// answered is what a server answering status and body gives Send.
	answered := func(status int, body string) backendtest.Answer {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		defer srv.Close()
		return backendtest.Send(nil, http.MethodGet, srv.URL, nil)
	}
	const schema = `"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"]`
	for body, want := range map[string]bool{
		`{` + schema + `,"status":"409","detail":"taken","scimType":"uniqueness"}`: true,
		`{` + schema + `,"status":"400","detail":"taken"}`:                         false, // not its own status
		`{` + schema + `,"status":"409"}`:                                          false, // no detail
		`{"status":"409","detail":"taken"}`:                                        false, // no schema
	} {
		if got := answered(http.StatusConflict, body).IsSCIMError(); got != want {
			t.Errorf("IsSCIMError(%s) = %v, want %v", body, got, want)
		}
	}
	if code := answered(http.StatusNotFound, `{"errorCode":"E0000007","errorSummary":"Not found"}`).OktaErrorCode(); code != "E0000007" {
		t.Errorf("OktaErrorCode = %q", code)
	}
	if code := answered(http.StatusOK, `[{"errorCode":"E0000007"}]`).OktaErrorCode(); code != "" {
		t.Errorf("OktaErrorCode of a list = %q", code)
	}
}
