package wrike_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wrike-community/terraform-provider-wrike/internal/backend/backendtest"
)

// Credentials a fuzzed request carries.
const (
	credAdmin = iota
	credV4
	credNone
	credGarbage
	credCount
)

// authorize gives a fuzzed request the credential cred picks.
func authorize(req *http.Request, cred uint8, adminToken, v4Token string) {
	switch cred % credCount {
	case credAdmin:
		req.Header.Set("Authorization", "Bearer "+adminToken)
	case credV4:
		req.Header.Set("Authorization", "Bearer "+v4Token)
	case credGarbage:
		req.Header.Set("Authorization", "Bearer wrka_not-a-token")
	}
}

var fuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead}

// FuzzAdminAPI sends arbitrary admin API requests (method, path below
// /api/v4, content type, body, credential) through the Wrike face's real
// handler and checks the promises every answer keeps: never a 5xx (a panic
// is recovered into a 500, so it fails here too), every error in the v4
// shape with a description, no secret echoed, and a refused request changes
// nothing that is stored or shown.
func FuzzAdminAPI(f *testing.F) {
	seeds := []struct {
		method      uint8
		path, ctype string
		body        string
	}{
		// What the provider's wrikeclient sends.
		{1, "approved_domains", "application/json", `{"domain":"acme.example.com"}`},
		{1, "approved_domains", "application/x-www-form-urlencoded", `domain=Partner.Example.NET`},
		{0, "approved_domains/example.com", "", ``},
		{3, "approved_domains/EXAMPLE.COM", "", ``},
		{1, "api_apps", "application/json", `{"name":"Okta SCIM","description":"provisioning from Okta"}`},
		{2, "api_apps/XXXXXXXXXXXXXXXX", "application/json", `{"description":"rotated"}`},
		{1, "api_apps/XXXXXXXXXXXXXXXX/regenerate_token", "application/json", ``},
		{2, "scim_integrations/okta", "application/json", `{"enabled":true,"defaultUserType":"External"}`},
		{2, "scim_integrations/azure_ad", "application/x-www-form-urlencoded", `enabled=true&defaultUserType=collaborator`},
		{0, "users?domain=example.com&active=true&userType=Regular", "", ``},
		{0, "account", "", ``},
		// Corners.
		{1, "approved_domains", "application/json", `{"domain":"-bad-.com"}`},
		{1, "approved_domains", "application/json", `{"domain":"example.com","extra":1}`},
		{1, "approved_domains", "application/json", `[{"domain":"example.com"}]`},
		{1, "approved_domains", "application/json", `{"domain":null}`},
		{1, "approved_domains", "text/plain", `domain=example.org`},
		{2, "scim_integrations/okta", "application/json", `{"enabled":"yes"}`},
		{2, "scim_integrations/okta", "application/json", `{"enabled":false,"defaultUserType":"Admin"}`},
		{1, "api_apps", "application/json", `{"name":"` + strings.Repeat("n", 201) + `"}`},
		{1, "api_apps", "application/json", "{\"name\":\"\xff\xfe\"}"},
		{4, "users/%2e%2e/account", "", ``},
	}
	for i, s := range seeds {
		f.Add(s.method, s.path, s.ctype, []byte(s.body), uint8(i%2))
	}
	env := backendtest.Start(f)
	sc := env.SetupSCIM(f, "okta", "example.com")
	snap := openSnapshot(f, env)
	f.Fuzz(func(t *testing.T, method uint8, path, ctype string, body []byte, cred uint8) {
		u, err := url.Parse("/api/v4/" + path)
		if err != nil || u.Host != "" || u.Scheme != "" {
			return
		}
		m := fuzzMethods[int(method)%len(fuzzMethods)]
		req := httptest.NewRequest(m, "/", bytes.NewReader(body))
		req.URL = u
		req.RequestURI = u.RequestURI()
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		authorize(req, cred, env.WrikeAdminToken, sc.Token)

		before := state(t, env, snap)
		rec := httptest.NewRecorder()
		env.Backend.Wrike.ServeHTTP(rec, req)
		after := state(t, env, snap)

		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", m, u, rec.Code, rec.Body)
		}
		// A new token is answered by design; the ones in use never are.
		if strings.Contains(rec.Body.String(), env.WrikeAdminToken) || strings.Contains(rec.Body.String(), sc.Token) {
			t.Fatalf("%s %s: the answer repeats a token", m, u)
		}
		if rec.Code >= 400 || m == http.MethodGet || m == http.MethodHead {
			if before != after {
				t.Fatalf("%s %s answered %d but changed the state:\nbefore:\n%s\nafter:\n%s", m, u, rec.Code, before, after)
			}
		}
		if rec.Code >= 400 && m != http.MethodHead {
			var e struct {
				Error       string `json:"error"`
				Description string `json:"errorDescription"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || e.Description == "" {
				t.Fatalf("%s %s: %d without a v4 error body: %q", m, u, rec.Code, rec.Body)
			}
		}
	})
}

// Request bodies as Okta and Microsoft Entra ID really send them (Okta's
// SCIM 2.0 test suite and provisioning pushes; Entra's documented requests,
// quirks included: string booleans, dotted and URN-qualified pathless
// keys, capitalised ops, filtered paths).
var identityProviderBodies = []struct {
	method int // index into scimUserEndpoints
	body   string
}{
	{0, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"isabell.kunde@example.com","name":{"givenName":"Isabell","familyName":"Kunde"},"emails":[{"primary":true,"value":"isabell.kunde@example.com","type":"work"}],"displayName":"Isabell Kunde","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`},
	{0, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@example.com","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@example.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","organization":"Acme","manager":"mgr-1"}}`},
	{0, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:wrike:2.0:User"],"userName":"ext@example.com","emails":[{"value":"ext@example.com","primary":"True"}],"phoneNumbers":[{"value":"+1 555 0100","type":"work","primary":true}],"title":"Engineer","urn:ietf:params:scim:schemas:extension:wrike:2.0:User":{"userType":"external"},"active":"True"}`},
	{1, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"ID","userName":"seed@example.com","name":{"givenName":"Seed","familyName":"User"},"emails":[{"primary":true,"value":"seed@example.com","type":"work"}],"active":true}`},
	{1, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"seed@example.com","active":false,"title":null}`},
	{2, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`},
	{2, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Ryan Leenay"},{"op":"Add","path":"emails[type eq \"work\"].value","value":"seed@example.com"},{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Eng"}]}`},
	{2, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"name.givenName":"Ryan","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization":"Acme","active":"False"}}]}`},
	{2, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"phoneNumbers[type eq \"work\"]"},{"op":"add","path":"phoneNumbers","value":[{"value":"555","type":"mobile"}]}]}`},
	{2, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"other@elsewhere.org"}]}`},
	{3, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"seed@example.com\"","startIndex":1,"count":10,"attributes":["userName"]}`},
	{0, `{"userName":"x@example.com","emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}`},
	{0, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"nope@unapproved.net"}`},
	{0, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\ud800@example.com"}`},
	{0, `[1,2,3]`},
}

