package okta_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
	"github.com/wrike-community/terraform-provider-wrike/internal/backend/okta"
	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
)

// These tests run the engine on a fake clock with its default retry policy
// (1 s doubling, 15 min cap, 24 h horizon): hours of outage take no real
// time, and no test sleeps.

// newClockedOrg is an org whose engine retries on clk with the defaults.
func newClockedOrg(t *testing.T, clk *clock.Fake) *org {
	return newOrg(t, backendtest.WithClock(clk.Now), backendtest.WithOkta(func(c *okta.Config) {
		fast(c)
		c.RetryBackoff = 0 // the default
		c.AfterFunc = clk.AfterFunc
	}))
}

// drive runs the engine until its queue is idle: whenever every queued task
// waits for its retry time, the clock jumps to the next one and then tick
// runs (nil: nothing). It returns the fake time that passed.
func (o *org) drive(clk *clock.Fake, tick func()) time.Duration {
	o.t.Helper()
	start := clk.Now()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		o.settle()
		eng := o.env.Backend.Okta.Engine()
		if eng.Pending() == 0 {
			return clk.Now().Sub(start)
		}
		if !clk.AdvanceToNext() {
			o.t.Fatalf("%d tasks pending, none waiting for a retry", eng.Pending())
		}
		if tick != nil {
			tick()
		}
	}
	o.t.Fatalf("the queue was not idle after 60 s (%d tasks pending)", o.env.Backend.Okta.Engine().Pending())
	return 0
}

