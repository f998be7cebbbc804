package okta_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/clock"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

// TestOffboardingDuringOutageIsNotLost: while Wrike answers 503, provisioned
// users stop being assigned in every way Okta has (deactivated then
// deleted, the usual offboarding; unassigned then deleted; removed from the
// assigned group; the group's assignment removed; the group deleted;
// suspended; deactivated) and the backend restarts in the middle. Once
// Wrike answers, every one of them is deactivated in Wrike, though some no
// longer exist in Okta, and nothing is left queued. Desired state still
// wins: one user deactivated and reactivated with a new title during the
// outage, and one created with a deleted user's login and assigned, end
// active with their latest profile.
func TestOffboardingDuringOutageIsNotLost(t *testing.T) {
	clk := clock.NewFake(epoch)
	o := newClockedOrg(t, clk)
	o.connect(true, true, true)
	ids := map[string]string{}
	for _, n := range []string{"del1", "del2", "del3", "del4", "del5", "del6", "unas", "susp", "deac", "back", "reuse"} {
		ids[n] = o.user(person(n + "@acme.example.com"))
		o.assignUser(ids[n])
	}
	var members, leavers, deleted []string
	for i := range 3 {
		members = append(members, o.user(person(fmt.Sprintf("mem%d@acme.example.com", i))))
		leavers = append(leavers, o.user(person(fmt.Sprintf("lea%d@acme.example.com", i))))
		deleted = append(deleted, o.user(person(fmt.Sprintf("gdl%d@acme.example.com", i))))
	}
	staying := o.user(person("stay@acme.example.com"))
	unassigned := o.group("Unassigned", members...)
	left := o.group("Left", append([]string{staying}, leavers...)...)
	gone := o.group("Gone", deleted...)
	for _, g := range []string{unassigned, left, gone} {
		o.assignGroup(g, map[string]any{})
	}
	o.drive(clk, nil)
	if n := len(o.wrikeUsers()); n != 21 {
		t.Fatalf("%d users provisioned before the outage, want 21", n)
	}

	o.link.down(untilUp)
	for _, n := range []string{"del1", "del2", "del3", "del4", "del5", "del6"} {
		o.call(200, "POST", "/api/v1/users/"+ids[n]+"/lifecycle/deactivate", nil, nil)
	}
	o.unassignUser(ids["unas"])
	o.call(200, "POST", "/api/v1/users/"+ids["susp"]+"/lifecycle/suspend", nil, nil)
	o.call(200, "POST", "/api/v1/users/"+ids["deac"]+"/lifecycle/deactivate", nil, nil)
	o.call(200, "POST", "/api/v1/users/"+ids["back"]+"/lifecycle/deactivate", nil, nil)
	o.call(200, "POST", "/api/v1/users/"+ids["reuse"]+"/lifecycle/deactivate", nil, nil)
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+unassigned, nil, nil)
	for _, l := range leavers {
		o.call(204, "DELETE", "/api/v1/groups/"+left+"/users/"+l, nil, nil)
	}
	o.call(204, "DELETE", "/api/v1/groups/"+gone, nil, nil)
	// Some failed attempts later (and after a restart), the users are deleted.
	for range 5 {
		o.settle()
		clk.AdvanceToNext()
	}
	o.restart()
	for _, n := range []string{"del1", "del2", "del3", "del4", "del5", "del6", "unas", "reuse"} {
		o.call(204, "DELETE", "/api/v1/users/"+ids[n], nil, nil)
		if n == "unas" { // active: the first DELETE deactivates, as in Okta
			o.call(204, "DELETE", "/api/v1/users/"+ids[n], nil, nil)
		}
		o.call(404, "GET", "/api/v1/users/"+ids[n], nil, nil)
	}
	o.call(200, "POST", "/api/v1/users/"+ids["back"]+"/lifecycle/activate", nil, nil)
	o.call(200, "POST", "/api/v1/users/"+ids["back"], map[string]any{"profile": map[string]string{"title": "Returning"}}, nil)
	reborn := o.user(withTitle(person("reuse@acme.example.com"), "Reborn"))
	o.assignUser(reborn)
	for range 5 {
		o.settle()
		clk.AdvanceToNext()
	}
	o.restart()
	end := clk.Now().Add(30 * time.Minute)
	o.drive(clk, func() {
		if !clk.Now().Before(end) {
			o.link.up()
		}
	})
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	users := o.wrikeUsers()
	for login, u := range users {
		want := login == "stay@acme.example.com" || login == "back@acme.example.com" || login == "reuse@acme.example.com"
		if u.Active != want || u.Billable != want {
			t.Errorf("%s: active %v billable %v, want %v", login, u.Active, u.Billable, want)
		}
	}
	if u := users["back@acme.example.com"]; u.Title != "Returning" {
		t.Errorf("back after reactivation: %+v", u)
	}
	if u := users["reuse@acme.example.com"]; u.Title != "Reborn" {
		t.Errorf("a new user with a deleted user's login: %+v", u)
	}
	if len(users) != 21 {
		t.Errorf("%d accounts in Wrike, want the 21 provisioned before", len(users))
	}
	if tasks := o.tasks(""); len(tasks) != 0 {
		t.Fatalf("tasks left: %+v", tasks)
	}
	var page []struct{ ID string }
	o.call(200, "GET", "/api/v1/users?limit=200", nil, &page)
	if len(page) != 21-8+1 {
		t.Fatalf("%d users listed in Okta, want 14 (the deleted ones are gone)", len(page))
	}
}

