package okta

import "testing"

// An app is deleted as in Okta: refused while ACTIVE, deleted once
// deactivated, with its assignments; a deactivated app provisions nobody
// until it is activated again.
func TestAppDeactivateAndDelete(t *testing.T) {
	o := startOrg(t)
	f := newFakeSCIM(t)
	app := o.createApp(t)
	o.enableProvisioning(t, app, f.base(), f.token, true, true, true)
	ann := o.createUser(t, map[string]string{"login": "ann@acme.example.com", "email": "ann@acme.example.com", "firstName": "Ann", "lastName": "Lee"})
	bob := o.createUser(t, map[string]string{"login": "bob@acme.example.com", "email": "bob@acme.example.com", "firstName": "Bob", "lastName": "Ray"})
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann, "scope": "USER"}, nil)
	o.wait(t)
	if f.byUserName("ann@acme.example.com") == nil {
		t.Fatal("ann was not provisioned")
	}

	a := o.do(t, "DELETE", "/api/v1/apps/"+app, nil)
	if a.Status != 400 || a.errorCode(t) != "E0000056" {
		t.Fatalf("DELETE of an active app: %d %s, want 400 E0000056", a.Status, a.Body)
	}
	o.must(t, 200, "GET", "/api/v1/apps/"+app, nil, nil)

	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/lifecycle/deactivate", nil, nil)
	var got struct{ Status string }
	o.must(t, 200, "GET", "/api/v1/apps/"+app, nil, &got)
	if got.Status != "INACTIVE" {
		t.Fatalf("status after deactivate: %q", got.Status)
	}
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": bob, "scope": "USER"}, nil)
	o.wait(t)
	if f.byUserName("bob@acme.example.com") != nil {
		t.Fatal("an inactive app provisioned bob")
	}
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/lifecycle/activate", nil, nil)
	o.wait(t)
	if f.byUserName("bob@acme.example.com") == nil {
		t.Fatal("bob was not provisioned once the app was activated again")
	}

	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/lifecycle/deactivate", nil, nil)
	o.must(t, 204, "DELETE", "/api/v1/apps/"+app, nil, nil)
	for _, p := range []string{"", "/connections/default", "/users", "/groups"} {
		if a := o.do(t, "GET", "/api/v1/apps/"+app+p, nil); a.Status != 404 || a.errorCode(t) != "E0000007" {
			t.Errorf("GET app%s after delete: %d %s, want 404 E0000007", p, a.Status, a.Body)
		}
	}
	if a := o.do(t, "DELETE", "/api/v1/apps/"+app, nil); a.Status != 404 {
		t.Errorf("DELETE again: %d %s, want 404", a.Status, a.Body)
	}
	// The users are Okta's, not the app's: they stay.
	o.must(t, 200, "GET", "/api/v1/users/"+ann, nil, nil)
}
