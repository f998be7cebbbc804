package okta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// These tests take the link to Wrike down, slow it, hold its requests or
// answer them in Wrike's place, and restart the backend in the middle.

// untilUp is an outage that lasts until the test ends it.
const untilUp = math.MaxInt

// TestRetriesAfterOutage: Wrike refuses the first six requests with 503
// while three users are assigned. Each refused request is one failed
// attempt, logged with Wrike's reason and retried until it succeeds.
func TestRetriesAfterOutage(t *testing.T) {
	o := newConnectedOrg(t)
	o.link.down(6)
	var ids []string
	for _, n := range []string{"ann", "bob", "cid"} {
		ids = append(ids, o.user(person(n+"@acme.example.com")))
	}
	o.assignGroup(o.group("Engineering", ids...), map[string]any{})
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d after a short outage", failed)
	}
	if n := len(o.wrikeUsers()); n != 3 {
		t.Fatalf("%d users in Wrike after the outage, want 3", n)
	}
	fails := o.events(`eventType eq "application.provision.user.push" and outcome.result eq "FAILURE"`)
	if len(fails) != 6 {
		t.Fatalf("%d failed attempts logged for 6 refused requests: %+v", len(fails), fails)
	}
	for _, e := range fails {
		if e.Outcome.Reason != "Wrike is under maintenance" {
			t.Fatalf("failed attempt: %+v", e)
		}
	}
	for _, id := range ids {
		evs := o.events(`eventType eq "application.provision.user.push" and target.id eq "` + id + `"`)
		if last := evs[len(evs)-1]; last.Outcome.Result != "SUCCESS" || len(o.events(`target.id eq "`+id+`" and outcome.result eq "SUCCESS"`)) != 1 {
			t.Fatalf("%s: attempts %+v, want failures then one success", id, evs)
		}
	}
}

// TestOutagePastRetryHorizonFailsTask: an outage longer than the retry
// horizon leaves the task FAILED, in the tasks list with its attempts and
// reason; retried once Wrike is back, it succeeds.
func TestOutagePastRetryHorizonFailsTask(t *testing.T) {
	o := newConnectedOrg(t, withOkta(func(c *okta.Config) { c.RetryHorizon = 100 * time.Millisecond }))
	o.link.down(untilUp)
	bob := o.user(person("bob@acme.example.com"))
	o.assignUser(bob)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d after the retry horizon, want 1", failed)
	}
	tasks := o.tasks("FAILED")
	if len(tasks) != 1 || tasks[0].UserID != bob || tasks[0].Operation != "CREATE" || tasks[0].Attempts < 2 ||
		tasks[0].LastError == nil || *tasks[0].LastError != "Wrike is under maintenance" || tasks[0].NextAttemptAt != nil {
		t.Fatalf("failed tasks: %+v", tasks)
	}
	if n := len(o.events(`target.id eq "` + bob + `" and outcome.result eq "FAILURE"`)); n != tasks[0].Attempts {
		t.Fatalf("%d failed attempts logged, the task counts %d", n, tasks[0].Attempts)
	}
	o.link.up()
	retried := o.retryTask(tasks[0].ID)
	if retried.ID != tasks[0].ID || retried.Status != "PENDING" {
		t.Fatalf("retried task: %+v", retried)
	}
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d after the retry", failed)
	}
	if !o.inWrike("bob@acme.example.com") {
		t.Fatal("bob not in Wrike after the retry")
	}
	if left := o.tasks(""); len(left) != 0 {
		t.Fatalf("tasks left after the retry: %+v", left)
	}
}

