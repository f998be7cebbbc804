package wrike_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

func TestSCIMCreateAndSeedRules(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")

	a := scimDo(t, sc, "POST", "/Users", oktaUser("Ann.Lee@acme.example.com", "Ann", "Lee"))
	u := a.Want(t, 201)
	id, _ := u["id"].(string)
	if id == "" || u["userName"] != "Ann.Lee@acme.example.com" || u["active"] != true ||
		get(u, wrikeExt+"/userType") != "Regular" || get(u, enterprise+"/department") != "R&D" ||
		get(u, "meta/resourceType") != "User" || get(u, "meta/location") != sc.BaseURL+"/Users/"+id {
		t.Fatalf("created = %s", a.Raw)
	}
	if a.Header.Get("Location") != sc.BaseURL+"/Users/"+id || a.Header.Get("ETag") != get(u, "meta/version") {
		t.Fatalf("Location %q, ETag %q, meta.version %v", a.Header.Get("Location"), a.Header.Get("ETag"), get(u, "meta/version"))
	}
	if strings.Contains(a.Raw, "Secr3t") || u["password"] != nil {
		t.Fatal("the password is kept or returned")
	}

	// userName is unique case-insensitively.
	scimDo(t, sc, "POST", "/Users", oktaUser("ann.lee@ACME.example.com", "Ann", "Lee")).WantSCIMError(t, 409, "uniqueness")
	// Unapproved domain, in userName or in the primary email: 400 naming the domain.
	a = scimDo(t, sc, "POST", "/Users", oktaUser("bob@partner.example.net", "Bob", "X"))
	a.WantSCIMError(t, 400, "invalidValue")
	if !strings.Contains(a.Body["detail"].(string), "partner.example.net") {
		t.Fatalf("detail does not name the domain: %s", a.Raw)
	}
	a = scimDo(t, sc, "POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"carl@acme.example.com",
		"emails":[{"value":"carl@elsewhere.example.org","primary":true}]}`)
	a.WantSCIMError(t, 400, "invalidValue")
	if !strings.Contains(a.Body["detail"].(string), "elsewhere.example.org") {
		t.Fatalf("detail does not name the domain: %s", a.Raw)
	}
	scimDo(t, sc, "POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"no-at-sign"}`).WantSCIMError(t, 400, "invalidValue")

	// Billing: active members are billable; deactivation keeps the user and stops billing.
	if acct := adminCall(t, env, "GET", "/account", "").Data(t)[0]; acct["billableSeats"] != float64(1) {
		t.Fatalf("account = %v", acct)
	}
	d := scimDo(t, sc, "PATCH", "/Users/"+id, `{"schemas":["`+patchOp+`"],"Operations":[{"op":"replace","value":{"active":false}}]}`).Want(t, 200)
	if d["active"] != false || d["userName"] != "Ann.Lee@acme.example.com" || get(d, "name/givenName") != "Ann" {
		t.Fatalf("deactivated = %v", d)
	}
	if acct := adminCall(t, env, "GET", "/account", "").Data(t)[0]; acct["billableSeats"] != float64(0) || acct["deactivatedMembers"] != float64(1) {
		t.Fatalf("after deactivation, account = %v", acct)
	}
	scimDo(t, sc, "GET", "/Users/"+id, "").Want(t, 200)
	// Reactivation, the way Okta pushes it (PUT with active true).
	r := scimDo(t, sc, "PUT", "/Users/"+id, oktaUser("Ann.Lee@acme.example.com", "Ann", "Lee")).Want(t, 200)
	if r["active"] != true {
		t.Fatalf("reactivated = %v", r)
	}
	if acct := adminCall(t, env, "GET", "/account", "").Data(t)[0]; acct["billableSeats"] != float64(1) || acct["deactivatedMembers"] != float64(0) {
		t.Fatalf("after reactivation, account = %v", acct)
	}

	// The admin user listing shows the synced attributes.
	users := adminCall(t, env, "GET", "/users?domain=acme.example.com&active=true", "").Data(t)
	if len(users) != 1 {
		t.Fatalf("users = %v", users)
	}
	want := map[string]any{"id": id, "userName": "Ann.Lee@acme.example.com", "firstName": "Ann", "lastName": "Lee",
		"email": "Ann.Lee@acme.example.com", "title": "Engineer", "phone": "+1 555 0100", "organization": "Acme",
		"department": "R&D", "userType": "Regular", "active": true, "billable": true, "identityProvider": "okta"}
	for k, v := range want {
		if users[0][k] != v {
			t.Errorf("admin user %s = %v, want %v", k, users[0][k], v)
		}
	}
	users = adminCall(t, env, "GET", "/users?active=false", "").Data(t)
	if len(users) != 0 {
		t.Fatalf("inactive users = %v", users)
	}
}