var scimUserEndpoints = []struct{ method, path string }{
	{"POST", "/Users"},
	{"PUT", "/Users/ID"},
	{"PATCH", "/Users/ID"},
	{"POST", "/Users/.search"},
}

// allUsers is what the SCIM service serves for every user.
const allUsers = "/scim/okta/v2/Users?count=1000"

// FuzzSCIMUser sends arbitrary bodies to the SCIM User endpoints (create,
// replace, patch, search) of the Wrike face's real handler, in-process, and
// checks: never a 5xx, every refusal a SCIM Error with its own status and a
// detail, and a refused request changes nothing stored or served.
func FuzzSCIMUser(f *testing.F) {
	for _, s := range identityProviderBodies {
		f.Add(uint8(s.method), []byte(s.body), "application/scim+json")
	}
	f.Add(uint8(0), []byte(identityProviderBodies[0].body), "application/json; charset=utf-8")
	f.Add(uint8(2), []byte(`{"Operations":[]}`), "")
	env := backendtest.Start(f)
	sc := env.SetupSCIM(f, "okta", "example.com")
	snap := openSnapshot(f, env)
	id := createUser(f, env.SetupSCIM(f, "azure_ad"), oktaUser("seed@example.com", "Seed", "User"))["id"].(string)
	f.Fuzz(func(t *testing.T, method uint8, body []byte, ctype string) {
		m := scimUserEndpoints[int(method)%len(scimUserEndpoints)]
		provider := "okta"
		if method&4 != 0 {
			provider = "azure_ad"
		}
		req := httptest.NewRequest(m.method, "/scim/"+provider+"/v2"+strings.Replace(m.path, "ID", id, 1), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+sc.Token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		before := state(t, env, snap)
		list := getInProcess(t, env, allUsers, sc.Token)
		rec := httptest.NewRecorder()
		env.Backend.Wrike.ServeHTTP(rec, req)
		after := state(t, env, snap)

		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", m.method, m.path, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			a := backendtest.Answer{Status: rec.Code, Raw: rec.Body.String()}
			_ = json.Unmarshal(rec.Body.Bytes(), &a.Body)
			if !a.IsSCIMError() {
				t.Fatalf("%s %s: %d is not a SCIM Error with a detail: %s", m.method, m.path, rec.Code, rec.Body)
			}
			if before != after || list != getInProcess(t, env, allUsers, sc.Token) {
				t.Fatalf("%s %s answered %d but changed the state:\nbefore:\n%s\nafter:\n%s", m.method, m.path, rec.Code, before, after)
			}
		}
		if strings.Contains(rec.Body.String(), sc.Token) {
			t.Fatal("the answer repeats the token")
		}
	})
}
