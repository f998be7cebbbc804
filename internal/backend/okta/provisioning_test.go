package okta_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

func TestProvisioningIntoWrike(t *testing.T) {
	o := newConnectedOrg(t)
	ann := o.user(person("ann@acme.example.com"))
	bob := o.user(person("bob@acme.example.com"))
	noTitle := person("cid@acme.example.com")
	delete(noTitle, "title")
	cid := o.user(noTitle)
	eve := o.user(person("eve@partner.example.net"))
	eng := o.group("Engineering", ann, bob, cid, eve)
	o.assignGroup(eng, map[string]any{"priority": 0, "profile": map[string]string{"userType": "External"}})
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": bob, "scope": "USER", "profile": map[string]string{"userType": "Collaborator"}}, nil)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d, want 1 (the partner user)", failed)
	}

	users := o.wrikeUsers()
	got := users["ann@acme.example.com"]
	want := wrikeUser{ID: got.ID, UserName: "ann@acme.example.com", FirstName: "Ann", LastName: "Example", Email: "ann@acme.example.com",
		Title: "Engineer", Phone: "+1 555 0100", Organization: "Acme Corp", Department: "R&D", UserType: "External", Active: true, Billable: true}
	if got != want {
		t.Fatalf("ann in Wrike:\n got %+v\nwant %+v", got, want)
	}
	if users["bob@acme.example.com"].UserType != "Collaborator" {
		t.Fatalf("bob's user type %q, want the direct assignment's Collaborator", users["bob@acme.example.com"].UserType)
	}
	if _, ok := users["eve@partner.example.net"]; ok || len(users) != 3 {
		t.Fatalf("Wrike users: %v", users)
	}
	if au := o.appUser(ann); au.ExternalID != got.ID || au.Status != "PROVISIONED" || au.SyncState != "SYNCHRONIZED" || au.Scope != "GROUP" {
		t.Fatalf("ann's app user: %+v (Wrike id %s)", au, got.ID)
	}
	if au := o.appUser(eve); au.SyncState != "ERROR" || au.ExternalID != "" {
		t.Fatalf("eve's app user: %+v", au)
	}
	fails := o.events(`eventType eq "application.provision.user.push" and outcome.result eq "FAILURE"`)
	if len(fails) != 1 || fails[0].Target[0].ID != eve || fails[0].Target[1].Type != "AppInstance" ||
		!strings.Contains(fails[0].Outcome.Reason, `"partner.example.net"`) || !strings.Contains(fails[0].Outcome.Reason, "not an approved domain") {
		t.Fatalf("failure events: %+v", fails)
	}

	// A profile change is pushed with GET then PUT; an attribute Okta does
	// not send (cid has no title in Okta) keeps the value Wrike holds.
	cidID := users["cid@acme.example.com"].ID
	patch := map[string]any{"schemas": []string{scim.SchemaPatchOp},
		"Operations": []map[string]any{{"op": "replace", "path": "title", "value": "Set in Wrike"}}}
	if r := request(http.MethodPatch, o.scim.BaseURL+"/Users/"+cidID, "Bearer "+o.scim.Token, patch); r.Status != http.StatusOK {
		t.Fatalf("PATCH in Wrike: %d %s", r.Status, r.Raw)
	}
	puts := o.link.count("PUT", "")
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Staff Engineer", "department": "Platform"}}, nil)
	o.call(200, "POST", "/api/v1/users/"+cid, map[string]any{"profile": map[string]string{"department": "Platform"}}, nil)
	o.wait()
	users = o.wrikeUsers()
	if u := users["ann@acme.example.com"]; u.Title != "Staff Engineer" || u.Department != "Platform" {
		t.Fatalf("ann after the profile change: %+v", u)
	}
	if u := users["cid@acme.example.com"]; u.Title != "Set in Wrike" || u.Department != "Platform" {
		t.Fatalf("cid after the profile change: %+v", u)
	}
	if n := o.link.count("PUT", ""); n != puts+2 {
		t.Fatalf("%d PUTs for two profile changes, want 2", n-puts)
	}
	if n := len(o.events(`eventType eq "application.provision.user.push_profile" and outcome.result eq "SUCCESS"`)); n < 2 {
		t.Fatalf("%d push_profile events", n)
	}

	// Leaving the assigned group unassigns: deactivated in Wrike, kept;
	// joining it again reactivates the same account.
	o.call(204, "DELETE", "/api/v1/groups/"+eng+"/users/"+ann, nil, nil)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; u.Active || u.ID != got.ID {
		t.Fatalf("ann after leaving the group: %+v", u)
	}
	if r := o.do("GET", "/api/v1/apps/"+o.appID+"/users/"+ann, nil); r.Status != 404 {
		t.Fatalf("unassigned app user: %d", r.Status)
	}
	posts := o.link.count("POST", "")
	o.call(204, "PUT", "/api/v1/groups/"+eng+"/users/"+ann, nil, nil)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; !u.Active || u.ID != got.ID || o.link.count("POST", "") != posts {
		t.Fatalf("ann not reactivated (or created again) after joining the group again: %+v", u)
	}
	if n := len(o.events(`eventType eq "application.provision.user.reactivate"`)); n != 1 {
		t.Fatalf("%d reactivate events, want 1", n)
	}

	// Deactivation in Okta deactivates in Wrike (kept, not billable);
	// activation reactivates.
	o.call(200, "POST", "/api/v1/users/"+ann+"/lifecycle/deactivate", nil, nil)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; u.Active || u.Billable || u.ID != got.ID {
		t.Fatalf("ann after deactivation: %+v", u)
	}
	if au := o.appUser(ann); au.Status != "DEPROVISIONED" {
		t.Fatalf("ann's app user after deactivation: %+v", au)
	}
	o.call(200, "POST", "/api/v1/users/"+ann+"/lifecycle/activate", nil, nil)
	o.wait()
	if u := o.wrikeUsers()["ann@acme.example.com"]; !u.Active || u.ID != got.ID {
		t.Fatalf("ann after activation: %+v", u)
	}
	// Unassigning the group deactivates; reassigning it reactivates the
	// same accounts.
	o.call(204, "DELETE", "/api/v1/apps/"+o.appID+"/groups/"+eng, nil, nil)
	o.wait()
	for login, u := range o.wrikeUsers() {
		if login != "bob@acme.example.com" && u.Active {
			t.Fatalf("%s still active after the group was unassigned", login)
		}
	}
	if !o.wrikeUsers()["bob@acme.example.com"].Active {
		t.Fatal("bob, assigned directly too, was deactivated")
	}
	o.assignGroup(eng, map[string]any{})
	o.wait()
	users = o.wrikeUsers()
	if len(users) != 3 || !users["ann@acme.example.com"].Active || users["ann@acme.example.com"].ID != got.ID {
		t.Fatalf("after reassignment: %+v", users)
	}
	if n := len(o.events(`eventType eq "application.provision.user.reactivate" and outcome.result eq "SUCCESS"`)); n < 3 {
		t.Fatalf("%d reactivate events, want at least 3", n)
	}
}