func TestSCIMUserTypeDefaultFromIntegration(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "azure_ad", "example.com")
	env.Admin(t, "PUT", "/scim_integrations/azure_ad", map[string]any{"defaultUserType": "Collaborator"}, nil)

	u := createUser(t, sc, `{"schemas":["`+coreUser+`"],"userName":"c@example.com"}`)
	if get(u, wrikeExt+"/userType") != "Collaborator" {
		t.Fatalf("default user type: %v", u)
	}
	u = createUser(t, sc, `{"schemas":["`+coreUser+`","`+wrikeExt+`"],"userName":"e@example.com","`+wrikeExt+`":{"userType":"external"}}`)
	if get(u, wrikeExt+"/userType") != "External" {
		t.Fatalf("explicit user type: %v", u)
	}
	scimDo(t, sc, "POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"x@example.com","`+wrikeExt+`":{"userType":"Boss"}}`).
		WantSCIMError(t, 400, "invalidValue")
	// A PUT without the extension keeps the type.
	id := u["id"].(string)
	p := scimDo(t, sc, "PUT", "/Users/"+id, `{"schemas":["`+coreUser+`"],"userName":"e@example.com","title":"Guest"}`).Want(t, 200)
	if get(p, wrikeExt+"/userType") != "External" || p["title"] != "Guest" {
		t.Fatalf("after PUT: %v", p)
	}
	users := adminCall(t, env, "GET", "/users?userType=External", "").Data(t)
	if len(users) != 1 || users[0]["id"] != id {
		t.Fatalf("users of type External = %v", users)
	}
}

func TestSCIMMissingAttributesAreKept(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	u := createUser(t, sc, oktaUser("dana@acme.example.com", "Dana", "Scully"))
	id := u["id"].(string)

	// Okta's PUT leaves out attributes whose profile value is empty.
	p := scimDo(t, sc, "PUT", "/Users/"+id, `{"schemas":["`+coreUser+`"],"userName":"dana@acme.example.com",
		"name":{"givenName":"Dana","familyName":"Mulder"},"active":true}`).Want(t, 200)
	if get(p, "name/familyName") != "Mulder" || p["title"] != "Engineer" || get(p, enterprise+"/organization") != "Acme" ||
		get(p, "emails/0/value") != "dana@acme.example.com" || get(p, "phoneNumbers/0/value") != "+1 555 0100" {
		t.Fatalf("after PUT: %v", p)
	}
	// PATCH likewise touches only what it names.
	p = scimDo(t, sc, "PATCH", "/Users/"+id, `{"schemas":["`+patchOp+`"],"Operations":[{"op":"replace","path":"title","value":"Agent"}]}`).Want(t, 200)
	if p["title"] != "Agent" || get(p, "name/familyName") != "Mulder" || get(p, enterprise+"/department") != "R&D" {
		t.Fatalf("after PATCH: %v", p)
	}
	// An explicit null clears.
	p = scimDo(t, sc, "PUT", "/Users/"+id, `{"schemas":["`+coreUser+`"],"userName":"dana@acme.example.com","title":null}`).Want(t, 200)
	if _, has := p["title"]; has {
		t.Fatalf("null did not clear title: %v", p)
	}
}

