package okta_test

import "testing"

// An app is deleted as in Okta: refused while ACTIVE, deleted once
// deactivated, with its assignments; a deactivated app provisions nobody
// until it is activated again.
func TestAppDeactivateAndDelete(t *testing.T) {
	o := newConnectedOrg(t)
	app := o.appID
	ann := o.user(map[string]string{"login": "ann@acme.example.com", "email": "ann@acme.example.com", "firstName": "Ann", "lastName": "Lee"})
	bob := o.user(map[string]string{"login": "bob@acme.example.com", "email": "bob@acme.example.com", "firstName": "Bob", "lastName": "Ray"})
	o.call(200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": ann, "scope": "USER"}, nil)
	o.wait()
	if !o.inWrike("ann@acme.example.com") {
		t.Fatal("ann was not provisioned")
	}

	a := o.do("DELETE", "/api/v1/apps/"+app, nil)
	if a.Status != 400 || a.OktaErrorCode() != "E0000056" {
		t.Fatalf("DELETE of an active app: %d %s, want 400 E0000056", a.Status, a.Raw)
	}
	o.call(200, "GET", "/api/v1/apps/"+app, nil, nil)

	o.call(200, "POST", "/api/v1/apps/"+app+"/lifecycle/deactivate", nil, nil)
	var got struct{ Status string }
	o.call(200, "GET", "/api/v1/apps/"+app, nil, &got)
	if got.Status != "INACTIVE" {
		t.Fatalf("status after deactivate: %q", got.Status)
	}
	o.call(200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": bob, "scope": "USER"}, nil)
	o.wait()
	if o.inWrike("bob@acme.example.com") {
		t.Fatal("an inactive app provisioned bob")
	}
	o.call(200, "POST", "/api/v1/apps/"+app+"/lifecycle/activate", nil, nil)
	o.wait()
	if !o.inWrike("bob@acme.example.com") {
		t.Fatal("bob was not provisioned once the app was activated again")
	}

	o.call(200, "POST", "/api/v1/apps/"+app+"/lifecycle/deactivate", nil, nil)
	o.call(204, "DELETE", "/api/v1/apps/"+app, nil, nil)
	for _, p := range []string{"", "/connections/default", "/users", "/groups"} {
		if a := o.do("GET", "/api/v1/apps/"+app+p, nil); a.Status != 404 || a.OktaErrorCode() != "E0000007" {
			t.Errorf("GET app%s after delete: %d %s, want 404 E0000007", p, a.Status, a.Raw)
		}
	}
	if a := o.do("DELETE", "/api/v1/apps/"+app, nil); a.Status != 404 {
		t.Errorf("DELETE again: %d %s, want 404", a.Status, a.Raw)
	}
	// The users are Okta's, not the app's: they stay.
	o.call(200, "GET", "/api/v1/users/"+ann, nil, nil)
}
