package okta

import (
	"strings"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
)

func profile(login string) map[string]string {
	name, _, _ := strings.Cut(login, "@")
	return map[string]string{"login": login, "email": login, "firstName": strings.ToUpper(name[:1]) + name[1:], "lastName": "Doe",
		"title": "Engineer", "primaryPhone": "+1 555 0100", "organization": "Acme", "department": "R&D"}
}

func TestProvisioningLifecycleAgainstFakeSCIM(t *testing.T) {
	o, f, app := startConnected(t)
	eng := o.createGroup(t, "Engineering")
	ann := o.createUser(t, profile("ann@acme.example.com"))
	bob := o.createUser(t, profile("bob@acme.example.com"))
	eve := o.createUser(t, profile("eve@partner.example.net"))
	for _, u := range []string{ann, bob, eve} {
		o.must(t, 204, "PUT", "/api/v1/groups/"+eng+"/users/"+u, nil, nil)
	}
	o.must(t, 200, "PUT", "/api/v1/apps/"+app+"/groups/"+eng, map[string]any{"priority": 0, "profile": map[string]string{"userType": "External"}}, nil)
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": bob, "scope": "USER", "profile": map[string]string{"userType": "Collaborator"}}, nil)
	if _, failed := o.wait(t); failed != 1 {
		t.Fatalf("failed = %d, want 1 (the partner user)", failed)
	}

	u := f.byUserName("ann@acme.example.com")
	if u == nil {
		t.Fatal("ann was not provisioned")
	}
	if u["title"] != "Engineer" || u["name"].(map[string]any)["givenName"] != "Ann" ||
		u[schemaEnterprise].(map[string]any)["department"] != "R&D" || u[schemaWrike].(map[string]any)["userType"] != "External" {
		t.Fatalf("ann's SCIM user: %v", u)
	}
	if got := f.byUserName("bob@acme.example.com")[schemaWrike].(map[string]any)["userType"]; got != "Collaborator" {
		t.Fatalf("bob's user type %v, want the direct assignment's Collaborator", got)
	}
	var au struct {
		ExternalID *string
		Scope      string
		Status     string
		SyncState  string
	}
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/users/"+ann, nil, &au)
	if au.Status != "PROVISIONED" || au.SyncState != "SYNCHRONIZED" || au.ExternalID == nil || au.Scope != "GROUP" {
		t.Fatalf("ann's app user: %+v", au)
	}
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/users/"+eve, nil, &au)
	if au.SyncState != "ERROR" || au.ExternalID != nil {
		t.Fatalf("eve's app user: %+v", au)
	}
	fails := o.logs(t, `eventType eq "application.provision.user.push" and outcome.result eq "FAILURE"`)
	if len(fails) != 1 || fails[0].Outcome.Reason == nil || !strings.Contains(*fails[0].Outcome.Reason, "not an approved domain") {
		t.Fatalf("failure events: %+v", fails)
	}
	if fails[0].Target[0].ID != eve || fails[0].Target[1].Type != "AppInstance" {
		t.Fatalf("failure targets: %+v", fails[0].Target)
	}

	// A profile change is pushed with GET then PUT.
	puts := f.count("PUT")
	o.must(t, 200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Lead"}}, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["title"] != "Lead" || f.count("PUT") != puts+1 {
		t.Fatalf("profile change not pushed: %v", f.byUserName("ann@acme.example.com"))
	}

	// Unassign (remove from group): deactivated, kept; reassign: reactivated.
	o.must(t, 204, "DELETE", "/api/v1/groups/"+eng+"/users/"+ann, nil, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["active"] != false {
		t.Fatal("ann not deactivated after unassignment")
	}
	if a := o.do(t, "GET", "/api/v1/apps/"+app+"/users/"+ann, nil); a.Status != 404 {
		t.Fatalf("unassigned app user: %d", a.Status)
	}
	posts := f.count("POST")
	o.must(t, 204, "PUT", "/api/v1/groups/"+eng+"/users/"+ann, nil, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["active"] != true || f.count("POST") != posts {
		t.Fatal("ann not reactivated (or created again) after reassignment")
	}
	if len(o.logs(t, `eventType eq "application.provision.user.reactivate"`)) != 1 {
		t.Fatal("no reactivate event")
	}

	// Deactivating the Okta user deactivates the account.
	o.must(t, 200, "POST", "/api/v1/users/"+bob+"/lifecycle/deactivate", nil, nil)
	o.wait(t)
	if f.byUserName("bob@acme.example.com")["active"] != false {
		t.Fatal("bob not deactivated")
	}
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/users/"+bob, nil, &au)
	if au.Status != "DEPROVISIONED" {
		t.Fatalf("bob's app user after deactivation: %+v", au)
	}
}

func TestToggles(t *testing.T) {
	o := startOrg(t)
	f := newFakeSCIM(t)
	app := o.createApp(t)
	o.enableProvisioning(t, app, f.base(), f.token, false, false, false)
	ann := o.createUser(t, profile("ann@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann}, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com") != nil {
		t.Fatal("created with Create users disabled")
	}
	// Enabling Create users pushes the assigned users not provisioned yet.
	o.setToggles(t, app, true, false, false)
	o.wait(t)
	if f.byUserName("ann@acme.example.com") == nil {
		t.Fatal("not created after enabling Create users")
	}
	o.must(t, 200, "POST", "/api/v1/users/"+ann, map[string]any{"profile": map[string]string{"title": "Lead"}}, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["title"] != "Engineer" {
		t.Fatal("profile pushed with Update user attributes disabled")
	}
	o.must(t, 204, "DELETE", "/api/v1/apps/"+app+"/users/"+ann, nil, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["active"] != true {
		t.Fatal("deactivated with Deactivate users disabled")
	}
	o.setToggles(t, app, true, true, true)
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann}, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["title"] != "Lead" {
		t.Fatal("profile not pushed once Update user attributes is enabled")
	}
	o.must(t, 204, "DELETE", "/api/v1/apps/"+app+"/users/"+ann, nil, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com")["active"] != false {
		t.Fatal("not deactivated with Deactivate users enabled")
	}
}

func TestRetriesAfterOutage(t *testing.T) {
	o, f, app := startConnected(t)
	f.mu.Lock()
	f.fail503 = 3
	f.mu.Unlock()
	ann := o.createUser(t, profile("ann@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann}, nil)
	if _, failed := o.wait(t); failed != 0 {
		t.Fatalf("failed = %d after a short outage", failed)
	}
	if f.byUserName("ann@acme.example.com") == nil {
		t.Fatal("not provisioned after the outage")
	}
	evs := o.logs(t, `eventType eq "application.provision.user.push"`)
	if len(evs) != 4 || evs[0].Outcome.Result != "FAILURE" || *evs[0].Outcome.Reason != "Wrike is down for maintenance" || evs[3].Outcome.Result != "SUCCESS" {
		t.Fatalf("events: %+v", evs)
	}

	// An outage longer than the retry horizon leaves the task FAILED, in the
	// tasks list with its attempts and reason; retried once the service is
	// back, it succeeds.
	o.restart(t, func(c *Config) { c.RetryHorizon = 100 * time.Millisecond })
	f.mu.Lock()
	f.fail503 = 1 << 30
	f.mu.Unlock()
	bob := o.createUser(t, profile("bob@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": bob}, nil)
	if pending, failed := o.wait(t); pending != 0 || failed != 1 {
		t.Fatalf("pending %d failed %d after the retry horizon", pending, failed)
	}
	tasks := o.tasks(t, app, "FAILED")
	if len(tasks) != 1 || tasks[0].UserID != bob || tasks[0].Operation != "CREATE" || tasks[0].Attempts < 2 ||
		tasks[0].LastError == nil || *tasks[0].LastError != "Wrike is down for maintenance" || tasks[0].NextAttemptAt != nil {
		t.Fatalf("failed tasks: %+v", tasks)
	}
	if n := len(o.logs(t, `target.id eq "`+bob+`" and outcome.result eq "FAILURE"`)); n != tasks[0].Attempts {
		t.Fatalf("%d failed attempts logged, the task counts %d", n, tasks[0].Attempts)
	}
	f.mu.Lock()
	f.fail503 = 0
	f.mu.Unlock()
	var retried provisioningTask
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/provisioning/tasks/"+tasks[0].ID+"/lifecycle/retry", nil, &retried)
	if retried.ID != tasks[0].ID || retried.Status != "PENDING" {
		t.Fatalf("retried task: %+v", retried)
	}
	if _, failed := o.wait(t); failed != 0 || f.byUserName("bob@acme.example.com") == nil {
		t.Fatalf("failed = %d after the retry; bob in SCIM: %v", failed, f.byUserName("bob@acme.example.com"))
	}
	if left := o.tasks(t, app, ""); len(left) != 0 {
		t.Fatalf("tasks left after the retry: %+v", left)
	}
}

func TestTasksSurviveRestartAndAreNotRepeated(t *testing.T) {
	o, f, app := startConnected(t)
	g := o.createGroup(t, "Engineering")
	for _, n := range []string{"ann", "bob", "cid", "dee"} {
		id := o.createUser(t, profile(n+"@acme.example.com"))
		o.must(t, 204, "PUT", "/api/v1/groups/"+g+"/users/"+id, nil, nil)
	}
	hold := make(chan struct{})
	f.mu.Lock()
	f.hold = hold
	f.mu.Unlock()
	o.must(t, 200, "PUT", "/api/v1/apps/"+app+"/groups/"+g, map[string]any{}, nil)
	if p := o.Server.Engine().Pending(); p != 4 {
		t.Fatalf("pending = %d, want 4", p)
	}
	// Every worker is in a SCIM call when the process stops; the calls the
	// restart cuts off reach the service late, as over a slow network.
	reliabilitytest.Receive(t, f.held, 4, 10*time.Second, "SCIM requests held")
	f.mu.Lock()
	f.hold = nil
	f.mu.Unlock()
	o.restart(t)
	close(hold)
	o.wait(t)
	for _, n := range []string{"ann", "bob", "cid", "dee"} {
		if f.byUserName(n+"@acme.example.com") == nil {
			t.Fatalf("%s not provisioned after the restart", n)
		}
	}
	f.mu.Lock()
	n := len(f.users)
	f.mu.Unlock()
	if n != 4 {
		t.Fatalf("%d accounts downstream, want 4", n)
	}
}

// TestCreateConflictIsResolvedByLinking: the account appears downstream
// between Okta's lookup and its create (another client made it), so the
// create is refused with 409; the engine looks it up again and links it
// instead of failing, and no second account is made.
func TestCreateConflictIsResolvedByLinking(t *testing.T) {
	o, f, app := startConnected(t)
	f.mu.Lock()
	f.users["w-made-elsewhere"] = map[string]any{"id": "w-made-elsewhere", "userName": "ann@acme.example.com", "active": true}
	f.staleLookups = 1
	f.mu.Unlock()
	ann := o.createUser(t, profile("ann@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann}, nil)
	if _, failed := o.wait(t); failed != 0 {
		t.Fatalf("failed = %d after a create conflict", failed)
	}
	var au struct{ ExternalID *string }
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/users/"+ann, nil, &au)
	f.mu.Lock()
	n := len(f.users)
	f.mu.Unlock()
	if au.ExternalID == nil || *au.ExternalID != "w-made-elsewhere" || n != 1 || f.byUserName("ann@acme.example.com")["title"] != "Engineer" {
		t.Fatalf("linked to %v with %d accounts downstream: %v", au.ExternalID, n, f.byUserName("ann@acme.example.com"))
	}
	if f.count("POST") != 1 {
		t.Fatalf("%d POSTs, want the one refused", f.count("POST"))
	}
}