// TestEngineHonoursRetryAfter: Wrike's SCIM service answers the
// first create of every user with 429 and Retry-After: 1. The engine
// retries each create no sooner than the server asked, every user ends up
// provisioned once, and no task fails.
func TestEngineHonoursRetryAfter(t *testing.T) {
	o := newConnectedOrg(t)
	var mu sync.Mutex
	first := map[string]time.Time{}
	var early []string
	var limited, retried int
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Users") {
			return nil
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var u struct{ UserName string }
		_ = json.Unmarshal(body, &u)
		mu.Lock()
		defer mu.Unlock()
		at, seen := first[u.UserName]
		switch {
		case !seen:
			first[u.UserName] = time.Now()
			limited++
			h := http.Header{}
			h.Set("Retry-After", "1")
			h.Set("Content-Type", "application/scim+json")
			return &reliabilitytest.Fault{Status: http.StatusTooManyRequests, Header: h,
				Body: `{"schemas":["` + scim.SchemaError + `"],"status":"429","detail":"slow down"}`}
		case time.Since(at) < time.Second:
			early = append(early, fmt.Sprintf("%s after %v", u.UserName, time.Since(at)))
		default:
			retried++
		}
		return nil
	})
	g := o.group("Engineering")
	const n = 12
	for i := range n {
		id := o.user(person(fmt.Sprintf("patient%d@acme.example.com", i)))
		o.call(204, "PUT", "/api/v1/groups/"+g+"/users/"+id, nil, nil)
	}
	o.assignGroup(g, map[string]any{})
	if failed := o.wait(); failed != 0 {
		t.Fatalf("%d tasks failed", failed)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(early) > 0 {
		t.Fatalf("the engine came back before Retry-After: %s", strings.Join(early, "; "))
	}
	if users := o.wrikeUsers(); len(users) != n || limited != n || retried != n {
		t.Fatalf("%d users in Wrike, %d creates answered 429, %d retried after the wait; want %d each", len(users), limited, retried, n)
	}
	t.Logf("%d creates answered 429 Retry-After: 1, %d retried no sooner, 0 early", limited, retried)
}

func TestSlowSCIMAnswersTimeOutAndFail(t *testing.T) {
	o := newConnectedOrg(t, withOkta(func(c *okta.Config) { c.CallTimeout = 500 * time.Millisecond; c.RetryHorizon = 300 * time.Millisecond }))
	o.link.answerWith(func(*http.Request) *reliabilitytest.Fault {
		time.Sleep(1500 * time.Millisecond)
		return nil
	})
	slow := o.user(person("slow@acme.example.com"))
	o.assignUser(slow)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("slow SCIM: failed %d, want 1", failed)
	}
	evs := o.events(`target.id eq "` + slow + `"`)
	if len(evs) != 2 || evs[1].Outcome.Result != "FAILURE" || !strings.Contains(evs[1].Outcome.Reason, "timed out") {
		t.Fatalf("slow SCIM events: %+v", evs)
	}
}

func TestMalformedSCIMAnswerFailsAtOnce(t *testing.T) {
	o := newConnectedOrg(t)
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		if r.Method != http.MethodGet || r.URL.Query().Get("filter") == "" {
			return nil
		}
		return &reliabilitytest.Fault{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<html>maintenance page</html>"}
	})
	odd := o.user(person("odd@acme.example.com"))
	o.assignUser(odd)
	o.wait()
	evs := o.events(`target.id eq "` + odd + `"`)
	if len(evs) != 1 || !strings.Contains(evs[0].Outcome.Reason, "malformed") {
		t.Fatalf("malformed SCIM events (one attempt, no retry): %+v", evs)
	}

	// The queue still works once the service provider behaves.
	o.link.answerWith(nil)
	o.call(200, "POST", "/api/v1/users/"+odd, map[string]any{"profile": map[string]string{"title": "Fixed"}}, nil)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d after the fix, want 0", failed)
	}
	if u, ok := o.wrikeUsers()["odd@acme.example.com"]; !ok || u.Title != "Fixed" {
		t.Fatalf("odd after the fix: %+v", u)
	}
}

// TestTasksSurviveRestart: the process stops while each task of a group
// assignment has a failed attempt and its retry pending, or while each is
// in a SCIM call (the calls the restart cuts off reach Wrike late, as over
// a slow network). After the restart every task resumes and each user is
// created in Wrike exactly once.
func TestTasksSurviveRestart(t *testing.T) {
	for _, inFlight := range []bool{false, true} {
		name := "waiting for a retry"
		if inFlight {
			name = "in flight"
		}
		t.Run(name, func(t *testing.T) {
			o := newConnectedOrg(t, withOkta(func(c *okta.Config) { c.RetryBackoff = 300 * time.Millisecond }))
			var ids []string
			for _, n := range []string{"ann", "bob", "cid", "dee", "eve"} {
				ids = append(ids, o.user(person(n+"@acme.example.com")))
			}
			g := o.group("Engineering", ids...)
			release := o.link.up
			if inFlight {
				release = o.link.hold(t, len(ids))
			} else {
				o.link.down(untilUp)
			}
			o.assignGroup(g, map[string]any{})
			if inFlight {
				reliabilitytest.Receive(t, o.link.held, len(ids), 10*time.Second, "SCIM requests held")
			} else {
				reliabilitytest.Receive(t, o.link.refused, len(ids), 10*time.Second, "requests refused")
			}
			o.restart()
			if pending := o.env.Backend.Okta.Engine().Pending(); pending != len(ids) {
				t.Fatalf("%d tasks resumed after the restart, want %d", pending, len(ids))
			}
			release()
			if failed := o.wait(); failed != 0 {
				t.Fatalf("failed = %d", failed)
			}
			if users := o.wrikeUsers(); len(users) != len(ids) {
				t.Fatalf("%d users in Wrike, want %d: %+v", len(users), len(ids), users)
			}
			// The refused requests were lookups: after the restart each user
			// is created once. (Held calls the old engine goes on with once
			// released are answered 409 by Wrike, so they are not counted.)
			if posts := o.link.count("POST", ""); !inFlight && posts != len(ids) {
				t.Fatalf("%d POSTs reached Wrike, want %d", posts, len(ids))
			}
		})
	}
}

