package okta

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// TestDownstreamAnswersAreNotEchoed: a service provider that answers with
// an HTML error page quoting the request's Authorization header, or with a
// SCIM Error whose detail carries tokens and a page of text, never gets
// those into the System Log or the server's log: the HTML page is recorded
// as status, content type and length, the SCIM detail shortened and
// scrubbed.
func TestDownstreamAnswersAreNotEchoed(t *testing.T) {
	var sink reliabilitytest.LogSink
	o := startOrg(t, func(c *Config) { c.Logger = sink.DebugLogger(); c.RetryHorizon = 50 * time.Millisecond })
	const connToken = "wrk4_c0nnecti0nT0kenThatMustNeverLeak42"
	const oktaLike = "00abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	var mode atomic.Value
	mode.Store("html")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if r.Method == http.MethodGet && r.URL.Query().Get("filter") == "" {
			w.Header().Set("Content-Type", "application/scim+json")
			_, _ = w.Write([]byte(`{"schemas":["` + schemaList + `"],"totalResults":0,"Resources":[]}`))
			return
		}
		if mode.Load() == "html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body><h1>502</h1><pre>Authorization: " + auth + "\nSSWS " + oktaLike + "</pre></body></html>"))
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{schemaError}, "status": "400", "scimType": "invalidValue",
			"detail": "token refused (" + auth + "), try SSWS " + oktaLike + " or " + connToken + "\n" + strings.Repeat("lorem ipsum ", 100)})
	}))
	t.Cleanup(srv.Close)
	app := o.createApp(t)
	o.enableProvisioning(t, app, srv.URL+"/scim/v2", connToken, true, true, true)

	ann := o.createUser(t, profile("ann@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann}, nil)
	if _, failed := o.wait(t); failed != 1 {
		t.Fatalf("failed = %d after the HTML errors, want 1", failed)
	}
	evs := o.logs(t, `target.id eq "`+ann+`"`)
	for _, e := range evs {
		if r := *e.Outcome.Reason; !strings.HasPrefix(r, "HTTP 502 Bad Gateway (text/html, ") || !strings.HasSuffix(r, " bytes)") {
			t.Fatalf("HTML answer recorded as %q", r)
		}
	}

	mode.Store("scim")
	bob := o.createUser(t, profile("bob@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": bob}, nil)
	o.wait(t)
	evs = o.logs(t, `target.id eq "`+bob+`"`)
	if len(evs) != 1 {
		t.Fatalf("%d attempts for a permanent 400, want 1", len(evs))
	}
	r := *evs[0].Outcome.Reason
	if !strings.HasPrefix(r, "token refused (Bearer [redacted]), try SSWS [redacted] or [redacted] lorem ipsum") ||
		utf8.RuneCountInString(r) > maxReason+1 || strings.Contains(r, "\n") {
		t.Fatalf("SCIM detail recorded as %q", r)
	}
	var tasks []provisioningTask
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/provisioning/tasks", nil, &tasks)
	if len(tasks) != 2 {
		t.Fatalf("tasks: %+v", tasks)
	}

	all := o.must(t, 200, "GET", "/api/v1/logs?limit=1000", nil, nil).Body
	text := string(all) + sink.String()
	for _, tk := range tasks {
		text += *tk.LastError
	}
	if found := reliabilitytest.FindSecrets(text, connToken, oktaLike, o.Token); len(found) > 0 {
		t.Fatalf("secrets in the System Log, the tasks or the log output: %v", found)
	}
	if !strings.Contains(sink.String(), "provisioning attempt failed") {
		t.Fatal("the log sink caught nothing: the check above proves nothing")
	}
}

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		"Authorization: Bearer abc.def-ghi":         "Authorization: Bearer [redacted]",
		"ssws 00abc, then basic dXNlcjpwYXNz":       "ssws [redacted], then basic [redacted]",
		"bearer%20xyz and wrka_secretvalue1234 end": "bearer [redacted] and [redacted] end",
		"a\nb\tc":                         "a b c",
		"the token is s3cr3t-s3cr3t here": "the token is [redacted] here",
		strings.Repeat("é", 300):          strings.Repeat("é", maxReason) + "…",
	} {
		if got := scrub(in, "s3cr3t-s3cr3t"); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRetryPolicyWaits(t *testing.T) {
	p := retryPolicy{base: time.Second, maxWait: 15 * time.Minute, horizon: 24 * time.Hour}
	for attempt, full := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 11: 15 * time.Minute, 1000: 15 * time.Minute} {
		for range 50 {
			if d := p.wait(attempt, 0); d < full/2 || d > full {
				t.Fatalf("attempt %d waits %v, want between %v and %v", attempt, d, full/2, full)
			}
		}
	}
	// Retry-After wins over a shorter backoff (plus at most 10 %), up to the cap.
	for range 50 {
		if d := p.wait(1, 30*time.Second); d < 30*time.Second || d > 33*time.Second {
			t.Fatalf("Retry-After 30s waits %v", d)
		}
		if d := p.wait(1, 5*time.Hour); d < 15*time.Minute || d > 16*time.Minute+30*time.Second {
			t.Fatalf("Retry-After 5h waits %v, want the 15m cap", d)
		}
	}
	if d := retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)); d != time.Minute {
		t.Fatalf("Retry-After as a date: %v", d)
	}
}
