package okta

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSlowSCIMAnswersTimeOutAndFail(t *testing.T) {
	o, f, app := startConnected(t, func(c *Config) { c.CallTimeout = 500 * time.Millisecond; c.RetryHorizon = 300 * time.Millisecond })

	f.mu.Lock()
	f.delay = 1500 * time.Millisecond
	f.mu.Unlock()
	slow := o.createUser(t, profile("slow@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": slow}, nil)
	if pending, failed := o.wait(t); pending != 0 || failed != 1 {
		t.Fatalf("slow SCIM: pending %d failed %d", pending, failed)
	}
	evs := o.logs(t, `target.id eq "`+slow+`"`)
	if len(evs) != 2 || evs[1].Outcome.Result != "FAILURE" || !strings.Contains(*evs[1].Outcome.Reason, "timed out") {
		t.Fatalf("slow SCIM events: %+v", evs)
	}

}

func TestMalformedSCIMAnswerFailsAtOnce(t *testing.T) {
	o, f, app := startConnected(t)
	f.mu.Lock()
	f.garbage = true
	f.mu.Unlock()
	odd := o.createUser(t, profile("odd@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": odd}, nil)
	o.wait(t)
	evs := o.logs(t, `target.id eq "`+odd+`"`)
	if len(evs) != 1 || !strings.Contains(*evs[0].Outcome.Reason, "malformed") {
		t.Fatalf("malformed SCIM events (one attempt, no retry): %+v", evs)
	}

	// The queue still works once the service provider behaves.
	f.mu.Lock()
	f.garbage = false
	f.mu.Unlock()
	o.must(t, 200, "POST", "/api/v1/users/"+odd, map[string]any{"profile": map[string]string{"title": "Fixed"}}, nil)
	if _, failed := o.wait(t); failed != 0 {
		t.Fatalf("failed = %d after the fix, want 0", failed)
	}
	if u := f.byUserName("odd@acme.example.com"); u == nil || u["title"] != "Fixed" {
		t.Fatalf("odd after the fix: %v", u)
	}
}

func TestSystemLogQueries(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	o, _, app := startConnected(t, func(c *Config) { c.Clock = clock })
	var ids []string
	for i := range 5 {
		ids = append(ids, o.createUser(t, profile(fmt.Sprintf("u%d@acme.example.com", i))))
	}
	g := o.createGroup(t, "All")
	for _, id := range ids {
		o.must(t, 204, "PUT", "/api/v1/groups/"+g+"/users/"+id, nil, nil)
	}
	o.must(t, 200, "PUT", "/api/v1/apps/"+app+"/groups/"+g, map[string]any{}, nil)
	o.wait(t)

	// Paging: 2 per page over 6 events (1 connection test, 5 pushes).
	var all []map[string]any
	next := "/api/v1/logs?limit=2"
	for next != "" {
		var page []map[string]any
		a := o.must(t, 200, "GET", next, nil, &page)
		all = append(all, page...)
		next = nextLink(a.Header)
	}
	if len(all) != 6 || all[0]["eventType"] != EventConnectionTest {
		t.Fatalf("paged %d events, first %v", len(all), all[0]["eventType"])
	}
	seen := map[any]bool{}
	for _, e := range all {
		seen[e["uuid"]] = true
	}
	if len(seen) != 6 {
		t.Fatal("paging repeated an event")
	}
	var desc []map[string]any
	o.must(t, 200, "GET", "/api/v1/logs?sortOrder=DESCENDING&limit=1", nil, &desc)
	if len(desc) != 1 || desc[0]["uuid"] != all[5]["uuid"] {
		t.Fatal("DESCENDING does not start with the newest event")
	}
	var none []map[string]any
	o.must(t, 200, "GET", "/api/v1/logs?since="+url.QueryEscape(now.Add(time.Second).Format(time.RFC3339)), nil, &none)
	if len(none) != 0 {
		t.Fatalf("since in the future: %d events", len(none))
	}
	o.must(t, 200, "GET", "/api/v1/logs?until="+url.QueryEscape(now.Format(time.RFC3339)), nil, &none)
	if len(none) != 0 {
		t.Fatalf("until excludes events published at that instant: %d events", len(none))
	}
	for _, bad := range []string{"since=yesterday", "limit=0", "filter=" + url.QueryEscape(`severity eq "WARN"`), "sortOrder=UP"} {
		if a := o.do(t, "GET", "/api/v1/logs?"+bad, nil); a.Status != 400 {
			t.Errorf("%s: %d", bad, a.Status)
		}
	}
	if a := o.do(t, "GET", "/api/v1/_backend/provisioning/wait?timeout=forever", nil); a.Status != 400 {
		t.Fatalf("bad wait timeout: %d", a.Status)
	}
}