var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestOutageLongerThanRetryWindowDeprovisionsEveryone: Wrike answers 503 to
// everything for three hours (the engine used to give up after five attempts
// in about three seconds) while one user is unassigned, one is deactivated
// in Okta and a group of three loses its assignment. Once Wrike is back,
// every one of them is inactive in Wrike without any manual step; across a
// restart in the middle of the outage too.
func TestOutageLongerThanRetryWindowDeprovisionsEveryone(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := "one run"
		if restart {
			name = "across a restart"
		}
		t.Run(name, func(t *testing.T) {
			clk := clock.NewFake(epoch)
			o := newClockedOrg(t, clk)
			o.connect(true, true, true)
			direct := o.user(person("dina@acme.example.com"))
			leaver := o.user(person("leo@acme.example.com"))
			var members []string
			for _, n := range []string{"gus", "gia", "gil"} {
				members = append(members, o.user(person(n+"@acme.example.com")))
			}
			g := o.group("Contractors", members...)
			o.assignUser(direct)
			o.assignUser(leaver)
			o.assignGroup(g, map[string]any{})
			o.drive(clk, nil)
			if n := len(o.wrikeUsers()); n != 5 {
				t.Fatalf("%d users provisioned before the outage, want 5", n)
			}

			o.link.down(untilUp)
			end := clk.Now().Add(3 * time.Hour)
			o.unassignUser(direct)
			o.call(200, "POST", "/api/v1/users/"+leaver+"/lifecycle/deactivate", nil, nil)
			o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+g, nil, nil)
			restarted := false
			elapsed := o.drive(clk, func() {
				if restart && !restarted && clk.Now().After(epoch.Add(time.Hour)) {
					restarted = true
					o.restart()
					if p := o.env.Backend.Okta.Engine().Pending(); p != 5 {
						t.Fatalf("%d tasks resumed after the restart, want 5", p)
					}
				}
				if !clk.Now().Before(end) {
					o.link.up()
				}
			})
			if elapsed < 3*time.Hour || o.link.refusedCount() < 5*10 {
				t.Fatalf("the outage lasted %v with %d refused requests: not longer than the old retry window", elapsed, o.link.refusedCount())
			}
			if restart != restarted {
				t.Fatal("no restart during the outage")
			}
			for login, u := range o.wrikeUsers() {
				if u.Active || u.Billable {
					t.Errorf("%s still active (billable %v) in Wrike after the outage", login, u.Billable)
				}
			}
			if failed := o.wait(); failed != 0 {
				t.Fatalf("failed = %d", failed)
			}
			if left := o.tasks(""); len(left) != 0 {
				t.Fatalf("tasks left: %v", left)
			}
			fails := o.events(`eventType eq "application.provision.user.deactivate" and outcome.result eq "FAILURE"`)
			if len(fails) < 5*10 || fails[0].Outcome.Reason != "Wrike is under maintenance" {
				t.Fatalf("%d failed deactivations logged (first %+v)", len(fails), fails[0])
			}
			t.Logf("outage of %v (fake time): %d requests refused with 503, %d failed deactivation attempts logged, 5 users deactivated",
				elapsed.Round(time.Minute), o.link.refusedCount(), len(fails))
		})
	}
}