func TestSCIMEntraRequestShapes(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "azure_ad", "contoso.example.com")

	// Entra ID's create: externalId, "active" as a string, roles absent.
	u := createUser(t, sc, `{"schemas":["`+coreUser+`","`+enterprise+`"],"externalId":"8a9f-entra","userName":"Lee@contoso.example.com",
		"active":"True","displayName":"Lee","emails":[{"primary":true,"type":"work","value":"Lee@contoso.example.com"}],
		"name":{"formatted":"Lee Adams","familyName":"Adams","givenName":"Lee"},"`+enterprise+`":{"department":"Ops"}}`)
	id := u["id"].(string)
	if u["active"] != true || u["externalId"] != "8a9f-entra" {
		t.Fatalf("created = %v", u)
	}
	// Entra looks users up by externalId and by userName.
	l := scimDo(t, sc, "GET", filterQuery(`externalId eq "8a9f-entra"`), "").Want(t, 200)
	if l["totalResults"] != float64(1) || get(l, "Resources/0/id") != id {
		t.Fatalf("externalId lookup = %v", l)
	}
	l = scimDo(t, sc, "GET", filterQuery(`externalId eq "8A9F-ENTRA"`), "").Want(t, 200)
	if l["totalResults"] != float64(0) {
		t.Fatalf("externalId is case-exact, got %v", l)
	}

	// Entra's PATCH: capitalised ops, string booleans, value-path filters, URN paths, dotted pathless keys.
	p := scimDo(t, sc, "PATCH", "/Users/"+id, `{"schemas":["`+patchOp+`"],"Operations":[
		{"op":"Replace","path":"displayName","value":"Lee A."},
		{"op":"Add","path":"emails[type eq \"home\"].value","value":"lee.home@contoso.example.com"},
		{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Finance"},
		{"op":"Add","value":{"name.givenName":"Leo","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization":"Contoso","title":"Analyst"}},
		{"op":"Replace","path":"active","value":"False"}]}`).Want(t, 200)
	if p["displayName"] != "Lee A." || get(p, enterprise+"/department") != "Finance" || get(p, enterprise+"/organization") != "Contoso" ||
		get(p, "name/givenName") != "Leo" || get(p, "name/familyName") != "Adams" || p["title"] != "Analyst" || p["active"] != false {
		t.Fatalf("after PATCH: %v", p)
	}
	emails, _ := p["emails"].([]any)
	if len(emails) != 2 || get(p, "emails/1/type") != "home" || get(p, "emails/1/value") != "lee.home@contoso.example.com" {
		t.Fatalf("filtered add did not create the element: %v", p["emails"])
	}
	// The new email is indexed.
	l = scimDo(t, sc, "GET", filterQuery(`emails.value eq "LEE.HOME@contoso.example.com"`), "").Want(t, 200)
	if l["totalResults"] != float64(1) {
		t.Fatalf("email lookup = %v", l)
	}
	// Entra ID may delete.
	scimDo(t, sc, "DELETE", "/Users/"+id, "").Want(t, 204)
	scimDo(t, sc, "GET", "/Users/"+id, "").WantSCIMError(t, 404, "")
	scimDo(t, sc, "DELETE", "/Users/"+id, "").WantSCIMError(t, 404, "")
	l = scimDo(t, sc, "GET", filterQuery(`emails.value eq "LEE.HOME@contoso.example.com"`), "").Want(t, 200)
	if l["totalResults"] != float64(0) {
		t.Fatalf("deleted user still indexed: %v", l)
	}
}