// settle waits until every queued task waits for its retry time.
func (o *org) settle() {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := o.env.Backend.Okta.Engine().WaitSettled(ctx); err != nil {
		o.t.Fatalf("the engine did not settle: %v", err)
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
			w := newOutage(t, o.env)
			o.connect(w.baseURL(o.scim.BaseURL), true, true, true)
			direct := o.user(person("dina@acme.example.com"))
			leaver := o.user(person("leo@acme.example.com"))
			var members []string
			for _, n := range []string{"gus", "gia", "gil"} {
				members = append(members, o.user(person(n+"@acme.example.com")))
			}
			g := o.group("Contractors", members...)
			o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": direct}, nil)
			o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": leaver}, nil)
			o.call(200, "PUT", "/api/v1/apps/"+o.appID+"/groups/"+g, map[string]any{}, nil)
			o.drive(clk, nil)
			if n := len(o.wrikeUsers()); n != 5 {
				t.Fatalf("%d users provisioned before the outage, want 5", n)
			}

			w.down.Store(true)
			end := clk.Now().Add(3 * time.Hour)
			o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+direct, nil, nil)
			o.call(200, "POST", "/api/v1/users/"+leaver+"/lifecycle/deactivate", nil, nil)
			o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+g, nil, nil)
			restarted := false
			elapsed := o.drive(clk, func() {
				if restart && !restarted && clk.Now().After(epoch.Add(time.Hour)) {
					restarted = true
					o.env.Restart(t)
					if p := o.env.Backend.Okta.Engine().Pending(); p != 5 {
						t.Fatalf("%d tasks resumed after the restart, want 5", p)
					}
				}
				if !clk.Now().Before(end) {
					w.down.Store(false)
				}
			})
			if elapsed < 3*time.Hour || w.hits.Load() < 5*10 {
				t.Fatalf("the outage lasted %v with %d refused requests: not longer than the old retry window", elapsed, w.hits.Load())
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
			var left []map[string]any
			o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks", nil, &left)
			if len(left) != 0 {
				t.Fatalf("tasks left: %v", left)
			}
			fails := o.events(`eventType eq "application.provision.user.deactivate" and outcome.result eq "FAILURE"`)
			if len(fails) < 5*10 || fails[0].Outcome.Reason != "Wrike is under maintenance" {
				t.Fatalf("%d failed deactivations logged (first %+v)", len(fails), fails[0])
			}
			t.Logf("outage of %v (fake time): %d requests refused with 503, %d failed deactivation attempts logged, 5 users deactivated",
				elapsed.Round(time.Minute), w.hits.Load(), len(fails))
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
	w := newOutage(t, o.env)
	o.connect(w.baseURL(o.scim.BaseURL), true, true, true)
	ann := o.user(person("ann@acme.example.com"))
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": ann}, nil)
	o.drive(clk, nil)

	w.down.Store(true)
	end := clk.Now().Add(2 * time.Hour)
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+ann, nil, nil)
	clk.Advance(10 * time.Minute)
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Principal Engineer", "lastName": "Newname"}}, nil)
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": ann}, nil)
	bob := o.user(person("bob@acme.example.com"))
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": bob}, nil)
	cam := o.user(person("cam@acme.example.com"))
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": cam}, nil)
	// A task waiting for its retry time runs at once when retried by hand.
	o.settle()
	var pending []task
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks?status=PENDING", nil, &pending)
	if len(pending) != 3 || pending[0].NextAttemptAt == nil || pending[0].Attempts == 0 || pending[0].LastError == nil {
		t.Fatalf("pending tasks during the outage: %+v", pending)
	}
	var retried task
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/"+pending[0].ID+"/lifecycle/retry", nil, &retried)
	o.settle()
	var after []task
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks?status=PENDING", nil, &after)
	for _, tk := range after {
		if tk.ID == pending[0].ID && tk.Attempts != pending[0].Attempts+1 {
			t.Fatalf("retried task: %d attempts, want %d at once", tk.Attempts, pending[0].Attempts+1)
		}
	}
	clk.Advance(10 * time.Minute)
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+bob, nil, nil)
	o.drive(clk, func() {
		if !clk.Now().Before(end) {
			w.down.Store(false)
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
	var au struct{ Status, SyncState string }
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/users/"+ann, nil, &au)
	if au.Status != "PROVISIONED" || au.SyncState != "SYNCHRONIZED" {
		t.Fatalf("ann's app user: %+v", au)
	}
}

type task struct {
	ID, AppID, UserID, Login, Operation, Status string
	Attempts                                    int
	LastError                                   *string
	FirstAttemptAt, LastAttemptAt               *string
	NextAttemptAt                               *string
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
	o.connect(o.scim.BaseURL, true, true, true)
	var ids []string
	for _, n := range []string{"pia", "pat", "pam", "pol", "pru"} {
		id := o.user(person(n + "@partner.example.net"))
		ids = append(ids, id)
		o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": id}, nil)
	}
	o.drive(clk, nil)
	if failed := o.wait(); failed != 5 {
		t.Fatalf("failed = %d, want 5 at once", failed)
	}
	if !clk.Now().Equal(epoch) {
		t.Fatal("the fake clock moved")
	}
	var tasks []task
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks?status=FAILED", nil, &tasks)
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
	var pending []task
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks?status=PENDING", nil, &pending)
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
	var one task
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/"+byUser[ids[0]].ID+"/lifecycle/retry", nil, &one)
	if one.Status != "PENDING" || one.ID != byUser[ids[0]].ID {
		t.Fatalf("retried task: %+v", one)
	}
	o.drive(clk, nil)
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks?status=FAILED", nil, &tasks)
	if len(tasks) != 5 {
		t.Fatalf("%d failed tasks after a retry that failed again, want 5", len(tasks))
	}

	o.env.Admin(t, "POST", "/approved_domains", map[string]any{"domain": "partner.example.net"}, nil)
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/"+byUser[ids[0]].ID+"/lifecycle/retry", nil, nil)
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
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": lou}, nil)
	o.drive(clk, nil)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d, want 1", failed)
	}
	o.env.Admin(t, "POST", "/approved_domains", map[string]any{"domain": "other.example.org"}, nil)
	o.connect(o.scim.BaseURL, true, true, true)
	o.drive(clk, nil)
	if _, ok := o.wrikeUsers()["lou@other.example.org"]; !ok {
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
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+lou, nil, nil)
	o.drive(clk, nil)
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/provisioning/tasks", nil, &tasks)
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
	raw := o.call(404, "POST", "/api/v1/apps/"+o.appID+"/provisioning/tasks/tsknope/lifecycle/retry", nil, nil)
	if !strings.Contains(string(raw), "E0000007") {
		t.Fatalf("unknown task: %s", raw)
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
	o.connect(o.scim.BaseURL, true, true, true)
	ann, bob := o.user(person("ann@acme.example.com")), o.user(person("bob@acme.example.com"))
	for _, id := range []string{ann, bob} {
		o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": id}, nil)
	}
	o.drive(clk, nil)
	o.call(204, "POST", "/api/v1/apps/"+o.appID+"/connections/default/lifecycle/deactivate", nil, nil)
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/users/"+ann, nil, nil)
	o.call(200, "POST", "/api/v1/users/"+bob, map[string]any{"profile": map[string]string{"title": "Staff Engineer"}}, nil)
	o.drive(clk, nil)
	var au struct{ SyncState string }
	o.call(200, "GET", "/api/v1/apps/"+o.appID+"/users/"+bob, nil, &au)
	if au.SyncState != "DISABLED" {
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