// TestOutageChangesCoalesceToLatestState: during an outage a provisioned
// user is unassigned, renamed and assigned again, a new user is assigned
// and unassigned, and another is assigned. Once Wrike answers, the first
// is active with the latest profile (no second account), the second was
// never created and the third is.
func TestOutageChangesCoalesceToLatestState(t *testing.T) {
	clk := clock.NewFake(epoch)
	o := newClockedOrg(t, clk)
	o.connect(true, true, true)
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	o.drive(clk, nil)

	o.link.down(untilUp)
	end := clk.Now().Add(2 * time.Hour)
	o.unassignUser(ann)
	clk.Advance(10 * time.Minute)
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Principal Engineer", "lastName": "Newname"}}, nil)
	o.assignUser(ann)
	bob := o.user(person("bob@acme.example.com"))
	o.assignUser(bob)
	cam := o.user(person("cam@acme.example.com"))
	o.assignUser(cam)
	// A task waiting for its retry time runs at once when retried by hand.
	o.settle()
	pending := o.tasks("PENDING")
	if len(pending) != 3 || pending[0].NextAttemptAt == nil || pending[0].Attempts == 0 || pending[0].LastError == nil {
		t.Fatalf("pending tasks during the outage: %+v", pending)
	}
	o.retryTask(pending[0].ID)
	o.settle()
	for _, tk := range o.tasks("PENDING") {
		if tk.ID == pending[0].ID && tk.Attempts != pending[0].Attempts+1 {
			t.Fatalf("retried task: %d attempts, want %d at once", tk.Attempts, pending[0].Attempts+1)
		}
	}
	clk.Advance(10 * time.Minute)
	o.unassignUser(bob)
	o.drive(clk, func() {
		if !clk.Now().Before(end) {
			o.link.up()
		}
	})
	users := o.wrikeUsers()
	if len(users) != 2 || !users["cam@acme.example.com"].Active {
		t.Fatalf("%d users in Wrike, want ann and cam (created after the outage): %+v", len(users), users)
	}
	u := users["ann@acme.example.com"]
	if !u.Active || u.Title != "Principal Engineer" || u.LastName != "Newname" {
		t.Fatalf("ann after the outage: %+v", u)
	}
	if au := o.appUser(ann); au.Status != "PROVISIONED" || au.SyncState != "SYNCHRONIZED" {
		t.Fatalf("ann's app user: %+v", au)
	}
}