func TestSCIMFiltersAndPaging(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	var ids []string
	for i := range 7 {
		u := createUser(t, sc, fmt.Sprintf(`{"schemas":["%s"],"userName":"user%d@acme.example.com","externalId":"ext-%d",
			"name":{"givenName":"G%d","familyName":"F%d"},"title":%q,"active":%v,
			"emails":[{"value":"user%d@acme.example.com","type":"work","primary":true},{"value":"alt%d@acme.example.com","type":"home"}]}`,
			coreUser, i, i, i, i, map[bool]string{true: "Engineer", false: "Sales"}[i%2 == 0], i != 3, i, i))
		ids = append(ids, u["id"].(string))
	}
	count := func(filter string) float64 {
		t.Helper()
		l := scimDo(t, sc, "GET", filterQuery(filter), "").Want(t, 200)
		return l["totalResults"].(float64)
	}
	for f, want := range map[string]float64{
		`userName eq "USER2@acme.example.com"`:                    1,
		`id eq "` + ids[4] + `"`:                                  1,
		`externalId eq "ext-5"`:                                   1,
		`emails.value eq "alt6@acme.example.com"`:                 1,
		`emails[type eq "home" and value sw "alt1"]`:              1,
		`emails[type eq "work" and value ew "@acme.example.com"]`: 7,
		`title eq "Engineer" and active eq true`:                  4,
		`title eq "Sales" or userName co "user0"`:                 4,
		`not (title eq "Engineer")`:                               3,
		`active eq false`:                                         1,
		`name.givenName sw "g" and (title pr)`:                    7,
		`meta.created gt "2000-01-01T00:00:00Z"`:                  7,
		`userName eq "user2@acme.example.com" and title eq "X"`:   0,
		`userName ne "user2@acme.example.com"`:                    6,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName pr`:  7,
	} {
		if got := count(f); got != want {
			t.Errorf("filter %s: %v results, want %v", f, got, want)
		}
	}
	for _, bad := range []string{`userName eq`, `userName zz "x"`, `nope eq "x"`, `(userName eq "x"`, `active gt true`} {
		scimDo(t, sc, "GET", filterQuery(bad), "").WantSCIMError(t, 400, "invalidFilter")
	}

	// Paging: stable creation order, 1-based startIndex.
	l := scimDo(t, sc, "GET", "/Users?startIndex=3&count=2", "").Want(t, 200)
	if l["totalResults"] != float64(7) || l["itemsPerPage"] != float64(2) || l["startIndex"] != float64(3) ||
		get(l, "Resources/0/id") != ids[2] || get(l, "Resources/1/id") != ids[3] {
		t.Fatalf("page = %v", l)
	}
	l = scimDo(t, sc, "GET", "/Users?count=0", "").Want(t, 200)
	if l["totalResults"] != float64(7) || l["itemsPerPage"] != float64(0) || len(l["Resources"].([]any)) != 0 {
		t.Fatalf("count=0: %v", l)
	}
	l = scimDo(t, sc, "GET", "/Users?startIndex=0&count=100000", "").Want(t, 200)
	if l["startIndex"] != float64(1) || len(l["Resources"].([]any)) != 7 {
		t.Fatalf("clamped page: %v", l)
	}
	l = scimDo(t, sc, "GET", "/Users?startIndex=50", "").Want(t, 200)
	if l["totalResults"] != float64(7) || len(l["Resources"].([]any)) != 0 {
		t.Fatalf("past the end: %v", l)
	}
	l = scimDo(t, sc, "GET", "/Users?"+url.Values{"filter": {`title eq "Engineer"`}, "startIndex": {"2"}, "count": {"2"}}.Encode(), "").Want(t, 200)
	if l["totalResults"] != float64(4) || get(l, "Resources/0/id") != ids[2] || get(l, "Resources/1/id") != ids[4] {
		t.Fatalf("filtered page: %v", l)
	}
	scimDo(t, sc, "GET", "/Users?count=ten", "").WantSCIMError(t, 400, "invalidValue")

	// POST .search takes the same query in a body.
	l = scimDo(t, sc, "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
		"filter":"title eq \"Sales\"","attributes":["userName"],"startIndex":1,"count":10}`).Want(t, 200)
	if l["totalResults"] != float64(3) || get(l, "Resources/0/userName") != "user1@acme.example.com" || get(l, "Resources/0/title") != nil ||
		get(l, "Resources/0/id") != ids[1] {
		t.Fatalf(".search = %v", l)
	}
	scimDo(t, sc, "POST", "/Users/.search", `{"filter":"title eq"}`).WantSCIMError(t, 400, "invalidFilter")
}

func TestSCIMProjection(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	u := createUser(t, sc, oktaUser("eve@acme.example.com", "Eve", "Moss"))
	id := u["id"].(string)

	g := scimDo(t, sc, "GET", "/Users/"+id+"?attributes=userName,name.givenName", "").Want(t, 200)
	if g["id"] != id || g["userName"] != "eve@acme.example.com" || get(g, "name/givenName") != "Eve" ||
		get(g, "name/familyName") != nil || g["emails"] != nil || g["title"] != nil {
		t.Fatalf("attributes projection = %v", g)
	}
	g = scimDo(t, sc, "GET", "/Users/"+id+"?excludedAttributes=emails,"+enterprise+":department", "").Want(t, 200)
	if g["emails"] != nil || get(g, enterprise+"/department") != nil || get(g, enterprise+"/organization") != "Acme" || g["userName"] == nil {
		t.Fatalf("excludedAttributes projection = %v", g)
	}
	l := scimDo(t, sc, "GET", "/Users?attributes=emails", "").Want(t, 200)
	if get(l, "Resources/0/emails/0/value") != "eve@acme.example.com" || get(l, "Resources/0/userName") != nil {
		t.Fatalf("list projection = %v", l)
	}
	scimDo(t, sc, "GET", "/Users/"+id+"?attributes=shoeSize", "").WantSCIMError(t, 400, "invalidValue")
}

func TestSCIMETags(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	u := createUser(t, sc, oktaUser("fay@acme.example.com", "Fay", "Wu"))
	id, v1 := u["id"].(string), get(u, "meta/version").(string)

	a := scimDo(t, sc, "GET", "/Users/"+id, "", "If-None-Match", v1)
	if a.Status != http.StatusNotModified {
		t.Fatalf("If-None-Match current: %d", a.Status)
	}
	p := scimDo(t, sc, "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"title","value":"Lead"}]}`, "If-Match", v1).Want(t, 200)
	v2 := get(p, "meta/version").(string)
	if v2 == v1 {
		t.Fatal("version did not change")
	}
	before := scimDo(t, sc, "GET", "/Users/"+id, "").Raw
	scimDo(t, sc, "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"title","value":"Stale"}]}`, "If-Match", v1).
		WantSCIMError(t, 412, "")
	scimDo(t, sc, "PUT", "/Users/"+id, oktaUser("fay@acme.example.com", "Stale", "Wu"), "If-Match", v1).WantSCIMError(t, 412, "")
	scimDo(t, sc, "DELETE", "/Users/"+id, "", "If-Match", v1).WantSCIMError(t, 412, "")
	g := scimDo(t, sc, "GET", "/Users/"+id, "")
	if u := g.Want(t, 200); u["title"] != "Lead" || get(u, "name/givenName") != "Fay" || get(u, "meta/version") != v2 ||
		g.Header.Get("ETag") != v2 || g.Raw != before {
		t.Fatalf("a failed precondition changed the user:\n%s\n%s", before, g.Raw)
	}
	// A PATCH that changes nothing keeps the version (Okta repeats deactivations).
	same := scimDo(t, sc, "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"title","value":"Lead"}]}`).Want(t, 200)
	if get(same, "meta/version") != v2 {
		t.Fatalf("no-op PATCH changed the version: %v", same)
	}
	scimDo(t, sc, "DELETE", "/Users/"+id, "", "If-Match", v2).Want(t, 204)
}

// TestSCIMBadInput sends every kind of bad input and checks that each is a
// SCIM Error with status and detail and that nothing stored changed.
func TestSCIMBadInput(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	u := createUser(t, sc, oktaUser("gus@acme.example.com", "Gus", "Fring"))
	id := u["id"].(string)
	createUser(t, sc, oktaUser("hank@acme.example.com", "Hank", "Schrader"))
	before := scimDo(t, sc, "GET", "/Users/"+id, "").Raw
	list := scimDo(t, sc, "GET", "/Users", "").Raw

	patch := func(ops string) string { return `{"schemas":["` + patchOp + `"],"Operations":[` + ops + `]}` }
	cases := []struct {
		name, method, path, body string
		status                   int
		scimType                 string
	}{
		{"malformed JSON create", "POST", "/Users", `{"userName": "x@acme.example.com"`, 400, "invalidSyntax"},
		{"malformed JSON put", "PUT", "/Users/" + id, `{"userName": }`, 400, "invalidSyntax"},
		{"malformed JSON patch", "PATCH", "/Users/" + id, `[1,2`, 400, "invalidSyntax"},
		{"array body", "POST", "/Users", `[]`, 400, "invalidSyntax"},
		{"wrong type userName", "POST", "/Users", `{"schemas":["` + coreUser + `"],"userName":42}`, 400, "invalidValue"},
		{"wrong type active", "PUT", "/Users/" + id, `{"schemas":["` + coreUser + `"],"userName":"gus@acme.example.com","active":"perhaps"}`, 400, "invalidValue"},
		{"wrong type name", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"name","value":"Gus"}`), 400, "invalidValue"},
		{"missing userName", "POST", "/Users", `{"schemas":["` + coreUser + `"],"name":{"givenName":"X"}}`, 400, "invalidValue"},
		{"wrong schemas", "POST", "/Users", `{"schemas":["urn:x"],"userName":"x@acme.example.com"}`, 400, "invalidSyntax"},
		{"bad PATCH path", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"shoeSize","value":"9"}`), 400, "invalidPath"},
		{"bad PATCH path syntax", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"emails[type eq","value":"9"}`), 400, "invalidPath"},
		{"bad PATCH op", "PATCH", "/Users/" + id, patch(`{"op":"merge","path":"title","value":"x"}`), 400, "invalidSyntax"},
		{"PATCH without operations", "PATCH", "/Users/" + id, `{"schemas":["` + patchOp + `"],"Operations":[]}`, 400, "invalidSyntax"},
		{"remove without path", "PATCH", "/Users/" + id, patch(`{"op":"remove"}`), 400, "noTarget"},
		{"read-only id", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"id","value":"other"}`), 400, "mutability"},
		{"read-only meta", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"meta.created","value":"2001-01-01T00:00:00Z"}`), 400, "mutability"},
		{"read-only groups", "PATCH", "/Users/" + id, patch(`{"op":"add","path":"groups","value":[{"value":"g1"}]}`), 400, "mutability"},
		{"duplicate userName via PATCH", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"userName","value":"HANK@acme.example.com"}`), 409, "uniqueness"},
		{"duplicate userName via PUT", "PUT", "/Users/" + id, `{"schemas":["` + coreUser + `"],"userName":"Hank@Acme.example.com"}`, 409, "uniqueness"},
		{"duplicate userName via POST", "POST", "/Users", oktaUser("GUS@acme.example.com", "G", "F"), 409, "uniqueness"},
		{"unapproved domain via PATCH", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"userName","value":"gus@evil.example.org"}`), 400, "invalidValue"},
		{"unapproved primary email via PATCH", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"emails[primary eq true].value","value":"gus@evil.example.org"}`), 400, "invalidValue"},
		{"unapproved domain via POST", "POST", "/Users", oktaUser("walt@evil.example.org", "W", "W"), 400, "invalidValue"},
		{"bad user type", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"` + wrikeExt + `:userType","value":"Boss"}`), 400, "invalidValue"},
		{"two primaries", "PATCH", "/Users/" + id, patch(`{"op":"replace","path":"emails","value":[{"value":"a@acme.example.com","primary":true},{"value":"b@acme.example.com","primary":true}]}`), 400, "invalidValue"},
		{"unknown user GET", "GET", "/Users/no-such-id", "", 404, ""},
		{"unknown user PUT", "PUT", "/Users/no-such-id", oktaUser("x@acme.example.com", "X", "Y"), 404, ""},
		{"unknown user PATCH", "PATCH", "/Users/no-such-id", patch(`{"op":"replace","path":"title","value":"x"}`), 404, ""},
		{"unknown user DELETE", "DELETE", "/Users/no-such-id", "", 404, ""},
		{"unknown endpoint", "GET", "/Widgets", "", 404, ""},
		{"unknown group", "GET", "/Groups/some-group", "", 404, ""},
		{"method not allowed", "DELETE", "/Users", "", 405, ""},
		{"invalid filter", "GET", filterQuery(`userName eq "a" and`), "", 400, "invalidFilter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scimDo(t, sc, c.method, c.path, c.body).WantSCIMError(t, c.status, c.scimType)
		})
	}
	// An unsupported media type is refused too.
	scimDo(t, sc, "POST", "/Users", oktaUser("ivy@acme.example.com", "I", "V"), "Content-Type", "application/xml").WantSCIMError(t, 415, "")

	if after := scimDo(t, sc, "GET", "/Users/"+id, "").Raw; after != before {
		t.Fatalf("bad input changed the user:\nbefore %s\nafter  %s", before, after)
	}
	if after := scimDo(t, sc, "GET", "/Users", "").Raw; after != list {
		t.Fatalf("bad input changed the user list:\nbefore %s\nafter  %s", list, after)
	}
}

func TestSCIMContentTypes(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")
	scimDo(t, sc, "POST", "/Users", oktaUser("j1@acme.example.com", "J", "One"), "Content-Type", "application/json").Want(t, 201)
	scimDo(t, sc, "POST", "/Users", oktaUser("j2@acme.example.com", "J", "Two"), "Content-Type", "").Want(t, 201)
	scimDo(t, sc, "POST", "/Users", oktaUser("j3@acme.example.com", "J", "Three"), "Content-Type", "application/scim+json; charset=utf-8").Want(t, 201)
	scimDo(t, sc, "POST", "/Users", oktaUser("j4@acme.example.com", "J", "Four"), "Content-Type", "application/json; charset=UTF-8").Want(t, 201)
	// curl -d labels its body as a form; text/plain and octet-stream are as generic.
	for i, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "application/octet-stream", "*/*"} {
		scimDo(t, sc, "POST", "/Users", oktaUser(fmt.Sprintf("g%d@acme.example.com", i), "G", "Generic"), "Content-Type", ct).Want(t, 201)
		// With any of them, a body that is not JSON is a syntax error, not a 415.
		scimDo(t, sc, "POST", "/Users", "userName=x%40acme.example.com", "Content-Type", ct).WantSCIMError(t, 400, "invalidSyntax")
	}
	scimDo(t, sc, "POST", "/Users", oktaUser("j5@acme.example.com", "J", "Five"), "Content-Type", "application/json; charset=iso-8859-1").WantSCIMError(t, 415, "")
	scimDo(t, sc, "POST", "/Users", oktaUser("j6@acme.example.com", "J", "Six"), "Content-Type", "application/xml").WantSCIMError(t, 415, "")
	// Invalid UTF-8 is refused whatever the label.
	bad := scimDo(t, sc, "POST", "/Users", "{\"schemas\":[\""+coreUser+"\"],\"userName\":\"k\xffss@acme.example.com\"}")
	bad.WantSCIMError(t, 400, "invalidSyntax")
	if !strings.Contains(bad.Raw, "not valid UTF-8") {
		t.Fatalf("invalid UTF-8: %s", bad.Raw)
	}
	if l := scimDo(t, sc, "GET", "/Users", "").Want(t, 200); l["totalResults"] != float64(8) {
		t.Fatalf("users after the content-type checks: %v", l["totalResults"])
	}
}

func TestSCIMGroupsAndDiscovery(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com")

	g := scimDo(t, sc, "GET", "/Groups?startIndex=1&count=100", "").Want(t, 200)
	if g["totalResults"] != float64(0) || len(g["Resources"].([]any)) != 0 || get(g, "schemas/0") != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
		t.Fatalf("groups = %v", g)
	}
	scimDo(t, sc, "GET", "/Groups?filter="+url.QueryEscape(`displayName eq "Engineering"`), "").Want(t, 200)
	scimDo(t, sc, "GET", "/Groups?filter="+url.QueryEscape(`displayName eq`), "").WantSCIMError(t, 400, "invalidFilter")
	scimDo(t, sc, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"x"}`).WantSCIMError(t, 501, "")
	scimDo(t, sc, "GET", "/Me", "").WantSCIMError(t, 501, "")
	scimDo(t, sc, "POST", "/Bulk", `{}`).WantSCIMError(t, 501, "")
	createUser(t, sc, `{"schemas":["`+coreUser+`"],"userName":"root.search@acme.example.com"}`)
	rs := scimDo(t, sc, "POST", "/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"root\""}`).Want(t, 200)
	if rs["totalResults"] != float64(1) || get(rs, "Resources/0/userName") != "root.search@acme.example.com" {
		t.Fatalf("root .search = %v", rs)
	}

	spc := scimDo(t, sc, "GET", "/ServiceProviderConfig", "").Want(t, 200)
	if get(spc, "patch/supported") != true || get(spc, "etag/supported") != true || get(spc, "bulk/supported") != false ||
		get(spc, "sort/supported") != true || get(spc, "filter/maxResults") != float64(1000) ||
		get(spc, "authenticationSchemes/0/type") != "oauthbearertoken" {
		t.Fatalf("ServiceProviderConfig = %v", spc)
	}
	rts := scimDo(t, sc, "GET", "/ResourceTypes", "").Want(t, 200)
	if rts["totalResults"] != float64(1) || get(rts, "Resources/0/endpoint") != "/Users" ||
		get(rts, "Resources/0/schemaExtensions/1/schema") != wrikeExt {
		t.Fatalf("ResourceTypes = %v", rts)
	}
	scimDo(t, sc, "GET", "/ResourceTypes/User", "").Want(t, 200)
	scimDo(t, sc, "GET", "/ResourceTypes/Device", "").WantSCIMError(t, 404, "")
	scimDo(t, sc, "GET", "/ResourceTypes/Group", "").WantSCIMError(t, 404, "")
	scimDo(t, sc, "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", "").WantSCIMError(t, 404, "")
	ws := scimDo(t, sc, "GET", "/Schemas/"+wrikeExt, "").Want(t, 200)
	if get(ws, "attributes/0/name") != "userType" || len(get(ws, "attributes/0/canonicalValues").([]any)) != 3 {
		t.Fatalf("Wrike schema = %v", ws)
	}
	all := scimDo(t, sc, "GET", "/Schemas", "").Want(t, 200)
	if all["totalResults"] != float64(3) {
		t.Fatalf("Schemas = %v", all)
	}
	us := scimDo(t, sc, "GET", "/Schemas/"+coreUser, "").Want(t, 200)
	found := false
	for _, a := range us["attributes"].([]any) {
		if a.(map[string]any)["name"] == "userName" {
			found = a.(map[string]any)["uniqueness"] == "server" && a.(map[string]any)["caseExact"] == false
		}
	}
	if !found {
		t.Fatalf("userName is not described as unique and case-insensitive: %v", us)
	}
}

// TestSCIMUsersPersistAcrossRestart: users, their changes and deletions,
// the index and the order survive a restart; so does a user whose document
// holds non-ASCII text (stored packed and checked for canonical keys at
// every start), found and listed under its domain in either form.
func TestSCIMUsersPersistAcrossRestart(t *testing.T) {
	env := backendtest.Start(t)
	sc := env.SetupSCIM(t, "okta", "acme.example.com", "bücher.example")
	u := createUser(t, sc, oktaUser("kim@acme.example.com", "Kim", "Wexler"))
	id := u["id"].(string)
	p := scimDo(t, sc, "PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","value":{"active":false,"title":"Counsel"}}]}`).Want(t, 200)
	gone := createUser(t, sc, oktaUser("lalo@acme.example.com", "Lalo", "Salamanca"))
	scimDo(t, sc, "DELETE", "/Users/"+gone["id"].(string), "").Want(t, 204)
	intl := createUser(t, sc, oktaUser("Anna@Bücher.example", "Änne", "Groß"))

	restart(t, env, &sc)

	found := scimDo(t, sc, "GET", filterQuery(`userName eq "anna@xn--bcher-kva.example"`), "").Want(t, 200)
	if found["totalResults"] != float64(1) || get(found, "Resources/0/id") != intl["id"] || get(found, "Resources/0/name/familyName") != "Groß" {
		t.Fatalf("the international user after restart: %v", found)
	}
	for _, d := range []string{"bücher.example", "XN--BCHER-KVA.example"} {
		if names, _ := listAllUsers(t, env, url.Values{"domain": {d}, "pageSize": {"1"}}); len(names) != 1 {
			t.Fatalf("domain %s: %v", d, names)
		}
	}

	g := scimDo(t, sc, "GET", "/Users/"+id, "").Want(t, 200)
	if g["active"] != false || g["title"] != "Counsel" || get(g, "meta/version") != get(p, "meta/version") ||
		get(g, "meta/location") != sc.BaseURL+"/Users/"+id {
		t.Fatalf("after restart: %v", g)
	}
	l := scimDo(t, sc, "GET", filterQuery(`userName eq "KIM@acme.example.com"`), "").Want(t, 200)
	if l["totalResults"] != float64(1) {
		t.Fatalf("index not rebuilt: %v", l)
	}
	l = scimDo(t, sc, "GET", filterQuery(`emails.value eq "lalo@acme.example.com"`), "").Want(t, 200)
	if l["totalResults"] != float64(0) {
		t.Fatalf("deleted user came back: %v", l)
	}
	// userName uniqueness still holds after the restart, and new users page after old ones.
	scimDo(t, sc, "POST", "/Users", oktaUser("Kim@acme.example.com", "K", "W")).WantSCIMError(t, 409, "uniqueness")
	n := createUser(t, sc, oktaUser("mike@acme.example.com", "Mike", "E"))
	l = scimDo(t, sc, "GET", "/Users", "").Want(t, 200)
	if get(l, "Resources/0/id") != id || get(l, "Resources/1/id") != intl["id"] || get(l, "Resources/2/id") != n["id"] {
		t.Fatalf("order after restart: %v", l)
	}
}
