package wrike_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Request bodies as Okta and Microsoft Entra ID really send them (Okta's
// SCIM 2.0 test suite and provisioning pushes; Entra's documented requests,
// quirks included: string booleans, dotted and URN-qualified pathless
// keys, capitalised ops, filtered paths).
var hardOktaEntraBodies = []struct {
	method int // index into hardSCIMMethods
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

var hardSCIMMethods = []struct{ method, path string }{
	{"POST", "/Users"},
	{"PUT", "/Users/ID"},
	{"PATCH", "/Users/ID"},
	{"POST", "/Users/.search"},
}

// FuzzSCIMUser sends arbitrary bodies to the SCIM User endpoints (create,
// replace, patch, search) of the Wrike face's real handler, in-process, and
// checks: never a 5xx, every refusal a SCIM Error with its own status and a
// detail, and a refused request changes nothing stored or served.
func FuzzSCIMUser(f *testing.F) {
	for _, s := range hardOktaEntraBodies {
		f.Add(uint8(s.method), []byte(s.body), "application/scim+json")
	}
	f.Add(uint8(0), []byte(hardOktaEntraBodies[0].body), "application/json; charset=utf-8")
	f.Add(uint8(2), []byte(`{"Operations":[]}`), "")
	h := newHardFace(f)
	sc := h.env.SetupSCIM(f, "azure_ad")
	id, _ := hardCreate(f, sc, "seed@example.com")
	f.Fuzz(func(t *testing.T, method uint8, body []byte, ctype string) {
		m := hardSCIMMethods[int(method)%len(hardSCIMMethods)]
		provider := "okta"
		if method&4 != 0 {
			provider = "azure_ad"
		}
		req := httptest.NewRequest(m.method, "/scim/"+provider+"/v2"+strings.Replace(m.path, "ID", id, 1), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+h.v4Token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		before := h.state(t)
		list := h.scimList(t)
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		after := h.state(t)

		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", m.method, m.path, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			a := hardAnswer{status: rec.Code, raw: rec.Body.String()}
			_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
			if !a.isSCIMError() {
				t.Fatalf("%s %s: %d is not a SCIM Error with a detail: %s", m.method, m.path, rec.Code, rec.Body)
			}
			if before != after || list != h.scimList(t) {
				t.Fatalf("%s %s answered %d but changed the state:\nbefore:\n%s\nafter:\n%s", m.method, m.path, rec.Code, before, after)
			}
		}
		if strings.Contains(rec.Body.String(), h.v4Token) {
			t.Fatal("the answer repeats the token")
		}
	})
}

// scimList is what the SCIM service serves for every user.
func (h *hardFace) scimList(t *testing.T) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/scim/okta/v2/Users?count=1000", nil)
	req.Header.Set("Authorization", "Bearer "+h.v4Token)
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("list users: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}