// TestPermanentRefusalIsListedAndRetried: Wrike refuses users of a domain
// it has not approved (400). Each lands in the FAILED task list at once,
// after one attempt and without any wait; the wait endpoint's failed count
// agrees with the app users in sync state ERROR. Once the domain is
// approved, a retry through the API (one task, several, all), re-activating
// the connection and saving a new token each provision the users queued.
func TestPermanentRefusalIsListedAndRetried(t *testing.T) {
	clk := clock.NewFake(epoch)
	o := newClockedOrg(t, clk)
	o.connect(true, true, true)
	var ids []string
	for _, n := range []string{"pia", "pat", "pam", "pol", "pru"} {
		id := o.user(person(n + "@partner.example.net"))
		ids = append(ids, id)
		o.assignUser(id)
	}
	o.drive(clk, nil)
	if failed := o.wait(); failed != 5 {
		t.Fatalf("failed = %d, want 5 at once", failed)
	}
	if !clk.Now().Equal(epoch) {
		t.Fatal("the fake clock moved")
	}
	tasks := o.tasks("FAILED")
	byUser := map[string]task{}
	for _, tk := range tasks {
		if tk.Status != "FAILED" || tk.Operation != "CREATE" || tk.Attempts != 1 || tk.AppID != o.appID ||
			tk.LastError == nil || !strings.Contains(*tk.LastError, "partner.example.net") || tk.NextAttemptAt != nil ||
			tk.FirstAttemptAt == nil || *tk.FirstAttemptAt != "2026-03-02T09:00:00.000Z" || !strings.HasSuffix(tk.Login, "@partner.example.net") {
			t.Fatalf("failed task: %+v", tk)
		}
		byUser[tk.UserID] = tk
	}
	if len(byUser) != 5 {
		t.Fatalf("%d failed tasks listed, want 5: %+v", len(byUser), tasks)
	}
	pending := o.tasks("PENDING")
	if len(pending) != 0 {
		t.Fatalf("pending tasks: %+v", pending)
	}
	// The wait endpoint agrees with the app users' sync states.
	var appUsers []struct{ ID, SyncState string }
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/users", nil, &appUsers)
	inError := 0
	for _, au := range appUsers {
		if au.SyncState == "ERROR" {
			inError++
		}
	}
	if inError != 5 {
		t.Fatalf("%d app users in ERROR, want 5: %+v", inError, appUsers)
	}
	// A retry before the cause is fixed fails again, at once.
	one := o.retryTask(byUser[ids[0]].ID)
	if one.Status != "PENDING" || one.ID != byUser[ids[0]].ID {
		t.Fatalf("retried task: %+v", one)
	}
	o.drive(clk, nil)
	tasks = o.tasks("FAILED")
	if len(tasks) != 5 {
		t.Fatalf("%d failed tasks after a retry that failed again, want 5", len(tasks))
	}

	o.env.Admin(t, "POST", "/approved_domains", map[string]any{"domain": "partner.example.net"}, nil)
	o.retryTask(byUser[ids[0]].ID)
	var n struct{ Retried int }
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/lifecycle/retry",
		map[string]any{"taskIds": []string{byUser[ids[1]].ID, "tskunknown"}}, &n)
	if n.Retried != 1 {
		t.Fatalf("retried %d, want 1", n.Retried)
	}
	o.drive(clk, nil)
	if users := o.wrikeUsers(); len(users) != 2 {
		t.Fatalf("%d users in Wrike after two retries, want 2", len(users))
	}
	// Re-activating the connection re-queues the failed tasks of the app.
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/deactivate", nil, nil)
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/activate", nil, nil)
	o.drive(clk, nil)
	if users := o.wrikeUsers(); len(users) != 5 {
		t.Fatalf("%d users in Wrike after re-activating the connection, want 5", len(users))
	}
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}

	// Saving a new token re-queues too; the bulk retry without ids takes
	// every FAILED task.
	lou := o.user(person("lou@other.example.org"))
	o.assignUser(lou)
	o.drive(clk, nil)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d, want 1", failed)
	}
	o.env.Admin(t, "POST", "/approved_domains", map[string]any{"domain": "other.example.org"}, nil)
	o.connect(true, true, true)
	o.drive(clk, nil)
	if !o.inWrike("lou@other.example.org") {
		t.Fatal("lou not provisioned after saving the token again")
	}
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/lifecycle/retry", nil, &n)
	if n.Retried != 0 {
		t.Fatalf("retried %d with nothing failed", n.Retried)
	}

	// A deactivation refused for good (the Wrike integration switched off:
	// 403) is a FAILED task although the user is no longer assigned;
	// re-activating the connection once Wrike accepts again re-queues it.
	o.env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": false}, nil)
	o.unassignUser(lou)
	o.drive(clk, nil)
	tasks = o.tasks("")
	if len(tasks) != 1 || tasks[0].UserID != lou || tasks[0].Operation != "DEACTIVATE" || tasks[0].Status != "FAILED" {
		t.Fatalf("tasks after a refused deactivation: %+v", tasks)
	}
	o.env.Admin(t, "PUT", "/scim_integrations/okta", map[string]any{"enabled": true}, nil)
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/activate", nil, nil)
	o.drive(clk, nil)
	if u := o.wrikeUsers()["lou@other.example.org"]; u.Active {
		t.Fatal("lou still active after the connection was re-activated")
	}

	// Unknown tasks and apps are Okta's 404.
	if r := o.call(404, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/tsknope/lifecycle/retry", nil, nil); r.OktaErrorCode() != "E0000007" {
		t.Fatalf("unknown task: %s", r.Raw)
	}
	o.call(404, "GET", "/api/v1/apps/0oanope/provisioning/tasks", nil, nil)
	o.call(400, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks?status=DONE", nil, nil)
}

// TestChangesWhileConnectionOffApplyOnReactivation: with the connection
// deactivated, a user is unassigned and another's title changes; nothing
// can be pushed, so their app user state says DISABLED. Re-activating the
// connection pushes both: the unassigned user (no longer an app user) is
// deactivated in Wrike, the other gets the new title.
func TestChangesWhileConnectionOffApplyOnReactivation(t *testing.T) {
	clk := clock.NewFake(epoch)
	o := newClockedOrg(t, clk)
	o.connect(true, true, true)
	ann, bob := o.user(person("ann@acme.example.com")), o.user(person("bob@acme.example.com"))
	for _, id := range []string{ann, bob} {
		o.assignUser(id)
	}
	o.drive(clk, nil)
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/deactivate", nil, nil)
	o.unassignUser(ann)
	o.call(200, "POST", "/api/v1/users/"+bob, map[string]any{"profile": map[string]string{"title": "Staff Engineer"}}, nil)
	o.drive(clk, nil)
	if au := o.appUser(bob); au.SyncState != "DISABLED" {
		t.Fatalf("bob's sync state with the connection off: %q, want DISABLED", au.SyncState)
	}
	if u := o.wrikeUsers(); !u["ann@acme.example.com"].Active || u["bob@acme.example.com"].Title != "Engineer" {
		t.Fatalf("pushed with the connection off: %+v", u)
	}
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/activate", nil, nil)
	o.drive(clk, nil)
	u := o.wrikeUsers()
	if u["ann@acme.example.com"].Active || u["bob@acme.example.com"].Title != "Staff Engineer" {
		t.Fatalf("after re-activating the connection: %+v", u)
	}
}
