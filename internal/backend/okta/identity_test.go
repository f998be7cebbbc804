package okta

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
)

// TestLoginsCanonical: a login that only looks like another (U+212A KELVIN
// SIGN for "k") is refused instead of taking the real person's login, and
// lookups by login compare the canonical form.
func TestLoginsCanonical(t *testing.T) {
	o := startOrg(t)
	for login, why := range map[string]string{
		"\u212Aiss@acme.example.com":                  "U+212A",
		"kiss@\u212Aiss.example.com":                  "U+212A",
		"ki\u017Fs@acme.example.com":                  "U+017F",
		"kiss@acme.example.com@evil.example.net":      "2 '@' signs",
		strings.Repeat("k", 65) + "@acme.example.com": "at most 64",
	} {
		a := o.do(t, "POST", "/api/v1/users?activate=true", map[string]any{"profile": profile(login)})
		if a.Status != 400 || a.errorCode(t) != "E0000001" || !strings.Contains(string(a.Body), why) {
			t.Errorf("login %q: %d %s, want 400 E0000001 saying %q", login, a.Status, a.Body, why)
		}
	}
	id := o.createUser(t, profile("Kiss@Acme.Example.com"))

	var found struct{ ID string }
	o.must(t, 200, "GET", "/api/v1/users/"+url.PathEscape("kiss@acme.example.com"), nil, &found)
	if found.ID != id {
		t.Fatalf("lookup by login found %q, want %q", found.ID, id)
	}
	if a := o.do(t, "GET", "/api/v1/users/"+url.PathEscape("\u212Aiss@acme.example.com"), nil); a.Status != 404 {
		t.Fatalf("lookup by a look-alike login: %d %s", a.Status, a.Body)
	}
	for filter, want := range map[string]int{
		`profile.login eq "KISS@acme.example.com"`:                                 1,
		"profile.login eq \"\u212Aiss@acme.example.com\"":                          0,
		`status eq "ACTIVE" and profile.login eq "kiss@ACME.example.com"`:          1,
		"status eq \"ACTIVE\" and profile.login eq \"\u212Aiss@acme.example.com\"": 0,
		"status eq \"ACTIVE\" and profile.email eq \"ki\u017Fs@acme.example.com\"": 0,
	} {
		var list []struct{ ID string }
		o.must(t, 200, "GET", "/api/v1/users?filter="+url.QueryEscape(filter), nil, &list)
		if len(list) != want {
			t.Errorf("%s: %d users, want %d", filter, len(list), want)
		}
	}
	// A profile update cannot switch the login to a look-alike either.
	a := o.do(t, "POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]string{"login": "\u212Aiss@acme.example.com"}})
	if a.Status != 400 || a.errorCode(t) != "E0000001" {
		t.Fatalf("look-alike login update: %d %s", a.Status, a.Body)
	}
}

// TestEngineDoesNotLinkLookAlike: the service provider answers the
// userName lookup with a planted look-alike account (as one comparing with
// Unicode case folding does) and, for the same reason, refuses to create the
// person's own account (409). The engine must not link the real person to
// the planted account: the task fails visibly instead, and the planted
// account is left untouched.
func TestEngineDoesNotLinkLookAlike(t *testing.T) {
	o := startOrg(t)
	f := newFakeSCIM(t)
	f.mu.Lock()
	f.users["planted"] = map[string]any{"id": "planted", "userName": "\u212Aiss@acme.example.com", "active": true,
		"name": map[string]any{"givenName": "Mallory"}}
	f.mu.Unlock()
	app := o.createApp(t)
	o.enableProvisioning(t, app, f.base(), f.token, true, true, true)
	kim := o.createUser(t, profile("kiss@acme.example.com"))
	o.must(t, 200, "POST", "/api/v1/apps/"+app+"/users", map[string]any{"id": kim, "scope": "USER"}, nil)
	if _, failed := o.wait(t); failed != 1 {
		t.Fatalf("failed = %d, want the create refused by the case-folding service to fail", failed)
	}
	var au struct{ ExternalID *string }
	o.must(t, 200, "GET", "/api/v1/apps/"+app+"/users/"+kim, nil, &au)
	if au.ExternalID != nil && *au.ExternalID == "planted" {
		t.Fatalf("the app user is linked to the planted account")
	}
	tasks := o.tasks(t, app, "FAILED")
	if len(tasks) != 1 || tasks[0].UserID != kim || tasks[0].LastError == nil || !strings.Contains(*tasks[0].LastError, "already taken") {
		t.Fatalf("failed tasks %+v (last error %q), want kim's create refused as a duplicate", tasks, lastErrors(tasks))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.users["planted"]; p["userName"] != "\u212Aiss@acme.example.com" || p["name"].(map[string]any)["givenName"] != "Mallory" {
		t.Fatalf("the planted account was taken over: %v", p)
	}
}

// TestLegacyLookAlikeLoginRekeyed: a look-alike login stored before keys were
// canonical holds the real login's key; after a restart the real person can
// be created and is found by login.
func TestLegacyLookAlikeLoginRekeyed(t *testing.T) {
	o := startOrg(t)
	planted := o.createUser(t, profile("kxss@acme.example.com"))
	// Rewrite the row as the old code stored a U+212A login.
	err := o.DB.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE okta_users SET login_lower = 'kiss@acme.example.com',
			profile = replace(profile, 'kxss@', ?) WHERE id = ?`, "\u212Aiss@", planted)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	o.restart(t)
	genuine := o.createUser(t, profile("kiss@acme.example.com"))
	var found struct{ ID string }
	o.must(t, 200, "GET", "/api/v1/users/"+url.PathEscape("KISS@acme.example.com"), nil, &found)
	if found.ID != genuine {
		t.Fatalf("lookup by login found %q, want the real user %q", found.ID, genuine)
	}
}

// lastErrors is each task's last error, for failure messages.
func lastErrors(tasks []provisioningTask) []string {
	var out []string
	for _, task := range tasks {
		if task.LastError != nil {
			out = append(out, *task.LastError)
		}
	}
	return out
}