func TestToggles(t *testing.T) {
	o := newOrg(t)
	o.connect(false, false, false)
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	o.wait()
	if len(o.wrikeUsers()) != 0 {
		t.Fatal("a user was created with Create users disabled")
	}
	// Enabling Create users pushes the assigned users not provisioned yet.
	o.toggles(true, false, false)
	o.wait()
	if u, ok := o.wrikeUsers()["ann@acme.example.com"]; !ok || !u.Active {
		t.Fatal("enabling Create users did not provision the assigned user")
	}
	o.call(200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Lead"}}, nil)
	o.wait()
	if o.wrikeUsers()["ann@acme.example.com"].Title != "Engineer" {
		t.Fatal("a profile change was pushed with Update user attributes disabled")
	}
	o.unassignUser(ann)
	o.wait()
	if !o.wrikeUsers()["ann@acme.example.com"].Active {
		t.Fatal("a user was deactivated with Deactivate users disabled")
	}
	o.toggles(true, true, true)
	o.assignUser(ann)
	o.wait()
	if o.wrikeUsers()["ann@acme.example.com"].Title != "Lead" {
		t.Fatal("the profile was not pushed once Update user attributes was enabled")
	}
	o.unassignUser(ann)
	o.wait()
	if o.wrikeUsers()["ann@acme.example.com"].Active {
		t.Fatal("not deactivated with Deactivate users enabled")
	}
}

// TestCreateConflictIsResolvedByLinking: the account appears in Wrike
// between Okta's lookup and its create (another client made it), so the
// create is refused with 409; the engine looks it up again and links it
// instead of failing, and no second account is made.
func TestCreateConflictIsResolvedByLinking(t *testing.T) {
	o := newConnectedOrg(t)
	var elsewhere struct{ ID string }
	if err := request("POST", o.scim.BaseURL+"/Users", "Bearer "+o.scim.Token, map[string]any{
		"schemas": []string{scim.SchemaUser}, "userName": "ann@acme.example.com", "active": true,
		"emails": []map[string]any{{"value": "ann@acme.example.com", "primary": true}},
	}).Check(http.StatusCreated, &elsewhere); err != nil {
		t.Fatalf("create in Wrike: %v", err)
	}
	// The first userName lookup misses it, as one racing the other
	// client's create would.
	var looked atomic.Bool
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		if r.Method != http.MethodGet || r.URL.Query().Get("filter") == "" || looked.Swap(true) {
			return nil
		}
		return &reliabilitytest.Fault{Status: 200, Header: http.Header{"Content-Type": {"application/scim+json"}},
			Body: `{"schemas":["` + scim.SchemaListResponse + `"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0}`}
	})
	ann := o.user(person("ann@acme.example.com"))
	o.assignUser(ann)
	if failed := o.wait(); failed != 0 {
		t.Fatalf("failed = %d after a create conflict", failed)
	}
	users := o.wrikeUsers()
	if au := o.appUser(ann); au.ExternalID != elsewhere.ID || len(users) != 1 || users["ann@acme.example.com"].Title != "Engineer" {
		t.Fatalf("linked to %q (made elsewhere: %s) with Wrike users %+v", au.ExternalID, elsewhere.ID, users)
	}
	if n := o.link.count("POST", ""); n != 1 {
		t.Fatalf("%d POSTs, want the one refused", n)
	}
}
