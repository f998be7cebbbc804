package wrike_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// tickingClock advances a second on every reading, so that any write that
// stamps a time shows it.
func tickingClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func removeOp(path string) string {
	return `{"schemas":["` + patchOp + `"],"Operations":[{"op":"remove","path":"` + strings.ReplaceAll(path, `"`, `\"`) + `"}]}`
}

// TestSCIMPatchRemove is RFC 7644 §3.5.2.2 for each attribute of a Wrike
// user, next to the product's rule that a PUT keeps what it leaves out.
func TestSCIMPatchRemove(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	body := `{"schemas":["` + coreUser + `","` + enterprise + `","` + wrikeExt + `"],"userName":"rem@acme.example.com",
	  "externalId":"ext-rem","name":{"givenName":"Rem","familyName":"Oval","middleName":"M"},"title":"Engineer",
	  "emails":[{"value":"rem@acme.example.com","type":"work","primary":true},{"value":"rem@home.example.org","type":"home"}],
	  "` + enterprise + `":{"department":"R&D"},"` + wrikeExt + `":{"userType":"Collaborator"},"active":true}`
	for _, tc := range []struct {
		path     string
		status   int
		scimType string
		check    func(u map[string]any) bool
	}{
		{"title", 200, "", func(u map[string]any) bool { return u["title"] == nil }},
		{"externalId", 200, "", func(u map[string]any) bool { return u["externalId"] == nil }},
		{"name.givenName", 200, "", func(u map[string]any) bool {
			return get(u, "name/givenName") == nil && get(u, "name/familyName") == "Oval"
		}},
		{"name", 200, "", func(u map[string]any) bool { return u["name"] == nil }},
		{`emails[type eq "home"]`, 200, "", func(u map[string]any) bool {
			return len(u["emails"].([]any)) == 1 && get(u, "emails/0/type") == "work"
		}},
		{"emails", 200, "", func(u map[string]any) bool { return u["emails"] == nil }},
		{enterprise + ":department", 200, "", func(u map[string]any) bool { return u[enterprise] == nil }},
		// userType unassigned: the integration's default, as on a create without one.
		{wrikeExt + ":userType", 200, "", func(u map[string]any) bool { return get(u, wrikeExt+"/userType") == "Regular" }},
		{wrikeExt, 200, "", func(u map[string]any) bool { return get(u, wrikeExt+"/userType") == "Regular" }},
		// Refused: what a Wrike user cannot be without.
		{"active", 400, "invalidValue", nil},
		{"userName", 400, "invalidValue", nil},
		{"id", 400, "mutability", nil},
		{"meta", 400, "mutability", nil},
		{`emails[type eq "other"]`, 400, "noTarget", nil},
		{"shoeSize", 400, "invalidPath", nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			u := createUser(t, sc, strings.Replace(body, "rem@", strings.NewReplacer(":", "", " ", "", `"`, "", "[", "", "]", "", ".", "").Replace(tc.path)+"@", 1))
			a := scimDo(t, sc, "PATCH", "/Users/"+u["id"].(string), removeOp(tc.path))
			if tc.status != 200 {
				a.WantSCIMError(t, tc.status, tc.scimType)
				if after := scimDo(t, sc, "GET", "/Users/"+u["id"].(string), "").Want(t, 200); get(after, "meta/version") != get(u, "meta/version") {
					t.Fatalf("a refused remove changed the user: %v", after)
				}
				return
			}
			got := a.Want(t, 200)
			if !tc.check(got) || get(got, "meta/version") == get(u, "meta/version") {
				t.Fatalf("after remove %s: %s", tc.path, a.Raw)
			}
			if d := scimDo(t, sc, "GET", "/Users/"+u["id"].(string), "").Want(t, 200); !tc.check(d) {
				t.Fatalf("remove %s not kept: %v", tc.path, d)
			}
		})
	}
	// Without a path, remove has no target.
	u := createUser(t, sc, strings.Replace(body, "rem@", "nopath@", 1))
	scimDo(t, sc, "PATCH", "/Users/"+u["id"].(string), `{"Operations":[{"op":"remove"}]}`).WantSCIMError(t, 400, "noTarget")
	// A PUT that leaves attributes out keeps them; null removes them.
	p := scimDo(t, sc, "PUT", "/Users/"+u["id"].(string), `{"schemas":["`+coreUser+`"],"userName":"nopath@acme.example.com","title":null}`).Want(t, 200)
	if p["title"] != nil || get(p, "name/middleName") != "M" || get(p, wrikeExt+"/userType") != "Collaborator" || p["active"] != true {
		t.Fatalf("PUT: %v", p)
	}
	scimDo(t, sc, "PUT", "/Users/"+u["id"].(string), `{"schemas":["`+coreUser+`"],"userName":"nopath@acme.example.com","active":null}`).WantSCIMError(t, 400, "invalidValue")
}

// TestSCIMNoOpWritesKeepTheVersion: a PUT or PATCH that changes nothing
// answers the user as it was, with the same ETag, meta.version and
// lastModified, even though the clock moved.
func TestSCIMNoOpWritesKeepTheVersion(t *testing.T) {
	env := backendtest.Start(t, backendtest.WithClock(tickingClock()))
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	created := scimDo(t, sc, "POST", "/Users", oktaUser("same@acme.example.com", "Sam", "E"))
	u := created.Want(t, http.StatusCreated)
	id := u["id"].(string)
	for name, req := range map[string][2]string{
		"Okta's PUT of the same profile":   {"PUT", oktaUser("same@acme.example.com", "Sam", "E")},
		"PUT of the userName alone":        {"PUT", `{"schemas":["` + coreUser + `"],"userName":"same@acme.example.com"}`},
		"PUT with the core URN wrapper":    {"PUT", `{"schemas":["` + coreUser + `"],"` + coreUser + `":{"userName":"same@acme.example.com","title":"Engineer"}}`},
		"Okta's repeated deactivation":     {"PATCH", `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","value":{"active":true}}]}`},
		"Entra's replace with the same":    {"PATCH", `{"schemas":["` + patchOp + `"],"Operations":[{"op":"Replace","path":"title","value":"Engineer"}]}`},
		"add of an email already there":    {"PATCH", `{"schemas":["` + patchOp + `"],"Operations":[{"op":"add","path":"emails","value":[{"value":"SAME@acme.example.com","type":"work"}]}]}`},
		"remove of an unassigned value":    {"PATCH", removeOp("nickName")},
		"remove of the default userType":   {"PATCH", removeOp(wrikeExt + ":userType")},
		"replace of userName, the same":    {"PATCH", `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","path":"userName","value":"same@acme.example.com"}]}`},
		"a filtered replace that is equal": {"PATCH", `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"same@acme.example.com"}]}`},
	} {
		a := scimDo(t, sc, req[0], "/Users/"+id, req[1])
		got := a.Want(t, http.StatusOK)
		if a.Header.Get("ETag") != created.Header.Get("ETag") || get(got, "meta/version") != get(u, "meta/version") ||
			get(got, "meta/lastModified") != get(u, "meta/lastModified") {
			t.Errorf("%s: a new version: ETag %s → %s, lastModified %v → %v", name, created.Header.Get("ETag"), a.Header.Get("ETag"),
				get(u, "meta/lastModified"), get(got, "meta/lastModified"))
		}
	}
	// A real change still makes a new version.
	a := scimDo(t, sc, "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"title","value":"Boss"}]}`)
	if a.Want(t, 200); a.Header.Get("ETag") == created.Header.Get("ETag") {
		t.Fatal("a change kept the ETag")
	}
}
