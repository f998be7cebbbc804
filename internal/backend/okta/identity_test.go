package okta_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/store"
	"github.com/wrike-community/terraform-provider-wrike/internal/reliabilitytest"
	"github.com/wrike-community/terraform-provider-wrike/internal/scim"
)

// TestLoginsCanonical: a login that only looks like another (U+212A KELVIN
// SIGN for "k") is refused instead of taking the real person's login, and
// lookups by login compare the canonical form.
func TestLoginsCanonical(t *testing.T) {
	o := newEmptyOrg(t)
	for login, why := range map[string]string{
		"\u212Aiss@acme.example.com":                  "U+212A",
		"kiss@\u212Aiss.example.com":                  "U+212A",
		"ki\u017Fs@acme.example.com":                  "U+017F",
		"kiss@acme.example.com@evil.example.net":      "2 '@' signs",
		strings.Repeat("k", 65) + "@acme.example.com": "at most 64",
	} {
		a := o.do("POST", "/api/v1/users?activate=true", map[string]any{"profile": person(login)})
		if a.Status != 400 || a.OktaErrorCode() != "E0000001" || !strings.Contains(a.Raw, why) {
			t.Errorf("login %q: %d %s, want 400 E0000001 saying %q", login, a.Status, a.Raw, why)
		}
	}
	id := o.user(person("Kiss@Acme.Example.com"))

	var found struct{ ID string }
	o.call(200, "GET", "/api/v1/users/"+url.PathEscape("kiss@acme.example.com"), nil, &found)
	if found.ID != id {
		t.Fatalf("lookup by login found %q, want %q", found.ID, id)
	}
	if a := o.do("GET", "/api/v1/users/"+url.PathEscape("\u212Aiss@acme.example.com"), nil); a.Status != 404 {
		t.Fatalf("lookup by a look-alike login: %d %s", a.Status, a.Raw)
	}
	for filter, want := range map[string]int{
		`profile.login eq "KISS@acme.example.com"`:                                 1,
		"profile.login eq \"\u212Aiss@acme.example.com\"":                          0,
		`status eq "ACTIVE" and profile.login eq "kiss@ACME.example.com"`:          1,
		"status eq \"ACTIVE\" and profile.login eq \"\u212Aiss@acme.example.com\"": 0,
		"status eq \"ACTIVE\" and profile.email eq \"ki\u017Fs@acme.example.com\"": 0,
	} {
		var list []struct{ ID string }
		o.call(200, "GET", "/api/v1/users?filter="+url.QueryEscape(filter), nil, &list)
		if len(list) != want {
			t.Errorf("%s: %d users, want %d", filter, len(list), want)
		}
	}
	// A profile update cannot switch the login to a look-alike either.
	a := o.do("POST", "/api/v1/users/"+id, map[string]any{"profile": map[string]string{"login": "\u212Aiss@acme.example.com"}})
	if a.Status != 400 || a.OktaErrorCode() != "E0000001" {
		t.Fatalf("look-alike login update: %d %s", a.Status, a.Raw)
	}
}

// TestEngineDoesNotLinkLookAlike: the service provider answers the
// userName lookup with a planted look-alike account (as one comparing with
// Unicode case folding does) and, for the same reason, refuses to create the
// person's own account (409). The engine must not link the real person to
// the planted account: the task fails visibly instead, and the planted
// account is left untouched.
func TestEngineDoesNotLinkLookAlike(t *testing.T) {
	o := newConnectedOrg(t)
	planted := `{"id":"planted","userName":"\u212Aiss@acme.example.com","active":true,"name":{"givenName":"Mallory"}}`
	scimAnswer := func(status int, body string) *reliabilitytest.Fault {
		return &reliabilitytest.Fault{Status: status, Header: http.Header{"Content-Type": {"application/scim+json"}}, Body: body}
	}
	o.link.answerWith(func(r *http.Request) *reliabilitytest.Fault {
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Get("filter") != "":
			return scimAnswer(200, `{"schemas":["`+scim.SchemaListResponse+`"],"totalResults":1,"Resources":[`+planted+`],"startIndex":1,"itemsPerPage":1}`)
		case r.Method == http.MethodPost:
			return scimAnswer(409, `{"schemas":["`+scim.SchemaError+`"],"status":"409","scimType":"uniqueness","detail":"userName is already taken"}`)
		case strings.HasSuffix(r.URL.Path, "/Users/planted"):
			return scimAnswer(200, planted)
		}
		return nil
	})
	kim := o.user(person("kiss@acme.example.com"))
	o.call(200, "POST", "/api/v1/apps/"+o.appID+"/users", map[string]any{"id": kim, "scope": "USER"}, nil)
	if failed := o.wait(); failed != 1 {
		t.Fatalf("failed = %d, want the create refused by the case-folding service to fail", failed)
	}
	if au := o.appUser(kim); au.ExternalID == "planted" {
		t.Fatalf("the app user is linked to the planted account")
	}
	tasks := o.tasks("FAILED")
	if len(tasks) != 1 || tasks[0].UserID != kim || tasks[0].LastError == nil || !strings.Contains(*tasks[0].LastError, "already taken") {
		t.Fatalf("failed tasks %+v (last error %q), want kim's create refused as a duplicate", tasks, lastErrors(tasks))
	}
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		if n := o.link.count(m, "/Users/planted"); n != 0 {
			t.Fatalf("the planted account was taken over: %d %s requests", n, m)
		}
	}
}

// TestLegacyLookAlikeLoginRekeyed: a look-alike login stored before keys were
// canonical holds the real login's key; after a restart the real person can
// be created and is found by login.
func TestLegacyLookAlikeLoginRekeyed(t *testing.T) {
	o := newEmptyOrg(t)
	planted := o.user(person("kxss@acme.example.com"))
	// Rewrite the row as the old code stored a U+212A login.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(o.env.DataDir, store.FileName)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.Exec(`UPDATE okta_users SET login_lower = 'kiss@acme.example.com',
		profile = replace(profile, 'kxss@', ?) WHERE id = ?`, "\u212Aiss@", planted); err != nil {
		t.Fatal(err)
	}
	o.restart()
	genuine := o.user(person("kiss@acme.example.com"))
	var found struct{ ID string }
	o.call(200, "GET", "/api/v1/users/"+url.PathEscape("KISS@acme.example.com"), nil, &found)
	if found.ID != genuine {
		t.Fatalf("lookup by login found %q, want the real user %q", found.ID, genuine)
	}
}

// lastErrors is each task's last error, for failure messages.
func lastErrors(tasks []task) []string {
	var out []string
	for _, tk := range tasks {
		if tk.LastError != nil {
			out = append(out, *tk.LastError)
		}
	}
	return out
}