// TestSuccessAnswersAreChecked: a service provider (or a proxy before it)
// answers changes 2xx without making them: a deactivating PATCH answered
// 200 with a body that is not the user, 200 with the user still active,
// and 204 while a read-back shows it active; a create answered 201 with
// another user; a profile PUT answered 200 with another id. Each is a
// failed attempt whose reason says so, retried; once the answers are true
// every change is in Wrike and nothing failed for good.
func TestSuccessAnswersAreChecked(t *testing.T) {
	o := newConnectedOrg(t)
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	o.wait()
	id := o.wrikeUsers()["ann@acme.example.com"].ID
	var mu sync.Mutex
	lies := map[string][]reliabilitytest.Fault{
		"PATCH": {
			{Status: 200, Header: scimJSON, Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0}`},
			{Status: 200, Header: scimJSON, Body: `{"id":"` + id + `","userName":"ann@acme.example.com","active":true}`},
			{Status: 204},
		},
		"POST": {{Status: 201, Header: scimJSON, Body: `{"id":"someone-else","userName":"zed@acme.example.com","active":true}`}},
		"PUT":  {{Status: 200, Header: scimJSON, Body: `{"id":"someone-else","userName":"bob@acme.example.com","active":true}`}},
	}
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		mu.Lock()
		defer mu.Unlock()
		if l := lies[r.Method]; len(l) > 0 {
			lies[r.Method] = l[1:]
			return &l[0]
		}
		return nil
	})
	o.unassignUser(ann)
	bob := o.user(person("bob@acme.example.com"))
	o.assignUser(bob)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	o.call(200, "POST", "/api/v1/users/"+bob, map[string]any{"profile": map[string]string{"title": "Checked"}}, nil)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	users := o.wrikeUsers()
	if u := users["ann@acme.example.com"]; u.Active {
		t.Fatalf("ann still active after lying deactivations: %+v", u)
	}
	if u := users["bob@acme.example.com"]; !u.Active || u.Title != "Checked" {
		t.Fatalf("bob: %+v", u)
	}
	for who, want := range map[string][]string{
		ann: {"the SCIM answer to PATCH /Users/{id} does not show the user deactivated",
			"the SCIM answer to PATCH /Users/{id} does not show the user deactivated",
			"the SCIM answer to PATCH /Users/{id} does not show the user deactivated"},
		bob: {"the SCIM answer to POST /Users does not show the user created, active",
			"the SCIM answer to PUT /Users/{id} does not show the user active"},
	} {
		evs := o.events(`target.id eq "` + who + `" and outcome.result eq "FAILURE"`)
		if len(evs) != len(want) {
			t.Fatalf("%s: failures %+v, want %q", who, evs, want)
		}
		for i, e := range evs {
			if e.Outcome.Reason != want[i] {
				t.Errorf("%s: failure %d: %q, want %q", who, i, e.Outcome.Reason, want[i])
			}
		}
	}
}

var scimJSON = http.Header{"Content-Type": {"application/scim+json"}}

// TestOffboardingWhileAppInactive: users deactivated, and deleted, while
// the app is inactive are pushed nothing meanwhile and deactivated in Wrike
// once the app is active again; users deleted while the app is inactive
// and the app then deleted are not pushed (Okta deletes an app without
// deprovisioning) and leave nothing behind.
func TestOffboardingWhileAppInactive(t *testing.T) {
	o := newConnectedOrg(t)
	ids := map[string]string{}
	for _, n := range []string{"ann", "bob", "cid", "dan"} {
		ids[n] = o.user(person(n + "@acme.example.com"))
		o.assignUser(ids[n])
	}
	o.wait()
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/lifecycle/deactivate", nil, nil)
	o.call(200, "POST", "/api/v1/users/"+ids["ann"]+"/lifecycle/deactivate", nil, nil)
	o.call(204, "DELETE", "/api/v1/users/"+ids["bob"], nil, nil)
	o.call(204, "DELETE", "/api/v1/users/"+ids["bob"], nil, nil)
	o.wait()
	if u := o.wrikeUsers(); !u["ann@acme.example.com"].Active || !u["bob@acme.example.com"].Active {
		t.Fatalf("an inactive app pushed: %+v", u)
	}
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/lifecycle/activate", nil, nil)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	if u := o.wrikeUsers(); u["ann@acme.example.com"].Active || u["bob@acme.example.com"].Active || !u["cid@acme.example.com"].Active {
		t.Fatalf("after re-activating the app: %+v", u)
	}

	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/lifecycle/deactivate", nil, nil)
	o.call(204, "DELETE", "/api/v1/users/"+ids["cid"], nil, nil)
	o.call(204, "DELETE", "/api/v1/users/"+ids["cid"], nil, nil)
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID, nil, nil)
	o.wait()
	if u := o.wrikeUsers(); !u["cid@acme.example.com"].Active || !u["dan@acme.example.com"].Active {
		t.Fatalf("deleting the app pushed: %+v", u)
	}
	// cid's kept record went with the app: the login is free and unknown.
	o.call(404, "GET", "/api/v1/users/"+ids["cid"], nil, nil)
	o.user(person("cid@acme.example.com"))
}

// TestLostCreateAnswerStillOffboarded: Wrike creates the account but the
// answer to the create is lost (the connection drops after the change),
// and before the engine confirms it the person is unassigned (one) or
// deactivated and deleted (another). The engine never linked the accounts,
// yet it finds them by userName and deactivates them.
func TestLostCreateAnswerStillOffboarded(t *testing.T) {
	o := newConnectedOrg(t)
	created := make(chan struct{}, 2)
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		if r.Method != http.MethodPost {
			return nil
		}
		o.link.forward(r)
		o.link.down(untilUp) // the outage starts with the lost answer
		created <- struct{}{}
		return dropped
	})
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	<-created
	bob := o.user(person("bob@acme.example.com"))
	o.assignUser(bob)
	o.unassignUser(ann)
	o.call(204, "DELETE", "/api/v1/users/"+bob, nil, nil)
	o.call(204, "DELETE", "/api/v1/users/"+bob, nil, nil)
	// Every attempt that read bob or ann before these changes ends (refused)
	// before the outage does: one still on its way when the link came up
	// would rightly create bob, whose assignment it read, and deactivate him
	// on its next pass, leaving a second (inactive) account this test does
	// not count on.
	o.settle()
	o.link.answerWith(nil)
	o.link.up()
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	for login, u := range o.wrikeUsers() {
		if u.Active {
			t.Errorf("%s active in Wrike after being offboarded", login)
		}
	}
	if len(o.wrikeUsers()) != 1 {
		t.Fatalf("wrike users: %+v", o.wrikeUsers())
	}
}

// A reactivation that reached Wrike but whose answer did not show it (here a
// 2xx with another user's body) may have been made: unassigned right after,
// the person is deactivated, not left active because the engine never saw
// the reactivation succeed.
func TestUncertainReactivationStillOffboarded(t *testing.T) {
	o := newConnectedOrg(t)
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	o.wait()
	o.unassignUser(ann)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; u.Active {
		t.Fatalf("ann still active after the unassignment: %+v", u)
	}
	reactivated := make(chan struct{}, 1)
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		if r.Method != http.MethodPut {
			return nil
		}
		o.link.forward(r) // Wrike reactivates her; the answer says otherwise
		select {
		case reactivated <- struct{}{}:
		default:
		}
		return &reliabilitytest.Fault{Status: 200, Header: scimJSON, Body: `{"id":"someone-else","userName":"bob@acme.example.com","active":true}`}
	})
	o.assignUser(ann)
	<-reactivated
	o.unassignUser(ann)
	o.settle()
	o.link.answerWith(nil)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d", failed)
	}
	if u := o.wrikeUsers()["ann@acme.example.com"]; u.Active {
		t.Fatalf("ann active in Wrike after being unassigned again: %+v", u)
	}
}
